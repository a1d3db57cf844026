import { TokenCounts } from '../../lambda/core/contract';
import { resolvePrice, type ResolvedPrice } from '../../lambda/core/prices';
import {
  breakEvenHitRatioPercent,
  cacheHitRatioPercent,
  cachedInputSharePercent,
  computeDollars,
  picoToUsd,
} from '../../lambda/core/savings';

const sonnet37 = resolvePrice({ modelId: 'us.anthropic.claude-3-7-sonnet-20250219-v1:0' }, {}) as ResolvedPrice;
const worked: TokenCounts = { inputTokens: 28, cacheReadInputTokens: 38247, cacheWriteInputTokens: 75097, outputTokens: 1066 };
const close = (got: number | null, want: number) => expect(Math.abs((got as number) - want)).toBeLessThan(1e-9);

describe("savings arithmetic (README, the AWS blog's worked example)", () => {
  test('the AWS blog worked example gives its exact figures', () => {
    const d = computeDollars(worked, sonnet37);
    expect(d).toEqual({
      costWithoutCacheUSD: 0.356106,
      costWithCacheUSD: 0.30916185,
      readDiscountUSD: 0.1032669,
      writePremiumUSD: 0.05632275,
      netSavingsUSD: 0.04694415,
    });
    close(cacheHitRatioPercent(worked), 33.744177018633);
    close(cachedInputSharePercent(worked), 33.735843065307);
  });

  test.each<[string, TokenCounts, number]>([
    ['10^9 read tokens at $3 − $0.30', { inputTokens: 0, cacheReadInputTokens: 1e9, cacheWriteInputTokens: 0, outputTokens: 0 }, 2700],
    ['10^9 write tokens at $3.75 − $3', { inputTokens: 0, cacheReadInputTokens: 0, cacheWriteInputTokens: 1e9, outputTokens: 0 }, -750],
    ['1 token of each', { inputTokens: 1, cacheReadInputTokens: 1, cacheWriteInputTokens: 1, outputTokens: 1 }, 0.0000027 - 0.00000075],
    [
      '3 x 10^9 mixed',
      { inputTokens: 1e9 + 7, cacheReadInputTokens: 1e9 + 3, cacheWriteInputTokens: 1e9 + 1, outputTokens: 1e9 },
      (1e9 + 3) * 2.7e-6 - (1e9 + 1) * 0.75e-6,
    ],
  ])('net savings stay within 1e-9 USD: %s', (_name, tokens, want) => {
    const d = computeDollars(tokens, sonnet37);
    close(d.netSavingsUSD, want);
    close(d.costWithoutCacheUSD - d.costWithCacheUSD, d.netSavingsUSD);
    close(d.readDiscountUSD - d.writePremiumUSD, d.netSavingsUSD);
  });

  test('picodollar conversion is exact past 2^53 picodollars', () => {
    expect(picoToUsd(123_456_789_012_345_678_901n)).toBe(123456789.01234567);
    expect(picoToUsd(-47_000_000_001n)).toBe(-0.047000000001);
    expect(picoToUsd(0n)).toBe(0);
  });

  test.each<[string, Partial<TokenCounts>, number | null, number | null]>([
    ['no traffic', {}, null, null],
    ['input only', { inputTokens: 100 }, null, 0],
    ['writes only', { cacheWriteInputTokens: 100 }, 0, 0],
    ['reads only', { cacheReadInputTokens: 100 }, 100, 100],
    ['3 reads : 1 write, 4 input', { inputTokens: 4, cacheReadInputTokens: 3, cacheWriteInputTokens: 1 }, 75, 37.5],
  ])('ratios are undefined (null), not 0, when their denominator is 0: %s', (_name, partial, hit, share) => {
    const t = { inputTokens: 0, cacheReadInputTokens: 0, cacheWriteInputTokens: 0, outputTokens: 5, ...partial };
    expect(cacheHitRatioPercent(t)).toBe(hit);
    expect(cachedInputSharePercent(t)).toBe(share);
  });

  test.each<[string, string, '5m' | '1h', number]>([
    ['Claude 5-minute cache', 'anthropic.claude-sonnet-4-20250514-v1:0', '5m', (100 * 0.25) / 1.15],
    ['Claude 1-hour cache', 'global.anthropic.claude-sonnet-4-5-20250929-v1:0', '1h', 100 / 1.9],
    ['Nova (no write premium)', 'amazon.nova-pro-v1:0', '5m', 0],
  ])('break-even hit ratio: %s', (_name, modelId, ttl, want) => {
    const price = resolvePrice({ modelId, cacheWriteTtl: ttl }, {}) as ResolvedPrice;
    close(breakEvenHitRatioPercent(price), want);
  });

  test('net savings change sign exactly at the break-even ratio', () => {
    // 5-minute Claude: 23 reads per 83 writes is 21.69% (< 21.74%), 24 per 83 is 22.4%.
    const at = (read: number) =>
      computeDollars({ inputTokens: 0, cacheReadInputTokens: read, cacheWriteInputTokens: 83, outputTokens: 0 }, sonnet37).netSavingsUSD;
    close(at(23), 23 * 2.7e-6 - 83 * 0.75e-6);
    expect(at(23)).toBeLessThan(0);
    expect(at(24)).toBeGreaterThan(0);
  });

  test('token counts that are not whole non-negative numbers are refused', () => {
    const bad = { ...worked, cacheReadInputTokens: 1.5 };
    expect(() => computeDollars(bad, sonnet37)).toThrow('cacheReadInputTokens must be a non-negative whole number of tokens, got 1.5');
    expect(() => computeDollars({ ...worked, inputTokens: -1 }, sonnet37)).toThrow(
      'inputTokens must be a non-negative whole number of tokens, got -1',
    );
  });
});
