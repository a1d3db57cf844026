/**
 * The publisher's ports (lambda/core/ports.ts) in memory, for unit tests of runPublisher: a fake CloudWatch whose
 * presence check sees a datum 24 hours old or older at put time only `delayMs` after the put (CloudWatch's PutMetricData
 * reference: "at least 48 hours"), a ledger with versioned conditional writes, a token source and a recording log.
 *
 * Faults are injected per step, a step being a savings put or a ledger write as it reaches "AWS" (the health report
 * and the reads aside). A crash is the fake world going down: after it, no put, read or write reaches "AWS" until the next
 * run brings it back up.
 */
import { parseConfig, type PromptCacheConfig } from '../../lambda/core/config';
import { CUSTOM_METRICS, type TokenCounts } from '../../lambda/core/contract';
import { datumKey, DIMENSIONS_OF, periodDatums, type Datum } from '../../lambda/core/datums';
import { alignDown, DAY_MS, HOUR_MS, MINUTE_MS } from '../../lambda/core/periods';
import {
  LedgerConflict,
  PutOutcomeUnknown,
  PutThrottled,
  type Ledger,
  type LedgerFields,
  type LedgerState,
  type RunLog,
  type SavingsSink,
  type TokenSource,
  type TokenSums,
} from '../../lambda/core/ports';
import { isOldPeriod, runPublisher, RunIncomplete, type RunResult, type RunSettings } from '../../lambda/core/publish-run';

export const MODEL = 'us.anthropic.claude-3-7-sonnet-20250219-v1:0';
export const ONE_MODEL_CONFIG = parseConfig({ models: [{ modelId: MODEL }] }, 'test');
export const DELAY_MS = 48 * HOUR_MS;
export const MAX_AGE_MS = 14 * DAY_MS - HOUR_MS;
export const LEASE_MS = 15 * MINUTE_MS;
export const LAG = CUSTOM_METRICS.publisherLagMinutes.name;
export const BACKLOG = CUSTOM_METRICS.periodsAwaitingSettlement.name;
/** A run's health report (lag, backlog), at the run's own time: not savings datums of a period. */
export const isHealth = (d: Datum) => d.metricName === LAG || d.metricName === BACKLOG;
export const HEARTBEAT = CUSTOM_METRICS.publishedPeriods.name;
/** A run time 10 minutes after an hour: the settle delay has just passed. */
export const T0 = Date.UTC(2026, 10, 20, 12, 10);

/**
 * What a step does: `crash-*` takes the world down (the run ends), `drop-*` loses only this reply; `*-before` before
 * the step takes effect, `*-after` after it; `throttle` (puts only) refuses the put, nothing stored.
 */
export type Fault = 'crash-after' | 'crash-before' | 'drop-after' | 'drop-before' | 'throttle' | undefined;

export type Step = { readonly kind: 'put'; readonly datums: readonly Datum[] } | { readonly kind: 'write'; readonly next: LedgerFields };

/** Tokens that differ from hour to hour, so that a datum put at the wrong period shows. */
export function varyingTokens(p: number): TokenCounts {
  const h = Math.round(p / HOUR_MS);
  return { inputTokens: 100 + (h % 7), cacheReadInputTokens: 1000 * (h % 5), cacheWriteInputTokens: 200 + (h % 3), outputTokens: 50 };
}

/** A token source that reports `models` with `tokensAt(period)` in every period asked for. */
export function tokenSource(tokensAt: (p: number) => TokenCounts, models: readonly string[] = [MODEL]): TokenSource {
  return {
    discoverModelIds: async () => [...models],
    readTokenSums: async (modelIds, startMs, endMs, periodMs): Promise<TokenSums> => {
      const byPeriod = new Map<number, TokenCounts>();
      for (let p = startMs; p < endMs; p += periodMs) byPeriod.set(p, tokensAt(p));
      return new Map(modelIds.map((id) => [id, byPeriod]));
    },
  };
}

export interface WorldOptions {
  readonly config?: PromptCacheConfig;
  /** @default varyingTokens */
  readonly tokensAt?: (p: number) => TokenCounts;
  /** How long after the put CloudWatch shows a datum 24 hours old or older at put time. @default DELAY_MS */
  readonly delayMs?: number;
}

export class World {
  now = T0;
  down = false;
  runs = 0;
  readonly config: PromptCacheConfig;
  readonly tokensAt: (p: number) => TokenCounts;
  readonly delayMs: number;
  readonly source: TokenSource;
  readonly stored: { datum: Datum; putAtMs: number }[] = [];
  /** Every put call that reached the fake CloudWatch (also the refused and the lost ones), health reports included. */
  readonly puts: Datum[][] = [];
  readonly asked: Datum[][] = [];
  /** The steps of the latest run, in order, as they reached "AWS" (also those that failed). */
  readonly steps: Step[] = [];
  /** The fault of each savings put (the health report is never faulted). */
  fault: (datums: readonly Datum[]) => Fault = () => undefined;
  /** The fault of each ledger write: a crash or a lost reply, before or after the write. */
  writeFault: (next: LedgerFields) => Fault = () => undefined;
  /** Runs before each step takes effect: where a test interleaves another run. */
  beforeStep: (step: Step, index: number) => Promise<void> | void = () => undefined;
  state: LedgerState = { version: 0 };
  readonly logs: { level: string; message: string; data?: Record<string, unknown> }[] = [];

  constructor(options: WorldOptions = {}) {
    this.config = options.config ?? ONE_MODEL_CONFIG;
    this.tokensAt = options.tokensAt ?? varyingTokens;
    this.delayMs = options.delayMs ?? DELAY_MS;
    this.source = tokenSource(this.tokensAt);
  }

  /** Records a step, runs the hook, and returns the step's fault. */
  private async step(step: Step): Promise<Fault> {
    this.steps.push(step);
    await this.beforeStep(step, this.steps.length - 1);
    return step.kind === 'put' ? this.fault(step.datums) : this.writeFault(step.next);
  }

  /** Throws `error` if the fault strikes at `when`; a crash takes the world down with it. */
  private strike(f: Fault, when: 'before' | 'after', error: Error): void {
    if (f !== `crash-${when}` && f !== `drop-${when}`) return;
    if (f === `crash-${when}`) this.down = true;
    throw error;
  }

  readonly sink: SavingsSink = {
    put: async (datums) => {
      if (this.down) throw new PutOutcomeUnknown('down');
      this.puts.push([...datums]);
      const f = datums.some(isHealth) ? undefined : await this.step({ kind: 'put', datums: [...datums] });
      if (f === 'throttle') throw new PutThrottled('Rate exceeded');
      this.strike(f, 'before', new PutOutcomeUnknown('connection dropped before the request reached CloudWatch'));
      for (const datum of datums) this.stored.push({ datum, putAtMs: this.now });
      this.strike(f, 'after', new PutOutcomeUnknown('reply lost'));
    },
    present: async (datums) => {
      if (this.down) throw new Error('down');
      this.asked.push([...datums]);
      const visible = new Set(
        this.stored
          .filter((s) => this.now >= s.putAtMs + (isOldPeriod(s.datum.timestampMs, s.putAtMs) ? this.delayMs : 0))
          .map((s) => datumKey(s.datum)),
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
      const f = await this.step({ kind: 'write', next: structuredClone(next) });
      this.strike(f, 'before', new Error('connection dropped before the write reached DynamoDB'));
      if (expectedVersion !== this.state.version) throw new LedgerConflict(`version ${this.state.version}, expected ${expectedVersion}`);
      this.state = { ...structuredClone(next), version: expectedVersion + 1 };
      this.strike(f, 'after', new Error('reply lost'));
      return structuredClone(this.state);
    },
  };

  readonly log: RunLog = {
    info: (message, data) => this.logs.push({ level: 'info', message, data }),
    warn: (message, data) => this.logs.push({ level: 'warn', message, data }),
  };

  /** The settings of a run at `now`: hourly periods, 10-minute settle, 24-hour first lookback, 15-minute lease. */
  settings(over: Partial<RunSettings> = {}): RunSettings {
    return {
      nowMs: this.now,
      runId: `run-${++this.runs}`,
      periodMs: HOUR_MS,
      settleMs: 10 * MINUTE_MS,
      initialLookbackMs: 24 * HOUR_MS,
      maxAgeMs: MAX_AGE_MS,
      leaseMs: LEASE_MS,
      maxDatumsPerPut: 1000,
      oldDatapointVisibilityMs: this.delayMs,
      maxPutAttempts: 6,
      sleep: () => Promise.resolve(),
      clock: () => this.now,
      ...over,
    };
  }

  /** One run at `now` (the world comes back up first: a crash ends with the run). */
  async run(over: Partial<RunSettings> = {}): Promise<RunResult> {
    this.down = false;
    this.logs.length = 0;
    this.steps.length = 0;
    return runPublisher(this.config, this.source, this.sink, this.ledger, this.settings(over), this.log);
  }

  /** A run that must stop part-way (RunIncomplete). */
  async runFails(over: Partial<RunSettings> = {}): Promise<RunIncomplete> {
    const err = await this.run(over).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RunIncomplete);
    return err as RunIncomplete;
  }

  /** A run's result or the error it threw. */
  async outcome(over: Partial<RunSettings> = {}): Promise<RunResult | Error> {
    return this.run(over).catch((e: unknown) => e as Error);
  }

  /**
   * Runs `fn` (another run, say) once, just before the latest run's step `index` takes effect. A run inside `fn` starts
   * its own list of steps.
   */
  interleave(index: number, fn: () => Promise<unknown>): void {
    let done = false;
    this.beforeStep = async (_step, i) => {
      if (done || i !== index) return;
      done = true;
      await fn();
    };
  }

  /** Crashes the latest run's step `index` (from 0), `before` or `after` it takes effect; the other steps go through. */
  crashAt(index: number, when: 'before' | 'after'): void {
    const at = (): Fault => (this.steps.length - 1 === index ? `crash-${when}` : undefined);
    this.fault = at;
    this.writeFault = at;
  }

  /** No more faults: every later step goes through. */
  clearFaults(): void {
    this.fault = () => undefined;
    this.writeFault = () => undefined;
  }

  /** The put calls of savings datums (the health reports aside), in order. */
  savingsPuts(): Datum[][] {
    return this.puts.filter((p) => !isHealth(p[0]));
  }

  /** Every stored savings datum (the health reports aside) as `key=value`, sorted: a duplicate shows as two lines. */
  multiset(): string[] {
    return this.stored
      .filter((s) => !isHealth(s.datum))
      .map((s) => `${datumKey(s.datum)}=${s.datum.value}`)
      .sort();
  }

  /** Every stored savings datum (the health reports aside) as a datumLine, sorted: a duplicate shows as two lines. */
  savingsLines(): string[] {
    return this.stored
      .filter((s) => !isHealth(s.datum))
      .map((s) => datumLine(s.datum))
      .sort();
  }

  /** Stored datums of one period (the health reports aside). */
  storedAt(p: number): Datum[] {
    return this.stored.map((s) => s.datum).filter((d) => !isHealth(d) && d.timestampMs === p);
  }

  /** Stored lag reports, in put order. */
  lagReports(): Datum[] {
    return this.stored.map((s) => s.datum).filter((d) => d.metricName === LAG);
  }

  putsOf(p: number): number {
    return this.puts.flat().filter((d) => !isHealth(d) && d.timestampMs === p).length;
  }

  /** The datums of period `p` as this world's token source and config make them. */
  datumsOf(p: number): Datum[] {
    return periodDatums(p, new Map([[MODEL, this.tokensAt(p)]]), [MODEL], this.config).datums;
  }

  /** What CloudWatch must hold for [from, to): each datum once, plus the LostPeriods datums given. */
  expected(from: number, to: number, lost: readonly Datum[] = []): string[] {
    const out: Datum[] = [...lost];
    for (let p = from; p < to; p += HOUR_MS) out.push(...this.datumsOf(p));
    return out.map((d) => `${datumKey(d)}=${d.value}`).sort();
  }
}

/** The end of the last settled period at `nowMs` (hourly periods, 10-minute settle). */
export const endOf = (nowMs: number) => alignDown(nowMs - 10 * MINUTE_MS, HOUR_MS);

/** A datum as one line: metric, dimensions, timestamp, value, unit. */
export function datumLine(d: Datum): string {
  const dims =
    DIMENSIONS_OF(d)
      .map((x) => `${x.name}=${x.value}`)
      .join(',') || '-';
  return `${d.metricName} ${dims} ${new Date(d.timestampMs).toISOString()} ${d.value} ${d.unit}`;
}
