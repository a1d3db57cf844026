/** The weekly chart's Vega-Lite spec: one y-axis per panel, colours fixed by model id, break-even rules, the takeaway title. */
import { compile } from 'vega-lite';
import { parseConfig } from '../../lambda/core/config';
import type { TokenCounts } from '../../lambda/core/contract';
import { DAY_MS } from '../../lambda/core/periods';
import { MODEL_PALETTE, modelColor, renderWeeklyChartSvg, weeklyChartSpec } from '../../lambda/core/chart';
import { buildWeeklyReport, reviewWindows, type DailyUsage } from '../../lambda/core/weekly';

const END = Date.UTC(2026, 10, 23);
const windows = reviewWindows(END, 7);
const M = 1_000_000;
const SONNET = 'us.anthropic.claude-3-7-sonnet-20250219-v1:0';
const SONNET_45 = 'global.anthropic.claude-sonnet-4-5-20250929-v1:0';
const HAIKU = 'anthropic.claude-3-5-haiku-20241022-v1:0';
const t = (read: number, write: number): TokenCounts => ({
  inputTokens: 0,
  cacheReadInputTokens: read,
  cacheWriteInputTokens: write,
  outputTokens: 0,
});
const series = (modelId: string, tokens: (day: number) => TokenCounts): DailyUsage[] =>
  Array.from({ length: 14 }, (_, i) => ({ modelId, dayStartMs: END - (14 - i) * DAY_MS, tokens: tokens(i) }));
const config = parseConfig(
  {
    models: [
      { modelId: SONNET, displayName: 'support-bot' },
      { modelId: SONNET_45, displayName: 'code-review', cacheWriteTtl: '1h' },
    ],
  },
  'test',
);
// support-bot saves $23.55 a day; code-review (1-hour cache) $21.30 until 11-18, then loses $24.30 a day; Haiku only writes (-$0.20):
// all models lose $0.95 a day from 11-19.
const report = buildWeeklyReport(
  [
    ...series(SONNET, () => t(9 * M, M)),
    ...series(SONNET_45, (i) => (i < 10 ? t(9 * M, M) : t(M, 9 * M))),
    ...series(HAIKU, () => t(0, M)),
  ],
  windows,
  config,
);
type Panel = { layer: { mark: { type: string }; data: { values: Record<string, unknown>[] }; encoding: Record<string, unknown> }[] };
const spec = weeklyChartSpec(report) as unknown as { title: { text: string }; vconcat: Panel[]; resolve?: unknown };

test('two panels, one y-axis each: no independent second axis on a panel', () => {
  expect(spec.vconcat.length).toBe(2);
  expect(JSON.stringify(spec).includes('"resolve"')).toBe(false);
  type Group = {
    name?: string;
    type?: string;
    axes?: { scale: string; orient: string; grid?: boolean; title?: string }[];
    marks?: Group[];
  };
  const groups = (compile(spec as never).spec as Group).marks?.filter((m) => m.type === 'group') ?? [];
  expect(
    groups.map((g) => [g.name, (g.axes ?? []).filter((a) => a.scale.endsWith('_y') && !a.grid).map((a) => [a.orient, a.title])]),
  ).toEqual([
    ['concat_0_group', [['left', 'Net savings a day (USD)']]],
    ['concat_1_group', [['left', 'Hit ratio (%)']]],
  ]);
});

test('panel 1: net savings by model, the total and a $0 rule; panel 2: hit ratios 0-100% and each break-even', () => {
  const [money, ratio] = spec.vconcat;
  expect(money.layer.map((l) => l.mark.type)).toEqual(['bar', 'line', 'rule']);
  expect(money.layer[2].encoding).toEqual({ y: { datum: 0 } });
  expect(ratio.layer.map((l) => l.mark.type)).toEqual(['line', 'rule']);
  expect((ratio.layer[0].encoding.y as { scale: unknown }).scale).toEqual({ domain: [0, 100] });
  // 5-minute Claude cache: (3.75 - 3) / (3.75 - 0.30) = 21.74%; 1-hour: (6 - 3) / (6 - 0.30) = 52.63%.
  expect(ratio.layer[1].data.values.map((v) => [v.model, Number((v.breakEvenPercent as number).toFixed(2))])).toEqual([
    ['support-bot', 21.74],
    ['code-review', 52.63],
    ['claude-3-5-haiku', 21.74],
  ]);
});

test('a colour per model id, the same in every report whatever the other models', () => {
  expect([modelColor(SONNET), modelColor(SONNET_45), modelColor(HAIKU)]).toEqual(['#bab0ac', '#f28e2b', '#edc948']);
  expect(MODEL_PALETTE.length).toBe(10);
  const scale = (s: typeof spec) => (s.vconcat[0].layer[0].encoding.color as { scale: { domain: string[]; range: string[] } }).scale;
  expect(scale(spec)).toEqual({ domain: ['support-bot', 'code-review', 'claude-3-5-haiku'], range: ['#bab0ac', '#f28e2b', '#edc948'] });
  // Another report, with Haiku alone: its colour does not move.
  const alone = weeklyChartSpec(
    buildWeeklyReport(
      series(HAIKU, () => t(0, M)),
      windows,
      parseConfig({}, 'x'),
    ),
  ) as unknown as typeof spec;
  expect(scale(alone)).toEqual({ domain: ['claude-3-5-haiku'], range: ['#edc948'] });
});

test('the title states the takeaway; the SVG carries it', async () => {
  expect(spec.title.text).toBe('Caching lost $0.95/day since 11-19 (code-review)');
  const svg = await renderWeeklyChartSvg(report);
  expect([svg.startsWith('<svg'), svg.includes('>Caching lost $0.95/day since 11-19 (code-review)</text>')]).toEqual([true, true]);
});
