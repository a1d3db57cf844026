/**
 * Metric factory for Bedrock's own, free `AWS/Bedrock` token metrics: plain metrics (per model or all models),
 * SEARCH expressions that find every model id by themselves, and division-safe prompt-cache ratios.
 *
 * Reused by the dashboards now and by the alarms later; it builds CloudWatch objects only (no construct, no runtime
 * math). The token metric names come from `config.bedrockMetricNames` because the cache metrics' names are
 * UNCONFIRMED (the user guide's table says `CacheReadInputTokens`, the AWS blog, Grafana and real queries say
 * `CacheReadInputTokenCount`, the default).
 */
import { Duration } from 'aws-cdk-lib';
import { MathExpression, Metric, Stats } from 'aws-cdk-lib/aws-cloudwatch';
import {
  BEDROCK_NAMESPACE,
  DEFAULT_BEDROCK_METRIC_NAMES,
  MODEL_ID_DIMENSION,
  type BedrockMetricNames,
} from '../lambda/core/contract';
import type { PromptCacheConfig } from '../lambda/core/config';

function definedNames(names: Partial<Record<string, string | undefined>>): Partial<BedrockMetricNames> {
  return Object.fromEntries(Object.entries(names).filter(([, v]) => v !== undefined)) as Partial<BedrockMetricNames>;
}

/** One of Bedrock's four token metrics, by its role (the CloudWatch name comes from {@link BedrockMetricNames}). */
export type BedrockTokenKind = keyof BedrockMetricNames;

/** Default aggregation period of every metric and expression of the factory: 5 minutes. */
export const DEFAULT_METRIC_PERIOD = Duration.minutes(5);

/** Short human names of the token kinds, used in default labels. */
export const TOKEN_KIND_LABELS: { readonly [K in BedrockTokenKind]: string } = {
  inputTokens: 'Input tokens (uncached)',
  outputTokens: 'Output tokens',
  cacheReadInputTokens: 'Cache read tokens',
  cacheWriteInputTokens: 'Cache write tokens',
};

/** Default labels of the two ratios; the dashboard's text widget repeats the same definitions. */
export const HIT_RATIO_LABEL = 'Cache hit ratio % = read / (read + write)';
export const CACHED_INPUT_SHARE_LABEL = 'Cached input share % = read / (input + read + write)';

/**
 * Characters a metric name must not contain to be embedded in a SEARCH expression
 * (`SEARCH('{AWS/Bedrock,ModelId} MetricName="<name>"', ...)`): the two quote characters and the backslash.
 * Returns the problem, or undefined when the name is safe.
 */
export function searchUnsafeReason(metricName: string): string | undefined {
  return /["'\\]/.test(metricName)
    ? 'must not contain quotes or backslashes (it is embedded in a CloudWatch SEARCH expression)'
    : undefined;
}

export interface BedrockMetricsProps {
  /**
   * CloudWatch names of Bedrock's token metrics (UNCONFIRMED for the two cache metrics, hence configurable).
   * @default DEFAULT_BEDROCK_METRIC_NAMES (`InputTokenCount`, `OutputTokenCount`, `CacheReadInputTokenCount`,
   *          `CacheWriteInputTokenCount`)
   */
  readonly metricNames?: BedrockMetricNames;
  /**
   * Aggregation period of every metric, SEARCH and ratio built by the factory. Ratios are computed per period, so
   * all their inputs share it (a CloudWatch alarm requirement too).
   * @default Duration.minutes(5)
   */
  readonly period?: Duration;
}

export interface TokenMetricOptions {
  /**
   * The `ModelId` dimension value exactly as AWS/Bedrock reports it (model id, `us.`/`global.` inference profile id,
   * or an application inference profile ARN).
   * @default - the all-models series (no dimension)
   */
  readonly modelId?: string;
  /** @default - see TOKEN_KIND_LABELS (suffixed with the model id for a per-model metric) */
  readonly label?: string;
  /** @default - automatic color */
  readonly color?: string;
  /** No label at all (alarm inputs: the expression's label says what they are, and templates stay smaller). */
  readonly unlabelled?: boolean;
}

export interface SearchOptions {
  /**
   * Label of every series the SEARCH returns; CloudWatch dynamic labels such as `${PROP('Dim.ModelId')}` are
   * expanded per series.
   * @default `<kind label> | ${PROP('Dim.ModelId')}`
   */
  readonly label?: string;
}

export interface RatioOptions {
  /** @default - all models (the dimensionless series) */
  readonly modelId?: string;
  /** @default HIT_RATIO_LABEL or CACHED_INPUT_SHARE_LABEL */
  readonly label?: string;
  /** @default - automatic color */
  readonly color?: string;
  /**
   * Appended to the ids of the expression's inner metrics (`cacheRead`, `cacheWrite`, `input`). CloudWatch needs
   * ids unique per graph, so set it when several ratios over different models share one graph or alarm.
   * Letters and digits only.
   * @default '' (no suffix)
   */
  readonly idSuffix?: string;
  /**
   * Compact inner metrics for alarms: one-letter ids (`r`, `w`, `i`, plus the suffix) and no labels. The expression's
   * label says what it is, and with 3 alarms per model every byte of the template counts.
   * @default false (ids `cacheRead`, `cacheWrite`, `input`; labelled with TOKEN_KIND_LABELS)
   */
  readonly compactInputs?: boolean;
  /**
   * Gate for alarms: a period with fewer cache tokens (read + write) than this has no datapoint, so low traffic never
   * pages. A whole number, 1 or more (which also keeps the division safe).
   * @default - no gate (any cache traffic)
   */
  readonly minCacheTokens?: number;
}

/** The Bedrock runtime metrics other than the four token counts (names fixed by AWS, not configurable). */
export type BedrockRuntimeMetric =
  | 'Invocations'
  | 'InvocationThrottles'
  | 'InvocationClientErrors'
  | 'InvocationServerErrors'
  | 'InvocationLatency'
  | 'TimeToFirstToken';

export interface NetSavingsOptions extends Omit<RatioOptions, 'minCacheTokens'> {
  /** Read discount, p_in − p_read, in USD per million tokens. */
  readonly readDiscountPerMTok: number;
  /** Write premium, p_write − p_in, in USD per million tokens. */
  readonly writePremiumPerMTok: number;
  /** See {@link RatioOptions.minCacheTokens}; required here (an alarm input). */
  readonly minCacheTokens: number;
}

/**
 * Division-safe ratio expressions, shared by every caller so that dashboards and alarms compute the same thing.
 *
 * Choice: a ratio whose denominator is 0 (no cache traffic in the period) has NO datapoint, rather than 0 % or an
 * error: "no traffic" is not "cache broken", and an alarm built on it decides explicitly (treatMissingData) what a
 * quiet period means. `IF(cond, value)` without a false branch returns no datapoint where the condition is false.
 * Each input is wrapped in `FILL(x, 0)` first, so a period with reads but no write datapoint (Bedrock may emit no
 * datum for a metric without traffic) still yields 100 % instead of being dropped by mismatched timestamps.
 */
export function hitRatioExpression(read: string, write: string): string {
  const r = `FILL(${read}, 0)`;
  const w = `FILL(${write}, 0)`;
  return `IF((${r} + ${w}) > 0, 100 * ${r} / (${r} + ${w}))`;
}

/** See {@link hitRatioExpression}: read / (input + read + write) in percent, no datapoint when the sum is 0. */
export function cachedInputShareExpression(input: string, read: string, write: string): string {
  const i = `FILL(${input}, 0)`;
  const r = `FILL(${read}, 0)`;
  const w = `FILL(${write}, 0)`;
  return `IF((${i} + ${r} + ${w}) > 0, 100 * ${r} / (${i} + ${r} + ${w}))`;
}

function wholeAtLeastOne(what: string, n: number): void {
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`${what} must be a whole number, 1 or more (got ${n})`);
}

/**
 * The hit ratio as the low-hit-ratio alarm sees it: no datapoint unless the period's cache traffic (read + write)
 * reaches `minTokens` (≥ 1, so the division is safe), e.g.
 * `IF((FILL(cacheRead, 0) + FILL(cacheWrite, 0)) >= 50000, 100 * FILL(cacheRead, 0) / (FILL(cacheRead, 0) + FILL(cacheWrite, 0)))`.
 */
export function gatedHitRatioExpression(read: string, write: string, minTokens: number): string {
  wholeAtLeastOne('minCacheTokens', minTokens);
  const r = `FILL(${read}, 0)`;
  const w = `FILL(${write}, 0)`;
  return `IF((${r} + ${w}) >= ${minTokens}, 100 * ${r} / (${r} + ${w}))`;
}

/**
 * Cache write tokens of periods without a single cache read (0 in periods with a read): a prefix that never matches.
 * `IF(FILL(cacheRead, 0) == 0, FILL(cacheWrite, 0), 0)`; the alarm compares it with the minimum write volume.
 */
export function writesWithoutReadsExpression(read: string, write: string): string {
  return `IF(FILL(${read}, 0) == 0, FILL(${write}, 0), 0)`;
}

/** A price in USD per million tokens as a literal of a metric math expression (at most 6 decimals, no float noise). */
export function priceLiteral(usdPerMTok: number): string {
  if (!Number.isFinite(usdPerMTok)) throw new Error(`price must be a finite number (got ${usdPerMTok})`);
  return String(Math.round(usdPerMTok * 1e6) / 1e6);
}

/**
 * Net savings in USD of a period, from the raw token Sums and the model's price constants:
 * read × (p_in − p_read) − write × (p_write − p_in), per million tokens; no datapoint below `minTokens` of cache traffic.
 * `IF((FILL(cacheRead, 0) + FILL(cacheWrite, 0)) >= 50000, (FILL(cacheRead, 0) * 2.7 - FILL(cacheWrite, 0) * 0.75) / 1000000)`.
 * Negative exactly when the hit ratio is below the price break-even ratio (README "The arithmetic").
 */
export function netSavingsExpression(read: string, write: string, readDiscountPerMTok: number, writePremiumPerMTok: number, minTokens: number): string {
  wholeAtLeastOne('minCacheTokens', minTokens);
  const r = `FILL(${read}, 0)`;
  const w = `FILL(${write}, 0)`;
  return `IF((${r} + ${w}) >= ${minTokens}, (${r} * ${priceLiteral(readDiscountPerMTok)} - ${w} * ${priceLiteral(writePremiumPerMTok)}) / 1000000)`;
}

/** Quotes a SEARCH schema term (namespace) unless it is plain letters, digits, `_` and `/` (like `AWS/Bedrock`). */
export function searchTerm(term: string): string {
  return /^[A-Za-z0-9_/]+$/.test(term) ? term : `"${term}"`;
}

/**
 * `SEARCH('{<namespace>,ModelId} MetricName="<name>"', '<stat>', <seconds>)`: one series per ModelId, found at view
 * time, so new models and inference profiles appear without a redeploy. Throws when a name cannot be quoted safely.
 */
export function searchByModelId(namespace: string, metricName: string, statistic: string, period: Duration): string {
  for (const [what, value] of [['metric name', metricName], ['namespace', namespace], ['statistic', statistic]] as const) {
    const unsafe = searchUnsafeReason(value);
    if (unsafe) throw new Error(`${what} ${JSON.stringify(value)} ${unsafe}`);
  }
  return `SEARCH('{${searchTerm(namespace)},${MODEL_ID_DIMENSION}} MetricName="${metricName}"', '${statistic}', ${period.toSeconds()})`;
}

/**
 * Builds AWS/Bedrock token metrics, SEARCH expressions and the two cache ratios, all with the Sum statistic and one
 * period. Stateless: every call returns a new object, so the factory can be shared by dashboards and alarms.
 */
export class BedrockMetrics {
  /** A factory using the metric names of a validated config. */
  static fromConfig(config: Pick<PromptCacheConfig, 'bedrockMetricNames'>, period?: Duration): BedrockMetrics {
    return new BedrockMetrics({ metricNames: { ...DEFAULT_BEDROCK_METRIC_NAMES, ...definedNames(config.bedrockMetricNames) }, period });
  }

  readonly metricNames: BedrockMetricNames;
  readonly period: Duration;

  constructor(props: BedrockMetricsProps = {}) {
    this.metricNames = { ...DEFAULT_BEDROCK_METRIC_NAMES, ...props.metricNames };
    this.period = props.period ?? DEFAULT_METRIC_PERIOD;
  }

  /** One token metric (Sum per period) for one model (`ModelId` dimension) or, without `modelId`, all models. */
  tokens(kind: BedrockTokenKind, options: TokenMetricOptions = {}): Metric {
    const { modelId } = options;
    return new Metric({
      namespace: BEDROCK_NAMESPACE,
      metricName: this.metricNames[kind],
      dimensionsMap: modelId === undefined ? undefined : { [MODEL_ID_DIMENSION]: modelId },
      statistic: Stats.SUM,
      period: this.period,
      label: options.unlabelled ? undefined : (options.label ?? (modelId === undefined ? TOKEN_KIND_LABELS[kind] : `${TOKEN_KIND_LABELS[kind]} | ${modelId}`)),
      color: options.color,
    });
  }

  /**
   * The SEARCH string returning one series per `ModelId` of a token metric, e.g.
   * `SEARCH('{AWS/Bedrock,ModelId} MetricName="CacheReadInputTokenCount"', 'Sum', 300)`.
   * The `{AWS/Bedrock,ModelId}` schema matches exactly the per-model series, so a new model or inference profile
   * shows up without a redeploy and the dashboard body does not grow with the number of models.
   * Throws when the metric name cannot be quoted safely (see {@link searchUnsafeReason}).
   */
  searchExpression(kind: BedrockTokenKind): string {
    return searchByModelId(BEDROCK_NAMESPACE, this.metricNames[kind], Stats.SUM, this.period);
  }

  /** {@link searchExpression} as a graphable expression (SEARCH cannot be used in alarms). */
  searchPerModel(kind: BedrockTokenKind, options: SearchOptions = {}): MathExpression {
    return new MathExpression({
      expression: this.searchExpression(kind),
      label: options.label ?? `${TOKEN_KIND_LABELS[kind]} | \${PROP('Dim.${MODEL_ID_DIMENSION}')}`,
      period: this.period,
    });
  }

  /**
   * Cache hit ratio (cache efficiency) in percent: read / (read + write); no datapoint when read + write = 0.
   * Alarm-compatible (2 metrics, one period, no SEARCH).
   */
  cacheHitRatio(options: RatioOptions = {}): MathExpression {
    const ids = ratioIds(options.idSuffix, options.compactInputs);
    return new MathExpression({
      expression:
        options.minCacheTokens === undefined
          ? hitRatioExpression(ids.read, ids.write)
          : gatedHitRatioExpression(ids.read, ids.write, options.minCacheTokens),
      usingMetrics: this.ratioInputs(ids, options, ['read', 'write']),
      label: options.label ?? HIT_RATIO_LABEL,
      color: options.color,
      period: this.period,
    });
  }

  /**
   * Cached input share (coverage) in percent: read / (input + read + write), since Bedrock's input count excludes
   * cached tokens; no datapoint when the sum is 0. Alarm-compatible (3 metrics, one period, no SEARCH).
   */
  cachedInputShare(options: RatioOptions = {}): MathExpression {
    const ids = ratioIds(options.idSuffix, options.compactInputs);
    return new MathExpression({
      expression: cachedInputShareExpression(ids.input, ids.read, ids.write),
      usingMetrics: this.ratioInputs(ids, options, ['input', 'read', 'write']),
      label: options.label ?? CACHED_INPUT_SHARE_LABEL,
      color: options.color,
      period: this.period,
    });
  }

  /**
   * Cache write tokens in periods without any cache read (0 when the period had a read): the alarm metric of
   * "writes without reads". Alarm-compatible (2 metrics, one period, no SEARCH).
   */
  writesWithoutReads(options: Omit<RatioOptions, 'minCacheTokens'> = {}): MathExpression {
    const ids = ratioIds(options.idSuffix, options.compactInputs);
    return new MathExpression({
      expression: writesWithoutReadsExpression(ids.read, ids.write),
      usingMetrics: this.ratioInputs(ids, options, ['read', 'write']),
      label: options.label ?? 'Cache write tokens in periods without a read',
      color: options.color,
      period: this.period,
    });
  }

  /**
   * Net savings in USD per period from raw Sums and price constants (see {@link netSavingsExpression}).
   * Alarm-compatible (2 metrics, one period, no SEARCH).
   */
  netSavingsUsd(options: NetSavingsOptions): MathExpression {
    const ids = ratioIds(options.idSuffix, options.compactInputs);
    return new MathExpression({
      expression: netSavingsExpression(ids.read, ids.write, options.readDiscountPerMTok, options.writePremiumPerMTok, options.minCacheTokens),
      usingMetrics: this.ratioInputs(ids, options, ['read', 'write']),
      label: options.label ?? 'Net savings USD = read discount - write premium',
      color: options.color,
      period: this.period,
    });
  }

  /** The token Sums a ratio or dollar expression reads, under its ids (one model's, or all models'). */
  private ratioInputs(
    ids: RatioIds,
    options: Pick<RatioOptions, 'modelId' | 'compactInputs'>,
    which: readonly (keyof RatioIds)[],
  ): Record<string, Metric> {
    const kinds = { input: 'inputTokens', read: 'cacheReadInputTokens', write: 'cacheWriteInputTokens' } as const;
    return Object.fromEntries(
      which.map((k) => [ids[k], this.tokens(kinds[k], { modelId: options.modelId, label: TOKEN_KIND_LABELS[kinds[k]], unlabelled: options.compactInputs })]),
    );
  }

  /** A Bedrock runtime metric (invocations, throttles, latency, time to first token) for one model or all models. */
  runtime(metricName: BedrockRuntimeMetric, statistic: string, options: TokenMetricOptions = {}): Metric {
    const { modelId } = options;
    return new Metric({
      namespace: BEDROCK_NAMESPACE,
      metricName,
      dimensionsMap: modelId === undefined ? undefined : { [MODEL_ID_DIMENSION]: modelId },
      statistic,
      period: this.period,
      label: options.label ?? (modelId === undefined ? `${metricName} ${statistic}` : `${metricName} ${statistic} | ${modelId}`),
      color: options.color,
    });
  }

  /** A runtime metric per ModelId via SEARCH (new models appear by themselves). */
  searchRuntime(metricName: BedrockRuntimeMetric, statistic: string, options: SearchOptions = {}): MathExpression {
    return new MathExpression({
      expression: searchByModelId(BEDROCK_NAMESPACE, metricName, statistic, this.period),
      label: options.label ?? `${metricName} ${statistic} | \${PROP('Dim.${MODEL_ID_DIMENSION}')}`,
      period: this.period,
    });
  }
}

interface RatioIds {
  readonly input: string;
  readonly read: string;
  readonly write: string;
}

function ratioIds(suffix = '', compact = false): RatioIds {
  if (!/^[A-Za-z0-9]*$/.test(suffix)) {
    throw new Error(`idSuffix must be letters and digits only (got ${JSON.stringify(suffix)})`);
  }
  return compact
    ? { input: `i${suffix}`, read: `r${suffix}`, write: `w${suffix}` }
    : { input: `input${suffix}`, read: `cacheRead${suffix}`, write: `cacheWrite${suffix}` };
}
