/**
 * The on-call and cost-review dashboards: bodies parsed as JSON (intrinsics resolved, region eu-west-1), the widgets in
 * order, their metrics and SEARCH expressions, threshold annotations, and how the bodies grow with the model count.
 * Also the metric factories behind them (custom namespace, runtime metrics, alarm expressions).
 */
process.env.CDK_VALIDATION = 'false';

import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { MathExpression, Metric } from 'aws-cdk-lib/aws-cloudwatch';
import { BedrockMetrics, PromptCacheMonitoring, PromptCacheMonitoringStack, SavingsMetrics, parseConfig, type PromptCacheConfig } from '../../lib';
import { gatedHitRatioExpression, netSavingsExpression, priceLiteral, searchByModelId, writesWithoutReadsExpression } from '../../lib/bedrock-metrics';
import { CONSOLE_HOSTS, LONGEST_CONSOLE_HOST, dashboardUrl } from '../../lib/console-url';
import { resolvedLengthBound } from '../../lib/alarms';
import { configWithModels, dashboardBodies, exampleConfig, type DashboardBody } from './template-helpers';

type Widget = DashboardBody['widgets'][number];

function bodies(config: PromptCacheConfig, publisher = true): { onCall: DashboardBody; costReview: DashboardBody; texts: string[] } {
  const stack = new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'TestMonitoring');
  new PromptCacheMonitoring(stack, 'Cache', { config, ...(publisher ? {} : { publisher: false }) });
  const found = dashboardBodies(Template.fromStack(stack).toJSON());
  const onCall = found.find((b) => b.text.includes('## Bedrock prompt cache: on-call'))!;
  const costReview = found.find((b) => b.text.includes('## Bedrock prompt cache: cost review'))!;
  return { onCall: onCall.body, costReview: costReview.body, texts: [onCall.text, costReview.text] };
}

const layout = (b: DashboardBody) => b.widgets.map((w) => [w.type, w.properties.view ?? null, w.properties.title ?? null, w.x, w.y, w.width, w.height]);
function titled(b: DashboardBody, title: string): Widget['properties'] {
  const found = b.widgets.filter((w) => w.properties.title === title);
  expect(found.map((w) => w.properties.title)).toEqual([title]);
  return found[0].properties;
}
const arn = (name: string) => `arn:aws:cloudwatch:eu-west-1:111122223333:alarm:TestMonitoring-${name}`;
const search = (ns: string, metric: string, stat: string, period: number) => `SEARCH('{${ns},ModelId} MetricName="${metric}"', '${stat}', ${period})`;
const MODELS = ['support-bot-78e8aa25', 'code-review-77b9d0c7', 'claims-triage-8008f2fc'];

describe('on-call dashboard, example config', () => {
  const { onCall } = bodies(exampleConfig());

  test('top to bottom: alarms, how to read it, ratios, tokens, traffic, latency, dollars, publisher, one alarm widget per model', () => {
    expect([onCall.start, onCall.periodOverride]).toEqual(['-PT3H', 'inherit']);
    expect(layout(onCall)).toEqual([
      ['alarm', null, 'Alarms: ALARM first', 0, 0, 24, 5],
      ['text', null, null, 0, 5, 24, 7],
      ['metric', 'timeSeries', 'Cache hit ratio and cached input share, all models (%)', 0, 12, 12, 6],
      ['metric', 'timeSeries', 'Cache hit ratio per model (%), every model: publisher, per 60 min', 12, 12, 12, 6],
      ['metric', 'timeSeries', 'Cache read vs write tokens, per model (stacked)', 0, 18, 8, 6],
      ['metric', 'timeSeries', 'Cache read vs write tokens, all models', 8, 18, 8, 6],
      ['metric', 'pie', 'Read vs write share of cached tokens, whole time range', 16, 18, 8, 6],
      ['metric', 'timeSeries', 'Uncached input tokens, per model', 0, 24, 12, 6],
      ['metric', 'timeSeries', 'Invocations and throttles, per model', 12, 24, 12, 6],
      ['metric', 'timeSeries', 'InvocationLatency p50 and p90, per model (ms)', 0, 30, 12, 6],
      ['metric', 'timeSeries', 'TimeToFirstToken p50 and p90, per model (ms), streaming calls', 12, 30, 12, 6],
      ['metric', 'timeSeries', 'Net savings per 60 min (USD), per model and all models', 0, 36, 8, 6],
      ['metric', 'timeSeries', 'Unpriced tokens (models with no known price)', 8, 36, 8, 6],
      ['metric', 'timeSeries', 'Savings publisher: errors, published periods, duration', 16, 36, 8, 6],
      ['metric', 'timeSeries', 'support-bot: hit ratio % vs its alarm', 0, 42, 8, 5],
      ['metric', 'timeSeries', 'code-review: hit ratio % vs its alarm', 8, 42, 8, 5],
      ['metric', 'timeSeries', 'claims-triage: hit ratio % vs its alarm', 16, 42, 8, 5],
    ]);
  });

  test('alarm status: every alarm of the stack, the paging roll-ups first, ALARM on top', () => {
    expect(onCall.widgets[0].properties).toEqual({
      title: 'Alarms: ALARM first',
      alarms: [
        arn('CacheHealth'),
        arn('SavingsPipeline'),
        arn('AllModels-LowHitRatio'),
        arn('AllModels-WritesWithoutReads'),
        arn('AllModels-CachingCostsMoney'),
        ...MODELS.flatMap((m) => [arn(`${m}-LowHitRatio`), arn(`${m}-WritesWithoutReads`), arn(`${m}-CachingCostsMoney`)]),
        arn('PublisherErrors'),
        arn('PublisherHeartbeat'),
      ],
      sortBy: 'stateUpdatedTimestamp',
    });
  });

  test('the text: how to read it, which alarms page, both ratios defined, where the runbooks are', () => {
    const lines = (onCall.widgets[1].properties.markdown ?? '').split('\n');
    expect(lines[1]).toBe(
      '**How to read it.** Alarms first (ALARM on top). `TestMonitoring-CacheHealth` and `TestMonitoring-SavingsPipeline` page; the alarm that fired is in the page, ' +
        'its description is the runbook (what, tokens or dollars, causes, first three checks). Then top to bottom: ratios, tokens, traffic and latency, dollars, ' +
        'the publisher, one widget per configured model. Runbooks: the README, section "Alarms and runbooks".',
    );
    expect(lines.filter((l) => l.startsWith('* **')).map((l) => l.split(' = ')[0])).toEqual(['* **Cache hit ratio** (efficiency)', '* **Cached input share** (coverage)']);
    const linked = bodies(parseConfig({ ...exampleConfig(), alarms: { runbookUrl: 'https://github.example.com/team/cache#alarms-and-runbooks' } }, 't')).onCall;
    expect((linked.widgets[1].properties.markdown ?? '').split('\n')[1].endsWith('Runbooks: [Alarms and runbooks](https://github.example.com/team/cache#alarms-and-runbooks).')).toBe(true);
  });

  test('ratios: both definitions for all models, the publisher ratio per model by SEARCH; the low-hit-ratio threshold drawn', () => {
    const threshold = [{ value: 50, label: 'low-hit-ratio alarm < 50%', color: '#d62728', fill: 'below', yAxis: 'left' }];
    const all = titled(onCall, 'Cache hit ratio and cached input share, all models (%)');
    expect((all.metrics ?? []).map((m) => (m[0] as { label?: string }).label ?? m[1])).toEqual([
      'Cache hit ratio % = read / (read + write)',
      'CacheReadInputTokenCount',
      'CacheWriteInputTokenCount',
      'Cached input share % = read / (input + read + write)',
      'InputTokenCount',
    ]);
    expect(all.annotations).toEqual({ horizontal: threshold });
    const perModel = titled(onCall, 'Cache hit ratio per model (%), every model: publisher, per 60 min');
    expect([perModel.metrics, perModel.annotations]).toEqual([
      [[{ label: "Hit ratio % | ${PROP('Dim.ModelId')}", expression: search('BedrockPromptCache', 'CacheHitRatio', 'Average', 3600), period: 3600 }]],
      { horizontal: threshold },
    ]);
  });

  test('traffic and latency per model by SEARCH: uncached input, invocations and throttles, p50/p90 latency and time to first token', () => {
    const s = (metric: string, stat: string, label: string, extra = {}) => [{ label: `${label} | \${PROP('Dim.ModelId')}`, expression: search('AWS/Bedrock', metric, stat, 300), ...extra }];
    expect(titled(onCall, 'Uncached input tokens, per model').metrics).toEqual([s('InputTokenCount', 'Sum', 'Input tokens (uncached)')]);
    expect(titled(onCall, 'Invocations and throttles, per model').metrics).toEqual([
      s('Invocations', 'Sum', 'Invocations Sum'),
      s('InvocationThrottles', 'Sum', 'InvocationThrottles Sum', { yAxis: 'right' }),
    ]);
    expect(titled(onCall, 'InvocationLatency p50 and p90, per model (ms)').metrics).toEqual([
      s('InvocationLatency', 'p50', 'InvocationLatency p50'),
      s('InvocationLatency', 'p90', 'InvocationLatency p90'),
    ]);
    expect(titled(onCall, 'TimeToFirstToken p50 and p90, per model (ms), streaming calls').metrics).toEqual([
      s('TimeToFirstToken', 'p50', 'TimeToFirstToken p50'),
      s('TimeToFirstToken', 'p90', 'TimeToFirstToken p90'),
    ]);
  });

  test('dollars and the publisher: net savings per model and all models (0 line), unpriced tokens, errors, heartbeat, duration', () => {
    const net = titled(onCall, 'Net savings per 60 min (USD), per model and all models');
    expect([net.metrics, net.annotations]).toEqual([
      [
        [{ label: "Net savings USD | ${PROP('Dim.ModelId')}", expression: search('BedrockPromptCache', 'NetSavingsUSD', 'Sum', 3600), period: 3600 }],
        ['BedrockPromptCache', 'NetSavingsUSD', { color: '#000000', label: 'Net savings USD, all models', period: 3600, stat: 'Sum' }],
      ],
      { horizontal: [{ value: 0, label: 'below 0: caching costs money (alarmed)', color: '#d62728', fill: 'below', yAxis: 'left' }] },
    ]);
    expect(titled(onCall, 'Unpriced tokens (models with no known price)').metrics).toEqual([['BedrockPromptCache', 'UnpricedTokens', { label: 'Unpriced tokens', period: 3600, stat: 'Sum' }]]);
    const health = titled(onCall, 'Savings publisher: errors, published periods, duration');
    const fn = 'CacheSavingsPublisherLambdaFunction';
    expect((health.metrics ?? []).map((m) => [m[0], m[1], String(m[3]).startsWith(fn) || m[3] === undefined, (m[m.length - 1] as { stat: string }).stat])).toEqual([
      ['AWS/Lambda', 'Errors', true, 'Sum'],
      ['BedrockPromptCache', 'PublishedPeriods', true, 'Sum'],
      ['AWS/Lambda', 'Duration', true, 'Maximum'],
    ]);
    expect(health.annotations).toEqual({
      horizontal: [
        { value: 1, label: 'errors alarm >= 1', color: '#d62728', yAxis: 'left' },
        { value: 1, label: 'heartbeat alarm: none for the evaluation periods', color: '#ff7f0e', yAxis: 'left' },
      ],
    });
  });

  test("one alarm widget per configured model, titled with its display name: its low-hit-ratio alarm's graph and threshold", () => {
    expect(onCall.widgets.slice(-3).map((w) => [w.properties.title, w.properties.annotations])).toEqual(
      ['support-bot', 'code-review', 'claims-triage'].map((name, i) => [`${name}: hit ratio % vs its alarm`, { alarms: [arn(`${MODELS[i]}-LowHitRatio`)] }]),
    );
  });
});

describe('cost-review dashboard, example config', () => {
  const { costReview } = bodies(exampleConfig());

  test('7 days, 1-day periods: text, the week in single values, per-model tables, daily net savings per model', () => {
    expect([costReview.start, costReview.periodOverride]).toEqual(['-P7D', 'inherit']);
    expect(layout(costReview)).toEqual([
      ['text', null, null, 0, 0, 24, 6],
      ['metric', 'singleValue', 'The week: net savings, cost with and without cache, % saved', 0, 6, 16, 4],
      ['metric', 'singleValue', 'Hit ratio of the week (token-weighted)', 16, 6, 8, 4],
      ['metric', 'table', 'Per model, per day and the week (USD)', 0, 10, 24, 8],
      ['metric', 'table', 'Per model, per day and the week (cache tokens)', 0, 18, 24, 8],
      ['metric', 'timeSeries', 'Net savings per model per day (USD)', 0, 26, 12, 6],
      ['metric', 'bar', 'Net savings per model, the whole range (USD)', 12, 26, 12, 6],
    ]);
  });

  test('the week: dollars from the publisher, % saved division-safe, hit ratio token-weighted over raw Sums (not an average of ratios)', () => {
    const week = titled(costReview, 'The week: net savings, cost with and without cache, % saved');
    expect([week.setPeriodToTimeRange, week.metrics]).toEqual([
      true,
      [
        ['BedrockPromptCache', 'NetSavingsUSD', { label: 'Net savings USD', id: 'net', period: 86400, stat: 'Sum' }],
        ['BedrockPromptCache', 'CostWithCacheUSD', { label: 'Cost with cache USD', period: 86400, stat: 'Sum' }],
        ['BedrockPromptCache', 'CostWithoutCacheUSD', { label: 'Cost without cache USD', id: 'without', period: 86400, stat: 'Sum' }],
        [{ label: '% saved', expression: 'IF(FILL(without, 0) > 0, 100 * FILL(net, 0) / without)', period: 86400 }],
      ],
    ]);
    const ratio = titled(costReview, 'Hit ratio of the week (token-weighted)');
    expect([ratio.setPeriodToTimeRange, ratio.metrics]).toEqual([
      true,
      [
        [{ label: 'Hit ratio of the range %, token-weighted', expression: 'IF((FILL(cacheRead, 0) + FILL(cacheWrite, 0)) > 0, 100 * FILL(cacheRead, 0) / (FILL(cacheRead, 0) + FILL(cacheWrite, 0)))', period: 86400 }],
        ['AWS/Bedrock', 'CacheReadInputTokenCount', { label: 'Cache read tokens', id: 'cacheRead', visible: false, period: 86400, stat: 'Sum' }],
        ['AWS/Bedrock', 'CacheWriteInputTokenCount', { label: 'Cache write tokens', id: 'cacheWrite', visible: false, period: 86400, stat: 'Sum' }],
      ],
    ]);
  });

  test('per-model tables by SEARCH, a column per day and the sum of the week', () => {
    const usd = titled(costReview, 'Per model, per day and the week (USD)');
    expect([usd.table, usd.metrics]).toEqual([
      { layout: 'horizontal', showTimeSeriesData: true, stickySummary: true, summaryColumns: ['SUM'] },
      [
        ['net savings', 'NetSavingsUSD'],
        ['cost with cache', 'CostWithCacheUSD'],
        ['cost without cache', 'CostWithoutCacheUSD'],
      ].map(([label, metric]) => [{ label: `${label} | \${PROP('Dim.ModelId')}`, expression: search('BedrockPromptCache', metric, 'Sum', 86400), period: 86400 }]),
    ]);
    expect(titled(costReview, 'Per model, per day and the week (cache tokens)').metrics).toEqual(
      [
        ['read', 'CacheReadInputTokenCount'],
        ['write', 'CacheWriteInputTokenCount'],
        ['uncached input', 'InputTokenCount'],
      ].map(([label, metric]) => [{ label: `${label} | \${PROP('Dim.ModelId')}`, expression: search('AWS/Bedrock', metric, 'Sum', 86400), period: 86400 }]),
    );
  });

  test('daily net savings per model, stacked, and the whole range as bars', () => {
    const perModel = [{ label: "Net savings USD | ${PROP('Dim.ModelId')}", expression: search('BedrockPromptCache', 'NetSavingsUSD', 'Sum', 86400), period: 86400 }];
    const daily = titled(costReview, 'Net savings per model per day (USD)');
    expect([daily.stacked, daily.metrics]).toEqual([true, [perModel]]);
    const bars = titled(costReview, 'Net savings per model, the whole range (USD)');
    expect([bars.view, bars.setPeriodToTimeRange, bars.metrics]).toEqual(['bar', true, [perModel]]);
  });

  test('the text states the arithmetic and the price sources', () => {
    expect((costReview.widgets[0].properties.markdown ?? '').split('\n')).toEqual([
      '## Bedrock prompt cache: cost review (7 days, 1-day periods)',
      '* cost without cache = (input + read + write) x p_in + output x p_out; cost with cache = input x p_in + write x p_write + read x p_read + output x p_out.',
      '* **net savings** = read x (p_in - p_read) - write x (p_write - p_in) = cost without - cost with; below 0, caching costs money. **% saved** = net savings / cost without.',
      '* **Hit ratio of the week** = sum(read) / (sum(read) + sum(write)) over the whole range, token-weighted (not an average of hourly ratios).',
      "* Prices: the built-in catalog (lambda/core/prices.ts; aws.amazon.com/bedrock/pricing and Anthropic's pricing page, checked 2026-11-25), overridden by the config's `pricing` (0 entries); " +
        '`prompt-cache report` shows each model\'s rule as priceSource. Claude 4.5+ through geographic profiles: +10 %. Unpriced models count in Unpriced tokens, not in dollars.',
      "* Dollars: the publisher's `BedrockPromptCache` metrics, one datum per model per 60-minute period, summed per day.",
    ]);
  });
});

describe('without the savings publisher', () => {
  const { onCall, costReview } = bodies(exampleConfig(), false);

  test('no dollar, unpriced or publisher widget; the cost review keeps the token figures and says why', () => {
    expect(onCall.widgets.map((w) => w.properties.title ?? w.type).filter((t) => /publisher|USD|Unpriced/.test(String(t)))).toEqual([]);
    expect(layout(costReview).map((w) => w[2])).toEqual([null, 'Hit ratio of the week (token-weighted)', 'Per model, per day and the week (cache tokens)']);
    expect((costReview.widgets[0].properties.markdown ?? '').split('\n').slice(-1)).toEqual(['* Dollars need the savings publisher, which this deployment leaves out: token figures only.']);
    expect((onCall.widgets[1].properties.markdown ?? '').split('\n')[1].slice(0, 90)).toBe('**How to read it.** Alarms first (ALARM on top). `TestMonitoring-CacheHealth` pages; the a');
  });
});

describe('body size against the model count', () => {
  test('the cost review is the same for 1 and 10 models; the on-call body grows by an alarm widget and the status entries per model', () => {
    const [one, ten] = [1, 10].map((n) => bodies(configWithModels(n)));
    expect(ten.texts[1]).toBe(one.texts[1]);
    // configWithModels' models have no price: 2 alarms each (no cost alarm); 3 all-models, 2 pipeline alarms, 2 roll-ups.
    const counts = (b: DashboardBody) => [
      (b.widgets[0].properties.alarms as string[]).length,
      b.widgets.filter((w) => (w.properties.annotations as { alarms?: unknown } | undefined)?.alarms).length,
    ];
    expect([counts(one.onCall), counts(ten.onCall)]).toEqual([
      [9, 1],
      [27, 10],
    ]);
    expect(Math.round((ten.texts[0].length - one.texts[0].length) / 9)).toBe(491);
  });

  test('100 models: within the dashboard limits (500 widgets, 2,500 metrics) and SEARCH expressions under 1,024 characters', () => {
    const stack = new PromptCacheMonitoringStack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Scale', { config: configWithModels(100) });
    for (const { body } of dashboardBodies(Template.fromStack(stack).toJSON())) {
      const metrics = body.widgets.flatMap((w) => (w.properties.metrics ?? []) as unknown[]).length;
      expect(body.widgets.length).toBeLessThanOrEqual(500);
      expect(metrics).toBeLessThanOrEqual(2500);
      const searches = JSON.stringify(body).match(/SEARCH\([^)]*\)/g) ?? [];
      expect(searches.every((s) => s.length <= 1024)).toBe(true);
    }
  });
});

describe('metric factories', () => {
  test('custom namespace: per-model and all-models series, Sum (Average for the ratio), SEARCH by ModelId', () => {
    const savings = SavingsMetrics.fromConfig(parseConfig({ namespace: 'Team Cache', publisher: { periodMinutes: 15 } }, 't'));
    const net = savings.metric('netSavingsUsd', { modelId: 'us.x' });
    expect([net.namespace, net.metricName, net.dimensions, net.statistic, net.period.toSeconds()]).toEqual(['Team Cache', 'NetSavingsUSD', { ModelId: 'us.x' }, 'Sum', 900]);
    expect(savings.metric('cacheHitRatio').statistic).toBe('Average');
    // A namespace with a space is quoted in the SEARCH schema.
    expect(savings.searchExpression('netSavingsUsd')).toBe(`SEARCH('{"Team Cache",ModelId} MetricName="NetSavingsUSD"', 'Sum', 900)`);
    expect(() => savings.metric('publishedPeriods', { modelId: 'us.x' })).toThrow('PublishedPeriods is published without a dimension only (no per-model series)');
    expect(() => savings.searchExpression('unpricedTokens')).toThrow('UnpricedTokens has no per-model series to search');
  });

  test('runtime metrics and SEARCH: fixed AWS names, any statistic', () => {
    const metrics = new BedrockMetrics({ period: Duration.minutes(1) });
    const latency = metrics.runtime('InvocationLatency', 'p90', { modelId: 'us.x' });
    expect([latency.namespace, latency.metricName, latency.dimensions, latency.statistic, latency.period.toSeconds(), latency.label]).toEqual([
      'AWS/Bedrock',
      'InvocationLatency',
      { ModelId: 'us.x' },
      'p90',
      60,
      'InvocationLatency p90 | us.x',
    ]);
    expect(metrics.searchRuntime('TimeToFirstToken', 'p50').expression).toBe(search('AWS/Bedrock', 'TimeToFirstToken', 'p50', 60));
    expect(() => searchByModelId('AWS/Bedrock', 'X', "p'9", Duration.minutes(1))).toThrow(`statistic "p'9" must not contain quotes or backslashes`);
  });

  test('alarm expressions: gated hit ratio, writes without reads, net savings from price constants; compact inputs', () => {
    expect(gatedHitRatioExpression('r', 'w', 50000)).toBe('IF((FILL(r, 0) + FILL(w, 0)) >= 50000, 100 * FILL(r, 0) / (FILL(r, 0) + FILL(w, 0)))');
    expect(() => gatedHitRatioExpression('r', 'w', 0)).toThrow('minCacheTokens must be a whole number, 1 or more (got 0)');
    expect(writesWithoutReadsExpression('r', 'w')).toBe('IF(FILL(r, 0) == 0, FILL(w, 0), 0)');
    expect(netSavingsExpression('r', 'w', 2.7, 0.75, 1000)).toBe('IF((FILL(r, 0) + FILL(w, 0)) >= 1000, (FILL(r, 0) * 2.7 - FILL(w, 0) * 0.75) / 1000000)');
    expect([priceLiteral(3.3 - 0.33), priceLiteral(1.375 - 1.1)]).toEqual(['2.97', '0.275']);
    const ratio: MathExpression = new BedrockMetrics().cacheHitRatio({ modelId: 'us.x', minCacheTokens: 10, compactInputs: true });
    expect(Object.entries(ratio.usingMetrics).map(([id, m]) => [id, (m as Metric).metricName, (m as Metric).label])).toEqual([
      ['r', 'CacheReadInputTokenCount', undefined],
      ['w', 'CacheWriteInputTokenCount', undefined],
    ]);
  });

  test("dashboard URL: the console of the stack's partition (a Mapping keyed by AWS::Partition), in its region", () => {
    const stack = new Stack(new App(), 'S');
    const url = dashboardUrl(stack, 'board');
    expect(stack.resolve(url)).toEqual({
      'Fn::Join': ['', ['https://', { 'Fn::FindInMap': ['ConsoleHost', { Ref: 'AWS::Partition' }, 'host'] }, '/cloudwatch/home?region=', { Ref: 'AWS::Region' }, '#dashboards/dashboard/board']],
    });
    // One Mapping per stack, however many URLs.
    dashboardUrl(stack, 'other');
    expect(Template.fromStack(stack).toJSON().Mappings).toEqual({
      ConsoleHost: { aws: { host: 'console.aws.amazon.com' }, 'aws-cn': { host: 'console.amazonaws.cn' }, 'aws-us-gov': { host: 'console.amazonaws-us-gov.com' } },
    });
    expect(CONSOLE_HOSTS).toEqual({ aws: 'console.aws.amazon.com', 'aws-cn': 'console.amazonaws.cn', 'aws-us-gov': 'console.amazonaws-us-gov.com' });
    // Length checks count the host as the longest one (28) and the region as the longest region name (16).
    expect([LONGEST_CONSOLE_HOST, resolvedLengthBound(url)]).toEqual([28, 'https://'.length + 28 + '/cloudwatch/home?region='.length + 16 + '#dashboards/dashboard/board'.length]);
  });
});
