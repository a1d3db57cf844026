/**
 * The live figures of a page: which of the publisher's series to read for a notice (one GetMetricData call, the last
 * few publisher periods), and what they say: the newest published period's hit ratio, dollars per hour and wasted
 * writes, and since when the alarm's own series has been breaching. Pure: the adapter (lambda/aws/alarm-figures.ts)
 * runs the query.
 */
import type { CatalogAlarm } from '../alarm-catalog';
import { CUSTOM_METRICS } from '../contract';
import { alignDown, DAY_MS, MINUTE_MS } from '../periods';

/** Publisher periods read before the event's: enough for "since when" over a night. */
export const FIGURE_PERIODS = 6;

export type FigureId = 'hit' | 'net' | 'margin' | 'wwr' | 'netPerHour' | 'lag' | 'drift' | 'billed';

export interface FigureSeriesQuery {
  readonly id: FigureId;
  readonly metricName: string;
  /** The ModelId dimension; none for the pipeline's series. */
  readonly modelId?: string;
  readonly stat: 'Average' | 'Sum' | 'Maximum';
}

/** One GetMetricData call: these series, per publisher period, over [startMs, endMs). */
export interface FiguresQuery {
  readonly namespace: string;
  /** The source account of the series (a cross-account contributor), read from the monitoring account. @default - own */
  readonly accountId?: string;
  readonly periodMinutes: number;
  readonly startMs: number;
  readonly endMs: number;
  readonly series: readonly FigureSeriesQuery[];
}

/** A datapoint of one period (its start). */
export interface SeriesPoint {
  readonly startMs: number;
  readonly value: number;
}

/** What the query returned, by series id, oldest first. */
export type FigureSeries = Partial<Record<FigureId, readonly SeriesPoint[]>>;

/** The figures of a page, or why there are none (the page goes out without them and says so). */
export type LiveFigures = { readonly read: true; readonly series: FigureSeries } | { readonly read: false; readonly reason: string };

/**
 * The series a notice's page reads: the model's hit ratio, net savings and the alarm-ready series (all five, whatever
 * the family: one call either way), the publisher's lag for a pipeline alarm, or the bill check's daily drift and bill
 * for its alarms. The window ends with the period of the event and starts {@link FIGURE_PERIODS} periods before it.
 */
export function figuresQuery(
  notice: { readonly alarm: CatalogAlarm; readonly modelId?: string; readonly accountId?: string; readonly atMs: number },
  config: { readonly namespace: string; readonly publisher: { readonly periodMinutes: number } },
): FiguresQuery {
  if (notice.alarm.kind === 'bill') {
    // The bill check's all-models series, one datum per day (its start): the week before the event.
    const endMs = alignDown(notice.atMs, DAY_MS) + DAY_MS;
    return {
      namespace: config.namespace,
      periodMinutes: 1440,
      startMs: endMs - (FIGURE_PERIODS + 1) * DAY_MS,
      endMs,
      series: [
        { id: 'drift', metricName: CUSTOM_METRICS.costDriftPercent.name, stat: 'Maximum' },
        { id: 'billed', metricName: CUSTOM_METRICS.billedCostUsd.name, stat: 'Maximum' },
      ],
    };
  }
  const periodMinutes = config.publisher.periodMinutes;
  const periodMs = periodMinutes * MINUTE_MS;
  const endMs = alignDown(notice.atMs, periodMs) + periodMs;
  const window = {
    namespace: config.namespace,
    ...(notice.accountId === undefined ? {} : { accountId: notice.accountId }),
    periodMinutes,
    startMs: endMs - (FIGURE_PERIODS + 1) * periodMs,
    endMs,
  };
  const modelId = notice.modelId;
  if (modelId === undefined)
    return { ...window, series: [{ id: 'lag', metricName: CUSTOM_METRICS.publisherLagMinutes.name, stat: 'Maximum' }] };
  return {
    ...window,
    series: [
      { id: 'hit', metricName: CUSTOM_METRICS.cacheHitRatio.name, modelId, stat: 'Average' },
      { id: 'net', metricName: CUSTOM_METRICS.netSavingsUsd.name, modelId, stat: 'Sum' },
      { id: 'margin', metricName: CUSTOM_METRICS.alarmHitRatioMarginPoints.name, modelId, stat: 'Average' },
      { id: 'wwr', metricName: CUSTOM_METRICS.writesWithoutReadsTokens.name, modelId, stat: 'Sum' },
      { id: 'netPerHour', metricName: CUSTOM_METRICS.alarmNetSavingsUsdPerHour.name, modelId, stat: 'Average' },
    ],
  };
}

/** The newest published period of a model and its figures there. */
export interface ModelReading {
  /** Start of the newest period any of the model's series has; undefined when none has a point. */
  readonly periodStartMs?: number;
  readonly hitPercent?: number;
  /** Net savings in USD per hour (the alarm-ready series, else NetSavingsUSD over the period's hours). */
  readonly netUsdPerHour?: number;
  /** Cache write tokens of the period if it read nothing (WritesWithoutReadsTokens). */
  readonly writesWithoutReadsTokens?: number;
}

const at = (points: readonly SeriesPoint[] | undefined, startMs: number) => points?.find((p) => p.startMs === startMs)?.value;

/** The model's figures in the newest period that has any. */
export function modelReading(series: FigureSeries, periodMinutes: number): ModelReading {
  const ids: FigureId[] = ['hit', 'net', 'margin', 'wwr', 'netPerHour'];
  const starts = ids.flatMap((id) => (series[id] ?? []).map((p) => p.startMs));
  if (starts.length === 0) return {};
  const periodStartMs = Math.max(...starts);
  const hitPercent = at(series.hit, periodStartMs);
  const perHour = at(series.netPerHour, periodStartMs);
  const net = at(series.net, periodStartMs);
  const netUsdPerHour = perHour ?? (net === undefined ? undefined : net / (periodMinutes / 60));
  const wwr = at(series.wwr, periodStartMs);
  return {
    periodStartMs,
    ...(hitPercent === undefined ? {} : { hitPercent }),
    ...(netUsdPerHour === undefined ? {} : { netUsdPerHour }),
    ...(wwr === undefined ? {} : { writesWithoutReadsTokens: wwr }),
  };
}

/** The current run of breaching periods: where it starts, how many periods, and whether it reaches the oldest one read. */
export interface BreachingRun {
  readonly startMs: number;
  readonly periods: number;
  /** The run covers every period read: it began at or before `startMs`. */
  readonly atLeast: boolean;
}

/**
 * The run of consecutive breaching periods that ends with the newest point (none if the newest does not breach); a
 * missing period ends it. `windowStartMs` is the oldest period read, to tell "since" from "since at least".
 */
export function breachingRun(
  points: readonly SeriesPoint[] | undefined,
  periodMs: number,
  breaching: (value: number) => boolean,
  windowStartMs: number,
): BreachingRun | undefined {
  const sorted = [...(points ?? [])].sort((a, b) => a.startMs - b.startMs);
  let i = sorted.length - 1;
  if (i < 0 || !breaching(sorted[i].value)) return undefined;
  let startMs = sorted[i].startMs;
  let periods = 1;
  while (i > 0 && sorted[i - 1].startMs === startMs - periodMs && breaching(sorted[i - 1].value)) {
    i--;
    startMs = sorted[i].startMs;
    periods++;
  }
  return { startMs, periods, atLeast: startMs <= windowStartMs };
}
