/** Environment checks shared by the Lambda handlers: each collects its problems and fails once, naming them all. */
import { parseConfig, type PromptCacheConfig } from '../core/config';

/** The config the CDK construct inlined into the bundle (PROMPT_CACHE_CONFIG), validated; problems are appended. */
export function inlinedConfig(env: NodeJS.ProcessEnv, problems: string[]): PromptCacheConfig | undefined {
  if (!env.PROMPT_CACHE_CONFIG) {
    problems.push('PROMPT_CACHE_CONFIG is not set (the CDK construct inlines it into the bundle)');
    return undefined;
  }
  try {
    return parseConfig(JSON.parse(env.PROMPT_CACHE_CONFIG), 'PROMPT_CACHE_CONFIG');
  } catch (err) {
    problems.push(err instanceof SyntaxError ? `PROMPT_CACHE_CONFIG is not valid JSON (${err.message})` : (err as Error).message);
    return undefined;
  }
}

/** Throws one error naming every problem, if there are any. */
export function failOnProblems(what: string, problems: readonly string[]): void {
  if (problems.length > 0) throw new Error(`${what} environment is invalid: ${problems.join('; ')}`);
}
