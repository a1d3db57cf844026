/**
 * One run of the savings publisher: every closed period since the ledger's watermark, published exactly once.
 * No AWS imports, no env, no clock: CloudWatch and DynamoDB come in as ports (lambda/aws implements them), `now` as a number.
 *
 * The protocol (README "Exactly once"):
 * 1. Read the ledger (one item: watermark, uncertain range, lease). If another run holds an unexpired lease, stop.
 * 2. Periods to do: from the watermark up to `now − settle`; older than CloudWatch's window → lost (counted, logged).
 * 3. Before each PutMetricData call, one conditional write advances the watermark past the periods the previous call
 *    completed, records the periods this call touches as *uncertain* and renews the lease; a last write after the
 *    last call commits it and releases the lease.
 * 4. A run that finds an uncertain range (a crash, a timeout, a dropped connection between put and commit) first asks
 *    CloudWatch which of those datums are already there (SampleCount at the period's timestamp) and puts only the rest.
 *    A put whose outcome is unknown is settled the same way, never by a blind retry. Throttled puts, which CloudWatch
 *    did not store, are retried with backoff.
 * Datums go out in a fixed order (datums.ts), so what a crashed run left behind is a prefix of what this run would put.
 */
import type { PromptCacheConfig } from './config';
import { addTokens, CUSTOM_METRICS, ZERO_TOKENS, type TokenCounts } from './contract';
import { datumKey, periodDatums, type Datum } from './datums';
import { pricedWithProfiles, type InferenceProfileRoutes } from './inference-profiles';
import { periodWindow } from './periods';

export type TokenSums = ReadonlyMap<string, ReadonlyMap<number, TokenCounts>>;

export interface TokenSource {
  /** Every ModelId AWS/Bedrock reports token metrics for (ListMetrics, all pages). */
  discoverModelIds(): Promise<string[]>;
  /** Token Sums per model per period over [startMs, endMs); a model or period with no datapoint is absent. */
  readTokenSums(modelIds: readonly string[], startMs: number, endMs: number, periodMs: number): Promise<TokenSums>;
}

/** CloudWatch refused the call as throttled: nothing was stored, a retry is safe. */
export class PutThrottled extends Error {}
/** The call may or may not have been stored (dropped connection, timeout, 5xx): settle by a presence check. */
export class PutOutcomeUnknown extends Error {}

export interface SavingsSink {
  /** Exactly one PutMetricData call, no automatic retries (a blind retry could double a Sum). */
  put(datums: readonly Datum[]): Promise<void>;
  /** The datumKeys of those datums CloudWatch already holds. */
  present(datums: readonly Datum[]): Promise<ReadonlySet<string>>;
}

export interface LedgerFields {
  /** Start of the first period not yet known to be fully published. */
  readonly watermarkMs?: number;
  /** Periods (inclusive starts) whose datums may be partly in CloudWatch. */
  readonly uncertainFromMs?: number;
  readonly uncertainToMs?: number;
  readonly owner?: string;
  readonly leaseUntilMs?: number;
}

export interface LedgerState extends LedgerFields {
  /** 0 when the ledger has no item yet. */
  readonly version: number;
}

/** The conditional write lost: another run changed the ledger first. */
export class LedgerConflict extends Error {}

export interface Ledger {
  read(): Promise<LedgerState>;
  /** Writes `next` if the item is still at `expectedVersion`; returns the new state or throws LedgerConflict. */
  write(expectedVersion: number, next: LedgerFields): Promise<LedgerState>;
}

export interface RunLog {
  info(message: string, data?: Record<string, unknown>): void;
  warn(message: string, data?: Record<string, unknown>): void;
}

export interface RunSettings {
  readonly nowMs: number;
  /** Who holds the lease: unique per run. */
  readonly runId: string;
  readonly periodMs: number;
  readonly settleMs: number;
  readonly initialLookbackMs: number;
  readonly maxAgeMs: number;
  /** How long a lease protects a run; longer than the longest run (the Lambda timeout). */
  readonly leaseMs: number;
  /** First run only: start here instead of `initialLookback` back. */
  readonly sinceMs?: number;
  readonly maxDatumsPerPut: number;
  readonly maxPutAttempts: number;
  readonly sleep: (ms: number) => Promise<void>;
  /** Wall-clock for lease renewal during long runs; defaults to the fixed `nowMs` (tests, `--until`). */
  readonly clock?: () => number;
  /** Called after each PutMetricData chunk: datums sent so far (including any found already present) and in all. */
  readonly onProgress?: (done: number, total: number) => void;
}

export type RunStatus = 'published' | 'nothing-to-do' | 'busy';

export interface RunResult {
  readonly status: RunStatus;
  readonly periodsPublished: number;
  /** Periods found already in CloudWatch when an uncertain range was settled (a crashed run had published them). */
  readonly periodsAlreadyPresent: number;
  readonly periodsLost: number;
  readonly datumsPut: number;
  readonly models: number;
  readonly tokens: TokenCounts;
  readonly unpricedTokens: number;
  readonly watermarkMs?: number;
}

/** The run stopped part-way; what it completed is committed and the rest is left for the next run. */
export class RunIncomplete extends Error {
  constructor(
    message: string,
    readonly result: RunResult,
    readonly cause: unknown,
  ) {
    super(message);
    this.name = 'RunIncomplete';
  }
}

/** Splits the stream into PutMetricData calls: at most `maxCount` datums and well under the 1 MB request limit. */
export function packDatums(datums: readonly Datum[], maxCount: number, maxBytes = 900_000): Datum[][] {
  const chunks: Datum[][] = [];
  let chunk: Datum[] = [];
  let bytes = 0;
  for (const d of datums) {
    const size = 160 + d.metricName.length + (d.modelId?.length ?? 0);
    if (chunk.length > 0 && (chunk.length >= maxCount || bytes + size > maxBytes)) {
      chunks.push(chunk);
      chunk = [];
      bytes = 0;
    }
    chunk.push(d);
    bytes += size;
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}

interface Planned {
  readonly periods: readonly number[];
  readonly lost: readonly number[];
  readonly endMs: number;
  readonly stream: Datum[];
  readonly modelIds: readonly string[];
  readonly tokens: TokenCounts;
  readonly unpricedTokens: number;
}

/**
 * One run, then its `PublisherLagMinutes` datum (timestamped at the run's own time): the minutes from the watermark the
 * run leaves (or found, when another run holds the lease) to now. Every run that reached the ledger reports it, also
 * one that stopped part-way, so the pipeline alarm sees silence as a period without a report and a stuck watermark as a
 * growing value. A run that never read the ledger reports nothing: that is silence too.
 */
export async function runPublisher(
  config: PromptCacheConfig,
  source: TokenSource,
  sink: SavingsSink,
  ledger: Ledger,
  settings: RunSettings,
  log: RunLog,
  /** Where application inference profiles route, to price them without a hand-written `priceAs`. @default - none */
  profiles?: InferenceProfileRoutes,
): Promise<RunResult> {
  try {
    const result = await publishPeriods(config, source, sink, ledger, settings, log, profiles);
    await reportLag(sink, settings, result.watermarkMs, log);
    return result;
  } catch (err) {
    if (err instanceof RunIncomplete) await reportLag(sink, settings, err.result.watermarkMs, log);
    throw err;
  }
}

/** The lag datum of a run: minutes from the watermark to `nowMs`, at `nowMs`; none before the first watermark. */
export function lagDatum(nowMs: number, watermarkMs: number | undefined): Datum | undefined {
  if (watermarkMs === undefined) return undefined;
  const m = CUSTOM_METRICS.publisherLagMinutes;
  return { metricName: m.name, timestampMs: nowMs, value: Math.max(0, nowMs - watermarkMs) / 60_000, unit: m.unit };
}

async function reportLag(sink: SavingsSink, settings: RunSettings, watermarkMs: number | undefined, log: RunLog): Promise<void> {
  const datum = lagDatum(settings.nowMs, watermarkMs);
  if (!datum) return;
  try {
    // One datum per run read with Maximum: a duplicate from a retry changes nothing, so a plain retry is safe here.
    await putWithRetry([datum], sink, settings);
  } catch (err) {
    log.warn('could not publish PublisherLagMinutes; the pipeline alarm sees this run as silence', { message: (err as Error).message });
  }
}

async function putWithRetry(datums: readonly Datum[], sink: SavingsSink, settings: RunSettings): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await sink.put(datums);
    } catch (err) {
      if (attempt >= settings.maxPutAttempts || !(err instanceof PutThrottled || err instanceof PutOutcomeUnknown)) throw err;
      await settings.sleep(Math.min(20_000, 100 * 2 ** attempt));
    }
  }
}

async function publishPeriods(
  config: PromptCacheConfig,
  source: TokenSource,
  sink: SavingsSink,
  ledger: Ledger,
  settings: RunSettings,
  log: RunLog,
  profiles: InferenceProfileRoutes | undefined,
): Promise<RunResult> {
  const { nowMs, runId, periodMs } = settings;
  const clock = settings.clock ?? (() => nowMs);
  let state = await ledger.read();
  const base = { periodsPublished: 0, periodsAlreadyPresent: 0, periodsLost: 0, datumsPut: 0, models: 0, tokens: ZERO_TOKENS, unpricedTokens: 0 };
  if (state.owner !== undefined && state.owner !== runId && (state.leaseUntilMs ?? 0) > nowMs) {
    log.info('another run holds the ledger lease; leaving the work to it', { owner: state.owner, leaseUntil: iso(state.leaseUntilMs) });
    return { ...base, status: 'busy', watermarkMs: state.watermarkMs };
  }
  if (state.owner !== undefined && state.owner !== runId) {
    log.warn('taking over an expired lease: the previous run stopped without releasing it', { owner: state.owner, uncertainFrom: iso(state.uncertainFromMs), uncertainTo: iso(state.uncertainToMs) });
  }

  const window = periodWindow({
    nowMs,
    periodMs,
    settleMs: settings.settleMs,
    watermarkMs: state.watermarkMs ?? (settings.sinceMs !== undefined ? settings.sinceMs : undefined),
    initialLookbackMs: settings.initialLookbackMs,
    maxAgeMs: settings.maxAgeMs,
  });
  if (window.periods.length === 0 && window.lost.length === 0) {
    log.info('nothing to publish: every closed period is published', { watermark: iso(state.watermarkMs) });
    return { ...base, status: 'nothing-to-do', watermarkMs: state.watermarkMs };
  }

  // Take the lease before reading anything, so that concurrent runs stop early.
  const write = async (fields: LedgerFields) => {
    state = await ledger.write(state.version, { ...fields, owner: runId, leaseUntilMs: clock() + settings.leaseMs });
  };
  try {
    await write({ watermarkMs: state.watermarkMs, uncertainFromMs: state.uncertainFromMs, uncertainToMs: state.uncertainToMs });
  } catch (err) {
    if (err instanceof LedgerConflict) {
      log.info('another run took the ledger lease first; leaving the work to it');
      return { ...base, status: 'busy', watermarkMs: state.watermarkMs };
    }
    throw err;
  }

  const plan = await planRun(config, source, window, periodMs, profiles);
  if (plan.lost.length > 0) {
    log.warn('periods older than CloudWatch accepts were never published: counted as lost', { lost: plan.lost.length, from: iso(plan.lost[0]), to: iso(plan.lost[plan.lost.length - 1]) });
  }
  let stream = plan.stream;
  let alreadyPresent = 0;
  if (state.uncertainFromMs !== undefined && state.uncertainToMs !== undefined) {
    const from = state.uncertainFromMs;
    const to = state.uncertainToMs;
    const uncertain = stream.filter((d) => d.timestampMs >= from && d.timestampMs <= to);
    const present = await sink.present(uncertain);
    stream = stream.filter((d) => !present.has(datumKey(d)));
    alreadyPresent = new Set(uncertain.filter((d) => d.metricName === CUSTOM_METRICS.publishedPeriods.name && present.has(datumKey(d))).map((d) => d.timestampMs)).size;
    log.info('settled an uncertain range left by an earlier run', { from: iso(from), to: iso(to), datumsPresent: present.size, datumsMissing: uncertain.length - present.size });
  }

  // The last stream index of each period: a period is complete once the call holding that index succeeded.
  const lastIndex = new Map<number, number>();
  stream.forEach((d, i) => lastIndex.set(d.timestampMs, i));
  const periodsInOrder = [...plan.periods];
  const watermarkAfter = (index: number): number => periodsInOrder.find((p) => (lastIndex.get(p) ?? -1) > index) ?? plan.endMs;

  const result = (status: RunStatus, datumsPut: number, watermarkMs: number | undefined): RunResult => ({
    status,
    periodsPublished: periodsInOrder.filter((p) => watermarkMs !== undefined && p < watermarkMs && lastIndex.has(p)).length,
    periodsAlreadyPresent: alreadyPresent,
    periodsLost: plan.lost.length,
    datumsPut,
    models: plan.modelIds.length,
    tokens: plan.tokens,
    unpricedTokens: plan.unpricedTokens,
    watermarkMs,
  });

  let datumsPut = 0;
  let index = -1;
  const chunks = packDatums(stream, settings.maxDatumsPerPut);
  try {
    for (const chunk of chunks) {
      // One write commits the previous call (watermark past what it completed) and claims this one (its periods
      // become the uncertain range); a call that ended inside a period leaves that period as this range's first.
      await write({ watermarkMs: watermarkAfter(index), uncertainFromMs: chunk[0].timestampMs, uncertainToMs: chunk[chunk.length - 1].timestampMs });
      datumsPut += await putExactlyOnce(chunk, sink, settings, log);
      index += chunk.length;
      settings.onProgress?.(index + 1, stream.length);
    }
    // Commit the last call and release the lease.
    state = await ledger.write(state.version, { watermarkMs: watermarkAfter(index) });
  } catch (err) {
    const partial = result('published', datumsPut, state.watermarkMs);
    throw new RunIncomplete(`run stopped after ${partial.periodsPublished} of ${periodsInOrder.length} periods: ${(err as Error).message}`, partial, err);
  }
  return result('published', datumsPut, state.watermarkMs);
}

async function planRun(
  config: PromptCacheConfig,
  source: TokenSource,
  window: { periods: readonly number[]; lost: readonly number[]; endMs: number },
  periodMs: number,
  profiles: InferenceProfileRoutes | undefined,
): Promise<Planned> {
  if (window.periods.length === 0) return { ...window, stream: [], modelIds: [], tokens: ZERO_TOKENS, unpricedTokens: 0 };
  const discovered = await source.discoverModelIds();
  const configured = config.models.map((m) => m.modelId);
  const modelIds = [...configured, ...[...new Set(discovered)].filter((id) => !configured.includes(id)).sort()];
  const sums = await source.readTokenSums(modelIds, window.periods[0], window.endMs, periodMs);
  // Application profiles without a priceAs are priced as the model they route to (bedrock:GetInferenceProfile).
  const priced = await pricedWithProfiles(config, modelIds, profiles);
  const stream: Datum[] = [];
  let tokens = ZERO_TOKENS;
  let unpricedTokens = 0;
  for (const periodStartMs of window.periods) {
    const usage = new Map<string, TokenCounts>();
    for (const [modelId, byPeriod] of sums) {
      const t = byPeriod.get(periodStartMs);
      if (t) usage.set(modelId, t);
    }
    const figures = periodDatums(periodStartMs, usage, modelIds, priced);
    if (periodStartMs === window.periods[0] && window.lost.length > 0) {
      stream.push({ metricName: CUSTOM_METRICS.lostPeriods.name, timestampMs: periodStartMs, value: window.lost.length, unit: CUSTOM_METRICS.lostPeriods.unit });
    }
    stream.push(...figures.datums);
    tokens = addTokens(tokens, figures.tokens);
    unpricedTokens += figures.unpricedTokens;
  }
  return { ...window, stream, modelIds, tokens, unpricedTokens };
}

/**
 * Puts one chunk so that each datum lands once: throttling is retried with exponential backoff; an unknown outcome is
 * settled by asking CloudWatch what arrived and putting only the rest. Returns the number of datums this call put.
 */
async function putExactlyOnce(chunk: readonly Datum[], sink: SavingsSink, settings: RunSettings, log: RunLog): Promise<number> {
  let pending = chunk;
  for (let attempt = 1; ; attempt++) {
    try {
      await sink.put(pending);
      return pending.length;
    } catch (err) {
      if (attempt >= settings.maxPutAttempts || !(err instanceof PutThrottled || err instanceof PutOutcomeUnknown)) throw err;
      const delay = Math.min(20_000, 100 * 2 ** attempt);
      log.warn('PutMetricData failed; retrying', { attempt, reason: err.name, message: err.message, delayMs: delay });
      await settings.sleep(delay);
      if (err instanceof PutOutcomeUnknown) {
        const present = await sink.present(pending);
        pending = pending.filter((d) => !present.has(datumKey(d)));
        if (pending.length === 0) return 0;
      }
    }
  }
}

function iso(ms: number | undefined): string | undefined {
  return ms === undefined ? undefined : new Date(ms).toISOString();
}
