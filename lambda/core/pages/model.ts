/**
 * What a page says about a model, from the config alone: its name as people know it, its cache TTL, its price and
 * break-even, and the thresholds its alarms use (its `models[].alarms` overrides on the `alarms` section). Pure.
 */
import type { CacheWriteTtl, ModelAlarmSettings, PromptCacheConfig } from '../config';
import { lowHitThresholdPercent, modelAlarmSettings } from '../config';
import { resolveModelPrice, resolvePrice, type ResolvedPrice } from '../prices';
import { breakEvenHitRatioPercent } from '../savings';

export interface ModelFacts {
  readonly modelId: string;
  /** The display name where configured, else {@link shortModelId}. */
  readonly label: string;
  readonly ttl: CacheWriteTtl;
  /** Undefined when no price is known (unpriced). */
  readonly price?: ResolvedPrice;
  /** The hit ratio (percent) at which caching breaks even; undefined when unpriced. */
  readonly breakEvenPercent?: number;
  /** The break-even the model would have with the other TTL, where a price for it is known. */
  readonly otherTtlBreakEvenPercent?: number;
  /** Its effective alarm settings. */
  readonly settings: ModelAlarmSettings;
  /** The hit ratio below which its low-hit-ratio alarm fires (config lowHitThresholdPercent). */
  readonly lowHitThresholdPercent: number;
}

/** Bedrock's cross-region profile prefixes (prices.ts strips the same ones). */
const PROFILE = /^((?:us-gov|us|eu|apac|jp|au|ca|global)\.)?/;

/**
 * A model id short enough for a subject, still telling profiles and versions apart: the provider and the `-v1:0`
 * suffix dropped (`us.anthropic.claude-sonnet-4-20250514-v1:0` → `us.claude-sonnet-4-20250514`), an application
 * inference profile as `profile/<id>`, any other ARN as its last path segment.
 */
export function shortModelId(modelId: string): string {
  const profile = /^arn:[^:]+:bedrock:[^:]*:[^:]*:application-inference-profile\/(.+)$/.exec(modelId);
  if (profile) return `profile/${profile[1]}`;
  if (modelId.startsWith('arn:')) return modelId.split('/').pop() || modelId;
  const prefix = PROFILE.exec(modelId)?.[1] ?? '';
  const rest = modelId.slice(prefix.length).replace(/^[a-z0-9-]+\.(?=.)/, '');
  return `${prefix}${rest.replace(/-v\d+(:\d+)?$/, '')}` || modelId;
}

/** The model as the config knows it; a model not in the config gets the `alarms` section and the catalog's price. */
export function modelFacts(
  config: Pick<PromptCacheConfig, 'models' | 'pricing' | 'priceFile' | 'alarms'>,
  modelId: string,
  /** Where the model is called (the alarm's region): its prices. @default - the catalog's `*` (US) rate */
  region?: string,
): ModelFacts {
  const model = config.models.find((m) => m.modelId === modelId);
  const ttl: CacheWriteTtl = model?.cacheWriteTtl ?? '5m';
  const price = resolveModelPrice(model, modelId, config, region);
  const breakEvenPercent = price ? breakEvenHitRatioPercent(price) : undefined;
  const other = resolveModelPrice({ ...model, cacheWriteTtl: ttl === '5m' ? '1h' : '5m' }, modelId, config, region);
  // An override's write price applies to both TTLs: then there is no other break-even to compare with.
  const otherTtlBreakEvenPercent =
    other && price && other.cacheWriteMicro !== price.cacheWriteMicro ? breakEvenHitRatioPercent(other) : undefined;
  const settings = modelAlarmSettings(config.alarms, model);
  return {
    modelId,
    label: model?.displayName ?? shortModelId(modelId),
    ttl,
    ...(price ? { price } : {}),
    ...(breakEvenPercent === undefined ? {} : { breakEvenPercent }),
    ...(otherTtlBreakEvenPercent === undefined ? {} : { otherTtlBreakEvenPercent }),
    settings,
    lowHitThresholdPercent: lowHitThresholdPercent(settings.lowHitRatio, breakEvenPercent),
  };
}

/** Claude's break-evens by TTL (5-minute 21.7%, 1-hour 52.6%), from the catalog's Claude Sonnet 4.5 row (global): fleet texts name them. */
export function claudeBreakEvens(): { readonly fiveMinute: number; readonly oneHour: number } {
  const be = (cacheWriteTtl: CacheWriteTtl) =>
    breakEvenHitRatioPercent(
      resolvePrice({ modelId: 'global.anthropic.claude-sonnet-4-5-20250929-v1:0', cacheWriteTtl }, {}) as ResolvedPrice,
    );
  return { fiveMinute: be('5m'), oneHour: be('1h') };
}
