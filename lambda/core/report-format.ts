/**
 * Renders the report model as JSON (the report contract, README "Operator CLI"), CSV (same fields, one row per model plus TOTAL) and a
 * markdown page a person reads in a cost meeting. Pure.
 */
import type { Report, ReportRow } from './report';

export const REPORT_FORMATS = ['markdown', 'csv', 'json'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/**
 * `$1,234.57` at a dollar or more; below a dollar up to 8 decimals without trailing zeros (`$0.04694415`, `$0.50`), so
 * sub-cent sums stay visible and small figures read exactly.
 */
export function formatUsd(value: number | null): string {
  if (value === null) return 'n/a';
  if (value === 0) return '$0.00';
  const sign = value < 0 ? '-' : '';
  const abs = Math.abs(value);
  if (abs >= 1) return `${sign}$${abs.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
  const fixed = abs.toFixed(8).replace(/0+$/, '');
  const decimals = fixed.length - fixed.indexOf('.') - 1;
  return `${sign}$${decimals < 2 ? abs.toFixed(2) : fixed}`;
}

export function formatPercent(value: number | null): string {
  return value === null ? 'n/a' : `${value.toFixed(1)}%`;
}

export function formatCount(value: number): string {
  return value.toLocaleString('en-US');
}

export function modelLabel(row: Pick<ReportRow, 'modelId' | 'displayName'>): string {
  return row.displayName ? `${row.displayName} (${row.modelId})` : row.modelId;
}

export function renderJson(report: Report): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

/** The columns of a model row, in order: the report's CSV, and the first columns of the weekly review's. */
export const MODEL_CSV_COLUMNS = [
  'modelId',
  'displayName',
  'status',
  'priceSource',
  'inputTokens',
  'cacheReadInputTokens',
  'cacheWriteInputTokens',
  'outputTokens',
  'cacheHitRatioPercent',
  'cachedInputSharePercent',
  'costWithCacheUSD',
  'costWithoutCacheUSD',
  'readDiscountUSD',
  'writePremiumUSD',
  'netSavingsUSD',
] as const;

const CSV_COLUMNS = [...MODEL_CSV_COLUMNS, 'unpricedTokens'] as const;

/** RFC 4180: quote a field holding a comma, quote or line break; double inner quotes. */
export function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function renderCsv(report: Report): string {
  const rows: Partial<Record<(typeof CSV_COLUMNS)[number], unknown>>[] = [...report.models, { modelId: 'TOTAL', ...report.totals }];
  const lines = [CSV_COLUMNS.join(','), ...rows.map((r) => CSV_COLUMNS.map((c) => csvField(r[c])).join(','))];
  return `${lines.join('\r\n')}\r\n`;
}

function table(header: string[], rows: string[][], rightAligned: boolean[]): string {
  const sep = rightAligned.map((r) => (r ? '---:' : '---'));
  return [header, sep, ...rows].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}

export const STATUS_LEGEND: Readonly<Record<ReportRow['status'], string>> = {
  optimized: 'cache hits at or above the target ratio and caching saves money',
  'losing-money': 'caching costs more than it saves: the hit ratio is below the break-even ratio of its prices',
  underutilized: 'hit ratio below the target, though caching still saves money',
  misconfigured: 'cache writes but no reads: the cached prefix never matches',
  'not-enabled': 'traffic without any cache reads or writes',
  idle: 'no tokens in the window',
  unpriced: 'no known price: add it to `pricing` or set `priceAs`',
};

export function renderMarkdown(report: Report, title: string): string {
  const t = report.totals;
  const savingsRows = report.models.map((r) => [
    modelLabel(r),
    r.status,
    formatPercent(r.cacheHitRatioPercent),
    formatPercent(r.cachedInputSharePercent),
    formatUsd(r.costWithoutCacheUSD),
    formatUsd(r.costWithCacheUSD),
    formatUsd(r.readDiscountUSD),
    formatUsd(r.writePremiumUSD),
    formatUsd(r.netSavingsUSD),
  ]);
  savingsRows.push([
    '**Total**',
    '',
    formatPercent(t.cacheHitRatioPercent),
    formatPercent(t.cachedInputSharePercent),
    formatUsd(t.costWithoutCacheUSD),
    formatUsd(t.costWithCacheUSD),
    formatUsd(t.readDiscountUSD),
    formatUsd(t.writePremiumUSD),
    `**${formatUsd(t.netSavingsUSD)}**`,
  ]);
  const tokenRows = report.models.map((r) => [
    modelLabel(r),
    formatCount(r.inputTokens),
    formatCount(r.cacheReadInputTokens),
    formatCount(r.cacheWriteInputTokens),
    formatCount(r.outputTokens),
    r.priceSource ?? 'unpriced',
  ]);
  tokenRows.push([
    '**Total**',
    formatCount(t.inputTokens),
    formatCount(t.cacheReadInputTokens),
    formatCount(t.cacheWriteInputTokens),
    formatCount(t.outputTokens),
    '',
  ]);
  const statuses = [...new Set(report.models.map((r) => r.status))];
  const saved =
    t.costWithoutCacheUSD > 0 ? ` (${formatPercent((100 * t.netSavingsUSD) / t.costWithoutCacheUSD)} of the cost without cache)` : '';
  return [
    `# ${title}`,
    '',
    `Net savings from prompt caching: **${formatUsd(t.netSavingsUSD)}**${saved}.`,
    t.unpricedTokens > 0 ? `\n${formatCount(t.unpricedTokens)} tokens of unpriced models are left out of the dollar figures.` : '',
    '',
    '## Savings',
    '',
    table(
      [
        'Model',
        'Status',
        'Hit ratio',
        'Cached share',
        'Cost without cache',
        'Cost with cache',
        'Read discount',
        'Write premium',
        'Net savings',
      ],
      savingsRows,
      [false, false, true, true, true, true, true, true, true],
    ),
    '',
    '## Tokens',
    '',
    table(['Model', 'Input (uncached)', 'Cache read', 'Cache write', 'Output', 'Price source'], tokenRows, [
      false,
      true,
      true,
      true,
      true,
      false,
    ]),
    '',
    'Hit ratio = cache read / (cache read + cache write). Cached share = cache read / (input + cache read + cache write).',
    'Net savings = read discount − write premium = cost without cache − cost with cache; negative means caching costs money.',
    '',
    ...statuses.map((s) => `- **${s}**: ${STATUS_LEGEND[s]}`),
    '',
  ]
    .filter((line, i, all) => !(line === '' && all[i - 1] === ''))
    .join('\n');
}

export function renderReport(report: Report, format: ReportFormat, title: string): string {
  switch (format) {
    case 'json':
      return renderJson(report);
    case 'csv':
      return renderCsv(report);
    case 'markdown':
      return renderMarkdown(report, title);
  }
}
