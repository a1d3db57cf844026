/**
 * `prompt-cache cost` on the example config of cdk.json: the estimate equals the hand-computed figure, and one more
 * priced model adds exactly the per-model cost the README states ($2.429373 a month; $2.029373 with the metric names pinned).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { main } from '../../bin/prompt-cache';

const dir = mkdtempSync(join(tmpdir(), 'cost-'));
const example = (
  JSON.parse(readFileSync(resolve(__dirname, '../../cdk.json'), 'utf8')) as { context: { promptCacheMonitoring: { models: object[] } } }
).context.promptCacheMonitoring;

async function estimate(config: object): Promise<{ monthlyUSD: number; items: { what: string; quantity: number; monthlyUSD: number }[] }> {
  const file = join(dir, `${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify(config));
  let stdout = '';
  const code = await main(['cost', '--config', file, '--format', 'json'], { stdout: (t) => (stdout += t), stderr: () => undefined });
  expect(code).toBe(0);
  return JSON.parse(stdout);
}

test('the example config: $19.80 of fixed items and 15.8 cents of calls, compute and ledger', async () => {
  const e = await estimate(example);
  const r = 730;
  const d = 52 / 12;
  // 3 models: 15 + 10 custom metrics, 33 alarm metrics (9 per model: both spellings of read and write in two alarms, 1 for
  // writes without reads; 4 all-models, 2 pipeline), 2 composites, 2 dashboards, 2 KMS keys.
  const fixed = 15 * 0.3 + 10 * 0.3 + 33 * 0.1 + 2 * 0.5 + 2 * 3 + 2 * 1;
  // 8 calls a run: 1 PutMetricData of periods, 1 of the lag report, 6 ListMetrics (each spelling of 4 token metrics).
  const variable =
    (r * 12 * 0.01) / 1000 +
    (r * 8 * 0.01) / 1000 +
    (r / 1e6) * 0.2 +
    r * 2 * 0.5 * 0.0000133334 +
    ((r * 4) / 1e6) * 0.625 +
    (r / 1e6) * 0.125 +
    (d * 12 * 0.01) / 1000 +
    d * 5 * 0.5 * 0.0000133334;
  expect(Math.abs(e.monthlyUSD - (fixed + variable))).toBeLessThan(1e-9);
  expect(Math.abs(e.monthlyUSD - 19.958460077)).toBeLessThan(1e-9);
  expect(e.items.find((i) => i.what.startsWith('alarm metrics'))?.quantity).toBe(33);
});

test('one more priced model adds exactly $2.429373 a month, $2.029373 with the cache metric names pinned', async () => {
  const before = await estimate(example);
  const after = await estimate({ ...example, models: [...example.models, { modelId: 'eu.anthropic.claude-sonnet-4-20250514-v1:0' }] });
  // 5 custom metrics ($1.50), 9 alarm metrics ($0.90), 4 GetMetricData metrics a run (730 runs) and a week (52/12 weeks).
  expect(
    Math.abs(after.monthlyUSD - before.monthlyUSD - (5 * 0.3 + 9 * 0.1 + (730 * 4 * 0.01) / 1000 + ((52 / 12) * 4 * 0.01) / 1000)),
  ).toBeLessThan(1e-9);
  expect(Math.abs(after.monthlyUSD - before.monthlyUSD - 2.429373333)).toBeLessThan(1e-9);
  const pin = {
    bedrockMetricNames: { cacheReadInputTokens: 'CacheReadInputTokenCount', cacheWriteInputTokens: 'CacheWriteInputTokenCount' },
  };
  const pinnedBefore = await estimate({ ...example, ...pin });
  const pinnedAfter = await estimate({
    ...example,
    ...pin,
    models: [...example.models, { modelId: 'eu.anthropic.claude-sonnet-4-20250514-v1:0' }],
  });
  // 5 alarm metrics instead of 9: one spelling of read and write in the two raw-Sum alarms.
  expect(Math.abs(pinnedAfter.monthlyUSD - pinnedBefore.monthlyUSD - 2.029373333)).toBeLessThan(1e-9);
});
