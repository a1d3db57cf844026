/**
 * The PromptCacheAlarms construct: builds the planned alarms of every family (families/), the on-call topic, the
 * runbooks (shared text in Mappings) and the composite roll-ups that page, and checks the stack's limits.
 */
import { Annotations, Duration, type CfnResource } from 'aws-cdk-lib';
import { Alarm, AlarmRule, CompositeAlarm, type IAlarm } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { ConfigError, modelAlarmSettings, type PromptCacheConfig } from '../../lambda/core/config';
import { BedrockMetrics } from '../bedrock-metrics';
import { SavingsMetrics } from '../savings-metrics';
import { addSynthWarning } from '../synth-warnings';
import {
  CACHE_ALARM_FAMILIES,
  PIPELINE_ALARM_FAMILIES,
  type AlarmSpec,
  type CacheAlarmFamily,
  type ModelAlarmFamily,
  type PipelineAlarmFamily,
  type PipelineAlarmKind,
  type PublisherTiming,
} from './families';
import { mappingLimitProblems, resourceLimitProblems, templateSizeProblems, type LimitSubject } from './limits';
import { shortHash } from './names';
import {
  DEFAULT_PUBLISHER_TIMEOUT_MINUTES,
  cacheAlarmNames,
  compositeGroups,
  modelsThatFit,
  planAlarms,
  plannedResources,
  type AlarmPlan,
  type PlannedAlarm,
} from './plan';
import { runbookParts, type Runbook } from './runbooks';
import { SharedText } from './shared-text';
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
   * The savings publisher: with it come the pipeline alarms and the all-models alarms, and writes without reads reads
   * its settled series.
   * @default - no publisher: no pipeline or all-models alarm; writes without reads on the raw Sums
   */
  readonly publisher?: AlarmedPublisher;
  /**
   * A topic of your app for the roll-ups' notifications (not together with the config's `alarms.topicArn`). Like an
   * imported topic, its policy and key must let CloudWatch publish, and the roll-ups notify recoveries by OK actions.
   * @default - the topic of `alarms.topicArn`, else a topic created here
   */
  readonly topic?: sns.ITopic;
  /**
   * Resources the caller adds to the stack after this construct (its dashboards), for the resource-limit check.
   * @default 0
   */
  readonly resourcesAddedLater?: number;
}

export type FamilyAlarms = { -readonly [K in ModelAlarmFamily]?: Alarm };

const CACHE_FAMILY = new Map<string, CacheAlarmFamily>(CACHE_ALARM_FAMILIES.map((f) => [f.key, f]));
const PIPELINE_FAMILY = new Map<string, PipelineAlarmFamily>(PIPELINE_ALARM_FAMILIES.map((f) => [f.key, f]));

/** `a, b or c`: how the cache roll-up's runbook lists the families. */
function alternatives(words: readonly string[]): string {
  return words.length > 1 ? `${words.slice(0, -1).join(', ')} or ${words[words.length - 1]}` : (words[0] ?? '');
}

export class PromptCacheAlarms extends Construct {
  readonly plan: AlarmPlan;
  /** The on-call topic (created, imported from `alarms.topicArn`, or the `topic` prop), when any alarm exists. */
  readonly topic?: sns.ITopic;
  /** The topic's customer-managed key, when the topic is created here. */
  readonly topicKey?: kms.Key;
  /** Every metric alarm, in the order of the plan (all models, models, pipeline). */
  readonly alarms: Alarm[] = [];
  readonly allModels: FamilyAlarms = {};
  /** Per configured model id. */
  readonly byModel = new Map<string, FamilyAlarms>();
  readonly pipeline: { -readonly [K in PipelineAlarmKind]?: Alarm } = {};
  /** The paging roll-ups (ALARM and OK actions on the topic). */
  readonly cacheHealth?: CompositeAlarm;
  readonly savingsPipeline?: CompositeAlarm;
  /** Intermediate roll-ups, when the cache alarms exceed one composite rule. */
  readonly cacheHealthParts: CompositeAlarm[] = [];
  /** The rule that notifies recoveries, when the topic is created here. */
  recoveryRule?: events.Rule;

  /** Alarm names, parallel to {@link alarms}. */
  private readonly alarmNames: string[] = [];
  private readonly shared = new SharedText(this, 'Runbooks');

  constructor(scope: Construct, id: string, props: PromptCacheAlarmsProps) {
    super(scope, id);
    const { config } = props;
    const source = `PromptCacheAlarms ${this.node.path}`;
    if (props.topic && config.alarms.topicArn !== undefined) {
      throw new ConfigError(source, [
        `topic: config.alarms.topicArn (${config.alarms.topicArn}) names an on-call topic too; give one of them`,
      ]);
    }
    const publisher = props.publisher ? publisherTiming(props.publisher, config, source) : undefined;
    this.plan = planAlarms(config, {
      publisher: publisher ?? false,
      namePrefix: props.namePrefix,
      topicProvided: props.topic !== undefined,
    });
    const plan = this.plan;
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
    if (plan.topic === 'none') return;

    const url = props.dashboardUrl;
    const section = modelAlarmSettings(config.alarms);
    const bedrock = (minutes: number) => BedrockMetrics.fromConfig(config, Duration.minutes(minutes));
    const custom = (minutes: number) => SavingsMetrics.fromConfig(config, Duration.minutes(minutes));

    // All models first (the roll-up and the status widget list them first).
    const allScope = new Construct(this, 'AllModels');
    for (const p of plan.allModels) {
      this.allModels[p.family as ModelAlarmFamily] = this.metricAlarm(
        allScope,
        p,
        CACHE_FAMILY.get(p.family)!.alarm({ config, settings: section, publisher, bedrock, custom }),
        url,
      );
    }
    for (const m of plan.models) {
      if (m.alarms.length === 0) continue;
      const modelScope = new Construct(this, `M${m.key.slice(-8)}`);
      const alarms: FamilyAlarms = {};
      for (const p of m.alarms) {
        alarms[p.family as ModelAlarmFamily] = this.metricAlarm(
          modelScope,
          p,
          CACHE_FAMILY.get(p.family)!.alarm({ config, model: m, settings: m.settings, publisher, bedrock, custom }),
          url,
        );
      }
      this.byModel.set(m.modelId, alarms);
    }
    if (plan.pipeline.length > 0 && props.publisher && publisher) {
      const pipeScope = new Construct(this, 'Pipeline');
      const withFunction = { ...publisher, function: props.publisher.function };
      for (const p of plan.pipeline) {
        this.pipeline[p.family as PipelineAlarmKind] = this.metricAlarm(
          pipeScope,
          p,
          PIPELINE_FAMILY.get(p.family)!.alarm({ config, plan, publisher: withFunction, custom }),
          url,
        );
      }
    }

    // Id `Default`: CDK leaves it out of logical ids, so the topic and key keep the ids they had before this construct
    // existed (a changed id would replace them on update, and every e-mail subscription would need confirming again).
    const onCall = new OnCallTopic(this, 'Default', {
      namePrefix: plan.namePrefix,
      topicArn: config.alarms.topicArn,
      topic: props.topic,
      emails: config.alarms.emails,
    });
    this.topic = onCall.topic;
    this.topicKey = onCall.key;
    const action = new SnsAction(onCall.topic);
    const names = cacheAlarmNames(plan);
    const byName = new Map(this.alarms.map((al, i) => [this.alarmNames[i], al] as const));
    const alarmsNamed = (list: readonly string[]) => list.map((n) => byName.get(n)!);
    if (names.length > 0) {
      const groups = compositeGroups(names);
      const cacheRunbook: Runbook = {
        subject: `Prompt-cache roll-up of ${plan.namePrefix}`,
        what: `at least one ${alternatives(CACHE_ALARM_FAMILIES.map((f) => f.title))} alarm (per model or all models) is in ALARM. Only this roll-up pages, once per incident.`,
        means: "the alarm that fired is in this notification's TriggeringChildren; its description is the runbook.",
        causes: ['a prompt, tool or model change in a deploy', 'a traffic pattern change (gaps longer than the TTL)'],
        checks: [
          'open the triggering alarm and follow its checks',
          'the dashboard alarm status: which models, since when',
          'recent deploys of the calling application',
        ],
      };
      if (groups.length === 1) {
        this.cacheHealth = this.composite('CacheHealth', `${plan.namePrefix}-CacheHealth`, alarmsNamed(groups[0]), cacheRunbook, url);
      } else {
        const parts = groups.map((g, i) =>
          this.composite(
            `CacheHealthPart${i + 1}`,
            `${plan.namePrefix}-CacheHealth-Part${i + 1}`,
            alarmsNamed(g),
            { ...cacheRunbook, subject: `${cacheRunbook.subject}, part ${i + 1} of ${groups.length} (no action of its own)` },
            url,
          ),
        );
        this.cacheHealthParts.push(...parts);
        this.cacheHealth = this.composite('CacheHealth', `${plan.namePrefix}-CacheHealth`, parts, cacheRunbook, url);
      }
      this.cacheHealth.addAlarmAction(action);
    }
    if (plan.pipeline.length > 0) {
      this.savingsPipeline = this.composite(
        'SavingsPipeline',
        `${plan.namePrefix}-SavingsPipeline`,
        alarmsNamed(plan.pipeline.map((p) => p.name)),
        {
          subject: `Savings-pipeline roll-up of ${plan.namePrefix}`,
          what: `the publisher is failing or silent (errors or no heartbeat). Only this roll-up pages, once per incident.`,
          means: 'savings metrics stop or lag; the next good run back-fills every missed period (up to 14 days), exactly once.',
          causes: ['runs failing (throttling, timeout, IAM)', 'the schedule disabled', 'a stale ledger lease'],
          checks: ["the triggering alarm's description", "the publisher's log group", 'the failed-runs queue'],
        },
        url,
      );
      this.savingsPipeline.addAlarmAction(action);
    }
    this.notifyRecoveries(onCall, action);
    const runs = this.shared.sharedRuns().length;
    const mappingProblems = mappingLimitProblems(this, subject, runs, SharedText.mappingsFor(runs), SharedText.MIN_LENGTH);
    if (mappingProblems.length > 0)
      throw new ConfigError(`PromptCacheMonitoring ${this.node.scope?.node.path ?? this.node.path}`, mappingProblems);
    this.shared.finalize();
  }

  private description(runbook: Runbook, url: string): string {
    const { head, tail } = runbookParts(runbook, url);
    // Split at the subject: the rest of a head is often the same for every model with the same settings and prices.
    return this.shared.register([runbook.subject, head.slice(runbook.subject.length), tail]);
  }

  /**
   * Recoveries (ALARM → OK) of the paging roll-ups. A composite's OK action would also fire on its first evaluation
   * (INSUFFICIENT_DATA → OK), telling on-call "OK" about a stack that was never in trouble; an EventBridge rule on the
   * alarms' state-change events passes only OK after ALARM. It needs the topic's policy and key, so for a topic not
   * created here (`alarms.topicArn`, the `topic` prop) the composites keep their OK actions, first OK included.
   */
  private notifyRecoveries(onCall: OnCallTopic, action: SnsAction): void {
    const rollUps = [this.cacheHealth, this.savingsPipeline].filter((c): c is CompositeAlarm => c !== undefined);
    if (rollUps.length === 0) return;
    if (!onCall.key) {
      for (const c of rollUps) c.addOkAction(action);
      return;
    }
    this.recoveryRule = new events.Rule(this, 'Recoveries', {
      description: `Notifies the on-call topic when a ${this.plan.namePrefix} roll-up returns from ALARM to OK (not on its first evaluation)`,
      eventPattern: {
        source: ['aws.cloudwatch'],
        detailType: ['CloudWatch Alarm State Change'],
        resources: rollUps.map((c) => c.alarmArn),
        detail: { previousState: { value: ['ALARM'] }, state: { value: ['OK'] } },
      },
    });
    const message = events.RuleTargetInput.fromText(
      `OK again: ${events.EventField.fromPath('$.detail.alarmName')} returned from ALARM at ${events.EventField.fromPath('$.time')}. ${events.EventField.fromPath('$.detail.state.reason')}`,
    );
    this.recoveryRule.addTarget({ bind: () => ({ arn: onCall.topic.topicArn, input: message }) });
    onCall.allowRule(this.recoveryRule);
  }

  private metricAlarm(scope: Construct, p: PlannedAlarm, o: AlarmSpec, url: string): Alarm {
    const familyName = (CACHE_FAMILY.get(p.family) ?? PIPELINE_FAMILY.get(p.family))!.name;
    const alarm = new Alarm(scope, familyName, {
      alarmName: p.name,
      alarmDescription: this.description(o.runbook, url),
      metric: o.metric,
      threshold: o.threshold,
      comparisonOperator: o.comparisonOperator,
      evaluationPeriods: o.evaluationPeriods,
      datapointsToAlarm: o.datapointsToAlarm,
      treatMissingData: o.treatMissingData,
    });
    // Short logical ids (the family and a hash of the construct path, so still unique and stable): each is referenced
    // by the status widget and a roll-up, 300 times over at 100 models.
    (alarm.node.defaultChild as CfnResource).overrideLogicalId(`${familyName}${shortHash(alarm.node.path)}`);
    this.alarms.push(alarm);
    this.alarmNames.push(p.name);
    return alarm;
  }

  private composite(id: string, name: string, children: readonly IAlarm[], runbook: Runbook, url: string): CompositeAlarm {
    return new CompositeAlarm(this, id, {
      compositeAlarmName: name,
      alarmDescription: this.description(runbook, url),
      // By ARN (Fn::GetAtt): CloudFormation creates the children first, as CloudWatch requires.
      alarmRule: AlarmRule.anyOf(...children),
    });
  }
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
