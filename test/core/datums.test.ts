/**
 * The alarm-ready per-model series of one period (lambda/core/datums.ts): each model's own threshold and volume guard
 * already in the value, so that a Metrics Insights fleet alarm with one static threshold can read every model at once.
 * Pure: periodDatums on hand-made token counts, every expected value worked out by hand below.
 */
import { parseConfig, type ConfigInput } from '../../lambda/core/config';
import type { TokenCounts } from '../../lambda/core/contract';
import { periodDatums, type Datum } from '../../lambda/core/datums';
import { HOUR_MS } from '../../lambda/core/periods';

const P = Date.UTC(2026, 10, 20, 10);
/** Claude 3.7 Sonnet via us. (catalog, 5-minute cache): $3 input, $3.75 write, $0.30 read per MTok; break-even 0.75 / 3.45 = 21.739…%. */
const SONNET = 'us.anthropic.claude-3-7-sonnet-20250219-v1:0';
/** Claude Sonnet 4.5 via global. (listed price, 1-hour cache): $3 input, $6 write, $0.30 read; break-even 3 / 5.7 = 52.631…%. */
const SONNET45 = 'global.anthropic.claude-sonnet-4-5-20250929-v1:0';
/** Claude Haiku 4.5 via global.: $1 input, $1.25 write, $0.10 read; break-even 0.25 / 1.15 = 21.739…%. Never configured below. */
const HAIKU = 'global.anthropic.claude-haiku-4-5-20251001-v1:0';
/** No price known. */
const LLAMA = 'us.meta.llama3-3-70b-instruct-v1:0';

/** Above every default guard: 100,000 cache tokens (≥ 50,000), 20,000 writes (≥ 20,000); hit ratio 80 %. */
const BUSY: TokenCounts = { inputTokens: 1000, cacheReadInputTokens: 80_000, cacheWriteInputTokens: 20_000, outputTokens: 500 };
/** Below every default guard: 8,000 cache tokens, 2,000 writes. */
const QUIET: TokenCounts = { inputTokens: 2000, cacheReadInputTokens: 6000, cacheWriteInputTokens: 2000, outputTokens: 1000 };

const WWR = 'WritesWithoutReadsTokens';
const MARGIN = 'AlarmHitRatioMarginPoints';
const USD_H = 'AlarmNetSavingsUSDPerHour';
const ALARM_READY = new Set([WWR, MARGIN, USD_H]);

/** One model's alarm-ready datums of the period, in put order, as [metric, value] (a value within 1e-9 of `want` shows as want's). */
function alarmReady(datums: readonly Datum[], modelId: string, want: Record<string, number>): [string, number][] {
  return datums
    .filter((d) => d.modelId === modelId && ALARM_READY.has(d.metricName))
    .map((d) => [d.metricName, Math.abs(d.value - (want[d.metricName] ?? NaN)) < 1e-9 ? want[d.metricName] : d.value]);
}

// [case, config, model, its tokens in the period, its alarm-ready datums in put order (none: {})]
const CASES: [string, ConfigInput, string, TokenCounts, Record<string, number>][] = [
  [
    // Threshold max(50, 21.74 + 10) = 50: margin 80 − 50. Net 80,000 × 2.7 − 20,000 × 0.75 = 0.216 − 0.015 per MTok-dollar.
    '5-minute Claude above every guard: margin = hit − 50, net savings an hour',
    { models: [{ modelId: SONNET }] },
    SONNET,
    BUSY,
    { [WWR]: 0, [MARGIN]: 30, [USD_H]: 0.201 },
  ],
  [
    // Threshold 52.631578947368421 + 10 (above 50): margin 80 − 62.631578947368421. Net 0.216 − 20,000 × (6 − 3) / 1e6.
    '1-hour Claude: threshold = break-even + 10',
    { models: [{ modelId: SONNET45, cacheWriteTtl: '1h' }] },
    SONNET45,
    BUSY,
    { [WWR]: 0, [MARGIN]: 17.368421052631579, [USD_H]: 0.156 },
  ],
  [
    // Threshold max(50, 21.739130434782609 + 40) = 61.739130434782609.
    '5-minute Claude, 40 points above break-even: the break-even term wins',
    { models: [{ modelId: SONNET }], alarms: { lowHitRatio: { breakEvenMarginPoints: 40 } } },
    SONNET,
    BUSY,
    { [WWR]: 0, [MARGIN]: 18.260869565217391, [USD_H]: 0.201 },
  ],
  [
    'unpriced: margin against thresholdPercent alone (no break-even term even at 40 points), no dollars an hour',
    { models: [{ modelId: LLAMA }], alarms: { lowHitRatio: { breakEvenMarginPoints: 40 } } },
    LLAMA,
    BUSY,
    { [WWR]: 0, [MARGIN]: 30 },
  ],
  [
    '15-minute periods: the period net savings × 4',
    { models: [{ modelId: SONNET }], publisher: { periodMinutes: 15 } },
    SONNET,
    BUSY,
    { [WWR]: 0, [MARGIN]: 30, [USD_H]: 0.804 },
  ],
  ['below every default guard: none of the three', { models: [{ modelId: SONNET }] }, SONNET, QUIET, {}],
  [
    'one token short of the low-hit guard (100,001 cache tokens): no margin',
    { models: [{ modelId: SONNET, alarms: { lowHitRatio: { minCacheTokens: 100_001 } } }] },
    SONNET,
    BUSY,
    { [WWR]: 0, [USD_H]: 0.201 },
  ],
  [
    'exactly at the low-hit guard (100,000 cache tokens): a margin',
    { models: [{ modelId: SONNET, alarms: { lowHitRatio: { minCacheTokens: 100_000 } } }] },
    SONNET,
    BUSY,
    { [WWR]: 0, [MARGIN]: 30, [USD_H]: 0.201 },
  ],
  [
    'one token short of the caching-costs-money guard: no dollars an hour',
    { models: [{ modelId: SONNET, alarms: { cachingCostsMoney: { minCacheTokens: 100_001 } } }] },
    SONNET,
    BUSY,
    { [WWR]: 0, [MARGIN]: 30 },
  ],
  [
    'one token short of the writes-without-reads guard (20,001 writes): no writes-without-reads datum',
    { models: [{ modelId: SONNET, alarms: { writesWithoutReads: { minWriteTokens: 20_001 } } }] },
    SONNET,
    BUSY,
    { [MARGIN]: 30, [USD_H]: 0.201 },
  ],
  [
    // 30,000 cache tokens: below the 50,000 of both other guards.
    'writes without a read, above its guard: the write tokens',
    { models: [{ modelId: SONNET }] },
    SONNET,
    { inputTokens: 10, cacheReadInputTokens: 0, cacheWriteInputTokens: 30_000, outputTokens: 5 },
    { [WWR]: 30_000 },
  ],
  [
    'writes with a single read, above its guard: 0',
    { models: [{ modelId: SONNET }] },
    SONNET,
    { inputTokens: 10, cacheReadInputTokens: 1, cacheWriteInputTokens: 30_000, outputTokens: 5 },
    { [WWR]: 0 },
  ],
  [
    // Hit ratio 0 − 50; net −100,000 × 0.75 / 1e6.
    'writes without a read, above every guard: all three, the margin and the dollars negative',
    { models: [{ modelId: SONNET }] },
    SONNET,
    { inputTokens: 10, cacheReadInputTokens: 0, cacheWriteInputTokens: 100_000, outputTokens: 5 },
    { [WWR]: 100_000, [MARGIN]: -50, [USD_H]: -0.075 },
  ],
  [
    'precise mode: none of the three (its own alarms read the raw AWS/Bedrock Sums)',
    { models: [{ modelId: SONNET, alarms: { mode: 'precise' } }] },
    SONNET,
    BUSY,
    {},
  ],
  [
    'caching-costs-money off for the model: the other two',
    { models: [{ modelId: SONNET, alarms: { cachingCostsMoney: { enabled: false } } }] },
    SONNET,
    BUSY,
    { [WWR]: 0, [MARGIN]: 30 },
  ],
  [
    'low hit ratio off in the section: the other two',
    { models: [{ modelId: SONNET }], alarms: { lowHitRatio: { enabled: false } } },
    SONNET,
    BUSY,
    { [WWR]: 0, [USD_H]: 0.201 },
  ],
  ['alarms off for the model: none', { models: [{ modelId: SONNET, alarms: { enabled: false } }] }, SONNET, BUSY, {}],
  ['alarms off for the whole config: none', { models: [{ modelId: SONNET }], alarms: { enabled: false } }, SONNET, BUSY, {}],
  [
    // The section's 70 % (a configured model's own 40 does not carry over); its writes-without-reads family is off.
    // Net 80,000 × 0.9 − 20,000 × 0.25, per MTok.
    "a discovered model: the section's settings, in fleet mode",
    {
      models: [{ modelId: SONNET, alarms: { lowHitRatio: { thresholdPercent: 40 }, mode: 'precise' } }],
      alarms: { lowHitRatio: { thresholdPercent: 70 }, writesWithoutReads: { enabled: false } },
    },
    HAIKU,
    BUSY,
    { [MARGIN]: 10, [USD_H]: 0.067 },
  ],
];

describe('alarm-ready series per model', () => {
  test.each(CASES)('%s', (_name, input, modelId, tokens, want) => {
    const config = parseConfig(input, 'test');
    const { datums } = periodDatums(P, new Map([[modelId, tokens]]), [modelId], config);
    expect(alarmReady(datums, modelId, want)).toEqual(Object.entries(want));
  });

  test("one period's datums in put order: all models, each model (its alarm-ready series after its others), the heartbeat", () => {
    const config = parseConfig(
      {
        models: [
          { modelId: SONNET45, cacheWriteTtl: '1h', alarms: { mode: 'precise' } },
          { modelId: SONNET, alarms: { writesWithoutReads: { minWriteTokens: 25_000 } } },
        ],
      },
      'test',
    );
    const usage = new Map([
      [SONNET, BUSY],
      [SONNET45, BUSY],
      [HAIKU, { inputTokens: 3, cacheReadInputTokens: 0, cacheWriteInputTokens: 21_000, outputTokens: 1 }],
    ]);
    const { datums } = periodDatums(P, usage, [SONNET45, SONNET, HAIKU], config);
    const at = new Set(datums.map((d) => d.timestampMs));
    expect(at).toEqual(new Set([P]));
    // Dollars are checked above; here the series, their units and the token-count values.
    expect(datums.map((d) => [d.metricName, d.modelId ?? '-', d.unit])).toEqual([
      ['CacheHitRatio', '-', 'Percent'],
      ['NetSavingsUSD', '-', 'None'],
      ['CostWithCacheUSD', '-', 'None'],
      ['CostWithoutCacheUSD', '-', 'None'],
      ['UnpricedTokens', '-', 'Count'],
      ['CacheReadTokens', '-', 'Count'],
      ['CacheWriteTokens', '-', 'Count'],
      ['WritesWithoutReadsTokens', '-', 'Count'],
      ['CacheHitRatio', SONNET45, 'Percent'],
      ['NetSavingsUSD', SONNET45, 'None'],
      ['CostWithCacheUSD', SONNET45, 'None'],
      ['CostWithoutCacheUSD', SONNET45, 'None'],
      ['CacheHitRatio', SONNET, 'Percent'],
      ['NetSavingsUSD', SONNET, 'None'],
      ['CostWithCacheUSD', SONNET, 'None'],
      ['CostWithoutCacheUSD', SONNET, 'None'],
      ['AlarmHitRatioMarginPoints', SONNET, 'None'],
      ['AlarmNetSavingsUSDPerHour', SONNET, 'None'],
      ['CacheHitRatio', HAIKU, 'Percent'],
      ['NetSavingsUSD', HAIKU, 'None'],
      ['CostWithCacheUSD', HAIKU, 'None'],
      ['CostWithoutCacheUSD', HAIKU, 'None'],
      ['WritesWithoutReadsTokens', HAIKU, 'Count'],
      ['PublishedPeriods', '-', 'Count'],
    ]);
    const value = (metric: string, modelId?: string) => datums.find((d) => d.metricName === metric && d.modelId === modelId)?.value;
    // All models keeps its meaning, no guard: the writes of every model's period without a read (Haiku's 21,000).
    expect([value(WWR), value(WWR, HAIKU), value('CacheWriteTokens'), value('CacheReadTokens')]).toEqual([21_000, 21_000, 61_000, 160_000]);
  });

  test('a model without traffic in the period: none of the three, whatever its guards', () => {
    const config = parseConfig(
      {
        models: [{ modelId: SONNET }],
        alarms: { lowHitRatio: { minCacheTokens: 1 }, writesWithoutReads: { minWriteTokens: 1 }, cachingCostsMoney: { minCacheTokens: 1 } },
      },
      'test',
    );
    const { datums } = periodDatums(P, new Map(), [SONNET], config);
    expect(alarmReady(datums, SONNET, {})).toEqual([]);
    // The next period with one cache token read: each guard of 1 is met.
    const next = periodDatums(
      P + HOUR_MS,
      new Map([[SONNET, { ...QUIET, cacheReadInputTokens: 1, cacheWriteInputTokens: 0 }]]),
      [SONNET],
      config,
    );
    // Hit ratio 100 − 50; net 1 × 2.7 / 1e6; no write, so no writes-without-reads datum (0 < 1).
    expect(alarmReady(next.datums, SONNET, { [MARGIN]: 50, [USD_H]: 0.0000027 })).toEqual([
      [MARGIN, 50],
      [USD_H, 0.0000027],
    ]);
  });
});
