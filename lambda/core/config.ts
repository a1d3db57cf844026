/**
 * The one config schema, shared by `cdk synth` (lib/config.ts loads it from cdk.json context or a file), the operator
 * CLI (`--config FILE`) and the Lambda handlers (validated once at cold start). Pure: no file or env access here.
 *
 * Every error names its path (`models[2].cacheWriteTtl`), the value received and what is allowed; all errors are
 * reported at once; unknown keys are errors so that a typo never passes silently.
 */
// Named imports: `z` drags every zod locale into the Lambda bundle (444 KB instead of ~95 KB).
import { array, enum as zodEnum, int, literal, number, record, strictObject, string, union } from 'zod';
import type { z } from 'zod';
import { DEFAULT_BEDROCK_METRIC_NAMES, DEFAULT_NAMESPACE } from './contract';
import { priceProblems } from './prices';

/** Prices are kept exact in integer micro-dollars per million tokens, so at most 6 decimals are meaningful. */
const pricePerMTok = number()
  .finite()
  .min(0, { error: 'must be a price in USD per million tokens, 0 or more' })
  .refine((v) => Math.abs(v * 1e6 - Math.round(v * 1e6)) < 1e-6, {
    error: 'must have at most 6 decimals (USD per million tokens)',
  });

const percent = number()
  .finite()
  .min(0, { error: 'must be a percentage from 0 to 100' })
  .max(100, { error: 'must be a percentage from 0 to 100' });

const nonBlank = (what: string) =>
  string()
    .min(1, { error: `must be a non-empty ${what}` })
    .refine((s) => s.trim() === s && !/\s/.test(s), { error: `must be a ${what} without spaces` });

export const pricingEntrySchema = strictObject({
  inputPerMTok: pricePerMTok,
  outputPerMTok: pricePerMTok,
  /** Used whatever the model's cacheWriteTtl. */
  cacheWritePerMTok: pricePerMTok,
  cacheReadPerMTok: pricePerMTok,
});

export const cacheWriteTtlSchema = zodEnum(['5m', '1h'], { error: 'must be "5m" or "1h"' });

export const modelSchema = strictObject({
  /** The id exactly as AWS/Bedrock reports it: a model id, a geo/global inference profile id or an application inference profile ARN. */
  modelId: nonBlank('model id'),
  /** Picks the catalog's 5-minute or 1-hour cache write price. */
  cacheWriteTtl: cacheWriteTtlSchema.default('5m'),
  /** Shown in dashboards and reports instead of the raw id. */
  displayName: string()
    .min(1, { error: 'must be a non-empty name' })
    .max(64, { error: 'must be at most 64 characters' })
    .optional(),
  /** The model id whose prices apply (for application inference profiles, whose ARN names no model). */
  priceAs: nonBlank('model id').optional(),
  /** Overrides `report.minHitRatioPercent` for this model. */
  minHitRatioPercent: percent.optional(),
});

/** CloudWatch namespaces: 1–255 of these characters, and `AWS/` is reserved for AWS services. */
const namespaceSchema = string()
  .regex(/^[A-Za-z0-9._\-/#: ]{1,255}$/, {
    error: 'must be 1 to 255 characters of letters, digits and . - _ / # : or space',
  })
  .refine((s) => !s.startsWith('AWS/'), { error: 'must not start with "AWS/" (reserved for AWS services)' })
  .default(DEFAULT_NAMESPACE);

const metricName = string().regex(/^[^:\s][^:]{0,254}$/, { error: 'must be a CloudWatch metric name' });

export const configSchema = strictObject({
    namespace: namespaceSchema,
    models: array(modelSchema).default([]),
    pricing: record(nonBlank('model id'), pricingEntrySchema).default({}),
    /** UNCONFIRMED names of Bedrock's cache metrics (see lambda/core/contract.ts). */
    bedrockMetricNames: strictObject({
        inputTokens: metricName.default(DEFAULT_BEDROCK_METRIC_NAMES.inputTokens),
        outputTokens: metricName.default(DEFAULT_BEDROCK_METRIC_NAMES.outputTokens),
        cacheReadInputTokens: metricName.default(DEFAULT_BEDROCK_METRIC_NAMES.cacheReadInputTokens),
        cacheWriteInputTokens: metricName.default(DEFAULT_BEDROCK_METRIC_NAMES.cacheWriteInputTokens),
      })
      .prefault({}),
    publisher: strictObject({
        /** Length of one period, which is also the schedule: each run publishes every closed period. */
        periodMinutes: union([literal(5), literal(10), literal(15), literal(30), literal(60)], { error: 'must be one of 5, 10, 15, 30, 60' })
          .default(60),
        /** How long after a period ends before it is read (AWS/Bedrock datapoints arrive late). */
        settleDelayMinutes: int({ error: 'must be a whole number of minutes' }).min(0, { error: 'must be 0 to 120 minutes' }).max(120, { error: 'must be 0 to 120 minutes' }).default(10),
        /** How far back the very first run starts; CloudWatch takes datapoints up to 14 days old. */
        initialLookbackHours: int({ error: 'must be a whole number of hours' }).min(1, { error: 'must be 1 to 335 hours (under 14 days)' }).max(335, { error: 'must be 1 to 335 hours (under 14 days)' }).default(24),
        /** Ledger lease: how long a crashed run's uncertain periods wait before another run settles them; > the Lambda timeout. */
        leaseMinutes: int({ error: 'must be a whole number of minutes' }).min(5, { error: 'must be 5 to 60 minutes' }).max(60, { error: 'must be 5 to 60 minutes' }).default(15),
      })
      .prefault({}),
    report: strictObject({
        /** A model with cache traffic whose hit ratio is below this is `underutilized` (so is one that loses money). */
        minHitRatioPercent: percent.default(50),
        /** Weekly review: a hit ratio that fell by more than this many points against the previous window needs attention. */
        hitRatioDropPoints: percent.default(10),
        /** Weekly review: uncached input worth more than this (at the read discount) with no caching needs attention. */
        moneyLeftOnTableMinUSD: number().finite().min(0, { error: 'must be 0 or more US dollars' }).default(1),
      })
      .prefault({}),
  });

export type ConfigInput = z.input<typeof configSchema>;
export type PromptCacheConfig = z.output<typeof configSchema>;
export type ModelConfig = PromptCacheConfig['models'][number];
export type PricingEntry = z.output<typeof pricingEntrySchema>;
export type CacheWriteTtl = z.output<typeof cacheWriteTtlSchema>;

/** `models[2].cacheWriteTtl`, `pricing["us.anthropic…"].inputPerMTok`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (typeof key === 'string' && /^[A-Za-z_$][\w$]*$/.test(key)) out += out ? `.${key}` : key;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out || '(top level)';
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** One line per problem: `<path>: <what is allowed> (got <value>)`. */
export function formatIssues(issues: readonly z.core.$ZodIssue[]): string[] {
  return issues.flatMap((issue) => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map(
        (key) => `${formatPath([...issue.path, key])}: unknown key; remove it or fix its spelling`,
      );
    }
    let message = issue.message;
    if (issue.code === 'invalid_key' && issue.issues.length > 0) message = issue.issues[0].message;
    if (issue.code === 'invalid_type') {
      const expected =
        issue.expected === 'int' ? 'a whole number' : issue.expected === 'array' || issue.expected === 'object' ? `an ${issue.expected}` : `a ${issue.expected}`;
      message = issue.input === undefined ? `is required (${expected})` : `must be ${expected}`;
      if (issue.input === undefined) return [`${formatPath(issue.path)}: ${message}`];
    }
    if (issue.code === 'invalid_value' && issue.values.length > 0) {
      message = `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    }
    return [`${formatPath(issue.path)}: ${message} (got ${describeValue(issue.input)})`];
  });
}

export class ConfigError extends Error {
  constructor(
    readonly source: string,
    readonly problems: readonly string[],
  ) {
    super(`invalid config in ${source}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Cross-entry rule checked on the raw input, so it is reported together with the schema's own problems
 * (zod skips refinements of an object that already has issues).
 */
function duplicateModelIds(raw: unknown): string[] {
  const models = (raw as { models?: unknown } | null)?.models;
  if (!Array.isArray(models)) return [];
  const firstIndex = new Map<string, number>();
  const problems: string[] = [];
  models.forEach((m, i) => {
    const id = (m as { modelId?: unknown } | null)?.modelId;
    if (typeof id !== 'string' || id === '') return;
    const seen = firstIndex.get(id);
    if (seen === undefined) firstIndex.set(id, i);
    else problems.push(`models[${i}].modelId: duplicates models[${seen}].modelId; list each model once (got ${describeValue(id)})`);
  });
  return problems;
}

/** Validates and fills defaults; throws a ConfigError listing every problem, each naming `source`. */
export function parseConfig(raw: unknown, source: string): PromptCacheConfig {
  const result = configSchema.safeParse(raw ?? {}, { reportInput: true });
  const problems = [
    ...(result.success ? priceProblems(result.data) : formatIssues(result.error.issues)),
    ...duplicateModelIds(raw),
  ];
  if (problems.length > 0 || !result.success) throw new ConfigError(source, problems);
  return result.data;
}
