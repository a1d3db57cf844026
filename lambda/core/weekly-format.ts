/**
 * Renders the weekly review: JSON (the report's fields plus the previous window and the change), CSV, markdown
 * for the cost meeting, and the plain-text e-mail digest. Pure.
 */
import { csvField, formatCount, MODEL_CSV_COLUMNS, formatPercent, formatUsd, modelLabel, STATUS_LEGEND } from './report-format';
import type { ReportFormat } from './report-format';
import type { Change, WeeklyReport } from './weekly';

const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** `2026-11-16 to 2026-11-22` (the end is exclusive, so the last day shown is the one before it). */
export function windowLabel(w: { startMs: number; endMs: number }): string {
  return `${isoDay(w.startMs)} to ${isoDay(w.endMs - 1)}`;
}

function signedUsd(v: number | null): string {
  if (v === null) return 'n/a';
  return v > 0 ? `+${formatUsd(v)}` : formatUsd(v);
}

function signedPercent(v: number | null): string {
  if (v === null) return 'n/a';
  return `${v > 0 ? '+' : ''}${v.toFixed(1)}%`;
}

function signedPoints(v: number | null): string {
  if (v === null) return 'n/a';
  return `${v > 0 ? '+' : ''}${v.toFixed(1)} pts`;
}

function changeText(c: Change): string {
  return `${signedUsd(c.netSavingsUSD)} (${signedPercent(c.netSavingsPercent)})`;
}

export function renderWeeklyJson(r: WeeklyReport): string {
  const w = (x: { startMs: number; endMs: number; days: number }) => ({
    start: new Date(x.startMs).toISOString(),
    end: new Date(x.endMs).toISOString(),
    days: x.days,
  });
  return `${JSON.stringify(
    {
      window: w(r.window),
      previousWindow: w(r.previousWindow),
      models: r.models,
      totals: r.totals,
      attention: r.attention,
      daily: { days: r.daily.days.map(isoDay), models: r.daily.models, cacheHitRatioPercent: r.daily.cacheHitRatioPercent },
    },
    null,
    2,
  )}\n`;
}

const CSV_COLUMNS = [
  ...MODEL_CSV_COLUMNS,
  'previousNetSavingsUSD',
  'previousCacheHitRatioPercent',
  'changeNetSavingsUSD',
  'changeNetSavingsPercent',
  'changeCacheHitRatioPoints',
] as const;

export function renderWeeklyCsv(r: WeeklyReport): string {
  const rows = [...r.models, { ...r.totals, modelId: 'TOTAL', previous: { ...r.totals.previous } }].map((row) => {
    const flat: Record<string, unknown> = {
      ...row,
      previousNetSavingsUSD: row.previous.netSavingsUSD,
      previousCacheHitRatioPercent: row.previous.cacheHitRatioPercent,
      changeNetSavingsUSD: row.change.netSavingsUSD,
      changeNetSavingsPercent: row.change.netSavingsPercent,
      changeCacheHitRatioPoints: row.change.cacheHitRatioPoints,
    };
    return CSV_COLUMNS.map((c) => csvField(flat[c])).join(',');
  });
  return `${[CSV_COLUMNS.join(','), ...rows].join('\r\n')}\r\n`;
}

/** The headline: what caching saved in the window and how that compares with the window before. */
export function weeklyHeadline(r: WeeklyReport): string {
  return `Prompt caching saved ${formatUsd(r.totals.netSavingsUSD)} net (${windowLabel(r.window)}), ${signedUsd(r.totals.change.netSavingsUSD)} vs the previous ${r.window.days} days`;
}

export function renderWeeklyMarkdown(r: WeeklyReport): string {
  const t = r.totals;
  const rows = r.models.map((m) => [
    modelLabel(m),
    m.status,
    formatPercent(m.cacheHitRatioPercent),
    signedPoints(m.change.cacheHitRatioPoints),
    formatUsd(m.costWithoutCacheUSD),
    formatUsd(m.costWithCacheUSD),
    formatUsd(m.netSavingsUSD),
    changeText(m.change),
  ]);
  rows.push([
    '**Total**',
    '',
    formatPercent(t.cacheHitRatioPercent),
    signedPoints(t.change.cacheHitRatioPoints),
    formatUsd(t.costWithoutCacheUSD),
    formatUsd(t.costWithCacheUSD),
    `**${formatUsd(t.netSavingsUSD)}**`,
    changeText(t.change),
  ]);
  const table = [
    ['Model', 'Status', 'Hit ratio', 'Change', 'Cost without cache', 'Cost with cache', 'Net savings', 'vs previous'],
    ['---', '---', '---:', '---:', '---:', '---:', '---:', '---:'],
    ...rows,
  ].map((cells) => `| ${cells.join(' | ')} |`);
  const statuses = [...new Set(r.models.map((m) => m.status))];
  return [
    `# Prompt cache weekly review: ${windowLabel(r.window)}`,
    '',
    `**${weeklyHeadline(r)}.** Cached input share ${formatPercent(t.cachedInputSharePercent)}; ${formatCount(t.cacheReadInputTokens)} cache-read and ${formatCount(t.cacheWriteInputTokens)} cache-write tokens.`,
    ...(t.unpricedTokens > 0 ? ['', `${formatCount(t.unpricedTokens)} tokens of unpriced models are left out of the dollar figures.`] : []),
    '',
    '## Needs attention',
    '',
    ...(r.attention.length === 0 ? ['Nothing this week.'] : r.attention.map((a) => `- **${a.reason}**: ${a.message}`)),
    '',
    '## Per model',
    '',
    ...table,
    '',
    `Hit ratio = cache read / (cache read + cache write), token-weighted over the window. Net savings = read discount − write premium; "vs previous" compares with ${windowLabel(r.previousWindow)}.`,
    '',
    ...statuses.map((s) => `- **${s}**: ${STATUS_LEGEND[s]}`),
    '',
  ].join('\n');
}

/** Plain text for an e-mail client: no tables, one block per model. */
export function renderWeeklyDigest(r: WeeklyReport): string {
  const t = r.totals;
  const lines = [
    weeklyHeadline(r),
    '',
    `Cost with cache ${formatUsd(t.costWithCacheUSD)}, without ${formatUsd(t.costWithoutCacheUSD)}; hit ratio ${formatPercent(t.cacheHitRatioPercent)} (${signedPoints(t.change.cacheHitRatioPoints)}).`,
    '',
    'NEEDS ATTENTION',
    ...(r.attention.length === 0 ? ['  Nothing this week.'] : r.attention.map((a) => `  - ${a.message}`)),
    '',
    'PER MODEL',
  ];
  for (const m of r.models) {
    lines.push(
      `  ${modelLabel(m)} [${m.status}]`,
      `    net savings ${formatUsd(m.netSavingsUSD)} (${changeText(m.change)} vs previous), hit ratio ${formatPercent(m.cacheHitRatioPercent)} (${signedPoints(m.change.cacheHitRatioPoints)})`,
    );
  }
  return `${lines.join('\n')}\n`;
}

export function renderWeekly(r: WeeklyReport, format: ReportFormat): string {
  switch (format) {
    case 'json':
      return renderWeeklyJson(r);
    case 'csv':
      return renderWeeklyCsv(r);
    case 'markdown':
      return renderWeeklyMarkdown(r);
  }
}

/** SNS e-mail subjects: at most 100 printable ASCII characters, no line breaks. */
export const SNS_SUBJECT_MAX = 100;

/** The digest's subject: the headline figure first, cut to SNS's limit and to printable ASCII. */
export function digestSubject(r: WeeklyReport): string {
  const text = `Prompt caching saved ${formatUsd(r.totals.netSavingsUSD)} net, ${windowLabel(r.window)} (${signedUsd(r.totals.change.netSavingsUSD)})`;
  const ascii = text.replace(/[^\x20-\x7e]/g, '');
  return ascii.length <= SNS_SUBJECT_MAX ? ascii : `${ascii.slice(0, SNS_SUBJECT_MAX - 3)}...`;
}
