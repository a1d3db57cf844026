/**
 * The plan: which alarms exist, their names, what they read and cost, where they notify, and the synth-time warnings.
 * Pure (config in, data out), so the resource count and the alarm cost are known before anything is built. Each
 * family decides its own entries (families/); this iterates them for the fleet, per precise model and for the pipeline.
 */
import {
  billAlarms,
  BILL_FAMILY_KEYS,
  fleetAlarmName,
  modelAlarmKey,
  PIPELINE_SEVERITY,
  preciseAlarmName,
  preciseSeverity,
  type CatalogAlarm,
} from '../../lambda/core/alarm-catalog';
import { bedrockMetricCandidates } from '../../lambda/core/contract';
import { modelAlarmSettings, type PromptCacheConfig } from '../../lambda/core/config';
import { DEFAULT_MONITORING_PRICES } from '../../lambda/core/monitoring-cost';
import { resolveModelPrice } from '../../lambda/core/prices';
import { breakEvenHitRatioPercent } from '../../lambda/core/savings';
import type { SynthWarning } from '../synth-warnings';
import {
  CACHE_ALARM_FAMILIES,
  PIPELINE_ALARM_FAMILIES,
  heartbeat,
  heartbeatPeriods,
  lagThresholdMinutes,
  type PublisherTiming,
  type SectionPlanInput,
} from './families';
import { STACK_RESOURCE_LIMIT } from './limits';

export { publisherWindow, type PublisherTiming, type PublisherWindow } from './families';
export type { AlarmPlan, FleetAlarmSpec, ModelAlarmPlan, PlannedAlarm, PlannedFleetAlarm, TopicSource } from './plan-types';
import type { AlarmPlan, ModelAlarmPlan, PlannedAlarm, PlannedFleetAlarm, TopicSource } from './plan-types';

/** The savings publisher's Lambda timeout unless its options say otherwise. */
export const DEFAULT_PUBLISHER_TIMEOUT_MINUTES = 5;

/** Metrics an anomaly-band alarm is billed for: the metric and the band's two bounds. */
export const ANOMALY_ALARM_METRICS = 3;

export interface PlanOptions {
  /**
   * The deployed savings publisher (the fleet and pipeline alarms need it): its timing, or `true` for the config's
   * period and settle delay with the default timeout; `false` for none.
   */
  readonly publisher: boolean | PublisherTiming;
  /** Alarm names start with `<namePrefix>-`. */
  readonly namePrefix: string;
  /** The caller brings the paging topic (a topic of its app), so none is created, as with `alarms.topicArn`. @default false */
  readonly topicProvided?: boolean;
  /** The caller brings the ticket topic, as with `alarms.tickets.topicArn`. @default false */
  readonly ticketTopicProvided?: boolean;
  /** The daily bill check is deployed (its drift and errors alarms need it). @default false */
  readonly billCheck?: boolean;
  /**
   * The monitoring account's alarms over its source accounts (the roll-up): fleet alarms grouped by account and model,
   * no precise or bill alarm (the targets' own), and a heartbeat alarm for each account of `heartbeatAccounts` (the
   * targets that have no on-call topic of their own). @default - this stack's own alarms
   */
  readonly crossAccount?: { readonly heartbeatAccounts: readonly string[] };
}

/** Metrics the drift alarm reads: the all-models bill (its volume guard) and drift. */
export const COST_DRIFT_ALARM_METRICS = 2;

/** The publisher's timing as the config sets it, with the default timeout. */
export function configPublisherTiming(config: Pick<PromptCacheConfig, 'publisher'>): PublisherTiming {
  return {
    periodMinutes: config.publisher.periodMinutes,
    settleDelayMinutes: config.publisher.settleDelayMinutes,
    timeoutMinutes: DEFAULT_PUBLISHER_TIMEOUT_MINUTES,
  };
}

export function planAlarms(config: PromptCacheConfig, options: PlanOptions): AlarmPlan {
  const a = config.alarms;
  const prefix = options.namePrefix;
  const warnings: SynthWarning[] = [];
  const warn = (w: SynthWarning) => void warnings.push(w);
  const infos: string[] = [];
  const enabled = a.enabled;
  const publisher =
    options.publisher === false ? undefined : options.publisher === true ? configPublisherTiming(config) : options.publisher;
  // Each cache metric is read under every spelling the config does not pin (an alarm metric each, billed).
  const candidates = bedrockMetricCandidates(config.bedrockMetricNames);
  const cacheMetrics = candidates.cacheReadInputTokens.length + candidates.cacheWriteInputTokens.length;
  if (enabled && !publisher && config.models.length > 0) {
    infos.push(
      "alarms: the fleet alarms read the savings publisher's series, so without the publisher every configured model gets precise alarms of its own on the raw AWS/Bedrock metrics, and models not in the config none",
    );
  }
  if (a.allModels !== undefined) {
    infos.push('alarms.allModels: no longer used; the fleet alarms watch every model the publisher sees, each on its own');
  }
  const models: ModelAlarmPlan[] = config.models.map((m, index) => {
    const settings = modelAlarmSettings(a, m);
    const price = resolveModelPrice(m, m.modelId, config);
    const breakEvenPercent = price ? breakEvenHitRatioPercent(price) : undefined;
    const key = modelAlarmKey(m);
    // The display name when there is one: the model id is in the alarm's metrics (and its name carries the slug).
    const label = m.displayName ?? m.modelId;
    const alarms: PlannedAlarm[] = [];
    // The roll-up watches its source accounts' models through their fleet series only (precise ones are the targets').
    const precise = (settings.mode === 'precise' || !publisher) && !options.crossAccount;
    if (settings.enabled && precise) {
      for (const family of CACHE_ALARM_FAMILIES) {
        const metrics = family.planModel({ model: m, index, settings, price, breakEvenPercent, cacheMetrics, publisher, warn });
        if (metrics !== undefined)
          alarms.push({
            family: family.key,
            name: preciseAlarmName(prefix, m, family.key),
            metrics,
            severity: preciseSeverity(family.key),
            kind: 'precise',
          });
      }
      // The band is learnt from the publisher's per-model CacheHitRatio, so it needs the publisher.
      if (settings.lowHitRatio.enabled && settings.lowHitRatio.anomalyBandStdDevs > 0 && publisher) {
        alarms.push({
          family: 'lowHitRatio',
          name: preciseAlarmName(prefix, m, 'lowHitRatio', true),
          metrics: ANOMALY_ALARM_METRICS,
          severity: 'ticket',
          kind: 'precise',
          anomalyBand: true,
        });
      }
    } else if (settings.enabled && m.alarms?.lowHitRatio?.anomalyBandStdDevs) {
      infos.push(
        `models[${index}].alarms.lowHitRatio.anomalyBandStdDevs: an anomaly band needs mode "precise" (a fleet alarm compares every model with one static threshold), so none is built for ${label}`,
      );
    }
    return { modelId: m.modelId, index, label, key, settings, price, breakEvenPercent, alarms };
  });

  const section: SectionPlanInput = { config, section: modelAlarmSettings(a), warn };
  if (enabled) for (const family of CACHE_ALARM_FAMILIES) family.planSection?.(section);
  const fleet: PlannedFleetAlarm[] = [];
  if (enabled && publisher) {
    for (const family of CACHE_ALARM_FAMILIES) {
      for (const spec of family.fleet({ ...section, publisher })) {
        fleet.push({
          family: family.key,
          name: fleetAlarmName(prefix, family.key, spec.severity),
          metrics: 1,
          severity: spec.severity,
          kind: 'fleet',
          ...(options.crossAccount ? { crossAccount: true } : {}),
          spec,
        });
      }
    }
  }
  const pipeline: PlannedAlarm[] = [];
  let pipelinePeriods = a.pipeline.missingPeriods;
  if (enabled && a.pipeline.enabled && publisher && options.crossAccount) {
    pipelinePeriods = heartbeatPeriods(a.pipeline.missingPeriods, publisher.periodMinutes);
    // Only the heartbeat: a source account's publisher errors are a Lambda metric its link does not share (its silence
    // and a stuck watermark show in the lag). Planned once for its warning (a window capped at a day).
    if (options.crossAccount.heartbeatAccounts.length > 0) heartbeat.planPipeline({ ...section, publisher });
    for (const accountId of options.crossAccount.heartbeatAccounts)
      pipeline.push({
        family: 'heartbeat',
        name: `${prefix}-${accountId}-${heartbeat.name}`,
        metrics: 1,
        severity: PIPELINE_SEVERITY.heartbeat,
        kind: 'pipeline',
        accountId,
      });
  } else if (enabled && a.pipeline.enabled && publisher) {
    pipelinePeriods = heartbeatPeriods(a.pipeline.missingPeriods, publisher.periodMinutes);
    for (const family of PIPELINE_ALARM_FAMILIES) {
      const metrics = family.planPipeline({ ...section, publisher });
      if (metrics !== undefined)
        pipeline.push({
          family: family.key,
          name: `${prefix}-${family.name}`,
          metrics,
          severity: PIPELINE_SEVERITY[family.key],
          kind: 'pipeline',
        });
    }
  }
  const bill: PlannedAlarm[] =
    enabled && options.billCheck && !options.crossAccount
      ? billAlarms(prefix, a.costDrift.enabled ? BILL_FAMILY_KEYS : ['billCheckErrors']).map((b) => ({
          ...b,
          metrics: b.family === 'costDrift' ? COST_DRIFT_ALARM_METRICS : 1,
        }))
      : [];
  const all = [...fleet, ...models.flatMap((m) => m.alarms), ...pipeline, ...bill];
  const catalog: CatalogAlarm[] = [
    ...fleet.map(
      ({ name, family, severity, kind, crossAccount }) =>
        ({ name, family, severity, kind, ...(crossAccount ? { crossAccount } : {}) }) as CatalogAlarm,
    ),
    ...models.flatMap((m) =>
      m.alarms.map(
        (p) =>
          ({
            name: p.name,
            family: p.family,
            severity: p.severity,
            kind: p.kind,
            modelId: m.modelId,
            ...(p.anomalyBand ? { anomalyBand: true } : {}),
          }) as CatalogAlarm,
      ),
    ),
    ...pipeline.map(
      ({ name, family, severity, kind, accountId }) =>
        ({ name, family, severity, kind, ...(accountId ? { accountId } : {}) }) as CatalogAlarm,
    ),
    ...bill.map(({ name, family, severity, kind }) => ({ name, family, severity, kind }) as CatalogAlarm),
  ];
  const any = all.length > 0;
  const pageTopic: TopicSource = !any ? 'none' : a.topicArn || options.topicProvided ? 'import' : 'create';
  const ticketTopic: TopicSource = !any ? 'none' : a.tickets.topicArn || options.ticketTopicProvided ? 'import' : 'create';
  const ticketEmails = ticketTopic === 'create' ? (a.tickets.emails ?? a.emails) : [];
  // Pages have somewhere to go but tickets do not: what an older config (one topic for everything) runs into.
  const pagesGo = a.emails.length > 0 || a.topicArn !== undefined || options.topicProvided === true;
  if (enabled && pagesGo && ticketTopic === 'create' && ticketEmails.length === 0 && all.some((x) => x.severity === 'ticket')) {
    warn({
      kind: 'tickets-unrouted',
      message:
        'alarms.tickets: pages go to the on-call topic, but tickets (everything that can wait for working hours) go to a topic nobody subscribes to; set alarms.tickets.emails or alarms.tickets.topicArn (or the ticketTopic prop)',
    });
  }
  if (!enabled && options.topicProvided) {
    warn({
      kind: 'notifications-unused',
      message: 'alarms.enabled is false: no alarm exists, so the onCallTopic prop (and alarms.emails) are never notified',
    });
  } else if (!enabled && (a.emails.length > 0 || a.topicArn !== undefined)) {
    warn({
      kind: 'notifications-unused',
      message: 'alarms.enabled is false: no alarm exists, so alarms.emails and alarms.topicArn are never notified',
    });
  }
  return {
    enabled,
    namePrefix: prefix,
    fleet,
    models,
    pipeline,
    bill,
    publisher,
    heartbeatPeriods: pipelinePeriods,
    // Without a publisher nothing reads it; the config's timing keeps it defined for the dashboards.
    lagThresholdMinutes: lagThresholdMinutes(publisher ?? configPublisherTiming(config)),
    pageTopic,
    ticketTopic,
    pageEmails: pageTopic === 'none' ? [] : a.emails,
    ticketEmails,
    catalog,
    warnings,
    infos,
  };
}

/** Every planned alarm: fleet, precise, pipeline, bill. */
export function plannedAlarms(plan: AlarmPlan): PlannedAlarm[] {
  return [...plan.fleet, ...plan.models.flatMap((m) => m.alarms), ...plan.pipeline, ...plan.bill];
}

/**
 * CloudFormation resources of the notification side: per created topic its key, topic and policy; the notifier's
 * function, role, role policy, log group, rule, invoke permission, async-invocation config and dead-letter queue with
 * its policy; and NotifierFailing, the alarm on that queue.
 */
export const TOPIC_RESOURCES = 3;
export const NOTIFIER_RESOURCES = 10;

export interface PlannedResources {
  readonly metricAlarms: number;
  /** Topics, keys and policies, the notifier, e-mail subscriptions. */
  readonly notification: number;
  readonly total: number;
  /**
   * USD per month of the alarms whose cost the template fixes (precise and pipeline alarms: metrics × $0.10); a fleet
   * alarm is billed per model it sees, `fleetAlarmUsdPerModel` each.
   */
  readonly monthlyAlarmCostUSD: number;
  readonly fleetAlarmUsdPerModel: number;
}

export function plannedResources(plan: AlarmPlan): PlannedResources {
  const metricAlarms = plannedAlarms(plan);
  const topics = (plan.pageTopic === 'create' ? 1 : 0) + (plan.ticketTopic === 'create' ? 1 : 0);
  const notifier = plan.pageTopic === 'none' ? 0 : NOTIFIER_RESOURCES;
  const notification = topics * TOPIC_RESOURCES + notifier + plan.pageEmails.length + plan.ticketEmails.length;
  const fixed = [...plan.models.flatMap((m) => m.alarms), ...plan.pipeline, ...plan.bill].reduce((s, a) => s + a.metrics, 0);
  const p = DEFAULT_MONITORING_PRICES;
  return {
    metricAlarms: metricAlarms.length,
    notification,
    total: metricAlarms.length + notification,
    monthlyAlarmCostUSD: Math.round(fixed * p.alarmMetricMonth * 100) / 100,
    fleetAlarmUsdPerModel: Math.round(plan.fleet.length * p.alarmMetricMonth * 100) / 100,
  };
}

/** The same plan with only the first `n` configured models. */
function firstModels(plan: AlarmPlan, n: number): AlarmPlan {
  return { ...plan, models: plan.models.slice(0, n) };
}

/**
 * How many of the configured models fit in the stack next to `otherResources` (everything else the stack holds).
 * Returns the number of models; `plan.models.length` when all fit.
 */
export function modelsThatFit(plan: AlarmPlan, otherResources: number, limit = STACK_RESOURCE_LIMIT): number {
  let n = plan.models.length;
  while (n > 0 && otherResources + plannedResources(firstModels(plan, n)).total > limit) n--;
  return n;
}
