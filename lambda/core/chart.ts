/**
 * The weekly review's chart, as a Vega-Lite spec compiled and rendered to SVG by Vega, without a browser. Two panels,
 * one y-axis each: the daily net savings (stacked bars by model, a line for all models, a $0 rule), and the daily hit
 * ratio by model with each model's break-even ratio as a dashed rule in its colour. A model's colour comes from its id
 * (a hash into a fixed palette), so it is the same in every report; the title states the takeaway. Pure.
 */
import { createHash } from 'node:crypto';
import { compile, type TopLevelSpec } from 'vega-lite';
import { parse, View } from 'vega';
import { isoDay } from './human-numbers';
import type { WeeklyReport } from './weekly';
import { weeklyTakeaway, windowLabel } from './weekly-format';

/**
 * Tableau 10, in its published order: never reorder or edit it, or every model's colour changes. Two models of one
 * report may share a colour (1 in 10 for any two); the legend and the tooltips name them.
 */
export const MODEL_PALETTE = [
  '#4e79a7',
  '#f28e2b',
  '#e15759',
  '#76b7b2',
  '#59a14f',
  '#edc948',
  '#b07aa1',
  '#ff9da7',
  '#9c755f',
  '#bab0ac',
] as const;

/** The colour of a model in every chart: the first 4 bytes of SHA-256 of its id, modulo the palette. */
export function modelColor(modelId: string): string {
  return MODEL_PALETTE[createHash('sha256').update(modelId, 'utf8').digest().readUInt32BE(0) % MODEL_PALETTE.length];
}

const WIDTH = 640;
const PANEL_HEIGHT = 200;
const INK = '#222222';

export function weeklyChartSpec(report: WeeklyReport): TopLevelSpec {
  const { days, models } = report.daily;
  const color = {
    field: 'model',
    type: 'nominal' as const,
    title: 'Model',
    scale: { domain: models.map((m) => m.label), range: models.map((m) => modelColor(m.modelId)) },
  };
  const x = { field: 'day', type: 'ordinal' as const, title: null, axis: { labelAngle: 0 } };
  const bars = models.flatMap((m) =>
    days.map((day, i) => ({ day: isoDay(day), model: m.label, netSavingsUSD: m.netSavingsUSD[i] })).filter((d) => d.netSavingsUSD !== null),
  );
  const total = days.map((day, i) => ({ day: isoDay(day), netSavingsUSD: report.daily.netSavingsUSD[i] }));
  const ratios = models.flatMap((m) =>
    days
      .map((day, i) => ({ day: isoDay(day), model: m.label, hitRatioPercent: m.cacheHitRatioPercent[i] }))
      .filter((d) => d.hitRatioPercent !== null),
  );
  // A break-even rule for each model drawn in the bottom panel (one with a hit ratio on some day).
  const drawn = new Set(ratios.map((r) => r.model));
  const breakEven = models
    .filter((m) => m.breakEvenHitRatioPercent !== null && drawn.has(m.label))
    .map((m) => ({ model: m.label, breakEvenPercent: m.breakEvenHitRatioPercent }));
  const usdTitle = 'Net savings a day (USD)';
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: {
      text: weeklyTakeaway(report),
      // Short lines: without a browser, Vega estimates text widths generously and sizes the SVG by them.
      subtitle: [`${windowLabel(report.window)} (UTC)`, 'Bars: net savings by model; line: all models. Dashed: break-even hit ratio.'],
      anchor: 'start',
    },
    config: { font: 'Helvetica, Arial, sans-serif', legend: { orient: 'bottom', columns: 2, labelLimit: 480 } },
    vconcat: [
      {
        width: WIDTH,
        height: PANEL_HEIGHT,
        layer: [
          {
            data: { values: bars },
            mark: { type: 'bar' },
            encoding: {
              x,
              y: {
                field: 'netSavingsUSD',
                type: 'quantitative',
                aggregate: 'sum',
                stack: 'zero',
                title: usdTitle,
                axis: { format: '$,.2~f' },
              },
              color,
            },
          },
          {
            data: { values: total },
            mark: { type: 'line', color: INK, strokeWidth: 2, point: { color: INK } },
            encoding: { x, y: { field: 'netSavingsUSD', type: 'quantitative', title: usdTitle } },
          },
          { data: { values: [{}] }, mark: { type: 'rule', color: INK, strokeWidth: 1 }, encoding: { y: { datum: 0 } } },
        ],
      },
      {
        width: WIDTH,
        height: PANEL_HEIGHT,
        layer: [
          {
            data: { values: ratios },
            mark: { type: 'line', strokeWidth: 2, point: true },
            encoding: {
              x,
              y: { field: 'hitRatioPercent', type: 'quantitative', title: 'Hit ratio (%)', scale: { domain: [0, 100] } },
              color,
            },
          },
          {
            data: { values: breakEven },
            mark: { type: 'rule', strokeDash: [6, 4], strokeWidth: 1.5 },
            encoding: { y: { field: 'breakEvenPercent', type: 'quantitative', title: 'Hit ratio (%)' }, color },
          },
        ],
      },
    ],
  };
}

/** Renders the chart to a standalone SVG document. */
export async function renderWeeklyChartSvg(report: WeeklyReport): Promise<string> {
  const view = new View(parse(compile(weeklyChartSpec(report)).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
