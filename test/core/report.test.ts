import { parseConfig } from '../../lambda/core/config';
import type { TokenCounts } from '../../lambda/core/contract';
import { buildReport, MODEL_STATUSES, modelStatus, type ModelStatus } from '../../lambda/core/report';
import { STATUS_LEGEND } from '../../lambda/core/report-format';
import type { Dollars } from '../../lambda/core/savings';

const tokens = (input: number, read: number, write: number, output: number): TokenCounts => ({
  inputTokens: input,
  cacheReadInputTokens: read,
  cacheWriteInputTokens: write,
  outputTokens: output,
});
const dollars = (net: number): Dollars => ({
  costWithCacheUSD: 1,
  costWithoutCacheUSD: 1 + net,
  readDiscountUSD: 0,
  writePremiumUSD: 0,
  netSavingsUSD: net,
});

describe('model status: the first rule that applies', () => {
  test.each<[string, ModelStatus, TokenCounts, Dollars | null]>([
    ['no tokens at all, even unpriced', 'idle', tokens(0, 0, 0, 0), null],
    ['no tokens at all, priced', 'idle', tokens(0, 0, 0, 0), dollars(0)],
    ['output only is traffic', 'not-enabled', tokens(0, 0, 0, 1), dollars(0)],
    ['unpriced beats misconfigured', 'unpriced', tokens(10, 0, 500, 5), null],
    ['writes without reads', 'misconfigured', tokens(10, 0, 1, 5), dollars(-1)],
    ['no cache traffic', 'not-enabled', tokens(10, 0, 0, 5), dollars(0)],
    ['hit ratio just below 50%', 'underutilized', tokens(0, 4999, 5001, 0), dollars(1)],
    ['hit ratio exactly 50%', 'optimized', tokens(0, 5000, 5000, 0), dollars(1)],
    ['ratio above target but losing money', 'losing-money', tokens(0, 90, 10, 0), dollars(-0.000001)],
    ['ratio below target and losing money', 'losing-money', tokens(0, 10, 90, 0), dollars(-1)],
    ['misconfigured beats losing money', 'misconfigured', tokens(0, 0, 90, 0), dollars(-1)],
    ['ratio above target and net zero', 'optimized', tokens(0, 90, 10, 0), dollars(0)],
    ['reads only', 'optimized', tokens(1, 1, 0, 0), dollars(0.1)],
  ])('%s → %s', (_name, want, t, d) => {
    expect(modelStatus(t, d, 50)).toBe(want);
  });

  test.each<[number, ModelStatus]>([
    [80, 'underutilized'],
    [75, 'optimized'],
    [0, 'optimized'],
    [100, 'underutilized'],
  ])('threshold %d%% with a 75%% hit ratio → %s', (threshold, want) => {
    expect(modelStatus(tokens(0, 75, 25, 0), dollars(1), threshold)).toBe(want);
  });
});

test('the statuses in the order their rules apply, each with a legend line', () => {
  expect(MODEL_STATUSES).toEqual(['idle', 'unpriced', 'misconfigured', 'not-enabled', 'losing-money', 'underutilized', 'optimized']);
  expect(Object.keys(STATUS_LEGEND).sort()).toEqual([...MODEL_STATUSES].sort());
});

describe('buildReport', () => {
  const config = parseConfig(
    {
      models: [
        { modelId: 'us.anthropic.claude-3-7-sonnet-20250219-v1:0', displayName: 'support-bot' },
        {
          modelId: 'arn:aws:bedrock:us-east-1:1:application-inference-profile/idle',
          displayName: 'quiet',
          priceAs: 'anthropic.claude-3-5-haiku-20241022-v1:0',
        },
        { modelId: 'anthropic.claude-sonnet-4-20250514-v1:0', minHitRatioPercent: 90 },
      ],
      report: { minHitRatioPercent: 20 },
    },
    'test',
  );
  const report = buildReport(
    [
      { modelId: 'zz.unknown-model', tokens: tokens(100, 200, 300, 400) },
      { modelId: 'us.anthropic.claude-3-7-sonnet-20250219-v1:0', tokens: tokens(9, 0, 37209, 357) },
      { modelId: 'anthropic.claude-sonnet-4-20250514-v1:0', tokens: tokens(0, 80, 20, 0) },
      { modelId: 'us.anthropic.claude-3-7-sonnet-20250219-v1:0', tokens: tokens(19, 38247, 37888, 709) },
      { modelId: 'amazon.nova-pro-v1:0', tokens: tokens(1000, 0, 0, 10) },
    ],
    config,
  );

  test('configured models first in config order, then discovered ones by id; same ids summed', () => {
    expect(report.models.map((r) => [r.modelId, r.displayName, r.status])).toEqual([
      ['us.anthropic.claude-3-7-sonnet-20250219-v1:0', 'support-bot', 'optimized'],
      ['arn:aws:bedrock:us-east-1:1:application-inference-profile/idle', 'quiet', 'idle'],
      ['anthropic.claude-sonnet-4-20250514-v1:0', undefined, 'underutilized'],
      ['amazon.nova-pro-v1:0', undefined, 'not-enabled'],
      ['zz.unknown-model', undefined, 'unpriced'],
    ]);
    expect(report.models[0]).toMatchObject({
      inputTokens: 28,
      cacheReadInputTokens: 38247,
      cacheWriteInputTokens: 75097,
      outputTokens: 1066,
      netSavingsUSD: 0.04694415,
    });
  });

  test('unpriced rows keep tokens and ratios, null dollars and price source', () => {
    expect(report.models[4]).toEqual({
      modelId: 'zz.unknown-model',
      inputTokens: 100,
      cacheReadInputTokens: 200,
      cacheWriteInputTokens: 300,
      outputTokens: 400,
      cacheHitRatioPercent: 40,
      cachedInputSharePercent: (100 * 200) / 600,
      costWithCacheUSD: null,
      costWithoutCacheUSD: null,
      readDiscountUSD: null,
      writePremiumUSD: null,
      netSavingsUSD: null,
      priceSource: null,
      status: 'unpriced',
    });
  });

  test('totals: every token, dollars of priced models only, unpriced tokens counted', () => {
    const sonnet4Net = 80 * 2.7e-6 - 20 * 0.75e-6;
    const novaWithout = 1000 * 0.8e-6 + 10 * 3.2e-6;
    const t = report.totals;
    expect([t.inputTokens, t.cacheReadInputTokens, t.cacheWriteInputTokens, t.outputTokens, t.unpricedTokens]).toEqual([
      1128, 38527, 75417, 1476, 1000,
    ]);
    expect(Math.abs(t.netSavingsUSD - (0.04694415 + sonnet4Net))).toBeLessThan(1e-12);
    expect(Math.abs(t.costWithoutCacheUSD - (0.356106 + 100 * 3e-6 + novaWithout))).toBeLessThan(1e-12);
    expect(t.cacheHitRatioPercent).toBe((100 * 38527) / (38527 + 75417));
    expect(t.cachedInputSharePercent).toBe((100 * 38527) / (1128 + 38527 + 75417));
  });

  test('an empty usage list gives idle rows for configured models and zero totals', () => {
    const empty = buildReport([], config);
    expect(empty.models.map((r) => r.status)).toEqual(['idle', 'idle', 'idle']);
    expect(empty.totals).toEqual({
      inputTokens: 0,
      cacheReadInputTokens: 0,
      cacheWriteInputTokens: 0,
      outputTokens: 0,
      cacheHitRatioPercent: null,
      cachedInputSharePercent: null,
      costWithCacheUSD: 0,
      costWithoutCacheUSD: 0,
      readDiscountUSD: 0,
      writePremiumUSD: 0,
      netSavingsUSD: 0,
      unpricedTokens: 0,
    });
  });
});
