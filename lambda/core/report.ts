/**
 * The report model: per-model rows and totals of tokens, ratios, dollars and a status, from token counts and the config.
 * Shared by `prompt-cache report`, the weekly digest and the publisher. Pure.
 */
import type { PromptCacheConfig } from './config';
import { addTokens, TOKEN_FIELDS, ZERO_TOKENS, type TokenCounts } from './contract';
import { resolveModelPrice } from './prices';
import {
  addPico,
  cacheHitRatioPercent,
  cachedInputSharePercent,
  dollarsPico,
  toUsd,
  ZERO_PICO,
  type Dollars,
  type DollarsPico,
} from './savings';

/**
 * First that applies, in this order:
 * - `idle`: no tokens at all;
 * - `unpriced`: no price known (tokens and ratios still shown, no dollars);
 * - `misconfigured`: cache writes but no cache reads (a prefix that never matches: pure write premium);
 * - `not-enabled`: traffic but no cache reads or writes;
 * - `losing-money`: cache traffic and net savings below $0 (a hit ratio below the price's break-even ratio): caching
 *   costs more than it saves;
 * - `underutilized`: hit ratio below the model's `minHitRatioPercent` (default `report.minHitRatioPercent`, 50%), while
 *   caching still saves money;
 * - `optimized`: otherwise.
 */
export type ModelStatus = 'optimized' | 'underutilized' | 'losing-money' | 'misconfigured' | 'not-enabled' | 'idle' | 'unpriced';

/** Every status, in the order of the rules above (the first that applies wins). */
export const MODEL_STATUSES: readonly ModelStatus[] = [
  'idle',
  'unpriced',
  'misconfigured',
  'not-enabled',
  'losing-money',
  'underutilized',
  'optimized',
];

export interface ModelUsage {
  /** The id exactly as AWS/Bedrock reports it. */
  readonly modelId: string;
  readonly tokens: TokenCounts;
}

type NullableDollars = { readonly [K in keyof Dollars]: number | null };

export interface RatioFigures {
  /** read / (read + write) × 100; null when read + write = 0. */
  readonly cacheHitRatioPercent: number | null;
  /** read / (input + read + write) × 100; null when that is 0. */
  readonly cachedInputSharePercent: number | null;
}

export interface ReportRow extends TokenCounts, RatioFigures, NullableDollars {
  readonly modelId: string;
  readonly displayName?: string;
  /** Which price rule applied (see prices.ts); null when unpriced. */
  readonly priceSource: string | null;
  readonly status: ModelStatus;
}

export interface ReportTotals extends TokenCounts, RatioFigures, Dollars {
  /** Every token (input, cache read, cache write, output) of unpriced models; their dollars are left out of the totals. */
  readonly unpricedTokens: number;
}

export interface Report {
  readonly models: ReportRow[];
  readonly totals: ReportTotals;
}

function ratios(t: TokenCounts): RatioFigures {
  return { cacheHitRatioPercent: cacheHitRatioPercent(t), cachedInputSharePercent: cachedInputSharePercent(t) };
}

export function totalTokenCount(t: TokenCounts): number {
  return TOKEN_FIELDS.reduce((sum, f) => sum + t[f], 0);
}

export function modelStatus(t: TokenCounts, priced: Dollars | null, minHitRatioPercent: number): ModelStatus {
  if (totalTokenCount(t) === 0) return 'idle';
  if (!priced) return 'unpriced';
  if (t.cacheReadInputTokens === 0 && t.cacheWriteInputTokens > 0) return 'misconfigured';
  if (t.cacheReadInputTokens === 0 && t.cacheWriteInputTokens === 0) return 'not-enabled';
  if (priced.netSavingsUSD < 0) return 'losing-money';
  if ((cacheHitRatioPercent(t) ?? 0) < minHitRatioPercent) return 'underutilized';
  return 'optimized';
}

const NULL_DOLLARS: NullableDollars = {
  costWithCacheUSD: null,
  costWithoutCacheUSD: null,
  readDiscountUSD: null,
  writePremiumUSD: null,
  netSavingsUSD: null,
};

/**
 * Rows for every model with usage and every configured model (configured ones first, in config order, then the rest by
 * id); usage entries with the same model id are summed. Priced as in `priceRegion` (prices differ by region; without
 * it, the catalog's `*` (US) rate).
 */
export function buildReport(usage: readonly ModelUsage[], config: PromptCacheConfig, priceRegion?: string): Report {
  const byModel = new Map<string, TokenCounts>();
  for (const m of config.models) byModel.set(m.modelId, ZERO_TOKENS);
  const discovered = [...new Set(usage.map((u) => u.modelId))].filter((id) => !byModel.has(id)).sort();
  for (const id of discovered) byModel.set(id, ZERO_TOKENS);
  for (const u of usage) byModel.set(u.modelId, addTokens(byModel.get(u.modelId) ?? ZERO_TOKENS, u.tokens));

  let tokens = ZERO_TOKENS;
  let pricedPico: DollarsPico = ZERO_PICO;
  let unpricedTokens = 0;
  const models: ReportRow[] = [];
  for (const [modelId, t] of byModel) {
    const model = config.models.find((m) => m.modelId === modelId);
    const price = resolveModelPrice(model, modelId, config, priceRegion);
    const pico = price ? dollarsPico(t, price) : undefined;
    const dollars = pico ? toUsd(pico) : null;
    tokens = addTokens(tokens, t);
    if (pico) pricedPico = addPico(pricedPico, pico);
    else unpricedTokens += totalTokenCount(t);
    models.push({
      modelId,
      ...(model?.displayName !== undefined ? { displayName: model.displayName } : {}),
      ...t,
      ...ratios(t),
      ...(dollars ?? NULL_DOLLARS),
      priceSource: price ? price.source : null,
      status: modelStatus(t, dollars, model?.minHitRatioPercent ?? config.report.minHitRatioPercent),
    });
  }
  return { models, totals: { ...tokens, ...ratios(tokens), ...toUsd(pricedPico), unpricedTokens } };
}
