/**
 * `prompt-cache cost` on the example config of cdk.json: the estimate equals the hand-computed figure, one more
 * configured priced model adds exactly the per-model cost of the fleet alarms' design ($2.555590 a month, pinned metric
 * names or not: it has no alarm of its own), and each model Bedrock reports beyond the config (`--models`) adds the same
 * printed per-model figure.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { main } from '../../bin/prompt-cache';

const dir = mkdtempSync(join(tmpdir(), 'cost-'));
const example = (
  JSON.parse(readFileSync(resolve(__dirname, '../../cdk.json'), 'utf8')) as { context: { promptCacheMonitoring: { models: object[] } } }
).context.promptCacheMonitoring;

interface Estimate {
  monthlyUSD: number;
  models: number;
  items: { what: string; quantity: number; monthlyUSD: number }[];
  perAddedModel: { series: string[]; metricsInsightsAlarms: number; monthlyUSD: number; formula: string };
}

async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

function configFile(config: object): string {
  const file = join(dir, `${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify(config));
  return file;
}

async function estimate(config: object, ...more: string[]): Promise<Estimate> {
  const { code, stdout } = await run(['cost', '--config', configFile(config), '--format', 'json', ...more]);
  expect(code).toBe(0);
  return JSON.parse(stdout);
}

test("the example config: $20.10 of fixed items and 61 cents of calls, compute, ledger, the Cost Explorer requests and the bill check's daily series", async () => {
  const e = await estimate(example);
  const r = 730;
  const d = 52 / 12;
  const b = 365 / 12;
  // 3 models: 12 + 9 alarm-ready + 10 custom metrics, 6 alarm metrics (2 pipeline, 2 of the bill drift, 1 of the bill
  // check's errors, 1 NotifierFailing), 4 fleet Metrics Insights alarms analyzing one metric per model (12), no
  // composites, 2 dashboards, 3 KMS keys.
  const fixed = 31 * 0.3 + 6 * 0.1 + 4 * 3 * 0.1 + 2 * 3 + 3 * 1;
  // 8 calls a run: 1 PutMetricData of periods, 1 of the lag report, 6 ListMetrics (each spelling of 4 token metrics).
  const variable =
    (r * 12 * 0.01) / 1000 +
    (r * 8 * 0.01) / 1000 +
    (r / 1e6) * 0.2 +
    r * 2 * 0.5 * 0.0000133334 +
    ((r * 4) / 1e6) * 0.625 +
    (r / 1e6) * 0.125 +
    (d * 12 * 0.01) / 1000 +
    d * 5 * 0.5 * 0.0000133334 +
    // The digest's "billed vs computed" line: one GetCostAndUsage request a week.
    d * 0.01 +
    // The bill check: one GetCostAndUsage request a day, 4 token metrics per model a day, 5 s of 512 MB a run, and its
    // 2 daily series per model and 2 for all models (8), each billed 1 hour in 24.
    b * 0.01 +
    (b * 12 * 0.01) / 1000 +
    b * 5 * 0.5 * 0.0000133334 +
    (8 / 24) * 0.3;
  expect(Math.abs(e.monthlyUSD - (fixed + variable))).toBeLessThan(1e-9);
  expect(Math.abs(e.monthlyUSD - 20.710623971)).toBeLessThan(1e-9);
  expect(e.items.find((i) => i.what.startsWith('alarm metrics'))?.quantity).toBe(6);
  expect(e.items.find((i) => i.what.startsWith('Metrics Insights alarms'))?.quantity).toBe(12);
  expect(e.items.find((i) => i.what.startsWith('KMS keys'))?.quantity).toBe(3);
  expect(e.items.find((i) => i.what.startsWith('alarm-ready'))?.quantity).toBe(9);
  expect(e.models).toBe(3);
});

test('one more configured priced model adds exactly $2.555590 a month, the same with the cache metric names pinned', async () => {
  const before = await estimate(example);
  const after = await estimate({ ...example, models: [...example.models, { modelId: 'eu.anthropic.claude-sonnet-4-20250514-v1:0' }] });
  // 7 custom metrics (4 and 3 alarm-ready: $2.10), the bill check's 2 daily series billed 1 hour in 24 ($0.025), one
  // more metric in each of the 4 fleet Metrics Insights alarms ($0.40), no alarm of its own, 4 GetMetricData metrics a
  // run (730 runs), a week (52/12 weeks) and a day (365/12 days).
  expect(
    Math.abs(
      after.monthlyUSD -
        before.monthlyUSD -
        (7 * 0.3 + (2 * 0.3) / 24 + 4 * 0.1 + (730 * 4 * 0.01) / 1000 + ((52 / 12) * 4 * 0.01) / 1000 + ((365 / 12) * 4 * 0.01) / 1000),
    ),
  ).toBeLessThan(1e-9);
  expect(Math.abs(after.monthlyUSD - before.monthlyUSD - 2.55559)).toBeLessThan(1e-9);
  const pin = {
    bedrockMetricNames: { cacheReadInputTokens: 'CacheReadInputTokenCount', cacheWriteInputTokens: 'CacheWriteInputTokenCount' },
  };
  const pinnedBefore = await estimate({ ...example, ...pin });
  const pinnedAfter = await estimate({
    ...example,
    ...pin,
    models: [...example.models, { modelId: 'eu.anthropic.claude-sonnet-4-20250514-v1:0' }],
  });
  // Pinning the spellings no longer changes a model's cost: the fleet alarms read the alarm-ready series, not the raw sums.
  expect(Math.abs(pinnedAfter.monthlyUSD - pinnedBefore.monthlyUSD - 2.55559)).toBeLessThan(1e-9);
});

test('--models: each model Bedrock reports beyond the config adds the printed per-model cost, exactly', async () => {
  const at3 = await estimate(example);
  const at4 = await estimate(example, '--models', '4');
  const at50 = await estimate(example, '--models', '50');
  // 7 custom metrics ($2.10: its 4 and 3 alarm-ready series), 2 daily ones of the bill check ($0.025), one more metric in
  // each of the 4 fleet Metrics Insights alarms ($0.40), 4 token metrics a run, a week and a day; no alarm of its own
  // (the template does not change).
  expect([at3.models, at4.models, at50.models, at4.perAddedModel.series.length, at4.perAddedModel.metricsInsightsAlarms]).toEqual([
    3, 4, 50, 7, 4,
  ]);
  expect(Math.abs(at4.perAddedModel.monthlyUSD - 2.55559)).toBeLessThan(1e-9);
  expect(Math.abs(at4.monthlyUSD - at3.monthlyUSD - at4.perAddedModel.monthlyUSD)).toBeLessThan(1e-9);
  // 50 models: 360 datums a run (200, 150 alarm-ready, 10 for all models), still one PutMetricData call.
  expect(Math.abs(at50.monthlyUSD - at3.monthlyUSD - 47 * at4.perAddedModel.monthlyUSD)).toBeLessThan(1e-9);

  const file = configFile(example);
  const markdown = await run(['cost', '--config', file, '--models', '4']);
  expect(markdown.code).toBe(0);
  expect(markdown.stdout.split('\n').slice(0, 3)).toEqual([
    `# Monthly cost of the monitoring: $${at4.monthlyUSD.toFixed(2)} (4 models)`,
    '',
    "Each more model AWS/Bedrock reports (not in the config: the alarms section's settings, fleet mode) adds **$2.555590 a month**: 7 custom metrics × $0.3 = $2.100000 + 2 daily custom metrics × $0.3 / 24 = $0.025000 + 4 Metrics Insights alarm metrics × $0.1 = $0.400000 + 3059 GetMetricData metrics × $0.01/1,000 = $0.030590. Its series: CacheHitRatio, NetSavingsUSD, CostWithCacheUSD, CostWithoutCacheUSD; alarm-ready WritesWithoutReadsTokens, AlarmHitRatioMarginPoints, AlarmNetSavingsUSDPerHour; each of the 4 Metrics Insights alarms analyzes one metric more. That holds while a publisher run's datums fit the same number of 1,000-datum PutMetricData calls.",
  ]);
  expect((await run(['cost', '--help'])).stdout).toContain('--models <n>');
});

test.each(['2', '3.5', 'many', '-4'])('--models %s: exit 2, nothing printed, one line saying what to pass', async (value) => {
  const out = await run(['cost', '--config', configFile(example), '--models', value]);
  expect([out.code, out.stdout, out.stderr]).toEqual([
    2,
    '',
    `error: --models: must be a whole number of models, at least the 3 configured (got "${value}"); count every model you expect AWS/Bedrock to report, configured or not\n`,
  ]);
});
