/**
 * The daily bill check: each UTC day's Bedrock bill in the stack's region beside the cost computed from the same day's
 * AWS/Bedrock tokens, published as `BilledCostUSD` and `CostDriftPercent` (per model and in total) once the day's bill
 * has settled, every day exactly once, back-filling the days a failed or skipped run missed. No AWS imports, no env, no
 * clock: Cost Explorer and CloudWatch come in as ports, `now` as a number.
 *
 * The protocol (README "The daily bill check"):
 * 1. Read the ledger item (`bill#<namespace>` in the publisher's table): the last day published and, after a crashed or
 *    unanswered put, the pending days and when their put was attempted.
 * 2. Days to do: after the last published day (the first run: `firstRunDays` back) up to the last due day, the day that
 *    ended `billDelayDays` days ago; days older than CloudWatch accepts are lost (logged).
 * 3. Pending days: their datums are 24 hours old or older, which CloudWatch may take 48 hours to show, so they wait
 *    (nothing is put) until `visibilityMs` after their put; then the datums already there are left out.
 * 4. One conditional write records the days as pending, the puts go out, a last write moves the last published day.
 */
import type { PromptCacheConfig } from './config';
import { CUSTOM_METRICS } from './contract';
import { datumKey, type Datum } from './datums';
import { isoDay } from './human-numbers';
import { alignDown, DAY_MS } from './periods';
import { LedgerConflict, PutOutcomeUnknown, PutThrottled, type RunLog, type SavingsSink } from './ports';
import { packDatums } from './publish-run';
import { reconcileRegion, type BilledLine, type Reconciliation, type ReconcileRow } from './reconcile';
import { sumWindow, type DailyUsage } from './weekly';

/** The last day whose bill is read by a run at `nowMs`: the day (its start) that ended `billDelayDays` days ago. */
export function lastDueDayMs(nowMs: number, billDelayDays: number): number {
  return alignDown(nowMs, DAY_MS) - (billDelayDays + 1) * DAY_MS;
}

/** A bill row's ModelId dimension: the one CloudWatch ModelId it counts, else the catalog model (and its routing). */
export function billRowModelId(row: Pick<ReconcileRow, 'model' | 'modelIds' | 'routing'>): string {
  if (row.modelIds.length === 1) return row.modelIds[0];
  return row.routing === 'in-region' ? row.model : `${row.model} (${row.routing})`;
}

/**
 * One day's datums, timestamped at the day's start: per bill row then for all models, `BilledCostUSD` and (where the
 * bill is not zero and every model is priced) `CostDriftPercent`. Rows are merged by their ModelId dimension.
 */
export function billDatums(dayStartMs: number, r: Reconciliation): Datum[] {
  const billed = CUSTOM_METRICS.billedCostUsd;
  const drift = CUSTOM_METRICS.costDriftPercent;
  const byId = new Map<string, { billed: number; computed: number | null }>();
  for (const row of r.models) {
    const id = billRowModelId(row);
    const prev = byId.get(id) ?? { billed: 0, computed: 0 };
    const computed = prev.computed === null || row.computedCostUSD === null ? null : prev.computed + row.computedCostUSD;
    byId.set(id, { billed: prev.billed + row.billedCostUSD, computed });
  }
  const out: Datum[] = [];
  const push = (modelId: string | undefined, billedUSD: number, driftPercent: number | null) => {
    const dims = modelId === undefined ? {} : { modelId };
    out.push({ metricName: billed.name, ...dims, timestampMs: dayStartMs, value: billedUSD, unit: billed.unit });
    if (driftPercent !== null && Number.isFinite(driftPercent))
      out.push({ metricName: drift.name, ...dims, timestampMs: dayStartMs, value: driftPercent, unit: drift.unit });
  };
  for (const [id, v] of [...byId.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    // A row neither billed nor computed (tokens of a model whose price is 0) says nothing about the bill.
    if (v.billed === 0 && (v.computed ?? 0) === 0) continue;
    push(id, v.billed, v.computed === null || v.billed === 0 ? null : (100 * (v.billed - v.computed)) / v.billed);
  }
  const t = r.totals;
  if (t.billedCostUSD !== 0 || t.computedCostUSD !== 0) push(undefined, t.billedCostUSD, t.driftPercent);
  return out;
}

/** Each day's reconciliation in `region`: the bill's lines of the day against the day's token Sums. */
export function reconcileDays(
  days: readonly number[],
  lines: readonly BilledLine[],
  daily: readonly DailyUsage[],
  region: string,
  config: PromptCacheConfig,
): Map<number, Reconciliation> {
  const out = new Map<number, Reconciliation>();
  for (const dayMs of days) {
    const day = isoDay(dayMs);
    // A model whose Sums are all 0 is skipped by the reconciliation itself.
    const models = sumWindow(daily, { startMs: dayMs, endMs: dayMs + DAY_MS });
    const window = { start: day, end: isoDay(dayMs + DAY_MS) };
    out.set(
      dayMs,
      reconcileRegion(
        lines.filter((l) => l.day === day),
        region,
        models,
        config,
        window,
      ),
    );
  }
  return out;
}

/** The bill check's ledger item key, beside the publisher's `publisher#<namespace>` in its table. */
export function billLedgerKey(namespace: string): string {
  return `bill#${namespace}`;
}

/** The ledger item of the bill check. */
export interface BillLedgerFields {
  /** Start of the last day published. */
  readonly publishedThroughMs?: number;
  /** Days (inclusive starts) whose datums may be partly in CloudWatch: a put that crashed or got no answer. */
  readonly pendingFromMs?: number;
  readonly pendingToMs?: number;
  /** When that put was attempted. */
  readonly pendingPutAtMs?: number;
}

export interface BillLedgerState extends BillLedgerFields {
  /** 0 when there is no item yet. */
  readonly version: number;
}

export interface BillLedger {
  read(): Promise<BillLedgerState>;
  /** Writes `next` if the item is still at `expectedVersion`; throws LedgerConflict otherwise. */
  write(expectedVersion: number, next: BillLedgerFields): Promise<BillLedgerState>;
}

export interface BillSource {
  /** Each day's reconciliation for the days (starts) asked, in the stack's region. */
  reconcile(days: readonly number[]): Promise<ReadonlyMap<number, Reconciliation>>;
}

export interface BillCheckSettings {
  readonly nowMs: number;
  readonly billDelayDays: number;
  /** The first run publishes this many days back from the last due day. */
  readonly firstRunDays: number;
  /** Older days are lost: CloudWatch accepts datums up to 14 days old. */
  readonly maxAgeMs: number;
  /** How long after a put of old datums a presence check of them is trusted (CloudWatch: up to 48 hours). */
  readonly visibilityMs: number;
  readonly maxDatumsPerPut: number;
  readonly maxPutAttempts: number;
  readonly sleep: (ms: number) => Promise<void>;
}

export type BillCheckStatus = 'published' | 'nothing-to-do' | 'waiting' | 'busy';

export interface BillCheckResult {
  readonly status: BillCheckStatus;
  /** The days published by this run (YYYY-MM-DD). */
  readonly days: readonly string[];
  /** Days found already in CloudWatch when pending days were settled. */
  readonly daysAlreadyPresent: number;
  readonly daysLost: readonly string[];
  readonly datumsPut: number;
  /** The last due day's all-models figures, when this run published it. */
  readonly latest?: { readonly day: string; readonly billedCostUSD: number; readonly driftPercent: number | null };
}

const DEFAULTS: Pick<BillCheckResult, 'days' | 'daysAlreadyPresent' | 'daysLost' | 'datumsPut'> = {
  days: [],
  daysAlreadyPresent: 0,
  daysLost: [],
  datumsPut: 0,
};

function dayRange(fromMs: number, toMs: number): number[] {
  const out: number[] = [];
  for (let d = fromMs; d <= toMs; d += DAY_MS) out.push(d);
  return out;
}

/** One run of the daily bill check. */
export async function runBillCheck(
  source: BillSource,
  sink: SavingsSink,
  ledger: BillLedger,
  settings: BillCheckSettings,
  log: RunLog,
): Promise<BillCheckResult> {
  const { nowMs } = settings;
  const state = await ledger.read();
  const lastDue = lastDueDayMs(nowMs, settings.billDelayDays);
  const pending =
    state.pendingFromMs !== undefined && state.pendingToMs !== undefined
      ? { fromMs: state.pendingFromMs, toMs: state.pendingToMs, putAtMs: state.pendingPutAtMs ?? 0 }
      : undefined;
  if (pending && nowMs < pending.putAtMs + settings.visibilityMs) {
    log.info('waiting: a put of these days got no answer, and CloudWatch may not show their datums for 48 hours after it', {
      from: isoDay(pending.fromMs),
      to: isoDay(pending.toMs),
      trustedFrom: new Date(pending.putAtMs + settings.visibilityMs).toISOString(),
    });
    return { ...DEFAULTS, status: 'waiting' };
  }
  const firstMs =
    pending?.fromMs ??
    (state.publishedThroughMs !== undefined ? state.publishedThroughMs + DAY_MS : lastDue - (settings.firstRunDays - 1) * DAY_MS);
  const oldestMs = alignDown(nowMs - settings.maxAgeMs, DAY_MS) + DAY_MS;
  const all = dayRange(firstMs, lastDue);
  const lost = all.filter((d) => d < oldestMs);
  const days = all.filter((d) => d >= oldestMs);
  if (lost.length > 0)
    log.warn(
      'days older than CloudWatch accepts were never published (the bill check did not run): `prompt-cache reconcile` still shows them',
      {
        days: lost.map(isoDay),
      },
    );
  if (days.length === 0) {
    log.info('nothing to do: every due day is published', {
      publishedThrough: state.publishedThroughMs && isoDay(state.publishedThroughMs),
    });
    return { ...DEFAULTS, status: 'nothing-to-do', daysLost: lost.map(isoDay) };
  }

  const byDay = await source.reconcile(days);
  let datums = days.flatMap((d) => {
    const r = byDay.get(d);
    return r ? billDatums(d, r) : [];
  });
  let alreadyPresent = 0;
  if (pending) {
    const settling = datums.filter((d) => d.timestampMs >= pending.fromMs && d.timestampMs <= pending.toMs);
    const present = await sink.present(settling);
    alreadyPresent = new Set(settling.filter((d) => present.has(datumKey(d))).map((d) => d.timestampMs)).size;
    datums = datums.filter((d) => !present.has(datumKey(d)));
    log.info('settled days whose put got no answer', {
      from: isoDay(pending.fromMs),
      to: isoDay(pending.toMs),
      daysPresent: alreadyPresent,
    });
  }

  let version = state.version;
  try {
    const claimed = await ledger.write(version, {
      ...(state.publishedThroughMs === undefined ? {} : { publishedThroughMs: state.publishedThroughMs }),
      pendingFromMs: days[0],
      pendingToMs: days[days.length - 1],
      pendingPutAtMs: nowMs,
    });
    version = claimed.version;
  } catch (err) {
    if (err instanceof LedgerConflict) {
      log.info('another run took the ledger item first; leaving the work to it');
      return { ...DEFAULTS, status: 'busy' };
    }
    throw err;
  }
  for (const chunk of packDatums(datums, settings.maxDatumsPerPut)) await putThrottledWithRetry(chunk, sink, settings);
  await ledger.write(version, { publishedThroughMs: days[days.length - 1] });

  const last = byDay.get(lastDue);
  const result: BillCheckResult = {
    status: 'published',
    days: days.map(isoDay),
    daysAlreadyPresent: alreadyPresent,
    daysLost: lost.map(isoDay),
    datumsPut: datums.length,
    ...(last && days.includes(lastDue)
      ? { latest: { day: isoDay(lastDue), billedCostUSD: last.totals.billedCostUSD, driftPercent: last.totals.driftPercent } }
      : {}),
  };
  log.info('bill check published', { ...result });
  return result;
}

/** Throttled puts were not stored: retried with backoff. Any other failure leaves the days pending for a later run. */
async function putThrottledWithRetry(datums: readonly Datum[], sink: SavingsSink, settings: BillCheckSettings): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await sink.put(datums);
    } catch (err) {
      if (!(err instanceof PutThrottled) || attempt >= settings.maxPutAttempts) {
        if (err instanceof PutOutcomeUnknown)
          throw new Error(`${err.message}; the days stay pending, and a run 48 hours from now puts whatever CloudWatch does not show`, {
            cause: err,
          });
        throw err;
      }
      await settings.sleep(Math.min(20_000, 100 * 2 ** attempt));
    }
  }
}
