/**
 * `report --region us-east-1,eu-west-1,ap-northeast-1` against moto (it keeps regions apart; this file's data lives in
 * a moto account of its own, so no other file's metrics mix in): two regions seeded with different traffic give exact
 * per-region rows and totals; the third, without a token, is reported as without data, not as $0 of savings.
 */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { main } from '../../bin/prompt-cache';
import { createClients } from '../../lambda/aws/clients';
import { DAY_MS, HOUR_MS } from '../../lambda/core/periods';
import { seedBedrock } from '../support/bedrock-seed';
import { inMotoAccount } from '../support/cost-explorer-seed';

const ACCOUNT = '410987654321';
const US = 'us.anthropic.claude-3-7-sonnet-20250219-v1:0';
const EU = 'eu.anthropic.claude-3-7-sonnet-20250219-v1:0';
const END = Math.floor(Date.now() / DAY_MS) * DAY_MS;
const DAY = END - 2 * DAY_MS;
const REGIONS = 'us-east-1,eu-west-1,ap-northeast-1';

const made: { destroy(): void }[] = [];
function clients(region: string) {
  const c = createClients({ region });
  for (const client of [c.cloudWatch, c.cloudWatchPut, c.dynamoDb, c.bedrock]) made.push(inMotoAccount(client, ACCOUNT));
  return c;
}
afterAll(() => made.forEach((c) => c.destroy()));

async function run(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) }, { clients });
  return { code, stdout, stderr };
}

let json: { code: number; stdout: string; stderr: string };
beforeAll(async () => {
  for (const [region, modelId, tokens] of [
    ['us-east-1', US, { inputTokens: 1_000_000, outputTokens: 100_000, cacheReadInputTokens: 2_000_000, cacheWriteInputTokens: 400_000 }],
    ['eu-west-1', EU, { inputTokens: 500_000, outputTokens: 50_000, cacheReadInputTokens: 0, cacheWriteInputTokens: 1_000_000 }],
  ] as const) {
    const cw = inMotoAccount(new CloudWatchClient({ region }), ACCOUNT);
    await seedBedrock(cw, [{ modelId, periodStartMs: DAY + HOUR_MS, tokens }]);
    cw.destroy();
  }
  json = await run('report', '--region', REGIONS, '--format', 'json');
}, 60_000);

test('per region: each priced in its own region, exactly; the region without a token has no data, not $0', () => {
  expect([json.code, json.stderr.split('\n').filter((l) => l.startsWith('reading'))]).toEqual([
    0,
    [
      `reading AWS/Bedrock metrics in us-east-1, ${new Date(END - 7 * DAY_MS).toISOString().slice(0, 10)} to ${new Date(END - DAY_MS).toISOString().slice(0, 10)}...`,
      `reading AWS/Bedrock metrics in eu-west-1, ${new Date(END - 7 * DAY_MS).toISOString().slice(0, 10)} to ${new Date(END - DAY_MS).toISOString().slice(0, 10)}...`,
      `reading AWS/Bedrock metrics in ap-northeast-1, ${new Date(END - 7 * DAY_MS).toISOString().slice(0, 10)} to ${new Date(END - DAY_MS).toISOString().slice(0, 10)}...`,
    ],
  ]);
  const r = JSON.parse(json.stdout);
  expect(
    r.targets.map((t: { region: string; status: string; totals: Record<string, number> | null }) => [
      t.region,
      t.status,
      t.totals && [t.totals.costWithCacheUSD, t.totals.costWithoutCacheUSD, t.totals.netSavingsUSD],
    ]),
  ).toEqual([
    ['us-east-1', 'data', [6.6, 11.7, 5.1]],
    ['eu-west-1', 'data', [6, 5.25, -0.75]],
    ['ap-northeast-1', 'no-data', null],
  ]);
  expect(r.models.map((m: Record<string, unknown>) => [m.modelId, m.region, m.netSavingsUSD, m.status])).toEqual([
    [US, 'us-east-1', 5.1, 'optimized'],
    [EU, 'eu-west-1', -0.75, 'misconfigured'],
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

test('markdown leads with the answer and names the region without data', async () => {
  const md = await run('report', '--region', REGIONS);
  expect(md.stdout.split('\n').slice(2, 12)).toEqual([
    '**Prompt caching saved $4.35 net over 2 targets**: cost with cache $12.60, without $16.95, hit ratio 58.8%.',
    '',
    'No data (no token in the window, not $0 of savings): ap-northeast-1.',
    '',
    '| target | models | hit ratio | cost with cache | cost without | net savings |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    '| us-east-1 | 1 | 83.3% | $6.60 | $11.70 | $5.10 |',
    '| eu-west-1 | 1 | 0.0% | $6.00 | $5.25 | -$0.75 |',
    '| ap-northeast-1 | 0 | no data | – | – | – |',
    '| **total** | 2 | 58.8% | $12.60 | $16.95 | $4.35 |',
  ]);
});

test.each([
  [['report', '--region', 'us-east-1,mars'], 'error: --region: not an AWS region (got "mars"); e.g. us-east-1,eu-west-1'],
  [['report', '--region', 'us-east-1,us-east-1'], 'error: --region: us-east-1 is listed twice; list each region once'],
  [
    ['report', '--region', 'us-east-1,eu-west-1', '--chart', 'x.svg'],
    "error: --chart goes with one --region: the chart draws one region's models",
  ],
])('%j exits 2: %s', async (argv, message) => {
  const r = await run(...argv);
  expect([r.code, r.stdout, r.stderr.trim()]).toEqual([2, '', message]);
});
