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

/**
 * Builds AWS/Bedrock token metrics, SEARCH expressions and the two cache ratios, all with the Sum statistic and one
 * period. Stateless: every call returns a new object, so the factory can be shared by dashboards and alarms.
 */
export class BedrockMetrics {
  /** A factory using the metric names of a validated config. */
  static fromConfig(config: Pick<PromptCacheConfig, 'bedrockMetricNames'>, period?: Duration): BedrockMetrics {
    return new BedrockMetrics({ metricNames: config.bedrockMetricNames, period });
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
      label: options.label ?? (modelId === undefined ? TOKEN_KIND_LABELS[kind] : `${TOKEN_KIND_LABELS[kind]} | ${modelId}`),
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
    const name = this.metricNames[kind];
    const unsafe = searchUnsafeReason(name);
    if (unsafe) throw new Error(`metric name ${JSON.stringify(name)} ${unsafe}`);
    return `SEARCH('{${BEDROCK_NAMESPACE},${MODEL_ID_DIMENSION}} MetricName="${name}"', '${Stats.SUM}', ${this.period.toSeconds()})`;
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
    const ids = ratioIds(options.idSuffix);
    return new MathExpression({
      expression: hitRatioExpression(ids.read, ids.write),
      usingMetrics: {
        [ids.read]: this.tokens('cacheReadInputTokens', { modelId: options.modelId }),
        [ids.write]: this.tokens('cacheWriteInputTokens', { modelId: options.modelId }),
      },
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
    const ids = ratioIds(options.idSuffix);
    return new MathExpression({
      expression: cachedInputShareExpression(ids.input, ids.read, ids.write),
      usingMetrics: {
        [ids.input]: this.tokens('inputTokens', { modelId: options.modelId }),
        [ids.read]: this.tokens('cacheReadInputTokens', { modelId: options.modelId }),
        [ids.write]: this.tokens('cacheWriteInputTokens', { modelId: options.modelId }),
      },
      label: options.label ?? CACHED_INPUT_SHARE_LABEL,
      color: options.color,
      period: this.period,
    });
  }
}

function ratioIds(suffix = ''): { input: string; read: string; write: string } {
  if (!/^[A-Za-z0-9]*$/.test(suffix)) {
    throw new Error(`idSuffix must be letters and digits only (got ${JSON.stringify(suffix)})`);
  }
  return { input: `input${suffix}`, read: `cacheRead${suffix}`, write: `cacheWrite${suffix}` };
}
