/**
 * `prompt-cache reconcile` against moto: Cost Explorer's GetCostAndUsage answers with the seeded month's lines (moto
 * serves results queued through its API, two pages here), CloudWatch in this file's own region holds the same days'
 * AWS/Bedrock token Sums; the CLI prints the drift per model and in total, exactly, and the bad arguments exit 2.
 */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CostExplorerClient } from '@aws-sdk/client-cost-explorer';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../bin/prompt-cache';
import { DAY_MS } from '../../lambda/core/periods';
import { seedBedrock } from '../support/bedrock-seed';
import { costAndUsagePage, inMotoAccount, queueCostAndUsage } from '../support/cost-explorer-seed';
import { billedLines, CLOUDWATCH_USAGE, RECONCILE_CONFIG } from '../support/reconcile-fixture';

// This file's own moto region (no other test file uses it); its usage types start UGW1-, and the catalog prices Claude
// there at 120% of the US rate (GovCloud), so the computed cost is above the bill.
const REGION = 'us-gov-west-1';
const END = Math.floor(Date.now() / DAY_MS) * DAY_MS; // today 00:00 UTC
const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const dir = mkdtempSync(join(tmpdir(), 'reconcile-'));
const config = join(dir, 'config.json');
const lines = billedLines(REGION, 'UGW1');
const overrides = Object.fromEntries(
  Object.entries(RECONCILE_CONFIG.reconcile?.usageTypes ?? {}).map(([k, v]) => [k.replace(/^USE1-/, 'UGW1-'), v]),
);
writeFileSync(config, JSON.stringify({ ...RECONCILE_CONFIG, reconcile: { ...RECONCILE_CONFIG.reconcile, usageTypes: overrides } }));

// moto's Cost Explorer hands queued results to any request of the account: this file's bill lives in an account of its own.
const ACCOUNT = '210987654321';
const ce = inMotoAccount(new CostExplorerClient({ region: 'us-east-1' }), ACCOUNT);
afterAll(() => ce.destroy());

async function run(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) }, { costExplorer: ce });
  return { code, stdout, stderr };
}

let result: { code: number; stdout: string; stderr: string };
beforeAll(async () => {
  // The lines carry the fixture's November days; here they fall on the window's days (within CloudWatch's 14 days).
  const shifted = lines.map((l, i) => ({ ...l, day: day(END - (2 + (i % 5)) * DAY_MS) }));
  await queueCostAndUsage(ACCOUNT, [costAndUsagePage(shifted.slice(0, 7), 'page-2'), costAndUsagePage(shifted.slice(7))]);
  const cw = new CloudWatchClient({ region: REGION });
  await seedBedrock(
    cw,
    CLOUDWATCH_USAGE[0].models.map((m, i) => ({ modelId: m.modelId, periodStartMs: END - (3 + i) * DAY_MS, tokens: m.tokens })),
  );
  cw.destroy();
  result = await run('reconcile', '--days', '30', '--config', config, '--format', 'json');
}, 60_000);

test('the seeded month: per model and in total, billed beside computed, exactly; the unmapped line listed', () => {
  expect([result.code, result.stderr.split('\n').filter((l) => l !== '')]).toEqual([
    0,
    [
      `reading the bill (Cost Explorer, Amazon Bedrock) from ${day(END - 30 * DAY_MS)} to ${day(END)}...`,
      '  Cost Explorer: 13 lines in 2 GetCostAndUsage requests',
      `  ${REGION}: 3 models with tokens in CloudWatch`,
      '  2 Cost Explorer requests: $0.02',
    ],
  ]);
  const r = JSON.parse(result.stdout);
  expect([r.window, r.tokensPerUsageUnit]).toEqual([{ start: day(END - 30 * DAY_MS), end: day(END) }, 1000]);
  expect(
    r.models.map((m: Record<string, unknown>) => [m.model, m.region, m.routing, m.billedCostUSD, m.computedCostUSD, m.driftUSD]),
  ).toEqual([
    ['anthropic.claude-sonnet-4-5-20250929-v1:0', REGION, 'global', 27.3375, 37.8, -10.4625],
    ['anthropic.claude-3-7-sonnet-20250219-v1:0', REGION, 'geo', 11.25, 13.5, -2.25],
    ['anthropic.claude-haiku-4-5-20251001-v1:0', REGION, 'in-region', 9.9, 11.88, -1.98],
  ]);
  expect([r.models[0].cacheWriteTtlMix, r.models[0].effectivePricePerMTok]).toEqual([
    { fiveMinuteTokens: 500000, oneHourTokens: 1500000 },
    { input: 2.7, output: 13.5, cacheRead: 0.27, cacheWrite: 4.89375 },
  ]);
  expect(r.unmapped).toEqual([
    {
      usageType: 'UGW1-Claude4.5Sonnet-input-tokens-priority',
      quantity: 100,
      costUSD: 0.75,
      reason: 'not a token class the catalog prices (input-tokens-priority)',
    },
  ]);
  const { driftPercent, ...totals } = r.totals;
  expect(totals).toEqual({ computedCostUSD: 63.18, billedCostUSD: 49.2375, driftUSD: -13.9425 });
  expect(driftPercent).toBeCloseTo((-100 * 13.9425) / 49.2375, 9);
});

test('markdown leads with the answer; CSV carries the same figures', async () => {
  // Cost Explorer's answers are keyed by request: the same window again is the same two pages.
  const md = await run('reconcile', '--days', '30', '--config', config);
  expect(md.stdout.split('\n').slice(0, 3)).toEqual([
    `# Bedrock bill vs computed cost, ${day(END - 30 * DAY_MS)} to ${day(END)} (exclusive)`,
    '',
    '**the bill is 28.3% lower than computed**: billed $49.24, computed $63.18, drift -$13.94 (-28.3%).',
  ]);
  const csv = await run('reconcile', '--days', '30', '--config', config, '--format', 'csv');
  const rows = csv.stdout.trim().split('\n');
  expect([rows.length, rows[rows.length - 1]]).toEqual([
    6,
    `total,,,,,,,,,,,,,,49.2375,63.18,-13.9425,${(-100 * 13.9425e12) / 49.2375e12},,,,,,,`,
  ]);
});

test.each([
  [['reconcile'], "error: required option '--days <n>' not specified"],
  [['reconcile', '--days', '0'], 'error: --days: must be a whole number from 1 to 90 (got "0")'],
  [
    ['reconcile', '--days', '7', '--end', '2999-01-01'],
    'error: --end is in the future (got 2999-01-01); the window ends at a past UTC midnight',
  ],
  [
    ['reconcile', '--days', '7', '--format', 'xml'],
    "error: option '--format <format>' argument 'xml' is invalid. Allowed choices are markdown, csv, json.",
  ],
])('bad arguments exit 2: %j', async (argv, message) => {
  const r = await run(...argv, '--config', config);
  expect([r.code, r.stdout, r.stderr.trim()]).toEqual([2, '', message]);
});
