/**
 * Metric factory for the custom namespace the savings publisher writes (the fixed contract, lambda/core/contract.ts): per-model series
 * (`ModelId` dimension), the all-models series (no dimension), and SEARCH expressions that list every model the
 * publisher has seen. CloudWatch objects only, no construct.
 *
 * The publisher puts one datum per metric per period, timestamped at the period start, some `settleDelayMinutes`
 * after the period ends: graphs and alarms on these metrics use the publisher's period (or a multiple of it), and an
 * alarm must expect the newest period to be missing for a while.
 */
import { Duration } from 'aws-cdk-lib';
import { MathExpression, Metric, Stats } from 'aws-cdk-lib/aws-cloudwatch';
import { CUSTOM_METRICS, DEFAULT_NAMESPACE, MODEL_ID_DIMENSION } from '../lambda/core/contract';
import type { PromptCacheConfig } from '../lambda/core/config';
import { searchByModelId, topSeries } from './bedrock-metrics';

export type SavingsMetricKind = keyof typeof CUSTOM_METRICS;

/** Kinds published without a dimension only. */
const ALL_MODELS_ONLY: ReadonlySet<SavingsMetricKind> = new Set([
  'unpricedTokens',
  'publishedPeriods',
  'lostPeriods',
  'publisherLagMinutes',
  'periodsAwaitingSettlement',
  'cacheReadTokens',
  'cacheWriteTokens',
]);

/** Default labels (dollar figures are USD; the ratio is a percentage). */
export const SAVINGS_LABELS: { readonly [K in SavingsMetricKind]: string } = {
  cacheHitRatio: 'Cache hit ratio %',
  netSavingsUsd: 'Net savings USD',
  costWithCacheUsd: 'Cost with cache USD',
  costWithoutCacheUsd: 'Cost without cache USD',
  unpricedTokens: 'Unpriced tokens',
  publishedPeriods: 'Published periods',
  lostPeriods: 'Lost periods',
  publisherLagMinutes: 'Publisher lag (minutes)',
  periodsAwaitingSettlement: 'Periods awaiting settlement',
  cacheReadTokens: 'Cache read tokens, all models (publisher)',
  cacheWriteTokens: 'Cache write tokens, all models (publisher)',
  writesWithoutReadsTokens: 'Write tokens of periods without a read',
  alarmHitRatioMarginPoints: 'Hit ratio minus its alarm threshold (points)',
  alarmNetSavingsUsdPerHour: 'Net savings USD per hour (alarm-ready)',
  billedCostUsd: 'Billed USD (Cost Explorer)',
  costDriftPercent: 'Bill drift % (billed − computed, of billed)',
};

export interface SavingsMetricsProps {
  /** @default DEFAULT_NAMESPACE (`BedrockPromptCache`) */
  readonly namespace?: string;
  /** The publisher's period, or a multiple of it. @default Duration.hours(1) */
  readonly period?: Duration;
}

export interface SavingsMetricOptions {
  /** @default - all models (no dimension) */
  readonly modelId?: string;
  /** @default Average for the hit ratio (one datum per period), Sum for the rest */
  readonly statistic?: string;
  /** @default - see SAVINGS_LABELS */
  readonly label?: string;
  /** @default - automatic color */
  readonly color?: string;
  /** No label (an input of an alarm's expression, whose own label says what it is). */
  readonly unlabelled?: boolean;
  /** A source account's series, read from the monitoring account (cross-account observability). @default - this stack's account */
  readonly account?: string;
}

export class SavingsMetrics {
  /** A factory for the config's namespace; the period defaults to the publisher's. */
  static fromConfig(config: Pick<PromptCacheConfig, 'namespace' | 'publisher'>, period?: Duration): SavingsMetrics {
    return new SavingsMetrics({ namespace: config.namespace, period: period ?? Duration.minutes(config.publisher.periodMinutes) });
  }

  readonly namespace: string;
  readonly period: Duration;

  constructor(props: SavingsMetricsProps = {}) {
    this.namespace = props.namespace ?? DEFAULT_NAMESPACE;
    this.period = props.period ?? Duration.hours(1);
  }

  private defaultStatistic(kind: SavingsMetricKind): string {
    return kind === 'cacheHitRatio'
      ? Stats.AVERAGE
      : kind === 'publisherLagMinutes' || kind === 'periodsAwaitingSettlement' || kind === 'costDriftPercent'
        ? Stats.MAXIMUM
        : Stats.SUM;
  }

  /** One custom metric, per model or (without `modelId`) all models. */
  metric(kind: SavingsMetricKind, options: SavingsMetricOptions = {}): Metric {
    const { modelId } = options;
    if (modelId !== undefined && ALL_MODELS_ONLY.has(kind)) {
      throw new Error(`${CUSTOM_METRICS[kind].name} is published without a dimension only (no per-model series)`);
    }
    return new Metric({
      namespace: this.namespace,
      metricName: CUSTOM_METRICS[kind].name,
      dimensionsMap: modelId === undefined ? undefined : { [MODEL_ID_DIMENSION]: modelId },
      statistic: options.statistic ?? this.defaultStatistic(kind),
      period: this.period,
      label: options.unlabelled ? undefined : (options.label ?? SAVINGS_LABELS[kind]),
      color: options.color,
      ...(options.account === undefined ? {} : { account: options.account }),
    });
  }

  /** The SEARCH string listing the per-model series of a custom metric. */
  searchExpression(kind: SavingsMetricKind, statistic?: string): string {
    if (ALL_MODELS_ONLY.has(kind)) throw new Error(`${CUSTOM_METRICS[kind].name} has no per-model series to search`);
    return searchByModelId(this.namespace, CUSTOM_METRICS[kind].name, statistic ?? this.defaultStatistic(kind), this.period);
  }

  /**
   * {@link searchExpression} as a graphable expression (SEARCH cannot be used in alarms); with `top`, only that many
   * series (`SORT`: the largest Sums, or for the hit ratio the lowest averages, which is what on-call looks for).
   */
  search(
    kind: SavingsMetricKind,
    options: { statistic?: string; label?: string; top?: number; expression?: (search: string) => string } = {},
  ): MathExpression {
    const search = this.searchExpression(kind, options.statistic);
    const sorted =
      options.top === undefined
        ? search
        : kind === 'cacheHitRatio'
          ? topSeries(search, options.top, 'ASC', 'AVG')
          : topSeries(search, options.top);
    return new MathExpression({
      expression: options.expression ? options.expression(sorted) : sorted,
      label: options.label ?? `${SAVINGS_LABELS[kind]} | \${PROP('Dim.${MODEL_ID_DIMENSION}')}`,
      period: this.period,
    });
  }
}
