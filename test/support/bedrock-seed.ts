/**
 * Seeds AWS/Bedrock token metrics into the emulator through the JS SDK (recent boto3 talks CBOR, which moto does not),
 * and reads custom metrics back per period, for the integration tests and the demo.
 */
import { CloudWatchClient, GetMetricDataCommand, PutMetricDataCommand, type MetricDatum } from '@aws-sdk/client-cloudwatch';
import {
  BEDROCK_NAMESPACE,
  DEFAULT_BEDROCK_METRIC_NAMES,
  MODEL_ID_DIMENSION,
  TOKEN_FIELDS,
  type BedrockMetricNames,
  type TokenCounts,
} from '../../lambda/core/contract';

export interface SeedPoint {
  readonly modelId: string;
  readonly periodStartMs: number;
  /** A field left out puts no datapoint for that metric (a missing series). */
  readonly tokens: Partial<TokenCounts>;
}

/** Puts each token count as one datapoint at the period start (plus `offsetMs`), 1,000 datums per call. */
export async function seedBedrock(
  cw: CloudWatchClient,
  points: readonly SeedPoint[],
  names: BedrockMetricNames = DEFAULT_BEDROCK_METRIC_NAMES,
  offsetMs = 0,
): Promise<number> {
  const data: MetricDatum[] = [];
  for (const p of points) {
    for (const field of TOKEN_FIELDS) {
      const value = p.tokens[field];
      if (value === undefined) continue;
      data.push({
        MetricName: names[field],
        Dimensions: [{ Name: MODEL_ID_DIMENSION, Value: p.modelId }],
        Timestamp: new Date(p.periodStartMs + offsetMs),
        Value: value,
        Unit: 'Count',
      });
    }
  }
  for (let i = 0; i < data.length; i += 1000) {
    await cw.send(new PutMetricDataCommand({ Namespace: BEDROCK_NAMESPACE, MetricData: data.slice(i, i + 1000) }));
  }
  return data.length;
}

export interface SeriesQuery {
  readonly namespace: string;
  readonly metricName: string;
  readonly modelId?: string;
  readonly stat: 'Sum' | 'SampleCount' | 'Minimum' | 'Maximum';
}

/** Reads series per period over [startMs, endMs): a map from period start to value, per query (in query order). */
export async function readSeries(
  cw: CloudWatchClient,
  queries: readonly SeriesQuery[],
  startMs: number,
  endMs: number,
  periodMs: number,
): Promise<Map<number, number>[]> {
  const out: Map<number, number>[] = queries.map(() => new Map());
  for (let i = 0; i < queries.length; i += 500) {
    const batch = queries.slice(i, i + 500);
    let nextToken: string | undefined;
    do {
      const page = await cw.send(
        new GetMetricDataCommand({
          StartTime: new Date(startMs),
          EndTime: new Date(endMs),
          NextToken: nextToken,
          MetricDataQueries: batch.map((q, k) => ({
            Id: `r${i + k}`,
            MetricStat: {
              Metric: {
                Namespace: q.namespace,
                MetricName: q.metricName,
                Dimensions: q.modelId === undefined ? [] : [{ Name: MODEL_ID_DIMENSION, Value: q.modelId }],
              },
              Period: periodMs / 1000,
              Stat: q.stat,
            },
          })),
        }),
      );
      for (const r of page.MetricDataResults ?? []) {
        const index = Number((r.Id ?? 'r-1').slice(1));
        (r.Timestamps ?? []).forEach((t, k) => out[index].set(t.getTime(), r.Values?.[k] ?? NaN));
      }
      nextToken = page.NextToken;
    } while (nextToken);
  }
  return out;
}
