/**
 * The fixed contract shared by the CDK constructs, the publisher and the CLI (see ../shared/design.md).
 * Outside tests depend on these names: change them only with the design.
 */

/** Default namespace of the custom metrics this project publishes. */
export const DEFAULT_NAMESPACE = 'BedrockPromptCache';

/** Custom metric names and their CloudWatch units. */
export const CUSTOM_METRICS = {
  cacheHitRatio: { name: 'CacheHitRatio', unit: 'Percent' },
  netSavingsUsd: { name: 'NetSavingsUSD', unit: 'None' },
  costWithCacheUsd: { name: 'CostWithCacheUSD', unit: 'None' },
  costWithoutCacheUsd: { name: 'CostWithoutCacheUSD', unit: 'None' },
  /** No-dimension series only: tokens of models with no known price. */
  unpricedTokens: { name: 'UnpricedTokens', unit: 'Count' },
  /** No-dimension series only: 1 per period published, the pipeline heartbeat. */
  publishedPeriods: { name: 'PublishedPeriods', unit: 'Count' },
  /** Ours, beyond the fixed contract: periods that fell out of CloudWatch's 14-day window unpublished (no dimension). */
  lostPeriods: { name: 'LostPeriods', unit: 'Count' },
} as const;

/** The one dimension of the per-model series: the id exactly as AWS/Bedrock reports it. */
export const MODEL_ID_DIMENSION = 'ModelId';

/** The namespace of Bedrock's own (free) runtime metrics. */
export const BEDROCK_NAMESPACE = 'AWS/Bedrock';

/**
 * Bedrock token metric names. The cache metric names are UNCONFIRMED (the user guide's table spells them
 * `CacheReadInputTokens`/`CacheWriteInputTokens`, the AWS blog, Grafana and real queries `…TokenCount`), so they are
 * configurable (`bedrockMetricNames` in the config); these are the defaults.
 */
export const DEFAULT_BEDROCK_METRIC_NAMES = {
  inputTokens: 'InputTokenCount',
  outputTokens: 'OutputTokenCount',
  cacheReadInputTokens: 'CacheReadInputTokenCount',
  cacheWriteInputTokens: 'CacheWriteInputTokenCount',
} as const;

export type BedrockMetricNames = { readonly [K in keyof typeof DEFAULT_BEDROCK_METRIC_NAMES]: string };

/** Token counts of one model over one window, as Bedrock reports them (input excludes cached tokens). */
export interface TokenCounts {
  readonly inputTokens: number;
  readonly cacheReadInputTokens: number;
  readonly cacheWriteInputTokens: number;
  readonly outputTokens: number;
}

export const ZERO_TOKENS: TokenCounts = { inputTokens: 0, cacheReadInputTokens: 0, cacheWriteInputTokens: 0, outputTokens: 0 };

export const TOKEN_FIELDS = ['inputTokens', 'cacheReadInputTokens', 'cacheWriteInputTokens', 'outputTokens'] as const;

export function addTokens(a: TokenCounts, b: TokenCounts): TokenCounts {
  return {
    inputTokens: a.inputTokens + b.inputTokens,
    cacheReadInputTokens: a.cacheReadInputTokens + b.cacheReadInputTokens,
    cacheWriteInputTokens: a.cacheWriteInputTokens + b.cacheWriteInputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
  };
}

/** The publisher's ledger table: partition key and TTL attribute (epoch seconds), shared by the CDK table and the adapter. */
export const LEDGER_KEY = 'pk';
export const LEDGER_TTL = 'expiresAt';
