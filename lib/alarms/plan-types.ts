/**
 * The alarm plan's data types, apart from the plan (plan.ts) and the families (families/), which both use them: the
 * families' list imports each family, so these must not import the list.
 */
import type { ModelAlarmSettings } from '../../lambda/core/config';
import type { ResolvedPrice } from '../../lambda/core/prices';
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

export interface PlannedAlarm {
  /** The family's key (`ModelAlarmFamily` or `PipelineAlarmKind` of families/index.ts; a string here to keep the plan's
   *  types free of the family list, which imports them). */
  readonly family: string;
  /** The CloudWatch alarm name. */
  readonly name: string;
  /** Metrics the alarm reads (what it is billed by). */
  readonly metrics: number;
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
  readonly alarms: readonly PlannedAlarm[];
}

export interface AlarmPlan {
  readonly enabled: boolean;
  readonly namePrefix: string;
  readonly models: readonly ModelAlarmPlan[];
  /** Alarms on the all-models series. */
  readonly allModels: readonly PlannedAlarm[];
  readonly pipeline: readonly PlannedAlarm[];
  /** The publisher the alarms were planned for, when deployed. */
  readonly publisher?: PublisherTiming;
  /** Periods (of the publisher's length) without a `PublisherLagMinutes` report, or above the lag threshold, that page. */
  readonly heartbeatPeriods: number;
  /** The lag (minutes) above which the watermark is stuck: the settle delay, one period and the Lambda timeout. */
  readonly lagThresholdMinutes: number;
  readonly topic: 'create' | 'import' | 'none';
  readonly emails: number;
  /** Synth-time warnings (settings that can never fire, alarmed models without a price), each of its kind. */
  readonly warnings: readonly SynthWarning[];
  readonly infos: readonly string[];
}
