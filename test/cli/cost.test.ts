/**
 * `prompt-cache cost` on the example config of cdk.json: the estimate equals the hand-computed figure, and one more
 * priced model adds exactly the per-model cost the README states ($1.829373 a month).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { main } from '../../bin/prompt-cache';

const dir = mkdtempSync(join(tmpdir(), 'cost-'));
const example = (JSON.parse(readFileSync(resolve(__dirname, '../../cdk.json'), 'utf8')) as { context: { promptCacheMonitoring: { models: object[] } } }).context.promptCacheMonitoring;

async function estimate(config: object): Promise<{ monthlyUSD: number; items: { what: string; quantity: number; monthlyUSD: number }[] }> {
  const file = join(dir, `${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify(config));
  let stdout = '';
  const code = await main(['cost', '--config', file, '--format', 'json'], { stdout: (t) => (stdout += t), stderr: () => undefined });
  expect(code).toBe(0);
  return JSON.parse(stdout);
}

test('the example config: $16.90 of fixed items and 13.7 cents of calls, compute and ledger', async () => {
  const e = await estimate(example);
  const r = 730;
  const d = 52 / 12;
  // 3 models: 12 + 6 custom metrics, 25 alarm metrics (6 per model, 5 all-models, 2 pipeline), 2 composites, 2 dashboards, 2 KMS keys.
  const fixed = 12 * 0.3 + 6 * 0.3 + 25 * 0.1 + 2 * 0.5 + 2 * 3 + 2 * 1;
  const variable = (r * 12 * 0.01) / 1000 + (r * 5 * 0.01) / 1000 + (r / 1e6) * 0.2 + r * 2 * 0.5 * 0.0000133334 + ((r * 4) / 1e6) * 0.625 + (r / 1e6) * 0.125 + (d * 12 * 0.01) / 1000 + d * 5 * 0.5 * 0.0000133334;
  expect(Math.abs(e.monthlyUSD - (fixed + variable))).toBeLessThan(1e-9);
  expect(Math.abs(e.monthlyUSD - 17.036560077)).toBeLessThan(1e-9);
  expect(e.items.find((i) => i.what.startsWith('alarm metrics'))?.quantity).toBe(25);
});

test('one more priced model adds exactly $1.829373 a month', async () => {
  const before = await estimate(example);
  const after = await estimate({ ...example, models: [...example.models, { modelId: 'eu.anthropic.claude-sonnet-4-20250514-v1:0' }] });
  // 4 custom metrics ($1.20), 6 alarm metrics ($0.60), 4 GetMetricData metrics a run (730 runs) and a week (52/12 weeks).
  expect(Math.abs(after.monthlyUSD - before.monthlyUSD - (4 * 0.3 + 6 * 0.1 + (730 * 4 * 0.01) / 1000 + ((52 / 12) * 4 * 0.01) / 1000))).toBeLessThan(1e-9);
  expect(Math.abs(after.monthlyUSD - before.monthlyUSD - 1.829373333)).toBeLessThan(1e-9);
});
