/**
 * The alarm families of the on-call view, their SNS topic, their runbooks and the composite roll-ups that page.
 *
 * Per configured model, and once for all models (from the publisher's all-models series: AWS documents no
 * dimensionless AWS/Bedrock runtime series), one alarm per cache family (families/: low hit ratio, writes without
 * reads, caching costs money); with the publisher, the pipeline families (publisher errors, the heartbeat on
 * `PublisherLagMinutes`). The metric alarms carry no action: one composite (`<prefix>-CacheHealth`) is in ALARM while
 * any cache alarm is, another (`<prefix>-SavingsPipeline`) while any pipeline alarm is; only these two notify the
 * on-call topic, on ALARM by their alarm action and on recovery by an EventBridge rule (not on their first OK after
 * creation), so one incident pages once.
 *
 * No alarm uses SEARCH (CloudWatch refuses it); every metric math alarm reads at most 4 metrics of one period. Each
 * alarm's description is its runbook (≤ 1,024 characters, checked at synth).
 *
 * plan.ts decides (pure), families/ describe each family, construct.ts builds, topic.ts is the on-call topic,
 * runbooks.ts and shared-text.ts write the descriptions, limits.ts holds the limits and their checks.
 */
export * from './construct';
export * from './families';
export * from './limits';
export * from './plan';
export * from './runbooks';
export * from './shared-text';
export * from './topic';
