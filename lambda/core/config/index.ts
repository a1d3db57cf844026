/**
 * The one config schema, shared by `cdk synth` (lib/config.ts loads it from cdk.json context or a file), the operator
 * CLI (`--config FILE`) and the Lambda handlers (validated once at cold start). Pure: no file or env access here.
 *
 * Every error names its path (`models[2].cacheWriteTtl`), the value received and what is allowed; all errors are
 * reported at once; unknown keys are errors so that a typo never passes silently.
 */
export {
  ALARM_DEFAULTS,
  ALARM_MODES,
  alarmsSchema,
  driftAlarmWindow,
  lowHitThresholdPercent,
  modelAlarmSettings,
  modelAlarmsSchema,
} from './alarms';
export type { AlarmMode, AlarmsConfig, ModelAlarmFamily, ModelAlarmsConfig, ModelAlarmSettings } from './alarms';
export { ConfigError, formatIssues, formatPath } from './issues';
export { modelSchema } from './model';
export { configProblems, parseConfig, targetConfig } from './parse';
export { ON_CALL_MODES, TARGET_SECTIONS } from './targets';
export type { MonitoringConfig, OnCallMode, TargetConfig, TargetRef } from './targets';
export { cacheWriteTtlSchema, pricingEntrySchema } from './pricing';
export type { CacheWriteTtl, PricingEntry, PricingTable } from './pricing';
export { configSchema } from './schema';
export type { ConfigInput, ModelConfig, PromptCacheConfig } from './schema';
export { MONITORING_PRICE_KEYS, namespaceProblem } from './sections';
