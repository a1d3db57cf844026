/**
 * `prompt-cache prices`: how each configured and discovered model is priced, in a region: the rule (the config's
 * `pricing`, the catalog, or none), the source and the date it was checked, the four prices and the break-even hit
 * ratio they imply. Pure.
 */
import type { PromptCacheConfig } from './config';
import { csvField, type ReportFormat } from './report-format';
import { regionGroup, resolveModelPrice, withPriceFile, type PriceCatalogData } from './prices';
import { breakEvenHitRatioPercent } from './savings';

export interface PricedModel {
  readonly modelId: string;
  readonly displayName: string | null;
  readonly configured: boolean;
  readonly cacheWriteTtl: '5m' | '1h';
  readonly rule: 'pricing' | 'catalog' | 'unpriced';
  /** `priceSource` as reports show it (`catalog:… (regional +10%)`), null when unpriced. */
  readonly priceSource: string | null;
  /** Where the catalog's figures come from (its `sources` text), or `the config's pricing`. */
  readonly source: string | null;
  /** The latest check date of the catalog rows used; null for a config override or unpriced. */
  readonly checked: string | null;
  readonly inputPerMTok: number | null;
  readonly outputPerMTok: number | null;
  readonly cacheWritePerMTok: number | null;
  readonly cacheReadPerMTok: number | null;
  readonly breakEvenHitRatioPercent: number | null;
}

export interface PriceTable {
  /** The region priced, or null for the catalog's `*` (US) rate. */
  readonly region: string | null;
  /** Whether the catalog knows the region (false: the US rate, with a warning). */
  readonly regionKnown: boolean;
  readonly models: readonly PricedModel[];
}

const perMTok = (micro: number) => micro / 1e6;

/** Configured models first (config order), then the discovered ones by id. */
export function priceTable(
  config: PromptCacheConfig,
  discovered: readonly string[],
  region?: string,
  catalog: PriceCatalogData = withPriceFile(config.priceFile),
): PriceTable {
  const configured = config.models.map((m) => m.modelId);
  const ids = [...configured, ...[...new Set(discovered)].filter((id) => !configured.includes(id)).sort()];
  const models = ids.map((modelId): PricedModel => {
    const model = config.models.find((m) => m.modelId === modelId);
    const price = resolveModelPrice(model, modelId, config, region);
    const base = {
      modelId,
      displayName: model?.displayName ?? null,
      configured: configured.includes(modelId),
      cacheWriteTtl: model?.cacheWriteTtl ?? '5m',
    };
    if (!price)
      return {
        ...base,
        rule: 'unpriced',
        priceSource: null,
        source: null,
        checked: null,
        inputPerMTok: null,
        outputPerMTok: null,
        cacheWritePerMTok: null,
        cacheReadPerMTok: null,
        breakEvenHitRatioPercent: null,
      };
    const key = /^catalog:(\S+)/.exec(price.source)?.[1];
    const rows = key === undefined ? [] : catalog.prices.filter((r) => r.model === key);
    return {
      ...base,
      rule: key === undefined ? 'pricing' : 'catalog',
      priceSource: price.source,
      source: key === undefined ? "the config's pricing" : [...new Set(rows.map((r) => catalog.sources[r.source]))].join('; '),
      checked: rows.length === 0 ? null : rows.map((r) => r.checked).sort()[rows.length - 1],
      inputPerMTok: perMTok(price.inputMicro),
      outputPerMTok: perMTok(price.outputMicro),
      cacheWritePerMTok: perMTok(price.cacheWriteMicro),
      cacheReadPerMTok: perMTok(price.cacheReadMicro),
      breakEvenHitRatioPercent: breakEvenHitRatioPercent(price),
    };
  });
  return { region: region ?? null, regionKnown: region === undefined || regionGroup(region, catalog) !== undefined, models };
}

const COLUMNS = [
  'modelId',
  'displayName',
  'configured',
  'cacheWriteTtl',
  'rule',
  'priceSource',
  'checked',
  'inputPerMTok',
  'outputPerMTok',
  'cacheWritePerMTok',
  'cacheReadPerMTok',
  'breakEvenHitRatioPercent',
  'source',
] as const;

/** Exact, as the catalog holds it (at most 6 decimals): `$3.75`, `$0.00875`. */
const price = (v: number | null) => (v === null ? '–' : `$${Number(v.toFixed(6))}`);

export function renderPriceTable(t: PriceTable, format: ReportFormat): string {
  if (format === 'json') return `${JSON.stringify(t, null, 2)}\n`;
  if (format === 'csv')
    return `${[COLUMNS.join(','), ...t.models.map((m) => COLUMNS.map((c) => csvField(m[c] ?? '')).join(','))].join('\n')}\n`;
  const where =
    t.region === null ? 'the US rate (no --region)' : t.regionKnown ? t.region : `${t.region} (not in the catalog: the US rate)`;
  return `${[
    `# How each model is priced: ${where}`,
    '',
    '| model | TTL | rule | $/MTok input | output | cache write | cache read | break-even | checked |',
    '| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | --- |',
    ...t.models.map(
      (m) =>
        `| ${m.displayName ? `${m.displayName} (${m.modelId})` : m.modelId}${m.configured ? '' : ' *'} | ${m.cacheWriteTtl} | ${m.priceSource ?? 'unpriced: add pricing or priceAs'} | ${price(m.inputPerMTok)} | ${price(m.outputPerMTok)} | ${price(m.cacheWritePerMTok)} | ${price(m.cacheReadPerMTok)} | ${m.breakEvenHitRatioPercent === null ? '–' : `${m.breakEvenHitRatioPercent.toFixed(1)}%`} | ${m.checked ?? '–'} |`,
    ),
    '',
    '`*`: not in the config, seen in AWS/Bedrock. Sources: ' +
      ([...new Set(t.models.map((m) => m.source).filter((s): s is string => s !== null))].join('; ') || 'none'),
  ].join('\n')}\n`;
}
