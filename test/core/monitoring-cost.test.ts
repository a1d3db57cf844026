import { MONITORING_PRICE_KEYS, parseConfig } from '../../lambda/core/config';
import { alarmReadyModels, DEFAULT_MONITORING_PRICES, estimateMonitoringCost, summarizeTemplate } from '../../lambda/core/monitoring-cost';

const template = {
  Resources: {
    A: {
      Type: 'AWS::CloudWatch::Alarm',
      Properties: {
        Metrics: [
          { Id: 'r', MetricStat: {} },
          { Id: 'w', MetricStat: {} },
          { Id: 'e', Expression: 'r + w' },
        ],
      },
    },
    B: { Type: 'AWS::CloudWatch::Alarm', Properties: { MetricName: 'Errors' } },
    C: { Type: 'AWS::CloudWatch::CompositeAlarm', Properties: {} },
    D: { Type: 'AWS::CloudWatch::Dashboard', Properties: {} },
    E: { Type: 'AWS::CloudWatch::Dashboard', Properties: {} },
    K: { Type: 'AWS::KMS::Key', Properties: {} },
    P: {
      Type: 'AWS::Lambda::Function',
      Properties: {
        MemorySize: 512,
        Environment: { Variables: { LEDGER_TABLE_NAME: 'x', POWERTOOLS_SERVICE_NAME: 'prompt-cache-publisher' } },
      },
    },
    G: {
      Type: 'AWS::Lambda::Function',
      Properties: {
        MemorySize: 1024,
        Environment: { Variables: { DIGEST_TOPIC_ARN: 'y', POWERTOOLS_SERVICE_NAME: 'prompt-cache-digest' } },
      },
    },
  },
};

describe('monitoring cost', () => {
  test('the template summary: metrics per alarm, composites, dashboards, keys, function memory', () => {
    expect(summarizeTemplate(template)).toEqual({
      alarmMetrics: [2, 1],
      metricsInsightsAlarms: 0,
      compositeAlarms: 1,
      dashboards: 2,
      kmsKeys: 1,
      publisherMemoryMb: 512,
      digestMemoryMb: 1024,
    });
    // The bill check has the publisher's table too: each function is told apart by its service name.
    const billCheck = {
      Type: 'AWS::Lambda::Function',
      Properties: {
        MemorySize: 256,
        Environment: { Variables: { LEDGER_TABLE_NAME: 'x', POWERTOOLS_SERVICE_NAME: 'prompt-cache-bill-check' } },
      },
    };
    expect(summarizeTemplate({ Resources: { L: billCheck, ...template.Resources } })).toEqual({
      ...summarizeTemplate(template),
      billCheckMemoryMb: 256,
    });
  });

  test('the estimate, line by line, for 2 models and hourly periods', () => {
    const config = parseConfig({ models: [{ modelId: 'a.x' }, { modelId: 'b.y' }] }, 'test');
    const e = estimateMonitoringCost(summarizeTemplate(template), config);
    const runs = 730;
    const want: [string, number, number][] = [
      // 4 per model, and 3 alarm-ready ones (fleet mode, every family on); all models adds the token totals, writes
      // without reads and the lag.
      ['custom metrics, per model (4 each)', 8, 0.3],
      ['alarm-ready custom metrics (up to 3 per fleet-mode model)', 6, 0.3],
      ['custom metrics, all models', 10, 0.3],
      ['alarm metrics (a math alarm counts each metric it reads)', 3, 0.1],
      ['composite alarms', 1, 0.5],
      ['dashboards', 2, 3],
      ['KMS keys of the encrypted topics', 1, 1],
      ['publisher GetMetricData (4 metrics per model per run)', (runs * 8) / 1000, 0.01],
      // A run: 1 PutMetricData of periods, 1 of its lag report, 6 ListMetrics (each spelling of the 4 token metrics).
      ['publisher PutMetricData and ListMetrics calls', (runs * 8) / 1000, 0.01],
      ['publisher Lambda requests', runs / 1e6, 0.2],
      ['publisher Lambda compute (2 s a run)', runs * 2 * 0.5, 0.0000133334],
      ['ledger writes (4 a run)', (runs * 4) / 1e6, 0.625],
      ['ledger reads (1 a run)', runs / 1e6, 0.125],
      ['digest GetMetricData (4 metrics per model, 2 windows, weekly)', ((52 / 12) * 8) / 1000, 0.01],
      ['digest Lambda compute (5 s a run)', (52 / 12) * 5, 0.0000133334],
      ['digest Cost Explorer request (the billed vs computed line)', 52 / 12, 0.01],
    ];
    expect(e.items.map((i) => [i.what, i.quantity, i.unitPriceUSD])).toEqual(want);
    const total = want.reduce((a, [, q, p]) => a + q * p, 0);
    expect(Math.abs(e.monthlyUSD - total)).toBeLessThan(1e-12);
    // $15.00 of fixed items (metrics, alarms, dashboards, key) and about 17 cents of calls, compute, ledger and Cost Explorer.
    expect(Math.abs(e.monthlyUSD - 15.172564522)).toBeLessThan(1e-8);
    expect(e.models).toBe(2);
  });

  test('15-minute periods quadruple the per-run lines; prices can be overridden', () => {
    const config = parseConfig({ models: [{ modelId: 'a.x' }], publisher: { periodMinutes: 15 } }, 'test');
    const e = estimateMonitoringCost(summarizeTemplate(template), config, { ...DEFAULT_MONITORING_PRICES, dashboardMonth: 0 });
    expect(e.items.find((i) => i.what.startsWith('publisher GetMetricData'))?.quantity).toBe((2920 * 4) / 1000);
    expect(e.items.find((i) => i.what === 'dashboards')?.monthlyUSD).toBe(0);
  });

  test('Metrics Insights alarms: a SELECT expression, written as is or joined with a token; metric-math alarms as before', () => {
    const fleet = (Expression: unknown) => ({
      Type: 'AWS::CloudWatch::Alarm',
      Properties: { Metrics: [{ Id: 'q', Expression, Period: 3600, ReturnData: true }] },
    });
    const summary = summarizeTemplate({
      Resources: {
        ...template.Resources,
        F1: fleet('SELECT MIN(AlarmHitRatioMarginPoints) FROM SCHEMA("BedrockPromptCache", ModelId) GROUP BY ModelId ORDER BY MIN() ASC'),
        F2: fleet({
          'Fn::Join': ['', ['SELECT SUM(WritesWithoutReadsTokens) FROM SCHEMA("', { Ref: 'Ns' }, '", ModelId) GROUP BY ModelId']],
        }),
        F3: fleet({ 'Fn::Sub': '  select MIN(AlarmNetSavingsUSDPerHour) FROM SCHEMA("${Ns}", ModelId) GROUP BY ModelId' }),
        // Metric math that is not a query: one alarm metric per MetricStat, as before (here none).
        M: fleet('FILL(m1, 0) * 100'),
      },
    });
    expect([summary.alarmMetrics, summary.metricsInsightsAlarms, summary.compositeAlarms]).toEqual([[2, 1, 0], 3, 1]);
  });

  // [case, config, --models, alarm-ready series counted, those of each model beyond the config]
  test.each<[string, object, number, number, number]>([
    ['the configured model only', { models: [{ modelId: 'a.x' }] }, 1, 3, 3],
    ['4 more than the one configured, all families on', { models: [{ modelId: 'a.x' }] }, 5, 15, 3],
    ['a precise-mode model has none; the others the section', { models: [{ modelId: 'a.x', alarms: { mode: 'precise' } }] }, 5, 12, 3],
    ['one family off in the section', { models: [{ modelId: 'a.x' }], alarms: { cachingCostsMoney: { enabled: false } } }, 5, 10, 2],
    [
      'one family off for the configured model only',
      { models: [{ modelId: 'a.x', alarms: { lowHitRatio: { enabled: false } } }] },
      5,
      14,
      3,
    ],
    ['alarms off', { models: [{ modelId: 'a.x' }], alarms: { enabled: false } }, 5, 0, 0],
  ])('alarm-ready series: %s', (_name, input, models, alarmReady, perOther) => {
    const e = estimateMonitoringCost(summarizeTemplate(template), parseConfig(input, 'test'), DEFAULT_MONITORING_PRICES, { models });
    const item = e.items.find((i) => i.what.startsWith('alarm-ready'));
    expect([e.models, item?.quantity ?? 0, e.perAddedModel.alarmReadySeries, e.perAddedModel.series.length]).toEqual([
      models,
      alarmReady,
      perOther,
      4 + perOther,
    ]);
  });

  test('one more model: 7 custom metrics, one metric more in each Metrics Insights alarm, its token reads; the estimate grows by exactly that', () => {
    const withFleet = {
      Resources: {
        ...template.Resources,
        F1: {
          Type: 'AWS::CloudWatch::Alarm',
          Properties: { Metrics: [{ Id: 'q', Expression: 'SELECT MIN(AlarmHitRatioMarginPoints) FROM x' }] },
        },
        F2: {
          Type: 'AWS::CloudWatch::Alarm',
          Properties: { Metrics: [{ Id: 'q', Expression: 'SELECT MAX(WritesWithoutReadsTokens) FROM x' }] },
        },
      },
    };
    const config = parseConfig({ models: [{ modelId: 'a.x' }] }, 'test');
    const at = (models: number) => estimateMonitoringCost(summarizeTemplate(withFleet), config, DEFAULT_MONITORING_PRICES, { models });
    const e = at(10);
    expect(e.items.find((i) => i.what.startsWith('Metrics Insights'))).toEqual({
      what: 'Metrics Insights alarms (2, each analyzing one metric per model)',
      quantity: 20,
      unit: 'metric-month',
      unitPriceUSD: 0.1,
      monthlyUSD: 2,
    });
    const runs = 730;
    const weeks = 52 / 12;
    // 7 × $0.30 + 2 × $0.10 + 4 token metrics a run and a digest at $0.01 per 1,000.
    const perModel = 7 * 0.3 + 2 * 0.1 + (4 * (runs + weeks) * 0.01) / 1000;
    expect(Math.abs(e.perAddedModel.monthlyUSD - perModel)).toBeLessThan(1e-12);
    expect(Math.abs(e.perAddedModel.monthlyUSD - 2.329373333)).toBeLessThan(1e-9);
    expect(e.perAddedModel.series).toEqual([
      'CacheHitRatio',
      'NetSavingsUSD',
      'CostWithCacheUSD',
      'CostWithoutCacheUSD',
      'WritesWithoutReadsTokens',
      'AlarmHitRatioMarginPoints',
      'AlarmNetSavingsUSDPerHour',
    ]);
    expect(e.perAddedModel.formula).toBe(
      '7 custom metrics × $0.3 = $2.100000 + 2 Metrics Insights alarm metrics × $0.1 = $0.200000 + 2937.3333 GetMetricData metrics × $0.01/1,000 = $0.029373',
    );
    // 10 → 11 models: the same number of PutMetricData calls a run (80 → 87 datums), so exactly the per-model figure.
    expect(Math.abs(at(11).monthlyUSD - e.monthlyUSD - perModel)).toBeLessThan(1e-9);
  });

  test('Metrics Insights alarms cost nothing without the publisher (no series to analyze); their price can be overridden', () => {
    const fleetOnly = {
      Resources: { F: { Type: 'AWS::CloudWatch::Alarm', Properties: { Metrics: [{ Id: 'q', Expression: 'SELECT MIN(X) FROM y' }] } } },
    };
    const config = parseConfig({ models: [{ modelId: 'a.x' }] }, 'test');
    const none = estimateMonitoringCost(summarizeTemplate(fleetOnly), config);
    expect([none.items, none.perAddedModel.series, none.perAddedModel.monthlyUSD]).toEqual([[], [], 0]);
    const priced = estimateMonitoringCost(
      summarizeTemplate({ Resources: { ...template.Resources, ...fleetOnly.Resources } }),
      config,
      { ...DEFAULT_MONITORING_PRICES, metricsInsightsAlarmMetricMonth: 0.25 },
      { models: 4 },
    );
    expect(priced.items.find((i) => i.what.startsWith('Metrics Insights'))?.monthlyUSD).toBe(1);
  });

  test('every list price can be overridden in the config, and --models below the configured count is refused', () => {
    expect(Object.keys(DEFAULT_MONITORING_PRICES).sort()).toEqual([...MONITORING_PRICE_KEYS].sort());
    const config = parseConfig({ models: [{ modelId: 'a.x' }, { modelId: 'b.y' }] }, 'test');
    expect(() => estimateMonitoringCost(summarizeTemplate(template), config, DEFAULT_MONITORING_PRICES, { models: 1 })).toThrow(
      'models must be a whole number, at least the 2 configured (got 1)',
    );
  });

  // [--models, datums a run (7 a model, 10 for all models), PutMetricData calls a run (+1: the lag report), ListMetrics calls a run]
  test.each<[number, number, number, number]>([
    [1, 17, 2, 6],
    [141, 997, 2, 6],
    [142, 1004, 3, 6],
    [500, 3510, 5, 6],
    [501, 3517, 5, 10],
    [1000, 7010, 9, 10],
  ])('%i models: %i datums a run in ceil(datums / 1,000) puts, ListMetrics 500 metrics a page', (models, datums, puts, lists) => {
    const config = parseConfig({ models: [{ modelId: 'a.x' }] }, 'test');
    const e = estimateMonitoringCost(summarizeTemplate(template), config, DEFAULT_MONITORING_PRICES, { models });
    const custom = e.items.filter((i) => i.what.includes('custom metrics')).reduce((n, i) => n + i.quantity, 0);
    expect([custom, e.items.find((i) => i.what === 'publisher PutMetricData and ListMetrics calls')?.quantity]).toEqual([
      datums,
      (730 * (puts + lists)) / 1000,
    ]);
  });
});

test.each([
  ['three fleet-mode models', [{ modelId: 'a' }, { modelId: 'b' }, { modelId: 'c' }], {}, 3],
  [
    'a precise one and one with its alarms off do not count',
    [{ modelId: 'a' }, { modelId: 'b', alarms: { mode: 'precise' } }, { modelId: 'c', alarms: { enabled: false } }],
    {},
    1,
  ],
  ['alarms off: none', [{ modelId: 'a' }], { enabled: false }, 0],
])("alarmReadyModels (what a roll-up's fleet alarm sees of a target): %s", (_name, models, alarms, expected) => {
  expect(alarmReadyModels(parseConfig({ models, alarms }, 'test'))).toBe(expected);
});

test("a stack without a publisher: its Metrics Insights alarms are billed by the source models they see (the roll-up's)", () => {
  const config = parseConfig({}, 'test');
  const summary = { ...summarizeTemplate({ Resources: {} }), metricsInsightsAlarms: 4 };
  const line = (sourceModels?: number) =>
    estimateMonitoringCost(summary, config, DEFAULT_MONITORING_PRICES, sourceModels === undefined ? {} : { sourceModels }).items.find((i) =>
      i.what.startsWith('Metrics Insights alarms'),
    )?.monthlyUSD ?? 0;
  expect([line(), line(3)]).toEqual([0, 4 * 3 * DEFAULT_MONITORING_PRICES.metricsInsightsAlarmMetricMonth]);
});
