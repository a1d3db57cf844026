/**
 * Reads the Bedrock lines of the bill from Cost Explorer: GetCostAndUsage, daily, UnblendedCost and UsageQuantity,
 * grouped by usage type and region, filtered to the configured services, every page. Cost Explorer's endpoint is in
 * us-east-1 whatever the regions billed; each request costs $0.01.
 */
import { CostExplorerClient, GetCostAndUsageCommand, type GetCostAndUsageCommandOutput } from '@aws-sdk/client-cost-explorer';
import type { PromptCacheConfig } from '../core/config';
import { isoDay } from '../core/human-numbers';
import { compareWithBill, type BillComparison, type BilledLine, type RegionUsage } from '../core/reconcile';

/** Where Cost Explorer answers. */
export const COST_EXPLORER_REGION = 'us-east-1';

/** USD per GetCostAndUsage request (Cost Explorer API pricing). */
export const COST_EXPLORER_REQUEST_USD = 0.01;

export function createCostExplorerClient(): CostExplorerClient {
  return new CostExplorerClient({ region: COST_EXPLORER_REGION, maxAttempts: 5 });
}

export interface BillRead {
  readonly lines: BilledLine[];
  /** GetCostAndUsage requests made (pages). */
  readonly requests: number;
}

/** The bill's lines for `services` from `start` (inclusive) to `end` (exclusive), both YYYY-MM-DD. */
export async function readBedrockBill(
  ce: CostExplorerClient,
  window: { readonly start: string; readonly end: string },
  services: readonly string[],
): Promise<BillRead> {
  const lines: BilledLine[] = [];
  let requests = 0;
  let token: string | undefined;
  do {
    const page: GetCostAndUsageCommandOutput = await ce.send(
      new GetCostAndUsageCommand({
        TimePeriod: { Start: window.start, End: window.end },
        Granularity: 'DAILY',
        Metrics: ['UnblendedCost', 'UsageQuantity'],
        Filter: { Dimensions: { Key: 'SERVICE', Values: [...services] } },
        GroupBy: [
          { Type: 'DIMENSION', Key: 'USAGE_TYPE' },
          { Type: 'DIMENSION', Key: 'REGION' },
        ],
        ...(token ? { NextPageToken: token } : {}),
      }),
    );
    requests++;
    for (const day of page.ResultsByTime ?? []) {
      for (const g of day.Groups ?? []) {
        const [usageType, region] = g.Keys ?? [];
        if (!usageType) continue;
        lines.push({
          day: day.TimePeriod?.Start ?? window.start,
          usageType,
          ...(region ? { region } : {}),
          quantity: Number(g.Metrics?.UsageQuantity?.Amount ?? '0'),
          cost: g.Metrics?.UnblendedCost?.Amount ?? '0',
        });
      }
    }
    token = page.NextPageToken;
  } while (token);
  return { lines, requests };
}

/**
 * The weekly review's bill line: the bill of `window` in `region` beside the cost computed from `models`' tokens. A
 * bill that cannot be read (Cost Explorer not enabled, no permission, a throttle) is said in the line, not thrown: the
 * review goes out without it.
 */
export async function billBesideComputed(
  ce: CostExplorerClient,
  config: PromptCacheConfig,
  window: { readonly startMs: number; readonly endMs: number },
  region: string,
  models: RegionUsage['models'],
): Promise<{ readonly bill: BillComparison; readonly requests: number }> {
  const days = { start: isoDay(window.startMs), end: isoDay(window.endMs) };
  try {
    const read = await readBedrockBill(ce, days, config.reconcile.services);
    return { bill: compareWithBill(read.lines, region, models, config, days), requests: read.requests };
  } catch (err) {
    const e = err as Error;
    return { bill: { region, unavailable: `${e.name}: ${e.message}` }, requests: 1 };
  }
}
