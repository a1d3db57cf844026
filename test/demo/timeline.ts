/**
 * The demo's notification timeline: which replayed transitions would notify someone, on which topic, and one line
 * each. Pure.
 *
 * What notifies (as the notifier routes CloudWatch's EventBridge events): every transition of a fleet alarm's
 * contributor (a model going to ALARM, or back to OK after ALARM: a contributor is never INSUFFICIENT_DATA and starts in
 * OK), and of a single alarm (precise, pipeline) a change to ALARM and a return from ALARM to OK. A fleet alarm's own
 * transitions name no model and notify nobody; a first evaluation (INSUFFICIENT_DATA → OK) is no recovery. Each goes to
 * the topic of its alarm's severity (the catalog's), a recovery to the same topic as its alarm.
 *
 *   2026-11-28T10:00Z  PAGE    code-review  caching costs money (over $1/h): OK -> ALARM  -2.02 $/h
 */
import { FAMILY_TITLES, type CatalogAlarm, type Severity } from '../../lambda/core/alarm-catalog';
import { lowHitThresholdPercent, modelAlarmSettings, type PromptCacheConfig } from '../../lambda/core/config';
import { resolveModelPrice } from '../../lambda/core/prices';
import { breakEvenHitRatioPercent } from '../../lambda/core/savings';
import { LAG_FILL_MINUTES } from '../../lib/alarms/families';
import type { AlarmState, ContributorTransition, Transition } from './alarm-replay';

/** One notification the replay says would have been sent. */
export interface Notification {
  /** When the state changed (the end of the evaluated period). */
  readonly atMs: number;
  readonly alarm: CatalogAlarm;
  /** The topic it goes to: the alarm's severity. */
  readonly topic: Severity;
  /** `alarm`: into ALARM; `recovery`: back to OK after ALARM. */
  readonly transition: 'alarm' | 'recovery';
  /** The contributor's ModelId (fleet), the precise alarm's model; none for the pipeline alarms. */
  readonly modelId?: string;
  /** The model's display name when configured, else its id; `pipeline` for the pipeline alarms. */
  readonly label: string;
  readonly from: AlarmState;
  readonly to: AlarmState;
  /** The evaluated datapoint, in the alarm metric's unit (null: none, e.g. a contributor whose series stopped). */
  readonly value: number | null;
  /** The alarm's period, in seconds. */
  readonly periodSeconds: number;
}

/** A model's label: its display name when the config has one, else its id. */
export function modelLabel(config: Pick<PromptCacheConfig, 'models'>, modelId: string): string {
  return config.models.find((m) => m.modelId === modelId)?.displayName ?? modelId;
}

function notification(
  alarm: CatalogAlarm,
  t: Transition,
  periodSeconds: number,
  config: Pick<PromptCacheConfig, 'models'>,
  modelId: string | undefined,
): Notification {
  return {
    atMs: t.atMs,
    alarm,
    topic: alarm.severity,
    transition: t.to === 'ALARM' ? 'alarm' : 'recovery',
    ...(modelId === undefined ? {} : { modelId }),
    label: modelId === undefined ? 'pipeline' : modelLabel(config, modelId),
    from: t.from,
    to: t.to,
    value: t.value,
    periodSeconds,
  };
}

/** The notifications of a fleet alarm: one per contributor transition (each names its model). */
export function contributorNotifications(
  alarm: CatalogAlarm,
  transitions: readonly ContributorTransition[],
  periodSeconds: number,
  config: Pick<PromptCacheConfig, 'models'>,
): Notification[] {
  if (alarm.kind !== 'fleet') throw new Error(`timeline: ${alarm.name} is a ${alarm.kind} alarm, it has no contributors`);
  return transitions
    .filter((t) => t.to === 'ALARM' || t.from === 'ALARM')
    .map((t) => notification(alarm, t, periodSeconds, config, t.contributor));
}

/** The notifications of a single (precise or pipeline) alarm: into ALARM, and from ALARM back to OK. */
export function singleNotifications(
  alarm: CatalogAlarm,
  transitions: readonly Transition[],
  periodSeconds: number,
  config: Pick<PromptCacheConfig, 'models'>,
): Notification[] {
  if (alarm.kind === 'fleet') throw new Error(`timeline: ${alarm.name} is a fleet alarm: its contributors notify, not the alarm`);
  return transitions
    .filter((t) => (t.to === 'ALARM' && t.from !== 'ALARM') || (t.to === 'OK' && t.from === 'ALARM'))
    .map((t) => notification(alarm, t, periodSeconds, config, alarm.modelId));
}

/** In time order; at one time in catalog order (fleet, precise, pipeline), then by label. */
export function sortNotifications(list: readonly Notification[], catalog: readonly CatalogAlarm[]): Notification[] {
  const rank = (n: Notification) => catalog.findIndex((a) => a.name === n.alarm.name);
  return [...list].sort((a, b) => a.atMs - b.atMs || rank(a) - rank(b) || a.label.localeCompare(b.label));
}

const usd = (v: number) => String(Number(v.toFixed(2)));
const count = (v: number) => Math.round(v).toLocaleString('en-US');

/** The family as a person reads it; the paging fleet alarm of money lost says its threshold. */
export function alarmTitle(alarm: CatalogAlarm, config: Pick<PromptCacheConfig, 'alarms'>): string {
  const title = FAMILY_TITLES[alarm.family];
  if (alarm.kind === 'fleet' && alarm.family === 'cachingCostsMoney' && alarm.severity === 'page')
    return `${title} (over $${usd(config.alarms.pageAboveUsdPerHour)}/h)`;
  return alarm.anomalyBand ? `${title} (anomaly band)` : title;
}

/** The model's low-hit-ratio threshold, as the publisher applies it (its settings, its price's break-even). */
function lowHitThreshold(config: PromptCacheConfig, modelId: string): number {
  const model = config.models.find((m) => m.modelId === modelId);
  const price = resolveModelPrice(model, modelId, config.pricing);
  return lowHitThresholdPercent(modelAlarmSettings(config.alarms, model).lowHitRatio, price && breakEvenHitRatioPercent(price));
}

/** The evaluated datapoint as a person reads it, '' when there is none. */
export function valueText(n: Notification, config: PromptCacheConfig): string {
  const v = n.value;
  if (v === null || n.alarm.anomalyBand) return '';
  const fleet = n.alarm.kind === 'fleet';
  switch (n.alarm.family) {
    case 'lowHitRatio': {
      if (!fleet || n.modelId === undefined) return `hit ratio ${v.toFixed(1)}%`;
      // The fleet series is the margin: hit ratio minus the model's threshold, in points.
      const threshold = lowHitThreshold(config, n.modelId);
      return `hit ratio ${(v + threshold).toFixed(1)}% (threshold ${threshold.toFixed(1)}%)`;
    }
    case 'writesWithoutReads':
      return `${count(v)} tokens written without a read`;
    case 'cachingCostsMoney':
      // Fleet: net savings per hour; precise: net savings over the alarm's period.
      return `${usd(fleet ? v : (v * 3600) / n.periodSeconds)} $/h`;
    case 'heartbeat':
      // The heartbeat's FILL value stands for no report at all.
      return v >= LAG_FILL_MINUTES ? 'no lag report' : `lag ${count(v)} min`;
    case 'publisherErrors':
      return `${count(v)} error${v === 1 ? '' : 's'}`;
  }
}

/** `2026-11-28T10:00Z`. */
export const minuteUtc = (ms: number): string => `${new Date(ms).toISOString().slice(0, 16)}Z`;

/** One line: time, topic (PAGE or TICKET), model, alarm, transition, value. */
export function timelineLine(n: Notification, config: PromptCacheConfig): string {
  const value = valueText(n, config);
  const topic = n.topic === 'page' ? 'PAGE' : 'TICKET';
  return `${minuteUtc(n.atMs)}  ${topic.padEnd(6)}  ${n.label}  ${alarmTitle(n.alarm, config)}: ${n.from} -> ${n.to}${value === '' ? '' : `  ${value}`}`;
}
