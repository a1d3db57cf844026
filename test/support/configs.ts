/** Configs the tests and the bench share. */
import { parseConfig, type PromptCacheConfig } from '../../lambda/core/config';

/**
 * `n` priced models (so each gets all three alarm families) with a display name. `long`: application inference profile
 * ARNs (93 characters, the longest ids); otherwise ids as long as real inference profile ids (44 characters, like
 * `us.anthropic.claude-3-7-sonnet-20250219-v1:0`).
 */
export function benchConfig(n: number, long = false): PromptCacheConfig {
  const id = (i: number) => String(i).padStart(3, '0');
  return parseConfig(
    {
      models: Array.from({ length: n }, (_, i) => ({
        modelId: long
          ? `arn:aws:bedrock:us-east-1:111122223333:application-inference-profile/bench${id(i)}x7k2q9`
          : `us.anthropic.claude-workload-${id(i)}-20250219-v1:0`,
        displayName: `workload-${id(i)}`,
        priceAs: 'anthropic.claude-sonnet-4-5-20250929-v1:0',
      })),
    },
    'bench',
  );
}

/** The same config with every model in precise mode (`models[].alarms.mode: "precise"`: alarms of its own). */
export function allPrecise(config: PromptCacheConfig): PromptCacheConfig {
  return parseConfig({ ...config, models: config.models.map((m) => ({ ...m, alarms: { ...m.alarms, mode: 'precise' } })) }, 'precise');
}
