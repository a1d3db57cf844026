/**
 * Period arithmetic for the savings publisher. Pure: the clock comes in as `nowMs`.
 *
 * A period is one schedule interval aligned to UTC (`[start, start + period)`); it is closed once `now − settle delay`
 * has passed its end (CloudWatch metrics arrive late). Periods older than CloudWatch's 14-day PutMetricData window (less a
 * safety margin) can no longer be published: they are reported as lost, never skipped silently.
 */

export const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

/** Schedules the publisher supports; each divides an hour, so periods align to UTC hours. */
export const PERIOD_MINUTES = [5, 10, 15, 30, 60] as const;
export type PeriodMinutes = (typeof PERIOD_MINUTES)[number];

/** CloudWatch accepts PutMetricData timestamps up to 14 days in the past. */
export const CLOUDWATCH_MAX_AGE_MS = 14 * DAY_MS;

export function alignDown(ms: number, periodMs: number): number {
  return Math.floor(ms / periodMs) * periodMs;
}

export function alignUp(ms: number, periodMs: number): number {
  return Math.ceil(ms / periodMs) * periodMs;
}

export interface PeriodWindowInput {
  readonly nowMs: number;
  readonly periodMs: number;
  readonly settleMs: number;
  /** Start of the first period not yet published (the ledger's watermark); undefined on the very first run. */
  readonly watermarkMs: number | undefined;
  /** How far back the very first run starts. */
  readonly initialLookbackMs: number;
  /** How old a period start may be and still be published (14 days less a safety margin). */
  readonly maxAgeMs: number;
}

export interface PeriodWindow {
  /** Period starts to publish, oldest first. */
  readonly periods: readonly number[];
  /** Period starts that fell out of CloudWatch's window before they were published, oldest first. */
  readonly lost: readonly number[];
  /** End of the last closed period: the watermark once everything up to it is published. */
  readonly endMs: number;
}

/**
 * Every closed period from the watermark (or `initialLookback` back, on the first run) up to `now − settle`, split into
 * the ones still publishable and the ones lost to CloudWatch's 14-day limit.
 */
export function periodWindow(input: PeriodWindowInput): PeriodWindow {
  const { nowMs, periodMs, settleMs, watermarkMs, initialLookbackMs, maxAgeMs } = input;
  const endMs = alignDown(nowMs - settleMs, periodMs);
  const startMs = watermarkMs !== undefined ? alignDown(watermarkMs, periodMs) : alignDown(endMs - initialLookbackMs, periodMs);
  const oldestPublishable = alignUp(nowMs - maxAgeMs, periodMs);
  const periods: number[] = [];
  const lost: number[] = [];
  for (let t = startMs; t < endMs; t += periodMs) (t < oldestPublishable ? lost : periods).push(t);
  return { periods, lost, endMs };
}
