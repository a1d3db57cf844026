/**
 * The weekly review's chart: daily net savings per model (stacked bars) and the token-weighted hit ratio of all models
 * (a line on a second axis), as a Vega-Lite spec compiled and rendered to SVG by Vega, without a browser.
 */
import { compile, type TopLevelSpec } from 'vega-lite';
import { parse, View } from 'vega';
import type { WeeklyReport } from './weekly';

const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export function weeklyChartSpec(report: WeeklyReport): TopLevelSpec {
  const bars = report.daily.models.flatMap((m) =>
    report.daily.days
      .map((day, i) => ({ day: isoDay(day), model: m.label, netSavingsUSD: m.netSavingsUSD[i] }))
      .filter((d) => d.netSavingsUSD !== null),
  );
  const ratio = report.daily.days
    .map((day, i) => ({ day: isoDay(day), hitRatioPercent: report.daily.cacheHitRatioPercent[i] }))
    .filter((d) => d.hitRatioPercent !== null);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: {
      text: 'Prompt caching: daily net savings by model, and the hit ratio',
      subtitle: `${isoDay(report.window.startMs)} to ${isoDay(report.window.endMs - 1)} (UTC)`,
    },
    width: 640,
    height: 320,
    config: { font: 'Helvetica, Arial, sans-serif', legend: { orient: 'bottom', columns: 2, labelLimit: 480 } },
    layer: [
      {
        data: { values: bars },
        mark: { type: 'bar' },
        encoding: {
          x: { field: 'day', type: 'ordinal', title: 'Day', axis: { labelAngle: 0 } },
          y: {
            field: 'netSavingsUSD',
            type: 'quantitative',
            aggregate: 'sum',
            stack: 'zero',
            title: 'Net savings (USD)',
            axis: { format: '$,.4~f' },
          },
          color: { field: 'model', type: 'nominal', title: 'Model' },
        },
      },
      {
        data: { values: ratio },
        mark: { type: 'line', point: { color: '#222222' }, color: '#222222', strokeWidth: 2 },
        encoding: {
          x: { field: 'day', type: 'ordinal' },
          y: {
            field: 'hitRatioPercent',
            type: 'quantitative',
            title: 'Hit ratio, all models (%)',
            scale: { domain: [0, 100] },
            axis: { orient: 'right' },
          },
        },
      },
    ],
    resolve: { scale: { y: 'independent' } },
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
