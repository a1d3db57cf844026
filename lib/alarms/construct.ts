/**
 * The PromptCacheAlarms construct: builds the planned alarms of every family (families/): the fleet alarms (Metrics
 * Insights, one contributor per model), the precise alarms of opted-in models and the pipeline alarms; the paging and
 * ticket topics; the runbooks (shared text in Mappings); and checks the stack's limits. No alarm notifies by itself:
 * the notifier (notifier.ts) turns every state change into a page or a ticket that carries its runbook.
 */
import { Annotations, Duration, type CfnResource } from 'aws-cdk-lib';
import { Alarm, AnomalyDetectionAlarm, ComparisonOperator, MathExpression, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { CatalogAlarm } from '../../lambda/core/alarm-catalog';
import { ConfigError, driftAlarmWindow, type PromptCacheConfig } from '../../lambda/core/config';
import { ACCOUNT_ID_KEY, alarmDescription } from '../../lambda/core/pages';
import { CUSTOM_METRICS, MODEL_ID_DIMENSION } from '../../lambda/core/contract';
import { BedrockMetrics } from '../bedrock-metrics';
import { SavingsMetrics } from '../savings-metrics';
import { addSynthWarning } from '../synth-warnings';
import {
  CACHE_ALARM_FAMILIES,
  PIPELINE_ALARM_FAMILIES,
  type AlarmSpec,
  heartbeatSpec,
  type CacheAlarmFamily,
  type ModelAlarmFamily,
  type PipelineAlarmFamily,
  type PipelineAlarmKind,
  type PublisherTiming,
} from './families';
import { mappingLimitProblems, resolvedLengthBound, resourceLimitProblems, templateSizeProblems, type LimitSubject } from './limits';
import { shortHash } from './names';
import {
  DEFAULT_PUBLISHER_TIMEOUT_MINUTES,
  modelsThatFit,
  planAlarms,
  plannedResources,
  type AlarmPlan,
  type FleetAlarmSpec,
  type ModelAlarmPlan,
  type PlannedAlarm,
} from './plan';
import { SharedText } from './shared-text';
import { AlarmNotifier } from './notifier';
import { OnCallTopic } from './topic';

/** What the alarms must know of the deployed savings publisher. */
export interface AlarmedPublisher {
  /** The publisher's function: the errors alarm reads its `Errors`. */
  readonly function: IFunction;
  /** Its period, which is also its schedule: the config's `publisher.periodMinutes` (the Lambda publishes at that). */
  readonly period: Duration;
  /** How long after a period ends it reads the period: the config's `publisher.settleDelayMinutes`. */
  readonly settleDelay: Duration;
  /** The function's timeout: how late after its start a run may still report (part of the pipeline alarm's lag threshold). */
  readonly timeout: Duration;
}

export interface PromptCacheAlarmsProps {
  readonly config: PromptCacheConfig;
  /** Alarm names start with `<namePrefix>-` (unique per account and region). */
  readonly namePrefix: string;
  /** The on-call dashboard's console URL (may hold the region token), cited by every runbook. */
  readonly dashboardUrl: string;
  /**
   * The savings publisher: with it come the fleet alarms (they read its alarm-ready series) and the pipeline alarms.
   * @default - no publisher: every configured model gets precise alarms on the raw metrics, no fleet or pipeline alarm
   */
  readonly publisher?: AlarmedPublisher;
  /**
   * A topic of your app for pages (not together with the config's `alarms.topicArn`). Its key must let the notifier
   * function encrypt (an imported topic's key policy is yours to grant).
   * @default - the topic of `alarms.topicArn`, else a topic created here
   */
  readonly topic?: sns.ITopic;
  /**
   * A topic of your app for tickets (not together with `alarms.tickets.topicArn`).
   * @default - the topic of `alarms.tickets.topicArn`, else a topic created here
   */
  readonly ticketTopic?: sns.ITopic;
  /**
   * The daily bill check's function: with it come the bill-drift alarm (on its `CostDriftPercent`) and its errors alarm.
   * @default - no bill check, no bill alarms
   */
  readonly billCheck?: { readonly function: IFunction };
  /**
   * Resources the caller adds to the stack after this construct (its dashboards), for the resource-limit check.
   * @default 0
   */
  readonly resourcesAddedLater?: number;
  /**
   * The monitoring account's alarms over its source accounts (the roll-up stack; no `publisher` here, the config's
   * publisher timing is every target's): fleet alarms grouped by `AWS.AccountId` and ModelId, and a heartbeat alarm
   * per account of `heartbeatAccounts`. `accountLabels` names each source account in its pages (its target's stack).
   * @default - this stack's own alarms
   */
  readonly crossAccount?: {
    readonly heartbeatAccounts: readonly string[];
    readonly accountLabels: Readonly<Record<string, string>>;
  };
}

export type FamilyAlarms = { -readonly [K in ModelAlarmFamily]?: Alarm };

const CACHE_FAMILY = new Map<string, CacheAlarmFamily>(CACHE_ALARM_FAMILIES.map((f) => [f.key, f]));
const PIPELINE_FAMILY = new Map<string, PipelineAlarmFamily>(PIPELINE_ALARM_FAMILIES.map((f) => [f.key, f]));

/** Metrics Insights returns at most 500 series per query; ORDER BY makes those the worst ones. */
export const FLEET_QUERY_LIMIT = 500;

/**
 * The fleet alarm's Metrics Insights query: the alarm-ready series of every model, grouped by ModelId, worst first.
 * Each returned series is a contributor with its own state (one datum per publisher period, so the aggregate is the
 * value itself).
 */
export function fleetQuery(
  namespace: string,
  spec: Pick<FleetAlarmSpec, 'series' | 'comparisonOperator'>,
  /** In a monitoring account: one contributor per source account and model (`AWS.AccountId`, Metrics Insights' own). */
  crossAccount = false,
): string {
  const below = spec.comparisonOperator === ComparisonOperator.LESS_THAN_THRESHOLD;
  const agg = below ? 'MAX' : 'MIN';
  const groups = crossAccount ? `${ACCOUNT_ID_KEY}, ${MODEL_ID_DIMENSION}` : MODEL_ID_DIMENSION;
  return `SELECT ${agg}(${CUSTOM_METRICS[spec.series].name}) FROM SCHEMA("${namespace}", ${MODEL_ID_DIMENSION}) GROUP BY ${groups} ORDER BY ${agg}() ${below ? 'ASC' : 'DESC'} LIMIT ${FLEET_QUERY_LIMIT}`;
}

export class PromptCacheAlarms extends Construct {
  readonly plan: AlarmPlan;
  /** The paging (on-call) topic (created, imported from `alarms.topicArn`, or the `topic` prop), when any alarm exists. */
  readonly topic?: sns.ITopic;
  /** The paging topic's customer-managed key, when the topic is created here. */
  readonly topicKey?: kms.Key;
  /** The ticket topic and its key, likewise. */
  readonly ticketTopic?: sns.ITopic;
  readonly ticketTopicKey?: kms.Key;
  /** Every metric alarm, in the order of the plan (fleet, precise models, pipeline). */
  readonly alarms: Alarm[] = [];
  /** The fleet alarms, by name. */
  readonly fleet = new Map<string, Alarm>();
  /** Precise alarms per configured model id. */
  readonly byModel = new Map<string, FamilyAlarms>();
  readonly pipeline: { -readonly [K in PipelineAlarmKind]?: Alarm } = {};
  /** The bill check's alarms (drift, then errors), when it is deployed. */
  readonly bill: Alarm[] = [];
  /** Every alarm as the notifier knows it. */
  readonly catalog: readonly CatalogAlarm[];
  /** The notifier: every page and ticket, when any alarm exists. */
  readonly notifier?: AlarmNotifier;
  /** Pages on-call directly (CloudWatch's plain message) when the notifier's dead-letter queue holds events. */
  readonly notifierFailing?: Alarm;

  /** Alarm names, parallel to {@link alarms}. */
  private readonly alarmNames: string[] = [];
  private readonly shared = new SharedText(this, 'Runbooks');
  private readonly config: PromptCacheConfig;

  constructor(scope: Construct, id: string, props: PromptCacheAlarmsProps) {
    super(scope, id);
    const { config } = props;
    this.config = config;
    const source = `PromptCacheAlarms ${this.node.path}`;
    const clash = [
      ...(props.topic && config.alarms.topicArn !== undefined
        ? [`topic: config.alarms.topicArn (${config.alarms.topicArn}) names an on-call topic too; give one of them`]
        : []),
      ...(props.ticketTopic && config.alarms.tickets.topicArn !== undefined
        ? [`ticketTopic: config.alarms.tickets.topicArn (${config.alarms.tickets.topicArn}) names a ticket topic too; give one of them`]
        : []),
    ];
    if (clash.length > 0) throw new ConfigError(source, clash);
    const publisher = props.publisher ? publisherTiming(props.publisher, config, source) : undefined;
    this.plan = planAlarms(config, {
      publisher: publisher ?? props.crossAccount !== undefined,
      ...(props.crossAccount ? { crossAccount: { heartbeatAccounts: props.crossAccount.heartbeatAccounts } } : {}),
      namePrefix: props.namePrefix,
      topicProvided: props.topic !== undefined,
      ticketTopicProvided: props.ticketTopic !== undefined,
      billCheck: props.billCheck !== undefined,
    });
    const plan = this.plan;
    this.catalog = plan.catalog;
    const subject: LimitSubject = { models: plan.models.length, alarmsPerModel: Math.max(...plan.models.map((m) => m.alarms.length), 0) };
    const resourceProblems = resourceLimitProblems(
      this,
      subject,
      plannedResources(plan).total,
      props.resourcesAddedLater ?? 0,
      (others, limit) => modelsThatFit(plan, others, limit),
    );
    if (resourceProblems.length > 0)
      throw new ConfigError(`PromptCacheMonitoring ${this.node.scope?.node.path ?? this.node.path}`, resourceProblems);
    // The template's size is known only once the whole stack is built: checked at synth's validation step.
    this.node.addValidation({ validate: () => templateSizeProblems(this, subject, config) });
    for (const w of plan.warnings) addSynthWarning(this, w);
    for (const i of plan.infos) Annotations.of(this).addInfo(i);
    if (plan.pageTopic === 'none') return;

    const url = props.dashboardUrl;
    const bedrock = (minutes: number) => BedrockMetrics.fromConfig(config, Duration.minutes(minutes));
    const custom = (minutes: number) => SavingsMetrics.fromConfig(config, Duration.minutes(minutes));

    if (plan.fleet.length > 0) {
      const fleetScope = new Construct(this, 'Fleet');
      for (const f of plan.fleet) {
        const name = CACHE_FAMILY.get(f.family)!.name + (f.severity === 'page' ? 'Page' : '');
        const alarm = this.metricAlarm(fleetScope, name, f, fleetAlarmSpec(config, f.spec, f.crossAccount === true), url);
        this.fleet.set(f.name, alarm);
      }
    }
    for (const m of plan.models) {
      if (m.alarms.length === 0) continue;
      const modelScope = new Construct(this, `M${m.key.slice(-8)}`);
      const alarms: FamilyAlarms = {};
      for (const p of m.alarms) {
        if (p.anomalyBand) {
          this.anomalyAlarm(modelScope, p, m, custom, url);
          continue;
        }
        const family = CACHE_FAMILY.get(p.family)!;
        alarms[p.family as ModelAlarmFamily] = this.metricAlarm(
          modelScope,
          family.name,
          p,
          family.alarm({ config, model: m, settings: m.settings, publisher, bedrock, custom }),
          url,
        );
      }
      this.byModel.set(m.modelId, alarms);
    }
    if (plan.pipeline.length > 0 && props.crossAccount && plan.publisher) {
      // The roll-up: each source account's heartbeat, read across accounts.
      const pipeScope = new Construct(this, 'Pipeline');
      for (const p of plan.pipeline)
        this.metricAlarm(
          pipeScope,
          `Heartbeat${p.accountId}`,
          p,
          heartbeatSpec(config, plan, plan.publisher.periodMinutes, p.accountId),
          url,
        );
    } else if (plan.pipeline.length > 0 && props.publisher && publisher) {
      const pipeScope = new Construct(this, 'Pipeline');
      const withFunction = { ...publisher, function: props.publisher.function };
      for (const p of plan.pipeline) {
        const family = PIPELINE_FAMILY.get(p.family)!;
        this.pipeline[p.family as PipelineAlarmKind] = this.metricAlarm(
          pipeScope,
          family.name,
          p,
          family.alarm({ config, plan, publisher: withFunction, custom }),
          url,
        );
      }
    }

    if (plan.bill.length > 0 && props.billCheck) {
      const billScope = new Construct(this, 'Bill');
      for (const b of plan.bill) {
        const spec = b.family === 'costDrift' ? costDriftSpec(config, custom) : billCheckErrorsSpec(props.billCheck.function);
        this.bill.push(this.metricAlarm(billScope, b.family === 'costDrift' ? 'CostDrift' : 'BillCheckErrors', b, spec, url));
      }
    }

    // Id `Default`: CDK leaves it out of logical ids, so the topic and key keep the ids they had before this construct
    // existed (a changed id would replace them on update, and every e-mail subscription would need confirming again).
    const pages = new OnCallTopic(this, 'Default', {
      namePrefix: plan.namePrefix,
      topicArn: config.alarms.topicArn,
      topic: props.topic,
      emails: plan.pageEmails,
    });
    const tickets = new OnCallTopic(this, 'Tickets', {
      namePrefix: plan.namePrefix,
      topicArn: config.alarms.tickets.topicArn,
      topic: props.ticketTopic,
      emails: plan.ticketEmails,
      purpose: 'tickets',
    });
    this.topic = pages.topic;
    this.topicKey = pages.key;
    this.ticketTopic = tickets.topic;
    this.ticketTopicKey = tickets.key;
    this.notifier = new AlarmNotifier(this, 'Notifier', {
      config,
      namePrefix: plan.namePrefix,
      catalog: plan.catalog,
      pageTopic: pages.topic,
      ticketTopic: tickets.topic,
      pageTopicKey: pages.key,
      ticketTopicKey: tickets.key,
      dashboardUrl: url,
      ...(props.publisher ? { publisherTimeout: props.publisher.timeout } : {}),
      ...(props.crossAccount ? { accountLabels: props.crossAccount.accountLabels } : {}),
    });
    // The one alarm with an action of its own: when the notifier fails, its events pile up in the dead-letter queue,
    // and CloudWatch's own (plain) notification is all that can still reach on-call.
    this.notifierFailing = new Alarm(this, 'NotifierFailing', {
      alarmName: `${plan.namePrefix}-NotifierFailing`,
      alarmDescription:
        `PAGE. The alarm notifier failed: alarm events wait in its dead-letter queue and nobody hears of them. ` +
        `Do first: read the notifier's log group for "notification failed" (a KMS or SNS permission, a throttle), fix it, ` +
        `then read the queue's messages: each holds the alarm event it could not send. Clears when the queue is empty. Dashboard: ${url}`,
      metric: this.notifier.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }),
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    this.notifierFailing.addAlarmAction(new SnsAction(pages.topic));
    const runs = this.shared.sharedRuns().length;
    const mappingProblems = mappingLimitProblems(this, subject, runs, SharedText.mappingsFor(runs), SharedText.MIN_LENGTH);
    if (mappingProblems.length > 0)
      throw new ConfigError(`PromptCacheMonitoring ${this.node.scope?.node.path ?? this.node.path}`, mappingProblems);
    this.shared.finalize();
  }

  /** The alarm's runbook in night order, the same text its pages carry (lambda/core/pages), within 1,024 characters. */
  private description(name: string, url: string): string {
    const alarm = this.catalog.find((a) => a.name === name);
    if (!alarm) throw new Error(`alarm ${name} is not in the plan's catalog`);
    const text = alarmDescription(alarm, {
      config: this.config,
      dashboardUrl: url,
      ...(this.config.alarms.runbookUrl ? { runbookUrl: this.config.alarms.runbookUrl } : {}),
      ...(this.plan.publisher ? { publisherTimeoutMinutes: this.plan.publisher.timeoutMinutes } : {}),
      lengthOf: resolvedLengthBound,
    });
    // Split after the first line (the model and its symptom): the rest is often the same for models with the same settings.
    const cut = text.indexOf('\n');
    return this.shared.register(cut < 0 ? [text] : [text.slice(0, cut), text.slice(cut)]);
  }

  private metricAlarm(scope: Construct, id: string, p: PlannedAlarm, o: AlarmSpec, url: string): Alarm {
    const alarm = new Alarm(scope, id, {
      alarmName: p.name,
      alarmDescription: this.description(p.name, url),
      metric: o.metric,
      threshold: o.threshold,
      comparisonOperator: o.comparisonOperator,
      evaluationPeriods: o.evaluationPeriods,
      datapointsToAlarm: o.datapointsToAlarm,
      treatMissingData: o.treatMissingData,
    });
    return this.keep(alarm, id, p.name);
  }

  /** A precise model's anomaly band: below the band CloudWatch learns from the model's own hit ratio. */
  private anomalyAlarm(
    scope: Construct,
    p: PlannedAlarm,
    m: ModelAlarmPlan,
    custom: (minutes: number) => SavingsMetrics,
    url: string,
  ): Alarm {
    const f = m.settings.lowHitRatio;
    const periodMinutes = this.plan.publisher!.periodMinutes;
    const alarm = new AnomalyDetectionAlarm(scope, 'LowHitRatioAnomaly', {
      alarmName: p.name,
      alarmDescription: this.description(p.name, url),
      metric: custom(periodMinutes).metric('cacheHitRatio', { modelId: m.modelId, label: `${m.label}: hit ratio %` }),
      stdDevs: f.anomalyBandStdDevs,
      comparisonOperator: ComparisonOperator.LESS_THAN_LOWER_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    return this.keep(alarm, 'LowHitRatioAnomaly', p.name);
  }

  private keep(alarm: Alarm, id: string, name: string): Alarm {
    // Short logical ids (the family and a hash of the construct path, so still unique and stable).
    (alarm.node.defaultChild as CfnResource).overrideLogicalId(`${id}${shortHash(alarm.node.path)}`);
    this.alarms.push(alarm);
    this.alarmNames.push(name);
    return alarm;
  }
}

/** A fleet alarm as an AlarmSpec: the Metrics Insights query at the publisher's period. */
function fleetAlarmSpec(config: PromptCacheConfig, spec: FleetAlarmSpec, crossAccount: boolean): AlarmSpec {
  return {
    metric: new MathExpression({
      expression: fleetQuery(config.namespace, spec, crossAccount),
      period: Duration.minutes(spec.window.periodMinutes),
      label: CUSTOM_METRICS[spec.series].name,
    }),
    threshold: spec.threshold,
    comparisonOperator: spec.comparisonOperator,
    evaluationPeriods: spec.window.evaluationPeriods,
    datapointsToAlarm: spec.window.datapointsToAlarm,
    // A model below its volume guard has no datum: not evaluated, so it is not breaching (and recovers).
    treatMissingData: TreatMissingData.NOT_BREACHING,
  };
}

/**
 * The bill-drift alarm: the all-models `CostDriftPercent` (either sign) on days billed at least `minBilledUsdPerDay`,
 * one day a period, `days` of the days in which the last `days` published ones lie (driftAlarmWindow). A day without a
 * datum (nothing billed, nothing used) is not breaching.
 */
function costDriftSpec(config: PromptCacheConfig, custom: (minutes: number) => SavingsMetrics): AlarmSpec {
  const d = config.alarms.costDrift;
  const w = driftAlarmWindow(d.days, config.reconcile.daily.billDelayDays);
  const daily = custom(1440);
  return {
    metric: new MathExpression({
      expression: `IF(billed >= ${d.minBilledUsdPerDay}, ABS(drift), 0)`,
      usingMetrics: {
        billed: daily.metric('billedCostUsd', { statistic: 'Maximum', unlabelled: true }),
        drift: daily.metric('costDriftPercent', { statistic: 'Maximum', unlabelled: true }),
      },
      period: Duration.days(1),
      label: 'Bill drift %, either way (days billed at least the guard)',
    }),
    threshold: d.thresholdPercent,
    comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
    evaluationPeriods: w.evaluationPeriods,
    datapointsToAlarm: w.datapointsToAlarm,
    treatMissingData: TreatMissingData.NOT_BREACHING,
  };
}

/** The bill check's errors: one failed run in a day. */
function billCheckErrorsSpec(fn: IFunction): AlarmSpec {
  return {
    metric: fn.metricErrors({ period: Duration.days(1), statistic: 'Sum', label: 'Bill check errors' }),
    threshold: 1,
    comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    evaluationPeriods: 1,
    datapointsToAlarm: 1,
    // No run, no Errors datum: a check that stopped running shows on the cost-review dashboard, where the bill line
    // ends early (a silence alarm on Invocations would page every fresh stack before its first daily run).
    treatMissingData: TreatMissingData.NOT_BREACHING,
  };
}

/**
 * The publisher's timing in whole minutes. Its period and settle delay must be the config's: the Lambda publishes by
 * the config, and alarms at another period would read buckets it never fills.
 */
function publisherTiming(p: AlarmedPublisher, config: PromptCacheConfig, source: string): PublisherTiming {
  const problems: string[] = [];
  const minutes = (d: Duration, key: 'periodMinutes' | 'settleDelayMinutes', prop: string) => {
    const expected = config.publisher[key];
    if (d.isUnresolved()) return expected;
    const got = d.toMinutes({ integral: false });
    if (got !== expected)
      problems.push(
        `publisher.${prop}: ${got} minutes, but config.publisher.${key} is ${expected}; build the publisher and the alarms from one config`,
      );
    return expected;
  };
  const timing = {
    periodMinutes: minutes(p.period, 'periodMinutes', 'period'),
    settleDelayMinutes: minutes(p.settleDelay, 'settleDelayMinutes', 'settleDelay'),
    // An unresolved timeout cannot be measured at synth: the default, as the publisher's own.
    timeoutMinutes: p.timeout.isUnresolved() ? DEFAULT_PUBLISHER_TIMEOUT_MINUTES : Math.ceil(p.timeout.toMinutes({ integral: false })),
  };
  if (problems.length > 0) throw new ConfigError(source, problems);
  return timing;
}
