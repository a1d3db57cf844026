import { Duration } from 'aws-cdk-lib';
import type { MathExpression, Metric } from 'aws-cdk-lib/aws-cloudwatch';
import {
  BedrockMetrics,
  cachedInputShareExpression,
  hitRatioExpression,
  searchUnsafeReason,
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

  test('SEARCH per model: exact expression, label expanded per series', () => {
    expect(metrics.searchExpression('cacheReadInputTokens')).toBe(
      `SEARCH('{AWS/Bedrock,ModelId} MetricName="CacheReadInputTokenCount"', 'Sum', 300)`,
    );
    const search = metrics.searchPerModel('cacheWriteInputTokens');
    expect(search.expression).toBe(`SEARCH('{AWS/Bedrock,ModelId} MetricName="CacheWriteInputTokenCount"', 'Sum', 300)`);
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
    expect(usingMetrics(custom.cacheHitRatio())).toEqual({
      cacheRead: { namespace: 'AWS/Bedrock', metricName: 'CacheReadInputTokens', dimensions: undefined, statistic: 'Sum', period: 3600, label: 'Cache read tokens' },
      cacheWrite: { namespace: 'AWS/Bedrock', metricName: 'CacheWriteInputTokens', dimensions: undefined, statistic: 'Sum', period: 3600, label: 'Cache write tokens' },
    });
  });

  test('a metric name that cannot be quoted in SEARCH is refused', () => {
    expect(searchUnsafeReason('Cache"Read')).toBe(
      'must not contain quotes or backslashes (it is embedded in a CloudWatch SEARCH expression)',
    );
    expect(searchUnsafeReason('CacheReadInputTokenCount')).toBeUndefined();
    const bad = new BedrockMetrics({ metricNames: { ...metrics.metricNames, cacheReadInputTokens: "it's" } });
    expect(() => bad.searchExpression('cacheReadInputTokens')).toThrow(
      `metric name "it's" must not contain quotes or backslashes (it is embedded in a CloudWatch SEARCH expression)`,
    );
  });

  test('hit ratio = read / (read + write), no datapoint when the denominator is 0', () => {
    expect(hitRatioExpression('r', 'w')).toBe('IF((FILL(r, 0) + FILL(w, 0)) > 0, 100 * FILL(r, 0) / (FILL(r, 0) + FILL(w, 0)))');
    const ratio = metrics.cacheHitRatio();
    expect(ratio.expression).toBe(
      'IF((FILL(cacheRead, 0) + FILL(cacheWrite, 0)) > 0, 100 * FILL(cacheRead, 0) / (FILL(cacheRead, 0) + FILL(cacheWrite, 0)))',
    );
    expect(ratio.label).toBe('Cache hit ratio % = read / (read + write)');
    expect(Object.keys(ratio.usingMetrics)).toEqual(['cacheRead', 'cacheWrite']);
    expect(ratio.warningsV2).toBeUndefined();
  });

  test('cached input share = read / (input + read + write), per model with an id suffix', () => {
    expect(cachedInputShareExpression('i', 'r', 'w')).toBe(
      'IF((FILL(i, 0) + FILL(r, 0) + FILL(w, 0)) > 0, 100 * FILL(r, 0) / (FILL(i, 0) + FILL(r, 0) + FILL(w, 0)))',
    );
    const share = metrics.cachedInputShare({ modelId: 'us.anthropic.claude-3-7-sonnet-20250219-v1:0', idSuffix: 'm1' });
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
