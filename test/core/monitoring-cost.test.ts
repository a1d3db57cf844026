import { parseConfig } from '../../lambda/core/config';
import { DEFAULT_MONITORING_PRICES, estimateMonitoringCost, summarizeTemplate } from '../../lambda/core/monitoring-cost';

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
    P: { Type: 'AWS::Lambda::Function', Properties: { MemorySize: 512, Environment: { Variables: { LEDGER_TABLE_NAME: 'x' } } } },
    G: { Type: 'AWS::Lambda::Function', Properties: { MemorySize: 1024, Environment: { Variables: { DIGEST_TOPIC_ARN: 'y' } } } },
  },
};

describe('monitoring cost', () => {
  test('the template summary: metrics per alarm, composites, dashboards, keys, function memory', () => {
    expect(summarizeTemplate(template)).toEqual({
      alarmMetrics: [2, 1],
      compositeAlarms: 1,
      dashboards: 2,
      kmsKeys: 1,
      publisherMemoryMb: 512,
      digestMemoryMb: 1024,
    });
  });

  test('the estimate, line by line, for 2 models and hourly periods', () => {
    const config = parseConfig({ models: [{ modelId: 'a.x' }, { modelId: 'b.y' }] }, 'test');
    const e = estimateMonitoringCost(summarizeTemplate(template), config);
    const runs = 730;
    const want: [string, number, number][] = [
      // 5 per model (with WritesWithoutReadsTokens); all models adds the token totals, writes without reads and the lag.
      ['custom metrics, per model (5 each)', 10, 0.3],
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
    ];
    expect(e.items.map((i) => [i.what, i.quantity, i.unitPriceUSD])).toEqual(want);
    const total = want.reduce((a, [, q, p]) => a + q * p, 0);
    expect(Math.abs(e.monthlyUSD - total)).toBeLessThan(1e-12);
    // $13.80 of fixed items (metrics, alarms, dashboards, key) and about 13 cents of calls, compute and ledger.
    expect(Math.abs(e.monthlyUSD - 13.929231189)).toBeLessThan(1e-8);
  });

  test('15-minute periods quadruple the per-run lines; prices can be overridden', () => {
    const config = parseConfig({ models: [{ modelId: 'a.x' }], publisher: { periodMinutes: 15 } }, 'test');
    const e = estimateMonitoringCost(summarizeTemplate(template), config, { ...DEFAULT_MONITORING_PRICES, dashboardMonth: 0 });
    expect(e.items.find((i) => i.what.startsWith('publisher GetMetricData'))?.quantity).toBe((2920 * 4) / 1000);
    expect(e.items.find((i) => i.what === 'dashboards')?.monthlyUSD).toBe(0);
  });
});
