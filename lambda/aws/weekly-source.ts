/**
 * Daily AWS/Bedrock token Sums per model for the weekly review's two windows, read the way the publisher reads them
 * (models from ListMetrics plus the config; GetMetricData batched and paginated), in one pass over both windows.
 */
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { PromptCacheConfig } from '../core/config';
import { pricedWithProfiles, type InferenceProfileRoutes } from '../core/inference-profiles';
import { DAY_MS } from '../core/periods';
import type { RunLog } from '../core/publish-run';
import type { TokenCounts } from '../core/contract';
import { sumWindow, type DailyUsage, type ReviewWindow } from '../core/weekly';
import { BedrockTokenSource } from './bedrock-token-source';

export interface DailyUsageRead {
  readonly daily: DailyUsage[];
  readonly modelIds: string[];
  /** The config with the routed application inference profiles priced (see withProfileRoutes). */
  readonly config: PromptCacheConfig;
}

export async function readDailyUsage(
  cloudWatch: CloudWatchClient,
  config: PromptCacheConfig,
  windows: { current: ReviewWindow; previous: ReviewWindow },
  log: RunLog,
  onProgress?: (done: number, planned: number) => void,
  /** Where application inference profiles route, to price them without a hand-written priceAs. @default - none */
  profiles?: InferenceProfileRoutes,
  /**
   * A linked source account (12 digits) to read from the monitoring account of CloudWatch cross-account observability
   * (see BedrockTokenSource: known from AWS's documentation only). @default - the credentials' own account
   */
  account?: string,
): Promise<DailyUsageRead> {
  const source = new BedrockTokenSource(cloudWatch, config.bedrockMetricNames, log, onProgress, account);
  const discovered = await source.discoverModelIds();
  const configured = config.models.map((m) => m.modelId);
  const modelIds = [...configured, ...discovered.filter((id) => !configured.includes(id))];
  const sums = await source.readTokenSums(modelIds, windows.previous.startMs, windows.current.endMs, DAY_MS);
  const daily: DailyUsage[] = [];
  for (const [modelId, byDay] of sums) for (const [dayStartMs, tokens] of byDay) daily.push({ modelId, dayStartMs, tokens });
  return { daily, modelIds, config: await pricedWithProfiles(config, modelIds, profiles) };
}

/** One window's token Sums per model (no previous window), and the config priced with the profiles found. */
export interface WindowUsageRead {
  readonly models: { modelId: string; tokens: TokenCounts }[];
  readonly config: PromptCacheConfig;
}

/**
 * The token Sums of each model over one window (reconcile, the report over many targets, the fleet digest): the daily
 * Sums of {@link readDailyUsage}, summed over the window.
 */
export async function readWindowUsage(
  cloudWatch: CloudWatchClient,
  config: PromptCacheConfig,
  window: Pick<ReviewWindow, 'startMs' | 'endMs' | 'days'>,
  log: RunLog,
  options: { readonly profiles?: InferenceProfileRoutes; readonly account?: string } = {},
): Promise<WindowUsageRead> {
  const w = { startMs: window.startMs, endMs: window.endMs, days: window.days };
  const read = await readDailyUsage(cloudWatch, config, { current: w, previous: w }, log, undefined, options.profiles, options.account);
  return { models: sumWindow(read.daily, w), config: read.config };
}
