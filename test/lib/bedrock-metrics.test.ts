import { Duration } from 'aws-cdk-lib';
import type { MathExpression, Metric } from 'aws-cdk-lib/aws-cloudwatch';
import {
  BedrockMetrics,
  cachedInputShareExpression,
  filledInput,
  hitRatioExpression,
  searchUnsafeReason,
  topSeries,
} from '../../lib/bedrock-metrics';
import { parseConfig } from '../../lambda/core/config';

function metricParts(m: Metric) {
  return {
    namespace: m.namespace,
    metricName: m.metricName,
    dimensions: m.dimensions,
    statistic: m.statistic,
    period: m.period.toSeconds(),
    label: m.label,
  };
}

function usingMetrics(e: MathExpression) {
  return Object.fromEntries(Object.entries(e.usingMetrics).map(([id, m]) => [id, metricParts(m as Metric)]));
}

describe('BedrockMetrics', () => {
  const metrics = new BedrockMetrics();
  /** One spelling each (a config that pins the names): one metric per token kind. */
  const pinned = new BedrockMetrics({
    metricNames: { cacheReadInputTokens: 'CacheReadInputTokenCount', cacheWriteInputTokens: 'CacheWriteInputTokenCount' },
  });

  test('token metrics: AWS/Bedrock, Sum, 5 minutes; all models has no dimension', () => {
    expect(metricParts(metrics.tokens('cacheReadInputTokens'))).toEqual({
      namespace: 'AWS/Bedrock',
      metricName: 'CacheReadInputTokenCount',
      dimensions: undefined,
      statistic: 'Sum',
      period: 300,
      label: 'Cache read tokens',
    });
  });

  test('a per-model token metric carries exactly the ModelId dimension', () => {
    const arn = 'arn:aws:bedrock:us-east-1:111122223333:application-inference-profile/a1b2c3d4e5f6';
    expect(metricParts(metrics.tokens('cacheWriteInputTokens', { modelId: arn }))).toEqual({
      namespace: 'AWS/Bedrock',
      metricName: 'CacheWriteInputTokenCount',
      dimensions: { ModelId: arn },
      statistic: 'Sum',
      period: 300,
      label: `Cache write tokens | ${arn}`,
    });
    expect(metrics.tokens('inputTokens').metricName).toBe('InputTokenCount');
    expect(metrics.tokens('outputTokens').metricName).toBe('OutputTokenCount');
  });

  test('SEARCH per model: exact expression, both spellings of a cache metric, label expanded per series', () => {
    expect(metrics.searchExpression('cacheReadInputTokens')).toBe(
      `SEARCH('{AWS/Bedrock,ModelId} (MetricName="CacheReadInputTokenCount" OR MetricName="CacheReadInputTokens")', 'Sum', 300)`,
    );
    expect(metrics.searchExpression('inputTokens')).toBe(`SEARCH('{AWS/Bedrock,ModelId} MetricName="InputTokenCount"', 'Sum', 300)`);
    const search = metrics.searchPerModel('cacheWriteInputTokens');
    expect(search.expression).toBe(
      `SEARCH('{AWS/Bedrock,ModelId} (MetricName="CacheWriteInputTokenCount" OR MetricName="CacheWriteInputTokens")', 'Sum', 300)`,
    );
    expect(search.label).toBe("Cache write tokens | ${PROP('Dim.ModelId')}");
    expect(search.usingMetrics).toEqual({});
    expect(search.warningsV2).toBeUndefined();
  });

  test('metric names come from the config (UNCONFIRMED names are configurable)', () => {
    const config = parseConfig(
      { bedrockMetricNames: { cacheReadInputTokens: 'CacheReadInputTokens', cacheWriteInputTokens: 'CacheWriteInputTokens' } },
      'test',
    );
    const custom = BedrockMetrics.fromConfig(config, Duration.hours(1));
    expect(custom.searchExpression('cacheReadInputTokens')).toBe(
      `SEARCH('{AWS/Bedrock,ModelId} MetricName="CacheReadInputTokens"', 'Sum', 3600)`,
    );
    expect(custom.cacheHitRatio().period.toSeconds()).toBe(3600);
    expect(usingMetrics(custom.cacheHitRatio({ modelId: 'eu.m' }))).toEqual({
      cacheRead: {
        namespace: 'AWS/Bedrock',
        metricName: 'CacheReadInputTokens',
        dimensions: { ModelId: 'eu.m' },
        statistic: 'Sum',
        period: 3600,
        label: 'Cache read tokens',
      },
      cacheWrite: {
        namespace: 'AWS/Bedrock',
        metricName: 'CacheWriteInputTokens',
        dimensions: { ModelId: 'eu.m' },
        statistic: 'Sum',
        period: 3600,
        label: 'Cache write tokens',
      },
    });
  });

  test('a metric name that cannot be quoted in SEARCH is refused', () => {
    expect(searchUnsafeReason('Cache"Read')).toBe(
      'must not contain quotes or backslashes (it is embedded in a CloudWatch SEARCH expression)',
    );
    expect(searchUnsafeReason('CacheReadInputTokenCount')).toBeUndefined();
    const bad = new BedrockMetrics({ metricNames: { cacheReadInputTokens: "it's" } });
    expect(() => bad.searchExpression('cacheReadInputTokens')).toThrow(
      `metric name "it's" must not contain quotes or backslashes (it is embedded in a CloudWatch SEARCH expression)`,
    );
  });

  test('hit ratio = read / (read + write), no datapoint when the denominator is 0; all models sums the per-model SEARCH', () => {
    expect(hitRatioExpression('r', 'w')).toBe('IF((FILL(r, 0) + FILL(w, 0)) > 0, 100 * FILL(r, 0) / (FILL(r, 0) + FILL(w, 0)))');
    const ratio = metrics.cacheHitRatio();
    expect(ratio.expression).toBe(
      'IF((FILL(cacheRead, 0) + FILL(cacheWrite, 0)) > 0, 100 * FILL(cacheRead, 0) / (FILL(cacheRead, 0) + FILL(cacheWrite, 0)))',
    );
    expect(ratio.label).toBe('Cache hit ratio % = read / (read + write)');
    expect(Object.entries(ratio.usingMetrics).map(([k, m]) => [k, (m as MathExpression).expression])).toEqual([
      [
        'cacheRead',
        `SUM(SEARCH('{AWS/Bedrock,ModelId} (MetricName="CacheReadInputTokenCount" OR MetricName="CacheReadInputTokens")', 'Sum', 300))`,
      ],
      [
        'cacheWrite',
        `SUM(SEARCH('{AWS/Bedrock,ModelId} (MetricName="CacheWriteInputTokenCount" OR MetricName="CacheWriteInputTokens")', 'Sum', 300))`,
      ],
    ]);
    expect(ratio.warningsV2).toBeUndefined();
  });

  test('one model, both spellings: the larger of the two per period, never their sum', () => {
    expect(filledInput(['r_0', 'r_1'])).toBe('MAX([FILL(r_0, 0), FILL(r_1, 0)])');
    const ratio = metrics.cacheHitRatio({ modelId: 'us.m', minCacheTokens: 1000, compactInputs: true });
    expect(ratio.expression).toBe(
      'IF((MAX([FILL(r_0, 0), FILL(r_1, 0)]) + MAX([FILL(w_0, 0), FILL(w_1, 0)])) >= 1000, ' +
        '100 * MAX([FILL(r_0, 0), FILL(r_1, 0)]) / (MAX([FILL(r_0, 0), FILL(r_1, 0)]) + MAX([FILL(w_0, 0), FILL(w_1, 0)])))',
    );
    expect(Object.entries(usingMetrics(ratio)).map(([k, m]) => [k, m.metricName])).toEqual([
      ['r_0', 'CacheReadInputTokenCount'],
      ['r_1', 'CacheReadInputTokens'],
      ['w_0', 'CacheWriteInputTokenCount'],
      ['w_1', 'CacheWriteInputTokens'],
    ]);
  });

  test('top N: SORT keeps a graph to its largest series, and the rest is one summed line', () => {
    expect(metrics.searchPerModel('inputTokens', { top: 10 }).expression).toBe(
      `SORT(SEARCH('{AWS/Bedrock,ModelId} MetricName="InputTokenCount"', 'Sum', 300), SUM, DESC, 10)`,
    );
    expect(metrics.restOfModels('inputTokens', 10).expression).toBe(
      `SUM(SEARCH('{AWS/Bedrock,ModelId} MetricName="InputTokenCount"', 'Sum', 300)) - SUM(SORT(SEARCH('{AWS/Bedrock,ModelId} MetricName="InputTokenCount"', 'Sum', 300), SUM, DESC, 10))`,
    );
    expect(() => topSeries('x', 0)).toThrow('top series count must be a whole number, 1 or more (got 0)');
  });

  test('cached input share = read / (input + read + write), per model with an id suffix', () => {
    expect(cachedInputShareExpression('i', 'r', 'w')).toBe(
      'IF((FILL(i, 0) + FILL(r, 0) + FILL(w, 0)) > 0, 100 * FILL(r, 0) / (FILL(i, 0) + FILL(r, 0) + FILL(w, 0)))',
    );
    const share = pinned.cachedInputShare({ modelId: 'us.anthropic.claude-3-7-sonnet-20250219-v1:0', idSuffix: 'm1' });
    expect(share.expression).toBe(
      'IF((FILL(inputm1, 0) + FILL(cacheReadm1, 0) + FILL(cacheWritem1, 0)) > 0, ' +
        '100 * FILL(cacheReadm1, 0) / (FILL(inputm1, 0) + FILL(cacheReadm1, 0) + FILL(cacheWritem1, 0)))',
    );
    expect(share.label).toBe('Cached input share % = read / (input + read + write)');
    expect(Object.values(usingMetrics(share)).map((m) => [m.metricName, m.dimensions])).toEqual([
      ['InputTokenCount', { ModelId: 'us.anthropic.claude-3-7-sonnet-20250219-v1:0' }],
      ['CacheReadInputTokenCount', { ModelId: 'us.anthropic.claude-3-7-sonnet-20250219-v1:0' }],
      ['CacheWriteInputTokenCount', { ModelId: 'us.anthropic.claude-3-7-sonnet-20250219-v1:0' }],
    ]);
    expect(() => metrics.cacheHitRatio({ idSuffix: 'a-b' })).toThrow('idSuffix must be letters and digits only (got "a-b")');
  });
});
