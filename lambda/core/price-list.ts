/**
 * The AWS Price List's Bedrock products (GetProducts, service codes AmazonBedrock and AmazonBedrockFoundationModels) as
 * a price file: one row per model, region and token class whose price differs from what the catalog already gives
 * there, so a team updates prices without waiting for a release. Pure.
 *
 * Known from third-party code and tables, not AWS documentation (UNCONFIRMED): that Bedrock's token prices are products
 * of those service codes, that their `usagetype` attribute reads as Cost Explorer's usage types do, and that `unit` is
 * `1K tokens` or `1M tokens`. Every product the parser cannot read is listed as skipped, with why.
 */
import {
  BUILT_IN_PRICES,
  resolvePrice,
  withPriceFile,
  type PriceCatalogData,
  type PriceFileData,
  type PriceRow,
  type TokenClass,
} from './prices';
import { parseUsageType, type Routing } from './reconcile';

/** The service codes read (UNCONFIRMED: AmazonBedrock prices per 1K tokens, AmazonBedrockFoundationModels per 1M). */
export const PRICE_LIST_SERVICE_CODES = ['AmazonBedrock', 'AmazonBedrockFoundationModels'] as const;

export const PRICE_LIST_SOURCE = 'aws-price-list';

const TOKENS_PER_UNIT: Readonly<Record<string, number>> = { '1K tokens': 1000, '1M tokens': 1_000_000 };

export interface SkippedProduct {
  readonly usageType: string;
  readonly reason: string;
}

export interface PriceListRead {
  readonly file: PriceFileData;
  /** Products read into a price, whether or not it differed from the catalog. */
  readonly priced: number;
  readonly skipped: readonly SkippedProduct[];
}

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {});

/** The on-demand USD price and unit of a product (its first price dimension). */
function onDemandPrice(item: Json): { usd: number; unit: string } | undefined {
  for (const term of Object.values(obj(obj(item.terms).OnDemand))) {
    for (const dim of Object.values(obj(obj(term).priceDimensions))) {
      const d = obj(dim);
      const usd = Number(obj(d.pricePerUnit).USD);
      if (typeof d.unit === 'string' && Number.isFinite(usd)) return { usd, unit: d.unit };
    }
  }
  return undefined;
}

const ROUTING_RANK: Readonly<Record<Routing, number>> = { 'in-region': 0, geo: 1, global: 2 };
const micro = (usd: number) => Math.round(usd * 1e6);

/**
 * The price file of `items` (GetProducts' PriceList entries, parsed), dated `today`: the in-region rate of each model,
 * region and class (the geographic one where no in-region product exists; global rates are derived, not stored), kept
 * only where it differs from the catalog's.
 */
export function priceFileFromPriceList(
  items: readonly unknown[],
  today: string,
  catalog: PriceCatalogData = BUILT_IN_PRICES,
): PriceListRead {
  const skipped: SkippedProduct[] = [];
  const best = new Map<string, { row: PriceRow; rank: number }>();
  let priced = 0;
  for (const raw of items) {
    const item = obj(raw);
    const attributes = obj(obj(item.product).attributes);
    const usageType = typeof attributes.usagetype === 'string' ? attributes.usagetype : '';
    const meaning = parseUsageType(usageType, {}, catalog);
    if ('unmapped' in meaning) {
      skipped.push({ usageType, reason: meaning.unmapped });
      continue;
    }
    if (meaning.routing === 'global') {
      skipped.push({ usageType, reason: "a global rate: the catalog derives it from the region's rate" });
      continue;
    }
    const price = onDemandPrice(item);
    const perUnit = price ? TOKENS_PER_UNIT[price.unit] : undefined;
    if (!price || perUnit === undefined) {
      skipped.push({ usageType, reason: price ? `unit ${JSON.stringify(price.unit)} is not 1K or 1M tokens` : 'no on-demand USD price' });
      continue;
    }
    priced++;
    const row: PriceRow = {
      model: meaning.model,
      region: meaning.region,
      tokenClass: meaning.tokenClass,
      ...(meaning.tokenClass === 'cacheWrite' ? { ttl: meaning.ttl ?? '5m' } : {}),
      // USD per million tokens, to the micro-dollar the catalog keeps.
      usdPerMTok: micro((price.usd * 1_000_000) / perUnit) / 1e6,
      source: PRICE_LIST_SOURCE,
      checked: today,
    };
    const key = `${row.model}|${row.region}|${row.tokenClass}|${row.ttl ?? ''}`;
    const rank = ROUTING_RANK[meaning.routing];
    const held = best.get(key);
    if (!held || rank < held.rank) best.set(key, { row, rank });
  }
  const changed = [...best.values()].map((b) => b.row).filter((r) => differs(r, catalog));
  changed.sort(
    (a, b) =>
      a.model.localeCompare(b.model) ||
      a.region.localeCompare(b.region) ||
      a.tokenClass.localeCompare(b.tokenClass) ||
      (a.ttl ?? '').localeCompare(b.ttl ?? ''),
  );
  return {
    file: {
      generated: today,
      sources: { [PRICE_LIST_SOURCE]: `AWS Price List API (GetProducts: ${PRICE_LIST_SERVICE_CODES.join(', ')}), read ${today}` },
      prices: changed,
    },
    priced,
    skipped,
  };
}

const FIELD: Readonly<Record<TokenClass, 'inputMicro' | 'outputMicro' | 'cacheWriteMicro' | 'cacheReadMicro'>> = {
  input: 'inputMicro',
  output: 'outputMicro',
  cacheWrite: 'cacheWriteMicro',
  cacheRead: 'cacheReadMicro',
};

/** Whether a region's in-region price differs from what the catalog gives an in-region id there. */
function differs(row: PriceRow, catalog: PriceCatalogData): boolean {
  const current = resolvePrice(
    { modelId: row.model, region: row.region, cacheWriteTtl: row.ttl ?? '5m' },
    {},
    withPriceFile(undefined, catalog),
  );
  return current === undefined || current[FIELD[row.tokenClass]] !== micro(row.usdPerMTok);
}
