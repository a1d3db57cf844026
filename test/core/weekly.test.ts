import { parseConfig } from '../../lambda/core/config';
import type { TokenCounts } from '../../lambda/core/contract';
import { DAY_MS } from '../../lambda/core/periods';
import { buildWeeklyReport, reviewWindows, type DailyUsage } from '../../lambda/core/weekly';

const END = Date.UTC(2026, 10, 23); // Monday 2026-11-23T00:00Z
const windows = reviewWindows(END, 7);
const t = (input: number, read: number, write: number, output = 0): TokenCounts => ({
  inputTokens: input,
  cacheReadInputTokens: read,
  cacheWriteInputTokens: write,
  outputTokens: output,
});
const IMPROVING = 'us.anthropic.claude-3-7-sonnet-20250219-v1:0';
const REGRESSING = 'anthropic.claude-sonnet-4-20250514-v1:0';
const MISCONFIGURED = 'eu.anthropic.claude-3-5-haiku-20241022-v1:0';
const UNPRICED = 'us.meta.llama3-3-70b-instruct-v1:0';
const NOT_ENABLED = 'amazon.nova-pro-v1:0';

/** 14 days: the previous window (days 0–6) and the current one (days 7–13). */
function days(modelId: string, previous: TokenCounts, current: TokenCounts): DailyUsage[] {
  return Array.from({ length: 14 }, (_, i) => ({ modelId, dayStartMs: END - (14 - i) * DAY_MS, tokens: i < 7 ? previous : current }));
}

const config = parseConfig(
  {
    models: [
      { modelId: IMPROVING, displayName: 'support-bot' },
      { modelId: REGRESSING, displayName: 'code-review' },
    ],
  },
  'test',
);
const daily = [
  ...days(IMPROVING, t(100, 500, 500), t(100, 900, 100)),
  ...days(REGRESSING, t(100, 900, 100), t(100, 100, 900)),
  ...days(MISCONFIGURED, t(10, 0, 2000), t(10, 0, 2000)),
  ...days(UNPRICED, t(500, 0, 0, 50), t(500, 0, 0, 50)),
  // 2M uncached Nova Pro input tokens a day: 14M a week x ($0.80 - $0.20)/MTok = $8.40 left on the table.
  ...days(NOT_ENABLED, t(2_000_000, 0, 0), t(2_000_000, 0, 0)),
];
const report = buildWeeklyReport(daily, windows, config);
const row = (id: string) => report.models.find((r) => r.modelId === id)!;

describe('weekly review', () => {
  test('windows: the 7 days before END and the 7 before those', () => {
    expect(windows).toEqual({
      current: { startMs: Date.UTC(2026, 10, 16), endMs: END, days: 7 },
      previous: { startMs: Date.UTC(2026, 10, 9), endMs: Date.UTC(2026, 10, 16), days: 7 },
    });
  });

  test('per-model figures of this week, last week and the change', () => {
    const r = row(IMPROVING);
    // This week: 7 x (900 reads, 100 writes) = 90%; last week 50%: +40 points.
    expect([r.cacheHitRatioPercent, r.previous.cacheHitRatioPercent, r.change.cacheHitRatioPoints]).toEqual([90, 50, 40]);
    const net = 7 * (900 * 2.7e-6 - 100 * 0.75e-6);
    const before = 7 * (500 * 2.7e-6 - 500 * 0.75e-6);
    expect(Math.abs((r.netSavingsUSD as number) - net)).toBeLessThan(1e-12);
    expect(Math.abs((r.change.netSavingsUSD as number) - (net - before))).toBeLessThan(1e-12);
    expect(Math.abs((r.change.netSavingsPercent as number) - (100 * (net - before)) / before)).toBeLessThan(1e-9);
    expect([
      row(REGRESSING).change.cacheHitRatioPoints,
      row(UNPRICED).change.netSavingsUSD,
      row(UNPRICED).change.netSavingsPercent,
    ]).toEqual([-80, null, null]);
  });

  test('needs attention: misconfigured, a hit-ratio drop over 10 points, money left on the table, unpriced traffic', () => {
    expect(report.attention.map((a) => [a.reason, a.modelId, a.message])).toEqual([
      ['hit-ratio-drop', REGRESSING, 'code-review: hit ratio fell 80.0 points, from 90.0% to 10.0%'],
      [
        'money-left-on-table',
        NOT_ENABLED,
        `${NOT_ENABLED}: 14,000,000 uncached input tokens and no caching: up to $8.40 left on the table at the cache-read price`,
      ],
      [
        'misconfigured',
        MISCONFIGURED,
        `${MISCONFIGURED}: 14,000 cache-write tokens and no reads: the cached prefix never matches (write premium $0.0028 for nothing)`,
      ],
      ['unpriced', UNPRICED, `${UNPRICED}: 3,850 tokens with no known price, left out of the dollars; add it to pricing or set priceAs`],
    ]);
    expect(Math.abs((report.attention.find((a) => a.reason === 'money-left-on-table')!.estimatedUSD as number) - 8.4)).toBeLessThan(1e-9);
    expect(Math.abs((report.attention.find((a) => a.reason === 'misconfigured')!.estimatedUSD as number) - 14000 * 0.2e-6)).toBeLessThan(
      1e-12,
    );
  });

  test('a drop of exactly 10 points and money left under $1 are not flagged', () => {
    const quiet = buildWeeklyReport(
      [...days(IMPROVING, t(0, 60, 40), t(0, 50, 50)), ...days(NOT_ENABLED, t(100_000, 0, 0), t(100_000, 0, 0))],
      windows,
      config,
    );
    expect(quiet.attention).toEqual([]);
  });

  test('daily series for the chart: net savings per model per day and the token-weighted hit ratio', () => {
    expect(report.daily.days).toEqual(Array.from({ length: 7 }, (_, i) => Date.UTC(2026, 10, 16 + i)));
    expect(report.daily.models.map((m) => m.label)).toEqual(['support-bot', 'code-review', NOT_ENABLED, MISCONFIGURED, UNPRICED]);
    expect(report.daily.models[4].netSavingsUSD).toEqual(Array(7).fill(null));
    // Σ read / Σ (read + write) over all models each day: (900 + 100) / (900 + 100 + 100 + 900 + 2000).
    expect(report.daily.cacheHitRatioPercent).toEqual(Array(7).fill(25));
  });

  test('a model busy last week and silent this week keeps its row, idle', () => {
    const r = buildWeeklyReport(
      days(IMPROVING, t(100, 500, 500), t(0, 0, 0)).filter((d) => d.dayStartMs < windows.current.startMs),
      windows,
      parseConfig({}, 'x'),
    );
    expect(r.models.map((m) => [m.modelId, m.status, m.previous.status])).toEqual([[IMPROVING, 'idle', 'optimized']]);
  });
});
