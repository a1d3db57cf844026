/**
 * What `prompt-cache reconcile` reads: the bill's Bedrock lines from Cost Explorer, then AWS/Bedrock's token Sums for
 * the same days in every region the bill names (CloudWatch is regional, the bill is not), with the application
 * inference profiles of each region priced by their routes.
 */
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { CostExplorerClient } from '@aws-sdk/client-cost-explorer';
import type { PromptCacheConfig } from '../core/config';
import { withRegionRoutes, type InferenceProfileRoutes } from '../core/inference-profiles';
import { parseUsageType, type BilledLine, type RegionUsage } from '../core/reconcile';
import type { RunLog } from '../core/publish-run';
import { readBedrockBill } from './cost-explorer';
import { readWindowUsage } from './weekly-source';

export interface ReconcileSources {
  readonly ce: CostExplorerClient;
  /** A CloudWatch client (and a profile resolver) per region the bill names. */
  readonly region: (region: string) => { readonly cloudWatch: CloudWatchClient; readonly profiles?: InferenceProfileRoutes };
  readonly log: RunLog;
  readonly onProgress?: (message: string) => void;
}

export interface ReconcileRead {
  readonly lines: BilledLine[];
  readonly usage: RegionUsage[];
  /** The config with every region's routed application profiles as their priceAs. */
  readonly config: PromptCacheConfig;
  readonly costExplorerRequests: number;
  readonly regions: string[];
}

/** The regions of the bill's mapped lines (Cost Explorer's REGION, else the usage type's prefix), sorted. */
export function billedRegions(lines: readonly BilledLine[], config: PromptCacheConfig): string[] {
  const regions = new Set<string>();
  for (const l of lines) {
    const m = parseUsageType(l.usageType, config.reconcile.usageTypes);
    if ('unmapped' in m) continue;
    regions.add(l.region && l.region !== 'NoRegion' ? l.region : m.region);
  }
  return [...regions].sort();
}

export async function readReconcileInputs(
  config: PromptCacheConfig,
  window: { readonly startMs: number; readonly endMs: number; readonly start: string; readonly end: string },
  sources: ReconcileSources,
): Promise<ReconcileRead> {
  const bill = await readBedrockBill(sources.ce, window, config.reconcile.services);
  sources.onProgress?.(`  Cost Explorer: ${bill.lines.length} lines in ${bill.requests} GetCostAndUsage requests`);
  const regions = billedRegions(bill.lines, config);
  const usage: RegionUsage[] = [];
  let priced = config;
  const days = Math.round((window.endMs - window.startMs) / 86_400_000);
  const w = { startMs: window.startMs, endMs: window.endMs, days };
  for (const region of regions) {
    const { cloudWatch, profiles } = sources.region(region);
    const read = await readWindowUsage(cloudWatch, config, w, sources.log, profiles ? { profiles } : {});
    const models = read.models;
    usage.push({ region, models });
    priced = withRegionRoutes(priced, read.config);
    sources.onProgress?.(`  ${region}: ${models.length} models with tokens in CloudWatch`);
  }
  return { lines: bill.lines, usage, config: priced, costExplorerRequests: bill.requests, regions };
}
