/**
 * The daily bill check against moto with the real SDK clients: Cost Explorer answers with a seeded week (queued in a
 * moto account of this file's own, so no other file's request takes it; CloudWatch and DynamoDB are that account's
 * too), CloudWatch holds the same days' AWS/Bedrock Sums. The first run publishes BilledCostUSD and CostDriftPercent for
 * each of the seven due days exactly; the second run that day reads nothing and puts nothing.
 */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CostExplorerClient } from '@aws-sdk/client-cost-explorer';
import { DynamoDbBillLedger } from '../../lambda/aws/bill-check';
import { createClients } from '../../lambda/aws/clients';
import { ensureLedgerTable } from '../../lambda/aws/ledger';
import { lastDueDayMs } from '../../lambda/core/bill-check';
import { parseConfig } from '../../lambda/core/config';
import { CUSTOM_METRICS } from '../../lambda/core/contract';
import { DAY_MS, HOUR_MS } from '../../lambda/core/periods';
import type { BilledLine } from '../../lambda/core/reconcile';
import { checkBillOnce, type BillCheckSummary } from '../../lambda/handlers/bill';
import { readSeries, seedBedrock } from '../support/bedrock-seed';
import { costAndUsagePage, inMotoAccount, queueCostAndUsage } from '../support/cost-explorer-seed';

const ACCOUNT = '310987654321';
const REGION = 'us-east-1';
const TABLE = 'bill-check-ledger';
const MODEL = 'us.anthropic.claude-3-7-sonnet-20250219-v1:0';
const config = parseConfig({ namespace: 'BillCheckTest', models: [{ modelId: MODEL, displayName: 'support-bot' }] }, 'test');
const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const NOW = Date.now();
const LAST = lastDueDayMs(NOW, config.reconcile.daily.billDelayDays);
const DAYS = Array.from({ length: 7 }, (_, i) => LAST - (6 - i) * DAY_MS);
/** The bill of a day: support-bot at list price, except the last day, 10% above it. */
const factor = (d: number) => (d === LAST ? 1.1 : 1);

function billOf(dayMs: number): BilledLine[] {
  const line = (suffix: string, quantity: number, usd: number): BilledLine => ({
    day: day(dayMs),
    usageType: `USE1-Claude3.7Sonnet-${suffix}-cross-region-geo`,
    region: REGION,
    quantity,
    cost: (usd * factor(dayMs)).toFixed(10),
  });
  return [
    line('input-tokens', 1000, 3),
    line('output-tokens', 100, 1.5),
    line('cache-read-input-token-count', 2000, 0.6),
    line('cache-write-input-token-count', 400, 1.5),
  ];
}

const clients = createClients({ region: REGION });
for (const c of [clients.cloudWatch, clients.cloudWatchPut, clients.dynamoDb, clients.bedrock]) inMotoAccount(c, ACCOUNT);
const ce = inMotoAccount(new CostExplorerClient({ region: 'us-east-1' }), ACCOUNT);
const reader = inMotoAccount(new CloudWatchClient({ region: REGION }), ACCOUNT);
const log = { info: () => undefined, warn: () => undefined };
afterAll(() => [clients.cloudWatch, clients.cloudWatchPut, clients.dynamoDb, clients.bedrock, ce, reader].forEach((c) => c.destroy()));

const run = (nowMs: number) => checkBillOnce({ config, tableName: TABLE, nowMs, clients, costExplorer: ce, log });

let first: BillCheckSummary;
let second: BillCheckSummary;
beforeAll(async () => {
  await ensureLedgerTable(clients.dynamoDb, TABLE);
  await seedBedrock(
    reader,
    DAYS.map((d) => ({
      modelId: MODEL,
      periodStartMs: d + HOUR_MS,
      tokens: { inputTokens: 1_000_000, outputTokens: 100_000, cacheReadInputTokens: 2_000_000, cacheWriteInputTokens: 400_000 },
    })),
  );
  const lines = DAYS.flatMap(billOf);
  await queueCostAndUsage(ACCOUNT, [costAndUsagePage(lines.slice(0, 12), 'page-2'), costAndUsagePage(lines.slice(12))]);
  first = await run(NOW);
  second = await run(NOW + HOUR_MS);
}, 60_000);

test('the first run: the seven due days, from two Cost Explorer pages ($0.02), 28 datums', () => {
  expect([first.status, first.days, first.datumsPut, first.costExplorerRequests, first.costExplorerUSD]).toEqual([
    'published',
    DAYS.map(day),
    28,
    2,
    0.02,
  ]);
  expect(first.latest?.billedCostUSD).toBe(7.26);
  expect(first.latest?.driftPercent).toBeCloseTo((100 * 0.66) / 7.26, 9);
});

test("each day's bill and drift in CloudWatch, per model, once", async () => {
  const q = (metric: { name: string }, stat: 'Maximum' | 'SampleCount') => ({
    namespace: config.namespace,
    metricName: metric.name,
    modelId: MODEL,
    stat,
  });
  const [billed, drift, samples] = await readSeries(
    reader,
    [
      q(CUSTOM_METRICS.billedCostUsd, 'Maximum'),
      q(CUSTOM_METRICS.costDriftPercent, 'Maximum'),
      q(CUSTOM_METRICS.billedCostUsd, 'SampleCount'),
    ],
    DAYS[0],
    LAST + DAY_MS,
    DAY_MS,
  );
  expect(DAYS.map((d) => billed.get(d))).toEqual([6.6, 6.6, 6.6, 6.6, 6.6, 6.6, 7.26]);
  expect(DAYS.slice(0, 6).map((d) => drift.get(d))).toEqual([0, 0, 0, 0, 0, 0]);
  expect(drift.get(LAST)).toBeCloseTo((100 * 0.66) / 7.26, 9);
  expect(DAYS.map((d) => samples.get(d))).toEqual([1, 1, 1, 1, 1, 1, 1]);
});

test('a second run that day: nothing to do, no Cost Explorer request, the ledger at the last due day', async () => {
  expect([second.status, second.costExplorerRequests, second.datumsPut]).toEqual(['nothing-to-do', 0, 0]);
  const state = await new DynamoDbBillLedger(clients.dynamoDb, TABLE, config.namespace).read();
  expect([state.version, state.publishedThroughMs, state.pendingFromMs]).toEqual([2, LAST, undefined]);
});
