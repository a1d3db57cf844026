/**
 * What the publisher puts for one period: the contract's custom metrics (contract.ts) per model (dimension ModelId) and for all
 * models (no dimension), in a fixed order: all-models series first, then the models (configured ones in config order,
 * then the others by id), then the `PublishedPeriods` heartbeat. Pure.
 *
 * Per model: `CacheHitRatio`, `NetSavingsUSD`, `CostWithCacheUSD`, `CostWithoutCacheUSD`, then its alarm-ready series,
 * which the fleet alarms (Metrics Insights, one static threshold per query) read, so each already holds the model's own
 * threshold and volume guard:
 * - `WritesWithoutReadsTokens` (writes-without-reads): in a period the model wrote at least `minWriteTokens`, the write
 *   tokens when it read nothing, else 0 (the no-dimension series keeps its meaning: the sum over every model's periods
 *   without a read, no guard);
 * - `AlarmHitRatioMarginPoints` (low hit ratio): in a period with at least `minCacheTokens` cache tokens (read + write),
 *   the hit ratio minus lowHitThresholdPercent (the larger of `thresholdPercent` and break-even + `breakEvenMarginPoints`;
 *   `thresholdPercent` alone when unpriced), in points;
 * - `AlarmNetSavingsUSDPerHour` (caching costs money): priced models only, in a period with at least `minCacheTokens`
 *   cache tokens, the period's net savings × 60 / `publisher.periodMinutes`.
 * A model gets the series of the families on for it (modelAlarmSettings: its overrides on the `alarms` section; a model
 * not in config.models takes the section's) and only in fleet mode: a precise-mode model, or one with alarms off, none.
 *
 * The order matters for recovery: puts go out in this order, so what a crashed run left behind is a prefix of it.
 */
import {
  lowHitThresholdPercent,
  modelAlarmSettings,
  type ModelAlarmFamily,
  type ModelAlarmSettings,
  type ModelConfig,
  type PromptCacheConfig,
} from './config';
import { CUSTOM_METRICS, MODEL_ID_DIMENSION, type TokenCounts } from './contract';
import { resolveModelPrice } from './prices';
import { buildReport, type ReportRow } from './report';
import { breakEvenHitRatioPercent } from './savings';

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

/** Each model family's alarm-ready series, in the order a model's datums carry them. */
export const ALARM_READY_SERIES = {
  writesWithoutReads: CUSTOM_METRICS.writesWithoutReadsTokens,
  lowHitRatio: CUSTOM_METRICS.alarmHitRatioMarginPoints,
  cachingCostsMoney: CUSTOM_METRICS.alarmNetSavingsUsdPerHour,
} as const satisfies { readonly [F in ModelAlarmFamily]: { readonly name: string; readonly unit: Datum['unit'] } };

const ALARM_READY_FAMILIES = Object.keys(ALARM_READY_SERIES) as ModelAlarmFamily[];

/** The families whose alarm-ready series a model gets: those on for it, in fleet mode only (precise or alarms off: none). */
export function alarmReadyFamilies(settings: ModelAlarmSettings): ModelAlarmFamily[] {
  if (!settings.enabled || settings.mode !== 'fleet') return [];
  return ALARM_READY_FAMILIES.filter((family) => settings[family].enabled);
}

/** One model's alarm-ready values in one period, by family; null: no datum (family off, below its guard, unpriced). */
export type AlarmReadyValues = { readonly [F in ModelAlarmFamily]: number | null };

/**
 * The alarm-ready values of one report row (one model, one period) for `config` (the publisher's, with its prices):
 * `model` is its config.models entry, undefined for a model only discovered (the `alarms` section's settings).
 */
export function alarmReadyValues(
  row: ReportRow,
  model: ModelConfig | undefined,
  config: PromptCacheConfig,
  priceRegion?: string,
): AlarmReadyValues {
  const settings = modelAlarmSettings(config.alarms, model);
  const on = new Set(alarmReadyFamilies(settings));
  const cacheTokens = row.cacheReadInputTokens + row.cacheWriteInputTokens;
  // Every guard is at least 1 token (config), so a period that passes one has cache traffic and a hit ratio.
  const wrote = on.has('writesWithoutReads') && row.cacheWriteInputTokens >= settings.writesWithoutReads.minWriteTokens;
  let margin: number | null = null;
  if (on.has('lowHitRatio') && cacheTokens >= settings.lowHitRatio.minCacheTokens && row.cacheHitRatioPercent !== null) {
    // The price buildReport used for the row's dollars (same rule, same config): undefined when unpriced.
    const price = resolveModelPrice(model, row.modelId, config, priceRegion);
    margin = row.cacheHitRatioPercent - lowHitThresholdPercent(settings.lowHitRatio, price && breakEvenHitRatioPercent(price));
  }
  // periodMinutes divides 60 (config), so this is one multiplication by a whole number: exact for hourly periods.
  const usdPerHour = row.netSavingsUSD === null ? null : row.netSavingsUSD * (60 / config.publisher.periodMinutes);
  return {
    writesWithoutReads: wrote ? writesWithoutReads(row) : null,
    lowHitRatio: margin,
    cachingCostsMoney: on.has('cachingCostsMoney') && cacheTokens >= settings.cachingCostsMoney.minCacheTokens ? usdPerHour : null,
  };
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
  /** The publisher's own region: what the tokens cost there. @default - the catalog's `*` (US) rate */
  priceRegion?: string,
): PeriodFigures {
  const report = buildReport(
    modelIds.map((modelId) => ({
      modelId,
      tokens: usage.get(modelId) ?? { inputTokens: 0, cacheReadInputTokens: 0, cacheWriteInputTokens: 0, outputTokens: 0 },
    })),
    config,
    priceRegion,
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
  const configured = new Map(config.models.map((m) => [m.modelId, m]));
  for (const row of report.models) {
    push(CUSTOM_METRICS.cacheHitRatio, row.cacheHitRatioPercent, row.modelId);
    push(CUSTOM_METRICS.netSavingsUsd, row.netSavingsUSD, row.modelId);
    push(CUSTOM_METRICS.costWithCacheUsd, row.costWithCacheUSD, row.modelId);
    push(CUSTOM_METRICS.costWithoutCacheUsd, row.costWithoutCacheUSD, row.modelId);
    const alarm = alarmReadyValues(row, configured.get(row.modelId), config, priceRegion);
    for (const family of ALARM_READY_FAMILIES) push(ALARM_READY_SERIES[family], alarm[family], row.modelId);
  }
  // The heartbeat goes last: present means the whole period went out.
  push(CUSTOM_METRICS.publishedPeriods, 1);
  return { periodStartMs, datums, tokens: t, unpricedTokens: t.unpricedTokens };
}
