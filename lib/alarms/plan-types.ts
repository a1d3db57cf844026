/**
 * The alarm plan's data types, apart from the plan (plan.ts) and the families (families/), which both use them: the
 * families' list imports each family, so these must not import the list.
 */
import type { ComparisonOperator } from 'aws-cdk-lib/aws-cloudwatch';
import type { AlarmKind, CatalogAlarm, Severity } from '../../lambda/core/alarm-catalog';
import type { ModelAlarmSettings } from '../../lambda/core/config';
import type { ResolvedPrice } from '../../lambda/core/prices';
import type { SavingsMetricKind } from '../savings-metrics';
import type { SynthWarning } from '../synth-warnings';

/** What the alarms know of the deployed savings publisher, in minutes (the plan is pure). */
export interface PublisherTiming {
  /** Length of one publisher period, also its schedule. */
  readonly periodMinutes: number;
  /** How long after a period ends the publisher reads it. */
  readonly settleDelayMinutes: number;
  /** The publisher Lambda's timeout, rounded up: how long after its start a run can still report. */
  readonly timeoutMinutes: number;
}

/** An alarm window in whole publisher periods. */
export interface PublisherWindow {
  readonly periodMinutes: number;
  readonly evaluationPeriods: number;
  readonly datapointsToAlarm: number;
}

/**
 * One fleet alarm: a Metrics Insights query over one alarm-ready series of the publisher, grouped by ModelId (each
 * model a contributor with its own state), against a static threshold: each model's own threshold and volume guard
 * are already in the series (the publisher applies them).
 */
export interface FleetAlarmSpec {
  readonly severity: Severity;
  /** The publisher's alarm-ready series it reads. */
  readonly series: SavingsMetricKind;
  readonly threshold: number;
  readonly comparisonOperator: ComparisonOperator;
  readonly window: PublisherWindow;
}

export interface PlannedAlarm {
  /** The family's key (`AlarmFamilyKey` of lambda/core/alarm-catalog.ts). */
  readonly family: string;
  /** The CloudWatch alarm name. */
  readonly name: string;
  /** Metrics the alarm reads (what it is billed by); for a fleet alarm, per model it sees. */
  readonly metrics: number;
  readonly severity: Severity;
  readonly kind: AlarmKind;
  /** The anomaly-band variant of a precise low-hit-ratio alarm. */
  readonly anomalyBand?: boolean;
  /** A roll-up fleet alarm: grouped by source account and model. */
  readonly crossAccount?: boolean;
  /** A roll-up heartbeat: the source account whose publisher it watches. */
  readonly accountId?: string;
}

export interface PlannedFleetAlarm extends PlannedAlarm {
  readonly spec: FleetAlarmSpec;
}

export interface ModelAlarmPlan {
  readonly modelId: string;
  /** Index in `config.models`. */
  readonly index: number;
  /** The display name, or the model id. */
  readonly label: string;
  /** Stable per model id: construct id and alarm name part. */
  readonly key: string;
  readonly settings: ModelAlarmSettings;
  readonly price?: ResolvedPrice;
  /** The hit ratio below which caching costs money (0 without a write premium); undefined when unpriced. */
  readonly breakEvenPercent?: number;
  /** Its precise alarms (none in fleet mode: the fleet alarms watch it). */
  readonly alarms: readonly PlannedAlarm[];
}

/** Where a topic comes from: created here, an existing one (`topicArn` or a prop), or none (no alarm notifies). */
export type TopicSource = 'create' | 'import' | 'none';

export interface AlarmPlan {
  readonly enabled: boolean;
  readonly namePrefix: string;
  /** One per cache family and severity, over every model the publisher sees; none without a publisher. */
  readonly fleet: readonly PlannedFleetAlarm[];
  /** Every configured model, in config order. */
  readonly models: readonly ModelAlarmPlan[];
  readonly pipeline: readonly PlannedAlarm[];
  /** The daily bill check's drift and errors alarms, when it is deployed. */
  readonly bill: readonly PlannedAlarm[];
  /** The publisher the alarms were planned for, when deployed. */
  readonly publisher?: PublisherTiming;
  /** Periods (of the publisher's length) without a `PublisherLagMinutes` report, or above the lag threshold, that page. */
  readonly heartbeatPeriods: number;
  /** The lag (minutes) above which the watermark is stuck: the settle delay, one period and the Lambda timeout. */
  readonly lagThresholdMinutes: number;
  /** The paging (on-call) topic and the ticket topic. */
  readonly pageTopic: TopicSource;
  readonly ticketTopic: TopicSource;
  /** E-mail subscriptions of the created topics. */
  readonly pageEmails: readonly string[];
  readonly ticketEmails: readonly string[];
  /** Every alarm, as the notifier knows it: fleet, precise, pipeline. */
  readonly catalog: readonly CatalogAlarm[];
  /** Synth-time warnings (settings that can never fire, alarmed models without a price), each of its kind. */
  readonly warnings: readonly SynthWarning[];
  readonly infos: readonly string[];
}
