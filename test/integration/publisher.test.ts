/**
 * The savings publisher against moto with the real SDK clients: every published value equals the core's figure, and
 * every period lands exactly once through duplicates, concurrency, crashes, throttling, dropped connections and outages.
 *
 * Each test works in a region of its own (moto keeps a separate CloudWatch and DynamoDB per region), so tests never see
 * each other's data. moto quirk: a query without dimensions sums every dimension set, so the all-models
 * series read back as all-models + per-model; the per-model series and the no-dimension-only metrics read exactly.
 */
import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { parseConfig, type ConfigInput, type PromptCacheConfig } from '../../lambda/core/config';
import { CUSTOM_METRICS, type TokenCounts } from '../../lambda/core/contract';
import { periodDatums, type Datum } from '../../lambda/core/datums';
import { DAY_MS, HOUR_MS, MINUTE_MS } from '../../lambda/core/periods';
import { RunIncomplete, settlementBacklog, type RunLog } from '../../lambda/core/publish-run';
import { getMetricDataLowerBound } from '../../lambda/core/query-plan';
import { createClients, type AwsClients } from '../../lambda/aws/clients';
import { DynamoDbLedger, ensureLedgerTable } from '../../lambda/aws/ledger';
import { publishOnce, type PublishSummary } from '../../lambda/handlers/publisher';
import { readSeries, seedBedrock, type SeedPoint } from '../support/bedrock-seed';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy';

const MOTO = process.env.AWS_ENDPOINT_URL as string;
const END = Math.floor(Date.now() / HOUR_MS) * HOUR_MS - HOUR_MS; // end of the last closed period, recent and aligned
const NOW = END + 10 * MINUTE_MS; // the settle delay has just passed
const SONNET = 'us.anthropic.claude-3-7-sonnet-20250219-v1:0';
const HAIKU = 'global.anthropic.claude-haiku-4-5-20251001-v1:0';
const MYSTERY = 'us.meta.llama3-3-70b-instruct-v1:0'; // no price known: unpriced
const IDLE = 'arn:aws:bedrock:us-east-1:111122223333:application-inference-profile/idle01';
const fastSleep = () => Promise.resolve();
const SONNET_PRICE = { inputPerMTok: 3, outputPerMTok: 15, cacheWritePerMTok: 3.75, cacheReadPerMTok: 0.3 };
/** `count` application-profile-like model ids, each priced by an override. */
function manyModels(count: number): { ids: string[]; pricing: Record<string, typeof SONNET_PRICE> } {
  const ids = Array.from(
    { length: count },
    (_, i) => `arn:aws:bedrock:us-east-1:111122223333:application-inference-profile/app${String(i).padStart(3, '0')}`,
  );
  return { ids, pricing: Object.fromEntries(ids.map((id) => [id, SONNET_PRICE])) };
}

interface Captured extends RunLog {
  readonly lines: { level: string; message: string; data?: Record<string, unknown> }[];
}
function captureLog(): Captured {
  const lines: Captured['lines'] = [];
  return {
    lines,
    info: (message, data) => lines.push({ level: 'info', message, data }),
    warn: (message, data) => lines.push({ level: 'warn', message, data }),
  };
}

/** Three models over `hours` periods ending at END, with gaps, a missing series, a model that starts mid-window and a negative datapoint. */
function scenarioPoints(hours: number): SeedPoint[] {
  const points: SeedPoint[] = [];
  for (let i = 0; i < hours; i++) {
    const p = END - (hours - i) * HOUR_MS;
    if (i % 7 !== 3)
      points.push({
        modelId: SONNET,
        periodStartMs: p,
        tokens: { inputTokens: 20 + i, cacheReadInputTokens: 4000 * (i % 5), cacheWriteInputTokens: 1500 + 10 * i, outputTokens: 300 + i },
      });
    if (i >= hours / 2 && i % 2 === 0)
      points.push({
        modelId: HAIKU,
        periodStartMs: p,
        tokens: { inputTokens: 7, cacheReadInputTokens: 9000 + i, cacheWriteInputTokens: i % 4 === 0 ? 0 : 4096, outputTokens: 120 },
      });
    if (i >= 10 && i < 20)
      points.push({
        modelId: MYSTERY,
        periodStartMs: p,
        tokens: { inputTokens: 1000 + i, cacheReadInputTokens: 0, cacheWriteInputTokens: 0, outputTokens: 64 },
      });
  }
  // A missing series (input only, no cache metrics) and a negative datapoint (odd data: counts as 0, logged).
  points.push({ modelId: SONNET, periodStartMs: END - (hours - 3) * HOUR_MS, tokens: { inputTokens: 55 } });
  points.push({ modelId: HAIKU, periodStartMs: END - 3 * HOUR_MS, tokens: { cacheReadInputTokens: -50 } });
  return points;
}

const baseConfig: ConfigInput = {
  models: [
    { modelId: SONNET, displayName: 'support-bot' },
    { modelId: HAIKU, cacheWriteTtl: '1h' },
    { modelId: IDLE, displayName: 'quiet', priceAs: 'anthropic.claude-sonnet-4-20250514-v1:0' },
  ],
};

let regionIndex = 0;
const REGIONS = [
  'us-west-2',
  'eu-west-1',
  'eu-west-2',
  'eu-west-3',
  'eu-central-1',
  'eu-north-1',
  'ap-northeast-1',
  'ap-northeast-2',
  'ap-south-1',
  'ca-central-1',
  'sa-east-1',
  'us-west-1',
  'ap-southeast-3',
  'ap-southeast-4',
  'ap-south-2',
  'ca-west-1',
  'ap-southeast-5',
  'eu-south-1',
  'mx-central-1',
];

interface World {
  readonly region: string;
  readonly config: PromptCacheConfig;
  readonly table: string;
  readonly cw: CloudWatchClient;
  clients(endpoint?: string, maxAttempts?: number): AwsClients;
  publish(over?: Partial<Parameters<typeof publishOnce>[0]>): Promise<PublishSummary>;
}

async function world(configOver: Partial<ConfigInput> = {}): Promise<World> {
  const region = REGIONS[regionIndex++];
  if (region === undefined) throw new Error('every test needs a region of its own: add one to REGIONS');
  const config = parseConfig({ ...baseConfig, ...configOver }, 'test');
  const table = 'prompt-cache-ledger';
  const clients = (endpoint = MOTO, maxAttempts = 8) => createClients({ region, endpoint, maxAttempts });
  const setup = clients();
  await ensureLedgerTable(setup.dynamoDb, table);
  const cw = new CloudWatchClient({ region });
  return {
    region,
    config,
    table,
    cw,
    clients,
    publish: (over = {}) =>
      publishOnce({ config, tableName: table, nowMs: NOW, clients: clients(), log: captureLog(), sleep: fastSleep, ...over }),
  };
}

/** Sums seed points per model per period, as CloudWatch's Sum would (negative datapoints count as 0, as the reader cleans them). */
function usageOf(points: readonly SeedPoint[]): Map<number, Map<string, TokenCounts>> {
  const out = new Map<number, Map<string, TokenCounts>>();
  for (const p of points) {
    const perModel = out.get(p.periodStartMs) ?? new Map<string, TokenCounts>();
    const t = perModel.get(p.modelId) ?? { inputTokens: 0, cacheReadInputTokens: 0, cacheWriteInputTokens: 0, outputTokens: 0 };
    perModel.set(p.modelId, {
      inputTokens: t.inputTokens + (p.tokens.inputTokens ?? 0),
      cacheReadInputTokens: t.cacheReadInputTokens + (p.tokens.cacheReadInputTokens ?? 0),
      cacheWriteInputTokens: t.cacheWriteInputTokens + (p.tokens.cacheWriteInputTokens ?? 0),
      outputTokens: t.outputTokens + (p.tokens.outputTokens ?? 0),
    });
    out.set(p.periodStartMs, perModel);
  }
  return out;
}

/** The core's datums for every period in [from, to), independent of the publisher's own plumbing. */
function expectedDatums(
  config: PromptCacheConfig,
  points: readonly SeedPoint[],
  from: number,
  to: number,
  modelIds: readonly string[],
): Datum[] {
  const usage = usageOf(points);
  const out: Datum[] = [];
  for (let p = from; p < to; p += HOUR_MS) {
    const perModel = new Map(
      [...(usage.get(p) ?? new Map<string, TokenCounts>())].map(([m, t]) => [
        m,
        { ...t, cacheReadInputTokens: Math.max(0, t.cacheReadInputTokens) },
      ]),
    );
    out.push(...periodDatums(p, perModel, modelIds, config).datums);
  }
  return out;
}

const PER_MODEL = [
  CUSTOM_METRICS.cacheHitRatio,
  CUSTOM_METRICS.netSavingsUsd,
  CUSTOM_METRICS.costWithCacheUsd,
  CUSTOM_METRICS.costWithoutCacheUsd,
  CUSTOM_METRICS.writesWithoutReadsTokens,
  CUSTOM_METRICS.alarmHitRatioMarginPoints,
  CUSTOM_METRICS.alarmNetSavingsUsdPerHour,
].map((m) => m.name);

/**
 * Reads back every per-model series and the no-dimension-only metrics; returns the differences from `expected`
 * (value to 1e-9, SampleCount exactly 1, nothing extra), as readable lines.
 */
async function differences(w: World, expected: readonly Datum[], modelIds: readonly string[], from: number, to: number): Promise<string[]> {
  const series = [
    ...modelIds.flatMap((modelId) => PER_MODEL.map((metricName) => ({ metricName, modelId }))),
    { metricName: CUSTOM_METRICS.publishedPeriods.name, modelId: undefined },
    { metricName: CUSTOM_METRICS.unpricedTokens.name, modelId: undefined },
    { metricName: CUSTOM_METRICS.lostPeriods.name, modelId: undefined },
    { metricName: CUSTOM_METRICS.cacheReadTokens.name, modelId: undefined },
    { metricName: CUSTOM_METRICS.cacheWriteTokens.name, modelId: undefined },
  ];
  const queries = series.flatMap((s) => (['Sum', 'SampleCount'] as const).map((stat) => ({ namespace: w.config.namespace, ...s, stat })));
  const got = await readSeries(w.cw, queries, from, to, HOUR_MS);
  const want = new Map(expected.map((d) => [`${d.metricName}|${d.modelId ?? ''}|${d.timestampMs}`, d.value]));
  const diffs: string[] = [];
  series.forEach((s, i) => {
    const sums = got[2 * i];
    const counts = got[2 * i + 1];
    const periods = new Set([
      ...sums.keys(),
      ...[...want.keys()].filter((k) => k.startsWith(`${s.metricName}|${s.modelId ?? ''}|`)).map((k) => Number(k.split('|')[2])),
    ]);
    for (const p of periods) {
      const key = `${s.metricName}|${s.modelId ?? ''}|${p}`;
      const w1 = want.get(key);
      const sum = sums.get(p);
      const count = counts.get(p);
      if (w1 === undefined) diffs.push(`${key}: unexpected datapoint Sum=${sum}`);
      else if (sum === undefined) diffs.push(`${key}: missing, want ${w1}`);
      else if (Math.abs(sum - w1) > 1e-9 || count !== 1) diffs.push(`${key}: Sum=${sum} SampleCount=${count}, want ${w1} once`);
    }
  });
  return diffs;
}

/** A no-dimension run-health series (lag, backlog) in the minute of a run's own time: its Maximum and SampleCount values. */
async function atRunTime(w: World, metricName: string, atMs: number): Promise<{ maximum: number[]; sampleCount: number[] }> {
  const stat = (Stat: 'Maximum' | 'SampleCount') => ({
    MetricStat: { Metric: { Namespace: w.config.namespace, MetricName: metricName, Dimensions: [] }, Period: 60, Stat },
  });
  const r = await w.cw.send(
    new GetMetricDataCommand({
      StartTime: new Date(atMs),
      EndTime: new Date(atMs + MINUTE_MS),
      MetricDataQueries: [
        { Id: 'm', ...stat('Maximum') },
        { Id: 'c', ...stat('SampleCount') },
      ],
    }),
  );
  const values = (id: string) => r.MetricDataResults?.find((x) => x.Id === id)?.Values ?? [];
  return { maximum: values('m'), sampleCount: values('c') };
}

/** 20 discovered models × 23 periods less than 24 hours old, seeded: a run of several 1,000-datum puts. */
async function multiPutWorld(): Promise<{ w: World; ids: string[]; points: SeedPoint[] }> {
  const { ids, pricing } = manyModels(20);
  const w = await world({ models: [], pricing, publisher: { initialLookbackHours: 23 } });
  const points: SeedPoint[] = ids.flatMap((modelId, m) =>
    Array.from({ length: 23 }, (_, h) => ({
      modelId,
      periodStartMs: END - (h + 1) * HOUR_MS,
      tokens: { inputTokens: m + h, cacheReadInputTokens: 100 * m, cacheWriteInputTokens: 10 * h, outputTokens: 5 },
    })),
  );
  await seedBedrock(w.cw, points);
  return { w, ids, points };
}

const ALL_MODELS = [SONNET, HAIKU, IDLE, MYSTERY];

/** The first PutMetricData gets `fault`; from then on nothing reaches AWS (the run cannot commit or release its lease). */
function crashAtFirstPut(proxy: FaultProxy, fault: 'drop-after' | 'drop-before'): void {
  let crashed = false;
  proxy.setPolicy((op) => {
    if (crashed) return 'drop-before';
    if (op !== 'PutMetricData') return undefined;
    crashed = true;
    return fault;
  });
}

describe('savings publisher against moto', () => {
  let proxy: FaultProxy | undefined;
  afterEach(async () => {
    await proxy?.close();
    proxy = undefined;
  });

  test('seeded scenario: 48 hourly periods, 4 models (us., global., unpriced, zero-traffic) → every value equals the core figure', async () => {
    const w = await world({ publisher: { initialLookbackHours: 48 } });
    const points = scenarioPoints(48);
    await seedBedrock(w.cw, points);
    const log = captureLog();
    const summary = await w.publish({ log });
    expect(summary).toMatchObject({
      status: 'published',
      periodsPublished: 48,
      periodsLost: 0,
      models: 4,
      watermark: new Date(END).toISOString(),
    });
    const expected = expectedDatums(w.config, points, END - 48 * HOUR_MS, END, ALL_MODELS);
    expect(summary.datumsPut).toBe(expected.length);
    expect(await differences(w, expected, ALL_MODELS, END - 48 * HOUR_MS, END)).toEqual([]);
    // The negative datapoint was logged and counted as 0; the unpriced model's tokens were counted.
    expect(log.lines.filter((l) => l.level === 'warn').map((l) => [l.message, l.data?.modelId, l.data?.value])).toEqual([
      ['odd token datapoint from AWS/Bedrock; using a clean value', HAIKU, '-50'],
    ]);
    expect(summary.unpricedTokens).toBe(Array.from({ length: 10 }, (_, k) => 1000 + 10 + k + 64).reduce((a, b) => a + b, 0));
    // All-models series under moto's no-dimension sum: all-models value + the per-model values = 2 x the total.
    const [netAll] = await readSeries(
      w.cw,
      [{ namespace: w.config.namespace, metricName: 'NetSavingsUSD', stat: 'Sum' }],
      END - 48 * HOUR_MS,
      END,
      HOUR_MS,
    );
    const totals = expected.filter((d) => d.metricName === 'NetSavingsUSD' && d.modelId === undefined);
    for (const d of totals) expect(Math.abs((netAll.get(d.timestampMs) ?? NaN) - 2 * d.value)).toBeLessThan(1e-9);
  });

  test('5 concurrent runs, then 10 sequential duplicates → identical to one run', async () => {
    const w = await world();
    const points = scenarioPoints(24);
    await seedBedrock(w.cw, points);
    const concurrent = await Promise.all(Array.from({ length: 5 }, (_, i) => w.publish({ runId: `concurrent-${i}` })));
    expect(concurrent.map((s) => s.status).sort()).toEqual(['busy', 'busy', 'busy', 'busy', 'published']);
    for (let i = 0; i < 10; i++) {
      const s = await w.publish({ runId: `again-${i}` });
      // Each run still reports its lag (one PutMetricData of one datum).
      expect([s.status, s.datumsPut, s.calls]).toEqual(['nothing-to-do', 0, { GetItem: 1, PutMetricData: 1 }]);
    }
    expect(
      await differences(w, expectedDatums(w.config, points, END - 24 * HOUR_MS, END, ALL_MODELS), ALL_MODELS, END - 24 * HOUR_MS, END),
    ).toEqual([]);
  });

  test.each([
    ['after PutMetricData, before the commit', 'drop-after' as const],
    ['after the claim, before PutMetricData', 'drop-before' as const],
  ])('crash %s → the next run ends with every period present exactly once', async (_name, fault) => {
    // 23 periods, all less than 24 hours old: one put, settled by the next run (a put of older periods waits 48 hours).
    const w = await world({ publisher: { initialLookbackHours: 23 } });
    const points = scenarioPoints(23);
    await seedBedrock(w.cw, points);
    proxy = await startFaultProxy(MOTO);
    // The "crash": the first PutMetricData is dropped (after or before moto applied it), and from then on nothing
    // reaches AWS, so the run cannot commit, settle or release its lease.
    crashAtFirstPut(proxy, fault);
    await expect(w.publish({ clients: w.clients(proxy.endpoint, 2) })).rejects.toThrow(RunIncomplete);
    // Within the lease, another run leaves the uncertain range alone.
    expect((await w.publish({ nowMs: NOW + 5 * MINUTE_MS })).status).toBe('busy');
    const next = await w.publish({ nowMs: NOW + 16 * MINUTE_MS });
    expect(next.status).toBe('published');
    expect(next.periodsAlreadyPresent).toBe(fault === 'drop-after' ? 23 : 0);
    expect(
      await differences(w, expectedDatums(w.config, points, END - 23 * HOUR_MS, END, ALL_MODELS), ALL_MODELS, END - 23 * HOUR_MS, END),
    ).toEqual([]);
  });

  test('reply of a put of 30-hour-old periods lost, then a crash → not re-put before 48 h, newer periods go on; after 48 h every series exact, SampleCount 1', async () => {
    const w = await world();
    // The crashed run 49 hours before NOW, so that the run 48 hours after it is NOW (nothing in the future).
    const end1 = END - 49 * HOUR_MS;
    const now1 = end1 + 10 * MINUTE_MS;
    const since = end1 - 30 * HOUR_MS;
    const points = scenarioPoints(79).filter((p) => p.periodStartMs >= since);
    await seedBedrock(w.cw, points);
    proxy = await startFaultProxy(MOTO);
    crashAtFirstPut(proxy, 'drop-after');
    await expect(w.publish({ nowMs: now1, sinceMs: since, clients: w.clients(proxy.endpoint, 2) })).rejects.toThrow(RunIncomplete);
    expect(proxy.faults['drop-after:PutMetricData']).toBe(1);

    // Before 48 h: moto would show the datums, but the run must not even look; it puts the other 29 periods.
    const before = await w.publish({ nowMs: now1 + 16 * MINUTE_MS });
    const rest = expectedDatums(w.config, points, since + HOUR_MS, end1, ALL_MODELS);
    expect([
      before.status,
      before.periodsPublished,
      before.periodsAlreadyPresent,
      before.datumsPut,
      before.periodsAwaitingSettlement,
      before.settlementDueAt,
    ]).toEqual(['published', 29, 0, rest.length, 1, new Date(now1 + 48 * HOUR_MS).toISOString()]);
    expect(await differences(w, expectedDatums(w.config, points, since, end1, ALL_MODELS), ALL_MODELS, since, end1)).toEqual([]);
    // The ledger item as DynamoDB holds it, read the way doctor reads it.
    const item = await new DynamoDbLedger(w.clients().dynamoDb, w.table, w.config.namespace).read();
    expect([item.watermarkMs, item.uncertainFromMs, item.deferred]).toEqual([
      end1,
      undefined,
      [{ fromMs: since, toMs: since, putAtMs: now1, oldestMs: since }],
    ]);
    expect(settlementBacklog(item, HOUR_MS, 48 * HOUR_MS, now1 + 16 * MINUTE_MS)).toEqual({ periods: 1, dueAtMs: now1 + 48 * HOUR_MS });
    expect(await atRunTime(w, CUSTOM_METRICS.periodsAwaitingSettlement.name, now1 + 16 * MINUTE_MS)).toEqual({
      maximum: [1],
      sampleCount: [1],
    });

    // 49 hours after the put: found present, nothing re-put; the 49 newer periods published.
    const after = await w.publish();
    expect([
      after.status,
      after.periodsPublished,
      after.periodsAlreadyPresent,
      after.periodsLost,
      after.periodsAwaitingSettlement,
      after.settlementDueAt,
      after.watermark,
    ]).toEqual(['published', 49, 1, 0, 0, null, new Date(END).toISOString()]);
    expect(await differences(w, expectedDatums(w.config, points, since, END, ALL_MODELS), ALL_MODELS, since, END)).toEqual([]);
  });

  test('30% of CloudWatch and DynamoDB calls throttled, 15% of puts dropped after applying → same result as the fault-free run', async () => {
    const w = await world({ publisher: { initialLookbackHours: 48 } });
    const points = scenarioPoints(48);
    await seedBedrock(w.cw, points);
    // Every operation's first call is throttled, then 30% at random; the second PutMetricData is applied but its reply lost.
    proxy = await startFaultProxy(MOTO, 7, (op, r, seen) =>
      seen === 1 || r < 0.3 ? 'throttle' : op === 'PutMetricData' && (seen === 2 || r < 0.45) ? 'drop-after' : undefined,
    );
    const summary = await w.publish({ clients: w.clients(proxy.endpoint, 10) });
    expect(summary.status).toBe('published');
    for (const op of ['GetItem', 'PutItem', 'ListMetrics', 'GetMetricData', 'PutMetricData'])
      expect([op, proxy.faults[`throttle:${op}`] ?? 0]).not.toEqual([op, 0]);
    // 28 period puts, not 6: the 25 periods 24 h or older go one per call, so more replies are dropped (5 with this
    // seed: the fault proxy's random draws are seeded and the run's calls sequential, so the figures are fixed). A
    // dropped old put is deferred, not checked (CloudWatch may show it only in 48 h; moto applied it): 4 periods wait;
    // the fifth dropped reply was of a recent chunk, settled within the run.
    expect(proxy.faults).toEqual({
      'throttle:GetItem': 2,
      'throttle:PutItem': 11,
      'throttle:ListMetrics': 5,
      'throttle:GetMetricData': 1,
      'throttle:PutMetricData': 7,
      'drop-after:PutMetricData': 5,
    });
    expect([
      summary.periodsPublished,
      summary.periodsAlreadyPresent,
      summary.periodsAwaitingSettlement,
      summary.datumsPut,
      summary.watermark,
      summary.settlementDueAt,
    ]).toEqual([44, 0, 4, 393, new Date(END).toISOString(), new Date(NOW + 48 * HOUR_MS).toISOString()]);
    expect(summary.calls).toEqual({ GetItem: 1, PutItem: 29, ListMetrics: 6, GetMetricData: 2, PutMetricData: 34 });
    expect(
      await differences(w, expectedDatums(w.config, points, END - 48 * HOUR_MS, END, ALL_MODELS), ALL_MODELS, END - 48 * HOUR_MS, END),
    ).toEqual([]);
    expect(await atRunTime(w, CUSTOM_METRICS.periodsAwaitingSettlement.name, NOW)).toEqual({ maximum: [4], sampleCount: [1] });

    // 48 hours after the put, without faults: the 4 found present, nothing re-put, the 48 newer (empty) periods published.
    const later = NOW + 48 * HOUR_MS;
    const settled = await w.publish({ nowMs: later });
    expect([
      settled.periodsPublished,
      settled.periodsAlreadyPresent,
      settled.periodsLost,
      settled.periodsAwaitingSettlement,
      settled.settlementDueAt,
    ]).toEqual([48, 4, 0, 0, null]);
    expect(
      await differences(
        w,
        expectedDatums(w.config, points, END - 48 * HOUR_MS, END + 48 * HOUR_MS, ALL_MODELS),
        ALL_MODELS,
        END - 48 * HOUR_MS,
        END + 48 * HOUR_MS,
      ),
    ).toEqual([]);
    expect(await atRunTime(w, CUSTOM_METRICS.periodsAwaitingSettlement.name, later)).toEqual({ maximum: [], sampleCount: [] });
  }, 180_000); // adaptive retry mode slows the client down after throttles: ~40 s here

  test('72-hour outage → all 72 periods backfilled in one run, oldest first', async () => {
    const w = await world({ publisher: { initialLookbackHours: 2 } });
    const points = scenarioPoints(80);
    await seedBedrock(w.cw, points);
    const first = await w.publish({ nowMs: NOW - 72 * HOUR_MS });
    expect([first.status, first.periodsPublished, first.watermark]).toEqual(['published', 2, new Date(END - 72 * HOUR_MS).toISOString()]);
    const after = await w.publish();
    expect([after.status, after.periodsPublished, after.periodsLost, after.watermark]).toEqual([
      'published',
      72,
      0,
      new Date(END).toISOString(),
    ]);
    expect(
      await differences(w, expectedDatums(w.config, points, END - 74 * HOUR_MS, END, ALL_MODELS), ALL_MODELS, END - 74 * HOUR_MS, END),
    ).toEqual([]);
  });

  test('20-day outage → the 14-day window (less 1 h) backfilled, the older periods counted lost in LostPeriods and the log', async () => {
    const w = await world({ publisher: { initialLookbackHours: 1 } });
    const first = await w.publish({ nowMs: NOW - 20 * DAY_MS });
    expect([first.status, first.periodsPublished]).toEqual(['published', 1]);
    const points = scenarioPoints(24);
    await seedBedrock(w.cw, points);
    const log = captureLog();
    const after = await w.publish({ log });
    // now − (14 d − 1 h) = END − 13 d 22 h 50 min: the first publishable period starts at END − 13 d 22 h.
    const firstPublishable = END - 14 * DAY_MS + 2 * HOUR_MS;
    const lost = (firstPublishable - (END - 20 * DAY_MS)) / HOUR_MS;
    expect([after.status, after.periodsLost, after.periodsPublished]).toEqual(['published', lost, 14 * 24 - 2]);
    expect(lost).toBe(6 * 24 + 2);
    expect(log.lines.filter((l) => l.message.includes('lost')).map((l) => [l.level, l.message, l.data?.lost, l.data?.from])).toEqual([
      [
        'warn',
        'periods older than CloudWatch accepts were never published: counted as lost',
        lost,
        new Date(END - 20 * DAY_MS).toISOString(),
      ],
    ]);
    const [lostSeries, heartbeats] = await readSeries(
      w.cw,
      [
        { namespace: w.config.namespace, metricName: 'LostPeriods', stat: 'Sum' },
        { namespace: w.config.namespace, metricName: 'PublishedPeriods', stat: 'SampleCount' },
      ],
      firstPublishable,
      END,
      HOUR_MS,
    );
    expect([...lostSeries]).toEqual([[firstPublishable, lost]]);
    expect(heartbeats.size).toBe(14 * 24 - 2);
    expect(new Set(heartbeats.values())).toEqual(new Set([1]));
    expect(
      await differences(w, expectedDatums(w.config, points, END - 24 * HOUR_MS, END, ALL_MODELS), ALL_MODELS, END - 24 * HOUR_MS, END),
    ).toEqual([]);
  });

  test.each([
    ['130 models x 3 periods: 520 queries need 2 GetMetricData calls', 130, 3],
    ['20 models x 48 periods: 6,000+ datums need a put per period 24 h or older + ceil(recent datums/1000)', 20, 48],
  ])('API calls per run equal their lower bounds: %s', async (_name, models, hours) => {
    const { ids, pricing } = manyModels(models);
    const w = await world({ models: [], pricing, publisher: { initialLookbackHours: hours } });
    const points: SeedPoint[] = ids.flatMap((modelId, m) =>
      Array.from({ length: hours }, (_, h) => ({
        modelId,
        periodStartMs: END - (h + 1) * HOUR_MS,
        tokens: { inputTokens: m + h, cacheReadInputTokens: 100 * m, cacheWriteInputTokens: 10 * h, outputTokens: 5 },
      })),
    );
    await seedBedrock(w.cw, points);
    proxy = await startFaultProxy(MOTO);
    const s = await w.publish({ clients: w.clients(proxy.endpoint) });
    // Periods 24 hours old or older (at NOW, those up to END − 24 h) go out one per call, the recent ones 1,000 datums a call.
    const oldPeriods = Math.max(0, hours - 23);
    const perPeriod = s.datumsPut / hours;
    const puts = oldPeriods + Math.ceil(((hours - oldPeriods) * perPeriod) / 1000);
    expect(s.datumsPut).toBe(expectedDatums(w.config, points, END - hours * HOUR_MS, END, [...ids].sort()).length);
    expect(s.calls).toEqual({
      GetItem: 1,
      // Each spelling of the 4 token metrics (2 for each cache metric, whose name is UNCONFIRMED).
      ListMetrics: 6,
      GetMetricData: getMetricDataLowerBound(models * 4, hours),
      // The periods' puts and the run's lag report.
      PutMetricData: puts + 1,
      // Take the lease; before each put, one write that commits the previous put and claims this one; a last write
      // that commits and releases the lease; the run record.
      PutItem: 1 + puts + 1 + 1,
    });
    expect(proxy.requests).toEqual(s.calls);
    expect(s.calls.GetMetricData).toBe(models === 130 ? 2 : 1);
  });

  test('crash in the middle of a multi-put run (the second put applied, its reply lost) → the next run puts only the rest, exactly once', async () => {
    const { w, ids, points } = await multiPutWorld();
    proxy = await startFaultProxy(MOTO);
    let crashed = false;
    proxy.setPolicy((op, _r, seen) => {
      if (crashed) return 'drop-before';
      if (op === 'PutMetricData' && seen === 2) {
        crashed = true;
        return 'drop-after';
      }
      return undefined;
    });
    const error = await w.publish({ clients: w.clients(proxy.endpoint, 2) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RunIncomplete);
    const partial = (error as RunIncomplete).result;
    // 1,000 datums per put, 89 per period (8 all-models series, 4 per model, the heartbeat; these models are below every
    // alarm-ready guard): the first put completed 11 periods and part of the 12th.
    expect([partial.datumsPut, partial.periodsPublished]).toEqual([1000, 11]);
    const next = await w.publish({ nowMs: NOW + 16 * MINUTE_MS });
    const expected = expectedDatums(w.config, points, END - 23 * HOUR_MS, END, [...ids].sort());
    expect([next.status, next.datumsPut, next.watermark]).toEqual(['published', expected.length - 2000, new Date(END).toISOString()]);
    expect(await differences(w, expected, ids, END - 23 * HOUR_MS, END)).toEqual([]);
  });

  test('the other spelling of the cache metrics (CacheReadInputTokens / CacheWriteInputTokens) is found and read, each token once', async () => {
    const w = await world({ publisher: { initialLookbackHours: 6 } });
    const points = scenarioPoints(6).filter((p) => p.modelId !== HAIKU || p.tokens.cacheReadInputTokens !== -50);
    const other = {
      inputTokens: 'InputTokenCount',
      outputTokens: 'OutputTokenCount',
      cacheReadInputTokens: 'CacheReadInputTokens',
      cacheWriteInputTokens: 'CacheWriteInputTokens',
    };
    await seedBedrock(w.cw, points, other);
    const summary = await w.publish();
    const expected = expectedDatums(w.config, points, END - 6 * HOUR_MS, END, ALL_MODELS);
    expect([summary.status, summary.periodsPublished, summary.datumsPut]).toEqual(['published', 6, expected.length]);
    expect(await differences(w, expected, ALL_MODELS, END - 6 * HOUR_MS, END)).toEqual([]);
    // Sonnet's cache reads of one period, read under the other spelling, as CacheReadTokens (no dimension: exact in moto).
    const [reads] = await readSeries(
      w.cw,
      [{ namespace: w.config.namespace, metricName: 'CacheReadTokens', stat: 'Sum' }],
      END - 6 * HOUR_MS,
      END,
      HOUR_MS,
    );
    expect(reads.get(END - 2 * HOUR_MS)).toBe(4000 * ((6 - 2) % 5) + 9000 + 4);
  });

  test('PublisherLagMinutes: one datum per run at the run time, minutes from the watermark to now', async () => {
    const w = await world({ publisher: { initialLookbackHours: 3 } });
    await seedBedrock(w.cw, scenarioPoints(3));
    await w.publish();
    // A later run with nothing to do still reports: 50 minutes after the watermark (END).
    const later = await w.publish({ nowMs: END + 50 * MINUTE_MS });
    expect(later.status).toBe('nothing-to-do');
    expect(await atRunTime(w, 'PublisherLagMinutes', NOW)).toEqual({ maximum: [10], sampleCount: [1] });
    expect(await atRunTime(w, 'PublisherLagMinutes', END + 50 * MINUTE_MS)).toEqual({ maximum: [50], sampleCount: [1] });
  });

  test('a run that stops part-way still reports the lag of the watermark it committed', async () => {
    const { w } = await multiPutWorld();
    proxy = await startFaultProxy(MOTO);
    // The second period put is throttled on all 6 attempts: the run stops after 11 whole periods; the lag report (the
    // 8th PutMetricData) goes through.
    proxy.setPolicy((op, _r, seen) => (op === 'PutMetricData' && seen >= 2 && seen <= 7 ? 'throttle' : undefined));
    const error = await w.publish({ clients: w.clients(proxy.endpoint) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RunIncomplete);
    const watermark = END - 23 * HOUR_MS + 11 * HOUR_MS;
    expect((error as RunIncomplete).result.watermarkMs).toBe(watermark);
    const [lag] = await readSeries(
      w.cw,
      [{ namespace: w.config.namespace, metricName: 'PublisherLagMinutes', stat: 'Sum' }],
      NOW - 30 * MINUTE_MS,
      NOW + 30 * MINUTE_MS,
      HOUR_MS,
    );
    expect([...lag.values()]).toEqual([(NOW - watermark) / MINUTE_MS]);
  });

  test('an application inference profile without priceAs is priced as the model GetInferenceProfile says it routes to', async () => {
    const arn = 'arn:aws:bedrock:us-east-1:111122223333:application-inference-profile/route01';
    const w = await world({ models: [{ modelId: arn, displayName: 'routed' }], publisher: { initialLookbackHours: 2 } });
    const points: SeedPoint[] = [
      {
        modelId: arn,
        periodStartMs: END - HOUR_MS,
        tokens: { inputTokens: 100, cacheReadInputTokens: 1_000_000, cacheWriteInputTokens: 200_000, outputTokens: 50 },
      },
    ];
    await seedBedrock(w.cw, points);
    // moto has no GetInferenceProfile: a stub port, the adapter's request shape is tested in test/aws/inference-profiles.test.ts.
    const asked: string[][] = [];
    const profiles = {
      resolve: async (ids: readonly string[]) => (
        asked.push([...ids]),
        new Map([[arn, { modelId: 'anthropic.claude-haiku-4-5-20251001-v1:0', regions: ['us-east-1'] }]])
      ),
    };
    const s = await w.publish({ profiles });
    expect([s.status, s.periodsPublished, s.unpricedTokens, asked]).toEqual(['published', 2, 0, [[arn]]]);
    const [net] = await readSeries(
      w.cw,
      [{ namespace: w.config.namespace, metricName: 'NetSavingsUSD', modelId: arn, stat: 'Sum' }],
      END - HOUR_MS,
      END,
      HOUR_MS,
    );
    // Haiku 4.5 in-region (+10 %): read discount 1.1 − 0.11, write premium 1.375 − 1.1 per MTok.
    expect(Math.abs((net.get(END - HOUR_MS) ?? NaN) - (1_000_000 * 0.99 - 200_000 * 0.275) / 1e6)).toBeLessThan(1e-9);
  });

  test('alarm-ready series: a model above its volume guards gets all three, once a period, as the fleet alarms read them; one below gets none', async () => {
    const w = await world({ models: [{ modelId: SONNET, displayName: 'support-bot' }], publisher: { initialLookbackHours: 2 } });
    const P1 = END - 2 * HOUR_MS;
    const P2 = END - HOUR_MS;
    const quiet = { inputTokens: 2000, cacheReadInputTokens: 6000, cacheWriteInputTokens: 2000, outputTokens: 1000 };
    const points: SeedPoint[] = [
      // 100,000 cache tokens (guards 50,000), 20,000 writes (guard 20,000), hit ratio 80 %.
      {
        modelId: SONNET,
        periodStartMs: P1,
        tokens: { inputTokens: 1000, cacheReadInputTokens: 80_000, cacheWriteInputTokens: 20_000, outputTokens: 500 },
      },
      // 60,000 writes without a read.
      {
        modelId: SONNET,
        periodStartMs: P2,
        tokens: { inputTokens: 10, cacheReadInputTokens: 0, cacheWriteInputTokens: 60_000, outputTokens: 5 },
      },
      // Discovered (the section's settings), 8,000 cache tokens and 2,000 writes: below every guard.
      { modelId: HAIKU, periodStartMs: P1, tokens: quiet },
      { modelId: HAIKU, periodStartMs: P2, tokens: quiet },
    ];
    await seedBedrock(w.cw, points);
    const summary = await w.publish();
    // Per period: 8 all-models series, Sonnet's 4 and its 3 alarm-ready ones, Haiku's 4, the heartbeat.
    expect([summary.status, summary.periodsPublished, summary.models, summary.datumsPut]).toEqual(['published', 2, 2, 40]);
    const metrics = [
      CUSTOM_METRICS.writesWithoutReadsTokens,
      CUSTOM_METRICS.alarmHitRatioMarginPoints,
      CUSTOM_METRICS.alarmNetSavingsUsdPerHour,
    ];
    const series = [SONNET, HAIKU].flatMap((modelId) => metrics.map((m) => ({ modelId, metricName: m.name })));
    const got = await readSeries(
      w.cw,
      series.flatMap((x) => (['Sum', 'SampleCount'] as const).map((stat) => ({ namespace: w.config.namespace, ...x, stat }))),
      P1,
      END,
      HOUR_MS,
    );
    // Catalog price of Claude 3.7 Sonnet via us.: $3 input, $3.75 write, $0.30 read per MTok; break-even 21.7 %, so the
    // threshold is 50 %. P1: 80 − 50 points, (80,000 × 2.7 − 20,000 × 0.75) / 1e6 $/h; P2: 0 − 50, −60,000 × 0.75 / 1e6.
    const want = [
      [{ [P1]: 0, [P2]: 60_000 }, 'WritesWithoutReadsTokens'],
      [{ [P1]: 30, [P2]: -50 }, 'AlarmHitRatioMarginPoints'],
      [{ [P1]: 0.201, [P2]: -0.045 }, 'AlarmNetSavingsUSDPerHour'],
    ] as const;
    // Oldest first (GetMetricData answers newest first); a value within 1e-9 of the expected one shows as that.
    const byTime = (values: Map<number, number>) => [...values].sort(([a], [b]) => a - b);
    const near = (values: Map<number, number>, expected: Record<number, number>) =>
      byTime(values).map(([t, v]) => [t, Math.abs(v - (expected[t] ?? NaN)) < 1e-9 ? expected[t] : v]);
    expect(series.map((x, i) => [x.modelId, x.metricName, near(got[2 * i], i < 3 ? want[i][0] : {}), byTime(got[2 * i + 1])])).toEqual([
      ...want.map(([values, name]) => [
        SONNET,
        name,
        [
          [P1, values[P1]],
          [P2, values[P2]],
        ],
        [
          [P1, 1],
          [P2, 1],
        ],
      ]),
      ...metrics.map((m) => [HAIKU, m.name, [], []]),
    ]);
    // And every other series as the core computes it.
    expect(await differences(w, expectedDatums(w.config, points, P1, END, [SONNET, HAIKU]), [SONNET, HAIKU], P1, END)).toEqual([]);
  });
});
