/**
 * The alarm families, in the order their alarms are planned, built, rolled up and listed on the dashboard. A new
 * family is one file implementing CacheAlarmFamily or PipelineAlarmFamily (family.ts) and one entry here; its config
 * settings (`alarms.<key>`, `models[].alarms.<key>`) live in the config schema.
 */
import { cachingCostsMoney } from './caching-costs-money';
import { heartbeat } from './heartbeat';
import { lowHitRatio } from './low-hit-ratio';
import { publisherErrors } from './publisher-errors';
import { writesWithoutReads } from './writes-without-reads';

/** Fleet alarms over every model the publisher sees, and per model in precise mode. */
export const CACHE_ALARM_FAMILIES = [lowHitRatio, writesWithoutReads, cachingCostsMoney] as const;
/** On the savings publisher. */
export const PIPELINE_ALARM_FAMILIES = [publisherErrors, heartbeat] as const;

export type ModelAlarmFamily = (typeof CACHE_ALARM_FAMILIES)[number]['key'];
export type PipelineAlarmKind = (typeof PIPELINE_ALARM_FAMILIES)[number]['key'];
export const MODEL_ALARM_FAMILIES: readonly ModelAlarmFamily[] = CACHE_ALARM_FAMILIES.map((f) => f.key);

export * from './family';
export { lowHitRatio } from './low-hit-ratio';
export { writesWithoutReads } from './writes-without-reads';
export { cachingCostsMoney } from './caching-costs-money';
export { publisherErrors } from './publisher-errors';
export { LAG_FILL_MINUTES, heartbeat, heartbeatPeriods, heartbeatSpec, lagExpression, lagThresholdMinutes } from './heartbeat';
