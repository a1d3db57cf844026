/**
 * Reads AWS/Bedrock token Sums: ListMetrics to discover every ModelId with token metrics, and GetMetricData with one
 * MetricStat query per (model, metric) covering every period, batched at 500 queries and 100,800 datapoints per call,
 * following NextToken. Odd data (NaN, negative, fractional) is logged and neutralised, never published as is.
 *
 * With `account` (a source account read from a CloudWatch cross-account observability monitoring account): ListMetrics
 * asks with `IncludeLinkedAccounts: true` and `OwningAccount`, and every MetricStat query carries `AccountId`. Known
 * from AWS's documentation of ListMetrics and MetricDataQuery only: the emulator accepts the fields but keeps accounts
 * apart by credentials, so it cannot show a monitoring account reading a linked one.
 */
import { CloudWatchClient, GetMetricDataCommand, ListMetricsCommand, type MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import type { PromptCacheConfig } from '../core/config';
import { BEDROCK_NAMESPACE, bedrockMetricCandidates, MODEL_ID_DIMENSION, TOKEN_FIELDS, type TokenCounts } from '../core/contract';
import { alignDown } from '../core/periods';
import type { RunLog, TokenSource, TokenSums } from '../core/ports';
import { queriesPerCall } from '../core/query-plan';

type TokenField = (typeof TOKEN_FIELDS)[number];

export class BedrockTokenSource implements TokenSource {
  /** The names to try per token kind: the pinned one, else every documented spelling. */
  private readonly candidates: { readonly [K in TokenField]: readonly string[] };
  /** Spellings ListMetrics showed per model and kind: a model is then read under those only. */
  private readonly seen = new Map<string, Map<TokenField, Set<string>>>();

  constructor(
    private readonly cloudWatch: CloudWatchClient,
    pinnedNames: PromptCacheConfig['bedrockMetricNames'],
    private readonly log: RunLog,
    /** Called after each GetMetricData call with the calls done and the calls planned (pages not counted ahead). */
    private readonly onProgress?: (done: number, planned: number) => void,
    /** The linked source account to read (12 digits), from the monitoring account. @default - the credentials' own */
    private readonly account?: string,
  ) {
    this.candidates = bedrockMetricCandidates(pinnedNames);
  }

  /** One ListMetrics pass (all pages) per spelling of each token metric; remembers which spelling each model reports. */
  async discoverModelIds(): Promise<string[]> {
    for (const field of TOKEN_FIELDS) {
      for (const metricName of this.candidates[field]) {
        let nextToken: string | undefined;
        do {
          const page = await this.cloudWatch.send(
            new ListMetricsCommand({
              Namespace: BEDROCK_NAMESPACE,
              MetricName: metricName,
              Dimensions: [{ Name: MODEL_ID_DIMENSION }],
              NextToken: nextToken,
              ...(this.account === undefined ? {} : { IncludeLinkedAccounts: true, OwningAccount: this.account }),
            }),
          );
          (page.Metrics ?? []).forEach((metric, k) => {
            // With linked accounts each metric names its owner (OwningAccounts, index for index): keep the asked one's.
            const owner = page.OwningAccounts?.[k];
            if (this.account !== undefined && owner !== undefined && owner !== this.account) return;
            const dims = metric.Dimensions ?? [];
            const id = dims.find((d) => d.Name === MODEL_ID_DIMENSION)?.Value;
            if (!id || dims.length !== 1) return;
            const kinds = this.seen.get(id) ?? new Map<TokenField, Set<string>>();
            this.seen.set(id, kinds);
            kinds.set(field, (kinds.get(field) ?? new Set<string>()).add(metricName));
          });
          nextToken = page.NextToken;
        } while (nextToken);
      }
    }
    return [...this.seen.keys()].sort();
  }

  /**
   * The metric names to read for a model's token kind: the spellings ListMetrics showed for it, else every candidate
   * (a configured model without traffic yet, or a metric too new for ListMetrics, which can lag by minutes).
   */
  private namesFor(modelId: string, field: TokenField): readonly string[] {
    const seen = this.seen.get(modelId)?.get(field);
    return seen && seen.size > 0 ? this.candidates[field].filter((n) => seen.has(n)) : this.candidates[field];
  }

  /**
   * Sums per model per period. A model reporting a kind under two spellings is read under both and the larger Sum of
   * each period is used: the spellings are aliases, so a token is never counted twice.
   */
  async readTokenSums(modelIds: readonly string[], startMs: number, endMs: number, periodMs: number): Promise<TokenSums> {
    const queries: { id: string; modelId: string; field: TokenField; query: MetricDataQuery }[] = [];
    for (const modelId of modelIds) {
      for (const field of TOKEN_FIELDS) {
        for (const metricName of this.namesFor(modelId, field)) {
          const id = `q${queries.length}`;
          queries.push({
            id,
            modelId,
            field,
            query: {
              Id: id,
              ReturnData: true,
              ...(this.account === undefined ? {} : { AccountId: this.account }),
              MetricStat: {
                Metric: {
                  Namespace: BEDROCK_NAMESPACE,
                  MetricName: metricName,
                  Dimensions: [{ Name: MODEL_ID_DIMENSION, Value: modelId }],
                },
                Period: periodMs / 1000,
                Stat: 'Sum',
              },
            },
          });
        }
      }
    }
    // Per query, then the largest spelling per (model, kind, period).
    const perQuery = new Map<string, Map<number, number>>();
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
          const byPeriod = perQuery.get(q.id) ?? new Map<number, number>();
          perQuery.set(q.id, byPeriod);
          timestamps.forEach((ts, k) => {
            const period = alignDown(ts.getTime(), periodMs);
            if (period < startMs || period >= endMs) return;
            byPeriod.set(
              period,
              (byPeriod.get(period) ?? 0) + this.clean(values[k], q.modelId, q.query.MetricStat!.Metric!.MetricName!, period),
            );
          });
        }
        nextToken = page.NextToken;
        this.onProgress?.(++done, Math.max(planned, done));
      } while (nextToken);
    }
    const sums = new Map<string, Map<number, Record<TokenField, number>>>();
    for (const q of queries) {
      for (const [period, value] of perQuery.get(q.id) ?? []) {
        const perModel = sums.get(q.modelId) ?? new Map<number, Record<TokenField, number>>();
        sums.set(q.modelId, perModel);
        const counts = perModel.get(period) ?? { inputTokens: 0, cacheReadInputTokens: 0, cacheWriteInputTokens: 0, outputTokens: 0 };
        counts[q.field] = Math.max(counts[q.field], value);
        perModel.set(period, counts);
      }
    }
    return sums as Map<string, Map<number, TokenCounts>>;
  }

  /** Token Sums are whole and non-negative; anything else is logged and made so (NaN and negatives count as 0). */
  private clean(value: number | undefined, modelId: string, metricName: string, periodMs: number): number {
    if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return value;
    const fixed = typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.round(value) : 0;
    this.log.warn('odd token datapoint from AWS/Bedrock; using a clean value', {
      modelId,
      metric: metricName,
      period: new Date(periodMs).toISOString(),
      value: String(value),
      used: fixed,
    });
    return fixed;
  }
}
