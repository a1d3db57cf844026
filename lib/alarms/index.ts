/**
 * The alarms of the on-call view, their topics and the notifier.
 *
 * Fleet alarms (CloudWatch Metrics Insights, one contributor per model) over the publisher's alarm-ready series, one
 * per cache family (families/: low hit ratio, writes without reads, caching costs money, with a paging variant for
 * money lost fast); precise per-model alarms on the raw AWS/Bedrock Sums for opted-in models; with the publisher, the
 * pipeline families (publisher errors, the heartbeat on `PublisherLagMinutes`). No alarm has an action: every state
 * change, and every contributor's, reaches the notifier (notifier.ts) through EventBridge, which sends one page or
 * ticket with the runbook (lambda/core/pages, also each alarm's description, ≤ 1,024 characters).
 *
 * plan.ts decides (pure), families/ describe each family, construct.ts builds, topic.ts is a topic (pages, tickets),
 * shared-text.ts stores repeated description text once, limits.ts holds the limits and their checks.
 */
export * from './construct';
export * from './families';
export * from './limits';
export * from './notifier';
export * from './plan';
export * from './shared-text';
export * from './topic';
