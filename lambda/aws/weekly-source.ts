/**
 * Daily AWS/Bedrock token Sums per model for the weekly review's two windows, read the way the publisher reads them
 * (models from ListMetrics plus the config; GetMetricData batched and paginated), in one pass over both windows.
 */
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { PromptCacheConfig } from '../core/config';
import { pricedWithProfiles, type InferenceProfileRoutes } from '../core/inference-profiles';
import { DAY_MS } from '../core/periods';
import type { RunLog } from '../core/publish-run';
import type { DailyUsage, ReviewWindow } from '../core/weekly';
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
