/**
 * The publisher's protocol against CloudWatch's visibility delay, in memory (test/support/in-memory-publisher.ts): its
 * fake CloudWatch shows a datum 24 hours old or older at put time only 48 hours after the put.
 */
import { CUSTOM_METRICS } from '../../lambda/core/contract';
import type { Datum } from '../../lambda/core/datums';
import { alignUp, HOUR_MS, MINUTE_MS } from '../../lambda/core/periods';
import { isOldPeriod, MAX_DEFERRED_RANGES } from '../../lambda/core/publish-run';
import { BACKLOG, DELAY_MS, endOf, HEARTBEAT, isHealth, MAX_AGE_MS, T0, World } from '../support/in-memory-publisher';

/** The datums of one period, and what CloudWatch must hold, with the tokens of a fresh world (they vary by hour). */
const datumsOf = (p: number) => new World().datumsOf(p);
const expected = (from: number, to: number, lost: readonly Datum[] = []) => new World().expected(from, to, lost);
const PER_PERIOD = datumsOf(T0).length;

describe('publisher vs CloudWatch visibility delay of old datums (in memory)', () => {
  test('periods 24 h or older go out one period per PutMetricData call; recent ones together', async () => {
    const w = new World();
    const since = endOf(T0) - 30 * HOUR_MS;
    const r = await w.run({ sinceMs: since });
    expect([r.status, r.periodsPublished, r.deferredLimitReached, r.periodsAwaitingSettlement, r.settlementDueAtMs]).toEqual([
      'published',
      30,
      false,
      0,
      undefined,
    ]);
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
    expect(w.state).toMatchObject({
      watermarkMs: old,
      uncertainFromMs: old,
      uncertainToMs: old,
      uncertainPutAtMs: T0,
      uncertainOldestMs: old,
      owner: 'run-1',
    });
    w.fault = () => undefined;

    // After the lease: the range is deferred, the watermark moves past it, the other 29 periods go out.
    w.now = T0 + 16 * MINUTE_MS;
    const second = await w.run();
    expect([second.status, second.periodsPublished, second.periodsAlreadyPresent, second.periodsLost, second.watermarkMs]).toEqual([
      'published',
      29,
      0,
      0,
      end0,
    ]);
    expect([second.periodsAwaitingSettlement, second.settlementDueAtMs]).toEqual([1, T0 + DELAY_MS]);
    expect(w.state).toEqual({
      version: w.state.version,
      watermarkMs: end0,
      deferred: [{ fromMs: old, toMs: old, putAtMs: T0, oldestMs: old }],
    });
    // It did not even ask about the deferred period: CloudWatch would not show it yet.
    expect(w.asked.flat().filter((d) => d.timestampMs === old)).toEqual([]);

    // A day later: 24 new periods, the deferred one still waiting.
    w.now = T0 + 24 * HOUR_MS;
    const third = await w.run();
    expect([third.periodsPublished, third.periodsAlreadyPresent, third.periodsAwaitingSettlement, third.watermarkMs]).toEqual([
      24,
      0,
      1,
      endOf(w.now),
    ]);
    expect(w.putsOf(old)).toBe(PER_PERIOD);

    // Just before 48 h: still waiting.
    w.now = T0 + DELAY_MS - MINUTE_MS;
    expect((await w.run()).periodsAwaitingSettlement).toBe(1);
    expect(w.putsOf(old)).toBe(PER_PERIOD);

    // 48 h after the put: found present, counted as published by the crashed run, nothing re-put.
    w.now = T0 + DELAY_MS + MINUTE_MS;
    const settled = await w.run();
    expect([settled.periodsAlreadyPresent, settled.periodsLost, settled.periodsAwaitingSettlement, settled.settlementDueAtMs]).toEqual([
      1,
      0,
      0,
      undefined,
    ]);
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
    expect([settled.periodsPublished, settled.periodsAlreadyPresent, settled.periodsLost, settled.periodsAwaitingSettlement]).toEqual([
      19, 0, 0, 0,
    ]);
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
    const put = (period: number, atMs: number, count = PER_PERIOD) =>
      datumsOf(period)
        .slice(0, count)
        .forEach((datum) => w.stored.push({ datum, putAtMs: atMs }));
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
    expect([r.periodsAlreadyPresent, r.periodsPublished, r.periodsAwaitingSettlement, r.settlementDueAtMs]).toEqual([
      1,
      2,
      2,
      w.now + 38 * HOUR_MS,
    ]);
    expect(w.state.deferred).toEqual([{ fromMs: p(1), toMs: p(2), putAtMs: w.now - 10 * HOUR_MS, oldestMs: p(1) }]);
    expect([w.putsOf(p(1)), w.putsOf(p(2)), w.putsOf(p(3))]).toEqual([0, 0, PER_PERIOD - 5]);
    const dueAt = w.now + 38 * HOUR_MS;
    w.now = dueAt;
    const later = await w.run();
    expect([later.periodsAlreadyPresent, later.periodsAwaitingSettlement]).toEqual([0, 0]);
    expect([w.putsOf(p(1)), w.putsOf(p(2))]).toEqual([PER_PERIOD - 3, PER_PERIOD]);
    expect(w.multiset()).toEqual(
      expected(p(0), p(4))
        .concat(expected(end - HOUR_MS, endOf(w.now)))
        .sort(),
    );
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
      [
        "deferred periods aged past CloudWatch's window before their presence check could be trusted: counted as lost",
        1,
        new Date(lostP).toISOString(),
      ],
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
    expect(w.puts.filter((c) => !isHealth(c[0])).map((c) => c[0].timestampMs)).toEqual(
      Array.from({ length: 10 }, (_, k) => since + k * HOUR_MS),
    );
    expect(w.logs.filter((l) => l.message.includes('deferred ranges')).map((l) => [l.level, l.data?.heldFrom])).toEqual([
      ['warn', new Date(since + 10 * HOUR_MS).toISOString()],
    ]);

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
