/**
 * The one config schema, shared by `cdk synth` (lib/config.ts loads it from cdk.json context or a file), the operator
 * CLI (`--config FILE`) and the Lambda handlers (validated once at cold start). Pure: no file or env access here.
 *
 * Every error names its path (`models[2].cacheWriteTtl`), the value received and what is allowed; all errors are
 * reported at once; unknown keys are errors so that a typo never passes silently.
 */
// Named imports: `z` drags every zod locale into the Lambda bundle (444 KB instead of ~95 KB).
import { array, boolean, email, enum as zodEnum, int, literal, number, record, strictObject, string, union } from 'zod';
import type { z } from 'zod';
import { DEFAULT_NAMESPACE } from './contract';
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

/**
 * Alarm settings (lib/alarms.ts). The same field rules serve the `alarms` section (with defaults) and each model's
 * `models[].alarms` override (no defaults: an unset field inherits the section's value).
 */
const onOff = boolean({ error: 'must be true or false' });
const alarmMinutes = int({ error: 'must be a whole number of minutes' })
  .min(1, { error: 'must be 1 to 1440 minutes (one day)' })
  .max(1440, { error: 'must be 1 to 1440 minutes (one day)' });
const alarmPeriods = int({ error: 'must be a whole number of periods' })
  .min(1, { error: 'must be 1 to 1440 periods' })
  .max(1440, { error: 'must be 1 to 1440 periods' });
const tokenCount = int({ error: 'must be a whole number of tokens' }).min(1, { error: 'must be 1 or more tokens' });

export const ALARM_DEFAULTS = {
  lowHitRatio: { enabled: true, thresholdPercent: 50, periodMinutes: 15, evaluationPeriods: 4, datapointsToAlarm: 3, minCacheTokens: 50_000 },
  writesWithoutReads: { enabled: true, periodMinutes: 15, evaluationPeriods: 3, minWriteTokens: 20_000 },
  cachingCostsMoney: { enabled: true, windowMinutes: 60, evaluationPeriods: 3, minCacheTokens: 50_000 },
  pipeline: { enabled: true, missingPeriods: 2 },
} as const;

const lowHitRatioFields = {
  /** Alarm when the hit ratio read / (read + write) is below this. */
  thresholdPercent: percent,
  periodMinutes: alarmMinutes,
  evaluationPeriods: alarmPeriods,
  /** M of the N evaluation periods that must breach. */
  datapointsToAlarm: alarmPeriods,
  /** A period with fewer cache tokens (read + write) than this is not evaluated (no pages at 3 requests an hour). */
  minCacheTokens: tokenCount,
};
const writesWithoutReadsFields = {
  periodMinutes: alarmMinutes,
  /** All of these consecutive periods must have writes ≥ minWriteTokens and no read. */
  evaluationPeriods: alarmPeriods,
  minWriteTokens: tokenCount,
};
const cachingCostsMoneyFields = {
  /** Net savings are summed over this window (the alarm period). */
  windowMinutes: alarmMinutes,
  /** All of these consecutive windows must lose money. */
  evaluationPeriods: alarmPeriods,
  minCacheTokens: tokenCount,
};

/** Per-model overrides: every field optional, none defaulted. */
export const modelAlarmsSchema = strictObject({
  /** false: no alarm for this model (its dashboard widgets stay). */
  enabled: onOff.optional(),
  lowHitRatio: strictObject({
    enabled: onOff.optional(),
    thresholdPercent: lowHitRatioFields.thresholdPercent.optional(),
    periodMinutes: lowHitRatioFields.periodMinutes.optional(),
    evaluationPeriods: lowHitRatioFields.evaluationPeriods.optional(),
    datapointsToAlarm: lowHitRatioFields.datapointsToAlarm.optional(),
    minCacheTokens: lowHitRatioFields.minCacheTokens.optional(),
  }).optional(),
  writesWithoutReads: strictObject({
    enabled: onOff.optional(),
    periodMinutes: writesWithoutReadsFields.periodMinutes.optional(),
    evaluationPeriods: writesWithoutReadsFields.evaluationPeriods.optional(),
    minWriteTokens: writesWithoutReadsFields.minWriteTokens.optional(),
  }).optional(),
  cachingCostsMoney: strictObject({
    enabled: onOff.optional(),
    windowMinutes: cachingCostsMoneyFields.windowMinutes.optional(),
    evaluationPeriods: cachingCostsMoneyFields.evaluationPeriods.optional(),
    minCacheTokens: cachingCostsMoneyFields.minCacheTokens.optional(),
  }).optional(),
});

const D = ALARM_DEFAULTS;
export const alarmsSchema = strictObject({
  /** false: no alarm, no topic (the dashboards stay). */
  enabled: onOff.default(true),
  /** Alarms on the all-models (dimensionless) series too. */
  allModels: onOff.default(true),
  /** An existing SNS topic for ALARM/OK notifications instead of the one the stack creates (same region, standard topic). */
  topicArn: string()
    .regex(/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/, {
      error: 'must be the ARN of a standard SNS topic, arn:<partition>:sns:<region>:<12-digit account>:<name> (FIFO topics cannot take alarm actions)',
    })
    .optional(),
  /** Addresses subscribed to the on-call topic (each confirms by e-mail). */
  emails: array(email({ error: 'must be an e-mail address' })).default([]),
  /** Where the on-call text widget links for the runbooks (this README's "Alarms and runbooks" section, wherever you host it). */
  runbookUrl: string().regex(/^https:\/\/[^\s"'<>()[\]]+$/, { error: 'must be an https:// URL' }).optional(),
  lowHitRatio: strictObject({
    enabled: onOff.default(D.lowHitRatio.enabled),
    thresholdPercent: lowHitRatioFields.thresholdPercent.default(D.lowHitRatio.thresholdPercent),
    periodMinutes: lowHitRatioFields.periodMinutes.default(D.lowHitRatio.periodMinutes),
    evaluationPeriods: lowHitRatioFields.evaluationPeriods.default(D.lowHitRatio.evaluationPeriods),
    datapointsToAlarm: lowHitRatioFields.datapointsToAlarm.default(D.lowHitRatio.datapointsToAlarm),
    minCacheTokens: lowHitRatioFields.minCacheTokens.default(D.lowHitRatio.minCacheTokens),
  }).prefault({}),
  writesWithoutReads: strictObject({
    enabled: onOff.default(D.writesWithoutReads.enabled),
    periodMinutes: writesWithoutReadsFields.periodMinutes.default(D.writesWithoutReads.periodMinutes),
    evaluationPeriods: writesWithoutReadsFields.evaluationPeriods.default(D.writesWithoutReads.evaluationPeriods),
    minWriteTokens: writesWithoutReadsFields.minWriteTokens.default(D.writesWithoutReads.minWriteTokens),
  }).prefault({}),
  cachingCostsMoney: strictObject({
    enabled: onOff.default(D.cachingCostsMoney.enabled),
    windowMinutes: cachingCostsMoneyFields.windowMinutes.default(D.cachingCostsMoney.windowMinutes),
    evaluationPeriods: cachingCostsMoneyFields.evaluationPeriods.default(D.cachingCostsMoney.evaluationPeriods),
    minCacheTokens: cachingCostsMoneyFields.minCacheTokens.default(D.cachingCostsMoney.minCacheTokens),
  }).prefault({}),
  pipeline: strictObject({
    /** Publisher errors and the pipeline alarm on `PublisherLagMinutes` (only when the publisher is deployed). */
    enabled: onOff.default(D.pipeline.enabled),
    /** Publisher periods in a row without a lag report, or with the watermark a period behind, before the pipeline alarm fires. */
    missingPeriods: int({ error: 'must be a whole number of periods' })
      .min(1, { error: 'must be 1 to 24 periods' })
      .max(24, { error: 'must be 1 to 24 periods' })
      .default(D.pipeline.missingPeriods),
  }).prefault({}),
});

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
  /** Overrides of the `alarms` section for this model (unset fields inherit it). */
  alarms: modelAlarmsSchema.optional(),
});

/**
 * What a namespace must be, first problem only (undefined when fine). CloudWatch's API reference: 1–255 characters,
 * pattern `[^:].*`, ASCII without control characters, `AWS/` reserved for AWS services; PutMetricData also refuses a
 * namespace of spaces only. Quotes and backslashes are refused too: the dashboards embed it in SEARCH expressions.
 */
export function namespaceProblem(ns: string): string | undefined {
  if (!/^[\x20-\x7E]{1,255}$/.test(ns)) return 'must be 1 to 255 printable ASCII characters (letters, digits, punctuation, spaces; no control or non-ASCII characters)';
  if (ns.startsWith(':')) return 'must not start with ":" (CloudWatch refuses it); remove the leading colon';
  if (ns.trim() === '') return 'must not be only spaces; name it, e.g. "BedrockPromptCache"';
  if (ns.startsWith('AWS/')) return 'must not start with "AWS/" (reserved for AWS services)';
  if (/["'\\]/.test(ns)) return 'must not contain quotes or backslashes (it is embedded in a CloudWatch SEARCH expression)';
  return undefined;
}

const namespaceSchema = string()
  .check((ctx) => {
    const problem = namespaceProblem(ctx.value);
    if (problem) ctx.issues.push({ code: 'custom', message: problem, input: ctx.value });
  })
  .default(DEFAULT_NAMESPACE);

/** Keys of lambda/core/monitoring-cost.ts's MonitoringPrices, overridable in the config. */
export const MONITORING_PRICE_KEYS = [
  'customMetricMonth',
  'alarmMetricMonth',
  'compositeAlarmMonth',
  'dashboardMonth',
  'kmsKeyMonth',
  'getMetricDataPer1000Metrics',
  'apiPer1000Requests',
  'lambdaPerMillionRequests',
  'lambdaPerGbSecond',
  'dynamoDbPerMillionWrites',
  'dynamoDbPerMillionReads',
] as const;
const monitoringPrice = number().finite().min(0, { error: 'must be a price in US dollars, 0 or more' }).optional();

const metricName = string().regex(/^[^:\s][^:]{0,254}$/, { error: 'must be a CloudWatch metric name' });

export const configSchema = strictObject({
    namespace: namespaceSchema,
    models: array(modelSchema).default([]),
    pricing: record(nonBlank('model id'), pricingEntrySchema).default({}),
    /**
     * Pins the CloudWatch name of a Bedrock token metric. Unset (the default): every documented spelling is read
     * (contract.ts BEDROCK_METRIC_SPELLINGS; the cache metrics' name is UNCONFIRMED). `prompt-cache doctor` says which
     * one the account has.
     */
    bedrockMetricNames: strictObject({
        inputTokens: metricName.optional(),
        outputTokens: metricName.optional(),
        cacheReadInputTokens: metricName.optional(),
        cacheWriteInputTokens: metricName.optional(),
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
        /**
         * How long after an uncertain put of datums 24 hours old or older a presence check of them is trusted. CloudWatch's
         * PutMetricData API reference: "Data points with time stamps from 24 hours ago or longer can take at least 48 hours to
         * become available for GetMetricData or GetMetricStatistics from the time they are submitted." Until then those
         * periods are deferred, neither re-put nor counted as published.
         */
        oldDatapointVisibilityHours: int({ error: 'must be a whole number of hours' })
          .min(0, { error: 'must be 0 to 168 hours' })
          .max(168, { error: 'must be 0 to 168 hours' })
          .default(48),
      })
      .prefault({}),
    dashboards: strictObject({
      /**
       * Per-model graphs show this many models (the most tokens or dollars, the lowest hit ratios) and sum the rest
       * into one line: a graph shows at most 500 series and a dashboard counts 2,500 metrics.
       */
      topModels: int({ error: 'must be a whole number of models' }).min(1, { error: 'must be 1 to 100 models' }).max(100, { error: 'must be 1 to 100 models' }).default(10),
    }).prefault({}),
    /** Overrides of the list prices `prompt-cache cost` uses (see lambda/core/monitoring-cost.ts), USD. */
    monitoringPrices: strictObject(
      Object.fromEntries(MONITORING_PRICE_KEYS.map((k) => [k, monitoringPrice])) as Record<(typeof MONITORING_PRICE_KEYS)[number], typeof monitoringPrice>,
    ).prefault({}),
    digest: strictObject({
      /** The weekly digest e-mail (a scheduled Lambda publishing the weekly review to an SNS topic). */
      enabled: boolean({ error: 'must be true or false' }).default(true),
      /** Day and UTC hour it is sent. */
      weekDay: zodEnum(['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'], { error: 'must be one of MON, TUE, WED, THU, FRI, SAT, SUN' }).default('MON'),
      hourUtc: int({ error: 'must be a whole hour' }).min(0, { error: 'must be an hour from 0 to 23 (UTC)' }).max(23, { error: 'must be an hour from 0 to 23 (UTC)' }).default(8),
      /** Days in the window (and in the window it is compared with). */
      days: int({ error: 'must be a whole number of days' }).min(1, { error: 'must be 1 to 31 days' }).max(31, { error: 'must be 1 to 31 days' }).default(7),
      /** Addresses subscribed to the cost-review topic (each confirms by e-mail). */
      emails: array(email({ error: 'must be an e-mail address' })).default([]),
    }).prefault({}),
    report: strictObject({
        /** A model with cache traffic whose hit ratio is below this is `underutilized` (so is one that loses money). */
        minHitRatioPercent: percent.default(50),
        /** Weekly review: a hit ratio that fell by more than this many points against the previous window needs attention. */
        hitRatioDropPoints: percent.default(10),
        /** Weekly review: uncached input worth more than this (at the read discount) with no caching needs attention. */
        moneyLeftOnTableMinUSD: number().finite().min(0, { error: 'must be 0 or more US dollars' }).default(1),
      })
      .prefault({}),
    /** Alarm families, SNS topic and e-mails (lib/alarms.ts); per-model overrides in `models[].alarms`. */
    alarms: alarmsSchema.prefault({}),
  });

export type ConfigInput = z.input<typeof configSchema>;
export type PromptCacheConfig = z.output<typeof configSchema>;
export type ModelConfig = PromptCacheConfig['models'][number];
export type PricingEntry = z.output<typeof pricingEntrySchema>;
export type CacheWriteTtl = z.output<typeof cacheWriteTtlSchema>;
export type AlarmsConfig = PromptCacheConfig['alarms'];
/** One model's effective alarm settings: its `models[].alarms` overrides on top of the `alarms` section. */
export interface ModelAlarmSettings {
  /** false when alarms are off for the whole config or for this model. */
  readonly enabled: boolean;
  readonly lowHitRatio: AlarmsConfig['lowHitRatio'];
  readonly writesWithoutReads: AlarmsConfig['writesWithoutReads'];
  readonly cachingCostsMoney: AlarmsConfig['cachingCostsMoney'];
}

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

function definedOnly<T extends object>(o: T | undefined): Partial<T> {
  return Object.fromEntries(Object.entries(o ?? {}).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** A model's alarm settings: its overrides on top of the `alarms` section (an unconfigured model gets the section's). */
export function modelAlarmSettings(alarms: AlarmsConfig, model?: Pick<ModelConfig, 'alarms'>): ModelAlarmSettings {
  const o = model?.alarms ?? {};
  return {
    enabled: alarms.enabled && (o.enabled ?? true),
    lowHitRatio: { ...alarms.lowHitRatio, ...definedOnly(o.lowHitRatio) },
    writesWithoutReads: { ...alarms.writesWithoutReads, ...definedOnly(o.writesWithoutReads) },
    cachingCostsMoney: { ...alarms.cachingCostsMoney, ...definedOnly(o.cachingCostsMoney) },
  };
}

/**
 * Rules across alarm fields, checked on the effective settings (section, then each model with its overrides). A
 * model's problem is reported at the field it overrides; one it inherits is reported once, at the section.
 */
function alarmProblems(config: PromptCacheConfig): string[] {
  const problems: string[] = [];
  const families = [
    ['lowHitRatio', 'periodMinutes'],
    ['writesWithoutReads', 'periodMinutes'],
    ['cachingCostsMoney', 'windowMinutes'],
  ] as const;
  const check = (prefix: string, s: ModelAlarmSettings, set: (family: string) => Record<string, unknown> | undefined) => {
    for (const [family, minutesKey] of families) {
      const f = s[family] as { evaluationPeriods: number; datapointsToAlarm?: number } & Record<string, number | boolean>;
      const own = set(family);
      if (!own) continue;
      const at = (...keys: string[]) => keys.find((k) => k in own);
      if (f.datapointsToAlarm !== undefined && f.datapointsToAlarm > f.evaluationPeriods) {
        const key = at('datapointsToAlarm', 'evaluationPeriods');
        if (key) problems.push(`${prefix}.${family}.${key}: datapointsToAlarm must be at most evaluationPeriods; lower datapointsToAlarm or raise evaluationPeriods (got ${f.datapointsToAlarm} of ${f.evaluationPeriods})`);
      }
      const minutes = f[minutesKey] as number;
      if (minutes * f.evaluationPeriods > 1440) {
        const key = at('evaluationPeriods', minutesKey);
        if (key) problems.push(`${prefix}.${family}.${key}: ${minutesKey} × evaluationPeriods must be at most 1440 minutes (one day, CloudWatch's limit); shorten the period or evaluate fewer periods (got ${minutes} × ${f.evaluationPeriods})`);
      }
    }
  };
  const section = modelAlarmSettings(config.alarms);
  check('alarms', section, (family) => config.alarms[family as 'lowHitRatio']);
  config.models.forEach((m, i) => {
    check(`models[${i}].alarms`, modelAlarmSettings(config.alarms, m), (family) => m.alarms?.[family as 'lowHitRatio']);
  });
  const seen = new Map<string, number>();
  config.alarms.emails.forEach((e, i) => {
    const key = e.toLowerCase();
    const first = seen.get(key);
    if (first === undefined) seen.set(key, i);
    else problems.push(`alarms.emails[${i}]: duplicates alarms.emails[${first}]; list each address once (got ${describeValue(e)})`);
  });
  return problems;
}

/** Validates and fills defaults; throws a ConfigError listing every problem, each naming `source`. */
export function parseConfig(raw: unknown, source: string): PromptCacheConfig {
  const result = configSchema.safeParse(raw ?? {}, { reportInput: true });
  const problems = [
    ...(result.success ? [...priceProblems(result.data), ...alarmProblems(result.data)] : formatIssues(result.error.issues)),
    ...duplicateModelIds(raw),
  ];
  if (problems.length > 0 || !result.success) throw new ConfigError(source, problems);
  return result.data;
}
