/** Environment checks shared by the Lambda handlers: each collects its problems and fails once, naming them all. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseConfig, type PromptCacheConfig } from '../core/config';

/**
 * The file the CDK construct writes beside a pre-bundled handler (the packaged library's Lambda code), named by the
 * function's PROMPT_CACHE_CONFIG_FILE: a file, not an environment variable, because a config with many models exceeds
 * Lambda's 4 KB environment limit.
 */
export const CONFIG_FILE_NAME = 'prompt-cache-config.json';

/**
 * The validated config: PROMPT_CACHE_CONFIG (which the CDK construct inlines into a bundle it builds from source), else
 * the file PROMPT_CACHE_CONFIG_FILE names (relative to the bundle's directory); problems are appended.
 */
export function inlinedConfig(env: NodeJS.ProcessEnv, problems: string[]): PromptCacheConfig | undefined {
  if (!env.PROMPT_CACHE_CONFIG && env.PROMPT_CACHE_CONFIG_FILE) return configFromFile(env.PROMPT_CACHE_CONFIG_FILE, problems);
  if (!env.PROMPT_CACHE_CONFIG) {
    problems.push('PROMPT_CACHE_CONFIG is not set (the CDK construct inlines it into the bundle)');
    return undefined;
  }
  return parsedConfig(env.PROMPT_CACHE_CONFIG, 'PROMPT_CACHE_CONFIG', problems);
}

function configFromFile(name: string, problems: string[]): PromptCacheConfig | undefined {
  // In a bundle, __dirname is the bundle's directory (the function's code root), where the construct wrote the file.
  const file = resolve(__dirname, name);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    problems.push(`PROMPT_CACHE_CONFIG_FILE ${file} cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    return undefined;
  }
  return parsedConfig(text, file, problems);
}

function parsedConfig(text: string, source: string, problems: string[]): PromptCacheConfig | undefined {
  try {
    return parseConfig(JSON.parse(text), source);
  } catch (err) {
    problems.push(err instanceof SyntaxError ? `${source} is not valid JSON (${err.message})` : (err as Error).message);
    return undefined;
  }
}

/** Throws one error naming every problem, if there are any. */
export function failOnProblems(what: string, problems: readonly string[]): void {
  if (problems.length > 0) throw new Error(`${what} environment is invalid: ${problems.join('; ')}`);
}
