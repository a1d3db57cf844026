/**
 * What the roll-up's fleet digest adds to `prompt-cache cost` (lambda/core/monitoring-cost.ts): read from its function
 * in the template (POWERTOOLS_SERVICE_NAME, DIGEST_FLEET_TARGETS), weekly per target 4 token metrics per model, one
 * ListMetrics per spelling of each token metric, 2 s of compute. Table-driven, from template fragments.
 */
import { parseConfig } from '../../lambda/core/config';
import { DEFAULT_MONITORING_PRICES, estimateMonitoringCost, summarizeTemplate } from '../../lambda/core/monitoring-cost';

const fleetFn = (targets: number, memory = 512) => ({
  Type: 'AWS::Lambda::Function',
  Properties: {
    MemorySize: memory,
    Environment: {
      Variables: {
        POWERTOOLS_SERVICE_NAME: 'prompt-cache-fleet-digest',
        DIGEST_FLEET_TARGETS: JSON.stringify(
          Array.from({ length: targets }, (_, i) => ({ account: `${i}`.padStart(12, '1'), region: 'us-east-1', linked: true })),
        ),
      },
    },
  },
});
const WEEKS = 52 / 12;

test.each<[string, number, number, Record<string, unknown>, [string, number, number][]]>([
  [
    '3 targets, 1 model, every spelling (6 ListMetrics a target)',
    3,
    512,
    {},
    [
      ['fleet digest GetMetricData (4 metrics per model per target, 3 targets, weekly)', (WEEKS * 4 * 1 * 3) / 1000, 0.01],
      ['fleet digest ListMetrics calls (6 per target, weekly)', (WEEKS * 6 * 3) / 1000, 0.01],
      ['fleet digest Lambda compute (2 s a target)', WEEKS * 2 * 3 * 0.5, 0.0000133334],
    ],
  ],
  [
    '10 targets, 2 models, pinned names (4 ListMetrics a target), 1 GB',
    10,
    1024,
    {
      models: [{ modelId: 'a.x' }, { modelId: 'b.y' }],
      bedrockMetricNames: { cacheReadInputTokens: 'CacheReadInputTokenCount', cacheWriteInputTokens: 'CacheWriteInputTokenCount' },
    },
    [
      ['fleet digest GetMetricData (4 metrics per model per target, 10 targets, weekly)', (WEEKS * 4 * 2 * 10) / 1000, 0.01],
      ['fleet digest ListMetrics calls (4 per target, weekly)', (WEEKS * 4 * 10) / 1000, 0.01],
      ['fleet digest Lambda compute (2 s a target)', WEEKS * 2 * 10 * 1, 0.0000133334],
    ],
  ],
])('%s', (_name, targets, memory, input, want) => {
  const summary = summarizeTemplate({ Resources: { FleetDigestLambda: fleetFn(targets, memory) } });
  expect(summary.fleetDigest).toEqual({ memoryMb: memory, targets });
  const config = parseConfig({ models: [{ modelId: 'a.x' }], ...input }, 'test');
  const items = estimateMonitoringCost(summary, config, DEFAULT_MONITORING_PRICES).items.filter((i) => i.what.startsWith('fleet digest'));
  expect(items.map((i) => [i.what, i.unitPriceUSD])).toEqual(want.map(([what, , price]) => [what, price]));
  items.forEach((item, k) => {
    expect(item.quantity).toBeCloseTo(want[k][1], 9);
    expect(item.monthlyUSD).toBeCloseTo(want[k][1] * want[k][2], 12);
  });
});

test('a template without the fleet digest has none (the per-account digest is counted as before)', () => {
  const summary = summarizeTemplate({ Resources: {} });
  expect(summary.fleetDigest).toBe(undefined);
});
