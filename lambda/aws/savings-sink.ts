/**
 * Puts the custom metrics (one PutMetricData call per chunk, no SDK retries) and answers which datums CloudWatch already
 * holds (SampleCount at the datum's timestamp), for publish-run.ts's exactly-once protocol.
 */
import { CloudWatchClient, GetMetricDataCommand, PutMetricDataCommand, type MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import { CUSTOM_METRICS } from '../core/contract';
import { datumKey, DIMENSIONS_OF, type Datum } from '../core/datums';
import { PutOutcomeUnknown, PutThrottled, type SavingsSink } from '../core/ports';
import { queriesPerCall } from '../core/query-plan';

const THROTTLING_CODES = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
  'RequestThrottled',
]);

interface SdkError {
  name?: string;
  $metadata?: { httpStatusCode?: number };
}

/** Throttled: not stored. Any other 4xx: rejected (rethrown as is). No HTTP answer or a 5xx: outcome unknown. */
export function classifyPutError(err: unknown): Error {
  const e = err as SdkError;
  const status = e.$metadata?.httpStatusCode;
  if (THROTTLING_CODES.has(e.name ?? '') || status === 429) return new PutThrottled(`${e.name ?? 'Throttled'}: ${(err as Error).message}`);
  if (status !== undefined && status >= 400 && status < 500) return err as Error;
  return new PutOutcomeUnknown(`${e.name ?? 'Error'}${status ? ` (HTTP ${status})` : ''}: ${(err as Error).message}`);
}

export class CloudWatchSavingsSink implements SavingsSink {
  constructor(
    private readonly put1: CloudWatchClient,
    private readonly reader: CloudWatchClient,
    private readonly namespace: string,
    private readonly periodMs: number,
  ) {}

  async put(datums: readonly Datum[]): Promise<void> {
    try {
      await this.put1.send(
        new PutMetricDataCommand({
          Namespace: this.namespace,
          MetricData: datums.map((d) => ({
            MetricName: d.metricName,
            Dimensions: DIMENSIONS_OF(d).map((x) => ({ Name: x.name, Value: x.value })),
            Timestamp: new Date(d.timestampMs),
            Value: d.value,
            Unit: d.unit,
          })),
        }),
      );
    } catch (err) {
      throw classifyPutError(err);
    }
  }

  async present(datums: readonly Datum[]): Promise<ReadonlySet<string>> {
    const found = new Set<string>();
    if (datums.length === 0) return found;
    const series = new Map<string, { id: string; datum: Datum }>();
    for (const d of datums) {
      const key = `${d.metricName}|${d.modelId ?? ''}`;
      if (!series.has(key)) series.set(key, { id: `s${series.size}`, datum: d });
    }
    const start = Math.min(...datums.map((d) => d.timestampMs));
    const end = Math.max(...datums.map((d) => d.timestampMs)) + this.periodMs;
    const seen = new Map<string, Set<number>>(); // series id → timestamps with SampleCount > 0
    const all = [...series.values()];
    const perCall = queriesPerCall((end - start) / this.periodMs);
    for (let i = 0; i < all.length; i += perCall) {
      const queries: MetricDataQuery[] = all.slice(i, i + perCall).map(({ id, datum }) => ({
        Id: id,
        MetricStat: {
          Metric: {
            Namespace: this.namespace,
            MetricName: datum.metricName,
            Dimensions: DIMENSIONS_OF(datum).map((x) => ({ Name: x.name, Value: x.value })),
          },
          Period: this.periodMs / 1000,
          Stat: 'SampleCount',
        },
      }));
      let nextToken: string | undefined;
      do {
        const page = await this.reader.send(
          new GetMetricDataCommand({
            StartTime: new Date(start),
            EndTime: new Date(end),
            MetricDataQueries: queries,
            NextToken: nextToken,
          }),
        );
        for (const r of page.MetricDataResults ?? []) {
          const times = seen.get(r.Id ?? '') ?? new Set<number>();
          (r.Timestamps ?? []).forEach((ts, k) => {
            if ((r.Values?.[k] ?? 0) > 0) times.add(ts.getTime());
          });
          seen.set(r.Id ?? '', times);
        }
        nextToken = page.NextToken;
      } while (nextToken);
    }
    for (const d of datums) {
      const s = series.get(`${d.metricName}|${d.modelId ?? ''}`);
      if (s && seen.get(s.id)?.has(d.timestampMs)) found.add(datumKey(d));
    }
    return found;
  }
}

/**
 * Waits until the run's `PublisherLagMinutes` report (timestamped `atMs`) can be read back, polling every `everyMs` up
 * to `timeoutMs`: the deploy-time run answers CloudFormation only then, so the pipeline alarm created next sees it.
 */
export async function waitForLagReport(
  reader: CloudWatchClient,
  namespace: string,
  atMs: number,
  options: {
    readonly timeoutMs: number;
    readonly everyMs: number;
    readonly sleep: (ms: number) => Promise<void>;
    readonly clock: () => number;
  },
): Promise<boolean> {
  const started = options.clock();
  const startMs = Math.floor(atMs / 60_000) * 60_000;
  for (;;) {
    const out = await reader.send(
      new GetMetricDataCommand({
        StartTime: new Date(startMs),
        EndTime: new Date(startMs + 120_000),
        MetricDataQueries: [
          {
            Id: 'lag',
            MetricStat: {
              Metric: { Namespace: namespace, MetricName: CUSTOM_METRICS.publisherLagMinutes.name, Dimensions: [] },
              Period: 60,
              Stat: 'SampleCount',
            },
          },
        ],
      }),
    );
    if ((out.MetricDataResults?.[0]?.Values ?? []).some((v) => v > 0)) return true;
    if (options.clock() - started + options.everyMs > options.timeoutMs) return false;
    await options.sleep(options.everyMs);
  }
}
