/**
 * The price-entry schema and the types prices.ts resolves with. It imports nothing else of the config, so prices.ts
 * can depend on it while the parse step depends on prices.ts (no import cycle).
 */
import { enum as zodEnum, number, strictObject } from 'zod';
import type { z } from 'zod';

/** Prices are kept exact in integer micro-dollars per million tokens, so at most 6 decimals are meaningful. */
const pricePerMTok = number()
  .finite()
  .min(0, { error: 'must be a price in USD per million tokens, 0 or more' })
  .refine((v) => Math.abs(v * 1e6 - Math.round(v * 1e6)) < 1e-6, {
    error: 'must have at most 6 decimals (USD per million tokens)',
  });

export const pricingEntrySchema = strictObject({
  inputPerMTok: pricePerMTok,
  outputPerMTok: pricePerMTok,
  /** Used whatever the model's cacheWriteTtl. */
  cacheWritePerMTok: pricePerMTok,
  cacheReadPerMTok: pricePerMTok,
});

export const cacheWriteTtlSchema = zodEnum(['5m', '1h'], { error: 'must be "5m" or "1h"' });

export type PricingEntry = z.output<typeof pricingEntrySchema>;
export type CacheWriteTtl = z.output<typeof cacheWriteTtlSchema>;
/** The config's `pricing`: overrides keyed by exact, base or profile model id. */
export type PricingTable = Readonly<Record<string, PricingEntry>>;
