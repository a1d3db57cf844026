/**
 * What an alarm family is: its name, its plan entries (does this model or the all-models series get the alarm, how
 * many metrics it reads, which warnings) and its alarm (metric or expression, threshold, window, missing data,
 * runbook). One file per family implements it; index.ts lists them. Plan and construct only iterate the list.
 */
import type { ComparisonOperator, IMetric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { ModelAlarmSettings, ModelConfig, PromptCacheConfig } from '../../../lambda/core/config';
import { coveringWindow, fleetWindow, INSIGHTS_EVALUATION_MINUTES } from '../../../lambda/core/pages';
import type { ResolvedPrice } from '../../../lambda/core/prices';
import type { BedrockMetrics } from '../../bedrock-metrics';
import type { SavingsMetrics } from '../../savings-metrics';
import type { SynthWarning } from '../../synth-warnings';
import type { AlarmPlan, FleetAlarmSpec, ModelAlarmPlan, PublisherTiming, PublisherWindow } from '../plan-types';

export type { FleetAlarmSpec, PublisherTiming, PublisherWindow } from '../plan-types';

/**
 * The config's window (period × evaluation periods, M of N) in whole publisher periods, covering at least as much
 * time, within CloudWatch's one day: 15 min × 4 with 3 to alarm at a 60-minute publisher is 1 period, 1 to alarm.
 * The same function words the pages' "clears when" (lambda/core/pages).
 */
export function publisherWindow(
  periodMinutes: number,
  evaluationPeriods: number,
  datapointsToAlarm: number,
  publisherMinutes: number,
): PublisherWindow {
  const { published: _published, ...w } = coveringWindow(periodMinutes, evaluationPeriods, datapointsToAlarm, publisherMinutes);
  return w;
}

export { fleetWindow, INSIGHTS_EVALUATION_MINUTES };

type Warn = (warning: SynthWarning) => void;

/** A configured model, as a cache family's planner sees it. */
export interface ModelPlanInput {
  readonly model: ModelConfig;
  /** Index in `config.models`. */
  readonly index: number;
  /** Its effective settings (overrides on the `alarms` section); `settings.enabled` is already true. */
  readonly settings: ModelAlarmSettings;
  readonly price?: ResolvedPrice;
  readonly breakEvenPercent?: number;
  /** Metrics one raw-Sum cache alarm reads: each cache metric under every spelling the config does not pin. */
  readonly cacheMetrics: number;
  /** The publisher, when deployed. */
  readonly publisher?: PublisherTiming;
  readonly warn: Warn;
}

/** The `alarms` section, as a cache family's section and all-models planners see it. */
export interface SectionPlanInput {
  readonly config: PromptCacheConfig;
  readonly section: ModelAlarmSettings;
  readonly warn: Warn;
}

/** What a cache family's alarm is built from. */
export interface CacheAlarmInput {
  readonly config: PromptCacheConfig;
  readonly model: ModelAlarmPlan;
  /** The model's effective settings. */
  readonly settings: ModelAlarmSettings;
  /** The publisher, when deployed. */
  readonly publisher?: PublisherTiming;
  /** AWS/Bedrock metrics with a period of `minutes`. */
  readonly bedrock: (minutes: number) => BedrockMetrics;
  /** The publisher's series with a period of `minutes`. */
  readonly custom: (minutes: number) => SavingsMetrics;
}

/** What a pipeline family's alarm is built from. */
export interface PipelineAlarmInput {
  readonly config: PromptCacheConfig;
  readonly plan: AlarmPlan;
  readonly publisher: PublisherTiming & { readonly function: IFunction };
  readonly custom: (minutes: number) => SavingsMetrics;
}

/** The `alarms` section with the deployed publisher, as a cache family's fleet planner sees it. */
export interface FleetPlanInput extends SectionPlanInput {
  readonly publisher: PublisherTiming;
}

/** One alarm, as a family describes it; the construct names it and writes the runbook. */
export interface AlarmSpec {
  readonly metric: IMetric;
  readonly threshold: number;
  readonly comparisonOperator: ComparisonOperator;
  readonly evaluationPeriods: number;
  readonly datapointsToAlarm: number;
  readonly treatMissingData: TreatMissingData;
}

/**
 * A family of cache alarms: fleet alarms over every model the publisher sees (the default), and one alarm per model in
 * precise mode (`models[].alarms.mode: "precise"`, or every configured model when no publisher is deployed).
 */
export interface CacheAlarmFamily<K extends string = string> {
  /** The config key of its settings (`alarms.<key>`, `models[].alarms.<key>`). */
  readonly key: K;
  /** Alarm name suffix, construct id and logical id prefix: `LowHitRatio`. */
  readonly name: string;
  /** How the roll-up's runbook names it: `low-hit-ratio`. */
  readonly title: string;
  /** The metrics a precise model's alarm reads, or undefined to leave it out (warning why, unless the config turned it off). */
  planModel(input: ModelPlanInput): number | undefined;
  /** Checks the `alarms` section once (only when alarms are enabled). @default - none */
  planSection?(input: SectionPlanInput): void;
  /** The family's fleet alarms (none when the section turns it off); only asked when the publisher is deployed. */
  fleet(input: FleetPlanInput): FleetAlarmSpec[];
  /** A precise model's alarm. */
  alarm(input: CacheAlarmInput): AlarmSpec;
}

/** A family of alarms on the savings publisher itself. */
export interface PipelineAlarmFamily<K extends string = string> {
  readonly key: K;
  /** Alarm name suffix (`<prefix>-<name>`), construct id and logical id prefix. */
  readonly name: string;
  /** The metrics the alarm reads, or undefined to leave it out; asked when the publisher and `alarms.pipeline` are on. */
  planPipeline(input: SectionPlanInput & { readonly publisher: PublisherTiming }): number | undefined;
  alarm(input: PipelineAlarmInput): AlarmSpec;
}
