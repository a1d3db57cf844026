/**
 * The savings arithmetic (README "The arithmetic"), exact: tokens × micro-USD-per-MTok prices are integer picodollars (BigInt), summed
 * exactly, and turned into USD once at the end, so figures stay within one float rounding of the true value even at
 * 10^9-token totals. Pure.
 */
import type { TokenCounts } from './contract';
import type { ResolvedPrice } from './prices';

/** Dollar figures of one model (or a total) over one window; all USD. */
export interface Dollars {
  readonly costWithCacheUSD: number;
  readonly costWithoutCacheUSD: number;
  readonly readDiscountUSD: number;
  readonly writePremiumUSD: number;
  /** read discount − write premium = cost without − cost with; negative means caching costs money. */
  readonly netSavingsUSD: number;
}

/** The same figures in picodollars (1e-12 USD), exact, for summing. */
export interface DollarsPico {
  readonly costWithCache: bigint;
  readonly costWithoutCache: bigint;
  readonly readDiscount: bigint;
  readonly writePremium: bigint;
  readonly netSavings: bigint;
}

export const ZERO_PICO: DollarsPico = { costWithCache: 0n, costWithoutCache: 0n, readDiscount: 0n, writePremium: 0n, netSavings: 0n };

function tokenInt(value: number, field: string): bigint {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${field} must be a non-negative whole number of tokens, got ${value}`);
  }
  return BigInt(value);
}

export function dollarsPico(tokens: TokenCounts, price: ResolvedPrice): DollarsPico {
  const input = tokenInt(tokens.inputTokens, 'inputTokens');
  const read = tokenInt(tokens.cacheReadInputTokens, 'cacheReadInputTokens');
  const write = tokenInt(tokens.cacheWriteInputTokens, 'cacheWriteInputTokens');
  const output = tokenInt(tokens.outputTokens, 'outputTokens');
  const pIn = BigInt(price.inputMicro);
  const pOut = BigInt(price.outputMicro);
  const pWrite = BigInt(price.cacheWriteMicro);
  const pRead = BigInt(price.cacheReadMicro);
  const costWithoutCache = (input + read + write) * pIn + output * pOut;
  const costWithCache = input * pIn + write * pWrite + read * pRead + output * pOut;
  const readDiscount = read * (pIn - pRead);
  const writePremium = write * (pWrite - pIn);
  return { costWithCache, costWithoutCache, readDiscount, writePremium, netSavings: readDiscount - writePremium };
}

export function addPico(a: DollarsPico, b: DollarsPico): DollarsPico {
  return {
    costWithCache: a.costWithCache + b.costWithCache,
    costWithoutCache: a.costWithoutCache + b.costWithoutCache,
    readDiscount: a.readDiscount + b.readDiscount,
    writePremium: a.writePremium + b.writePremium,
    netSavings: a.netSavings + b.netSavings,
  };
}

/** Picodollars → USD with a single rounding (integer part and fraction converted separately to stay exact). */
export function picoToUsd(pico: bigint): number {
  const scale = 1_000_000_000_000n;
  const whole = pico / scale;
  const fraction = pico % scale;
  return Number(whole) + Number(fraction) / 1e12;
}

export function toUsd(pico: DollarsPico): Dollars {
  return {
    costWithCacheUSD: picoToUsd(pico.costWithCache),
    costWithoutCacheUSD: picoToUsd(pico.costWithoutCache),
    readDiscountUSD: picoToUsd(pico.readDiscount),
    writePremiumUSD: picoToUsd(pico.writePremium),
    netSavingsUSD: picoToUsd(pico.netSavings),
  };
}

export function computeDollars(tokens: TokenCounts, price: ResolvedPrice): Dollars {
  return toUsd(dollarsPico(tokens, price));
}

/** Cache efficiency: read / (read + write), in percent; null (not 0) when there was no cache traffic. */
export function cacheHitRatioPercent(t: TokenCounts): number | null {
  const total = t.cacheReadInputTokens + t.cacheWriteInputTokens;
  return total > 0 ? (100 * t.cacheReadInputTokens) / total : null;
}

/** Coverage: read / (input + read + write), in percent; null when there was no input at all. */
export function cachedInputSharePercent(t: TokenCounts): number | null {
  const total = t.inputTokens + t.cacheReadInputTokens + t.cacheWriteInputTokens;
  return total > 0 ? (100 * t.cacheReadInputTokens) / total : null;
}

/**
 * The hit ratio at which net savings are exactly zero: (p_write − p_in) / (p_write − p_read), in percent.
 * 0 when writes cost no more than input (caching never loses money); Claude 5-minute cache: 21.74%, 1-hour: 52.63%.
 */
export function breakEvenHitRatioPercent(price: ResolvedPrice): number {
  const premium = price.cacheWriteMicro - price.inputMicro;
  if (premium <= 0) return 0;
  return (100 * premium) / (price.cacheWriteMicro - price.cacheReadMicro);
}
