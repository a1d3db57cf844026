/**
 * Built-in price catalog and model-id → price resolution. Pure.
 *
 * Prices are held as integers in micro-USD per million tokens (1 USD/MTok = 1,000,000), so tokens × price is an exact
 * integer number of picodollars (1e-12 USD) and no float error creeps into the savings (see savings.ts).
 */
// The price types only, not the config's index: the config's parse step imports this file (priceProblems).
import type { CacheWriteTtl, PricingEntry, PricingTable } from './config/pricing';

/** One catalog row, USD per million tokens (on-demand), with where it came from and when it was checked. */
export interface CatalogEntry {
  readonly name: string;
  readonly inputPerMTok: number;
  readonly outputPerMTok: number;
  readonly cacheWrite5mPerMTok: number;
  /** Absent where the model has no 1-hour cache. */
  readonly cacheWrite1hPerMTok?: number;
  readonly cacheReadPerMTok: number;
  /**
   * Claude 4.5 and later: geographic (`us.`, `eu.`, …) and in-region ids cost this much more than `global.` profiles,
   * whose price is the listed one. Bedrock's Haiku 4.5 geo rate is exactly 1.1 × the listed rate.
   */
  readonly regionalPremiumPercent?: number;
  readonly source: string;
  readonly checked: string;
}

const BEDROCK = 'aws.amazon.com/bedrock/pricing';
const ANTHROPIC = 'Anthropic model pricing page (Bedrock on-demand rates match)';
const CHECKED = '2026-11-25';
const claude = (name: string, input: number, w5m: number, w1h: number, read: number, output: number, premium?: number): CatalogEntry => ({
  name,
  inputPerMTok: input,
  outputPerMTok: output,
  cacheWrite5mPerMTok: w5m,
  cacheWrite1hPerMTok: w1h,
  cacheReadPerMTok: read,
  ...(premium === undefined ? {} : { regionalPremiumPercent: premium }),
  source: ANTHROPIC,
  checked: CHECKED,
});

/** Keyed by Bedrock base model id (no geo/global prefix). */
export const PRICE_CATALOG: Readonly<Record<string, CatalogEntry>> = {
  'anthropic.claude-3-5-haiku-20241022-v1:0': claude('Claude 3.5 Haiku', 0.8, 1, 1.6, 0.08, 4),
  'anthropic.claude-3-7-sonnet-20250219-v1:0': {
    ...claude('Claude 3.7 Sonnet', 3, 3.75, 6, 0.3, 15),
    source: `${BEDROCK} ($0.003/$0.015/$0.00375/$0.0003 per 1K)`,
  },
  'anthropic.claude-sonnet-4-20250514-v1:0': claude('Claude Sonnet 4', 3, 3.75, 6, 0.3, 15),
  'anthropic.claude-sonnet-4-5-20250929-v1:0': claude('Claude Sonnet 4.5', 3, 3.75, 6, 0.3, 15, 10),
  'anthropic.claude-haiku-4-5-20251001-v1:0': {
    ...claude('Claude Haiku 4.5', 1, 1.25, 2, 0.1, 5, 10),
    source: `${ANTHROPIC}; ${BEDROCK} geo rate $0.0011/$0.0055/$0.001375/$0.00011 per 1K`,
  },
  'anthropic.claude-opus-4-20250514-v1:0': claude('Claude Opus 4', 15, 18.75, 30, 1.5, 75),
  'anthropic.claude-opus-4-1-20250805-v1:0': claude('Claude Opus 4.1', 15, 18.75, 30, 1.5, 75),
  'anthropic.claude-opus-4-5-20251101-v1:0': claude('Claude Opus 4.5', 5, 6.25, 10, 0.5, 25, 10),
  // Nova: cache writes are not billed above input (UNCONFIRMED) and there is no 1-hour cache.
  'amazon.nova-pro-v1:0': {
    name: 'Amazon Nova Pro',
    inputPerMTok: 0.8,
    outputPerMTok: 3.2,
    cacheWrite5mPerMTok: 0,
    cacheReadPerMTok: 0.2,
    source: `${BEDROCK} (cache read $0.0002 per 1K; write UNCONFIRMED)`,
    checked: CHECKED,
  },
  'amazon.nova-lite-v1:0': {
    name: 'Amazon Nova Lite',
    inputPerMTok: 0.06,
    outputPerMTok: 0.24,
    cacheWrite5mPerMTok: 0,
    cacheReadPerMTok: 0.015,
    source: `${BEDROCK} (cache write and read UNCONFIRMED)`,
    checked: CHECKED,
  },
  'amazon.nova-micro-v1:0': {
    name: 'Amazon Nova Micro',
    inputPerMTok: 0.035,
    outputPerMTok: 0.14,
    cacheWrite5mPerMTok: 0,
    cacheReadPerMTok: 0.00875,
    source: `${BEDROCK} (cache write and read UNCONFIRMED)`,
    checked: CHECKED,
  },
};

/** Cross-region inference profile prefixes seen on Bedrock model ids. */
const PROFILE_PREFIX = /^(us-gov|us|eu|apac|jp|au|ca|global)\./;

/** `us.anthropic.claude-…` → `anthropic.claude-…`; ids without a profile prefix are returned as they are. */
export function baseModelId(modelId: string): string {
  return modelId.replace(PROFILE_PREFIX, '');
}

export function isGlobalProfile(modelId: string): boolean {
  return modelId.startsWith('global.');
}

/** A resolved price in integer micro-USD per million tokens, with the rule that produced it. */
export interface ResolvedPrice {
  readonly inputMicro: number;
  readonly outputMicro: number;
  readonly cacheWriteMicro: number;
  readonly cacheReadMicro: number;
  /** e.g. `pricing:us.anthropic.…`, `catalog:anthropic.claude-3-7-sonnet-20250219-v1:0`, `… (regional +10%)`. */
  readonly source: string;
}

const micro = (usdPerMTok: number): number => Math.round(usdPerMTok * 1e6);

function fromOverride(entry: PricingEntry, key: string): ResolvedPrice {
  return {
    inputMicro: micro(entry.inputPerMTok),
    outputMicro: micro(entry.outputPerMTok),
    cacheWriteMicro: micro(entry.cacheWritePerMTok),
    cacheReadMicro: micro(entry.cacheReadPerMTok),
    source: `pricing:${key}`,
  };
}

function catalogLookup(id: string): { key: string; entry: CatalogEntry } | undefined {
  const key = PRICE_CATALOG[id] ? id : baseModelId(id);
  const entry = PRICE_CATALOG[key];
  return entry ? { key, entry } : undefined;
}

/** The catalog price for `id` (a base, geo or global id) with the regional premium applied where it belongs. */
function fromCatalog(id: string, ttl: CacheWriteTtl): ResolvedPrice | undefined {
  const found = catalogLookup(id);
  if (!found) return undefined;
  const { key, entry } = found;
  const write = ttl === '1h' ? entry.cacheWrite1hPerMTok : entry.cacheWrite5mPerMTok;
  if (write === undefined) return undefined;
  const premium = entry.regionalPremiumPercent !== undefined && !isGlobalProfile(id) ? entry.regionalPremiumPercent : 0;
  const scale = (usd: number) => Math.round((micro(usd) * (100 + premium)) / 100);
  return {
    inputMicro: scale(entry.inputPerMTok),
    outputMicro: scale(entry.outputPerMTok),
    cacheWriteMicro: scale(write),
    cacheReadMicro: scale(entry.cacheReadPerMTok),
    source: `catalog:${key}${ttl === '1h' ? ' (1h write)' : ''}${premium ? ` (regional +${premium}%)` : ''}`,
  };
}

export interface PriceQuery {
  readonly modelId: string;
  readonly priceAs?: string;
  readonly cacheWriteTtl?: CacheWriteTtl;
}

/**
 * Resolution order (README "Prices and how a model id is priced"): exact id in `pricing` → `priceAs`, then the base id, in `pricing` → the built-in catalog
 * for `priceAs`, the exact id, then the base id (global profiles at the listed price, other ids with the catalog's
 * regional premium) → undefined (unpriced). An override's write price applies whatever the TTL.
 */
export function resolvePrice(query: PriceQuery, pricing: PricingTable): ResolvedPrice | undefined {
  const { modelId, priceAs } = query;
  const ttl = query.cacheWriteTtl ?? '5m';
  const overrideKeys = [modelId, priceAs, baseModelId(modelId)];
  for (const key of overrideKeys) {
    if (key !== undefined && Object.prototype.hasOwnProperty.call(pricing, key)) return fromOverride(pricing[key], key);
  }
  for (const id of [priceAs, modelId]) {
    const price = id === undefined ? undefined : fromCatalog(id, ttl);
    if (price) return price;
  }
  return undefined;
}

/** Resolves the price of a configured model. */
export function resolveModelPrice(
  model: Omit<PriceQuery, 'modelId'> | undefined,
  modelId: string,
  pricing: PricingTable,
): ResolvedPrice | undefined {
  return resolvePrice({ modelId, priceAs: model?.priceAs, cacheWriteTtl: model?.cacheWriteTtl }, pricing);
}

/**
 * Config problems that need the catalog: a 1-hour TTL on a model whose catalog row has no 1-hour write price and no
 * override, and a `priceAs` that names nothing known. Each names its path and the fix.
 */
export function priceProblems(config: { readonly models: readonly PriceQuery[]; readonly pricing: PricingTable }): string[] {
  const problems: string[] = [];
  config.models.forEach((m, i) => {
    if (resolveModelPrice(m, m.modelId, config.pricing)) return;
    if (m.cacheWriteTtl === '1h' && resolvePrice({ ...m, cacheWriteTtl: '5m' }, config.pricing)) {
      problems.push(
        `models[${i}].cacheWriteTtl: the catalog has no 1-hour cache write price for ${JSON.stringify(m.priceAs ?? m.modelId)}; use "5m" or add pricing[${JSON.stringify(m.modelId)}] (got "1h")`,
      );
    } else if (m.priceAs !== undefined) {
      problems.push(
        `models[${i}].priceAs: no price known for ${JSON.stringify(m.priceAs)}; name a catalog model id or add it to pricing (got ${JSON.stringify(m.priceAs)})`,
      );
    }
  });
  return problems;
}
