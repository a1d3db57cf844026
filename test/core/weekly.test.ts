import { parseConfig } from '../../lambda/core/config';
import type { TokenCounts } from '../../lambda/core/contract';
import { DAY_MS } from '../../lambda/core/periods';
import { shortDay } from '../../lambda/core/human-numbers';
import { buildWeeklyReport, reviewWindows, type DailyUsage, type WeeklyReport } from '../../lambda/core/weekly';
import { digestSubject, renderWeeklyDigest, renderWeeklyMarkdown, weeklyHeadline, weeklyTakeaway } from '../../lambda/core/weekly-format';

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
const LOSING = 'anthropic.claude-3-5-haiku-20241022-v1:0';
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
  // 90% → 50%: a drop of 40 points, still above break-even.
  ...days(REGRESSING, t(100, 900, 100), t(100, 500, 500)),
  // 90% → 10%: below Claude 3.5 Haiku's 21.7% break-even, losing money.
  ...days(LOSING, t(0, 900, 100), t(0, 100, 900)),
  ...days(MISCONFIGURED, t(10, 0, 2000), t(10, 0, 2000)),
  ...days(UNPRICED, t(500, 0, 0, 50), t(500, 0, 0, 50)),
  // 2M uncached Nova Pro input tokens a day: 14M a week x ($0.80 - $0.20)/MTok = $8.40 left on the table.
  ...days(NOT_ENABLED, t(2_000_000, 0, 0), t(2_000_000, 0, 0)),
];
const report = buildWeeklyReport(daily, windows, config);
/** Rounded to 9 decimals: float sums compared exactly. */
const close = (values: readonly (number | null)[]) => values.map((v) => (v === null ? null : Number(v.toFixed(9))));
const models = (r: WeeklyReport) => r.models.map((m) => [m.modelId, m.status, m.breakEvenHitRatioPercent]);
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
    ]).toEqual([-40, null, null]);
    expect(models(report)).toEqual([
      [IMPROVING, 'optimized', 21.73913043478261],
      [REGRESSING, 'optimized', 21.73913043478261],
      [NOT_ENABLED, 'not-enabled', 0],
      [LOSING, 'losing-money', 21.73913043478261],
      [MISCONFIGURED, 'misconfigured', 21.73913043478261],
      [UNPRICED, 'unpriced', null],
    ]);
  });

  test('needs attention, largest at stake a week first: since when, still open from last week or not', () => {
    expect(
      report.attention.map((a) => [a.reason, a.modelId, a.title, a.sinceMs === null ? null : shortDay(a.sinceMs), a.stillOpen]),
    ).toEqual([
      ['money-left-on-table', NOT_ENABLED, 'nova-pro: up to $8.40 a week left on the table', '11-09', true],
      ['hit-ratio-drop', REGRESSING, 'code-review: $0.0097 a week at stake', '11-16', false],
      ['losing-money', LOSING, 'claude-3-5-haiku: $0.0052 a week at stake', '11-16', false],
      ['misconfigured', MISCONFIGURED, 'eu.claude-3-5-haiku: $0.0028 a week at stake', '11-09', true],
      ['unpriced', UNPRICED, 'us.llama3-3-70b-instruct: 3.9 k tokens this week with no known price', '11-09', true],
    ]);
    const a = (reason: string) => report.attention.find((x) => x.reason === reason)!;
    // 14 M uncached input tokens a week x ($0.80 - $0.20)/MTok: $8.40 a week, $1.20 a day.
    expect(
      close([a('money-left-on-table').estimatedUSD, a('money-left-on-table').perDayUSD, a('money-left-on-table').atStakePerWeekUSD]),
    ).toEqual([8.4, 1.2, 8.4]);
    // Now 0.000975 a day, before 0.002355: 7 x the difference.
    expect(close([a('hit-ratio-drop').beforePerDayUSD, a('hit-ratio-drop').perDayUSD, a('hit-ratio-drop').atStakePerWeekUSD])).toEqual([
      0.002355, 0.00138, 0.00966,
    ]);
    // Loses 100 x $0.72 - 900 x $0.20 per MTok = $0.000108 a day, saved $0.000628 before.
    expect(close([a('losing-money').perDayUSD, a('losing-money').beforePerDayUSD, a('losing-money').atStakePerWeekUSD])).toEqual([
      0.000108, 0.000628, 0.005152,
    ]);
    expect(close([a('misconfigured').estimatedUSD, a('misconfigured').perDayUSD])).toEqual([0.0028, 0.0004]);
    expect(a('hit-ratio-drop').detail).toBe(
      'Hit ratio -40.0 pts since 11-16, from 90.0% to 50.0%; caching still saves $0.00098 a day, down from $0.0024. Find what changed in the cached prefix.',
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

  test('daily series for the chart: net savings and hit ratio per model per day, the break-even, the totals', () => {
    expect(report.daily.days).toEqual(Array.from({ length: 7 }, (_, i) => Date.UTC(2026, 10, 16 + i)));
    expect(report.daily.models.map((m) => m.label)).toEqual([
      'support-bot',
      'code-review',
      'nova-pro',
      'claude-3-5-haiku',
      'eu.claude-3-5-haiku',
      'us.llama3-3-70b-instruct',
    ]);
    expect(report.daily.models[5].netSavingsUSD).toEqual(Array(7).fill(null));
    expect(report.daily.models[1].cacheHitRatioPercent).toEqual(Array(7).fill(50));
    // Σ read / Σ (read + write) over all models each day: (900 + 500 + 100) / (1000 + 1000 + 1000 + 2000).
    expect(report.daily.cacheHitRatioPercent).toEqual(Array(7).fill(30));
    // A day: support-bot 0.002355 + code-review 0.000975 - Haiku 0.000108 - eu. Haiku 0.0004 (writes only); Nova 0.
    expect(close(report.daily.netSavingsUSD)).toEqual(Array(7).fill(0.002822));
    // The same every day: no change mid-week, the rate now is the week's.
    expect({ ...report.trend, perDayNowUSD: close([report.trend.perDayNowUSD])[0] }).toEqual({
      changedAtMs: null,
      perDayNowUSD: 0.002822,
      perDayBeforeUSD: null,
      mainModel: null,
    });
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

/** One model, one day: `tokens(day)` for each of the 14 days (0–6 the previous window, 7–13 this one). */
const series = (modelId: string, tokens: (day: number) => TokenCounts): DailyUsage[] =>
  Array.from({ length: 14 }, (_, i) => ({ modelId, dayStartMs: END - (14 - i) * DAY_MS, tokens: tokens(i) }));
const M = 1_000_000;
const codeReview = parseConfig({ models: [{ modelId: IMPROVING, displayName: 'code-review' }] }, 'test');

describe('a mid-week regression: saving, then losing from 11-19', () => {
  // Sonnet 3.7 ($3 in, $3.75 write, $0.30 read): 9 M reads and 1 M writes a day save $23.55; 11-19, the day of the change,
  // 2 M and 8 M lose $0.60; after it 1 M and 9 M lose $4.05 a day. Without cache: 10 M x $3 = $30 a day.
  const r = buildWeeklyReport(
    series(IMPROVING, (i) => (i < 10 ? t(0, 9 * M, M) : i === 10 ? t(0, 2 * M, 8 * M) : t(0, M, 9 * M))),
    windows,
    codeReview,
  );

  test('the model: the action leads, since the day of the change, at the rate after it', () => {
    expect(r.attention.map((a) => [a.reason, a.message])).toEqual([
      [
        'losing-money',
        'code-review: $193.20 a week at stake. Caching loses $4.05 a day since 11-19, after saving $23.55 a day before; hit ratio 10.0% against a break-even of 21.7%. Find what changed in the cached prefix, or stop caching it.',
      ],
    ]);
    // Over the week it still saves money (3 x 23.55 - 0.60 - 3 x 4.05) with a 45.7% hit ratio: underutilized.
    expect([r.models[0].status, Number((r.models[0].netSavingsUSD as number).toFixed(9))]).toEqual(['underutilized', 57.9]);
  });

  test('the headline: the week, its share, last week, and the rate a day now', () => {
    expect(weeklyHeadline(r)).toBe(
      'Caching saved $57.90 net this week (27.6% of the cost without cache), down $106.95 (-64.9%) from $164.85 last week. Since 11-19 caching loses $4.05 a day, after saving $23.55 a day before.',
    );
    expect([weeklyTakeaway(r), digestSubject(r)]).toEqual([
      'Caching lost $4.05/day since 11-19 (code-review)',
      'Prompt caching saved $57.90 net, 2026-11-16 to 2026-11-22; losing $4.05/day since 11-19',
    ]);
  });

  test('the digest, exactly', () => {
    expect(renderWeeklyDigest(r, { dashboardUrl: 'https://console.example/cost-review' })).toBe(
      [
        'Prompt cache weekly review, 2026-11-16 to 2026-11-22',
        '',
        'ACTIONS',
        `1. ${r.attention[0].message}`,
        '',
        weeklyHeadline(r),
        'Hit ratio 45.7% (-44.3 pts against last week); 32 M cache-read and 38 M cache-write tokens.',
        '',
        'Cost-review dashboard: https://console.example/cost-review',
        '',
        'PER MODEL',
        '  code-review [underutilized]: saved $57.90, -$106.95 (-64.9%) against last week; hit ratio 45.7% (-44.3 pts), break-even 21.7%',
        '',
        'MODEL IDS',
        `  code-review: ${IMPROVING}`,
        '',
      ].join('\n'),
    );
  });

  test('the markdown leads with the actions, then the headline; no link without a URL', () => {
    const md = renderWeeklyMarkdown(r).split('\n');
    expect(md.slice(0, 9)).toEqual([
      '# Prompt cache weekly review: 2026-11-16 to 2026-11-22',
      '',
      '## Actions',
      '',
      `1. **code-review: $193.20 a week at stake.** ${r.attention[0].detail}`,
      '',
      '**Caching saved $57.90 net this week** (27.6% of the cost without cache), down $106.95 (-64.9%) from $164.85 last week. **Since 11-19 caching loses $4.05 a day**, after saving $23.55 a day before.',
      '',
      'Hit ratio 45.7% (-44.3 pts against last week); 32 M cache-read and 38 M cache-write tokens.',
    ]);
    expect(md).toContain('| code-review | underutilized | 45.7% | 21.7% | -44.3 pts | $210.00 | $152.10 | $57.90 | -$106.95 (-64.9%) |');
    expect(md.filter((l) => l.includes('dashboard'))).toEqual([]);
  });
});

describe('an item open two weeks says so', () => {
  const r = buildWeeklyReport(
    [
      // Writes and never a read, all 14 days: 1 M writes x $0.75/MTok of premium a day.
      ...series(MISCONFIGURED, () => t(0, 0, M)),
      // Losing since 11-12, in the previous window: 1 M reads and 9 M writes a day, after 9 M and 1 M.
      ...series(REGRESSING, (i) => (i < 3 ? t(0, 9 * M, M) : t(0, M, 9 * M))),
    ],
    windows,
    config,
  );

  test('still open from last week, with the first day seen (or earlier when it is the first day read)', () => {
    expect(r.attention.map((a) => a.message)).toEqual([
      'code-review: $193.20 a week at stake. Caching loses $4.05 a day since 11-12 (still open from last week), after saving $23.55 a day before; hit ratio 10.0% against a break-even of 21.7%. Find what changed in the cached prefix, or stop caching it.',
      'eu.claude-3-5-haiku: $1.40 a week at stake. It writes its cache and never reads it since 11-09 or earlier (still open from last week): $0.20 a day of write premium for nothing (7 M cache-write tokens this week). Make the prompt before the cache point identical across calls, or stop caching it.',
    ]);
    expect(r.attention.map((a) => a.stillOpen)).toEqual([true, true]);
  });
});

describe('sign changes: no percentage across them, "lost" rather than "saved -$"', () => {
  // Last week 9 M reads and 1 M writes a day (saving $23.55), this week 1 M and 9 M (losing $4.05) every day.
  const r = buildWeeklyReport(
    series(IMPROVING, (i) => (i < 7 ? t(0, 9 * M, M) : t(0, M, 9 * M))),
    windows,
    codeReview,
  );

  test('headline, subject, table and digest line', () => {
    expect(weeklyHeadline(r)).toBe(
      'Caching lost $28.35 net this week (13.5% on top of the cost without cache), after saving $164.85 last week.',
    );
    expect(digestSubject(r)).toBe('Prompt caching lost $28.35 net, 2026-11-16 to 2026-11-22 (from saving $164.85)');
    expect(weeklyTakeaway(r)).toBe('Caching lost $4.05/day');
    expect(renderWeeklyMarkdown(r)).toContain(
      '| code-review | losing-money | 10.0% | 21.7% | -80.0 pts | $210.00 | $238.35 | -$28.35 | from saving $164.85 to losing $28.35 |',
    );
    expect(renderWeeklyDigest(r)).toContain(
      '  code-review [losing-money]: lost $28.35, saved $164.85 last week; hit ratio 10.0% (-80.0 pts), break-even 21.7%\n',
    );
    expect(renderWeeklyMarkdown(r)).not.toMatch(/-0\.0|-\$0\.00|saved -|\(-1\d\d\.\d%\)/);
  });
});

test('the digest subject stays within SNS 100 characters, cut with "..." past them', () => {
  // 30 days: 20 saving $2,355,000 a day, then 10 losing $405,000 (billions of tokens): figures longer than SNS allows.
  const long = reviewWindows(END, 30);
  const B = 1_000_000_000;
  const usage = Array.from({ length: 60 }, (_, i) => ({
    modelId: IMPROVING,
    dayStartMs: END - (60 - i) * DAY_MS,
    tokens: i < 50 ? t(0, 900 * B, 100 * B) : t(0, 100 * B, 900 * B),
  }));
  const subject = digestSubject(buildWeeklyReport(usage, long, codeReview));
  expect([subject, subject.length]).toEqual([
    'Prompt caching saved $43,050,000.00 net, 2026-10-24 to 2026-11-22; losing $405,000.00/day since 1...',
    100,
  ]);
});
