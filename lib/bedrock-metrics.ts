/**
 * Metric factory for Bedrock's own, free `AWS/Bedrock` token metrics: plain metrics (per model or all models),
 * SEARCH expressions that find every model id by themselves, and division-safe prompt-cache ratios.
 *
 * Shared by the dashboards and the alarms; it builds CloudWatch objects only (no construct, no runtime
 * math). The cache metrics' name is UNCONFIRMED (the Bedrock user guide's table says `CacheReadInputTokens`, the AWS
 * blog, Grafana and real queries `CacheReadInputTokenCount`): unless `config.bedrockMetricNames` pins one, every
 * graph and alarm reads both spellings (SEARCH matches either; an alarm takes the larger of the two per period, so a
 * token is never counted twice), and `prompt-cache doctor` says which one the account has.
 *
 * Nothing here reads Bedrock's dimensionless (all-models) series, which AWS documents for no runtime metric: all-models
 * lines are `SUM(SEARCH(...))` over the per-model series.
 */
import { Duration } from 'aws-cdk-lib';
import { MathExpression, Metric, Stats, type IMetric } from 'aws-cdk-lib/aws-cloudwatch';
import { BEDROCK_NAMESPACE, bedrockMetricCandidates, MODEL_ID_DIMENSION, type BedrockMetricNames } from '../lambda/core/contract';
import type { PromptCacheConfig } from '../lambda/core/config';

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
   * Pins the CloudWatch name of a token metric (the two cache metrics' names are UNCONFIRMED).
   * @default - every documented spelling (`BEDROCK_METRIC_SPELLINGS`): `InputTokenCount`, `OutputTokenCount`,
   *            `CacheReadInputTokenCount` or `CacheReadInputTokens`, `CacheWriteInputTokenCount` or `CacheWriteInputTokens`
   */
  readonly metricNames?: Partial<BedrockMetricNames>;
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
  'Invocations' | 'InvocationThrottles' | 'InvocationClientErrors' | 'InvocationServerErrors' | 'InvocationLatency' | 'TimeToFirstToken';

export interface NetSavingsOptions extends Omit<RatioOptions, 'minCacheTokens'> {
  /** Read discount, p_in − p_read, in USD per million tokens. */
  readonly readDiscountPerMTok: number;
  /** Write premium, p_write − p_in, in USD per million tokens. */
  readonly writePremiumPerMTok: number;
  /** See {@link RatioOptions.minCacheTokens}; required here (an alarm input). */
  readonly minCacheTokens: number;
}

/**
 * One token input of an expression, missing periods as 0: `FILL(r, 0)`, or, when the metric is read under several
 * spellings (ids `r0`, `r1`), the larger per period, `MAX([FILL(r0, 0), FILL(r1, 0)])`: the spellings are aliases, so
 * summing them could count a token twice.
 */
export function filledInput(ids: string | readonly string[]): string {
  const list = typeof ids === 'string' ? [ids] : ids;
  if (list.length === 0) throw new Error('an expression input needs at least one metric id');
  return list.length === 1 ? `FILL(${list[0]}, 0)` : `MAX([${list.map((id) => `FILL(${id}, 0)`).join(', ')}])`;
}

/** A token input: one metric id, or the ids of its spellings (see {@link filledInput}). */
export type TokenInput = string | readonly string[];

/**
 * Division-safe ratio expressions, shared by every caller so that dashboards and alarms compute the same thing.
 *
 * Choice: a ratio whose denominator is 0 (no cache traffic in the period) has NO datapoint, rather than 0 % or an
 * error: "no traffic" is not "cache broken", and an alarm built on it decides explicitly (treatMissingData) what a
 * quiet period means. `IF(cond, value)` without a false branch returns no datapoint where the condition is false.
 * Each input is wrapped in `FILL(x, 0)` first, so a period with reads but no write datapoint (Bedrock may emit no
 * datum for a metric without traffic) still yields 100 % instead of being dropped by mismatched timestamps.
 */
export function hitRatioExpression(read: TokenInput, write: TokenInput): string {
  const r = filledInput(read);
  const w = filledInput(write);
  return `IF((${r} + ${w}) > 0, 100 * ${r} / (${r} + ${w}))`;
}

/** See {@link hitRatioExpression}: read / (input + read + write) in percent, no datapoint when the sum is 0. */
export function cachedInputShareExpression(input: TokenInput, read: TokenInput, write: TokenInput): string {
  const i = filledInput(input);
  const r = filledInput(read);
  const w = filledInput(write);
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
export function gatedHitRatioExpression(read: TokenInput, write: TokenInput, minTokens: number): string {
  wholeAtLeastOne('minCacheTokens', minTokens);
  const r = filledInput(read);
  const w = filledInput(write);
  return `IF((${r} + ${w}) >= ${minTokens}, 100 * ${r} / (${r} + ${w}))`;
}

/**
 * Cache write tokens of periods without a single cache read (0 in periods with a read): a prefix that never matches.
 * `IF(FILL(cacheRead, 0) == 0, FILL(cacheWrite, 0), 0)`; the alarm compares it with the minimum write volume.
 */
export function writesWithoutReadsExpression(read: TokenInput, write: TokenInput): string {
  return `IF(${filledInput(read)} == 0, ${filledInput(write)}, 0)`;
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
 * Negative exactly when the hit ratio is below the price break-even ratio (README, "The arithmetic").
 */
export function netSavingsExpression(
  read: TokenInput,
  write: TokenInput,
  readDiscountPerMTok: number,
  writePremiumPerMTok: number,
  minTokens: number,
): string {
  wholeAtLeastOne('minCacheTokens', minTokens);
  const r = filledInput(read);
  const w = filledInput(write);
  return `IF((${r} + ${w}) >= ${minTokens}, (${r} * ${priceLiteral(readDiscountPerMTok)} - ${w} * ${priceLiteral(writePremiumPerMTok)}) / 1000000)`;
}

/** Quotes a SEARCH schema term (namespace) unless it is plain letters, digits, `_` and `/` (like `AWS/Bedrock`). */
export function searchTerm(term: string): string {
  return /^[A-Za-z0-9_/]+$/.test(term) ? term : `"${term}"`;
}

/**
 * `SEARCH('{<namespace>,ModelId} MetricName="<name>"', '<stat>', <seconds>)`: one series per ModelId, found at view
 * time, so new models and inference profiles appear without a redeploy. Several names (the spellings of one metric)
 * become `(MetricName="A" OR MetricName="B")`. Throws when a name cannot be quoted safely.
 */
export function searchByModelId(namespace: string, metricName: string | readonly string[], statistic: string, period: Duration): string {
  const names = typeof metricName === 'string' ? [metricName] : metricName;
  for (const [what, value] of [
    ...names.map((n) => ['metric name', n] as const),
    ['namespace', namespace] as const,
    ['statistic', statistic] as const,
  ]) {
    const unsafe = searchUnsafeReason(value);
    if (unsafe) throw new Error(`${what} ${JSON.stringify(value)} ${unsafe}`);
  }
  const terms = names.map((n) => `MetricName="${n}"`);
  const filter = terms.length === 1 ? terms[0] : `(${terms.join(' OR ')})`;
  return `SEARCH('{${searchTerm(namespace)},${MODEL_ID_DIMENSION}} ${filter}', '${statistic}', ${period.toSeconds()})`;
}

/** `SORT(<expr>, SUM, DESC, n)`: the `n` series of an array with the largest (or, `ASC`, smallest) aggregate. */
export function topSeries(
  expression: string,
  n: number,
  order: 'DESC' | 'ASC' = 'DESC',
  by: 'SUM' | 'AVG' | 'MAX' | 'MIN' = 'SUM',
): string {
  wholeAtLeastOne('top series count', n);
  return `SORT(${expression}, ${by}, ${order}, ${n})`;
}

/**
 * Builds AWS/Bedrock token metrics, SEARCH expressions and the two cache ratios, all with the Sum statistic and one
 * period. Stateless: every call returns a new object, so the factory can be shared by dashboards and alarms.
 */
export class BedrockMetrics {
  /** A factory reading the metric names a validated config pins (every spelling where it pins none). */
  static fromConfig(config: Pick<PromptCacheConfig, 'bedrockMetricNames'>, period?: Duration): BedrockMetrics {
    return new BedrockMetrics({ metricNames: config.bedrockMetricNames, period });
  }

  /** The names read per token kind: the pinned one, else every documented spelling (the default first). */
  readonly candidates: { readonly [K in BedrockTokenKind]: readonly string[] };
  readonly period: Duration;

  constructor(props: BedrockMetricsProps = {}) {
    const pinned = Object.fromEntries(
      Object.entries(props.metricNames ?? {}).filter(([, v]) => v !== undefined),
    ) as Partial<BedrockMetricNames>;
    this.candidates = bedrockMetricCandidates(pinned);
    this.period = props.period ?? DEFAULT_METRIC_PERIOD;
  }

  /** `` `CacheReadInputTokenCount` or `CacheReadInputTokens` ``: how texts name a token metric. */
  describe(kind: BedrockTokenKind): string {
    return this.candidates[kind].map((n) => `\`${n}\``).join(' or ');
  }

  /**
   * One token metric (Sum per period) for one model (`ModelId` dimension) under one name (the kind's first spelling
   * unless `metricName` says otherwise). Without `modelId` it is Bedrock's dimensionless series, which AWS does not
   * document for runtime metrics: prefer {@link allModels}.
   */
  tokens(kind: BedrockTokenKind, options: TokenMetricOptions & { readonly metricName?: string } = {}): Metric {
    const { modelId } = options;
    return new Metric({
      namespace: BEDROCK_NAMESPACE,
      metricName: options.metricName ?? this.candidates[kind][0],
      dimensionsMap: modelId === undefined ? undefined : { [MODEL_ID_DIMENSION]: modelId },
      statistic: Stats.SUM,
      period: this.period,
      label: options.unlabelled
        ? undefined
        : (options.label ?? (modelId === undefined ? TOKEN_KIND_LABELS[kind] : `${TOKEN_KIND_LABELS[kind]} | ${modelId}`)),
      color: options.color,
    });
  }

  /** All models: `SUM(SEARCH(...))` over the per-model series, every spelling (no dimensionless series needed). */
  allModels(kind: BedrockTokenKind, options: { readonly label?: string; readonly color?: string } = {}): MathExpression {
    return new MathExpression({
      expression: `SUM(${this.searchExpression(kind)})`,
      label: options.label ?? `${TOKEN_KIND_LABELS[kind]}, all models`,
      color: options.color,
      period: this.period,
    });
  }

  /**
   * The SEARCH string returning one series per `ModelId` of a token metric, e.g.
   * `SEARCH('{AWS/Bedrock,ModelId} (MetricName="CacheReadInputTokenCount" OR MetricName="CacheReadInputTokens")', 'Sum', 300)`.
   * The `{AWS/Bedrock,ModelId}` schema matches exactly the per-model series, so a new model or inference profile
   * shows up without a redeploy and the dashboard body does not grow with the number of models.
   * Throws when a metric name cannot be quoted safely (see {@link searchUnsafeReason}).
   */
  searchExpression(kind: BedrockTokenKind): string {
    return searchByModelId(BEDROCK_NAMESPACE, this.candidates[kind], Stats.SUM, this.period);
  }

  /**
   * {@link searchExpression} as a graphable expression (SEARCH cannot be used in alarms); with `top`, only the `top`
   * series with the largest Sum over the time range (a graph shows at most 500 series, a dashboard 2,500 metrics).
   */
  searchPerModel(kind: BedrockTokenKind, options: SearchOptions & { readonly top?: number } = {}): MathExpression {
    const search = this.searchExpression(kind);
    return new MathExpression({
      expression: options.top === undefined ? search : topSeries(search, options.top),
      label: options.label ?? `${TOKEN_KIND_LABELS[kind]} | \${PROP('Dim.${MODEL_ID_DIMENSION}')}`,
      period: this.period,
    });
  }

  /** The sum of every series {@link searchPerModel} with `top` leaves out: one line for all the other models. */
  restOfModels(kind: BedrockTokenKind, top: number, options: { readonly label?: string } = {}): MathExpression {
    const search = this.searchExpression(kind);
    return new MathExpression({
      expression: `SUM(${search}) - SUM(${topSeries(search, top)})`,
      label: options.label ?? `${TOKEN_KIND_LABELS[kind]} | all other models`,
      period: this.period,
    });
  }

  /**
   * Cache hit ratio (cache efficiency) in percent: read / (read + write); no datapoint when read + write = 0.
   * Per model it is alarm-compatible (2 metrics per spelling, one period, no SEARCH); all models uses SUM(SEARCH).
   */
  cacheHitRatio(options: RatioOptions = {}): MathExpression {
    const { metrics, inputs } = this.ratioInputs(ratioIds(options.idSuffix, options.compactInputs), options, ['read', 'write']);
    return new MathExpression({
      expression:
        options.minCacheTokens === undefined
          ? hitRatioExpression(inputs.read!, inputs.write!)
          : gatedHitRatioExpression(inputs.read!, inputs.write!, options.minCacheTokens),
      usingMetrics: metrics,
      label: options.label ?? HIT_RATIO_LABEL,
      color: options.color,
      period: this.period,
    });
  }

  /**
   * Cached input share (coverage) in percent: read / (input + read + write), since Bedrock's input count excludes
   * cached tokens; no datapoint when the sum is 0.
   */
  cachedInputShare(options: RatioOptions = {}): MathExpression {
    const { metrics, inputs } = this.ratioInputs(ratioIds(options.idSuffix, options.compactInputs), options, ['input', 'read', 'write']);
    return new MathExpression({
      expression: cachedInputShareExpression(inputs.input!, inputs.read!, inputs.write!),
      usingMetrics: metrics,
      label: options.label ?? CACHED_INPUT_SHARE_LABEL,
      color: options.color,
      period: this.period,
    });
  }

  /**
   * Cache write tokens in periods without any cache read (0 when the period had a read): the alarm metric of
   * "writes without reads" when the publisher is not deployed.
   */
  writesWithoutReads(options: Omit<RatioOptions, 'minCacheTokens'> = {}): MathExpression {
    const { metrics, inputs } = this.ratioInputs(ratioIds(options.idSuffix, options.compactInputs), options, ['read', 'write']);
    return new MathExpression({
      expression: writesWithoutReadsExpression(inputs.read!, inputs.write!),
      usingMetrics: metrics,
      label: options.label ?? 'Cache write tokens in periods without a read',
      color: options.color,
      period: this.period,
    });
  }

  /** Net savings in USD per period from raw Sums and price constants (see {@link netSavingsExpression}). */
  netSavingsUsd(options: NetSavingsOptions): MathExpression {
    const { metrics, inputs } = this.ratioInputs(ratioIds(options.idSuffix, options.compactInputs), options, ['read', 'write']);
    return new MathExpression({
      expression: netSavingsExpression(
        inputs.read!,
        inputs.write!,
        options.readDiscountPerMTok,
        options.writePremiumPerMTok,
        options.minCacheTokens,
      ),
      usingMetrics: metrics,
      label: options.label ?? 'Net savings USD = read discount - write premium',
      color: options.color,
      period: this.period,
    });
  }

  /**
   * The token inputs of a ratio or dollar expression under their ids. One model: a metric per spelling (`r`, or `r_0`
   * and `r_1`), taken as their larger value; all models: one `SUM(SEARCH(...))` per kind.
   */
  private ratioInputs(
    ids: RatioIds,
    options: Pick<RatioOptions, 'modelId' | 'compactInputs'>,
    which: readonly (keyof RatioIds)[],
  ): { metrics: Record<string, IMetric>; inputs: Partial<Record<keyof RatioIds, TokenInput>> } {
    const kinds = { input: 'inputTokens', read: 'cacheReadInputTokens', write: 'cacheWriteInputTokens' } as const;
    const metrics: Record<string, IMetric> = {};
    const inputs: Partial<Record<keyof RatioIds, TokenInput>> = {};
    for (const k of which) {
      const kind = kinds[k];
      if (options.modelId === undefined) {
        metrics[ids[k]] = this.allModels(kind);
        inputs[k] = ids[k];
        continue;
      }
      const names = this.candidates[kind];
      const kindIds = names.length === 1 ? [ids[k]] : names.map((_, n) => `${ids[k]}_${n}`);
      names.forEach((metricName, n) => {
        metrics[kindIds[n]] = this.tokens(kind, {
          modelId: options.modelId,
          metricName,
          label: TOKEN_KIND_LABELS[kind],
          unlabelled: options.compactInputs,
        });
      });
      inputs[k] = kindIds;
    }
    return { metrics, inputs };
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

  /** A runtime metric per ModelId via SEARCH (new models appear by themselves); with `top`, the `top` largest. */
  searchRuntime(
    metricName: BedrockRuntimeMetric,
    statistic: string,
    options: SearchOptions & { readonly top?: number; readonly by?: 'SUM' | 'AVG' | 'MAX' } = {},
  ): MathExpression {
    const search = searchByModelId(BEDROCK_NAMESPACE, metricName, statistic, this.period);
    return new MathExpression({
      expression: options.top === undefined ? search : topSeries(search, options.top, 'DESC', options.by ?? 'SUM'),
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
