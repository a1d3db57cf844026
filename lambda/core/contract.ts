/**
 * The fixed contract shared by the CDK constructs, the publisher and the CLI (README: the savings publisher, dashboards, alarms).
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
  /** No-dimension series only: 1 per period published (the last datum of each period: present means it all went out). */
  publishedPeriods: { name: 'PublishedPeriods', unit: 'Count' },
  /** Ours, beyond the fixed contract: periods that fell out of CloudWatch's 14-day window unpublished (no dimension). */
  lostPeriods: { name: 'LostPeriods', unit: 'Count' },
  /**
   * Alarm-ready series, judged on complete (settled) periods only. No-dimension only: the all-models cache token
   * totals (the sum of the per-model AWS/Bedrock Sums, so no alarm depends on Bedrock's undocumented dimensionless series).
   */
  cacheReadTokens: { name: 'CacheReadTokens', unit: 'Count' },
  cacheWriteTokens: { name: 'CacheWriteTokens', unit: 'Count' },
  /**
   * All models (no dimension): cache write tokens of the models that read nothing from the cache in the period (no
   * datum without cache traffic). Per model, alarm-ready (the writes-without-reads fleet alarm reads it): only in
   * periods in which the model wrote at least its `writesWithoutReads.minWriteTokens`, and only while that family is on
   * for it in fleet mode; the write tokens when it read nothing, else 0.
   */
  writesWithoutReadsTokens: { name: 'WritesWithoutReadsTokens', unit: 'Count' },
  /**
   * Per model, alarm-ready (the low-hit-ratio fleet alarm reads it): the hit ratio minus the model's low-hit threshold
   * (config lowHitThresholdPercent), in percentage points; negative is below. Only in periods with at least the
   * model's `lowHitRatio.minCacheTokens` cache tokens, and only while that family is on for it in fleet mode.
   */
  alarmHitRatioMarginPoints: { name: 'AlarmHitRatioMarginPoints', unit: 'None' },
  /**
   * Per model, alarm-ready (the caching-costs-money fleet alarms read it): the period's net savings in dollars per
   * hour (negative: caching loses money). Only for priced models, in periods with at least the model's
   * `cachingCostsMoney.minCacheTokens` cache tokens, and only while that family is on for it in fleet mode.
   */
  alarmNetSavingsUsdPerHour: { name: 'AlarmNetSavingsUSDPerHour', unit: 'None' },
  /**
   * No-dimension series only: one datum per publisher run, timestamped at the run's own time, value = minutes from the
   * watermark (end of the last period known to be published) to the run's time. The pipeline-health alarm reads it.
   */
  publisherLagMinutes: { name: 'PublisherLagMinutes', unit: 'None' },
  /**
   * Ours, no dimension: periods of uncertain puts whose presence check CloudWatch's visibility delay does not allow yet
   * (old datums show up to 48 hours late). Sent with `PublisherLagMinutes`, in the same put, only by runs that leave
   * some (read with Maximum; no datum means none).
   */
  periodsAwaitingSettlement: { name: 'PeriodsAwaitingSettlement', unit: 'Count' },
  /**
   * The daily bill check's (lambda/core/bill-check.ts): one datum per UTC day, timestamped at the day's start, in the
   * stack's region. Per model (ModelId: the CloudWatch ModelId the bill's row counts; the catalog model, with its
   * routing when not in-region, when the row counts none or several) and for all models (no dimension, the unmapped
   * usage types included): the day's Bedrock bill in US dollars.
   */
  billedCostUsd: { name: 'BilledCostUSD', unit: 'None' },
  /** Same days and dimensions: (billed − computed) / billed × 100; no datum when nothing was billed or a model is unpriced. */
  costDriftPercent: { name: 'CostDriftPercent', unit: 'Percent' },
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
export type BedrockTokenKind = keyof BedrockMetricNames;

/**
 * Every spelling of each token metric that AWS documents, the default first. Bedrock's user guide spells the cache
 * metrics `CacheReadInputTokens` / `CacheWriteInputTokens`; its blog, Grafana and real queries `…TokenCount`. Which one an
 * account has is known only at run time (ListMetrics), so everything reads both unless the config pins one.
 */
export const BEDROCK_METRIC_SPELLINGS: { readonly [K in BedrockTokenKind]: readonly string[] } = {
  inputTokens: ['InputTokenCount'],
  outputTokens: ['OutputTokenCount'],
  cacheReadInputTokens: ['CacheReadInputTokenCount', 'CacheReadInputTokens'],
  cacheWriteInputTokens: ['CacheWriteInputTokenCount', 'CacheWriteInputTokens'],
};

/** The names to read for each token kind: the pinned one (config `bedrockMetricNames.<kind>`), else every spelling. */
export function bedrockMetricCandidates(pinned: Partial<Record<BedrockTokenKind, string>> | undefined): {
  readonly [K in BedrockTokenKind]: readonly string[];
} {
  const out = {} as Record<BedrockTokenKind, readonly string[]>;
  for (const kind of Object.keys(BEDROCK_METRIC_SPELLINGS) as BedrockTokenKind[]) {
    const name = pinned?.[kind];
    out[kind] = name === undefined ? BEDROCK_METRIC_SPELLINGS[kind] : [name];
  }
  return out;
}

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
