/**
 * What the publisher puts for one period: the contract's custom metrics (contract.ts) per model (dimension ModelId) and for all
 * models (no dimension), in a fixed order: all-models series first, then the models (configured ones in config order,
 * then the others by id), then the `PublishedPeriods` heartbeat. Pure.
 *
 * The order matters for recovery: puts go out in this order, so what a crashed run left behind is a prefix of it.
 */
import type { PromptCacheConfig } from './config';
import { CUSTOM_METRICS, MODEL_ID_DIMENSION, type TokenCounts } from './contract';
import { buildReport } from './report';

/** One PutMetricData datum, SDK-agnostic. */
export interface Datum {
  readonly metricName: string;
  /** Undefined for the all-models series. */
  readonly modelId?: string;
  readonly timestampMs: number;
  readonly value: number;
  readonly unit: 'Percent' | 'None' | 'Count';
}

/** Identifies a series point independent of its value: what recovery checks for presence. */
export function datumKey(d: Pick<Datum, 'metricName' | 'modelId' | 'timestampMs'>): string {
  return `${d.metricName}|${d.modelId ?? ''}|${d.timestampMs}`;
}

export const DIMENSIONS_OF = (d: Pick<Datum, 'modelId'>) =>
  d.modelId === undefined ? [] : [{ name: MODEL_ID_DIMENSION, value: d.modelId }];

export interface PeriodFigures {
  readonly periodStartMs: number;
  readonly datums: Datum[];
  readonly tokens: TokenCounts;
  readonly unpricedTokens: number;
}

/** Write tokens of a period without a single cache read (0 with a read); null without cache traffic. */
export function writesWithoutReads(t: Pick<TokenCounts, 'cacheReadInputTokens' | 'cacheWriteInputTokens'>): number | null {
  if (t.cacheReadInputTokens + t.cacheWriteInputTokens === 0) return null;
  return t.cacheReadInputTokens === 0 ? t.cacheWriteInputTokens : 0;
}

/**
 * The datums of one period. Models with no datapoint in the period count as zero tokens: no ratio is published for them
 * (undefined), their dollars are zero (true when they had no traffic), and unpriced models get no dollar datums at all.
 */
export function periodDatums(
  periodStartMs: number,
  usage: ReadonlyMap<string, TokenCounts>,
  modelIds: readonly string[],
  config: PromptCacheConfig,
): PeriodFigures {
  const report = buildReport(
    modelIds.map((modelId) => ({
      modelId,
      tokens: usage.get(modelId) ?? { inputTokens: 0, cacheReadInputTokens: 0, cacheWriteInputTokens: 0, outputTokens: 0 },
    })),
    config,
  );
  const datums: Datum[] = [];
  const push = (metric: { name: string; unit: Datum['unit'] }, value: number | null, modelId?: string) => {
    if (value !== null)
      datums.push({
        metricName: metric.name,
        ...(modelId === undefined ? {} : { modelId }),
        timestampMs: periodStartMs,
        value,
        unit: metric.unit,
      });
  };
  const t = report.totals;
  push(CUSTOM_METRICS.cacheHitRatio, t.cacheHitRatioPercent);
  push(CUSTOM_METRICS.netSavingsUsd, t.netSavingsUSD);
  push(CUSTOM_METRICS.costWithCacheUsd, t.costWithCacheUSD);
  push(CUSTOM_METRICS.costWithoutCacheUsd, t.costWithoutCacheUSD);
  push(CUSTOM_METRICS.unpricedTokens, t.unpricedTokens);
  push(CUSTOM_METRICS.cacheReadTokens, t.cacheReadInputTokens);
  push(CUSTOM_METRICS.cacheWriteTokens, t.cacheWriteInputTokens);
  const waste = report.models.map((row) => writesWithoutReads(row));
  push(CUSTOM_METRICS.writesWithoutReadsTokens, waste.some((w) => w !== null) ? waste.reduce<number>((sum, w) => sum + (w ?? 0), 0) : null);
  report.models.forEach((row, i) => {
    push(CUSTOM_METRICS.cacheHitRatio, row.cacheHitRatioPercent, row.modelId);
    push(CUSTOM_METRICS.netSavingsUsd, row.netSavingsUSD, row.modelId);
    push(CUSTOM_METRICS.costWithCacheUsd, row.costWithCacheUSD, row.modelId);
    push(CUSTOM_METRICS.costWithoutCacheUsd, row.costWithoutCacheUSD, row.modelId);
    push(CUSTOM_METRICS.writesWithoutReadsTokens, waste[i], row.modelId);
  });
  // The heartbeat goes last: present means the whole period went out.
  push(CUSTOM_METRICS.publishedPeriods, 1);
  return { periodStartMs, datums, tokens: t, unpricedTokens: t.unpricedTokens };
}
