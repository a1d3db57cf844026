/**
 * `report --targets` and `report --region R --account a,b` against moto. The monitoring account reads its targets
 * through CloudWatch cross-account observability, which the emulator does not have: it keeps accounts apart by the
 * credentials (`x-moto-account-id`) only. So each target's AWS/Bedrock Sums are put into a moto account of its own
 * (accounts 510987654321 and 520987654321, which no other test uses), and the CLI's clients hook hands out a client of
 * the target's account; the requests still carry `AccountId` / `IncludeLinkedAccounts` / `OwningAccount` for the linked
 * one, which moto accepts (and ignores). Exact per-target rows and totals, and a target without data.
 */
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { main } from '../../bin/prompt-cache';
import { createClients } from '../../lambda/aws/clients';
import { DAY_MS, HOUR_MS } from '../../lambda/core/periods';
import { seedBedrock } from '../support/bedrock-seed';
import { inMotoAccount } from '../support/cost-explorer-seed';

const MONITORING = '510987654321';
const TEAM_B = '520987654321';
const SONNET = 'us.anthropic.claude-3-7-sonnet-20250219-v1:0';
const END = Math.floor(Date.now() / DAY_MS) * DAY_MS;
const DAY = END - 2 * DAY_MS;
const REGION = 'us-west-2';

const dir = mkdtempSync(join(tmpdir(), 'fleet-targets-'));
const CONFIG = join(dir, 'config.json');
writeFileSync(
  CONFIG,
  JSON.stringify({
    models: [{ modelId: SONNET, displayName: 'support-bot' }],
    monitoring: { account: MONITORING, region: REGION },
    targets: [
      // The monitoring account's own target: read with its own credentials, no AccountId.
      { account: MONITORING, region: REGION },
      // Team B's own models section: its display name on its rows.
      { account: TEAM_B, region: REGION, models: [{ modelId: SONNET, displayName: 'team-b-bot' }] },
      // No traffic here: no data, not $0.
      { account: TEAM_B, region: 'eu-west-1' },
    ],
  }),
);
const NO_TARGETS = join(dir, 'no-targets.json');
writeFileSync(NO_TARGETS, JSON.stringify({ models: [{ modelId: SONNET }] }));

/** What each client of the hook was asked, by (account, region): the operation and its linked-account fields. */
const asked: string[] = [];
const made: { destroy(): void }[] = [];
function clients(region: string, account?: string) {
  const c = createClients({ region });
  for (const client of [c.cloudWatch, c.cloudWatchPut, c.dynamoDb, c.bedrock]) made.push(inMotoAccount(client, account ?? MONITORING));
  c.cloudWatch.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as { IncludeLinkedAccounts?: boolean; OwningAccount?: string; MetricDataQueries?: { AccountId?: string }[] };
      const fields =
        context.commandName === 'GetMetricDataCommand'
          ? `AccountId=${[...new Set((input.MetricDataQueries ?? []).map((q) => q.AccountId ?? '-'))].join('|')}`
          : `IncludeLinkedAccounts=${input.IncludeLinkedAccounts ?? '-'} OwningAccount=${input.OwningAccount ?? '-'}`;
      const line = `${account} ${region} ${context.commandName} ${fields}`;
      if (!asked.includes(line)) asked.push(line);
      return next(args);
    },
    { step: 'initialize', name: 'recordAsked' },
  );
  return c;
}
afterAll(() => made.forEach((c) => c.destroy()));

async function run(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) }, { clients });
  return { code, stdout, stderr };
}

type Json = {
  targets: { region: string; account: string | null; status: string; modelsWithTokens: number; totals: Record<string, number> | null }[];
  models: Record<string, unknown>[];
  totals: Record<string, number>;
};

let json: { code: number; stdout: string; stderr: string };
beforeAll(async () => {
  for (const [account, tokens] of [
    [MONITORING, { inputTokens: 1_000_000, outputTokens: 100_000, cacheReadInputTokens: 2_000_000, cacheWriteInputTokens: 400_000 }],
    [TEAM_B, { inputTokens: 500_000, outputTokens: 50_000, cacheReadInputTokens: 0, cacheWriteInputTokens: 1_000_000 }],
  ] as const) {
    const cw = inMotoAccount(new CloudWatchClient({ region: REGION }), account);
    await seedBedrock(cw, [{ modelId: SONNET, periodStartMs: DAY + HOUR_MS, tokens }]);
    cw.destroy();
  }
  json = await run('report', '--targets', '--config', CONFIG, '--format', 'json');
}, 60_000);

const week = `${new Date(END - 7 * DAY_MS).toISOString().slice(0, 10)} to ${new Date(END - DAY_MS).toISOString().slice(0, 10)}`;

test('--targets: a row per target, each read in its region and priced there, exactly; the one without a token has no data', () => {
  expect([json.code, json.stderr.split('\n').filter((l) => l.startsWith('reading'))]).toEqual([
    0,
    [
      `reading AWS/Bedrock metrics in us-west-2, ${week}...`,
      `reading AWS/Bedrock metrics of ${TEAM_B} (through the monitoring account) in us-west-2, ${week}...`,
      `reading AWS/Bedrock metrics of ${TEAM_B} (through the monitoring account) in eu-west-1, ${week}...`,
    ],
  ]);
  const r = JSON.parse(json.stdout) as Json;
  expect(
    r.targets.map((t) => [
      t.account,
      t.region,
      t.status,
      t.modelsWithTokens,
      t.totals && [t.totals.costWithCacheUSD, t.totals.costWithoutCacheUSD, t.totals.netSavingsUSD],
    ]),
  ).toEqual([
    [MONITORING, 'us-west-2', 'data', 1, [6.6, 11.7, 5.1]],
    [TEAM_B, 'us-west-2', 'data', 1, [6, 5.25, -0.75]],
    [TEAM_B, 'eu-west-1', 'no-data', 0, null],
  ]);
  // Each target's own sections: Team B's display name.
  expect(r.models.map((m) => [m.modelId, m.displayName, m.account, m.region, m.netSavingsUSD, m.status])).toEqual([
    [SONNET, 'support-bot', MONITORING, 'us-west-2', 5.1, 'optimized'],
    [SONNET, 'team-b-bot', TEAM_B, 'us-west-2', -0.75, 'misconfigured'],
  ]);
  const { cacheHitRatioPercent, ...totals } = r.totals;
  expect(totals).toEqual({
    inputTokens: 1_500_000,
    cacheReadInputTokens: 2_000_000,
    cacheWriteInputTokens: 1_400_000,
    outputTokens: 150_000,
    cachedInputSharePercent: (100 * 2_000_000) / 4_900_000,
    costWithCacheUSD: 12.6,
    costWithoutCacheUSD: 16.95,
    readDiscountUSD: 5.4,
    writePremiumUSD: 1.05,
    netSavingsUSD: 4.35,
    unpricedTokens: 0,
  });
  expect(cacheHitRatioPercent).toBeCloseTo((100 * 2_000_000) / 3_400_000, 9);
});

test("the linked targets' requests carry AccountId, IncludeLinkedAccounts and OwningAccount (moto accepts them); the own target's none", () => {
  expect(asked).toEqual([
    `${MONITORING} us-west-2 ListMetricsCommand IncludeLinkedAccounts=- OwningAccount=-`,
    `${MONITORING} us-west-2 GetMetricDataCommand AccountId=-`,
    `${TEAM_B} us-west-2 ListMetricsCommand IncludeLinkedAccounts=true OwningAccount=${TEAM_B}`,
    `${TEAM_B} us-west-2 GetMetricDataCommand AccountId=${TEAM_B}`,
    `${TEAM_B} eu-west-1 ListMetricsCommand IncludeLinkedAccounts=true OwningAccount=${TEAM_B}`,
    `${TEAM_B} eu-west-1 GetMetricDataCommand AccountId=${TEAM_B}`,
  ]);
});

test('markdown: the answer first, a row per account and region, the total, and which target has no data', async () => {
  const md = await run('report', '--targets', '--config', CONFIG);
  expect(md.stdout.split('\n').slice(0, 12)).toEqual([
    `# Prompt cache report: 3 targets, ${week}`,
    '',
    '**Prompt caching saved $4.35 net over 2 targets**: cost with cache $12.60, without $16.95, hit ratio 58.8%.',
    '',
    `No data (no token in the window, not $0 of savings): ${TEAM_B} eu-west-1.`,
    '',
    '| target | models | hit ratio | cost with cache | cost without | net savings |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    `| ${MONITORING} us-west-2 | 1 | 83.3% | $6.60 | $11.70 | $5.10 |`,
    `| ${TEAM_B} us-west-2 | 1 | 0.0% | $6.00 | $5.25 | -$0.75 |`,
    `| ${TEAM_B} eu-west-1 | 0 | no data | – | – | – |`,
    '| **total** | 2 | 58.8% | $12.60 | $16.95 | $4.35 |',
  ]);
});

test('--region R --account a,b: every listed account in every listed region, each read through the monitoring account', async () => {
  const r = await run('report', '--region', `${REGION},eu-west-1`, '--account', `${MONITORING},${TEAM_B}`, '--format', 'csv');
  expect([r.code, r.stderr.split('\n').filter((l) => l.startsWith('reading')).length]).toEqual([0, 4]);
  const [header, ...rows] = r.stdout
    .trimEnd()
    .split('\r\n')
    .map((l) => l.split(','));
  const net = header.indexOf('netSavingsUSD');
  expect(rows.map((l) => [...l.slice(0, 4), l[net]])).toEqual([
    ['us-west-2', MONITORING, 'data', '1', '5.1'],
    ['eu-west-1', MONITORING, 'no-data', '0', ''],
    ['us-west-2', TEAM_B, 'data', '1', '-0.75'],
    ['eu-west-1', TEAM_B, 'no-data', '0', ''],
    ['TOTAL', '', '', '2', '4.35'],
  ]);
});

test.each([
  [
    ['report', '--targets', '--config', NO_TARGETS],
    `error: --targets: the config has no \`targets\` (${NO_TARGETS}); list them there, or read regions with --region a,b`,
  ],
  [
    ['report', '--targets', '--config', CONFIG, '--region', REGION],
    "error: --targets goes without --region and --account: the config's targets name each account and region (or list them with --region a,b --account x,y)",
  ],
  [
    ['report', '--targets', '--config', CONFIG, '--account', TEAM_B],
    "error: --targets goes without --region and --account: the config's targets name each account and region (or list them with --region a,b --account x,y)",
  ],
  [
    ['report', '--region', REGION, '--account', `${TEAM_B},12345`],
    'error: --account: not a 12-digit AWS account id (got "12345"); e.g. 111111111111,222222222222',
  ],
  [
    ['report', '--region', REGION, '--account', `${TEAM_B},${TEAM_B}`],
    `error: --account: ${TEAM_B} is listed twice; list each account once`,
  ],
  [
    ['report', '--account', TEAM_B],
    'error: report needs exactly one source: --usage FILE, or --region REGION to read AWS/Bedrock metrics from CloudWatch',
  ],
  [
    ['report', '--usage', 'u.json', '--account', TEAM_B],
    'error: --account goes with --region: the accounts are read in each listed region (--region a,b --account x,y)',
  ],
])('%j exits 2: %s', async (argv, message) => {
  const r = await run(...argv);
  expect([r.code, r.stdout, r.stderr.trim()]).toEqual([2, '', message]);
});
