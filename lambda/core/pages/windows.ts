/**
 * Each alarm's evaluation window as the pages state it ("clears when …"): fleet alarms judge the publisher's
 * alarm-ready series per publisher period, the config's window covered by whole periods and cut to the 3 hours a
 * Metrics Insights alarm sees (lib/alarms builds the alarms with these same functions); precise alarms the config's
 * own periods; the pipeline alarms the publisher's periods; the bill check's alarms whole days. Pure.
 */
import type { CatalogAlarm } from '../alarm-catalog';
import { driftAlarmWindow, type ModelAlarmSettings, type PromptCacheConfig } from '../config';

/** The publisher's Lambda timeout unless the CDK says otherwise. */
export const DEFAULT_PUBLISHER_TIMEOUT_MINUTES = 5;

export interface EvalWindow {
  readonly periodMinutes: number;
  readonly evaluationPeriods: number;
  readonly datapointsToAlarm: number;
  /** The publisher's series (published periods), not the raw Sums. */
  readonly published: boolean;
}

/** The config's window (period × N, M of N) in whole publisher periods covering at least as long, within one day. */
export function coveringWindow(
  periodMinutes: number,
  evaluationPeriods: number,
  datapointsToAlarm: number,
  publisherMinutes: number,
): EvalWindow {
  const n = Math.max(1, Math.min(Math.floor(1440 / publisherMinutes), Math.ceil((periodMinutes * evaluationPeriods) / publisherMinutes)));
  return {
    periodMinutes: publisherMinutes,
    evaluationPeriods: n,
    datapointsToAlarm: Math.max(1, Math.min(n, Math.ceil((datapointsToAlarm * n) / evaluationPeriods))),
    published: true,
  };
}

/** Metrics Insights alarms evaluate only the latest 3 hours of data (CloudWatch's alarm limits, known from its docs). */
export const INSIGHTS_EVALUATION_MINUTES = 180;

/**
 * A fleet alarm's window: `w` cut to what a Metrics Insights alarm can see, its 3 hours holding the N periods plus the
 * newest one, which the publisher fills only a settle delay after it ends (at 60-minute periods: 1 period).
 */
export function fleetWindow<W extends Omit<EvalWindow, 'published'>>(
  w: W,
  publisher: { readonly periodMinutes: number; readonly settleDelayMinutes: number },
): W {
  const fit = Math.max(
    1,
    Math.floor((INSIGHTS_EVALUATION_MINUTES - publisher.settleDelayMinutes - publisher.periodMinutes) / publisher.periodMinutes),
  );
  const n = Math.min(w.evaluationPeriods, fit);
  return {
    ...w,
    evaluationPeriods: n,
    datapointsToAlarm: Math.max(1, Math.min(n, Math.ceil((w.datapointsToAlarm * n) / w.evaluationPeriods))),
  };
}

/** `missingPeriods` publisher periods, at most CloudWatch's one day. */
export function heartbeatPeriods(missingPeriods: number, periodMinutes: number): number {
  return missingPeriods * periodMinutes > 1440 ? Math.floor(1440 / periodMinutes) : missingPeriods;
}

/** The heartbeat's lag threshold: the settle delay, one period and the publisher's timeout (75 min by default). */
export function lagThresholdMinutes(config: Pick<PromptCacheConfig, 'publisher'>, publisherTimeoutMinutes: number): number {
  return config.publisher.settleDelayMinutes + config.publisher.periodMinutes + publisherTimeoutMinutes;
}

/** The window of `alarm` with the settings of its model (or the `alarms` section's, for a fleet alarm's description). */
export function alarmWindow(
  alarm: CatalogAlarm,
  settings: ModelAlarmSettings,
  config: Pick<PromptCacheConfig, 'publisher' | 'alarms' | 'reconcile'>,
): EvalWindow {
  const p = config.publisher.periodMinutes;
  const own = (periodMinutes: number, n: number, m: number): EvalWindow => ({
    periodMinutes,
    evaluationPeriods: n,
    datapointsToAlarm: m,
    published: false,
  });
  if (alarm.family === 'publisherErrors') return { ...own(p, 1, 1), published: true };
  if (alarm.family === 'billCheckErrors') return own(1440, 1, 1);
  if (alarm.family === 'costDrift') {
    const w = driftAlarmWindow(config.alarms.costDrift.days, config.reconcile.daily.billDelayDays);
    return own(1440, w.evaluationPeriods, w.datapointsToAlarm);
  }
  if (alarm.family === 'heartbeat') {
    const n = heartbeatPeriods(config.alarms.pipeline.missingPeriods, p);
    return { ...own(p, n, n), published: true };
  }
  const precise = alarm.kind === 'precise';
  const publishedWindow = (periodMinutes: number, n: number, m: number, publisherMinutes: number): EvalWindow =>
    fleetWindow(coveringWindow(periodMinutes, n, m, publisherMinutes), config.publisher);
  if (alarm.family === 'lowHitRatio') {
    const f = settings.lowHitRatio;
    return precise
      ? own(f.periodMinutes, f.evaluationPeriods, f.datapointsToAlarm)
      : publishedWindow(f.periodMinutes, f.evaluationPeriods, f.datapointsToAlarm, p);
  }
  if (alarm.family === 'writesWithoutReads') {
    const f = settings.writesWithoutReads;
    return precise
      ? own(f.periodMinutes, f.evaluationPeriods, f.evaluationPeriods)
      : publishedWindow(f.periodMinutes, f.evaluationPeriods, f.evaluationPeriods, p);
  }
  const f = settings.cachingCostsMoney;
  return precise
    ? own(f.windowMinutes, f.evaluationPeriods, f.evaluationPeriods)
    : publishedWindow(f.windowMinutes, f.evaluationPeriods, f.evaluationPeriods, p);
}

/** `a published hour`, `a 15-minute period`, `a 60-minute window` (cost windows). */
export function onePeriod(w: EvalWindow, noun = 'period'): string {
  if (w.periodMinutes === 1440) return 'a day';
  if (w.published) return w.periodMinutes === 60 ? 'a published hour' : `a published ${w.periodMinutes}-minute period`;
  return `a ${w.periodMinutes}-minute ${noun}`;
}

/** `published hours`, `15-minute periods`. */
export function periodsOf(w: EvalWindow, noun = 'period'): string {
  if (w.periodMinutes === 1440) return 'days';
  if (w.published) return w.periodMinutes === 60 ? 'published hours' : `published ${w.periodMinutes}-minute periods`;
  return `${w.periodMinutes}-minute ${noun}s`;
}

/**
 * When an alarm of this window clears: all N of N must breach, so one good period clears it ("when `one` `good`");
 * M of N clears once fewer than M of the last N breach.
 */
export function clearsWhen(w: EvalWindow, good: string, bad: string, noun = 'period'): string {
  if (w.datapointsToAlarm === w.evaluationPeriods) return `when ${onePeriod(w, noun)} ${good}`;
  return `when fewer than ${w.datapointsToAlarm} of the last ${w.evaluationPeriods} ${periodsOf(w, noun)} ${bad}`;
}
