/**
 * Renders the report model as JSON (the report contract, README "Operator CLI"), CSV (same fields, one row per model plus TOTAL) and a
 * markdown page a person reads in a cost meeting. Pure.
 */
import { MODEL_STATUSES, type Report, type ReportRow } from './report';
import { percent, shortModelId, tokens, usd } from './human-numbers';

export const REPORT_FORMATS = ['markdown', 'csv', 'json'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** The name a person reads for a model: its display name, else a short form of its id (the full id goes in a footnote). */
export function modelName(row: Pick<ReportRow, 'modelId' | 'displayName'>): string {
  return row.displayName ?? shortModelId(row.modelId);
}

/** Names of the rows, unique within them (a second model of the same name gets ` (2)`), by model id. */
export function modelNames(rows: readonly Pick<ReportRow, 'modelId' | 'displayName'>[]): Map<string, string> {
  const names = new Map<string, string>();
  const taken = new Set<string>();
  for (const row of rows) {
    const base = modelName(row);
    let name = base;
    for (let n = 2; taken.has(name); n++) name = `${base} (${n})`;
    taken.add(name);
    names.set(row.modelId, name);
  }
  return names;
}

/** `name: full id` for every model whose name is not its id: the footnote of a table that shows names. */
export function modelIdFootnotes(names: ReadonlyMap<string, string>): string[] {
  return [...names].filter(([id, name]) => id !== name).map(([id, name]) => `${name}: ${id}`);
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

/** The statuses that occur in `rows`, in rule order, each with its legend line. */
export function statusLegend(rows: readonly Pick<ReportRow, 'status'>[]): string[] {
  const seen = new Set(rows.map((r) => r.status));
  return MODEL_STATUSES.filter((s) => seen.has(s)).map((s) => `- **${s}**: ${STATUS_LEGEND[s]}`);
}

/** ` (2.1% of the cost without cache)`, ` (23.0% on top of the cost without cache)`, or '' (no cost, or net zero). */
export function costShare(net: number, costWithoutCacheUSD: number): string {
  if (net === 0 || costWithoutCacheUSD <= 0) return '';
  const share = percent((100 * Math.abs(net)) / costWithoutCacheUSD);
  return net > 0 ? ` (${share} of the cost without cache)` : ` (${share} on top of the cost without cache)`;
}

/** What caching did to the bill: `saved **$21.17** net (2.1% of the cost without cache)`, `lost **$52.25** net (…)`, `broke even`. */
export function netSentence(net: number, costWithoutCacheUSD: number): string {
  if (net === 0) return 'broke even';
  return `${net > 0 ? 'saved' : 'lost'} **${usd(Math.abs(net))}** net${costShare(net, costWithoutCacheUSD)}`;
}

export function renderMarkdown(report: Report, title: string): string {
  const t = report.totals;
  const names = modelNames(report.models);
  const name = (r: ReportRow) => names.get(r.modelId) as string;
  const savingsRows = report.models.map((r) => [
    name(r),
    r.status,
    percent(r.cacheHitRatioPercent),
    percent(r.cachedInputSharePercent),
    usd(r.costWithoutCacheUSD),
    usd(r.costWithCacheUSD),
    usd(r.readDiscountUSD),
    usd(r.writePremiumUSD),
    usd(r.netSavingsUSD),
  ]);
  savingsRows.push([
    '**Total**',
    '',
    percent(t.cacheHitRatioPercent),
    percent(t.cachedInputSharePercent),
    usd(t.costWithoutCacheUSD),
    usd(t.costWithCacheUSD),
    usd(t.readDiscountUSD),
    usd(t.writePremiumUSD),
    `**${usd(t.netSavingsUSD)}**`,
  ]);
  const tokenRows = report.models.map((r) => [
    name(r),
    tokens(r.inputTokens),
    tokens(r.cacheReadInputTokens),
    tokens(r.cacheWriteInputTokens),
    tokens(r.outputTokens),
    r.priceSource ?? 'unpriced',
  ]);
  tokenRows.push([
    '**Total**',
    tokens(t.inputTokens),
    tokens(t.cacheReadInputTokens),
    tokens(t.cacheWriteInputTokens),
    tokens(t.outputTokens),
    '',
  ]);
  const footnotes = modelIdFootnotes(names);
  return [
    `# ${title}`,
    '',
    `Prompt caching ${netSentence(t.netSavingsUSD, t.costWithoutCacheUSD)}.`,
    t.unpricedTokens > 0 ? `\n${tokens(t.unpricedTokens)} tokens of unpriced models are left out of the dollar figures.` : '',
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
    'Dollars below $1 to two significant figures, tokens rounded (k = thousand, M = million); `--format json` or `csv` has the exact values.',
    '',
    ...statusLegend(report.models),
    ...(footnotes.length > 0 ? ['', 'Model ids:', '', ...footnotes.map((f) => `- ${f}`)] : []),
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
