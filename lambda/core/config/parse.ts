/** Validation: every problem at once, each naming its path, then the typed config with its defaults. */
import { priceProblems } from '../prices';
import { alarmProblems } from './alarms';
import { ConfigError, formatIssues } from './issues';
import { duplicateModelIds } from './model';
import { configSchema, type PromptCacheConfig } from './schema';

/** Validates and fills defaults; throws a ConfigError listing every problem, each naming `source`. */
export function parseConfig(raw: unknown, source: string): PromptCacheConfig {
  const result = configSchema.safeParse(raw ?? {}, { reportInput: true });
  // Rules across fields need the whole config parsed; the duplicate-id rule reads the raw input, so it always runs.
  const problems = [
    ...(result.success ? [...priceProblems(result.data), ...alarmProblems(result.data.alarms, result.data.models)] : formatIssues(result.error.issues)),
    ...duplicateModelIds(raw),
  ];
  if (problems.length > 0 || !result.success) throw new ConfigError(source, problems);
  return result.data;
}
