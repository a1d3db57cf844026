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
 * 5. CloudWatch may take 48 hours to show datums 24 hours old or older at put time (PutMetricData API reference), so a
 *    presence check of those is trusted only `oldDatapointVisibilityMs` after the put (the ledger records when each
 *    uncertain put was attempted and its oldest period). Until then the range is *deferred* (a list in the ledger item,
 *    at most MAX_DEFERRED_RANGES) and the watermark moves past it; once due, its datums are recomputed, the periods whose
 *    heartbeat is there count as already present, the others' missing datums are put through the same claim-then-put
 *    path, or counted lost once older than CloudWatch accepts. Old periods go out one per call, so a crashed put defers
 *    one period; with the list full, no old period is put.
 * Datums go out in a fixed order (datums.ts), so what a crashed run left behind is a prefix of what this run would put.
 */
import type { PromptCacheConfig } from './config';
import { addTokens, CUSTOM_METRICS, ZERO_TOKENS, type TokenCounts } from './contract';
import { datumKey, periodDatums, type Datum } from './datums';
import { pricedWithProfiles, type InferenceProfileRoutes } from './inference-profiles';
import { alignUp, periodWindow } from './periods';
import { regionGroup } from './prices';
import {
  LedgerConflict,
  PutOutcomeUnknown,
  PutThrottled,
  type DeferredRange,
  type Ledger,
  type LedgerFields,
  type RunLog,
  type SavingsSink,
  type TokenSource,
} from './ports';

// The ports live in ports.ts; re-exported so that importers of this module need not change.
export * from './ports';

/** A put of old periods whose outcome is unknown: settled by a later run, once CloudWatch shows what arrived. */
class PutDeferred extends Error {}

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
  /** The region whose prices the dollars are in (the publisher's own). @default - the catalog's `*` (US) rate */
  readonly priceRegion?: string;
  /**
   * How long after a put of datums 24 hours old or older a presence check of them is trusted (CloudWatch: "at least 48
   * hours" before GetMetricData shows them). @default 48 hours
   */
  readonly oldDatapointVisibilityMs?: number;
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
  /** Periods of deferred ranges (each once) whose presence check is not trusted yet, as the ledger holds them after the run. */
  readonly periodsAwaitingSettlement: number;
  /** When the next deferred range becomes due; undefined with none. */
  readonly settlementDueAtMs?: number;
  /** The deferred list was full: the run put no period 24 hours old or older (and nothing after one). */
  readonly deferredLimitReached: boolean;
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

/** CloudWatch (PutMetricData API reference): datums with timestamps 24 hours old or older can take 48 hours to show. */
export const OLD_DATAPOINT_AGE_MS = 24 * 60 * 60_000;
export const DEFAULT_OLD_DATAPOINT_VISIBILITY_MS = 48 * 60 * 60_000;
/** At most this many deferred ranges in the ledger item; when full, no period 24 hours old or older is put. */
export const MAX_DEFERRED_RANGES = 10;

/** Whether a period is old at `atMs`: CloudWatch may hide its datums from GetMetricData for 48 hours after a put. */
export function isOldPeriod(periodStartMs: number, atMs: number): boolean {
  return atMs - periodStartMs >= OLD_DATAPOINT_AGE_MS;
}

/**
 * From when a presence check of an uncertain put can be trusted: a put of recent periods at once (the lease has made
 * the next run wait), a put that carried a period 24 hours old or older `visibilityMs` after the put; a range without a
 * put time (an item from before these fields) at once, as before.
 */
export function trustedFromMs(range: DeferredRange, visibilityMs: number): number {
  if (range.putAtMs === undefined) return Number.NEGATIVE_INFINITY;
  return isOldPeriod(range.oldestMs ?? range.fromMs, range.putAtMs) ? range.putAtMs + visibilityMs : range.putAtMs;
}

/** The periods of `ranges`, each once, ascending. */
export function rangePeriods(ranges: readonly DeferredRange[], periodMs: number): number[] {
  const out = new Set<number>();
  for (const r of ranges) for (let p = r.fromMs; p <= r.toMs; p += periodMs) out.add(p);
  return [...out].sort((a, b) => a - b);
}

/** What waits for settlement in a ledger item: its deferred ranges and an uncertain range that is not trusted yet at `nowMs`. */
export function settlementBacklog(
  state: LedgerFields,
  periodMs: number,
  visibilityMs: number,
  nowMs: number,
): { readonly periods: number; readonly dueAtMs?: number } {
  const ranges = [...(state.deferred ?? [])];
  const u = uncertainRange(state);
  if (u && trustedFromMs(u, visibilityMs) > nowMs) ranges.push(u);
  if (ranges.length === 0) return { periods: 0 };
  return { periods: rangePeriods(ranges, periodMs).length, dueAtMs: Math.min(...ranges.map((r) => trustedFromMs(r, visibilityMs))) };
}

/** The ledger fields of the uncertain range, by the DeferredRange field each holds (one table serves both directions). */
const UNCERTAIN_FIELDS = [
  ['fromMs', 'uncertainFromMs'],
  ['toMs', 'uncertainToMs'],
  ['putAtMs', 'uncertainPutAtMs'],
  ['oldestMs', 'uncertainOldestMs'],
  ['lostPeriods', 'uncertainLostPeriods'],
] as const satisfies readonly (readonly [keyof DeferredRange, keyof LedgerFields])[];

function uncertainRange(state: LedgerFields): DeferredRange | undefined {
  if (state.uncertainFromMs === undefined || state.uncertainToMs === undefined) return undefined;
  return Object.fromEntries(
    UNCERTAIN_FIELDS.filter(([, f]) => state[f] !== undefined).map(([k, f]) => [k, state[f]]),
  ) as unknown as DeferredRange;
}

/**
 * Splits a stream (ascending periods) into PutMetricData calls: each period 24 hours old or older at `nowMs` in calls of
 * its own, the recent periods together (packDatums). CloudWatch may hide old datums from GetMetricData for 48 hours, so
 * a crashed put of old periods defers them that long: one period per call keeps that to one period.
 */
export function chunkByAge(datums: readonly Datum[], nowMs: number, maxCount: number): Datum[][] {
  const chunks: Datum[][] = [];
  let recent: Datum[] = [];
  let i = 0;
  while (i < datums.length) {
    const p = datums[i].timestampMs;
    if (!isOldPeriod(p, nowMs)) {
      recent.push(datums[i++]);
      continue;
    }
    if (recent.length > 0) chunks.push(...packDatums(recent, maxCount));
    recent = [];
    let j = i;
    while (j < datums.length && datums[j].timestampMs === p) j++;
    chunks.push(...packDatums(datums.slice(i, j), maxCount));
    i = j;
  }
  if (recent.length > 0) chunks.push(...packDatums(recent, maxCount));
  return chunks;
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
  /** The datums of each deferred period to settle, in put order. */
  readonly settle: ReadonlyMap<number, Datum[]>;
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
  if (settings.priceRegion !== undefined && regionGroup(settings.priceRegion) === undefined)
    log.warn('the price catalog has no prices for this region: dollars are at the US rate (set pricing overrides for exact figures)', {
      region: settings.priceRegion,
    });
  try {
    const result = await publishPeriods(config, source, sink, ledger, settings, log, profiles);
    await reportHealth(sink, settings, result, log);
    return result;
  } catch (err) {
    if (err instanceof RunIncomplete) await reportHealth(sink, settings, err.result, log);
    throw err;
  }
}

/** The lag datum of a run: minutes from the watermark to `nowMs`, at `nowMs`; none before the first watermark. */
export function lagDatum(nowMs: number, watermarkMs: number | undefined): Datum | undefined {
  if (watermarkMs === undefined) return undefined;
  const m = CUSTOM_METRICS.publisherLagMinutes;
  return { metricName: m.name, timestampMs: nowMs, value: Math.max(0, nowMs - watermarkMs) / 60_000, unit: m.unit };
}

/**
 * A run's health report, at `nowMs`: its lag, and the periods still awaiting settlement when there are any (none means
 * zero: custom metrics are billed by the hour they receive data, so the backlog series costs nothing when empty).
 */
export function runHealthDatums(nowMs: number, result: Pick<RunResult, 'watermarkMs' | 'periodsAwaitingSettlement'>): Datum[] {
  const lag = lagDatum(nowMs, result.watermarkMs);
  if (!lag) return [];
  if (result.periodsAwaitingSettlement === 0) return [lag];
  const m = CUSTOM_METRICS.periodsAwaitingSettlement;
  return [lag, { metricName: m.name, timestampMs: nowMs, value: result.periodsAwaitingSettlement, unit: m.unit }];
}

async function reportHealth(sink: SavingsSink, settings: RunSettings, result: RunResult, log: RunLog): Promise<void> {
  const datums = runHealthDatums(settings.nowMs, result);
  if (datums.length === 0) return;
  try {
    // Datums at the run's own time read with Maximum: a duplicate from a retry changes nothing, so a plain retry is safe here.
    await putWithRetry(datums, sink, settings);
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
  const visibilityMs = settings.oldDatapointVisibilityMs ?? DEFAULT_OLD_DATAPOINT_VISIBILITY_MS;
  let state = await ledger.read();
  const backlog = (s: LedgerFields) => {
    const b = settlementBacklog(s, periodMs, visibilityMs, nowMs);
    return { periodsAwaitingSettlement: b.periods, ...(b.dueAtMs === undefined ? {} : { settlementDueAtMs: b.dueAtMs }) };
  };
  const base = {
    periodsPublished: 0,
    periodsAlreadyPresent: 0,
    periodsLost: 0,
    datumsPut: 0,
    models: 0,
    tokens: ZERO_TOKENS,
    unpricedTokens: 0,
    deferredLimitReached: false,
  };
  if (state.owner !== undefined && state.owner !== runId && (state.leaseUntilMs ?? 0) > nowMs) {
    log.info('another run holds the ledger lease; leaving the work to it', { owner: state.owner, leaseUntil: iso(state.leaseUntilMs) });
    return { ...base, ...backlog(state), status: 'busy', watermarkMs: state.watermarkMs };
  }
  if (state.owner !== undefined && state.owner !== runId) {
    log.warn('taking over an expired lease: the previous run stopped without releasing it', {
      owner: state.owner,
      uncertainFrom: iso(state.uncertainFromMs),
      uncertainTo: iso(state.uncertainToMs),
    });
  }

  // The uncertain range a crashed run left: settled in the stream as before once its presence check can be trusted;
  // until then deferred, and the watermark moves past it (it must not stall newer periods for two days).
  let watermarkMs = state.watermarkMs;
  const pending: DeferredRange[] = [...(state.deferred ?? [])];
  let inStream: DeferredRange | undefined;
  const uncertain = uncertainRange(state);
  if (uncertain) {
    const trusted = trustedFromMs(uncertain, visibilityMs) <= nowMs;
    if (trusted && watermarkMs !== undefined && uncertain.fromMs >= watermarkMs) inStream = uncertain;
    else {
      pending.push(uncertain);
      if (watermarkMs === undefined || uncertain.toMs + periodMs > watermarkMs) watermarkMs = uncertain.toMs + periodMs;
      if (!trusted) {
        log.info('deferred an uncertain range: CloudWatch may not show datums 24 hours old or older for 48 hours after their put', {
          from: iso(uncertain.fromMs),
          to: iso(uncertain.toMs),
          putAt: iso(uncertain.putAtMs),
          trustedFrom: iso(trustedFromMs(uncertain, visibilityMs)),
        });
      }
    }
  }
  pending.sort((a, b) => a.fromMs - b.fromMs || a.toMs - b.toMs);

  const window = periodWindow({
    nowMs,
    periodMs,
    settleMs: settings.settleMs,
    watermarkMs: watermarkMs ?? (settings.sinceMs !== undefined ? settings.sinceMs : undefined),
    initialLookbackMs: settings.initialLookbackMs,
    maxAgeMs: settings.maxAgeMs,
  });
  const oldestPublishable = alignUp(nowMs - settings.maxAgeMs, periodMs);
  // Deferred ranges whose delay has passed are settled now; a lost period is reported in the LostPeriods datum of this
  // run's first period, so a range with one waits for a run that has a period to publish.
  const isDue = (r: DeferredRange) =>
    trustedFromMs(r, visibilityMs) <= nowMs && (window.periods.length > 0 || r.fromMs >= oldestPublishable);
  const due = pending.filter(isDue);
  let ledgerDeferred = pending.filter((r) => !isDue(r));
  const waitingPeriods = new Set(rangePeriods(ledgerDeferred, periodMs));
  // A period also in a range still waiting waits with it.
  const settlePeriods = rangePeriods(due, periodMs).filter((p) => !waitingPeriods.has(p));

  if (window.periods.length === 0 && window.lost.length === 0 && due.length === 0 && uncertain === undefined) {
    log.info('nothing to publish: every closed period is published', { watermark: iso(state.watermarkMs) });
    return { ...base, ...backlog(state), status: 'nothing-to-do', watermarkMs: state.watermarkMs };
  }

  // Take the lease before reading anything, so that concurrent runs stop early.
  const write = async (fields: LedgerFields) => {
    state = await ledger.write(state.version, { ...fields, owner: runId, leaseUntilMs: clock() + settings.leaseMs });
  };
  try {
    await write({ watermarkMs, ...(inStream ? uncertainFields(inStream) : {}), ...listed(pending) });
  } catch (err) {
    if (err instanceof LedgerConflict) {
      log.info('another run took the ledger lease first; leaving the work to it');
      return { ...base, ...backlog(state), status: 'busy', watermarkMs: state.watermarkMs };
    }
    throw err;
  }

  const plan = await planRun(config, source, window, settlePeriods, due, periodMs, profiles, settings.priceRegion);

  // Settle the due deferred ranges: the period whose heartbeat (its last datum) is there was published; the others'
  // missing datums are put, unless the period is now older than CloudWatch accepts (lost).
  let alreadyPresent = 0;
  const settleLost: number[] = [];
  const settleStream: Datum[] = [];
  if (settlePeriods.length > 0) {
    const present = await sink.present(settlePeriods.flatMap((p) => plan.settle.get(p) ?? []));
    for (const p of settlePeriods) {
      const datums = plan.settle.get(p) ?? [];
      const heartbeat = datums.find((d) => d.metricName === CUSTOM_METRICS.publishedPeriods.name);
      if (heartbeat !== undefined && present.has(datumKey(heartbeat))) alreadyPresent++;
      else if (p < oldestPublishable) settleLost.push(p);
      else settleStream.push(...datums.filter((d) => !present.has(datumKey(d))));
    }
    log.info('settled deferred ranges whose visibility delay has passed', {
      ranges: due.length,
      periods: settlePeriods.length,
      periodsPresent: alreadyPresent,
      periodsToPut: new Set(settleStream.map((d) => d.timestampMs)).size,
      periodsLost: settleLost.length,
    });
    if (settleLost.length > 0) {
      log.warn("deferred periods aged past CloudWatch's window before their presence check could be trusted: counted as lost", {
        lost: settleLost.length,
        from: iso(settleLost[0]),
        to: iso(settleLost[settleLost.length - 1]),
      });
    }
  }
  if (plan.lost.length > 0) {
    log.warn('periods older than CloudWatch accepts were never published: counted as lost', {
      lost: plan.lost.length,
      from: iso(plan.lost[0]),
      to: iso(plan.lost[plan.lost.length - 1]),
    });
  }
  let stream = plan.stream;
  const lostCount = plan.lost.length + settleLost.length;
  if (lostCount > 0 && window.periods.length > 0) {
    stream = [
      {
        metricName: CUSTOM_METRICS.lostPeriods.name,
        timestampMs: window.periods[0],
        value: lostCount,
        unit: CUSTOM_METRICS.lostPeriods.unit,
      },
      ...stream,
    ];
  }
  if (inStream) {
    const from = inStream.fromMs;
    const to = inStream.toMs;
    const inRange = stream.filter((d) => d.timestampMs >= from && d.timestampMs <= to);
    const present = await sink.present(inRange);
    stream = stream.filter((d) => !present.has(datumKey(d)));
    alreadyPresent += new Set(
      inRange.filter((d) => d.metricName === CUSTOM_METRICS.publishedPeriods.name && present.has(datumKey(d))).map((d) => d.timestampMs),
    ).size;
    log.info('settled an uncertain range left by an earlier run', {
      from: iso(from),
      to: iso(to),
      datumsPresent: present.size,
      datumsMissing: inRange.length - present.size,
    });
  }

  // The last stream index of each period: a period is complete once the call holding that index succeeded.
  const lastIndex = new Map<number, number>();
  stream.forEach((d, i) => lastIndex.set(d.timestampMs, i));
  const periodsInOrder = [...plan.periods];
  const watermarkAfter = (index: number): number => {
    const next = periodsInOrder.find((p) => (lastIndex.get(p) ?? -1) > index) ?? plan.endMs;
    return watermarkMs === undefined ? next : Math.max(watermarkMs, next);
  };
  const settleLast = new Map<number, number>();
  settleStream.forEach((d, i) => settleLast.set(d.timestampMs, i));
  let settleDone = 0;
  let limitReached = false;

  const result = (status: RunStatus, datumsPut: number, watermark: number | undefined): RunResult => ({
    status,
    periodsPublished:
      periodsInOrder.filter((p) => watermark !== undefined && p < watermark && lastIndex.has(p) && !deferredNow.has(p)).length +
      [...settleLast.values()].filter((i) => i < settleDone).length,
    periodsAlreadyPresent: alreadyPresent,
    periodsLost: lostCount,
    datumsPut,
    models: plan.modelIds.length,
    tokens: plan.tokens,
    unpricedTokens: plan.unpricedTokens,
    watermarkMs: watermark,
    ...backlog(state),
    deferredLimitReached: limitReached,
  });

  let datumsPut = 0;
  let index = -1;
  const total = settleStream.length + stream.length;
  /** The uncertain range a put of `chunk` claims, up to `toMs`, with the LostPeriods count it carries. */
  const claimOf = (chunk: readonly Datum[], toMs: number, putAtMs: number): DeferredRange => {
    const lost = chunk.find((x) => x.metricName === CUSTOM_METRICS.lostPeriods.name);
    return {
      fromMs: chunk[0].timestampMs,
      toMs,
      putAtMs,
      oldestMs: chunk[0].timestampMs,
      ...(lost === undefined ? {} : { lostPeriods: lost.value }),
    };
  };
  const deferredNow = new Set<number>();
  // While the new periods go out, the deferred periods still to put stay in the list as one range to settle at once
  // (no put time); the ranges settled (present or lost, counted in this run's LostPeriods datum) leave it.
  const kept = ledgerDeferred;
  if (settleStream.length > 0) {
    const fromMs = settleStream[0].timestampMs;
    const carried = settleStream.find((d) => d.timestampMs === fromMs && d.metricName === CUSTOM_METRICS.lostPeriods.name);
    ledgerDeferred = [
      ...kept,
      { fromMs, toMs: settleStream[settleStream.length - 1].timestampMs, ...(carried ? { lostPeriods: carried.value } : {}) },
    ];
  }
  try {
    let offset = 0;
    for (const chunk of chunkByAge(stream, nowMs, settings.maxDatumsPerPut)) {
      const start = offset;
      offset += chunk.length;
      if (start <= index) continue; // the rest of a period deferred below
      const putAtMs = clock();
      const old = isOldPeriod(chunk[0].timestampMs, putAtMs);
      // A crash of a put of old periods adds a deferred range: with the list full, no such put (and none after it,
      // which would leave the old periods behind the watermark).
      if (old && ledgerDeferred.length >= MAX_DEFERRED_RANGES) {
        limitReached = true;
        log.warn(`the ledger holds ${MAX_DEFERRED_RANGES} deferred ranges: no period 24 hours old or older is put until one settles`, {
          heldFrom: iso(chunk[0].timestampMs),
          nextDueAt: iso(Math.min(...ledgerDeferred.map((r) => trustedFromMs(r, visibilityMs)))),
        });
        break;
      }
      // One write commits the previous call (watermark past what it completed) and claims this one (its periods
      // become the uncertain range); a call that ended inside a period leaves that period as this range's first.
      const claim = claimOf(chunk, chunk[chunk.length - 1].timestampMs, putAtMs);
      await write({ watermarkMs: watermarkAfter(index), ...uncertainFields(claim), ...listed(ledgerDeferred) });
      try {
        datumsPut += await putExactlyOnce(chunk, sink, settings, log, old);
        index += chunk.length;
      } catch (err) {
        if (!(err instanceof PutDeferred)) throw err;
        // Whether CloudWatch stored it shows only in 48 hours: defer its periods (the rest of them too) and go on.
        ledgerDeferred = [...ledgerDeferred, claim];
        deferredNow.add(claim.fromMs);
        index = lastIndex.get(claim.toMs) ?? index;
        log.warn('the outcome of a put of periods 24 hours old or older is unknown: deferred until CloudWatch shows them', {
          from: iso(claim.fromMs),
          to: iso(claim.toMs),
          trustedFrom: iso(trustedFromMs(claim, visibilityMs)),
        });
      }
      settings.onProgress?.(index + 1, total);
    }
    // Then the deferred periods. Each claim names every deferred period still to put as uncertain, so a crash here
    // defers them again as one range in place of the range being settled: settling never grows the list.
    ledgerDeferred = [...kept, ...ledgerDeferred.slice(kept.length + (settleStream.length > 0 ? 1 : 0))];
    for (const chunk of chunkByAge(settleStream, nowMs, settings.maxDatumsPerPut)) {
      const putAtMs = clock();
      const claim = claimOf(chunk, settleStream[settleStream.length - 1].timestampMs, putAtMs);
      await write({ watermarkMs: watermarkAfter(index), ...uncertainFields(claim), ...listed(ledgerDeferred) });
      try {
        datumsPut += await putExactlyOnce(chunk, sink, settings, log, isOldPeriod(chunk[0].timestampMs, putAtMs));
        settleDone += chunk.length;
      } catch (err) {
        if (!(err instanceof PutDeferred)) throw err;
        ledgerDeferred = [...ledgerDeferred, claim];
        log.warn('the outcome of a put of deferred periods is unknown: deferred again until CloudWatch shows them', {
          from: iso(claim.fromMs),
          to: iso(claim.toMs),
          trustedFrom: iso(trustedFromMs(claim, visibilityMs)),
        });
        break;
      }
      settings.onProgress?.(index + 1 + settleDone, total);
    }
    // Commit the last call and release the lease.
    state = await ledger.write(state.version, { watermarkMs: watermarkAfter(index), ...listed(ledgerDeferred) });
  } catch (err) {
    const partial = result('published', datumsPut, state.watermarkMs);
    throw new RunIncomplete(
      `run stopped after ${partial.periodsPublished} of ${periodsInOrder.length + settleLast.size} periods: ${(err as Error).message}`,
      partial,
      err,
    );
  }
  return result('published', datumsPut, state.watermarkMs);
}

/** The ledger's `deferred` field: absent when empty. */
function listed(deferred: readonly DeferredRange[]): LedgerFields {
  return deferred.length === 0 ? {} : { deferred };
}

function uncertainFields(r: DeferredRange): LedgerFields {
  return Object.fromEntries(UNCERTAIN_FIELDS.filter(([k]) => r[k] !== undefined).map(([k, f]) => [f, r[k]])) as LedgerFields;
}

async function planRun(
  config: PromptCacheConfig,
  source: TokenSource,
  window: { periods: readonly number[]; lost: readonly number[]; endMs: number },
  settlePeriods: readonly number[],
  due: readonly DeferredRange[],
  periodMs: number,
  profiles: InferenceProfileRoutes | undefined,
  priceRegion: string | undefined,
): Promise<Planned> {
  if (window.periods.length === 0 && settlePeriods.length === 0)
    return { ...window, stream: [], settle: new Map(), modelIds: [], tokens: ZERO_TOKENS, unpricedTokens: 0 };
  const discovered = await source.discoverModelIds();
  const configured = config.models.map((m) => m.modelId);
  const modelIds = [...configured, ...[...new Set(discovered)].filter((id) => !configured.includes(id)).sort()];
  const startMs = Math.min(...window.periods.slice(0, 1), ...settlePeriods.slice(0, 1));
  const endMs = Math.max(
    window.periods.length > 0 ? window.endMs : 0,
    settlePeriods.length > 0 ? settlePeriods[settlePeriods.length - 1] + periodMs : 0,
  );
  const sums = await source.readTokenSums(modelIds, startMs, endMs, periodMs);
  // Application profiles without a priceAs are priced as the model they route to (bedrock:GetInferenceProfile).
  const priced = await pricedWithProfiles(config, modelIds, profiles);
  const figuresOf = (periodStartMs: number) => {
    const usage = new Map<string, TokenCounts>();
    for (const [modelId, byPeriod] of sums) {
      const t = byPeriod.get(periodStartMs);
      if (t) usage.set(modelId, t);
    }
    return periodDatums(periodStartMs, usage, modelIds, priced, priceRegion);
  };
  const stream: Datum[] = [];
  let tokens = ZERO_TOKENS;
  let unpricedTokens = 0;
  for (const periodStartMs of window.periods) {
    const figures = figuresOf(periodStartMs);
    stream.push(...figures.datums);
    tokens = addTokens(tokens, figures.tokens);
    unpricedTokens += figures.unpricedTokens;
  }
  // The same datums in the same order as the deferred put, with the LostPeriods datum it carried, if any.
  const settle = new Map<number, Datum[]>();
  for (const p of settlePeriods) {
    const carried = due.find((r) => r.fromMs === p && r.lostPeriods !== undefined)?.lostPeriods;
    const lost: Datum[] =
      carried === undefined
        ? []
        : [{ metricName: CUSTOM_METRICS.lostPeriods.name, timestampMs: p, value: carried, unit: CUSTOM_METRICS.lostPeriods.unit }];
    settle.set(p, [...lost, ...figuresOf(p).datums]);
  }
  return { ...window, stream, settle, modelIds, tokens, unpricedTokens };
}

/**
 * Puts one chunk so that each datum lands once: throttling is retried with exponential backoff; an unknown outcome is
 * settled by asking CloudWatch what arrived and putting only the rest, except for a chunk of old periods (`old`), whose
 * datums CloudWatch may not show yet: PutDeferred. Returns the number of datums this call put.
 */
async function putExactlyOnce(
  chunk: readonly Datum[],
  sink: SavingsSink,
  settings: RunSettings,
  log: RunLog,
  old: boolean,
): Promise<number> {
  let pending = chunk;
  for (let attempt = 1; ; attempt++) {
    try {
      await sink.put(pending);
      return pending.length;
    } catch (err) {
      // CloudWatch may not show datums 24 hours old or older for 48 hours: a presence check now could miss them.
      if (old && err instanceof PutOutcomeUnknown) throw new PutDeferred(err.message);
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
