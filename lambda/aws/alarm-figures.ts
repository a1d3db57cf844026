/**
 * Reads a page's live figures: one GetMetricData call for the series lambda/core/pages/figures.ts names (the model's
 * hit ratio, net savings and alarm-ready series, or the publisher's lag), per publisher period. The CloudWatch client is
 * injected. A failure (an error, a throttle, the time budget) is returned as the reason, never thrown: the page goes
 * out without figures and says so.
 */
import { GetMetricDataCommand, type CloudWatchClient, type MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import { MODEL_ID_DIMENSION } from '../core/contract';
import type { FigureId, FigureSeries, FiguresQuery, LiveFigures, SeriesPoint } from '../core/pages';

/** How long the figures may hold the page up. */
export const FIGURES_TIMEOUT_MS = 5_000;

/** The GetMetricData input of a figures query (at most 5 series × 7 periods: one page, no NextToken). */
export function metricDataQueries(q: FiguresQuery): MetricDataQuery[] {
  return q.series.map((s) => ({
    Id: s.id,
    MetricStat: {
      Metric: {
        Namespace: q.namespace,
        MetricName: s.metricName,
        Dimensions: s.modelId === undefined ? [] : [{ Name: MODEL_ID_DIMENSION, Value: s.modelId }],
      },
      Period: q.periodMinutes * 60,
      Stat: s.stat,
    },
    // Another account's series, from the monitoring account (cross-account observability).
    ...(q.accountId === undefined ? {} : { AccountId: q.accountId }),
    ReturnData: true,
  }));
}

export async function readAlarmFigures(
  cloudWatch: CloudWatchClient,
  q: FiguresQuery,
  timeoutMs = FIGURES_TIMEOUT_MS,
): Promise<LiveFigures> {
  try {
    const out = await cloudWatch.send(
      new GetMetricDataCommand({
        StartTime: new Date(q.startMs),
        EndTime: new Date(q.endMs),
        MetricDataQueries: metricDataQueries(q),
        ScanBy: 'TimestampAscending',
      }),
      { abortSignal: AbortSignal.timeout(timeoutMs) },
    );
    const series: FigureSeries = {};
    const ids = new Set(q.series.map((s) => s.id));
    for (const r of out.MetricDataResults ?? []) {
      const id = r.Id as FigureId;
      if (!ids.has(id)) continue;
      const points: SeriesPoint[] = (r.Timestamps ?? [])
        .map((t, k) => ({ startMs: t.getTime(), value: r.Values?.[k] ?? NaN }))
        .filter((p) => Number.isFinite(p.value))
        .sort((a, b) => a.startMs - b.startMs);
      series[id] = points;
    }
    return { read: true, series };
  } catch (err) {
    const e = err as Error;
    return { read: false, reason: `GetMetricData failed: ${e.name === 'Error' ? '' : `${e.name}: `}${e.message}` };
  }
}
