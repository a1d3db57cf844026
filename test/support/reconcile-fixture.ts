/**
 * A seeded month for `prompt-cache reconcile`: three models in us-east-1 (support-bot through the `us.` geo profile,
 * code-review through the `global.` profile with 1-hour writes the bill separates, claims-triage an application
 * profile priced as Haiku 4.5 in-region), Cost Explorer's lines for them (code-review billed at a 10% discount) and
 * one usage type the catalog does not price (a priority-tier input line). Shared by the core test and the one against
 * moto's Cost Explorer.
 */
import type { ConfigInput } from '../../lambda/core/config';
import type { BilledLine, RegionUsage } from '../../lambda/core/reconcile';

export const SUPPORT = 'us.anthropic.claude-3-7-sonnet-20250219-v1:0';
export const CODE = 'global.anthropic.claude-sonnet-4-5-20250929-v1:0';
export const TRIAGE = 'arn:aws:bedrock:us-east-1:111122223333:application-inference-profile/a1b2c3d4e5f6';
export const ONE_HOUR_WRITES = 'USE1-Claude4.5Sonnet-cache-write-1h-input-token-count-cross-region-global';

export const RECONCILE_CONFIG: ConfigInput = {
  models: [
    { modelId: SUPPORT, displayName: 'support-bot' },
    { modelId: CODE, displayName: 'code-review', cacheWriteTtl: '1h' },
    { modelId: TRIAGE, displayName: 'claims-triage', priceAs: 'anthropic.claude-haiku-4-5-20251001-v1:0' },
  ],
  reconcile: {
    tokensPerUsageUnit: 'auto',
    usageTypes: {
      [ONE_HOUR_WRITES]: { model: 'anthropic.claude-sonnet-4-5-20250929-v1:0', tokenClass: 'cacheWrite', ttl: '1h', routing: 'global' },
    },
  },
};

export const WINDOW = { start: '2026-11-01', end: '2026-12-01' };

/** The same bill as billed in another region (its usage-type prefix, e.g. `EUN1` for eu-north-1). */
export function billedLines(region = 'us-east-1', prefix = 'USE1'): BilledLine[] {
  return US_EAST_1_LINES.map((l) => ({ ...l, region, usageType: l.usageType.replace(/^USE1-/, `${prefix}-`) }));
}

/** The bill: quantities in 1K tokens, costs as Cost Explorer writes them; support-bot's input over two days. */
const US_EAST_1_LINES: readonly BilledLine[] = [
  {
    day: '2026-11-03',
    usageType: 'USE1-Claude3.7Sonnet-input-tokens-cross-region-geo',
    region: 'us-east-1',
    quantity: 600,
    cost: '1.8000000000',
  },
  { day: '2026-11-04', usageType: 'USE1-Claude3.7Sonnet-input-tokens-cross-region-geo', region: 'us-east-1', quantity: 400, cost: '1.2' },
  { day: '2026-11-04', usageType: 'USE1-Claude3.7Sonnet-output-tokens-cross-region-geo', region: 'us-east-1', quantity: 200, cost: '3' },
  {
    day: '2026-11-04',
    usageType: 'USE1-Claude3.7Sonnet-cache-read-input-token-count-cross-region-geo',
    region: 'us-east-1',
    quantity: 5000,
    cost: '1.5',
  },
  {
    day: '2026-11-04',
    usageType: 'USE1-Claude3.7Sonnet-cache-write-input-token-count-cross-region-geo',
    region: 'us-east-1',
    quantity: 1000,
    cost: '3.75',
  },
  {
    day: '2026-11-10',
    usageType: 'USE1-Claude4.5Sonnet-input-tokens-cross-region-global',
    region: 'us-east-1',
    quantity: 2000,
    cost: '5.4',
  },
  {
    day: '2026-11-10',
    usageType: 'USE1-Claude4.5Sonnet-output-tokens-cross-region-global',
    region: 'us-east-1',
    quantity: 500,
    cost: '6.75',
  },
  {
    day: '2026-11-10',
    usageType: 'USE1-Claude4.5Sonnet-cache-read-input-token-count-cross-region-global',
    region: 'us-east-1',
    quantity: 20000,
    cost: '5.4',
  },
  {
    day: '2026-11-10',
    usageType: 'USE1-Claude4.5Sonnet-cache-write-input-token-count-cross-region-global',
    region: 'us-east-1',
    quantity: 500,
    cost: '1.6875',
  },
  { day: '2026-11-10', usageType: ONE_HOUR_WRITES, region: 'us-east-1', quantity: 1500, cost: '8.1' },
  { day: '2026-11-20', usageType: 'USE1-Claude4.5Haiku-input-tokens', region: 'us-east-1', quantity: 4000, cost: '4.4' },
  { day: '2026-11-20', usageType: 'USE1-Claude4.5Haiku-output-tokens', region: 'us-east-1', quantity: 1000, cost: '5.5' },
  { day: '2026-11-21', usageType: 'USE1-Claude4.5Sonnet-input-tokens-priority', region: 'us-east-1', quantity: 100, cost: '0.75' },
];

export const BILLED_LINES: readonly BilledLine[] = billedLines();

/** AWS/Bedrock's token Sums over the window, per ModelId. */
export const CLOUDWATCH_USAGE: readonly RegionUsage[] = [
  {
    region: 'us-east-1',
    models: [
      { modelId: SUPPORT, tokens: { inputTokens: 1e6, outputTokens: 0.2e6, cacheReadInputTokens: 5e6, cacheWriteInputTokens: 1e6 } },
      { modelId: CODE, tokens: { inputTokens: 2e6, outputTokens: 0.5e6, cacheReadInputTokens: 20e6, cacheWriteInputTokens: 2e6 } },
      { modelId: TRIAGE, tokens: { inputTokens: 4e6, outputTokens: 1e6, cacheReadInputTokens: 0, cacheWriteInputTokens: 0 } },
    ],
  },
];
