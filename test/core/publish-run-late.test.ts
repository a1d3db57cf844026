/**
 * The publisher's protocol against CloudWatch's visibility delay, in memory: a fake CloudWatch whose presence check sees a
 * datum 24 hours old or older at put time only `delayMs` after the put (CloudWatch's PutMetricData reference: "at least
 * 48 hours"), a fake ledger with versioned conditional writes, a fake token source. A crash is the fake world going
 * down: after it, no put, read or write reaches "AWS".
 */
import { parseConfig } from '../../lambda/core/config';
import { CUSTOM_METRICS, type TokenCounts } from '../../lambda/core/contract';
import { datumKey, periodDatums, type Datum } from '../../lambda/core/datums';
import { alignDown, alignUp, DAY_MS, HOUR_MS, MINUTE_MS } from '../../lambda/core/periods';
import {
  isOldPeriod,
  LedgerConflict,
  MAX_DEFERRED_RANGES,
  PutOutcomeUnknown,
  runPublisher,
  RunIncomplete,
  type Ledger,
  type LedgerFields,
  type LedgerState,
  type RunLog,
  type RunResult,
  type SavingsSink,
  type TokenSource,
  type TokenSums,
} from '../../lambda/core/publish-run';

const MODEL = 'us.anthropic.claude-3-7-sonnet-20250219-v1:0';
const config = parseConfig({ models: [{ modelId: MODEL }] }, 'test');
const DELAY_MS = 48 * HOUR_MS;
const MAX_AGE_MS = 14 * DAY_MS - HOUR_MS;
const LAG = CUSTOM_METRICS.publisherLagMinutes.name;
const BACKLOG = CUSTOM_METRICS.periodsAwaitingSettlement.name;
/** A run's health report (lag, backlog), at the run's own time: not savings datums of a period. */
const isHealth = (d: Datum) => d.metricName === LAG || d.metricName === BACKLOG;
const HEARTBEAT = CUSTOM_METRICS.publishedPeriods.name;
/** A run time 10 minutes after an hour: the settle delay has just passed. */
const T0 = Date.UTC(2026, 10, 20, 12, 10);

type Fault = 'crash-after' | 'crash-before' | 'drop-after' | 'drop-before' | undefined;

class World {
  now = T0;
  down = false;
  runs = 0;
  readonly stored: { datum: Datum; putAtMs: number }[] = [];
  readonly puts: Datum[][] = [];
  readonly asked: Datum[][] = [];
  fault: (datums: readonly Datum[]) => Fault = () => undefined;
  state: LedgerState = { version: 0 };
  readonly logs: { level: string; message: string; data?: Record<string, unknown> }[] = [];

  readonly sink: SavingsSink = {
    put: async (datums) => {
      if (this.down) throw new PutOutcomeUnknown('down');
      this.puts.push([...datums]);
      const f = datums.some(isHealth) ? undefined : this.fault(datums);
      if (f === 'crash-before' || f === 'drop-before') {
        if (f === 'crash-before') this.down = true;
        throw new PutOutcomeUnknown('connection dropped before the request reached CloudWatch');
      }
      for (const datum of datums) this.stored.push({ datum, putAtMs: this.now });
      if (f === 'crash-after' || f === 'drop-after') {
        if (f === 'crash-after') this.down = true;
        throw new PutOutcomeUnknown('reply lost');
      }
    },
    present: async (datums) => {
      if (this.down) throw new Error('down');
      this.asked.push([...datums]);
      const visible = new Set(
        this.stored.filter((s) => this.now >= s.putAtMs + (isOldPeriod(s.datum.timestampMs, s.putAtMs) ? DELAY_MS : 0)).map((s) => datumKey(s.datum)),
      );
      return new Set(datums.map(datumKey).filter((k) => visible.has(k)));
    },
  };

  readonly ledger: Ledger = {
    read: async () => {
      if (this.down) throw new Error('down');
      return structuredClone(this.state);
    },
    write: async (expectedVersion: number, next: LedgerFields) => {
      if (this.down) throw new Error('down');
      if (expectedVersion !== this.state.version) throw new LedgerConflict(`version ${this.state.version}, expected ${expectedVersion}`);
      this.state = { ...structuredClone(next), version: expectedVersion + 1 };
      return structuredClone(this.state);
    },
  };

  readonly log: RunLog = {
    info: (message, data) => this.logs.push({ level: 'info', message, data }),
    warn: (message, data) => this.logs.push({ level: 'warn', message, data }),
  };

  /** One run at `now` (the world comes back up first: a crash ends with the run). */
  async run(over: { sinceMs?: number } = {}): Promise<RunResult> {
    this.down = false;
    this.logs.length = 0;
    return runPublisher(config, source, this.sink, this.ledger, {
      nowMs: this.now,
      runId: `run-${++this.runs}`,
      periodMs: HOUR_MS,
      settleMs: 10 * MINUTE_MS,
      initialLookbackMs: 24 * HOUR_MS,
      maxAgeMs: MAX_AGE_MS,
      leaseMs: 15 * MINUTE_MS,
      maxDatumsPerPut: 1000,
      oldDatapointVisibilityMs: DELAY_MS,
      maxPutAttempts: 6,
      sleep: () => Promise.resolve(),
      clock: () => this.now,
      ...over,
    }, this.log);
  }

  async runFails(over: { sinceMs?: number } = {}): Promise<RunIncomplete> {
    const err = await this.run(over).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RunIncomplete);
    return err as RunIncomplete;
  }

  /** Every stored savings datum (the lag reports aside) as `key=value`, sorted: a duplicate shows as two lines. */
  multiset(): string[] {
    return this.stored.filter((s) => !isHealth(s.datum)).map((s) => `${datumKey(s.datum)}=${s.datum.value}`).sort();
  }

  /** Stored datums of one period (the lag reports aside). */
  storedAt(p: number): Datum[] {
    return this.stored.map((s) => s.datum).filter((d) => !isHealth(d) && d.timestampMs === p);
  }

  putsOf(p: number): number {
    return this.puts.flat().filter((d) => !isHealth(d) && d.timestampMs === p).length;
  }
}

function tokensAt(p: number): TokenCounts {
  const h = Math.round(p / HOUR_MS);
  return { inputTokens: 100 + (h % 7), cacheReadInputTokens: 1000 * (h % 5), cacheWriteInputTokens: 200 + (h % 3), outputTokens: 50 };
}

const source: TokenSource = {
  discoverModelIds: async () => [MODEL],
  readTokenSums: async (modelIds, startMs, endMs, periodMs): Promise<TokenSums> => {
    const byPeriod = new Map<number, TokenCounts>();
    for (let p = startMs; p < endMs; p += periodMs) byPeriod.set(p, tokensAt(p));
    return new Map(modelIds.map((id) => [id, byPeriod]));
  },
};

function datumsOf(p: number): Datum[] {
  return periodDatums(p, new Map([[MODEL, tokensAt(p)]]), [MODEL], config).datums;
}

/** What CloudWatch must hold for [from, to): each datum once, plus the LostPeriods datums given. */
function expected(from: number, to: number, lost: readonly Datum[] = []): string[] {
  const out: Datum[] = [...lost];
  for (let p = from; p < to; p += HOUR_MS) out.push(...datumsOf(p));
  return out.map((d) => `${datumKey(d)}=${d.value}`).sort();
}

const endOf = (nowMs: number) => alignDown(nowMs - 10 * MINUTE_MS, HOUR_MS);
const PER_PERIOD = datumsOf(T0).length;

describe('publisher vs CloudWatch visibility delay of old datums (in memory)', () => {
  test('periods 24 h or older go out one period per PutMetricData call; recent ones together', async () => {
    const w = new World();
    const since = endOf(T0) - 30 * HOUR_MS;
    const r = await w.run({ sinceMs: since });
    expect([r.status, r.periodsPublished, r.deferredLimitReached, r.periodsAwaitingSettlement, r.settlementDueAtMs]).toEqual(['published', 30, false, 0, undefined]);
    const savingsPuts = w.puts.filter((c) => !isHealth(c[0]));
    // 7 periods 24 h 10 min to 30 h 10 min old, one call each; the 23 recent periods in one call.
    expect(savingsPuts.map((c) => new Set(c.map((d) => d.timestampMs)).size)).toEqual([1, 1, 1, 1, 1, 1, 1, 23]);
    expect(w.multiset()).toEqual(expected(since, endOf(T0)));
  });

  test('crash after a put of a 30-hour-old period → not re-put nor lost before 48 h, newer periods keep flowing; after 48 h present exactly once', async () => {
    const w = new World();
    const end0 = endOf(T0);
    const old = end0 - 30 * HOUR_MS;
    w.fault = (ds) => (ds[0].timestampMs === old ? 'crash-after' : undefined);
    const crashed = await w.runFails({ sinceMs: old });
    expect([crashed.result.periodsPublished, crashed.result.watermarkMs]).toEqual([0, old]);
    expect(w.state).toMatchObject({ watermarkMs: old, uncertainFromMs: old, uncertainToMs: old, uncertainPutAtMs: T0, uncertainOldestMs: old, owner: 'run-1' });
    w.fault = () => undefined;

    // After the lease: the range is deferred, the watermark moves past it, the other 29 periods go out.
    w.now = T0 + 16 * MINUTE_MS;
    const second = await w.run();
    expect([second.status, second.periodsPublished, second.periodsAlreadyPresent, second.periodsLost, second.watermarkMs]).toEqual(['published', 29, 0, 0, end0]);
    expect([second.periodsAwaitingSettlement, second.settlementDueAtMs]).toEqual([1, T0 + DELAY_MS]);
    expect(w.state).toEqual({ version: w.state.version, watermarkMs: end0, deferred: [{ fromMs: old, toMs: old, putAtMs: T0, oldestMs: old }] });
    // It did not even ask about the deferred period: CloudWatch would not show it yet.
    expect(w.asked.flat().filter((d) => d.timestampMs === old)).toEqual([]);

    // A day later: 24 new periods, the deferred one still waiting.
    w.now = T0 + 24 * HOUR_MS;
    const third = await w.run();
    expect([third.periodsPublished, third.periodsAlreadyPresent, third.periodsAwaitingSettlement, third.watermarkMs]).toEqual([24, 0, 1, endOf(w.now)]);
    expect(w.putsOf(old)).toBe(PER_PERIOD);

    // Just before 48 h: still waiting.
    w.now = T0 + DELAY_MS - MINUTE_MS;
    expect((await w.run()).periodsAwaitingSettlement).toBe(1);
    expect(w.putsOf(old)).toBe(PER_PERIOD);

    // 48 h after the put: found present, counted as published by the crashed run, nothing re-put.
    w.now = T0 + DELAY_MS + MINUTE_MS;
    const settled = await w.run();
    expect([settled.periodsAlreadyPresent, settled.periodsLost, settled.periodsAwaitingSettlement, settled.settlementDueAtMs]).toEqual([1, 0, 0, undefined]);
    expect(w.putsOf(old)).toBe(PER_PERIOD);
    expect(w.multiset()).toEqual(expected(old, endOf(w.now)));
    expect(w.state).toEqual({ version: w.state.version, watermarkMs: endOf(w.now) });
    // The backlog series: one datum of 1 at each run's own time while the period waited, none before or after.
    const backlog = w.stored.filter((s) => s.datum.metricName === BACKLOG).map((s) => [s.datum.timestampMs, s.datum.value, s.datum.unit]);
    expect(backlog).toEqual([T0 + 16 * MINUTE_MS, T0 + 24 * HOUR_MS, T0 + DELAY_MS - MINUTE_MS].map((t) => [t, 1, 'Count']));
  });

  test('the same with the put in fact lost → after 48 h its datums are put, once', async () => {
    const w = new World();
    const end0 = endOf(T0);
    const old = end0 - 30 * HOUR_MS;
    w.fault = (ds) => (ds[0].timestampMs === old ? 'crash-before' : undefined);
    await w.runFails({ sinceMs: old });
    w.fault = () => undefined;
    w.now = T0 + 16 * MINUTE_MS;
    const second = await w.run();
    expect([second.periodsPublished, second.periodsAwaitingSettlement, second.watermarkMs]).toEqual([29, 1, end0]);
    expect(w.storedAt(old)).toEqual([]);
    expect(w.putsOf(old)).toBe(PER_PERIOD); // the one lost attempt
    w.now = T0 + 30 * HOUR_MS;
    expect((await w.run()).periodsAwaitingSettlement).toBe(1);
    expect(w.storedAt(old)).toEqual([]);

    w.now = T0 + DELAY_MS + 5 * MINUTE_MS;
    const settled = await w.run();
    // 18 new periods since the last run, and the deferred one, put now.
    expect([settled.periodsPublished, settled.periodsAlreadyPresent, settled.periodsLost, settled.periodsAwaitingSettlement]).toEqual([19, 0, 0, 0]);
    expect(w.storedAt(old)).toEqual(datumsOf(old));
    expect(w.multiset()).toEqual(expected(old, endOf(w.now)));
    expect(w.state).toEqual({ version: w.state.version, watermarkMs: endOf(w.now) });
  });

  test('a dropped reply on an old put within a run: deferred, the run goes on; a crash while settling defers it again, never twice', async () => {
    const w = new World();
    const end0 = endOf(T0);
    const since = end0 - 30 * HOUR_MS;
    const a = since + HOUR_MS;
    const b = since + 3 * HOUR_MS;
    w.fault = (ds) => (ds[0].timestampMs === a ? 'drop-after' : ds[0].timestampMs === b ? 'drop-before' : undefined);
    const first = await w.run({ sinceMs: since });
    expect([first.status, first.periodsPublished, first.periodsAwaitingSettlement, first.watermarkMs]).toEqual(['published', 28, 2, end0]);
    expect(w.state.deferred).toEqual([
      { fromMs: a, toMs: a, putAtMs: T0, oldestMs: a },
      { fromMs: b, toMs: b, putAtMs: T0, oldestMs: b },
    ]);
    expect([w.putsOf(a), w.putsOf(b)]).toEqual([PER_PERIOD, PER_PERIOD]);

    // 48 h later: `a` is there; `b` is put, but that run crashes after the put → `b` deferred again, 48 h from now.
    w.now = T0 + DELAY_MS;
    w.fault = (ds) => (ds[0].timestampMs === b ? 'crash-after' : undefined);
    const crashed = await w.runFails();
    expect(crashed.result.periodsAlreadyPresent).toBe(1);
    expect(w.state).toMatchObject({ uncertainFromMs: b, uncertainToMs: b, uncertainPutAtMs: w.now });
    expect(w.state.deferred).toBeUndefined();
    w.fault = () => undefined;
    w.now += 20 * MINUTE_MS;
    const after = await w.run();
    expect([after.periodsAwaitingSettlement, after.settlementDueAtMs]).toEqual([1, T0 + 2 * DELAY_MS]);
    expect(w.putsOf(b)).toBe(2 * PER_PERIOD);
    w.now = T0 + 2 * DELAY_MS + MINUTE_MS;
    const last = await w.run();
    expect([last.periodsAlreadyPresent, last.periodsAwaitingSettlement]).toEqual([1, 0]);
    expect(w.putsOf(b)).toBe(2 * PER_PERIOD);
    expect(w.multiset()).toEqual(expected(since, endOf(w.now)));
  });

  test('overlapping and adjacent deferred ranges: a period waits while any range holding it waits; each period settles once', async () => {
    const w = new World();
    w.now = T0 + 100 * HOUR_MS;
    const end = endOf(w.now);
    const p = (k: number) => end - 100 * HOUR_MS + k * HOUR_MS; // 100 to 93 hours before the end
    // p0..p1 put 49 h ago (due), p1..p2 put 10 h ago (waiting; overlaps at p1), p3 put 49 h ago (due; adjacent).
    const put = (period: number, atMs: number, count = PER_PERIOD) => datumsOf(period).slice(0, count).forEach((datum) => w.stored.push({ datum, putAtMs: atMs }));
    put(p(0), w.now - 49 * HOUR_MS);
    put(p(1), w.now - 10 * HOUR_MS, 3);
    put(p(3), w.now - 49 * HOUR_MS, 5);
    w.state = {
      version: 7,
      watermarkMs: end - HOUR_MS,
      deferred: [
        { fromMs: p(0), toMs: p(1), putAtMs: w.now - 49 * HOUR_MS, oldestMs: p(0) },
        { fromMs: p(1), toMs: p(2), putAtMs: w.now - 10 * HOUR_MS, oldestMs: p(1) },
        { fromMs: p(3), toMs: p(3), putAtMs: w.now - 49 * HOUR_MS, oldestMs: p(3) },
      ],
    };
    const r = await w.run();
    // p0 present; p3 partly there (no heartbeat): its missing datums put; p1, p2 wait with the range still waiting.
    expect([r.periodsAlreadyPresent, r.periodsPublished, r.periodsAwaitingSettlement, r.settlementDueAtMs]).toEqual([1, 2, 2, w.now + 38 * HOUR_MS]);
    expect(w.state.deferred).toEqual([{ fromMs: p(1), toMs: p(2), putAtMs: w.now - 10 * HOUR_MS, oldestMs: p(1) }]);
    expect([w.putsOf(p(1)), w.putsOf(p(2)), w.putsOf(p(3))]).toEqual([0, 0, PER_PERIOD - 5]);
    const dueAt = w.now + 38 * HOUR_MS;
    w.now = dueAt;
    const later = await w.run();
    expect([later.periodsAlreadyPresent, later.periodsAwaitingSettlement]).toEqual([0, 0]);
    expect([w.putsOf(p(1)), w.putsOf(p(2))]).toEqual([PER_PERIOD - 3, PER_PERIOD]);
    expect(w.multiset()).toEqual(expected(p(0), p(4)).concat(expected(end - HOUR_MS, endOf(w.now))).sort());
  });

  test('a range that ages past 14 days while waiting: its absent period counted in LostPeriods, the present one published, none both', async () => {
    const w = new World();
    const now3 = T0 + DELAY_MS + 20 * MINUTE_MS;
    const lostP = alignUp(now3 - MAX_AGE_MS, HOUR_MS) - HOUR_MS; // publishable at T0, too old at now3
    const keptP = lostP + HOUR_MS;
    w.fault = (ds) => (ds[0].timestampMs === lostP ? 'crash-before' : undefined);
    await w.runFails({ sinceMs: lostP });
    w.now = T0 + 16 * MINUTE_MS;
    w.fault = (ds) => (ds[0].timestampMs === keptP ? 'drop-after' : undefined);
    const second = await w.run();
    expect(second.periodsAwaitingSettlement).toBe(2);
    w.fault = () => undefined;
    w.now = now3;
    const r = await w.run();
    const firstPeriod = endOf(T0);
    expect([r.periodsLost, r.periodsAlreadyPresent, r.periodsAwaitingSettlement]).toEqual([1, 1, 0]);
    expect(w.storedAt(lostP)).toEqual([]);
    expect(w.storedAt(keptP).filter((d) => d.metricName === HEARTBEAT)).toHaveLength(1);
    expect(w.logs.filter((l) => l.level === 'warn').map((l) => [l.message, l.data?.lost, l.data?.from])).toEqual([
      ["deferred periods aged past CloudWatch's window before their presence check could be trusted: counted as lost", 1, new Date(lostP).toISOString()],
    ]);
    const lost: Datum = { metricName: CUSTOM_METRICS.lostPeriods.name, timestampMs: firstPeriod, value: 1, unit: 'Count' };
    expect(w.multiset()).toEqual(expected(keptP, endOf(w.now), [lost]));
  });

  test(`the ${MAX_DEFERRED_RANGES}-range limit: with the list full no old period is put, nor a newer one past it; then everything once`, async () => {
    const w = new World();
    const end0 = endOf(T0);
    const since = end0 - 40 * HOUR_MS; // 17 periods 24 h or older, 23 recent
    w.fault = (ds) => (isOldPeriod(ds[0].timestampMs, w.now) ? 'drop-before' : undefined);
    const first = await w.run({ sinceMs: since });
    expect([first.status, first.deferredLimitReached, first.periodsPublished, first.periodsAwaitingSettlement, first.watermarkMs]).toEqual([
      'published',
      true,
      0,
      10,
      since + 10 * HOUR_MS,
    ]);
    expect(w.state.deferred).toHaveLength(MAX_DEFERRED_RANGES);
    // The 11th old period was not attempted, nor any recent one (it would leave the old ones behind the watermark).
    expect(w.puts.filter((c) => !isHealth(c[0])).map((c) => c[0].timestampMs)).toEqual(Array.from({ length: 10 }, (_, k) => since + k * HOUR_MS));
    expect(w.logs.filter((l) => l.message.includes('deferred ranges')).map((l) => [l.level, l.data?.heldFrom])).toEqual([['warn', new Date(since + 10 * HOUR_MS).toISOString()]]);

    // Before the delay passes, the next run still holds back (its old periods are older now, the recent ones wait behind).
    w.now = T0 + HOUR_MS;
    const held = await w.run();
    expect([held.deferredLimitReached, held.periodsPublished, held.watermarkMs]).toEqual([true, 0, since + 10 * HOUR_MS]);

    w.fault = () => undefined;
    w.now = T0 + DELAY_MS + MINUTE_MS;
    const r = await w.run();
    expect([r.deferredLimitReached, r.periodsAwaitingSettlement, r.periodsAlreadyPresent, r.periodsLost]).toEqual([false, 0, 0, 0]);
    expect(r.periodsPublished).toBe((endOf(w.now) - since) / HOUR_MS);
    expect(w.multiset()).toEqual(expected(since, endOf(w.now)));
    expect(w.state).toEqual({ version: w.state.version, watermarkMs: endOf(w.now) });
  });

  test('an uncertain range from a ledger item without a put time is trusted at once, as before', async () => {
    const w = new World();
    const end = endOf(T0);
    const old = end - 30 * HOUR_MS;
    datumsOf(old).forEach((datum) => w.stored.push({ datum, putAtMs: T0 - 49 * HOUR_MS }));
    w.state = { version: 3, watermarkMs: old, uncertainFromMs: old, uncertainToMs: old, owner: 'gone', leaseUntilMs: T0 - MINUTE_MS };
    const r = await w.run();
    expect([r.periodsAlreadyPresent, r.periodsPublished, r.periodsAwaitingSettlement]).toEqual([1, 29, 0]);
    expect(w.multiset()).toEqual(expected(old, end));
  });
});
