/** The library's public surface: embed {@link PromptCacheMonitoring} in your own stack, or deploy the ready stack. */
export {
  PromptCacheMonitoring,
  validatePromptCacheMonitoringProps,
  type PromptCacheMonitoringProps,
} from './prompt-cache-monitoring';
export { PromptCacheMonitoringStack, type PromptCacheMonitoringStackProps } from './prompt-cache-monitoring-stack';
export {
  BedrockMetrics,
  DEFAULT_METRIC_PERIOD,
  cachedInputShareExpression,
  hitRatioExpression,
  type BedrockMetricsProps,
  type BedrockTokenKind,
  type RatioOptions,
  type SearchOptions,
  type TokenMetricOptions,
} from './bedrock-metrics';
export { OnCallDashboard, onCallWidgets, type OnCallDashboardProps } from './dashboards';
export { SavingsPublisher, publisherSchedule, type SavingsPublisherOptions, type SavingsPublisherProps } from './savings-publisher';
export { PromptCacheFunction, type PromptCacheFunctionProps } from './prompt-cache-function';
export { WeeklyDigest, type WeeklyDigestOptions, type WeeklyDigestProps } from './weekly-digest';
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
