/**
 * The report over many targets (regions, and accounts where they are read): each target's window priced in its own
 * region, one row per target with its totals, every model row with its target, and the totals of all of them. A
 * target with no token at all is reported as without data (null dollars, out of the totals), never as $0 of savings.
 * Pure.
 */
import type { PromptCacheConfig } from './config';
import { addTokens, ZERO_TOKENS, type TokenCounts } from './contract';
import { buildReport, totalTokenCount, type ModelUsage, type ReportRow, type ReportTotals } from './report';
import { cacheHitRatioPercent, cachedInputSharePercent } from './savings';

export interface TargetUsage {
  readonly region: string;
  /** The account, when the target is read across accounts. @default - the credentials' account */
  readonly account?: string;
  /** The window's token Sums per ModelId in that target. */
  readonly models: readonly ModelUsage[];
  /** The config that prices this target (a config target's own sections). @default - the fleet's config */
  readonly config?: PromptCacheConfig;
}

export type TargetStatus = 'data' | 'no-data';

export interface TargetRow {
  readonly region: string;
  readonly account: string | null;
  readonly status: TargetStatus;
  /** Models with any token. */
  readonly modelsWithTokens: number;
  /** Null without data. */
  readonly totals: ReportTotals | null;
}

export interface FleetReportRow extends ReportRow {
  readonly region: string;
  readonly account: string | null;
}

export interface FleetReport {
  readonly targets: TargetRow[];
  /** The rows of every target with data, each naming its target. */
  readonly models: FleetReportRow[];
  /** All targets with data. */
  readonly totals: ReportTotals;
}

const DOLLARS = ['costWithCacheUSD', 'costWithoutCacheUSD', 'readDiscountUSD', 'writePremiumUSD', 'netSavingsUSD'] as const;
/** Sums of dollars computed exactly per target: rounded to the picodollar they were exact to. */
const pico = (usd: number) => Math.round(usd * 1e12) / 1e12;

export function buildFleetReport(targets: readonly TargetUsage[], config: PromptCacheConfig): FleetReport {
  let tokens: TokenCounts = ZERO_TOKENS;
  const dollars = Object.fromEntries(DOLLARS.map((k) => [k, 0])) as Record<(typeof DOLLARS)[number], number>;
  let unpricedTokens = 0;
  const rows: TargetRow[] = [];
  const models: FleetReportRow[] = [];
  for (const t of targets) {
    const account = t.account ?? null;
    const used = t.models.filter((m) => totalTokenCount(m.tokens) > 0);
    if (used.length === 0) {
      rows.push({ region: t.region, account, status: 'no-data', modelsWithTokens: 0, totals: null });
      continue;
    }
    const own = t.config ?? config;
    const report = buildReport(used, { ...own, models: own.models.filter((m) => used.some((u) => u.modelId === m.modelId)) }, t.region);
    rows.push({ region: t.region, account, status: 'data', modelsWithTokens: used.length, totals: report.totals });
    for (const r of report.models) models.push({ ...r, region: t.region, account });
    tokens = addTokens(tokens, report.totals);
    for (const k of DOLLARS) dollars[k] = pico(dollars[k] + report.totals[k]);
    unpricedTokens += report.totals.unpricedTokens;
  }
  const totals: ReportTotals = {
    inputTokens: tokens.inputTokens,
    cacheReadInputTokens: tokens.cacheReadInputTokens,
    cacheWriteInputTokens: tokens.cacheWriteInputTokens,
    outputTokens: tokens.outputTokens,
    cacheHitRatioPercent: cacheHitRatioPercent(tokens),
    cachedInputSharePercent: cachedInputSharePercent(tokens),
    ...dollars,
    unpricedTokens,
  };
  return { targets: rows, models, totals };
}
