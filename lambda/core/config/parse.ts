/** Validation: every problem at once, each naming its path, then the typed config with its defaults. */
import { priceProblems } from '../prices';
import { alarmProblems, driftWindowProblems } from './alarms';
import { ConfigError, formatIssues } from './issues';
import { duplicateModelIds } from './model';
import { TARGET_SECTIONS, targetProblems } from './targets';
import { configSchema, type PromptCacheConfig } from './schema';

function check(raw: unknown) {
  const result = configSchema.safeParse(raw ?? {}, { reportInput: true });
  // Rules across fields need the whole config parsed; the duplicate-id rule reads the raw input, so it always runs.
  const problems = [
    ...(result.success
      ? [...crossFieldProblems(result.data), ...targetProblems(result.data), ...perTargetProblems(result.data)]
      : formatIssues(result.error.issues)),
    ...duplicateModelIds(raw),
  ];
  return { result, problems };
}

/** The rules across fields of one (target's) config. */
function crossFieldProblems(config: PromptCacheConfig): string[] {
  return [...priceProblems(config), ...alarmProblems(config.alarms, config.models), ...driftWindowProblems(config)];
}

/** A target's own sections break a rule only it has: reported at the target, once (the config's own are reported above). */
function perTargetProblems(config: PromptCacheConfig): string[] {
  const base = new Set(crossFieldProblems(config));
  return (config.targets ?? []).flatMap((_t, i) =>
    crossFieldProblems(targetConfig(config, i))
      .filter((p) => !base.has(p))
      .map((p) => `targets[${i}].${p}`),
  );
}

/**
 * The config of target `index`: the config's sections, with the ones the target gives replaced whole, and without
 * `targets` and `monitoring` (a target is one stack).
 */
export function targetConfig(config: PromptCacheConfig, index: number): PromptCacheConfig {
  const target = config.targets?.[index];
  if (!target) throw new RangeError(`no targets[${index}]`);
  const { targets: _targets, monitoring: _monitoring, ...rest } = config;
  const own = Object.fromEntries(TARGET_SECTIONS.filter((k) => target[k] !== undefined).map((k) => [k, target[k]]));
  return { ...rest, ...own } as PromptCacheConfig;
}

/**
 * Every problem of `raw`, one line each naming its path (`models[2].cacheWriteTtl: …`); empty when it is valid.
 * `root` names where the config sits inside a larger input and prefixes every path: with `config`, a line reads
 * `config.models[0].modelId: …`, and one about the whole value `config: …` instead of `(top level): …`.
 */
export function configProblems(raw: unknown, root?: string): string[] {
  const { problems } = check(raw);
  if (root === undefined) return problems;
  return problems.map((p) => {
    if (p.startsWith('(top level)')) return `${root}${p.slice('(top level)'.length)}`;
    // A top-level key that is not an identifier is already bracketed: `config["a b"]`, not `config.["a b"]`.
    return p.startsWith('[') ? `${root}${p}` : `${root}.${p}`;
  });
}

/** Validates and fills defaults; throws a ConfigError listing every problem, each naming `source`. */
export function parseConfig(raw: unknown, source: string): PromptCacheConfig {
  const { result, problems } = check(raw);
  if (problems.length > 0 || !result.success) throw new ConfigError(source, problems);
  return result.data;
}
