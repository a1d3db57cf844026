/**
 * Renders the weekly review: JSON (the report's fields plus the previous window, the change, the actions and the daily
 * series, exact), CSV (exact), markdown for the cost meeting and the plain-text e-mail digest. The two a person reads
 * lead with up to three actions ranked by the dollars at stake a week, then the headline; their numbers are human
 * (human-numbers.ts). Pure.
 */
import {
  isoDay,
  netChange,
  percent,
  percentChange,
  points,
  savedOrLost,
  savingOrLosing,
  shortDay,
  signChanged,
  signedPercent,
  signedUsd,
  tokens,
  usd,
} from './human-numbers';
import { costShare, csvField, MODEL_CSV_COLUMNS, modelIdFootnotes, modelNames, statusLegend } from './report-format';
import type { ReportFormat } from './report-format';
import type { AttentionItem, WeeklyReport } from './weekly';
import { driftVerdict } from './reconcile-format';
import type { BillComparison } from './reconcile';

/** What the renderers a person reads may add when the caller knows it. */
export interface WeeklyTextOptions {
  /** The cost-review dashboard's console URL: linked under the headline. @default - no link */
  readonly dashboardUrl?: string;
  /** The window's bill beside the computed cost (Cost Explorer): a line under the headline. @default - no line */
  readonly bill?: BillComparison;
}

/** `Billed vs computed (Cost Explorer, us-east-1): billed $49.24, computed $52.65: the bill is 6.9% lower than computed.` */
export function billLine(b: BillComparison): string {
  const head = `Billed vs computed (Cost Explorer, ${b.region})`;
  if ('unavailable' in b) return `${head}: the bill could not be read (${b.unavailable}).`;
  const unmapped = b.unmappedCostUSD > 0 ? `; ${usd(b.unmappedCostUSD)} of it under usage types not mapped to a model` : '';
  return `${head}: billed ${usd(b.billedCostUSD)}, computed ${usd(b.computedCostUSD)}: ${driftVerdict(b.driftPercent)}${unmapped}.`;
}

/** How many actions the review leads with. */
export const MAX_ACTIONS = 3;

/** `2026-11-16 to 2026-11-22` (the end is exclusive, so the last day shown is the one before it). */
export function windowLabel(w: { startMs: number; endMs: number }): string {
  return `${isoDay(w.startMs)} to ${isoDay(w.endMs - 1)}`;
}

/** `saved $21.17 net`, `lost $52.25 net`, `broke even`. */
const netWords = (net: number) => (net === 0 ? 'broke even' : `${savedOrLost(net)} net`);

const thisWindow = (r: WeeklyReport) => (r.window.days === 7 ? 'this week' : `in these ${r.window.days} days`);
const lastWindow = (r: WeeklyReport) => (r.window.days === 7 ? 'last week' : `the previous ${r.window.days} days`);

export function renderWeeklyJson(r: WeeklyReport, bill?: BillComparison): string {
  const w = (x: { startMs: number; endMs: number; days: number }) => ({
    start: new Date(x.startMs).toISOString(),
    end: new Date(x.endMs).toISOString(),
    days: x.days,
  });
  const { changedAtMs, ...trend } = r.trend;
  return `${JSON.stringify(
    {
      window: w(r.window),
      previousWindow: w(r.previousWindow),
      models: r.models,
      totals: r.totals,
      attention: r.attention.map(({ sinceMs, ...a }) => ({ ...a, since: sinceMs === null ? null : isoDay(sinceMs) })),
      trend: { changedAt: changedAtMs === null ? null : isoDay(changedAtMs), ...trend },
      daily: { ...r.daily, days: r.daily.days.map(isoDay) },
      ...(bill ? { bill } : {}),
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

/** `, down $180.28 (-66.3%) from $272.11 last week`; across a sign change `, after saving $272.11 last week`. */
function againstLastWindow(r: WeeklyReport): string {
  const net = r.totals.netSavingsUSD;
  const prev = r.totals.previous.netSavingsUSD;
  const last = lastWindow(r);
  if (prev === 0) return net === 0 ? `, as ${last}` : `, against nothing ${last}`;
  if (net === 0 || signChanged(prev, net)) return `, after ${savingOrLosing(prev)} ${last}`;
  if (prev < 0) return `, against a loss of ${usd(-prev)} ${last}`;
  const diff = net - prev;
  if (diff === 0) return `, as ${last}`;
  return `, ${diff < 0 ? 'down' : 'up'} ${usd(Math.abs(diff))} (${signedPercent(percentChange(prev, net))}) from ${usd(prev)} ${last}`;
}

/**
 * The headline: net savings, their share of the cost without cache, the change against the previous window, and the
 * rate a day now when the daily net savings changed sign mid-window. `bold` marks the two figures for markdown.
 */
export function weeklyHeadline(r: WeeklyReport, bold = false): string {
  const b = (text: string) => (bold ? `**${text}**` : text);
  const t = r.totals;
  const first = `${b(`Caching ${netWords(t.netSavingsUSD)} ${thisWindow(r)}`)}${costShare(t.netSavingsUSD, t.costWithoutCacheUSD)}${againstLastWindow(r)}.`;
  const { changedAtMs, perDayNowUSD: now, perDayBeforeUSD: before } = r.trend;
  if (changedAtMs === null || before === null) return first;
  const verb = now < 0 ? `loses ${usd(-now)}` : `saves ${usd(now)}`;
  return `${first} ${b(`Since ${shortDay(changedAtMs)} caching ${verb} a day`)}, after ${savingOrLosing(before)} a day before.`;
}

/** The chart's title: the takeaway. `Caching lost $29.40/day since 11-27 (code-review)`, `Caching saved $41.20/day`. */
export function weeklyTakeaway(r: WeeklyReport): string {
  const { changedAtMs, perDayNowUSD: now, mainModel } = r.trend;
  const rate = now === 0 ? 'Caching broke even' : `Caching ${now < 0 ? 'lost' : 'saved'} ${usd(Math.abs(now))}/day`;
  if (changedAtMs === null) return rate;
  return `${rate} since ${shortDay(changedAtMs)}${mainModel === null ? '' : ` (${mainModel})`}`;
}

/** The actions the review leads with (up to three, largest at stake first) and the rest. */
export function splitActions(r: WeeklyReport): { actions: AttentionItem[]; more: AttentionItem[] } {
  return { actions: r.attention.slice(0, MAX_ACTIONS), more: r.attention.slice(MAX_ACTIONS) };
}

function details(r: WeeklyReport): string {
  const t = r.totals;
  return `Hit ratio ${percent(t.cacheHitRatioPercent)} (${points(t.change.cacheHitRatioPoints)} against ${lastWindow(r)}); ${tokens(t.cacheReadInputTokens)} cache-read and ${tokens(t.cacheWriteInputTokens)} cache-write tokens.`;
}

const unpricedNote = (r: WeeklyReport) =>
  r.totals.unpricedTokens > 0 ? `${tokens(r.totals.unpricedTokens)} tokens of unpriced models are left out of the dollar figures.` : '';

export function renderWeeklyMarkdown(r: WeeklyReport, options: WeeklyTextOptions = {}): string {
  const t = r.totals;
  const names = modelNames(r.models);
  const { actions, more } = splitActions(r);
  const rows = r.models.map((m) => [
    names.get(m.modelId) as string,
    m.status,
    percent(m.cacheHitRatioPercent),
    percent(m.breakEvenHitRatioPercent),
    points(m.change.cacheHitRatioPoints),
    usd(m.costWithoutCacheUSD),
    usd(m.costWithCacheUSD),
    usd(m.netSavingsUSD),
    netChange(m.previous.netSavingsUSD, m.netSavingsUSD),
  ]);
  rows.push([
    '**Total**',
    '',
    percent(t.cacheHitRatioPercent),
    '',
    points(t.change.cacheHitRatioPoints),
    usd(t.costWithoutCacheUSD),
    usd(t.costWithCacheUSD),
    `**${usd(t.netSavingsUSD)}**`,
    netChange(t.previous.netSavingsUSD, t.netSavingsUSD),
  ]);
  const table = [
    ['Model', 'Status', 'Hit ratio', 'Break-even', 'Change', 'Cost without cache', 'Cost with cache', 'Net savings', `vs ${lastWindow(r)}`],
    ['---', '---', '---:', '---:', '---:', '---:', '---:', '---:', '---:'],
    ...rows,
  ].map((cells) => `| ${cells.join(' | ')} |`);
  const footnotes = modelIdFootnotes(names);
  return [
    `# Prompt cache weekly review: ${windowLabel(r.window)}`,
    '',
    '## Actions',
    '',
    ...(actions.length === 0 ? [`Nothing needs action ${thisWindow(r)}.`] : actions.map((a, i) => `${i + 1}. **${a.title}.** ${a.detail}`)),
    '',
    weeklyHeadline(r, true),
    ...(options.bill ? ['', billLine(options.bill)] : []),
    '',
    details(r),
    ...(unpricedNote(r) ? ['', unpricedNote(r)] : []),
    ...(options.dashboardUrl ? ['', `[Cost-review dashboard](${options.dashboardUrl})`] : []),
    ...(more.length === 0 ? [] : ['', '## Also needs attention', '', ...more.map((a) => `- **${a.title}.** ${a.detail}`)]),
    '',
    '## Per model',
    '',
    ...table,
    '',
    `Hit ratio = cache read / (cache read + cache write), token-weighted over the window; below the break-even ratio caching costs money. Net savings = read discount − write premium; "vs ${lastWindow(r)}" compares with ${windowLabel(r.previousWindow)}. Dollars below $1 to two significant figures; \`--format json\` or \`csv\` has the exact values.`,
    '',
    ...statusLegend(r.models),
    ...(footnotes.length > 0 ? ['', 'Model ids:', '', ...footnotes.map((f) => `- ${f}`)] : []),
    '',
  ].join('\n');
}

/** Plain text for an e-mail client: the actions, the headline, then one line per model; no tables. */
export function renderWeeklyDigest(r: WeeklyReport, options: WeeklyTextOptions = {}): string {
  const names = modelNames(r.models);
  const { actions, more } = splitActions(r);
  const lines = [
    `Prompt cache weekly review, ${windowLabel(r.window)}`,
    '',
    'ACTIONS',
    ...(actions.length === 0 ? [`  Nothing needs action ${thisWindow(r)}.`] : actions.map((a, i) => `${i + 1}. ${a.message}`)),
    '',
    weeklyHeadline(r),
    ...(options.bill ? [billLine(options.bill)] : []),
    details(r),
    ...(unpricedNote(r) ? [unpricedNote(r)] : []),
    ...(options.dashboardUrl ? ['', `Cost-review dashboard: ${options.dashboardUrl}`] : []),
    ...(more.length === 0 ? [] : ['', 'ALSO NEEDS ATTENTION', ...more.map((a) => `  - ${a.message}`)]),
    '',
    'PER MODEL',
  ];
  for (const m of r.models) {
    const before = m.previous.netSavingsUSD;
    const net =
      m.netSavingsUSD === null || before === null
        ? 'unpriced'
        : signChanged(before, m.netSavingsUSD)
          ? `${savedOrLost(m.netSavingsUSD)}, ${savedOrLost(before)} ${lastWindow(r)}`
          : `${savedOrLost(m.netSavingsUSD)}, ${netChange(before, m.netSavingsUSD)} against ${lastWindow(r)}`;
    const breakEven = m.breakEvenHitRatioPercent === null ? '' : `, break-even ${percent(m.breakEvenHitRatioPercent)}`;
    lines.push(
      `  ${names.get(m.modelId)} [${m.status}]: ${net}; hit ratio ${percent(m.cacheHitRatioPercent)} (${points(m.change.cacheHitRatioPoints)})${breakEven}`,
    );
  }
  const footnotes = modelIdFootnotes(names);
  if (footnotes.length > 0) lines.push('', 'MODEL IDS', ...footnotes.map((f) => `  ${f}`));
  return `${lines.join('\n')}\n`;
}

export function renderWeekly(r: WeeklyReport, format: ReportFormat, options: WeeklyTextOptions = {}): string {
  switch (format) {
    case 'json':
      return renderWeeklyJson(r, options.bill);
    case 'csv':
      return renderWeeklyCsv(r);
    case 'markdown':
      return renderWeeklyMarkdown(r, options);
  }
}

/** SNS e-mail subjects: at most 100 printable ASCII characters, no line breaks. */
export const SNS_SUBJECT_MAX = 100;

/**
 * The digest's subject: the headline figure first, then the rate now when it changed mid-window, else the change
 * against the previous window; cut to SNS's limit and to printable ASCII.
 */
export function digestSubject(r: WeeklyReport): string {
  const net = r.totals.netSavingsUSD;
  const prev = r.totals.previous.netSavingsUSD;
  const { changedAtMs, perDayNowUSD: now } = r.trend;
  const tail =
    changedAtMs !== null
      ? `; ${savingOrLosing(now)}/day since ${shortDay(changedAtMs)}`
      : signChanged(prev, net)
        ? ` (from ${savingOrLosing(prev)})`
        : ` (${signedUsd(net - prev)} vs ${lastWindow(r)})`;
  const text = `Prompt caching ${netWords(net)}, ${windowLabel(r.window)}${tail}`;
  const ascii = text.replace(/[^\x20-\x7e]/g, '');
  return ascii.length <= SNS_SUBJECT_MAX ? ascii : `${ascii.slice(0, SNS_SUBJECT_MAX - 3)}...`;
}
