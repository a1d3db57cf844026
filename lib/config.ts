/**
 * Loads the config for `cdk synth` (cdk.json context key `promptCacheMonitoring`, or the JSON file named by
 * `-c promptCacheConfig=path`) and for the CLI (`--config FILE`). The schema itself lives in lambda/core/config/ so the
 * Lambda handlers validate with the very same rules.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ConfigError, parseConfig, type PromptCacheConfig } from '../lambda/core/config';

export { ConfigError, parseConfig } from '../lambda/core/config';
export type { ConfigInput, ModelConfig, PricingEntry, PromptCacheConfig, CacheWriteTtl } from '../lambda/core/config';

/** cdk.json context key holding the config inline. */
export const CONFIG_CONTEXT_KEY = 'promptCacheMonitoring';
/** cdk.json context key (or `-c`) naming a JSON config file; wins over the inline config. */
export const CONFIG_FILE_CONTEXT_KEY = 'promptCacheConfig';

/** Reads and validates a JSON config file; every problem names the file. */
export function loadConfigFile(path: string): PromptCacheConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ConfigError(path, [code === 'ENOENT' ? 'file not found; check the path' : `cannot read the file (${code ?? String(err)})`]);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(path, [`not valid JSON: ${(err as Error).message}`]);
  }
  return parseConfig(withPricesFile(raw, dirname(path), path), path);
}

/**
 * The config with the price file that `pricesFile` names (relative to `baseDir`) read into `priceFile`, where the schema
 * checks it with the config; a file that cannot be read or parsed is a config problem naming `pricesFile`.
 */
export function withPricesFile(raw: unknown, baseDir: string, source: string): unknown {
  const name = (raw as { pricesFile?: unknown } | null)?.pricesFile;
  if (typeof name !== 'string' || name === '') return raw;
  if ((raw as { priceFile?: unknown }).priceFile !== undefined)
    throw new ConfigError(source, ['pricesFile: the config also holds priceFile inline; give one of them']);
  const file = resolve(baseDir, name);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ConfigError(source, [
      `pricesFile: ${file} ${code === 'ENOENT' ? 'not found; write it with `prompt-cache prices --refresh --out FILE`' : `cannot be read (${code ?? String(err)})`}`,
    ]);
  }
  try {
    return { ...(raw as object), priceFile: JSON.parse(text) as unknown };
  } catch (err) {
    throw new ConfigError(source, [`pricesFile: ${file} is not valid JSON (${(err as Error).message})`]);
  }
}

/** Minimal view of a construct node's context, so this stays testable without an App. */
export interface ContextSource {
  tryGetContext(key: string): unknown;
}

/** The config for synth: the file named by `promptCacheConfig` if set, else the inline `promptCacheMonitoring` context. */
export function loadConfigFromContext(node: ContextSource): PromptCacheConfig {
  const file = node.tryGetContext(CONFIG_FILE_CONTEXT_KEY);
  if (typeof file === 'string' && file !== '') return loadConfigFile(file);
  const source = `cdk.json context "${CONFIG_CONTEXT_KEY}"`;
  // cdk runs in the folder of cdk.json: a pricesFile in its context is relative to it.
  return parseConfig(withPricesFile(node.tryGetContext(CONFIG_CONTEXT_KEY), process.cwd(), source), source);
}
