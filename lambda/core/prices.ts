/**
 * The price catalog and model-id → price resolution. Pure. The catalog is data (price-catalog.json, validated here): one
 * row per model, region (`*`, a region group or a region), token class and TTL, each with its source and check date; a
 * region group's factor for a vendor's models (UNCONFIRMED figures: GovCloud Claude, Nova outside the US); the regions
 * it knows with their Cost Explorer usage-type prefixes.
 *
 * Prices are held as integers in micro-USD per million tokens (1 USD/MTok = 1,000,000), so tokens × price is an exact
 * integer number of picodollars (1e-12 USD) and no float error creeps into the savings (see savings.ts).
 */
// The price types only, not the config's index: the config's parse step imports this file (priceProblems).
import { array, enum as zodEnum, number, record, strictObject, string } from 'zod';
import type { z } from 'zod';
import { cacheWriteTtlSchema, type CacheWriteTtl, type PricingEntry, type PricingTable } from './config/pricing';
import catalogJson from './price-catalog.json';

/** The token classes a price row prices; a cache write row also names its TTL. */
export const TOKEN_CLASSES = ['input', 'output', 'cacheWrite', 'cacheRead'] as const;
export type TokenClass = (typeof TOKEN_CLASSES)[number];

const usd = number().finite().min(0);
const day = string().regex(/^\d{4}-\d{2}-\d{2}$/, { error: 'must be a date YYYY-MM-DD' });
const priceRowSchema = strictObject({
  /** Bedrock base model id (no geo/global prefix). */
  model: string().min(1),
  /** `*` (every region without a row of its own or of its group), a region group (`eu`, `us-gov`, …) or a region. */
  region: string().min(1),
  tokenClass: zodEnum(TOKEN_CLASSES),
  ttl: cacheWriteTtlSchema.optional(),
  usdPerMTok: usd,
  /** A key of `sources`. */
  source: string().min(1),
  checked: day,
});
const catalogSchema = strictObject({
  sources: record(string(), string().min(10)),
  models: array(
    strictObject({
      model: string().min(1),
      name: string().min(1),
      /** The model's part of its Cost Explorer usage types (`USE1-Claude4.5Sonnet-input-tokens`). */
      usageTypeModel: string().min(1),
      /**
       * Geographic (`us.`, `eu.`, …) and in-region ids cost this much more than `global.` profiles, whose price is the
       * listed one (Claude 4.5 and later: Bedrock's Haiku 4.5 geo rate is exactly 1.1 × the listed rate).
       */
      geoPremiumPercent: number().int().min(0).max(100).optional(),
    }),
  ),
  prices: array(priceRowSchema),
  /** The regions the catalog knows, each with its group and its Cost Explorer usage-type prefix. */
  regions: array(strictObject({ region: string().min(1), group: string().min(1), usageTypePrefix: string().min(1) })),
  /** A region group's rate as a percentage of the `*` rate, for one vendor's models (the id's first segment). */
  regionFactors: array(
    strictObject({
      region: string().min(1),
      vendor: string().min(1),
      percent: number().int().min(1).max(1000),
      source: string().min(1),
      note: string().min(1),
      checked: day,
    }),
  ),
});
export type PriceRow = z.output<typeof priceRowSchema>;
export type PriceCatalogData = z.output<typeof catalogSchema>;

/**
 * The catalog's data, validated: every row's source a known key, one row per (model, region, class, TTL), each model
 * with an input, output, 5-minute write and read price for `*`. Throws naming each problem (a broken catalog or price
 * file must not price anything).
 */
export function parsePriceCatalog(data: unknown, where: string): PriceCatalogData {
  const parsed = catalogSchema.safeParse(data);
  if (!parsed.success) {
    throw new Error(
      `${where}: ${parsed.error.issues.map((i) => `${i.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('')}: ${i.message}`).join('; ')}`,
    );
  }
  const c = parsed.data;
  const { problems, seen } = rowProblems(c);
  for (const m of c.models) {
    for (const [cls, ttl] of [['input'], ['output'], ['cacheWrite', '5m'], ['cacheRead']] as const) {
      if (!seen.has(`${m.model}|*|${cls}|${ttl ?? ''}`)) problems.push(`models: ${m.model} has no "*" ${cls}${ttl ? ` ${ttl}` : ''} price`);
    }
  }
  if (problems.length > 0) throw new Error(`${where}: ${problems.join('; ')}`);
  return c;
}

/** Each row's source a key of `sources`, a TTL on cache writes only, one row per (model, region, class, TTL). */
function rowProblems(c: { readonly sources: Record<string, string>; readonly prices: readonly PriceRow[] }) {
  const problems: string[] = [];
  const seen = new Set<string>();
  c.prices.forEach((r, i) => {
    if (!(r.source in c.sources)) problems.push(`prices[${i}].source: ${JSON.stringify(r.source)} is not a key of sources`);
    if ((r.tokenClass === 'cacheWrite') !== (r.ttl !== undefined))
      problems.push(`prices[${i}].ttl: a cacheWrite row names its TTL ("5m" or "1h"), other rows none`);
    const key = `${r.model}|${r.region}|${r.tokenClass}|${r.ttl ?? ''}`;
    if (seen.has(key)) problems.push(`prices[${i}]: a second row for ${r.model} ${r.region} ${r.tokenClass}${r.ttl ? ` ${r.ttl}` : ''}`);
    seen.add(key);
  });
  return { problems, seen };
}

/**
 * A price file (`prompt-cache prices --refresh --out FILE`, named by the config's `pricesFile`): rows in the catalog's
 * form that replace the built-in rows with the same model, region, class and TTL, or add a region's own.
 */
export const priceFileSchema = strictObject({
  /** When the file was written (YYYY-MM-DD). */
  generated: day,
  sources: record(string(), string().min(10)),
  prices: array(priceRowSchema),
});
export type PriceFileData = z.output<typeof priceFileSchema>;

/** A price file's problems beyond its shape, each naming its row: sources, TTLs, duplicates, models the catalog lacks. */
export function priceFileProblems(file: PriceFileData, base: PriceCatalogData = BUILT_IN_PRICES): string[] {
  const { problems } = rowProblems(file);
  file.prices.forEach((r, i) => {
    if (!base.models.some((m) => m.model === r.model))
      problems.push(`prices[${i}].model: ${JSON.stringify(r.model)} is not a catalog model (price it with the config's pricing)`);
  });
  return problems;
}

const withFile = new WeakMap<PriceFileData, PriceCatalogData>();

/** The catalog with a price file's rows laid over it (sources prefixed `file:` so they never clash). */
export function withPriceFile(file: PriceFileData | undefined, base: PriceCatalogData = BUILT_IN_PRICES): PriceCatalogData {
  if (file === undefined) return base;
  const cached = withFile.get(file);
  if (cached && base === BUILT_IN_PRICES) return cached;
  const key = (r: PriceRow) => `${r.model}|${r.region}|${r.tokenClass}|${r.ttl ?? ''}`;
  const replaced = new Set(file.prices.map(key));
  const merged: PriceCatalogData = {
    ...base,
    sources: { ...base.sources, ...Object.fromEntries(Object.entries(file.sources).map(([k, v]) => [`file:${k}`, v])) },
    prices: [...base.prices.filter((r) => !replaced.has(key(r))), ...file.prices.map((r) => ({ ...r, source: `file:${r.source}` }))],
  };
  if (base === BUILT_IN_PRICES) withFile.set(file, merged);
  return merged;
}

/** What prices a config: its `pricing` overrides and the price file laid over the built-in catalog. */
export interface PriceBook {
  readonly pricing: PricingTable;
  readonly priceFile?: PriceFileData;
}

/** The built-in catalog (lambda/core/price-catalog.json). */
export const BUILT_IN_PRICES: PriceCatalogData = parsePriceCatalog(catalogJson, 'lambda/core/price-catalog.json');

/** One model's `*` prices as a person reads them (USD per million tokens), with where they came from and when checked. */
export interface CatalogEntry {
  readonly name: string;
  readonly inputPerMTok: number;
  readonly outputPerMTok: number;
  readonly cacheWrite5mPerMTok: number;
  /** Absent where Bedrock offers the model no 1-hour cache. */
  readonly cacheWrite1hPerMTok?: number;
  readonly cacheReadPerMTok: number;
  readonly regionalPremiumPercent?: number;
  readonly source: string;
  readonly checked: string;
}

function entriesOf(c: PriceCatalogData): Record<string, CatalogEntry> {
  const out: Record<string, CatalogEntry> = {};
  for (const m of c.models) {
    const row = (cls: TokenClass, ttl?: CacheWriteTtl) =>
      c.prices.find((r) => r.model === m.model && r.region === '*' && r.tokenClass === cls && r.ttl === ttl);
    const rows = [row('input'), row('output'), row('cacheWrite', '5m'), row('cacheRead')] as PriceRow[];
    const w1h = row('cacheWrite', '1h');
    out[m.model] = {
      name: m.name,
      inputPerMTok: rows[0].usdPerMTok,
      outputPerMTok: rows[1].usdPerMTok,
      cacheWrite5mPerMTok: rows[2].usdPerMTok,
      ...(w1h ? { cacheWrite1hPerMTok: w1h.usdPerMTok } : {}),
      cacheReadPerMTok: rows[3].usdPerMTok,
      ...(m.geoPremiumPercent === undefined ? {} : { regionalPremiumPercent: m.geoPremiumPercent }),
      source: c.sources[rows[0].source],
      checked: [...new Set(rows.map((r) => r.checked))].sort().pop() as string,
    };
  }
  return out;
}

/** Keyed by Bedrock base model id (no geo/global prefix): the built-in catalog's `*` prices. */
export const PRICE_CATALOG: Readonly<Record<string, CatalogEntry>> = entriesOf(BUILT_IN_PRICES);

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
  /**
   * e.g. `pricing:us.anthropic.…`, `catalog:anthropic.claude-3-7-sonnet-20250219-v1:0`, `… (regional +10%)`,
   * `… (us-gov: 120% of the US rate)`, `… (US rate: no price for xx-east-9)`.
   */
  readonly source: string;
  /** The region asked for is not in the catalog: priced at the US (`*`) rate. */
  readonly regionFallback?: string;
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

/** The region's group (`eu-west-1` → `eu`), or undefined when the catalog does not know the region. */
export function regionGroup(region: string, catalog: PriceCatalogData = BUILT_IN_PRICES): string | undefined {
  return catalog.regions.find((r) => r.region === region)?.group;
}

function catalogModel(id: string, catalog: PriceCatalogData) {
  const key = catalog.models.some((m) => m.model === id) ? id : baseModelId(id);
  const model = catalog.models.find((m) => m.model === key);
  return model ? { key, model } : undefined;
}

/**
 * The catalog price for `id` (a base, geo or global id) in `region`: each token class from the most specific row (the
 * region's, its group's, else `*` scaled by the group's factor for the model's vendor); the geo premium on `*` and
 * factor prices of non-global ids; a region the catalog does not know at the `*` rate, said in the source.
 */
function fromCatalog(id: string, ttl: CacheWriteTtl, region: string | undefined, catalog: PriceCatalogData): ResolvedPrice | undefined {
  const found = catalogModel(id, catalog);
  if (!found) return undefined;
  const { key, model } = found;
  const group = region === undefined ? undefined : regionGroup(region, catalog);
  const unknownRegion = region !== undefined && group === undefined ? region : undefined;
  const vendor = key.split('.')[0];
  const factor = group === undefined ? undefined : catalog.regionFactors.find((f) => f.region === group && f.vendor === vendor);
  const premium = model.geoPremiumPercent !== undefined && !isGlobalProfile(id) ? model.geoPremiumPercent : 0;
  // What priced the classes: a region's (or group's) own rows, the `*` rows (scaled by a factor when there is one).
  let regional: string | undefined;
  let fromStar = false;
  const price = (cls: TokenClass, rowTtl?: CacheWriteTtl): number | undefined => {
    const rows = catalog.prices.filter((r) => r.model === key && r.tokenClass === cls && r.ttl === rowTtl);
    const own = rows.find((r) => r.region === region) ?? rows.find((r) => r.region === group);
    if (own) {
      // A region's own row is its geographic rate: a global profile pays it less the geo premium.
      regional = own.region;
      const m = micro(own.usdPerMTok);
      return isGlobalProfile(id) && model.geoPremiumPercent ? Math.round((m * 100) / (100 + model.geoPremiumPercent)) : m;
    }
    const base = rows.find((r) => r.region === '*');
    if (!base) return undefined;
    fromStar = true;
    const scaled = Math.round((micro(base.usdPerMTok) * (100 + premium)) / 100);
    return factor ? Math.round((scaled * factor.percent) / 100) : scaled;
  };
  const write = price('cacheWrite', ttl);
  if (write === undefined) return undefined;
  const [input, output, read] = [price('input'), price('output'), price('cacheRead')] as number[];
  const notes = [
    ...(ttl === '1h' ? ['1h write'] : []),
    ...(premium && fromStar ? [`regional +${premium}%`] : []),
    ...(regional ? [`${regional} rows`] : []),
    ...(factor && fromStar ? [`${group}: ${factor.percent}% of the US rate`] : []),
    ...(unknownRegion ? [`US rate: no price for ${unknownRegion}`] : []),
  ];
  return {
    inputMicro: input,
    outputMicro: output,
    cacheWriteMicro: write,
    cacheReadMicro: read,
    source: `catalog:${key}${notes.map((n) => ` (${n})`).join('')}`,
    ...(unknownRegion ? { regionFallback: unknownRegion } : {}),
  };
}

export interface PriceQuery {
  readonly modelId: string;
  readonly priceAs?: string;
  readonly cacheWriteTtl?: CacheWriteTtl;
  /** Where the tokens were used (prices differ by region). @default - the `*` (US) rate */
  readonly region?: string;
}

/**
 * Resolution order (README "Prices and how a model id is priced"): exact id in `pricing` → `priceAs`, then the base id, in `pricing` → the catalog
 * for `priceAs`, the exact id, then the base id (global profiles at the listed price, other ids with the catalog's
 * regional premium; the region's rows or factor) → undefined (unpriced). An override's write price applies whatever the
 * TTL and the region.
 */
export function resolvePrice(
  query: PriceQuery,
  pricing: PricingTable,
  catalog: PriceCatalogData = BUILT_IN_PRICES,
): ResolvedPrice | undefined {
  const { modelId, priceAs } = query;
  const ttl = query.cacheWriteTtl ?? '5m';
  const overrideKeys = [modelId, priceAs, baseModelId(modelId)];
  for (const key of overrideKeys) {
    if (key !== undefined && Object.prototype.hasOwnProperty.call(pricing, key)) return fromOverride(pricing[key], key);
  }
  for (const id of [priceAs, modelId]) {
    const price = id === undefined ? undefined : fromCatalog(id, ttl, query.region, catalog);
    if (price) return price;
  }
  return undefined;
}

/** Resolves the price of a configured (or, with `model` undefined, a discovered) model, in `region` when given. */
export function resolveModelPrice(
  model: Omit<PriceQuery, 'modelId' | 'region'> | undefined,
  modelId: string,
  book: PriceBook,
  region?: string,
): ResolvedPrice | undefined {
  return resolvePrice(
    { modelId, priceAs: model?.priceAs, cacheWriteTtl: model?.cacheWriteTtl, ...(region === undefined ? {} : { region }) },
    book.pricing,
    withPriceFile(book.priceFile),
  );
}

/**
 * Config problems that need the catalog: a price file's bad rows; a 1-hour TTL on a model whose catalog row has no
 * 1-hour write price and no override; a `priceAs` that names nothing known. Each names its path and the fix.
 */
export function priceProblems(config: PriceBook & { readonly models: readonly PriceQuery[] }): string[] {
  const fileProblems = config.priceFile ? priceFileProblems(config.priceFile).map((p) => `priceFile.${p}`) : [];
  if (fileProblems.length > 0) return fileProblems;
  const catalog = withPriceFile(config.priceFile);
  const problems: string[] = [];
  config.models.forEach((m, i) => {
    if (resolveModelPrice(m, m.modelId, config)) return;
    if (m.cacheWriteTtl === '1h' && resolvePrice({ ...m, cacheWriteTtl: '5m' }, config.pricing, catalog)) {
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
