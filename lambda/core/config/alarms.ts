/**
 * Alarm settings (lib/alarms.ts). Each family's fields are declared once, each with its rule and default. From that
 * one declaration come the `alarms` section (defaults filled), each model's `models[].alarms` overrides (no defaults:
 * an unset field inherits the section's value), ALARM_DEFAULTS and a model's merged settings, so a new field cannot be
 * accepted in one place and forgotten in another.
 */
import { array, email, enum as oneOf, int, number, strictObject, string } from 'zod';
import type { z, ZodDefault, ZodOptional, ZodPrefault, ZodType } from 'zod';
import { onOff, percent } from './fields';
import { describeValue } from './issues';

/** One field: its rule and the value the `alarms` section takes when it is unset. */
interface Setting<S extends ZodType = ZodType> {
  readonly rule: S;
  readonly default: z.output<S>;
}
const setting = <S extends ZodType>(rule: S, byDefault: z.output<S>): Setting<S> => ({ rule, default: byDefault });

type Fields = Readonly<Record<string, Setting>>;

function mapValues<T extends object, R>(o: T, fn: (value: T[keyof T]) => R): Record<keyof T, R> {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, fn(v as T[keyof T])])) as Record<keyof T, R>;
}

// The casts restate per key what mapValues computed for all keys alike (zod's types cannot follow Object.entries).
const sectionOf = <F extends Fields>(fields: F) =>
  strictObject(
    mapValues(fields, (s: Setting) => s.rule.default(s.default as never)) as unknown as {
      -readonly [K in keyof F]: ZodDefault<F[K]['rule']>;
    },
  );
const overridesOf = <F extends Fields>(fields: F) =>
  strictObject(mapValues(fields, (s: Setting) => s.rule.optional()) as unknown as { -readonly [K in keyof F]: ZodOptional<F[K]['rule']> });
const defaultsOf = <F extends Fields>(fields: F) =>
  mapValues(fields, (s: Setting) => s.default) as { readonly [K in keyof F]: F[K]['default'] };

const alarmMinutes = int({ error: 'must be a whole number of minutes' })
  .min(1, { error: 'must be 1 to 1440 minutes (one day)' })
  .max(1440, { error: 'must be 1 to 1440 minutes (one day)' });
const alarmPeriods = int({ error: 'must be a whole number of periods' })
  .min(1, { error: 'must be 1 to 1440 periods' })
  .max(1440, { error: 'must be 1 to 1440 periods' });
const tokenCount = int({ error: 'must be a whole number of tokens' }).min(1, { error: 'must be 1 or more tokens' });
const points = number()
  .finite()
  .min(0, { error: 'must be 0 to 100 percentage points' })
  .max(100, { error: 'must be 0 to 100 percentage points' });
const stdDevs = number()
  .finite()
  .min(0, { error: 'must be 0 (off) to 10 standard deviations' })
  .max(10, { error: 'must be 0 (off) to 10 standard deviations' });
const usdPerHour = number({ error: 'must be a number of dollars per hour' })
  .finite()
  .min(0, { error: 'must be 0 or more dollars per hour' });

/** On or off: the whole section, one family, or (in `models[].alarms`) one model. */
const enabled = setting(onOff, true);

/** A family whose alarm evaluates `periodField` × evaluationPeriods minutes, which CloudWatch caps at one day. */
const periodic = <F extends Fields & { readonly evaluationPeriods: Setting }>(periodField: keyof F & string, fields: F) => ({
  periodField,
  fields,
});

const lowHitRatio = periodic('periodMinutes', {
  enabled,
  /**
   * Alarm when the hit ratio read / (read + write) is below the larger of this and the model's break-even plus
   * breakEvenMarginPoints (lowHitThresholdPercent): below its break-even a model loses money, so a fixed 50% would fire
   * only after the loss for a 1-hour cache (break-even 52.6%).
   */
  thresholdPercent: setting(percent, 50),
  /** Points above the model's break-even hit ratio that the threshold keeps at least (unpriced models: thresholdPercent). */
  breakEvenMarginPoints: setting(points, 10),
  /**
   * Precise mode only (`models[].alarms.mode: "precise"`): also alarm when the model's hit ratio falls below the
   * anomaly band of this many standard deviations that CloudWatch learns from its own history; 0 for none.
   */
  anomalyBandStdDevs: setting(stdDevs, 0),
  periodMinutes: setting(alarmMinutes, 15),
  evaluationPeriods: setting(alarmPeriods, 4),
  /** M of the N evaluation periods that must breach. */
  datapointsToAlarm: setting(alarmPeriods, 3),
  /** A period with fewer cache tokens (read + write) than this is not evaluated (no pages at 3 requests an hour). */
  minCacheTokens: setting(tokenCount, 50_000),
});
const writesWithoutReads = periodic('periodMinutes', {
  enabled,
  periodMinutes: setting(alarmMinutes, 15),
  /** All of these consecutive periods must have writes ≥ minWriteTokens and no read. */
  evaluationPeriods: setting(alarmPeriods, 3),
  minWriteTokens: setting(tokenCount, 20_000),
});
const cachingCostsMoney = periodic('windowMinutes', {
  enabled,
  /** Net savings are summed over this window (the alarm period). */
  windowMinutes: setting(alarmMinutes, 60),
  /** All of these consecutive windows must lose money. */
  evaluationPeriods: setting(alarmPeriods, 3),
  minCacheTokens: setting(tokenCount, 50_000),
});
const pipeline = {
  fields: {
    /** Publisher errors and the pipeline alarm on `PublisherLagMinutes` (only when the publisher is deployed). */
    enabled,
    /** Publisher periods in a row without a lag report, or with the watermark a period behind, before the pipeline alarm fires. */
    missingPeriods: setting(
      int({ error: 'must be a whole number of periods' })
        .min(1, { error: 'must be 1 to 24 periods' })
        .max(24, { error: 'must be 1 to 24 periods' }),
      2,
    ),
  },
};

const costDrift = {
  fields: {
    /** The drift alarm on the daily bill check's `CostDriftPercent` (only when `reconcile.daily` is on and the publisher deployed). */
    enabled,
    /** Alarm when the bill and the computed cost differ by more than this percent of the bill (either way). */
    thresholdPercent: setting(
      number()
        .finite()
        .gt(0, { error: 'must be a percentage above 0 (the drift alarm fires above it)' })
        .max(100, { error: 'must be a percentage above 0, at most 100' }),
      5,
    ),
    /** Days of drift (each over thresholdPercent) among the last days + `reconcile.daily.billDelayDays` that alarm. */
    days: setting(
      int({ error: 'must be a whole number of days' }).min(1, { error: 'must be 1 to 6 days' }).max(6, { error: 'must be 1 to 6 days' }),
      3,
    ),
    /** A day billed less than this (all models, the stack's region) is not judged: a few cents drift by whole percents. */
    minBilledUsdPerDay: setting(number().finite().min(0, { error: 'must be 0 or more US dollars' }), 1),
  },
};

/** The families a model can override in `models[].alarms`, in config order. */
const MODEL_ALARM_FAMILIES = { lowHitRatio, writesWithoutReads, cachingCostsMoney };
/** Every family of the `alarms` section, in config order. */
const ALARM_FAMILIES = { ...MODEL_ALARM_FAMILIES, pipeline, costDrift };
export type ModelAlarmFamily = keyof typeof MODEL_ALARM_FAMILIES;
const MODEL_FAMILY_NAMES = Object.keys(MODEL_ALARM_FAMILIES) as ModelAlarmFamily[];

type Families = typeof ALARM_FAMILIES;
type ModelFamilies = typeof MODEL_ALARM_FAMILIES;

export const ALARM_DEFAULTS = mapValues(ALARM_FAMILIES, (f) => defaultsOf(f.fields)) as {
  readonly [K in keyof Families]: ReturnType<typeof defaultsOf<Families[K]['fields']>>;
};

const familySections = mapValues(ALARM_FAMILIES, (f) => sectionOf<Fields>(f.fields).prefault({})) as unknown as {
  [K in keyof Families]: ZodPrefault<ReturnType<typeof sectionOf<Families[K]['fields']>>>;
};
const familyOverrides = mapValues(MODEL_ALARM_FAMILIES, (f) => overridesOf<Fields>(f.fields).optional()) as unknown as {
  [K in keyof ModelFamilies]: ZodOptional<ReturnType<typeof overridesOf<ModelFamilies[K]['fields']>>>;
};

/**
 * How a model is alarmed: `fleet` (the default) as a contributor of the fleet alarms, which read the publisher's
 * alarm-ready series, a period late; `precise`, with its own metric-math alarms on the raw AWS/Bedrock Sums, which page
 * within minutes (three alarms of its own, billed per metric).
 */
export const ALARM_MODES = ['fleet', 'precise'] as const;
export type AlarmMode = (typeof ALARM_MODES)[number];

const TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/;
const TOPIC_ARN_ERROR =
  'must be the ARN of a standard SNS topic, arn:<partition>:sns:<region>:<12-digit account>:<name> (FIFO topics cannot take alarm actions)';

/** Per-model overrides: every field optional, none defaulted. */
export const modelAlarmsSchema = strictObject({
  /** false: no alarm for this model (its dashboard widgets stay). */
  enabled: enabled.rule.optional(),
  mode: oneOf(ALARM_MODES, { error: `must be one of ${ALARM_MODES.join(', ')}` }).optional(),
  ...familyOverrides,
});

export const alarmsSchema = strictObject({
  /** false: no alarm, no topic (the dashboards stay). */
  enabled: enabled.rule.default(enabled.default),
  /**
   * No longer used: the fleet alarms watch every model the publisher sees, so the all-models alarms are gone. Still
   * accepted (a synth warning says it has no effect) so that older configs keep working.
   */
  allModels: onOff.optional(),
  /**
   * Caching that loses more than this many dollars an hour pages (the paging topic); any smaller loss, and every
   * other cache alarm, is a ticket. 1 $/h: a night's delay (8 hours) costs under $8, a weekend over $60.
   */
  pageAboveUsdPerHour: usdPerHour.default(1),
  /**
   * Where tickets go (what can wait for working hours): an existing topic, or e-mails subscribed to a ticket topic the
   * stack creates. Without either, tickets go to `emails` (the paging topic's addresses) by a topic of their own.
   */
  tickets: strictObject({
    topicArn: string().regex(TOPIC_ARN, { error: TOPIC_ARN_ERROR }).optional(),
    emails: array(email({ error: 'must be an e-mail address' })).optional(),
  }).prefault({}),
  /** An existing SNS topic for ALARM/OK notifications instead of the one the stack creates (same region, standard topic). */
  topicArn: string().regex(TOPIC_ARN, { error: TOPIC_ARN_ERROR }).optional(),
  /** Addresses subscribed to the on-call topic (each confirms by e-mail). */
  emails: array(email({ error: 'must be an e-mail address' })).default([]),
  /** Where the on-call text widget links for the runbooks (this README's "Alarms and runbooks" section, wherever you host it). */
  runbookUrl: string()
    .regex(/^https:\/\/[^\s"'<>()[\]]+$/, { error: 'must be an https:// URL' })
    .optional(),
  ...familySections,
});

export type AlarmsConfig = z.output<typeof alarmsSchema>;
export type ModelAlarmsConfig = z.output<typeof modelAlarmsSchema>;

/** One model's effective alarm settings: its `models[].alarms` overrides on top of the `alarms` section. */
export interface ModelAlarmSettings extends Readonly<Pick<AlarmsConfig, ModelAlarmFamily>> {
  /** false when alarms are off for the whole config or for this model. */
  readonly enabled: boolean;
  /** Fleet (the default, and every model not in the config) or precise. */
  readonly mode: AlarmMode;
}

/**
 * The hit ratio below which a model's low-hit-ratio alarm fires: the larger of `thresholdPercent` and the model's
 * break-even plus `breakEvenMarginPoints` (break-even undefined when unpriced: `thresholdPercent` alone). Capped at 100.
 */
export function lowHitThresholdPercent(
  s: Pick<ModelAlarmSettings['lowHitRatio'], 'thresholdPercent' | 'breakEvenMarginPoints'>,
  breakEvenPercent: number | undefined,
): number {
  if (breakEvenPercent === undefined) return s.thresholdPercent;
  return Math.min(100, Math.max(s.thresholdPercent, breakEvenPercent + s.breakEvenMarginPoints));
}

function definedOnly<T extends object>(o: T | undefined): Partial<T> {
  return Object.fromEntries(Object.entries(o ?? {}).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** A model's alarm settings: its overrides on top of the `alarms` section (an unconfigured model gets the section's). */
export function modelAlarmSettings(alarms: AlarmsConfig, model?: { readonly alarms?: ModelAlarmsConfig }): ModelAlarmSettings {
  const o = model?.alarms ?? {};
  const families = Object.fromEntries(MODEL_FAMILY_NAMES.map((f) => [f, { ...alarms[f], ...definedOnly(o[f]) }]));
  return { enabled: alarms.enabled && (o.enabled ?? true), mode: o.mode ?? 'fleet', ...families } as unknown as ModelAlarmSettings;
}

/**
 * Rules across alarm fields, checked on the effective settings (section, then each model with its overrides). A
 * model's problem is reported at the field it overrides; one it inherits is reported once, at the section.
 */
export function alarmProblems(alarms: AlarmsConfig, models: readonly { readonly alarms?: ModelAlarmsConfig }[]): string[] {
  const problems: string[] = [];
  const check = (prefix: string, s: ModelAlarmSettings, set: (family: ModelAlarmFamily) => object | undefined) => {
    for (const family of MODEL_FAMILY_NAMES) {
      const minutesKey = MODEL_ALARM_FAMILIES[family].periodField;
      const f = s[family] as { evaluationPeriods: number; datapointsToAlarm?: number } & Record<string, number | boolean>;
      const own = set(family);
      if (!own) continue;
      const at = (...keys: string[]) => keys.find((k) => k in own);
      if (f.datapointsToAlarm !== undefined && f.datapointsToAlarm > f.evaluationPeriods) {
        const key = at('datapointsToAlarm', 'evaluationPeriods');
        if (key)
          problems.push(
            `${prefix}.${family}.${key}: datapointsToAlarm must be at most evaluationPeriods; lower datapointsToAlarm or raise evaluationPeriods (got ${f.datapointsToAlarm} of ${f.evaluationPeriods})`,
          );
      }
      const minutes = f[minutesKey] as number;
      if (minutes * f.evaluationPeriods > 1440) {
        const key = at('evaluationPeriods', minutesKey);
        if (key)
          problems.push(
            `${prefix}.${family}.${key}: ${minutesKey} × evaluationPeriods must be at most 1440 minutes (one day, CloudWatch's limit); shorten the period or evaluate fewer periods (got ${minutes} × ${f.evaluationPeriods})`,
          );
      }
    }
  };
  check('alarms', modelAlarmSettings(alarms), (family) => alarms[family]);
  models.forEach((m, i) => {
    check(`models[${i}].alarms`, modelAlarmSettings(alarms, m), (family) => m.alarms?.[family]);
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

/**
 * The drift alarm's window in daily periods: a day's datum arrives `billDelayDays` + 1 days after its start (+ the run
 * hour), so the last `days` published days lie within `days` + `billDelayDays` + 2 days of any moment. M of N: `days`
 * of them must drift.
 */
export function driftAlarmWindow(days: number, billDelayDays: number): { evaluationPeriods: number; datapointsToAlarm: number } {
  return { evaluationPeriods: days + billDelayDays + 2, datapointsToAlarm: days };
}

/** CloudWatch: period × evaluation periods at most 7 days for periods of an hour or more. */
export const MAX_ALARM_DAYS = 7;

/** The drift alarm's window within CloudWatch's 7 days. */
export function driftWindowProblems(config: {
  readonly alarms: Pick<AlarmsConfig, 'costDrift'>;
  readonly reconcile: { readonly daily: { readonly billDelayDays: number } };
}): string[] {
  const { days } = config.alarms.costDrift;
  const delay = config.reconcile.daily.billDelayDays;
  const { evaluationPeriods } = driftAlarmWindow(days, delay);
  if (evaluationPeriods <= MAX_ALARM_DAYS) return [];
  return [
    `alarms.costDrift.days: days + reconcile.daily.billDelayDays must be at most ${MAX_ALARM_DAYS - 2}: the alarm looks back days + delay + 2 daily periods (a day's bill is read delay + 1 days after it starts) and CloudWatch allows 7; lower one of them (got ${days} + ${delay})`,
  ];
}
