/**
 * The weekly cost review's model: the report of report.ts for a window, the same figures for the window before it,
 * the change between them, a "needs attention" list and the daily series the chart draws. Pure.
 */
import type { PromptCacheConfig } from './config';
import { addTokens, ZERO_TOKENS, type TokenCounts } from './contract';
import { DAY_MS } from './periods';
import { resolveModelPrice } from './prices';
import { buildReport, type ReportRow, type ReportTotals } from './report';
import { formatUsd as usd } from './report-format';
import { cacheHitRatioPercent, computeDollars } from './savings';

export interface DailyUsage {
  readonly modelId: string;
  readonly dayStartMs: number;
  readonly tokens: TokenCounts;
}

export interface ReviewWindow {
  /** Inclusive start, UTC midnight. */
  readonly startMs: number;
  /** Exclusive end, UTC midnight. */
  readonly endMs: number;
  readonly days: number;
}

/** The window ending at `endMs` and the one of the same length before it. */
export function reviewWindows(endMs: number, days: number): { current: ReviewWindow; previous: ReviewWindow } {
  const startMs = endMs - days * DAY_MS;
  return { current: { startMs, endMs, days }, previous: { startMs: startMs - days * DAY_MS, endMs: startMs, days } };
}

export interface Change {
  /** current − previous; null when either side has no dollars (unpriced). */
  readonly netSavingsUSD: number | null;
  /** (current − previous) / |previous| × 100; null when previous is 0 or null. */
  readonly netSavingsPercent: number | null;
  readonly costWithCacheUSD: number | null;
  /** Hit ratio, current − previous, in percentage points; null when either is undefined. */
  readonly cacheHitRatioPoints: number | null;
}

type Figures = Omit<ReportRow, 'modelId' | 'displayName' | 'priceSource'>;
export type PreviousFigures = Figures;

export interface WeeklyRow extends ReportRow {
  readonly previous: PreviousFigures;
  readonly change: Change;
}

export interface WeeklyTotals extends ReportTotals {
  readonly previous: ReportTotals;
  readonly change: Change;
}

export type AttentionReason = 'misconfigured' | 'hit-ratio-drop' | 'money-left-on-table' | 'unpriced';

export interface AttentionItem {
  readonly modelId: string;
  readonly displayName?: string;
  readonly reason: AttentionReason;
  readonly message: string;
  /** Dollars at stake where they can be estimated (money left on the table), else null. */
  readonly estimatedUSD: number | null;
}

export interface DailySeries {
  readonly days: readonly number[];
  /** Net savings per model per day (null: unpriced). */
  readonly models: readonly { readonly modelId: string; readonly label: string; readonly netSavingsUSD: readonly (number | null)[] }[];
  /** Token-weighted hit ratio of all models per day: Σ read / Σ (read + write); null on days without cache traffic. */
  readonly cacheHitRatioPercent: readonly (number | null)[];
}

export interface WeeklyReport {
  readonly window: ReviewWindow;
  readonly previousWindow: ReviewWindow;
  readonly models: WeeklyRow[];
  readonly totals: WeeklyTotals;
  readonly attention: AttentionItem[];
  readonly daily: DailySeries;
}

function sumWindow(daily: readonly DailyUsage[], w: ReviewWindow): { modelId: string; tokens: TokenCounts }[] {
  const sums = new Map<string, TokenCounts>();
  for (const d of daily) {
    if (d.dayStartMs < w.startMs || d.dayStartMs >= w.endMs) continue;
    sums.set(d.modelId, addTokens(sums.get(d.modelId) ?? ZERO_TOKENS, d.tokens));
  }
  return [...sums].map(([modelId, tokens]) => ({ modelId, tokens }));
}

const minus = (a: number | null, b: number | null) => (a === null || b === null ? null : a - b);

function change(
  current: Pick<Figures, 'netSavingsUSD' | 'costWithCacheUSD' | 'cacheHitRatioPercent'>,
  previous: Pick<Figures, 'netSavingsUSD' | 'costWithCacheUSD' | 'cacheHitRatioPercent'>,
): Change {
  const net = minus(current.netSavingsUSD, previous.netSavingsUSD);
  return {
    netSavingsUSD: net,
    netSavingsPercent: net === null || !previous.netSavingsUSD ? null : (100 * net) / Math.abs(previous.netSavingsUSD),
    costWithCacheUSD: minus(current.costWithCacheUSD, previous.costWithCacheUSD),
    cacheHitRatioPoints: minus(current.cacheHitRatioPercent, previous.cacheHitRatioPercent),
  };
}

function figures(row: ReportRow): Figures {
  const { modelId: _m, displayName: _d, priceSource: _p, ...rest } = row;
  return rest;
}

const label = (r: Pick<ReportRow, 'modelId' | 'displayName'>) => r.displayName ?? r.modelId;

/** Builds the weekly review from daily token Sums covering both windows. */
export function buildWeeklyReport(
  daily: readonly DailyUsage[],
  windows: { current: ReviewWindow; previous: ReviewWindow },
  config: PromptCacheConfig,
): WeeklyReport {
  const previousUsage = sumWindow(daily, windows.previous);
  // A model busy last week and silent this week still gets a row (idle, with its change).
  const current = buildReport(
    [...sumWindow(daily, windows.current), ...previousUsage.map((u) => ({ modelId: u.modelId, tokens: ZERO_TOKENS }))],
    config,
  );
  // Rows of the previous window for every model of this one (a model new this week was idle before).
  const previous = buildReport([...previousUsage, ...current.models.map((r) => ({ modelId: r.modelId, tokens: ZERO_TOKENS }))], config);
  const previousById = new Map(previous.models.map((r) => [r.modelId, r]));
  const models: WeeklyRow[] = current.models.map((row) => {
    const before = previousById.get(row.modelId) as ReportRow;
    return { ...row, previous: figures(before), change: change(row, before) };
  });

  const attention: AttentionItem[] = [];
  const add = (row: ReportRow, reason: AttentionReason, message: string, estimatedUSD: number | null = null) =>
    attention.push({
      modelId: row.modelId,
      ...(row.displayName !== undefined ? { displayName: row.displayName } : {}),
      reason,
      message,
      estimatedUSD,
    });
  for (const row of models) {
    if (row.status === 'misconfigured') {
      add(
        row,
        'misconfigured',
        `${label(row)}: ${row.cacheWriteInputTokens.toLocaleString('en-US')} cache-write tokens and no reads: the cached prefix never matches (write premium ${usd(row.writePremiumUSD ?? 0)} for nothing)`,
        row.writePremiumUSD,
      );
    }
    if (row.change.cacheHitRatioPoints !== null && row.change.cacheHitRatioPoints < -config.report.hitRatioDropPoints) {
      add(
        row,
        'hit-ratio-drop',
        `${label(row)}: hit ratio fell ${(-row.change.cacheHitRatioPoints).toFixed(1)} points, from ${(row.previous.cacheHitRatioPercent ?? 0).toFixed(1)}% to ${(row.cacheHitRatioPercent ?? 0).toFixed(1)}%`,
      );
    }
    if (row.status === 'not-enabled') {
      // Had every uncached input token been read from the cache instead: the read discount it would have earned.
      const model = config.models.find((m) => m.modelId === row.modelId);
      const price = resolveModelPrice(model, row.modelId, config.pricing);
      const estimate = price ? computeDollars({ ...ZERO_TOKENS, cacheReadInputTokens: row.inputTokens }, price).readDiscountUSD : 0;
      if (estimate > config.report.moneyLeftOnTableMinUSD) {
        add(
          row,
          'money-left-on-table',
          `${label(row)}: ${row.inputTokens.toLocaleString('en-US')} uncached input tokens and no caching: up to ${usd(estimate)} left on the table at the cache-read price`,
          estimate,
        );
      }
    }
    if (row.status === 'unpriced') {
      const tokens = row.inputTokens + row.cacheReadInputTokens + row.cacheWriteInputTokens + row.outputTokens;
      add(
        row,
        'unpriced',
        `${label(row)}: ${tokens.toLocaleString('en-US')} tokens with no known price, left out of the dollars; add it to pricing or set priceAs`,
      );
    }
  }

  const days: number[] = [];
  for (let d = windows.current.startMs; d < windows.current.endMs; d += DAY_MS) days.push(d);
  // One pass over the daily usage: tokens per (model, day) and per day over all models.
  const byModelDay = new Map<string, TokenCounts>();
  const byDay = new Map<number, TokenCounts>();
  for (const u of daily) {
    const key = `${u.modelId}|${u.dayStartMs}`;
    byModelDay.set(key, addTokens(byModelDay.get(key) ?? ZERO_TOKENS, u.tokens));
    byDay.set(u.dayStartMs, addTokens(byDay.get(u.dayStartMs) ?? ZERO_TOKENS, u.tokens));
  }
  const series = models.map((row) => {
    const price = resolveModelPrice(
      config.models.find((m) => m.modelId === row.modelId),
      row.modelId,
      config.pricing,
    );
    const netSavingsUSD = days.map((d) =>
      price ? computeDollars(byModelDay.get(`${row.modelId}|${d}`) ?? ZERO_TOKENS, price).netSavingsUSD : null,
    );
    return { modelId: row.modelId, label: label(row), netSavingsUSD };
  });
  const hitRatio = days.map((d) => cacheHitRatioPercent(byDay.get(d) ?? ZERO_TOKENS));

  return {
    window: windows.current,
    previousWindow: windows.previous,
    models,
    totals: { ...current.totals, previous: previous.totals, change: change(current.totals, previous.totals) },
    attention,
    daily: { days, models: series, cacheHitRatioPercent: hitRatio },
  };
}
