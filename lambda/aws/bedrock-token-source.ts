/**
 * Reads AWS/Bedrock token Sums: ListMetrics to discover every ModelId with token metrics, and GetMetricData with one
 * MetricStat query per (model, metric) covering every period, batched at 500 queries and 100,800 datapoints per call,
 * following NextToken. Odd data (NaN, negative, fractional) is logged and neutralised, never published as is.
 */
import { CloudWatchClient, GetMetricDataCommand, ListMetricsCommand, type MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import type { PromptCacheConfig } from '../core/config';
import { BEDROCK_NAMESPACE, DEFAULT_BEDROCK_METRIC_NAMES, MODEL_ID_DIMENSION, TOKEN_FIELDS, type TokenCounts } from '../core/contract';
import { alignDown } from '../core/periods';
import type { RunLog, TokenSource, TokenSums } from '../core/publish-run';
import { queriesPerCall } from '../core/query-plan';

type TokenField = (typeof TOKEN_FIELDS)[number];

export class BedrockTokenSource implements TokenSource {
  constructor(
    private readonly cloudWatch: CloudWatchClient,
    pinnedNames: PromptCacheConfig['bedrockMetricNames'],
    private readonly log: RunLog,
    /** Called after each GetMetricData call with the calls done and the calls planned (pages not counted ahead). */
    private readonly onProgress?: (done: number, planned: number) => void,
  ) {
    this.metricNames = { ...DEFAULT_BEDROCK_METRIC_NAMES, ...Object.fromEntries(Object.entries(pinnedNames).filter(([, v]) => v !== undefined)) };
  }

  private readonly metricNames: Record<TokenField, string>;

  async discoverModelIds(): Promise<string[]> {
    const ids = new Set<string>();
    for (const field of TOKEN_FIELDS) {
      let nextToken: string | undefined;
      do {
        const page = await this.cloudWatch.send(
          new ListMetricsCommand({ Namespace: BEDROCK_NAMESPACE, MetricName: this.metricNames[field], Dimensions: [{ Name: MODEL_ID_DIMENSION }], NextToken: nextToken }),
        );
        for (const metric of page.Metrics ?? []) {
          const dims = metric.Dimensions ?? [];
          const id = dims.find((d) => d.Name === MODEL_ID_DIMENSION)?.Value;
          if (id && dims.length === 1) ids.add(id);
        }
        nextToken = page.NextToken;
      } while (nextToken);
    }
    return [...ids].sort();
  }

  async readTokenSums(modelIds: readonly string[], startMs: number, endMs: number, periodMs: number): Promise<TokenSums> {
    const queries: { id: string; modelId: string; field: TokenField; query: MetricDataQuery }[] = [];
    for (const modelId of modelIds) {
      for (const field of TOKEN_FIELDS) {
        const id = `q${queries.length}`;
        queries.push({
          id,
          modelId,
          field,
          query: {
            Id: id,
            ReturnData: true,
            MetricStat: {
              Metric: { Namespace: BEDROCK_NAMESPACE, MetricName: this.metricNames[field], Dimensions: [{ Name: MODEL_ID_DIMENSION, Value: modelId }] },
              Period: periodMs / 1000,
              Stat: 'Sum',
            },
          },
        });
      }
    }
    const sums = new Map<string, Map<number, Record<TokenField, number>>>();
    const byId = new Map(queries.map((q) => [q.id, q]));
    const perCall = queriesPerCall(Math.ceil((endMs - startMs) / periodMs));
    const planned = Math.ceil(queries.length / perCall);
    let done = 0;
    for (let i = 0; i < queries.length; i += perCall) {
      const batch = queries.slice(i, i + perCall);
      let nextToken: string | undefined;
      do {
        const page = await this.cloudWatch.send(
          new GetMetricDataCommand({
            StartTime: new Date(startMs),
            EndTime: new Date(endMs),
            MetricDataQueries: batch.map((q) => q.query),
            ScanBy: 'TimestampAscending',
            NextToken: nextToken,
          }),
        );
        for (const result of page.MetricDataResults ?? []) {
          const q = byId.get(result.Id ?? '');
          if (!q) continue;
          const timestamps = result.Timestamps ?? [];
          const values = result.Values ?? [];
          timestamps.forEach((ts, k) => {
            const period = alignDown(ts.getTime(), periodMs);
            if (period < startMs || period >= endMs) return;
            const value = this.clean(values[k], q.modelId, q.field, period);
            const perModel = sums.get(q.modelId) ?? new Map<number, Record<TokenField, number>>();
            sums.set(q.modelId, perModel);
            const counts = perModel.get(period) ?? { inputTokens: 0, cacheReadInputTokens: 0, cacheWriteInputTokens: 0, outputTokens: 0 };
            counts[q.field] += value;
            perModel.set(period, counts);
          });
        }
        nextToken = page.NextToken;
        this.onProgress?.(++done, Math.max(planned, done));
      } while (nextToken);
    }
    return sums as Map<string, Map<number, TokenCounts>>;
  }

  /** Token Sums are whole and non-negative; anything else is logged and made so (NaN and negatives count as 0). */
  private clean(value: number | undefined, modelId: string, field: TokenField, periodMs: number): number {
    if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return value;
    const fixed = typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.round(value) : 0;
    this.log.warn('odd token datapoint from AWS/Bedrock; using a clean value', { modelId, metric: this.metricNames[field], period: new Date(periodMs).toISOString(), value: String(value), used: fixed });
    return fixed;
  }
}
