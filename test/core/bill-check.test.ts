/**
 * The daily bill check's core: which days are due, the datums of a day (exact dollars and percents), and the run
 * protocol against in-memory ports: every day once, back-fill after missed runs, a put without an answer settled only
 * after CloudWatch's 48 hours, two runs at once.
 */
import {
  billDatums,
  billRowModelId,
  lastDueDayMs,
  reconcileDays,
  runBillCheck,
  type BillLedger,
  type BillLedgerFields,
  type BillLedgerState,
  type BillSource,
} from '../../lambda/core/bill-check';
import { parseConfig } from '../../lambda/core/config';
import type { TokenCounts } from '../../lambda/core/contract';
import { datumKey, type Datum } from '../../lambda/core/datums';
import { DAY_MS, HOUR_MS } from '../../lambda/core/periods';
import { LedgerConflict, PutOutcomeUnknown, type SavingsSink } from '../../lambda/core/ports';
import type { BilledLine, Reconciliation } from '../../lambda/core/reconcile';

const MODEL = 'us.anthropic.claude-3-7-sonnet-20250219-v1:0';
const SONNET37 = 'anthropic.claude-3-7-sonnet-20250219-v1:0';
const config = parseConfig({ models: [{ modelId: MODEL, displayName: 'support-bot' }] }, 'test');
const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const NOV_30 = Date.UTC(2026, 10, 30);
/** 06:00 UTC on 3 December: with the default 2-day delay, 30 November is the last day due. */
const RUN_AT = Date.UTC(2026, 11, 3, 6);

/** One day of support-bot: $3 input, $1.50 output, $0.60 read, $1.50 write at the US rates of Claude 3.7 Sonnet. */
const TOKENS: TokenCounts = {
  inputTokens: 1_000_000,
  outputTokens: 100_000,
  cacheReadInputTokens: 2_000_000,
  cacheWriteInputTokens: 400_000,
};
/** The bill of one such day, each line `factor` × the list price (quantities in 1K tokens). */
function billOf(dayMs: number, factor: number): BilledLine[] {
  const line = (suffix: string, quantity: number, usd: number): BilledLine => ({
    day: day(dayMs),
    usageType: `USE1-Claude3.7Sonnet-${suffix}-cross-region-geo`,
    region: 'us-east-1',
    quantity,
    cost: (usd * factor).toFixed(10),
  });
  return [
    line('input-tokens', 1000, 3),
    line('output-tokens', 100, 1.5),
    line('cache-read-input-token-count', 2000, 0.6),
    line('cache-write-input-token-count', 400, 1.5),
  ];
}

describe('the days a run reads', () => {
  test.each([
    [Date.UTC(2026, 11, 3, 6), 2, '2026-11-30'],
    [Date.UTC(2026, 11, 3, 0), 2, '2026-11-30'],
    [Date.UTC(2026, 11, 2, 23, 59), 2, '2026-11-29'],
    [Date.UTC(2026, 11, 3, 6), 1, '2026-12-01'],
    [Date.UTC(2026, 11, 3, 6), 5, '2026-11-27'],
  ])('a run at %s with a %i-day delay reads up to %s', (nowMs, delay, last) => {
    expect(day(lastDueDayMs(nowMs, delay))).toBe(last);
  });
});

describe("a day's datums", () => {
  const reconciled = (factor: number) =>
    reconcileDays([NOV_30], billOf(NOV_30, factor), [{ modelId: MODEL, dayStartMs: NOV_30, tokens: TOKENS }], 'us-east-1', config).get(
      NOV_30,
    )!;

  test('billed at list price: the bill is the computed cost, no drift', () => {
    expect(billDatums(NOV_30, reconciled(1)).map((d) => [d.metricName, d.modelId ?? '(all)', d.timestampMs, d.value, d.unit])).toEqual([
      ['BilledCostUSD', MODEL, NOV_30, 6.6, 'None'],
      ['CostDriftPercent', MODEL, NOV_30, 0, 'Percent'],
      ['BilledCostUSD', '(all)', NOV_30, 6.6, 'None'],
      ['CostDriftPercent', '(all)', NOV_30, 0, 'Percent'],
    ]);
  });

  test('billed 10% above list: drift 0.66 of 7.26, exactly', () => {
    const [billed, drift, total, totalDrift] = billDatums(NOV_30, reconciled(1.1));
    expect([billed.value, total.value]).toEqual([7.26, 7.26]);
    expect(drift.value).toBeCloseTo((100 * 0.66) / 7.26, 9);
    expect(totalDrift.value).toBeCloseTo((100 * 0.66) / 7.26, 9);
  });

  test('a day with tokens but no bill: BilledCostUSD 0 and no drift (a percent of nothing)', () => {
    const r = reconcileDays([NOV_30], [], [{ modelId: MODEL, dayStartMs: NOV_30, tokens: TOKENS }], 'us-east-1', config).get(NOV_30)!;
    expect(billDatums(NOV_30, r).map((d) => [d.metricName, d.modelId ?? '(all)', d.value])).toEqual([
      ['BilledCostUSD', MODEL, 0],
      ['BilledCostUSD', '(all)', 0],
    ]);
  });

  test('a day with neither: no datum', () => {
    const r = reconcileDays([NOV_30], [], [], 'us-east-1', config).get(NOV_30)!;
    expect(billDatums(NOV_30, r)).toEqual([]);
  });

  test("another region's lines and another day's lines are not this day's bill", () => {
    const lines = [...billOf(NOV_30 - DAY_MS, 1), ...billOf(NOV_30, 1).map((l) => ({ ...l, region: 'us-west-2' }))];
    const r = reconcileDays([NOV_30], lines, [{ modelId: MODEL, dayStartMs: NOV_30, tokens: TOKENS }], 'us-east-1', config).get(NOV_30)!;
    expect([r.totals.billedCostUSD, r.totals.computedCostUSD]).toEqual([0, 6.6]);
  });

  test.each([
    [{ model: SONNET37, modelIds: [MODEL], routing: 'geo' as const }, MODEL],
    [{ model: SONNET37, modelIds: [], routing: 'geo' as const }, `${SONNET37} (geo)`],
    [{ model: SONNET37, modelIds: [], routing: 'in-region' as const }, SONNET37],
    [{ model: SONNET37, modelIds: ['a', 'b'], routing: 'global' as const }, `${SONNET37} (global)`],
  ])('the ModelId of a bill row %j is %s', (row, id) => {
    expect(billRowModelId(row)).toBe(id);
  });
});

/** CloudWatch in memory: a datum 24 hours old or older shows in a presence check 48 hours after its put. */
class Sink implements SavingsSink {
  readonly stored: { datum: Datum; putAtMs: number }[] = [];
  puts = 0;
  nowMs = 0;
  /** The next put is stored but its answer lost. */
  dropNext = false;
  async put(datums: readonly Datum[]): Promise<void> {
    this.puts++;
    for (const datum of datums) this.stored.push({ datum, putAtMs: this.nowMs });
    if (this.dropNext) {
      this.dropNext = false;
      throw new PutOutcomeUnknown('socket hang up');
    }
  }
  async present(datums: readonly Datum[]): Promise<ReadonlySet<string>> {
    const visible = new Set(this.stored.filter((s) => this.nowMs >= s.putAtMs + 48 * HOUR_MS).map((s) => datumKey(s.datum)));
    return new Set(datums.map(datumKey).filter((k) => visible.has(k)));
  }
  /** Datums per series point: 1 everywhere means every day went out once. */
  counts(): number[] {
    const n = new Map<string, number>();
    for (const s of this.stored) n.set(datumKey(s.datum), (n.get(datumKey(s.datum)) ?? 0) + 1);
    return [...new Set(n.values())];
  }
  days(): string[] {
    return [...new Set(this.stored.map((s) => day(s.datum.timestampMs)))].sort();
  }
}

class Ledger implements BillLedger {
  state: BillLedgerState = { version: 0 };
  /** Another run writes first, once. */
  raceNext = false;
  async read(): Promise<BillLedgerState> {
    return this.state;
  }
  async write(expectedVersion: number, next: BillLedgerFields): Promise<BillLedgerState> {
    if (this.raceNext) {
      this.raceNext = false;
      this.state = { ...this.state, version: this.state.version + 1 };
    }
    if (this.state.version !== expectedVersion) throw new LedgerConflict('changed');
    this.state = { ...next, version: expectedVersion + 1 };
    return this.state;
  }
}

/** Every day billed at list price except 29 November (10% above). */
const source: BillSource & { asked: string[][] } = {
  asked: [],
  async reconcile(days) {
    this.asked.push(days.map(day));
    const lines = days.flatMap((d) => billOf(d, d === NOV_30 - DAY_MS ? 1.1 : 1));
    const daily = days.map((d) => ({ modelId: MODEL, dayStartMs: d, tokens: TOKENS }));
    return reconcileDays(days, lines, daily, 'us-east-1', config) as ReadonlyMap<number, Reconciliation>;
  },
};

const messages: string[] = [];
const log = { info: (m: string) => void messages.push(m), warn: (m: string) => void messages.push(`WARN ${m}`) };

function run(sink: Sink, ledger: Ledger, nowMs: number) {
  sink.nowMs = nowMs;
  return runBillCheck(
    source,
    sink,
    ledger,
    {
      nowMs,
      billDelayDays: 2,
      firstRunDays: 7,
      maxAgeMs: 14 * DAY_MS - HOUR_MS,
      visibilityMs: 48 * HOUR_MS,
      maxDatumsPerPut: 1000,
      maxPutAttempts: 3,
      sleep: async () => undefined,
    },
    log,
  );
}

describe('runs', () => {
  beforeEach(() => {
    source.asked = [];
    messages.length = 0;
  });

  test('the first run back-fills a week; the next day adds one day; a second run that day does nothing', async () => {
    const sink = new Sink();
    const ledger = new Ledger();
    const first = await run(sink, ledger, RUN_AT);
    expect([first.status, first.days, first.datumsPut, sink.puts]).toEqual([
      'published',
      ['2026-11-24', '2026-11-25', '2026-11-26', '2026-11-27', '2026-11-28', '2026-11-29', '2026-11-30'],
      28,
      1,
    ]);
    expect(first.latest).toEqual({ day: '2026-11-30', billedCostUSD: 6.6, driftPercent: 0 });
    expect(ledger.state).toEqual({ version: 2, publishedThroughMs: NOV_30 });
    const next = await run(sink, ledger, RUN_AT + DAY_MS);
    expect([next.status, next.days, next.datumsPut]).toEqual(['published', ['2026-12-01'], 4]);
    const again = await run(sink, ledger, RUN_AT + DAY_MS + HOUR_MS);
    expect([again.status, again.days, source.asked.length, sink.counts()]).toEqual(['nothing-to-do', [], 2, [1]]);
  });

  test('three missed runs: the next one publishes the three days, once', async () => {
    const sink = new Sink();
    const ledger = new Ledger();
    await run(sink, ledger, RUN_AT);
    const late = await run(sink, ledger, RUN_AT + 3 * DAY_MS);
    expect([late.days, sink.counts(), source.asked[1]]).toEqual([
      ['2026-12-01', '2026-12-02', '2026-12-03'],
      [1],
      ['2026-12-01', '2026-12-02', '2026-12-03'],
    ]);
  });

  test("a run after three weeks: the days past CloudWatch's 14 days are lost (logged), the rest published", async () => {
    const sink = new Sink();
    const ledger = new Ledger();
    await run(sink, ledger, RUN_AT);
    const r = await run(sink, ledger, RUN_AT + 21 * DAY_MS);
    expect([r.daysLost.length, r.daysLost[0], r.days[0], r.days.length]).toEqual([10, '2026-12-01', '2026-12-11', 11]);
    expect(messages.filter((m) => m.startsWith('WARN'))).toEqual([
      'WARN days older than CloudWatch accepts were never published (the bill check did not run): `prompt-cache reconcile` still shows them',
    ]);
  });

  test('a put whose answer is lost: nothing is put again until CloudWatch can show it, then only what is missing', async () => {
    const sink = new Sink();
    const ledger = new Ledger();
    sink.dropNext = true;
    await expect(run(sink, ledger, RUN_AT)).rejects.toThrow(
      'socket hang up; the days stay pending, and a run 48 hours from now puts whatever CloudWatch does not show',
    );
    expect(ledger.state).toEqual({ version: 1, pendingFromMs: NOV_30 - 6 * DAY_MS, pendingToMs: NOV_30, pendingPutAtMs: RUN_AT });
    const waiting = await run(sink, ledger, RUN_AT + DAY_MS);
    expect([waiting.status, sink.puts]).toEqual(['waiting', 1]);
    const settled = await run(sink, ledger, RUN_AT + 2 * DAY_MS);
    expect([settled.status, settled.daysAlreadyPresent, settled.days.length, settled.datumsPut]).toEqual(['published', 7, 9, 8]);
    expect([sink.counts(), sink.days().length, ledger.state.publishedThroughMs]).toEqual([[1], 9, NOV_30 + 2 * DAY_MS]);
  });

  test('another run takes the ledger first: this one leaves the work to it and puts nothing', async () => {
    const sink = new Sink();
    const ledger = new Ledger();
    ledger.raceNext = true;
    const r = await run(sink, ledger, RUN_AT);
    expect([r.status, sink.puts]).toEqual(['busy', 0]);
  });
});
