/**
 * CloudWatch's EventBridge events as the notifier reads them: an alarm's own state change (`CloudWatch Alarm State
 * Change`) and a fleet alarm contributor's (`CloudWatch Alarm Contributor State Change`), turned into one notice to
 * send, or the reason it is ignored. Pure.
 *
 * What notifies: each contributor transition of a fleet alarm (ALARM; OK as recovery: a contributor's previous state is
 * the other of the two), each ALARM of a single alarm and its return to OK. What does not: a fleet alarm's own
 * transitions (they name no model; its contributors notify one by one, even while the alarm stays in ALARM), a first
 * evaluation (INSUFFICIENT_DATA → OK), INSUFFICIENT_DATA itself, and alarms not in the catalog.
 */
import { MODEL_ID_DIMENSION } from '../contract';
import type { AlarmLookup, CatalogAlarm } from '../alarm-catalog';
import { partitionOf } from './links';

export const ALARM_STATE_CHANGE = 'CloudWatch Alarm State Change';
export const CONTRIBUTOR_STATE_CHANGE = 'CloudWatch Alarm Contributor State Change';
/** Metrics Insights' name of a series' source account in a monitoring account (WHERE and GROUP BY). */
export const ACCOUNT_ID_KEY = 'AWS.AccountId';

/** One transition to tell a person about. */
export interface AlarmNotice {
  /** The EventBridge event id (for the logs). */
  readonly eventId: string;
  readonly alarm: CatalogAlarm;
  /** `alarm`: it went into ALARM; `recovery`: back to OK after ALARM. */
  readonly transition: 'alarm' | 'recovery';
  /** The fleet contributor's ModelId, or a precise alarm's model; none for the pipeline alarms. */
  readonly modelId?: string;
  /** A cross-account fleet alarm's contributor: the source account its series comes from. */
  readonly accountId?: string;
  /** When the state changed. */
  readonly atMs: number;
  /** A single alarm's recovery: when it had gone into ALARM (the previous state's timestamp). */
  readonly alarmSinceMs?: number;
  /** CloudWatch's reason text. */
  readonly reason: string;
  /** The most recent datapoint the alarm evaluated (reasonData, or the reason text), in the alarm metric's unit. */
  readonly value?: number;
  readonly partition: string;
  readonly region: string;
}

/** An event the notifier does not send, with why (for the log). */
export interface Ignored {
  readonly ignored: string;
  readonly alarmName?: string;
}

export const isIgnored = (x: AlarmNotice | Ignored): x is Ignored => 'ignored' in x;

type Json = Record<string, unknown>;
const obj = (v: unknown): Json | undefined => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

function timeOf(...candidates: unknown[]): number | undefined {
  for (const c of candidates) {
    const ms = typeof c === 'string' ? Date.parse(c) : NaN;
    if (Number.isFinite(ms)) return ms;
  }
  return undefined;
}

/**
 * The latest evaluated datapoint: reasonData's `evaluatedDatapoints` (the newest by timestamp), else its last
 * `recentDatapoints`, else the number in the reason's `[-2.85 (01/12/25 13:34:00)]`.
 */
export function datapointOf(reason: string, reasonData: string | undefined): number | undefined {
  try {
    const data = obj(JSON.parse(reasonData ?? 'null'));
    const evaluated = Array.isArray(data?.evaluatedDatapoints) ? (data.evaluatedDatapoints as unknown[]).map(obj) : [];
    const points = evaluated
      .filter((p): p is Json => typeof p?.value === 'number' && typeof p.timestamp === 'string')
      .sort((a, b) => Date.parse(b.timestamp as string) - Date.parse(a.timestamp as string));
    if (points.length > 0) return points[0].value as number;
    const recent = Array.isArray(data?.recentDatapoints) ? (data.recentDatapoints as unknown[]).filter((v) => typeof v === 'number') : [];
    if (recent.length > 0) return recent[recent.length - 1] as number;
  } catch {
    // Not JSON: the reason text below.
  }
  const m = /\[(-?\d+(?:\.\d+)?(?:E-?\d+)?) \(/i.exec(reason);
  return m ? Number(m[1]) : undefined;
}

/**
 * The source account of a cross-account contributor. The query groups by `AWS.AccountId`; that the event's contributor
 * attributes carry it under that key is known from AWS documentation (Metrics Insights GROUP BY in a monitoring
 * account) only, not from a recorded event: `AccountId` is read too, and only a 12-digit value is taken.
 */
export function contributorAccount(attributes: Json | undefined): string | undefined {
  for (const key of [ACCOUNT_ID_KEY, 'AccountId', 'accountId']) {
    const v = str(attributes?.[key]);
    if (v !== undefined && /^\d{12}$/.test(v)) return v;
  }
  return undefined;
}

/** The notice of one EventBridge event, or why it is not sent. */
export function readAlarmEvent(event: unknown, findAlarm: AlarmLookup): AlarmNotice | Ignored {
  const e = obj(event);
  const detail = obj(e?.detail);
  const kind = str(e?.['detail-type']);
  const alarmName = str(detail?.alarmName);
  if (str(e?.source) !== 'aws.cloudwatch' || (kind !== ALARM_STATE_CHANGE && kind !== CONTRIBUTOR_STATE_CHANGE) || !alarmName)
    return { ignored: `not a CloudWatch alarm state change (source ${String(e?.source)}, detail-type ${String(kind)})` };
  const alarm = findAlarm(alarmName);
  if (!alarm) return { ignored: 'not in the alarm catalog', alarmName };
  const state = obj(detail?.state);
  const value = str(state?.value);
  const reason = str(state?.reason) ?? '';
  const atMs = timeOf(state?.timestamp, e?.time) ?? 0;
  const resources = Array.isArray(e?.resources) ? e.resources : [];
  const base = {
    eventId: str(e?.id) ?? '',
    alarm,
    atMs,
    reason,
    partition: partitionOf(str(resources[0])),
    region: str(e?.region) ?? '',
  };
  const datapoint = datapointOf(reason, str(state?.reasonData));
  const withValue = datapoint === undefined ? {} : { value: datapoint };

  if (kind === CONTRIBUTOR_STATE_CHANGE) {
    if (alarm.kind !== 'fleet') return { ignored: `a contributor event of a ${alarm.kind} alarm`, alarmName };
    const attributes = obj(obj(detail?.alarmContributor)?.attributes);
    const modelId = str(attributes?.[MODEL_ID_DIMENSION]);
    if (!modelId) return { ignored: `a contributor without a ${MODEL_ID_DIMENSION}`, alarmName };
    if (value !== 'ALARM' && value !== 'OK') return { ignored: `a contributor state ${String(value)}`, alarmName };
    // A page without its account still goes out (it says the account is unknown): losing it would be worse.
    const accountId = alarm.crossAccount ? contributorAccount(attributes) : undefined;
    return {
      ...base,
      ...withValue,
      transition: value === 'ALARM' ? 'alarm' : 'recovery',
      modelId,
      ...(accountId === undefined ? {} : { accountId }),
    };
  }

  if (alarm.kind === 'fleet') return { ignored: "a fleet alarm's own transition (its contributors notify, one per model)", alarmName };
  const previous = obj(detail?.previousState);
  const from = str(previous?.value);
  const model = {
    ...(alarm.modelId === undefined ? {} : { modelId: alarm.modelId }),
    ...(alarm.accountId === undefined ? {} : { accountId: alarm.accountId }),
  };
  if (value === 'ALARM') {
    if (from === 'ALARM') return { ignored: 'ALARM → ALARM is no transition', alarmName };
    return { ...base, ...withValue, ...model, transition: 'alarm' };
  }
  if (value === 'OK') {
    if (from !== 'ALARM') return { ignored: `${String(from)} → OK is no recovery (only OK after ALARM is)`, alarmName };
    const since = timeOf(previous?.timestamp);
    return { ...base, ...withValue, ...model, transition: 'recovery', ...(since === undefined ? {} : { alarmSinceMs: since }) };
  }
  return { ignored: `${String(from)} → ${String(value)} is neither an incident nor a recovery`, alarmName };
}
