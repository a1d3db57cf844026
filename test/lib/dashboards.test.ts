/**
 * The on-call and cost-review dashboards: bodies parsed as JSON (intrinsics resolved, region eu-west-1), the widgets in
 * order, their metrics and SEARCH expressions, threshold annotations, the on-call "Paged? start here" text, and that the
 * bodies do not grow with the model count (only precise models add their alarms to the status list).
 * Also the metric factories behind them (custom namespace, runtime metrics, alarm expressions).
 */
process.env.CDK_VALIDATION = 'false';

import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { MathExpression, Metric } from 'aws-cdk-lib/aws-cloudwatch';
import {
  BedrockMetrics,
  PromptCacheMonitoring,
  PromptCacheMonitoringStack,
  SavingsMetrics,
  parseConfig,
  type PromptCacheConfig,
} from '../../lib';
import {
  gatedHitRatioExpression,
  netSavingsExpression,
  priceLiteral,
  searchByModelId,
  writesWithoutReadsExpression,
} from '../../lib/bedrock-metrics';
import { CONSOLE_HOSTS, LONGEST_CONSOLE_HOST, dashboardUrl } from '../../lib/console-url';
import { resolvedLengthBound } from '../../lib/alarms';
import { allPrecise, benchConfig } from '../support/configs';
import {
  configWithModels,
  consoleUrlJoin,
  dashboardBodies,
  exampleConfig,
  synthStack,
  withoutAssetHashes,
  type DashboardBody,
} from './template-helpers';

type Widget = DashboardBody['widgets'][number];

type Bodies = {
  onCall: DashboardBody;
  costReview: DashboardBody;
  texts: string[];
  alarmNames: string[];
  resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
  /** The whole template's JSON, its asset hashes stood in for. */
  template: string;
};

function bodies(config: PromptCacheConfig, publisher = true): Bodies {
  const stack = new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'TestMonitoring');
  new PromptCacheMonitoring(stack, 'Cache', { config, ...(publisher ? {} : { publisher: false }) });
  const template = Template.fromStack(stack).toJSON() as { Resources: Bodies['resources'] };
  const found = dashboardBodies(template);
  const onCall = found.find((b) => b.text.includes('## Paged? start here'))!;
  const costReview = found.find((b) => b.text.includes('## Bedrock prompt cache: cost review'))!;
  const alarmNames = Object.values(template.Resources)
    .filter((r) => r.Type === 'AWS::CloudWatch::Alarm')
    .map((r) => String(r.Properties?.AlarmName));
  return {
    onCall: onCall.body,
    costReview: costReview.body,
    texts: [onCall.text, costReview.text],
    alarmNames,
    resources: template.Resources,
    template: withoutAssetHashes(JSON.stringify(template)),
  };
}

const layout = (b: DashboardBody) =>
  b.widgets.map((w) => [w.type, w.properties.view ?? null, w.properties.title ?? null, w.x, w.y, w.width, w.height]);
function titled(b: DashboardBody, title: string): Widget['properties'] {
  const found = b.widgets.filter((w) => w.properties.title === title);
  expect(found.map((w) => w.properties.title)).toEqual([title]);
  return found[0].properties;
}
const arn = (name: string) => `arn:aws:cloudwatch:eu-west-1:111122223333:alarm:TestMonitoring-${name}`;
/** `SEARCH('{ns,ModelId} MetricName="A"', ...)`; several names (the spellings of one metric) as `(MetricName="A" OR MetricName="B")`. */
const search = (ns: string, metric: string | readonly string[], stat: string, period: number) => {
  const names = typeof metric === 'string' ? [metric] : metric;
  const filter = names.length === 1 ? `MetricName="${names[0]}"` : `(${names.map((n) => `MetricName="${n}"`).join(' OR ')})`;
  return `SEARCH('{${ns},ModelId} ${filter}', '${stat}', ${period})`;
};
const sort = (expression: string, by: 'SUM' | 'AVG' | 'MAX', order: 'ASC' | 'DESC', n = 10) => `SORT(${expression}, ${by}, ${order}, ${n})`;
/** The "all other models" line: everything minus the top n by Sum. */
const rest = (expression: string, n = 10) => `SUM(${expression}) - SUM(${sort(expression, 'SUM', 'DESC', n)})`;
/** Both documented spellings of the cache metrics, the default first. */
const READ = ['CacheReadInputTokenCount', 'CacheReadInputTokens'];
const WRITE = ['CacheWriteInputTokenCount', 'CacheWriteInputTokens'];
const MODELS = ['support-bot-78e8aa25', 'code-review-77b9d0c7', 'claims-triage-8008f2fc'];
/** Plain metric arrays (`[namespace, name, ...dimensions, options]`) of a body, expressions left out. */
const metricArrays = (b: DashboardBody) =>
  b.widgets.flatMap((w) => (w.properties.metrics ?? []) as unknown[][]).filter((m) => typeof m[0] === 'string');
/** Every expression of a body, in widget order. */
const expressions = (b: DashboardBody) =>
  b.widgets
    .flatMap((w) => (w.properties.metrics ?? []) as unknown[][])
    .flatMap((m) => m.filter((x): x is { expression: string } => typeof (x as { expression?: unknown }).expression === 'string'))
    .map((x) => x.expression);
/** The N of every `SORT(..., <by>, <order>, N)` of a body's text. */
const sortLimits = (text: string) => [...text.matchAll(/, (?:SUM|AVG|MAX), (?:ASC|DESC), (\d+)\)/g)].map((m) => Number(m[1]));

/** The fleet alarms and the pipeline alarms, in the order the status widget lists them. */
const FLEET_AND_PIPELINE = [
  'Fleet-LowHitRatio',
  'Fleet-WritesWithoutReads',
  'Fleet-CachingCostsMoney',
  'Fleet-CachingCostsMoney-Page',
  'PublisherErrors',
  'PublisherHeartbeat',
];
/** The daily bill check's alarms, listed after the pipeline's. */
const BILL = ['CostDrift', 'BillCheckErrors'];
/** The on-call text's lines (the markdown of its text widget). */
const readme = (b: DashboardBody) => (b.widgets.find((w) => w.type === 'text')!.properties.markdown ?? '').split('\n');
const PAGED_LINE_1 =
  '1. The page names the model, what is wrong and its dollars per hour; its text is the runbook (do first, checks, whether it can wait, when it clears). ' +
  'More: the README, section "When you are paged".';
const EXAMPLE_BREAK_EVENS =
  '2. Break-even hit ratio (below it caching loses money): 21.7% (support-bot, claims-triage), 52.6% (code-review).';

describe('on-call dashboard, example config', () => {
  const { onCall, alarmNames, resources } = bodies(exampleConfig());

  test('top to bottom: alarms, paged? start here, ratios, tokens, traffic, latency, dollars, publisher; no per-model widget', () => {
    expect([onCall.start, onCall.periodOverride]).toEqual(['-PT3H', 'inherit']);
    expect(layout(onCall)).toEqual([
      ['alarm', null, 'Alarms: ALARM first', 0, 0, 24, 4],
      ['text', null, null, 0, 4, 24, 4],
      ['metric', 'timeSeries', 'Cache hit ratio and cached input share, all models (%)', 0, 8, 12, 6],
      ['metric', 'timeSeries', 'Cache hit ratio per model (%), the 10 lowest: publisher, per 60 min', 12, 8, 12, 6],
      ['metric', 'timeSeries', 'Cache read vs write tokens, the 10 largest models and the rest (stacked)', 0, 14, 8, 6],
      ['metric', 'timeSeries', 'Cache read vs write tokens, all models', 8, 14, 8, 6],
      ['metric', 'pie', 'Read vs write share of cached tokens, whole time range', 16, 14, 8, 6],
      ['metric', 'timeSeries', 'Uncached input tokens, the 10 largest models and the rest', 0, 20, 12, 6],
      ['metric', 'timeSeries', 'Invocations and throttles, the 10 busiest models', 12, 20, 12, 6],
      ['metric', 'timeSeries', 'InvocationLatency p50 and p90, the 10 slowest models (ms)', 0, 26, 12, 6],
      ['metric', 'timeSeries', 'TimeToFirstToken p50 and p90, the 10 slowest models (ms), streaming calls', 12, 26, 12, 6],
      ['metric', 'timeSeries', 'Net savings per 60 min (USD), the 10 lowest models and all models', 0, 32, 8, 6],
      ['metric', 'timeSeries', 'Unpriced tokens (models with no known price)', 8, 32, 8, 6],
      [
        'metric',
        'timeSeries',
        'Savings publisher: errors, published periods, awaiting settlement, lag (what the pipeline alarm reads)',
        16,
        32,
        8,
        6,
      ],
    ]);
    // No widget is about one configured model: no alarm graph, no display name in a title.
    expect(onCall.widgets.filter((w) => (w.properties.annotations as { alarms?: unknown } | undefined)?.alarms)).toEqual([]);
    expect(onCall.widgets.filter((w) => /support-bot|code-review|claims-triage/.test(w.properties.title ?? ''))).toEqual([]);
  });

  test('alarm status: every planned alarm of the stack, the fleet alarms first, ALARM on top', () => {
    const listed = [...FLEET_AND_PIPELINE, ...BILL].map(arn);
    expect(onCall.widgets[0].properties).toEqual({ title: 'Alarms: ALARM first', alarms: listed, sortBy: 'stateUpdatedTimestamp' });
    // Exactly the alarms the template creates, none listed twice; the notifier's watchdog (it pages by itself) is not listed.
    expect(alarmNames.map((n) => `arn:aws:cloudwatch:eu-west-1:111122223333:alarm:${n}`)).toEqual([...listed, arn('NotifierFailing')]);
  });

  test('the text: "Paged? start here" in three numbered lines: the page is the runbook, the break-evens, how to see one model', () => {
    expect(readme(onCall)).toEqual([
      '## Paged? start here',
      PAGED_LINE_1,
      EXAMPLE_BREAK_EVENS,
      '3. One model: open the fleet alarm (status above) and its **Contributors** tab, or search the model id in CloudWatch metrics (namespace `BedrockPromptCache`); the graphs below show the 10 worst models.',
    ]);
    const linked = bodies(
      parseConfig({ ...exampleConfig(), alarms: { runbookUrl: 'https://github.example.com/team/cache#when-you-are-paged' } }, 't'),
    ).onCall;
    expect(readme(linked)[1]).toBe(
      '1. The page names the model, what is wrong and its dollars per hour; its text is the runbook (do first, checks, whether it can wait, when it clears). ' +
        'More: [When you are paged](https://github.example.com/team/cache#when-you-are-paged).',
    );
  });

  test('the break-evens: grouped by value, most models first, two names and a count of the others, at most 4 values', () => {
    // Priced models only (unpriced ones have no break-even, Nova's 0 % is left out); write prices 3.5, 3.6, … per MTok.
    const priced = (writes: number[], extra: object[] = []) =>
      readme(
        bodies(
          parseConfig(
            {
              models: [...writes.map((_, i) => ({ modelId: `us.x.m${i}`, displayName: `m${i}`, priceAs: `p${writes[i]}` })), ...extra],
              pricing: Object.fromEntries(
                [...new Set(writes)].map((w) => [
                  `p${w}`,
                  { inputPerMTok: 3, outputPerMTok: 15, cacheWritePerMTok: w, cacheReadPerMTok: 0.3 },
                ]),
              ),
            },
            't',
          ),
        ).onCall,
      )[2];
    expect([
      priced([3.5, 3.5, 3.5, 3.75, 3.75, 4, 4.5, 5]),
      priced([], [{ modelId: 'us.example.unknown-model-v1:0' }, { modelId: 'us.amazon.nova-pro-v1:0' }]),
    ]).toEqual([
      // 0.5 / 3.2, 0.75 / 3.45, 1 / 3.7, 1.5 / 4.2 (and 2 / 4.7 left out: a fifth value).
      '2. Break-even hit ratio (below it caching loses money): 15.6% (m0, m1 and 1 more), 21.7% (m3, m4), 27% (m5), 35.7% (m6).',
      '2. Break-even hit ratio (below it caching loses money): Claude 21.7% with the 5-minute cache, 52.6% with the 1-hour cache.',
    ]);
  });

  test('ratios: both definitions for all models over SUM(SEARCH) of every spelling, the publisher ratio of the 10 lowest models; no threshold line (each model has its own)', () => {
    const all = titled(onCall, 'Cache hit ratio and cached input share, all models (%)');
    expect(all.metrics).toEqual([
      [
        {
          label: 'Cache hit ratio % = read / (read + write)',
          expression:
            'IF((FILL(cacheRead, 0) + FILL(cacheWrite, 0)) > 0, 100 * FILL(cacheRead, 0) / (FILL(cacheRead, 0) + FILL(cacheWrite, 0)))',
        },
      ],
      [
        {
          label: 'Cache read tokens, all models',
          visible: false,
          expression: `SUM(SEARCH('{AWS/Bedrock,ModelId} (MetricName="CacheReadInputTokenCount" OR MetricName="CacheReadInputTokens")', 'Sum', 300))`,
          id: 'cacheRead',
        },
      ],
      [
        {
          label: 'Cache write tokens, all models',
          visible: false,
          expression: `SUM(SEARCH('{AWS/Bedrock,ModelId} (MetricName="CacheWriteInputTokenCount" OR MetricName="CacheWriteInputTokens")', 'Sum', 300))`,
          id: 'cacheWrite',
        },
      ],
      [
        {
          label: 'Cached input share % = read / (input + read + write)',
          expression:
            'IF((FILL(input, 0) + FILL(cacheRead, 0) + FILL(cacheWrite, 0)) > 0, 100 * FILL(cacheRead, 0) / (FILL(input, 0) + FILL(cacheRead, 0) + FILL(cacheWrite, 0)))',
        },
      ],
      [
        {
          label: 'Input tokens (uncached), all models',
          visible: false,
          expression: `SUM(SEARCH('{AWS/Bedrock,ModelId} MetricName="InputTokenCount"', 'Sum', 300))`,
          id: 'input',
        },
      ],
    ]);
    const perModel = titled(onCall, 'Cache hit ratio per model (%), the 10 lowest: publisher, per 60 min');
    expect([all.annotations, perModel.metrics, perModel.annotations]).toEqual([
      undefined,
      [
        [
          {
            label: "Hit ratio % | ${PROP('Dim.ModelId')}",
            expression: sort(search('BedrockPromptCache', 'CacheHitRatio', 'Average', 3600), 'AVG', 'ASC'),
            period: 3600,
          },
        ],
      ],
      undefined,
    ]);
  });

  test('cache tokens: the 10 largest models and the rest line, stacked; all models from SUM(SEARCH); the pie from RUNNING_SUMs', () => {
    const read = search('AWS/Bedrock', READ, 'Sum', 300);
    const write = search('AWS/Bedrock', WRITE, 'Sum', 300);
    const stacked = titled(onCall, 'Cache read vs write tokens, the 10 largest models and the rest (stacked)');
    expect([stacked.stacked, stacked.metrics]).toEqual([
      true,
      [
        [{ label: "Cache read tokens | ${PROP('Dim.ModelId')}", expression: sort(read, 'SUM', 'DESC') }],
        [{ label: 'Cache read tokens | all other models', expression: rest(read) }],
        [{ label: "Cache write tokens | ${PROP('Dim.ModelId')}", expression: sort(write, 'SUM', 'DESC') }],
        [{ label: 'Cache write tokens | all other models', expression: rest(write) }],
      ],
    ]);
    const all = titled(onCall, 'Cache read vs write tokens, all models');
    expect([all.stacked, all.metrics]).toEqual([
      undefined,
      [
        [{ label: 'Cache read tokens, all models', expression: `SUM(${read})` }],
        [{ label: 'Cache write tokens, all models', expression: `SUM(${write})` }],
      ],
    ]);
    const pie = titled(onCall, 'Read vs write share of cached tokens, whole time range');
    expect([pie.view, pie.setPeriodToTimeRange, pie.metrics]).toEqual([
      'pie',
      undefined,
      [
        [{ label: 'Cache read tokens', expression: 'RUNNING_SUM(r)' }],
        [{ label: 'Cache read tokens, all models', visible: false, expression: `SUM(${read})`, id: 'r' }],
        [{ label: 'Cache write tokens', expression: 'RUNNING_SUM(w)' }],
        [{ label: 'Cache write tokens, all models', visible: false, expression: `SUM(${write})`, id: 'w' }],
      ],
    ]);
  });

  test('traffic and latency per model by SEARCH: uncached input (10 largest and the rest), invocations and throttles (10 busiest), p50/p90 latency and time to first token (10 slowest)', () => {
    const s = (metric: string, stat: string, label: string, by: 'SUM' | 'MAX', extra = {}) => [
      { label: `${label} | \${PROP('Dim.ModelId')}`, expression: sort(search('AWS/Bedrock', metric, stat, 300), by, 'DESC'), ...extra },
    ];
    expect(titled(onCall, 'Uncached input tokens, the 10 largest models and the rest').metrics).toEqual([
      s('InputTokenCount', 'Sum', 'Input tokens (uncached)', 'SUM'),
      [{ label: 'Input tokens (uncached) | all other models', expression: rest(search('AWS/Bedrock', 'InputTokenCount', 'Sum', 300)) }],
    ]);
    expect(titled(onCall, 'Invocations and throttles, the 10 busiest models').metrics).toEqual([
      s('Invocations', 'Sum', 'Invocations Sum', 'SUM'),
      s('InvocationThrottles', 'Sum', 'InvocationThrottles Sum', 'SUM', { yAxis: 'right' }),
    ]);
    expect(titled(onCall, 'InvocationLatency p50 and p90, the 10 slowest models (ms)').metrics).toEqual([
      s('InvocationLatency', 'p50', 'InvocationLatency p50', 'MAX'),
      s('InvocationLatency', 'p90', 'InvocationLatency p90', 'MAX'),
    ]);
    expect(titled(onCall, 'TimeToFirstToken p50 and p90, the 10 slowest models (ms), streaming calls').metrics).toEqual([
      s('TimeToFirstToken', 'p50', 'TimeToFirstToken p50', 'MAX'),
      s('TimeToFirstToken', 'p90', 'TimeToFirstToken p90', 'MAX'),
    ]);
  });

  test('dollars and the publisher: net savings of the 10 lowest models and all models (0 line), unpriced tokens, errors, published periods, duration', () => {
    const net = titled(onCall, 'Net savings per 60 min (USD), the 10 lowest models and all models');
    expect([net.metrics, net.annotations]).toEqual([
      [
        [
          {
            label: "Net savings USD | ${PROP('Dim.ModelId')}",
            expression: sort(search('BedrockPromptCache', 'NetSavingsUSD', 'Sum', 3600), 'SUM', 'ASC'),
            period: 3600,
          },
        ],
        ['BedrockPromptCache', 'NetSavingsUSD', { color: '#000000', label: 'Net savings USD, all models', period: 3600, stat: 'Sum' }],
      ],
      { horizontal: [{ value: 0, label: 'below 0: caching costs money (alarmed)', color: '#d62728', fill: 'below', yAxis: 'left' }] },
    ]);
    expect(titled(onCall, 'Unpriced tokens (models with no known price)').metrics).toEqual([
      ['BedrockPromptCache', 'UnpricedTokens', { label: 'Unpriced tokens', period: 3600, stat: 'Sum' }],
    ]);
    const health = titled(onCall, 'Savings publisher: errors, published periods, awaiting settlement, lag (what the pipeline alarm reads)');
    const fn = 'CacheSavingsPublisherLambdaFunction';
    expect(
      (health.metrics ?? []).map((m) => [
        m[0],
        m[1],
        String(m[3]).startsWith(fn) || m[3] === undefined,
        (m[m.length - 1] as { stat: string }).stat,
      ]),
    ).toEqual([
      ['AWS/Lambda', 'Errors', true, 'Sum'],
      ['BedrockPromptCache', 'PublishedPeriods', true, 'Sum'],
      ['BedrockPromptCache', 'PeriodsAwaitingSettlement', true, 'Maximum'],
      ['BedrockPromptCache', 'PublisherLagMinutes', true, 'Maximum'],
    ]);
    expect(health.annotations).toEqual({
      horizontal: [
        { value: 1, label: 'errors alarm >= 1', color: '#d62728', yAxis: 'left' },
        { value: 75, label: 'pipeline alarm: lag > 75 min, or no report, 2 periods', color: '#ff7f0e', yAxis: 'right' },
      ],
    });
    // The pipeline alarm the widget stands next to reads the publisher's lag (its own coverage is in alarms.test.ts).
    const heartbeat = Object.values(resources).find((r) => r.Properties?.AlarmName === 'TestMonitoring-PublisherHeartbeat')!;
    expect(
      (
        heartbeat.Properties?.Metrics as Array<{
          Expression?: string;
          MetricStat?: { Metric: { Namespace: string; MetricName: string }; Stat: string };
        }>
      ).map((m) => m.Expression ?? [m.MetricStat!.Metric.Namespace, m.MetricStat!.Metric.MetricName, m.MetricStat!.Stat]),
    ).toEqual(['FILL(lag, 99999)', ['BedrockPromptCache', 'PublisherLagMinutes', 'Maximum']]);
  });
});

test("the net-savings graph says 'alarmed' only while a fleet caching-costs-money alarm exists", () => {
  const label = (input: object) =>
    (
      titled(
        bodies(parseConfig({ ...exampleConfig(), ...input }, 't')).onCall,
        'Net savings per 60 min (USD), the 10 lowest models and all models',
      ).annotations as { horizontal: Array<{ label: string }> }
    ).horizontal.map((a) => a.label);
  expect([label({}), label({ alarms: { cachingCostsMoney: { enabled: false } } }), label({ alarms: { enabled: false } })]).toEqual([
    ['below 0: caching costs money (alarmed)'],
    ['below 0: caching costs money'],
    ['below 0: caching costs money'],
  ]);
});

describe('cost-review dashboard, example config', () => {
  const { costReview } = bodies(exampleConfig());

  test('7 days, 1-day periods: text, the range in single values, per-model tables, daily net savings per model, the bill beside the computed cost', () => {
    expect([costReview.start, costReview.periodOverride]).toEqual(['-P7D', 'inherit']);
    expect(layout(costReview)).toEqual([
      ['text', null, null, 0, 0, 24, 6],
      ['metric', 'singleValue', 'The range: net savings, cost with and without cache, % saved', 0, 6, 16, 4],
      ['metric', 'singleValue', 'Hit ratio of the range (token-weighted)', 16, 6, 8, 4],
      ['metric', 'table', 'Per model, per day and the range (USD): the 10 largest costs', 0, 10, 24, 8],
      ['metric', 'table', 'Per model, per day and the range (cache tokens): the 10 largest', 0, 18, 24, 8],
      ['metric', 'timeSeries', 'Net savings per model per day (USD), the 10 largest and the rest', 0, 26, 12, 6],
      ['metric', 'bar', 'Net savings per model, the whole range (USD): the 10 lowest and the rest', 12, 26, 12, 6],
      [
        'metric',
        'timeSeries',
        'The bill vs the computed cost per day, all models (USD; the bill is read 2 days after each day)',
        0,
        32,
        24,
        6,
      ],
    ]);
  });

  test("the bill widget: the bill check's BilledCostUSD (Maximum: one datum a day) beside the publisher's CostWithCacheUSD, the drift on the right against the alarm's ±5 %", () => {
    const w = titled(costReview, 'The bill vs the computed cost per day, all models (USD; the bill is read 2 days after each day)');
    expect([w.metrics, w.annotations]).toEqual([
      [
        ['BedrockPromptCache', 'BilledCostUSD', { label: 'Billed USD (Cost Explorer)', period: 86400, stat: 'Maximum' }],
        ['BedrockPromptCache', 'CostWithCacheUSD', { label: 'Computed USD (tokens × prices)', period: 86400, stat: 'Sum' }],
        ['BedrockPromptCache', 'CostDriftPercent', { label: 'Drift % of the bill', period: 86400, stat: 'Maximum', yAxis: 'right' }],
      ],
      {
        horizontal: [
          { value: 5, label: "+5%: the drift alarm's threshold", color: '#ff7f0e', yAxis: 'right' },
          { value: -5, label: '-5%', color: '#ff7f0e', yAxis: 'right' },
        ],
      },
    ]);
    const off = bodies(parseConfig({ reconcile: { daily: { enabled: false } } }, 'test'));
    expect(figures(off.costReview).widgets).toBe(7);
  });

  test('the range: dollars from the publisher as RUNNING_SUMs, % saved division-safe, hit ratio token-weighted over SUM(SEARCH) of every spelling (not an average of ratios)', () => {
    const range = titled(costReview, 'The range: net savings, cost with and without cache, % saved');
    expect([range.setPeriodToTimeRange, range.metrics]).toEqual([
      undefined,
      [
        [{ label: 'Net savings USD', expression: 'RUNNING_SUM(net)', period: 86400 }],
        ['BedrockPromptCache', 'NetSavingsUSD', { label: 'Net savings USD', id: 'net', visible: false, period: 86400, stat: 'Sum' }],
        [{ label: 'Cost with cache USD', expression: 'RUNNING_SUM(withCache)', period: 86400 }],
        [
          'BedrockPromptCache',
          'CostWithCacheUSD',
          { label: 'Cost with cache USD', id: 'withCache', visible: false, period: 86400, stat: 'Sum' },
        ],
        [{ label: 'Cost without cache USD', expression: 'RUNNING_SUM(without)', period: 86400 }],
        [
          'BedrockPromptCache',
          'CostWithoutCacheUSD',
          { label: 'Cost without cache USD', id: 'without', visible: false, period: 86400, stat: 'Sum' },
        ],
        [
          {
            label: '% saved',
            expression: 'IF(RUNNING_SUM(FILL(without, 0)) > 0, 100 * RUNNING_SUM(FILL(net, 0)) / RUNNING_SUM(FILL(without, 0)))',
            period: 86400,
          },
        ],
      ],
    ]);
    const ratio = titled(costReview, 'Hit ratio of the range (token-weighted)');
    expect([ratio.setPeriodToTimeRange, ratio.metrics]).toEqual([
      undefined,
      [
        [
          {
            label: 'Hit ratio of the range %, token-weighted',
            expression:
              'IF((RUNNING_SUM(FILL(r, 0)) + RUNNING_SUM(FILL(w, 0))) > 0, 100 * RUNNING_SUM(FILL(r, 0)) / (RUNNING_SUM(FILL(r, 0)) + RUNNING_SUM(FILL(w, 0))))',
            period: 86400,
          },
        ],
        [
          {
            label: 'Cache read tokens, all models',
            visible: false,
            expression: `SUM(${search('AWS/Bedrock', READ, 'Sum', 86400)})`,
            period: 86400,
            id: 'r',
          },
        ],
        [
          {
            label: 'Cache write tokens, all models',
            visible: false,
            expression: `SUM(${search('AWS/Bedrock', WRITE, 'Sum', 86400)})`,
            period: 86400,
            id: 'w',
          },
        ],
      ],
    ]);
  });

  test('per-model tables by SEARCH, the 10 largest of each row, a column per day and the sum of the range', () => {
    const usd = titled(costReview, 'Per model, per day and the range (USD): the 10 largest costs');
    expect([usd.table, usd.metrics]).toEqual([
      { layout: 'horizontal', showTimeSeriesData: true, stickySummary: true, summaryColumns: ['SUM'] },
      [
        ['net savings', 'NetSavingsUSD'],
        ['cost with cache', 'CostWithCacheUSD'],
        ['cost without cache', 'CostWithoutCacheUSD'],
      ].map(([label, metric]) => [
        {
          label: `${label} | \${PROP('Dim.ModelId')}`,
          expression: sort(search('BedrockPromptCache', metric, 'Sum', 86400), 'SUM', 'DESC'),
          period: 86400,
        },
      ]),
    ]);
    expect(titled(costReview, 'Per model, per day and the range (cache tokens): the 10 largest').metrics).toEqual(
      (
        [
          ['read', READ],
          ['write', WRITE],
          ['uncached input', 'InputTokenCount'],
        ] as const
      ).map(([label, metric]) => [
        {
          label: `${label} | \${PROP('Dim.ModelId')}`,
          expression: sort(search('AWS/Bedrock', metric, 'Sum', 86400), 'SUM', 'DESC'),
          period: 86400,
        },
      ]),
    );
  });

  test('daily net savings of the 10 largest models and the rest, stacked, and the whole range of the 10 largest as bars from RUNNING_SUM', () => {
    const net = search('BedrockPromptCache', 'NetSavingsUSD', 'Sum', 86400);
    const daily = titled(costReview, 'Net savings per model per day (USD), the 10 largest and the rest');
    expect([daily.stacked, daily.metrics]).toEqual([
      true,
      [
        [{ label: "Net savings USD | ${PROP('Dim.ModelId')}", expression: sort(net, 'SUM', 'DESC'), period: 86400 }],
        [{ label: 'all other models', expression: rest(net), period: 86400 }],
      ],
    ]);
    const bars = titled(costReview, 'Net savings per model, the whole range (USD): the 10 lowest and the rest');
    expect([bars.view, bars.setPeriodToTimeRange, bars.metrics]).toEqual([
      'bar',
      undefined,
      [
        [{ label: "Net savings USD | ${PROP('Dim.ModelId')}", expression: `RUNNING_SUM(${sort(net, 'SUM', 'ASC')})`, period: 86400 }],
        [{ label: 'all other models', expression: `RUNNING_SUM(SUM(${net}) - SUM(${sort(net, 'SUM', 'ASC')}))`, period: 86400 }],
      ],
    ]);
  });

  test('the text states the arithmetic and the price sources', () => {
    expect((costReview.widgets[0].properties.markdown ?? '').split('\n')).toEqual([
      '## Bedrock prompt cache: cost review (7 days, 1-day periods)',
      '* cost without cache = (input + read + write) x p_in + output x p_out; cost with cache = input x p_in + write x p_write + read x p_read + output x p_out.',
      '* **net savings** = read x (p_in - p_read) - write x (p_write - p_in) = cost without - cost with; below 0, caching costs money. **% saved** = net savings / cost without.',
      '* **Hit ratio of the range** = sum(read) / (sum(read) + sum(write)) over the whole range, token-weighted (not an average of hourly ratios).',
      "* Prices: the built-in catalog (lambda/core/price-catalog.json; aws.amazon.com/bedrock/pricing and Anthropic's pricing page, checked 2026-11-25, 2026-12-01), overridden by the config's `pricing` (0 entries); " +
        "`prompt-cache report` shows each model's rule as priceSource. Claude 4.5+ through geographic profiles: +10 %. Unpriced models count in Unpriced tokens, not in dollars.",
      "* Dollars: the publisher's `BedrockPromptCache` metrics, one datum per model per 60-minute period, summed per day.",
    ]);
  });
});

describe('both dashboards, example config', () => {
  const withPublisher = bodies(exampleConfig());
  const withoutPublisher = bodies(exampleConfig(), false);

  test("no widget reads Bedrock's dimensionless (all-models) series: every plain metric is the publisher's or the publisher function's", () => {
    for (const { onCall, costReview } of [withPublisher, withoutPublisher]) {
      for (const body of [onCall, costReview])
        expect(metricArrays(body).filter((m) => m[0] === 'AWS/Bedrock' && !m.includes('ModelId'))).toEqual([]);
    }
    // The plain metrics that are left (the negative check above is not vacuous): AWS/Bedrock is only read through SEARCH.
    const names = (b: DashboardBody) => metricArrays(b).map((m) => `${m[0]}/${m[1]}`);
    expect([names(withPublisher.onCall), names(withPublisher.costReview)]).toEqual([
      [
        'BedrockPromptCache/NetSavingsUSD',
        'BedrockPromptCache/UnpricedTokens',
        'AWS/Lambda/Errors',
        'BedrockPromptCache/PublishedPeriods',
        'BedrockPromptCache/PeriodsAwaitingSettlement',
        'BedrockPromptCache/PublisherLagMinutes',
      ],
      [
        'BedrockPromptCache/NetSavingsUSD',
        'BedrockPromptCache/CostWithCacheUSD',
        'BedrockPromptCache/CostWithoutCacheUSD',
        'BedrockPromptCache/BilledCostUSD',
        'BedrockPromptCache/CostWithCacheUSD',
        'BedrockPromptCache/CostDriftPercent',
      ],
    ]);
    expect([names(withoutPublisher.onCall), names(withoutPublisher.costReview)]).toEqual([[], []]);
  });

  test('whole-range figures are RUNNING_SUMs: no widget sets setPeriodToTimeRange', () => {
    for (const { texts } of [withPublisher, withoutPublisher])
      for (const text of texts) expect(text.includes('setPeriodToTimeRange')).toBe(false);
    const running = (b: DashboardBody) => expressions(b).filter((e) => e.includes('RUNNING_SUM'));
    expect([running(withPublisher.onCall), running(withPublisher.costReview)]).toEqual([
      ['RUNNING_SUM(r)', 'RUNNING_SUM(w)'],
      [
        'RUNNING_SUM(net)',
        'RUNNING_SUM(withCache)',
        'RUNNING_SUM(without)',
        'IF(RUNNING_SUM(FILL(without, 0)) > 0, 100 * RUNNING_SUM(FILL(net, 0)) / RUNNING_SUM(FILL(without, 0)))',
        'IF((RUNNING_SUM(FILL(r, 0)) + RUNNING_SUM(FILL(w, 0))) > 0, 100 * RUNNING_SUM(FILL(r, 0)) / (RUNNING_SUM(FILL(r, 0)) + RUNNING_SUM(FILL(w, 0))))',
        `RUNNING_SUM(${sort(search('BedrockPromptCache', 'NetSavingsUSD', 'Sum', 86400), 'SUM', 'ASC')})`,
        `RUNNING_SUM(SUM(${search('BedrockPromptCache', 'NetSavingsUSD', 'Sum', 86400)}) - SUM(${sort(search('BedrockPromptCache', 'NetSavingsUSD', 'Sum', 86400), 'SUM', 'ASC')}))`,
      ],
    ]);
    expect([running(withoutPublisher.onCall), running(withoutPublisher.costReview)]).toEqual([
      ['RUNNING_SUM(r)', 'RUNNING_SUM(w)'],
      [
        'IF((RUNNING_SUM(FILL(r, 0)) + RUNNING_SUM(FILL(w, 0))) > 0, 100 * RUNNING_SUM(FILL(r, 0)) / (RUNNING_SUM(FILL(r, 0)) + RUNNING_SUM(FILL(w, 0))))',
      ],
    ]);
  });

  test('every per-model graph keeps to the top 10: 14 SORTs on call, 10 in the cost review', () => {
    expect(withPublisher.texts.map(sortLimits)).toEqual([Array(14).fill(10), Array(10).fill(10)]);
    expect(withPublisher.texts.map((t) => t.split('SORT(').length - 1)).toEqual([14, 10]);
  });
});

describe('dashboards.topModels', () => {
  const { onCall, costReview, texts } = bodies(parseConfig({ ...exampleConfig(), dashboards: { topModels: 3 } }, 't'));

  test('topModels: 3 changes every N of both bodies to 3: the SORT limits, the titles and the on-call text', () => {
    // Every SORT of the bodies (the rest lines have one each), no other limit left.
    expect(texts.map(sortLimits)).toEqual([Array(14).fill(3), Array(10).fill(3)]);
    expect(texts.map((t) => t.split('SORT(').length - 1)).toEqual([14, 10]);
    const counted = (b: DashboardBody) => b.widgets.map((w) => w.properties.title ?? '').filter((t) => /\bthe \d+ /.test(t));
    expect([counted(onCall), counted(costReview)]).toEqual([
      [
        'Cache hit ratio per model (%), the 3 lowest: publisher, per 60 min',
        'Cache read vs write tokens, the 3 largest models and the rest (stacked)',
        'Uncached input tokens, the 3 largest models and the rest',
        'Invocations and throttles, the 3 busiest models',
        'InvocationLatency p50 and p90, the 3 slowest models (ms)',
        'TimeToFirstToken p50 and p90, the 3 slowest models (ms), streaming calls',
        'Net savings per 60 min (USD), the 3 lowest models and all models',
      ],
      [
        'Per model, per day and the range (USD): the 3 largest costs',
        'Per model, per day and the range (cache tokens): the 3 largest',
        'Net savings per model per day (USD), the 3 largest and the rest',
        'Net savings per model, the whole range (USD): the 3 lowest and the rest',
      ],
    ]);
    expect(texts.map((t) => t.match(/the \d+ worst models/g) ?? [])).toEqual([['the 3 worst models'], []]);
    expect(titled(onCall, 'Uncached input tokens, the 3 largest models and the rest').metrics).toEqual([
      [
        {
          label: "Input tokens (uncached) | ${PROP('Dim.ModelId')}",
          expression: sort(search('AWS/Bedrock', 'InputTokenCount', 'Sum', 300), 'SUM', 'DESC', 3),
        },
      ],
      [{ label: 'Input tokens (uncached) | all other models', expression: rest(search('AWS/Bedrock', 'InputTokenCount', 'Sum', 300), 3) }],
    ]);
  });
});

describe('without the savings publisher', () => {
  const { onCall, costReview, alarmNames } = bodies(exampleConfig(), false);

  test('no dollar, unpriced or publisher widget; the precise alarms of every configured model; the cost review keeps the token figures and says why', () => {
    expect(onCall.widgets.map((w) => w.properties.title ?? w.type).filter((t) => /publisher|USD|Unpriced/.test(String(t)))).toEqual([]);
    // The fleet and pipeline alarms read the publisher's series: every configured model has precise alarms instead.
    const listed = MODELS.flatMap((m) => [arn(`${m}-LowHitRatio`), arn(`${m}-WritesWithoutReads`), arn(`${m}-CachingCostsMoney`)]);
    expect(onCall.widgets[0].properties.alarms).toEqual(listed);
    expect(alarmNames.map((n) => `arn:aws:cloudwatch:eu-west-1:111122223333:alarm:${n}`)).toEqual([...listed, arn('NotifierFailing')]);
    expect(layout(onCall).slice(0, 3)).toEqual([
      ['alarm', null, 'Alarms: ALARM first', 0, 0, 24, 4],
      ['text', null, null, 0, 4, 24, 4],
      ['metric', 'timeSeries', 'Cache hit ratio and cached input share, all models (%)', 0, 8, 24, 6],
    ]);
    expect(layout(costReview).map((w) => w[2])).toEqual([
      null,
      'Hit ratio of the range (token-weighted)',
      'Per model, per day and the range (cache tokens): the 10 largest',
    ]);
    expect((costReview.widgets[0].properties.markdown ?? '').split('\n').slice(-1)).toEqual([
      '* Dollars need the savings publisher, which this deployment leaves out: token figures only.',
    ]);
  });

  test('the text: no fleet alarm to open, so line 3 says to search the model id under the metric names read', () => {
    expect(readme(onCall)).toEqual([
      '## Paged? start here',
      PAGED_LINE_1,
      EXAMPLE_BREAK_EVENS,
      '3. One model: search the model id in CloudWatch metrics (`CacheReadInputTokenCount` or `CacheReadInputTokens`); the graphs below show the 10 worst models.',
    ]);
  });
});

/** A body's figures: widgets, metric rows, bytes, SEARCH expressions and the longest one. */
function figures(b: DashboardBody) {
  const text = JSON.stringify(b);
  const searches = text.match(/SEARCH\('[^']*', '[^']*', \d+\)/g) ?? [];
  return {
    widgets: b.widgets.length,
    metrics: b.widgets.flatMap((w) => (w.properties.metrics ?? []) as unknown[]).length,
    bytes: Buffer.byteLength(text),
    searches: searches.length,
    longestSearch: Math.max(...searches.map((x) => x.length)),
  };
}
describe('body size against the model count', () => {
  test('1, 100 and 1,000 configured models (fleet mode): the same widgets, metrics and bytes, on call and in the cost review', () => {
    const at = [1, 100, 1000].map((n) => bodies(configWithModels(n)));
    const onCall = { widgets: 14, metrics: 31, bytes: 10809, searches: 24, longestSearch: 126 };
    const costReview = { widgets: 8, metrics: 23, bytes: 7212, searches: 14, longestSearch: 128 };
    expect(at.map((b) => [figures(b.onCall), figures(b.costReview)])).toEqual([
      [onCall, costReview],
      [onCall, costReview],
      [onCall, costReview],
    ]);
    // Byte for byte (the dashboards hold no asset hash), and every SEARCH is in the regular form (within 1,024 characters).
    expect([at[1].texts, at[2].texts]).toEqual([at[0].texts, at[0].texts]);
    expect(at[0].texts[0].split('SEARCH(').length - 1).toBe(onCall.searches);
    // The whole stack too, but for the asset hashes of the functions (the bundled config holds the models).
    expect([Buffer.byteLength(at[0].template), at[1].template === at[0].template, at[2].template === at[0].template]).toEqual([
      62955,
      true,
      true,
    ]);
  });

  test('priced models: only the break-even line differs (two names and a count of the others), by the digits of the count', () => {
    const at = [1, 100, 1000].map((n) => bodies(benchConfig(n)));
    expect(at.map((b) => readme(b.onCall)[2])).toEqual([
      '2. Break-even hit ratio (below it caching loses money): 21.7% (workload-000).',
      '2. Break-even hit ratio (below it caching loses money): 21.7% (workload-000, workload-001 and 98 more).',
      '2. Break-even hit ratio (below it caching loses money): 21.7% (workload-000, workload-001 and 998 more).',
    ]);
    const withoutLine2 = (b: DashboardBody) =>
      JSON.stringify(b.widgets.map((w) => (w.type === 'text' ? readme(b).filter((_, i) => i !== 2) : w.properties)));
    expect([withoutLine2(at[1].onCall), withoutLine2(at[2].onCall), at[1].texts[1], at[2].texts[1]]).toEqual([
      withoutLine2(at[0].onCall),
      withoutLine2(at[0].onCall),
      at[0].texts[1],
      at[0].texts[1],
    ]);
    expect(at.map((b) => figures(b.onCall).bytes)).toEqual([10764, 10790, 10791]);
  });

  test('precise models: each adds its alarms to the status list, nothing else; a second status widget past 100 alarms', () => {
    // Unpriced models (no break-even to list): 2 precise alarms each, no cost alarm.
    const [one, two] = [1, 2].map((n) => bodies(allPrecise(configWithModels(n))));
    const statusOf = (b: DashboardBody) => (b.widgets[0].properties.alarms as string[]).map((a) => a.split(':alarm:TestMonitoring-')[1]);
    expect(statusOf(two.onCall)).toEqual([
      ...FLEET_AND_PIPELINE.slice(0, 4),
      'workload-0-b7840776-LowHitRatio',
      'workload-0-b7840776-WritesWithoutReads',
      'workload-1-ece7057b-LowHitRatio',
      'workload-1-ece7057b-WritesWithoutReads',
      ...FLEET_AND_PIPELINE.slice(4),
      ...BILL,
    ]);
    // The rest of the body is the same; the bytes it grows by are the two ARNs of the status list (201 with commas).
    const rest = (b: DashboardBody) => JSON.stringify(b.widgets.slice(1));
    const listBytes = (b: DashboardBody) => JSON.stringify(b.widgets[0].properties.alarms).length;
    expect([
      figures(two.onCall).widgets,
      rest(two.onCall) === rest(one.onCall),
      figures(two.onCall).bytes - figures(one.onCall).bytes,
      listBytes(two.onCall) - listBytes(one.onCall),
    ]).toEqual([14, true, 201, 201]);
    const many = bodies(allPrecise(benchConfig(40))).onCall;
    expect(
      many.widgets.filter((w) => w.type === 'alarm').map((w) => [w.properties.title, (w.properties.alarms as string[]).length, w.height]),
    ).toEqual([
      ['Alarms: ALARM first (1 of 2)', 100, 19],
      ['Alarms: ALARM first (2 of 2)', 28, 7],
    ]);
  });
});

/** Both documented spellings of the cache metrics, matched by one SEARCH (the config pins neither). */
const SEARCH_READ = `SEARCH('{AWS/Bedrock,ModelId} (MetricName="CacheReadInputTokenCount" OR MetricName="CacheReadInputTokens")', 'Sum', 300)`;
const SEARCH_WRITE = `SEARCH('{AWS/Bedrock,ModelId} (MetricName="CacheWriteInputTokenCount" OR MetricName="CacheWriteInputTokens")', 'Sum', 300)`;
const SEARCH_INPUT = `SEARCH('{AWS/Bedrock,ModelId} MetricName="InputTokenCount"', 'Sum', 300)`;
const HIT_RATIO =
  'IF((FILL(cacheRead, 0) + FILL(cacheWrite, 0)) > 0, 100 * FILL(cacheRead, 0) / (FILL(cacheRead, 0) + FILL(cacheWrite, 0)))';
const CACHED_SHARE =
  'IF((FILL(input, 0) + FILL(cacheRead, 0) + FILL(cacheWrite, 0)) > 0, ' +
  '100 * FILL(cacheRead, 0) / (FILL(input, 0) + FILL(cacheRead, 0) + FILL(cacheWrite, 0)))';
/** All models: the sum of the per-model series (no dimensionless AWS/Bedrock series is read). */
const READ_ALL = [{ label: 'Cache read tokens, all models', expression: `SUM(${SEARCH_READ})` }];
const WRITE_ALL = [{ label: 'Cache write tokens, all models', expression: `SUM(${SEARCH_WRITE})` }];
describe('the on-call dashboard of PromptCacheMonitoringStack, example config', () => {
  const template = synthStack(exampleConfig());
  // The on-call dashboard comes first.
  const [{ body, text }] = dashboardBodies(template.toJSON());
  const widget = (title: string) => {
    const found = body.widgets.filter((w) => w.properties.title === title);
    expect(found).toHaveLength(1);
    return found[0];
  };

  test('dashboard name derived from the stack name and the deploy region', () => {
    template.hasResourceProperties('AWS::CloudWatch::Dashboard', {
      DashboardName: { 'Fn::Join': ['', ['TestMonitoring-OnCall-', { Ref: 'AWS::Region' }]] },
    });
  });

  test('layout: alarm status first, then the text; 3-hour default range, periods inherited', () => {
    expect(body.start).toBe('-PT3H');
    expect(body.periodOverride).toBe('inherit');
    expect(body.widgets.slice(0, 2).map((w) => [w.type, w.x, w.y, w.width])).toEqual([
      ['alarm', 0, 0, 24],
      ['text', 0, 4, 24],
    ]);
    for (const w of body.widgets.filter((x) => x.type === 'metric')) expect(w.properties.region).toBe('eu-west-1');
  });

  test("the text's line 3 and the fleet alarms' query name the config's namespace", () => {
    const stack = new PromptCacheMonitoringStack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'TestMonitoring', {
      config: parseConfig({ ...exampleConfig(), namespace: 'Team/PromptCache' }, 't'),
    });
    const t = Template.fromStack(stack).toJSON();
    const [own] = dashboardBodies(t);
    expect(readme(own.body)[3]).toBe(
      '3. One model: open the fleet alarm (status above) and its **Contributors** tab, or search the model id in CloudWatch metrics (namespace `Team/PromptCache`); the graphs below show the 10 worst models.',
    );
    const fleet = Object.values(
      t.Resources as Record<string, { Type: string; Properties: { AlarmName?: string; Metrics?: Array<{ Expression?: string }> } }>,
    )
      .filter((r) => r.Properties.AlarmName === 'TestMonitoring-Fleet-LowHitRatio')
      .map((r) => r.Properties.Metrics![0].Expression);
    expect(fleet).toEqual([
      'SELECT MAX(AlarmHitRatioMarginPoints) FROM SCHEMA("Team/PromptCache", ModelId) GROUP BY ModelId ORDER BY MAX() ASC LIMIT 500',
    ]);
  });

  test('per-model graph: read and write SEARCH expressions of both spellings, the 10 largest models and the rest, stacked', () => {
    const w = widget('Cache read vs write tokens, the 10 largest models and the rest (stacked)').properties;
    expect(w.stacked).toBe(true);
    expect(w.metrics).toEqual([
      [{ label: "Cache read tokens | ${PROP('Dim.ModelId')}", expression: `SORT(${SEARCH_READ}, SUM, DESC, 10)` }],
      [{ label: 'Cache read tokens | all other models', expression: `SUM(${SEARCH_READ}) - SUM(SORT(${SEARCH_READ}, SUM, DESC, 10))` }],
      [{ label: "Cache write tokens | ${PROP('Dim.ModelId')}", expression: `SORT(${SEARCH_WRITE}, SUM, DESC, 10)` }],
      [{ label: 'Cache write tokens | all other models', expression: `SUM(${SEARCH_WRITE}) - SUM(SORT(${SEARCH_WRITE}, SUM, DESC, 10))` }],
    ]);
  });

  test('all-models graph: SUM(SEARCH) of read and of write, not stacked', () => {
    expect(widget('Cache read vs write tokens, all models').properties.metrics).toEqual([READ_ALL, WRITE_ALL]);
    expect('stacked' in widget('Cache read vs write tokens, all models').properties).toBe(false);
  });

  test('ratio graph: both definitions, labelled, over hidden SUM(SEARCH) inputs, 0-100 %', () => {
    const w = widget('Cache hit ratio and cached input share, all models (%)').properties;
    expect(w.metrics).toEqual([
      [{ label: 'Cache hit ratio % = read / (read + write)', expression: HIT_RATIO }],
      [{ label: 'Cache read tokens, all models', visible: false, expression: `SUM(${SEARCH_READ})`, id: 'cacheRead' }],
      [{ label: 'Cache write tokens, all models', visible: false, expression: `SUM(${SEARCH_WRITE})`, id: 'cacheWrite' }],
      [{ label: 'Cached input share % = read / (input + read + write)', expression: CACHED_SHARE }],
      [{ label: 'Input tokens (uncached), all models', visible: false, expression: `SUM(${SEARCH_INPUT})`, id: 'input' }],
    ]);
    expect(w.yAxis).toEqual({ left: { min: 0, max: 100, label: '%', showUnits: false } });
  });

  test('pie: read vs write over the whole time range, the last value of RUNNING_SUM (no setPeriodToTimeRange)', () => {
    const w = widget('Read vs write share of cached tokens, whole time range').properties;
    expect(w.view).toBe('pie');
    expect('setPeriodToTimeRange' in w).toBe(false);
    expect(w.metrics).toEqual([
      [{ label: 'Cache read tokens', expression: 'RUNNING_SUM(r)' }],
      [{ ...READ_ALL[0], visible: false, id: 'r' }],
      [{ label: 'Cache write tokens', expression: 'RUNNING_SUM(w)' }],
      [{ ...WRITE_ALL[0], visible: false, id: 'w' }],
    ]);
  });

  test('no model id is written into the body (SEARCH finds them)', () => {
    for (const m of exampleConfig().models) expect(text.includes(m.modelId)).toBe(false);
  });
});

describe('the dashboards of PromptCacheMonitoring embedded in a team stack', () => {
  test('dashboardName prop wins', () => {
    const stack = new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'TeamStack');
    const monitoring = new PromptCacheMonitoring(stack, 'Cache', { config: exampleConfig(), dashboardName: 'team-cache' });
    Template.fromStack(stack).hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: 'team-cache' });
    expect(monitoring.config.models.map((m) => m.displayName)).toEqual(['support-bot', 'code-review', 'claims-triage']);
    expect(monitoring.bedrockMetrics.candidates.cacheReadInputTokens).toEqual(['CacheReadInputTokenCount', 'CacheReadInputTokens']);
  });

  test('custom metric names reach the SEARCH expressions: a pinned name is the only one read', () => {
    const stack = new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'TeamStack');
    const config = {
      ...exampleConfig(),
      bedrockMetricNames: {
        ...exampleConfig().bedrockMetricNames,
        cacheReadInputTokens: 'CacheReadInputTokens',
        cacheWriteInputTokens: 'CacheWriteInputTokens',
      },
    };
    new PromptCacheMonitoring(stack, 'Cache', { config });
    const bodies = dashboardBodies(Template.fromStack(stack).toJSON());
    const [{ body }] = bodies;
    const read = `SEARCH('{AWS/Bedrock,ModelId} MetricName="CacheReadInputTokens"', 'Sum', 300)`;
    const write = `SEARCH('{AWS/Bedrock,ModelId} MetricName="CacheWriteInputTokens"', 'Sum', 300)`;
    expect(
      body.widgets.find((w) => w.properties.title === 'Cache read vs write tokens, the 10 largest models and the rest (stacked)')
        ?.properties.metrics,
    ).toEqual([
      [{ label: "Cache read tokens | ${PROP('Dim.ModelId')}", expression: `SORT(${read}, SUM, DESC, 10)` }],
      [{ label: 'Cache read tokens | all other models', expression: `SUM(${read}) - SUM(SORT(${read}, SUM, DESC, 10))` }],
      [{ label: "Cache write tokens | ${PROP('Dim.ModelId')}", expression: `SORT(${write}, SUM, DESC, 10)` }],
      [{ label: 'Cache write tokens | all other models', expression: `SUM(${write}) - SUM(SORT(${write}, SUM, DESC, 10))` }],
    ]);
    // Every AWS/Bedrock metric name either body searches for: the pinned cache names only, the other spellings nowhere.
    const searched = (text: string) =>
      [
        ...new Set(
          [...text.matchAll(/SEARCH\('\{AWS\/Bedrock,ModelId\} ([^']*)'/g)].flatMap((m) =>
            [...m[1].matchAll(/MetricName=\\"([^\\]*)\\"/g)].map((n) => n[1]),
          ),
        ),
      ].sort();
    expect(bodies.map(({ text }) => searched(text))).toEqual([
      [
        'CacheReadInputTokens',
        'CacheWriteInputTokens',
        'InputTokenCount',
        'InvocationLatency',
        'InvocationThrottles',
        'Invocations',
        'TimeToFirstToken',
      ],
      ['CacheReadInputTokens', 'CacheWriteInputTokens', 'InputTokenCount'],
    ]);
    for (const { text } of bodies)
      expect([text.includes('CacheReadInputTokenCount'), text.includes('CacheWriteInputTokenCount'), text.includes(' OR ')]).toEqual([
        false,
        false,
        false,
      ]);
    // Without the publisher the text's line 3 names the metric to search under: the pinned spelling only.
    const noPublisher = new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'TeamStack');
    new PromptCacheMonitoring(noPublisher, 'Cache', { config, publisher: false });
    expect(readme(dashboardBodies(Template.fromStack(noPublisher).toJSON())[0].body)[3]).toBe(
      '3. One model: search the model id in CloudWatch metrics (`CacheReadInputTokens`); the graphs below show the 10 worst models.',
    );
  });
});

describe('metric factories', () => {
  test('custom namespace: per-model and all-models series, Sum (Average for the ratio), SEARCH by ModelId', () => {
    const savings = SavingsMetrics.fromConfig(parseConfig({ namespace: 'Team Cache', publisher: { periodMinutes: 15 } }, 't'));
    const net = savings.metric('netSavingsUsd', { modelId: 'us.x' });
    expect([net.namespace, net.metricName, net.dimensions, net.statistic, net.period.toSeconds()]).toEqual([
      'Team Cache',
      'NetSavingsUSD',
      { ModelId: 'us.x' },
      'Sum',
      900,
    ]);
    expect(savings.metric('cacheHitRatio').statistic).toBe('Average');
    // A namespace with a space is quoted in the SEARCH schema.
    expect(savings.searchExpression('netSavingsUsd')).toBe(`SEARCH('{"Team Cache",ModelId} MetricName="NetSavingsUSD"', 'Sum', 900)`);
    expect(() => savings.metric('publishedPeriods', { modelId: 'us.x' })).toThrow(
      'PublishedPeriods is published without a dimension only (no per-model series)',
    );
    expect(() => savings.searchExpression('unpricedTokens')).toThrow('UnpricedTokens has no per-model series to search');
  });

  test('runtime metrics and SEARCH: fixed AWS names, any statistic', () => {
    const metrics = new BedrockMetrics({ period: Duration.minutes(1) });
    const latency = metrics.runtime('InvocationLatency', 'p90', { modelId: 'us.x' });
    expect([
      latency.namespace,
      latency.metricName,
      latency.dimensions,
      latency.statistic,
      latency.period.toSeconds(),
      latency.label,
    ]).toEqual(['AWS/Bedrock', 'InvocationLatency', { ModelId: 'us.x' }, 'p90', 60, 'InvocationLatency p90 | us.x']);
    expect(metrics.searchRuntime('TimeToFirstToken', 'p50').expression).toBe(search('AWS/Bedrock', 'TimeToFirstToken', 'p50', 60));
    expect(() => searchByModelId('AWS/Bedrock', 'X', "p'9", Duration.minutes(1))).toThrow(
      `statistic "p'9" must not contain quotes or backslashes`,
    );
  });

  test('alarm expressions: gated hit ratio, writes without reads, net savings from price constants; compact inputs, one per spelling', () => {
    expect(gatedHitRatioExpression('r', 'w', 50000)).toBe(
      'IF((FILL(r, 0) + FILL(w, 0)) >= 50000, 100 * FILL(r, 0) / (FILL(r, 0) + FILL(w, 0)))',
    );
    expect(() => gatedHitRatioExpression('r', 'w', 0)).toThrow('minCacheTokens must be a whole number, 1 or more (got 0)');
    expect(writesWithoutReadsExpression('r', 'w')).toBe('IF(FILL(r, 0) == 0, FILL(w, 0), 0)');
    expect(netSavingsExpression('r', 'w', 2.7, 0.75, 1000)).toBe(
      'IF((FILL(r, 0) + FILL(w, 0)) >= 1000, (FILL(r, 0) * 2.7 - FILL(w, 0) * 0.75) / 1000000)',
    );
    expect([priceLiteral(3.3 - 0.33), priceLiteral(1.375 - 1.1)]).toEqual(['2.97', '0.275']);
    // Several spellings: the larger per period (aliases, never summed).
    expect(gatedHitRatioExpression(['r_0', 'r_1'], 'w', 10)).toBe(
      'IF((MAX([FILL(r_0, 0), FILL(r_1, 0)]) + FILL(w, 0)) >= 10, 100 * MAX([FILL(r_0, 0), FILL(r_1, 0)]) / (MAX([FILL(r_0, 0), FILL(r_1, 0)]) + FILL(w, 0)))',
    );
    const ratio: MathExpression = new BedrockMetrics().cacheHitRatio({ modelId: 'us.x', minCacheTokens: 10, compactInputs: true });
    const r = 'MAX([FILL(r_0, 0), FILL(r_1, 0)])';
    const w = 'MAX([FILL(w_0, 0), FILL(w_1, 0)])';
    expect(ratio.expression).toBe(`IF((${r} + ${w}) >= 10, 100 * ${r} / (${r} + ${w}))`);
    expect(
      Object.entries(ratio.usingMetrics).map(([id, m]) => [id, (m as Metric).metricName, (m as Metric).dimensions, (m as Metric).label]),
    ).toEqual([
      ['r_0', 'CacheReadInputTokenCount', { ModelId: 'us.x' }, undefined],
      ['r_1', 'CacheReadInputTokens', { ModelId: 'us.x' }, undefined],
      ['w_0', 'CacheWriteInputTokenCount', { ModelId: 'us.x' }, undefined],
      ['w_1', 'CacheWriteInputTokens', { ModelId: 'us.x' }, undefined],
    ]);
  });

  test("dashboard URL: the console of the stack's partition (a Mapping keyed by AWS::Partition), in its region", () => {
    const stack = new Stack(new App(), 'S');
    const url = dashboardUrl(stack, 'board');
    expect(stack.resolve(url)).toEqual(consoleUrlJoin('#dashboards/dashboard/board'));
    // One Mapping per stack, however many URLs.
    dashboardUrl(stack, 'other');
    expect(Template.fromStack(stack).toJSON().Mappings).toEqual({
      ConsoleHost: {
        aws: { host: 'console.aws.amazon.com' },
        'aws-cn': { host: 'console.amazonaws.cn' },
        'aws-us-gov': { host: 'console.amazonaws-us-gov.com' },
      },
    });
    expect(CONSOLE_HOSTS).toEqual({
      aws: 'console.aws.amazon.com',
      'aws-cn': 'console.amazonaws.cn',
      'aws-us-gov': 'console.amazonaws-us-gov.com',
    });
    // Length checks count the host as the longest one (28) and the region as the longest region name (16).
    expect([LONGEST_CONSOLE_HOST, resolvedLengthBound(url)]).toEqual([
      28,
      'https://'.length + 28 + '/cloudwatch/home?region='.length + 16 + '#dashboards/dashboard/board'.length,
    ]);
  });
});
