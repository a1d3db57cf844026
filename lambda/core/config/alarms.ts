/**
 * Alarm settings (lib/alarms.ts). The same field rules serve the `alarms` section (with defaults) and each model's
 * `models[].alarms` override (no defaults: an unset field inherits the section's value).
 */
import { array, email, int, strictObject, string } from 'zod';
import type { z } from 'zod';
import { onOff, percent } from './fields';
import { describeValue } from './issues';

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

export type AlarmsConfig = z.output<typeof alarmsSchema>;
export type ModelAlarmsConfig = z.output<typeof modelAlarmsSchema>;
/** One model's effective alarm settings: its `models[].alarms` overrides on top of the `alarms` section. */
export interface ModelAlarmSettings {
  /** false when alarms are off for the whole config or for this model. */
  readonly enabled: boolean;
  readonly lowHitRatio: AlarmsConfig['lowHitRatio'];
  readonly writesWithoutReads: AlarmsConfig['writesWithoutReads'];
  readonly cachingCostsMoney: AlarmsConfig['cachingCostsMoney'];
}

function definedOnly<T extends object>(o: T | undefined): Partial<T> {
  return Object.fromEntries(Object.entries(o ?? {}).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** A model's alarm settings: its overrides on top of the `alarms` section (an unconfigured model gets the section's). */
export function modelAlarmSettings(alarms: AlarmsConfig, model?: { readonly alarms?: ModelAlarmsConfig }): ModelAlarmSettings {
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
export function alarmProblems(alarms: AlarmsConfig, models: readonly { readonly alarms?: ModelAlarmsConfig }[]): string[] {
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
  check('alarms', modelAlarmSettings(alarms), (family) => alarms[family as 'lowHitRatio']);
  models.forEach((m, i) => {
    check(`models[${i}].alarms`, modelAlarmSettings(alarms, m), (family) => m.alarms?.[family as 'lowHitRatio']);
  });
  const seen = new Map<string, number>();
  alarms.emails.forEach((e, i) => {
    const key = e.toLowerCase();
    const first = seen.get(key);
    if (first === undefined) seen.set(key, i);
    else problems.push(`alarms.emails[${i}]: duplicates alarms.emails[${first}]; list each address once (got ${describeValue(e)})`);
  });
  return problems;
}
