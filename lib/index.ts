/** The library's public surface: embed {@link PromptCacheMonitoring} in your own stack, or deploy the ready stack. */
export { PromptCacheMonitoring, validatePromptCacheMonitoringProps, type PromptCacheMonitoringProps } from './prompt-cache-monitoring';
export { PromptCacheMonitoringStack, type PromptCacheMonitoringStackProps } from './prompt-cache-monitoring-stack';
export {
  BedrockMetrics,
  DEFAULT_METRIC_PERIOD,
  cachedInputShareExpression,
  gatedHitRatioExpression,
  hitRatioExpression,
  netSavingsExpression,
  writesWithoutReadsExpression,
  type BedrockMetricsProps,
  type BedrockRuntimeMetric,
  type BedrockTokenKind,
  type NetSavingsOptions,
  type RatioOptions,
  type SearchOptions,
  type TokenMetricOptions,
} from './bedrock-metrics';
export { SavingsMetrics, type SavingsMetricKind, type SavingsMetricOptions, type SavingsMetricsProps } from './savings-metrics';
export {
  CostReviewDashboard,
  OnCallDashboard,
  costReviewWidgets,
  onCallWidgets,
  type CostReviewDashboardProps,
  type OnCallDashboardProps,
} from './dashboards';
export { CONSOLE_HOSTS, consoleHost, dashboardUrl } from './console-url';
export {
  PromptCacheAlarms,
  modelsThatFit,
  planAlarms,
  plannedResources,
  type AlarmPlan,
  type ModelAlarmFamily,
  type ModelAlarmPlan,
  type PipelineAlarmKind,
  type PlannedAlarm,
  type PlannedResources,
  type PromptCacheAlarmsProps,
} from './alarms';
export { SavingsPublisher, publisherSchedule, type SavingsPublisherOptions, type SavingsPublisherProps } from './savings-publisher';
export { PromptCacheFunction, type PromptCacheFunctionProps } from './prompt-cache-function';
export { WeeklyDigest, type WeeklyDigestOptions, type WeeklyDigestProps } from './weekly-digest';
export { DailyBillCheck, type DailyBillCheckOptions, type DailyBillCheckProps } from './bill-check';
export {
  ObservabilityLink,
  ObservabilitySink,
  SHARED_RESOURCE_TYPES,
  type ObservabilityLinkProps,
  type ObservabilitySinkProps,
} from './cross-account';
export { FleetDashboard, type FleetDashboardProps, type TargetRef } from './fleet-dashboard';
export {
  PromptCacheRollupStack,
  PromptCacheSinkStack,
  type PromptCacheRollupStackProps,
  type PromptCacheSinkStackProps,
} from './prompt-cache-rollup-stack';
export { addPromptCacheStacks, targetStackName, type PromptCacheStacks } from './prompt-cache-app';
export {
  CONFIG_CONTEXT_KEY,
  CONFIG_FILE_CONTEXT_KEY,
  ConfigError,
  loadConfigFile,
  loadConfigFromContext,
  parseConfig,
  type CacheWriteTtl,
  type ConfigInput,
  type ContextSource,
  type ModelConfig,
  type PricingEntry,
  type PromptCacheConfig,
} from './config';
export { DEFAULT_BEDROCK_METRIC_NAMES, DEFAULT_NAMESPACE, type BedrockMetricNames } from '../lambda/core/contract';
