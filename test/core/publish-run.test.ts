/**
 * runPublisher's exactly-once protocol against the in-memory ports (test/support/in-memory-publisher.ts): the exact
 * datums that reach the fake CloudWatch and the exact ledger states, through crashes at every step, a ledger conflict,
 * lease expiry, the presence check of an uncertain range, throttled puts and puts whose outcome is unknown.
 * test/integration/publisher.test.ts runs the same protocol through the AWS adapters against moto.
 */
import { HOUR_MS, MINUTE_MS } from '../../lambda/core/periods';
import { LedgerConflict, PutOutcomeUnknown, PutThrottled, type LedgerState } from '../../lambda/core/ports';
import type { RunResult } from '../../lambda/core/publish-run';
import { datumLine, endOf, LEASE_MS, MODEL, T0, World, type Fault } from '../support/in-memory-publisher';

/** The same tokens in every period: 75 % hit ratio, round dollars. */
const TOKENS = { inputTokens: 2000, cacheReadInputTokens: 6000, cacheWriteInputTokens: 2000, outputTokens: 1000 };
const END = endOf(T0); // 12:00
const P1 = END - 2 * HOUR_MS; // 10:00, the first period of the runs below
const P2 = END - HOUR_MS; // 11:00
const iso = (ms: number) => new Date(ms).toISOString();

/**
 * The 13 datums of one period with TOKENS, in put order; Claude 3.7 Sonnet via us.: $3 input, $15 output, $3.75 cache
 * write, $0.30 cache read per million tokens: with the cache 0.006 + 0.018 + 0.0075 + 0.0018 = 0.0303, without it
 * 10,000 × $3 / M + 0.015 = 0.045.
 */
const PERIOD: readonly (readonly [metric: string, dimensions: string, value: number, unit: string])[] = [
  ['CacheHitRatio', '-', 75, 'Percent'],
  ['NetSavingsUSD', '-', 0.0147, 'None'],
  ['CostWithCacheUSD', '-', 0.0303, 'None'],
  ['CostWithoutCacheUSD', '-', 0.045, 'None'],
  ['UnpricedTokens', '-', 0, 'Count'],
  ['CacheReadTokens', '-', 6000, 'Count'],
  ['CacheWriteTokens', '-', 2000, 'Count'],
  ['WritesWithoutReadsTokens', '-', 0, 'Count'],
  ['CacheHitRatio', `ModelId=${MODEL}`, 75, 'Percent'],
  ['NetSavingsUSD', `ModelId=${MODEL}`, 0.0147, 'None'],
  ['CostWithCacheUSD', `ModelId=${MODEL}`, 0.0303, 'None'],
  ['CostWithoutCacheUSD', `ModelId=${MODEL}`, 0.045, 'None'],
  // None of the model's alarm-ready series: 8,000 cache tokens and 2,000 writes a period are below their guards (50,000, 20,000).
  ['PublishedPeriods', '-', 1, 'Count'],
];
const periodLines = (p: number) => PERIOD.map(([metric, dims, value, unit]) => `${metric} ${dims} ${iso(p)} ${value} ${unit}`);
/** What CloudWatch must hold after the runs below: both periods, each datum once. */
const BOTH = [...periodLines(P1), ...periodLines(P2)].sort();
const lagLine = (atMs: number, minutes: number) => `PublisherLagMinutes - ${iso(atMs)} ${minutes} None`;

/** 10 datums a put: the 26 datums of P1 and P2 go out in 3 puts (10, 10, 6), the second one straddling both periods. */
const RUN = { sinceMs: P1, maxDatumsPerPut: 10 };
const world = () => new World({ tokensAt: () => TOKENS });

/** The ledger states of a run of P1 and P2 by run-1 at T0, in the order it writes them. */
const LEASED = { owner: 'run-1', leaseUntilMs: T0 + LEASE_MS };
const claim = (fromMs: number, toMs: number) => ({
  uncertainFromMs: fromMs,
  uncertainToMs: toMs,
  uncertainPutAtMs: T0,
  uncertainOldestMs: fromMs,
  ...LEASED,
});
const S0: LedgerState = { version: 0 };
const S1: LedgerState = { version: 1, ...LEASED };
const S2: LedgerState = { version: 2, watermarkMs: P1, ...claim(P1, P1) };
const S3: LedgerState = { version: 3, watermarkMs: P1, ...claim(P1, P2) };
const S4: LedgerState = { version: 4, watermarkMs: P2, ...claim(P2, P2) };
const S5: LedgerState = { version: 5, watermarkMs: END };
/** What a run writes: a state without its version. */
const written = ({ version: _version, ...fields }: LedgerState) => fields;

const result = (over: Partial<RunResult>): RunResult => ({
  status: 'published',
  periodsPublished: 0,
  periodsAlreadyPresent: 0,
  periodsLost: 0,
  datumsPut: 0,
  models: 1,
  tokens: { inputTokens: 4000, cacheReadInputTokens: 12000, cacheWriteInputTokens: 4000, outputTokens: 2000 },
  unpricedTokens: 0,
  watermarkMs: END,
  periodsAwaitingSettlement: 0,
  deferredLimitReached: false,
  ...over,
});

describe('runPublisher in memory: one run', () => {
  test('a fault-free run: a lease, a claim before each put, a commit that releases the lease; each datum once, then its lag', async () => {
    const w = world();
    expect(await w.run(RUN)).toEqual(result({ periodsPublished: 2, datumsPut: 26 }));
    expect(w.steps.map((s) => (s.kind === 'put' ? `put ${s.datums.length}` : s.next))).toEqual([
      written(S1),
      written(S2),
      'put 10',
      written(S3),
      'put 10',
      written(S4),
      'put 6',
      written(S5),
    ]);
    expect(w.state).toEqual(S5);
    expect(w.savingsLines()).toEqual(BOTH);
    expect(w.lagReports().map(datumLine)).toEqual([lagLine(T0, 10)]);
    // The puts go out in the order of the stream: P1's datums, then P2's.
    expect(w.puts.slice(0, 3).flat().map(datumLine)).toEqual([...periodLines(P1), ...periodLines(P2)]);
  });
});

describe('runPublisher in memory: a crash at every step of a run, then the next run', () => {
  // [step, kind, crash, what the crashed run throws, the ledger it leaves, datums stored, the next run's
  //  [status, periodsPublished, periodsAlreadyPresent, datumsPut], the ledger's version after it]
  test.each<[number, 'put' | 'write', 'before' | 'after', string, LedgerState, number, [string, number, number, number], number]>([
    // The lease write comes before any work: a crash there is a plain error, not RunIncomplete.
    [0, 'write', 'before', 'Error', S0, 0, ['published', 2, 0, 26], 5],
    [0, 'write', 'after', 'Error', S1, 0, ['published', 2, 0, 26], 6],
    [1, 'write', 'before', 'RunIncomplete', S1, 0, ['published', 2, 0, 26], 6],
    [1, 'write', 'after', 'RunIncomplete', S2, 0, ['published', 2, 0, 26], 7],
    [2, 'put', 'before', 'RunIncomplete', S2, 0, ['published', 2, 0, 26], 7],
    [2, 'put', 'after', 'RunIncomplete', S2, 10, ['published', 2, 0, 16], 6],
    [3, 'write', 'before', 'RunIncomplete', S2, 10, ['published', 2, 0, 16], 6],
    [3, 'write', 'after', 'RunIncomplete', S3, 10, ['published', 2, 0, 16], 7],
    [4, 'put', 'before', 'RunIncomplete', S3, 10, ['published', 2, 0, 16], 7],
    // P1 complete (its heartbeat is there: already present), 7 of P2's datums: only P2's other 6 go out.
    [4, 'put', 'after', 'RunIncomplete', S3, 20, ['published', 1, 1, 6], 6],
    [5, 'write', 'before', 'RunIncomplete', S3, 20, ['published', 1, 1, 6], 6],
    [5, 'write', 'after', 'RunIncomplete', S4, 20, ['published', 1, 0, 6], 7],
    [6, 'put', 'before', 'RunIncomplete', S4, 20, ['published', 1, 0, 6], 7],
    [6, 'put', 'after', 'RunIncomplete', S4, 26, ['published', 0, 1, 0], 6],
    [7, 'write', 'before', 'RunIncomplete', S4, 26, ['published', 0, 1, 0], 6],
    [7, 'write', 'after', 'RunIncomplete', S5, 26, ['nothing-to-do', 0, 0, 0], 5],
  ])('step %i (%s), crash %s: %s', async (index, kind, when, thrown, left, stored, next, version) => {
    const w = world();
    w.crashAt(index, when);
    const crashed = await w.outcome(RUN);
    expect([w.steps[index].kind, (crashed as Error).name, w.state, w.savingsLines().length]).toEqual([kind, thrown, left, stored]);
    // The crashed run reports no lag: CloudWatch is down for it.
    expect(w.lagReports()).toEqual([]);

    // The next run, once the crashed run's lease has expired.
    w.clearFaults();
    w.now = T0 + 16 * MINUTE_MS;
    const r = await w.run(RUN);
    expect([r.status, r.periodsPublished, r.periodsAlreadyPresent, r.datumsPut, r.watermarkMs]).toEqual([...next, END]);
    expect(w.state).toEqual({ version, watermarkMs: END });
    expect(w.savingsLines()).toEqual(BOTH);
    expect(w.lagReports().map(datumLine)).toEqual([lagLine(w.now, 26)]);
  });
});

describe('runPublisher in memory: another run, and the lease', () => {
  test('another run takes the ledger between the read and the lease write → busy, nothing put; the other run publishes once', async () => {
    const w = world();
    let other: RunResult | undefined;
    w.interleave(0, async () => (other = await w.run(RUN)));
    const r = await w.run(RUN);
    expect(other).toEqual(result({ periodsPublished: 2, datumsPut: 26 }));
    expect(r).toEqual(
      result({
        status: 'busy',
        models: 0,
        tokens: { inputTokens: 0, cacheReadInputTokens: 0, cacheWriteInputTokens: 0, outputTokens: 0 },
        watermarkMs: undefined,
      }),
    );
    expect(w.logs.at(-1)?.message).toBe('another run took the ledger lease first; leaving the work to it');
    expect(w.state).toEqual(S5);
    expect(w.savingsLines()).toEqual(BOTH);
    // Only the other run knows a watermark to report.
    expect(w.lagReports().map(datumLine)).toEqual([lagLine(T0, 10)]);
  });

  test("a run outlives its lease: a later run takes over and commits; the first one's next write conflicts and it puts nothing more", async () => {
    const w = world();
    let other: RunResult | undefined;
    // Before run-1's second claim (after its first put), 16 minutes on: run-2 finds run-1's lease expired.
    w.interleave(3, async () => {
      w.now = T0 + 16 * MINUTE_MS;
      other = await w.run(RUN);
    });
    const first = await w.runFails(RUN);
    expect(other).toEqual(result({ periodsPublished: 2, datumsPut: 16 }));
    expect(first.cause).toBeInstanceOf(LedgerConflict);
    expect([first.message, first.result.datumsPut, first.result.watermarkMs]).toEqual([
      'run stopped after 0 of 2 periods: version 6, expected 2',
      10,
      P1,
    ]);
    expect(w.state).toEqual({ version: 6, watermarkMs: END });
    expect(w.savingsPuts().map((p) => p.length)).toEqual([10, 10, 6]);
    expect(w.savingsLines()).toEqual(BOTH);
    // Each run reports the watermark it knows: run-2 at 12:26, run-1 (its own time) at 12:10.
    expect(w.lagReports().map(datumLine)).toEqual([lagLine(T0 + 16 * MINUTE_MS, 26), lagLine(T0, 130)]);
  });

  test("a crashed run's lease: busy until it expires (to the millisecond), then the next run takes over", async () => {
    const w = world();
    w.crashAt(2, 'after');
    await w.runFails(RUN);
    expect(w.state).toEqual(S2);
    w.clearFaults();

    w.now = T0 + LEASE_MS - 1;
    const busy = await w.run(RUN);
    expect(busy).toEqual(
      result({
        status: 'busy',
        models: 0,
        tokens: { inputTokens: 0, cacheReadInputTokens: 0, cacheWriteInputTokens: 0, outputTokens: 0 },
        watermarkMs: P1,
      }),
    );
    expect(w.logs.map((l) => [l.level, l.message, l.data])).toEqual([
      ['info', 'another run holds the ledger lease; leaving the work to it', { owner: 'run-1', leaseUntil: iso(T0 + LEASE_MS) }],
    ]);
    expect([w.state, w.steps, w.savingsLines().length]).toEqual([S2, [], 10]);
    // A busy run still reports the lag of the watermark it found.
    expect(w.lagReports().map(datumLine)).toEqual([lagLine(T0 + LEASE_MS - 1, (130 * MINUTE_MS + LEASE_MS - 1) / MINUTE_MS)]);

    w.now = T0 + LEASE_MS;
    const r = await w.run(RUN);
    expect(r).toEqual(result({ periodsPublished: 2, datumsPut: 16 }));
    expect(w.logs.filter((l) => l.level === 'warn').map((l) => [l.message, l.data])).toEqual([
      [
        'taking over an expired lease: the previous run stopped without releasing it',
        { owner: 'run-1', uncertainFrom: iso(P1), uncertainTo: iso(P1) },
      ],
    ]);
    // Its lease write is run-3's, on top of run-1's item.
    expect(w.steps[0]).toEqual({
      kind: 'write',
      next: { watermarkMs: P1, ...claim(P1, P1), owner: 'run-3', leaseUntilMs: T0 + 2 * LEASE_MS },
    });
    expect(w.state).toEqual({ version: 6, watermarkMs: END });
    expect(w.savingsLines()).toEqual(BOTH);
  });
});

describe('runPublisher in memory: an uncertain range left by a crashed run, settled by the presence check', () => {
  // [P1's datums CloudWatch holds (a prefix, as a crashed put leaves it), periodsAlreadyPresent, periodsPublished, datumsPut]
  test.each<[number, number, number, number]>([
    [13, 1, 1, 13],
    [6, 0, 2, 20],
    [0, 0, 2, 26],
  ])('%i of 13 present → already present %i, published %i, %i datums put; each datum once', async (held, present, published, put) => {
    const w = world();
    const putAtMs = T0 - 5 * MINUTE_MS;
    for (const datum of w.datumsOf(P1).slice(0, held)) w.stored.push({ datum, putAtMs });
    w.state = {
      version: 3,
      watermarkMs: P1,
      uncertainFromMs: P1,
      uncertainToMs: P1,
      uncertainPutAtMs: putAtMs,
      uncertainOldestMs: P1,
      owner: 'gone',
      leaseUntilMs: T0 - MINUTE_MS,
    };
    const r = await w.run();
    expect(r).toEqual(result({ periodsPublished: published, periodsAlreadyPresent: present, datumsPut: put }));
    // The presence check asked about P1's 13 datums, nothing else; P1 went out only as far as it was missing.
    expect(w.asked.map((a) => a.map(datumLine))).toEqual([w.datumsOf(P1).map(datumLine)]);
    expect([w.putsOf(P1), w.putsOf(P2)]).toEqual([13 - held, 13]);
    expect(w.savingsLines()).toEqual(BOTH);
    expect(w.state).toEqual({ version: 6, watermarkMs: END });
    expect(w.logs.find((l) => l.message === 'settled an uncertain range left by an earlier run')?.data).toEqual({
      from: iso(P1),
      to: iso(P1),
      datumsPresent: held,
      datumsMissing: 13 - held,
    });
  });
});

describe('runPublisher in memory: throttled puts and puts of unknown outcome', () => {
  /** A put fault for the first put calls, in order; the later ones go through. */
  const faults = (...list: Fault[]) => {
    let i = 0;
    return () => list[i++];
  };
  const sleeps = (w: World) =>
    w.logs.filter((l) => l.message === 'PutMetricData failed; retrying').map((l) => [l.data?.attempt, l.data?.delayMs]);

  test('throttled twice, then accepted: retried after 200 and 400 ms in the same run; each datum once', async () => {
    const w = world();
    w.fault = faults('throttle', 'throttle');
    const slept: number[] = [];
    const r = await w.run({ ...RUN, sleep: async (ms) => void slept.push(ms) });
    expect(r).toEqual(result({ periodsPublished: 2, datumsPut: 26 }));
    expect([slept, sleeps(w)]).toEqual([
      [200, 400],
      [
        [1, 200],
        [2, 400],
      ],
    ]);
    expect(w.savingsPuts().map((p) => p.length)).toEqual([10, 10, 10, 10, 6]);
    expect(w.savingsLines()).toEqual(BOTH);
    expect(w.state).toEqual(S5);
  });

  // [the first put's fault, that put's datums re-put in the same run, datumsPut]
  test.each<[Fault, number, number]>([
    ['drop-after', 0, 16],
    ['drop-before', 10, 26],
  ])('first put %s (outcome unknown): the presence check decides, in the same run; each datum once', async (fault, again, put) => {
    const w = world();
    w.fault = faults(fault);
    expect(await w.run(RUN)).toEqual(result({ periodsPublished: 2, datumsPut: put }));
    expect(w.asked.map((a) => a.length)).toEqual([10]);
    expect(w.savingsPuts().map((p) => p.length)).toEqual([10, ...(again > 0 ? [again] : []), 10, 6]);
    expect(w.savingsLines()).toEqual(BOTH);
    expect(w.state).toEqual(S5);
  });

  // [what the 6 attempts meet, their faults, what the run stops with, savings datums stored, presence checks, the next
  //  run's datumsPut, the ledger's version after it]
  test.each<[string, Fault[], typeof PutThrottled, number, number, number, number]>([
    ['throttled', Array<Fault>(6).fill('throttle'), PutThrottled, 0, 0, 26, 7],
    ['outcome unknown (the last one stored)', [...Array<Fault>(5).fill('drop-before'), 'drop-after'], PutOutcomeUnknown, 10, 5, 16, 6],
  ])(
    '%s on all 6 attempts: the run stops, its claim the uncertain range; the next run settles it, each datum once',
    async (_name, list, cause, stored, checks, put, version) => {
      const w = world();
      w.fault = faults(...list);
      const stopped = await w.runFails(RUN);
      expect(stopped.cause).toBeInstanceOf(cause);
      expect([
        stopped.result.periodsPublished,
        stopped.result.datumsPut,
        w.savingsLines().length,
        w.savingsPuts().length,
        w.asked.length,
      ]).toEqual([0, 0, stored, 6, checks]);
      expect(sleeps(w).map(([attempt]) => attempt)).toEqual([1, 2, 3, 4, 5]);
      expect(w.state).toEqual(S2);
      // Nothing lost: the lag report says where the watermark stands.
      expect(w.lagReports().map(datumLine)).toEqual([lagLine(T0, 130)]);

      w.now = T0 + 16 * MINUTE_MS;
      expect(await w.run(RUN)).toEqual(result({ periodsPublished: 2, datumsPut: put }));
      expect(w.logs.find((l) => l.message === 'settled an uncertain range left by an earlier run')?.data).toEqual({
        from: iso(P1),
        to: iso(P1),
        datumsPresent: stored,
        datumsMissing: 13 - stored,
      });
      expect(w.savingsLines()).toEqual(BOTH);
      expect(w.state).toEqual({ version, watermarkMs: END });
    },
  );
});
