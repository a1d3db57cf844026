/**
 * The weekly cost review's model: the report of report.ts for a window, the same figures for the window before it,
 * the change between them, the daily series of both windows (to tell since when a problem runs and what it costs a day
 * now), the actions ranked by the dollars at stake a week, the daily net savings trend and the series the chart draws.
 * Pure.
 */
import type { PromptCacheConfig } from './config';
import { addTokens, ZERO_TOKENS, type TokenCounts } from './contract';
import { percent, points, shortDay, tokens as humanTokens, usd } from './human-numbers';
import { DAY_MS } from './periods';
import { resolveModelPrice, type ResolvedPrice } from './prices';
import { buildReport, totalTokenCount, type ReportRow, type ReportTotals } from './report';
import { modelNames } from './report-format';
import { breakEvenHitRatioPercent, cacheHitRatioPercent, computeDollars } from './savings';

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
  /** The hit ratio at which caching breaks even at this model's prices; null when unpriced. */
  readonly breakEvenHitRatioPercent: number | null;
  readonly previous: PreviousFigures;
  readonly change: Change;
}

export interface WeeklyTotals extends ReportTotals {
  readonly previous: ReportTotals;
  readonly change: Change;
}

export type AttentionReason = 'losing-money' | 'misconfigured' | 'hit-ratio-drop' | 'money-left-on-table' | 'unpriced';

export interface AttentionItem {
  readonly modelId: string;
  readonly displayName?: string;
  readonly reason: AttentionReason;
  /** The model and what is at stake: `code-review: $430 a week at stake`. */
  readonly title: string;
  /** Since when, what it costs a day now, what to do. */
  readonly detail: string;
  /** `title. detail` */
  readonly message: string;
  /** Dollars of the problem in the window (the loss, the write premium, the discount left on the table), else null. */
  readonly estimatedUSD: number | null;
  /**
   * The first UTC day of the run of days with the problem that lasts to the end of the window (days without the model's
   * traffic neither break nor start it); null when the days do not show one (a drop spread over the window).
   */
  readonly sinceMs: number | null;
  /** The run began before this window: the problem was already there in the previous one. */
  readonly stillOpen: boolean;
  /** The problem's dollars a day now: over the days of this window since `sinceMs` (else the whole window); null without dollars. */
  readonly perDayUSD: number | null;
  /** Net savings a day over the window's length of days before `sinceMs` (losing money, hit-ratio drop), else null. */
  readonly beforePerDayUSD: number | null;
  /**
   * What fixing it is worth a week (7 days): the daily cost now, plus for a model that saved money before the savings
   * a day it had then; null without dollars. The list is sorted by it, largest first (null last).
   */
  readonly atStakePerWeekUSD: number | null;
}

/** The daily net savings of all priced models: whether it changed sign mid-window, and the rate a day now. */
export interface NetTrend {
  /** The first day of the run of same-sign days that ends the window, when days of the other sign come before it; else null. */
  readonly changedAtMs: number | null;
  /** Net savings a day since `changedAtMs` (else over the window). */
  readonly perDayNowUSD: number;
  /** Net savings a day over the window's days before `changedAtMs`; null without a change. */
  readonly perDayBeforeUSD: number | null;
  /** With a change: the model whose net savings a day moved most the same way (its name), else null. */
  readonly mainModel: string | null;
}

export interface DailySeries {
  /** The days of the current window (UTC midnights). */
  readonly days: readonly number[];
  readonly models: readonly {
    readonly modelId: string;
    /** The model's name in the review: its display name, else a short form of its id. */
    readonly label: string;
    readonly breakEvenHitRatioPercent: number | null;
    /** Net savings per day (null: unpriced). */
    readonly netSavingsUSD: readonly (number | null)[];
    /** read / (read + write) per day; null on days without cache traffic. */
    readonly cacheHitRatioPercent: readonly (number | null)[];
  }[];
  /** Net savings of all priced models per day. */
  readonly netSavingsUSD: readonly number[];
  /** Token-weighted hit ratio of all models per day: Σ read / Σ (read + write); null on days without cache traffic. */
  readonly cacheHitRatioPercent: readonly (number | null)[];
}

export interface WeeklyReport {
  readonly window: ReviewWindow;
  readonly previousWindow: ReviewWindow;
  readonly models: WeeklyRow[];
  readonly totals: WeeklyTotals;
  /** Sorted by `atStakePerWeekUSD`, largest first; the review leads with the first three. */
  readonly attention: AttentionItem[];
  readonly trend: NetTrend;
  readonly daily: DailySeries;
}

/** Each model's token Sums over the days of `w` (a model with no day in it is absent). */
export function sumWindow(
  daily: readonly DailyUsage[],
  w: Pick<ReviewWindow, 'startMs' | 'endMs'>,
): { modelId: string; tokens: TokenCounts }[] {
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

/** One model's day: its tokens and, when priced, its dollars. */
interface Day {
  readonly startMs: number;
  readonly tokens: TokenCounts;
  readonly net: number | null;
  readonly writePremium: number | null;
}

type DayState = 'bad' | 'good' | 'neutral';

/**
 * The index of the first day of the run of `bad` days that ends the series (`neutral` days neither break nor start
 * it), or null when the last day that is not neutral is good (or there is none).
 */
function trailingRun(states: readonly DayState[]): number | null {
  let start: number | null = null;
  for (let i = states.length - 1; i >= 0; i--) {
    if (states[i] === 'good') break;
    if (states[i] === 'bad') start = i;
  }
  return start;
}

const mean = (values: readonly number[]) => (values.length === 0 ? null : values.reduce((a, b) => a + b, 0) / values.length);

/** Builds the weekly review from daily token Sums covering both windows, priced as in `priceRegion` (where they were read). */
export function buildWeeklyReport(
  daily: readonly DailyUsage[],
  windows: { current: ReviewWindow; previous: ReviewWindow },
  config: PromptCacheConfig,
  priceRegion?: string,
): WeeklyReport {
  const { current: window, previous: previousWindow } = windows;
  const previousUsage = sumWindow(daily, previousWindow);
  // A model busy last week and silent this week still gets a row (idle, with its change).
  const current = buildReport(
    [...sumWindow(daily, window), ...previousUsage.map((u) => ({ modelId: u.modelId, tokens: ZERO_TOKENS }))],
    config,
    priceRegion,
  );
  // Rows of the previous window for every model of this one (a model new this week was idle before).
  const previous = buildReport(
    [...previousUsage, ...current.models.map((r) => ({ modelId: r.modelId, tokens: ZERO_TOKENS }))],
    config,
    priceRegion,
  );
  const previousById = new Map(previous.models.map((r) => [r.modelId, r]));
  const prices = new Map<string, ResolvedPrice | undefined>(
    current.models.map((r) => [
      r.modelId,
      resolveModelPrice(
        config.models.find((m) => m.modelId === r.modelId),
        r.modelId,
        config,
        priceRegion,
      ),
    ]),
  );
  const models: WeeklyRow[] = current.models.map((row) => {
    const before = previousById.get(row.modelId) as ReportRow;
    const price = prices.get(row.modelId);
    return {
      ...row,
      breakEvenHitRatioPercent: price ? breakEvenHitRatioPercent(price) : null,
      previous: figures(before),
      change: change(row, before),
    };
  });
  const names = modelNames(models);

  // Both windows, day by day: tokens per (model, day) and per day over all models.
  const allDays: number[] = [];
  for (let d = previousWindow.startMs; d < window.endMs; d += DAY_MS) allDays.push(d);
  const byModelDay = new Map<string, TokenCounts>();
  const byDay = new Map<number, TokenCounts>();
  for (const u of daily) {
    const key = `${u.modelId}|${u.dayStartMs}`;
    byModelDay.set(key, addTokens(byModelDay.get(key) ?? ZERO_TOKENS, u.tokens));
    byDay.set(u.dayStartMs, addTokens(byDay.get(u.dayStartMs) ?? ZERO_TOKENS, u.tokens));
  }
  const daysOf = new Map<string, Day[]>(
    models.map((row) => {
      const price = prices.get(row.modelId);
      return [
        row.modelId,
        allDays.map((startMs) => {
          const t = byModelDay.get(`${row.modelId}|${startMs}`) ?? ZERO_TOKENS;
          const dollars = price ? computeDollars(t, price) : null;
          return { startMs, tokens: t, net: dollars?.netSavingsUSD ?? null, writePremium: dollars?.writePremiumUSD ?? null };
        }),
      ];
    }),
  );
  const firstCurrent = allDays.indexOf(window.startMs);
  const last = (days: readonly Day[]) => days.slice(firstCurrent);
  const sinceWord = (i: number) => `since ${shortDay(allDays[i])}${i === 0 ? ' or earlier' : ''}`;
  const lastWindow = window.days === 7 ? 'last week' : `the previous ${window.days} days`;
  const thisWindow = window.days === 7 ? 'this week' : `in these ${window.days} days`;
  /** A trailing run of bad days (see trailingRun) that reaches into this window; else null. */
  const runIn = (states: readonly DayState[]) => {
    const from = trailingRun(states);
    return from !== null && states.slice(firstCurrent).includes('bad') ? from : null;
  };
  const openText = (i: number) => (allDays[i] < window.startMs ? ` (still open from ${lastWindow})` : '');
  /**
   * The rate now: the mean a day of `f` over the window's days of the run from index `from` (else the whole window). A run
   * that starts inside the window started part-way through its first day, so with a later day to go by that first day
   * is left out.
   */
  const nowStart = (from: number | null) => {
    if (from === null || from < firstCurrent) return firstCurrent;
    return from + 1 < allDays.length ? from + 1 : from;
  };
  const ratePerDay = (days: readonly Day[], from: number | null, f: (d: Day) => number) =>
    mean(days.slice(nowStart(from)).map(f)) as number;
  /** Mean net savings a day over the window's length of days before index `from`; null when there are none. */
  const beforePerDay = (days: readonly Day[], from: number | null) =>
    from === null ? null : mean(days.slice(Math.max(0, from - window.days), from).map((d) => d.net ?? 0));

  const attention: AttentionItem[] = [];
  for (const row of models) {
    const name = names.get(row.modelId) as string;
    const days = daysOf.get(row.modelId) as Day[];
    const cacheTraffic = (d: Day) => d.tokens.cacheReadInputTokens + d.tokens.cacheWriteInputTokens > 0;
    const item = (
      reason: AttentionReason,
      from: number | null,
      rest: Omit<AttentionItem, 'modelId' | 'displayName' | 'reason' | 'sinceMs' | 'stillOpen' | 'message'>,
    ) =>
      attention.push({
        modelId: row.modelId,
        ...(row.displayName !== undefined ? { displayName: row.displayName } : {}),
        reason,
        ...rest,
        message: `${rest.title}. ${rest.detail}`,
        sinceMs: from === null ? null : allDays[from],
        stillOpen: from !== null && allDays[from] < window.startMs,
      });
    const when = (from: number | null) => (from === null ? thisWindow : `${sinceWord(from)}${openText(from)}`);

    if (row.status === 'unpriced') {
      const from = runIn(days.map((d) => (totalTokenCount(d.tokens) > 0 ? 'bad' : 'neutral')));
      item('unpriced', from, {
        title: `${name}: ${humanTokens(totalTokenCount(row))} tokens ${thisWindow} with no known price`,
        detail: `Unpriced ${when(from)}, left out of the dollars. Add it to pricing or set priceAs.`,
        estimatedUSD: null,
        perDayUSD: null,
        beforePerDayUSD: null,
        atStakePerWeekUSD: null,
      });
      continue;
    }
    if (row.status === 'idle' || row.netSavingsUSD === null) continue;

    // Writes and never a read: the cached prefix never matches.
    const misconfigured = runIn(days.map((d) => (!cacheTraffic(d) ? 'neutral' : d.tokens.cacheReadInputTokens === 0 ? 'bad' : 'good')));
    if (row.status === 'misconfigured' || misconfigured !== null) {
      const perDay = ratePerDay(days, misconfigured, (d) => d.writePremium ?? 0);
      const stake = 7 * perDay;
      item('misconfigured', misconfigured, {
        title: `${name}: ${usd(stake)} a week at stake`,
        detail: `It writes its cache and never reads it ${when(misconfigured)}: ${usd(perDay)} a day of write premium for nothing (${humanTokens(row.cacheWriteInputTokens)} cache-write tokens ${thisWindow}). Make the prompt before the cache point identical across calls, or stop caching it.`,
        estimatedUSD: row.writePremiumUSD,
        perDayUSD: perDay,
        beforePerDayUSD: null,
        atStakePerWeekUSD: stake,
      });
      continue;
    }

    // Caching costs more than it saves: net savings below $0 on the days with cache traffic.
    const losing = runIn(days.map((d) => (!cacheTraffic(d) ? 'neutral' : (d.net as number) < 0 ? 'bad' : 'good')));
    if (row.status === 'losing-money' || losing !== null) {
      const perDay = -ratePerDay(days, losing, (d) => d.net ?? 0);
      const before = beforePerDay(days, losing);
      const stake = 7 * (Math.max(perDay, 0) + Math.max(before ?? 0, 0));
      const ratio = cacheHitRatioPercent(days.slice(nowStart(losing)).reduce((t, d) => addTokens(t, d.tokens), ZERO_TOKENS));
      const after = before !== null && before > 0 ? `, after saving ${usd(before)} a day before` : '';
      item('losing-money', losing, {
        title: `${name}: ${usd(stake)} a week at stake`,
        detail: `Caching loses ${usd(perDay)} a day ${when(losing)}${after}; hit ratio ${percent(ratio)} against a break-even of ${percent(row.breakEvenHitRatioPercent)}. Find what changed in the cached prefix, or stop caching it.`,
        estimatedUSD: row.netSavingsUSD < 0 ? -row.netSavingsUSD : null,
        perDayUSD: perDay,
        beforePerDayUSD: before,
        atStakePerWeekUSD: stake,
      });
      continue;
    }

    const drop = row.change.cacheHitRatioPoints;
    if (drop !== null && drop < -config.report.hitRatioDropPoints) {
      const floor = (row.previous.cacheHitRatioPercent as number) - config.report.hitRatioDropPoints;
      const from = runIn(
        days.map((d) => {
          const r = cacheHitRatioPercent(d.tokens);
          return r === null ? 'neutral' : r < floor ? 'bad' : 'good';
        }),
      );
      const now = ratePerDay(days, from, (d) => d.net ?? 0);
      const before = beforePerDay(days, from) ?? (row.previous.netSavingsUSD as number) / previousWindow.days;
      const stake = before > now ? 7 * (before - now) : null;
      item('hit-ratio-drop', from, {
        title: stake === null ? `${name}: hit ratio ${points(drop)}` : `${name}: ${usd(stake)} a week at stake`,
        detail: `Hit ratio ${points(drop)} ${when(from)}, from ${percent(row.previous.cacheHitRatioPercent)} to ${percent(row.cacheHitRatioPercent)}; caching still saves ${usd(now)} a day${before > now ? `, down from ${usd(before)}` : ''}. Find what changed in the cached prefix.`,
        estimatedUSD: null,
        perDayUSD: stake === null ? null : before - now,
        beforePerDayUSD: before,
        atStakePerWeekUSD: stake,
      });
      continue;
    }

    if (row.status === 'not-enabled') {
      // Had every uncached input token been read from the cache instead: the read discount it would have earned.
      const price = prices.get(row.modelId) as ResolvedPrice;
      const discount = (t: TokenCounts) => computeDollars({ ...ZERO_TOKENS, cacheReadInputTokens: t.inputTokens }, price).readDiscountUSD;
      const estimate = discount(row);
      if (estimate > config.report.moneyLeftOnTableMinUSD) {
        const from = runIn(days.map((d) => (d.tokens.inputTokens > 0 ? 'bad' : 'neutral')));
        const perDay = ratePerDay(days, from, (d) => discount(d.tokens));
        item('money-left-on-table', from, {
          title: `${name}: up to ${usd(7 * perDay)} a week left on the table`,
          detail: `${humanTokens(row.inputTokens)} uncached input tokens ${thisWindow} and no caching ${when(from)}: up to ${usd(perDay)} a day at the cache-read price. Add a cache point after the prompt prefix its calls share.`,
          estimatedUSD: estimate,
          perDayUSD: perDay,
          beforePerDayUSD: null,
          atStakePerWeekUSD: 7 * perDay,
        });
      }
    }
  }
  attention.sort((a, b) => (b.atStakePerWeekUSD ?? -1) - (a.atStakePerWeekUSD ?? -1));

  // The chart's series and the trend: the current window only.
  const days = allDays.slice(firstCurrent);
  const series = models.map((row) => {
    const d = last(daysOf.get(row.modelId) as Day[]);
    return {
      modelId: row.modelId,
      label: names.get(row.modelId) as string,
      breakEvenHitRatioPercent: row.breakEvenHitRatioPercent,
      netSavingsUSD: d.map((x) => x.net),
      cacheHitRatioPercent: d.map((x) => cacheHitRatioPercent(x.tokens)),
    };
  });
  const totalNet = days.map((_, i) => series.reduce((sum, m) => sum + (m.netSavingsUSD[i] ?? 0), 0));

  return {
    window,
    previousWindow,
    models,
    totals: { ...current.totals, previous: previous.totals, change: change(current.totals, previous.totals) },
    attention,
    trend: netTrend(days, totalNet, series),
    daily: {
      days,
      models: series,
      netSavingsUSD: totalNet,
      cacheHitRatioPercent: days.map((d) => cacheHitRatioPercent(byDay.get(d) ?? ZERO_TOKENS)),
    },
  };
}

/** Whether the daily net savings changed sign within the window, and the rates before and since. */
function netTrend(
  days: readonly number[],
  net: readonly number[],
  models: readonly { label: string; netSavingsUSD: readonly (number | null)[] }[],
): NetTrend {
  const sign = (v: number) => (v < 0 ? -1 : v > 0 ? 1 : 0);
  const nonZero = net.map(sign).filter((s) => s !== 0);
  const now = nonZero[nonZero.length - 1];
  const from = now === undefined ? null : trailingRun(net.map((v) => (sign(v) === 0 ? 'neutral' : sign(v) === now ? 'bad' : 'good')));
  const changed = from !== null && net.slice(0, from).some((v) => sign(v) === -now);
  if (!changed) return { changedAtMs: null, perDayNowUSD: mean(net) ?? 0, perDayBeforeUSD: null, mainModel: null };
  const at = from as number;
  const shift = (values: readonly (number | null)[]) => {
    const v = values.map((x) => x ?? 0);
    return (mean(v.slice(at)) as number) - (mean(v.slice(0, at)) as number);
  };
  // The model that moved most in the direction of the change.
  const main = [...models].sort((a, b) => now * (shift(b.netSavingsUSD) - shift(a.netSavingsUSD)))[0];
  // As for a model's run: the day the change began is partly the old rate, so the rate now leaves it out.
  return {
    changedAtMs: days[at],
    perDayNowUSD: mean(net.slice(at + 1 < net.length ? at + 1 : at)) as number,
    perDayBeforeUSD: mean(net.slice(0, at)) as number,
    mainModel: main?.label ?? null,
  };
}

/** The review window's tokens per model, as the bill line compares them. */
export function windowTokens(r: WeeklyReport): { modelId: string; tokens: TokenCounts }[] {
  return r.models.map((m) => ({
    modelId: m.modelId,
    tokens: {
      inputTokens: m.inputTokens,
      cacheReadInputTokens: m.cacheReadInputTokens,
      cacheWriteInputTokens: m.cacheWriteInputTokens,
      outputTokens: m.outputTokens,
    },
  }));
}
