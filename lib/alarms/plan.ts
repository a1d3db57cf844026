/**
 * The plan: which alarms exist, their names, what they read and cost, and the synth-time warnings. Pure (config in,
 * data out), so the resource count and the alarm cost are known before anything is built. Each family decides its
 * own entries (families/); this iterates them per model, for all models and for the pipeline.
 */
import { bedrockMetricCandidates } from '../../lambda/core/contract';
import { modelAlarmSettings, type PromptCacheConfig } from '../../lambda/core/config';
import { DEFAULT_MONITORING_PRICES } from '../../lambda/core/monitoring-cost';
import { resolveModelPrice } from '../../lambda/core/prices';
import { breakEvenHitRatioPercent } from '../../lambda/core/savings';
import type { SynthWarning } from '../synth-warnings';
import {
  CACHE_ALARM_FAMILIES,
  PIPELINE_ALARM_FAMILIES,
  heartbeatPeriods,
  lagThresholdMinutes,
  type PublisherTiming,
  type SectionPlanInput,
} from './families';
import { COMPOSITE_MAX_CHILDREN, COMPOSITE_RULE_MAX, STACK_RESOURCE_LIMIT, ruleLengthBound } from './limits';
import { shortHash, slug } from './names';

export { publisherWindow, type PublisherTiming, type PublisherWindow } from './families';
export type { AlarmPlan, ModelAlarmPlan, PlannedAlarm } from './plan-types';
import type { AlarmPlan, ModelAlarmPlan, PlannedAlarm } from './plan-types';

/** The savings publisher's Lambda timeout unless its options say otherwise. */
export const DEFAULT_PUBLISHER_TIMEOUT_MINUTES = 5;

export interface PlanOptions {
  /**
   * The deployed savings publisher (pipeline alarms and the all-models alarms need it): its timing, or `true` for the
   * config's period and settle delay with the default timeout; `false` for none.
   */
  readonly publisher: boolean | PublisherTiming;
  /** Alarm names start with `<namePrefix>-`. */
  readonly namePrefix: string;
  /** The caller brings the on-call topic (a topic of its app), so none is created, as with `alarms.topicArn`. @default false */
  readonly topicProvided?: boolean;
}

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
  const models: ModelAlarmPlan[] = config.models.map((m, index) => {
    const settings = modelAlarmSettings(a, m);
    const price = resolveModelPrice(m, m.modelId, config.pricing);
    const breakEvenPercent = price ? breakEvenHitRatioPercent(price) : undefined;
    const key = `${slug(m)}-${shortHash(m.modelId)}`;
    // The display name when there is one: the model id is in the alarm's metrics (and its name carries the slug).
    const label = m.displayName ?? m.modelId;
    const alarms: PlannedAlarm[] = [];
    if (settings.enabled) {
      for (const family of CACHE_ALARM_FAMILIES) {
        const metrics = family.planModel({ model: m, index, settings, price, breakEvenPercent, cacheMetrics, publisher, warn });
        if (metrics !== undefined) alarms.push({ family: family.key, name: `${prefix}-${key}-${family.name}`, metrics });
      }
    }
    return { modelId: m.modelId, index, label, key, settings, price, breakEvenPercent, alarms };
  });

  const section: SectionPlanInput = { config, section: modelAlarmSettings(a), warn };
  if (enabled) for (const family of CACHE_ALARM_FAMILIES) family.planSection?.(section);
  const allModels: PlannedAlarm[] = [];
  if (enabled && a.allModels) {
    if (!publisher) {
      // AWS documents no dimensionless (all-models) AWS/Bedrock runtime series; the publisher's own totals are the source.
      infos.push(
        "alarms.allModels: the all-models alarms read the publisher's all-models series (AWS/Bedrock documents no dimensionless runtime series), so without the publisher they are left out",
      );
    } else {
      for (const family of CACHE_ALARM_FAMILIES) {
        const metrics = family.planAllModels(section);
        if (metrics !== undefined) allModels.push({ family: family.key, name: `${prefix}-AllModels-${family.name}`, metrics });
      }
    }
  }
  const pipeline: PlannedAlarm[] = [];
  let pipelinePeriods = a.pipeline.missingPeriods;
  if (enabled && a.pipeline.enabled && publisher) {
    pipelinePeriods = heartbeatPeriods(a.pipeline.missingPeriods, publisher.periodMinutes);
    for (const family of PIPELINE_ALARM_FAMILIES) {
      const metrics = family.planPipeline({ ...section, publisher });
      if (metrics !== undefined) pipeline.push({ family: family.key, name: `${prefix}-${family.name}`, metrics });
    }
  }
  const any = models.some((m) => m.alarms.length > 0) || allModels.length > 0 || pipeline.length > 0;
  const topic = !any ? 'none' : a.topicArn || options.topicProvided ? 'import' : 'create';
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
    models,
    allModels,
    pipeline,
    publisher,
    heartbeatPeriods: pipelinePeriods,
    // Without a publisher nothing reads it; the config's timing keeps it defined for the dashboards.
    lagThresholdMinutes: lagThresholdMinutes(publisher ?? configPublisherTiming(config)),
    topic,
    emails: topic === 'none' ? 0 : a.emails.length,
    warnings,
    infos,
  };
}

/** The alarms rolled up into the cache-health composite, in order: all models first, then each model's. */
export function cacheAlarmNames(plan: AlarmPlan): string[] {
  return [...plan.allModels, ...plan.models.flatMap((m) => m.alarms)].map((a) => a.name);
}

/**
 * Groups of children for a composite roll-up: each within CloudWatch's 100 children and 10,240 characters of rule.
 * More than one group means one intermediate composite per group under the paging one.
 */
export function compositeGroups(names: readonly string[]): string[][] {
  const groups: string[][] = [];
  let current: string[] = [];
  for (const name of names) {
    const next = [...current, name];
    if (current.length > 0 && (next.length > COMPOSITE_MAX_CHILDREN || ruleLengthBound(next) > COMPOSITE_RULE_MAX)) {
      groups.push(current);
      current = [name];
    } else {
      current = next;
    }
  }
  if (current.length > 0) groups.push(current);
  return groups;
}

export interface PlannedResources {
  readonly metricAlarms: number;
  readonly compositeAlarms: number;
  /** Topic, its key and policy, the recovery rule, e-mail subscriptions. */
  readonly notification: number;
  readonly total: number;
  /** USD per month of all alarms (metrics × $0.10, composites × $0.50). */
  readonly monthlyAlarmCostUSD: number;
}

export function plannedResources(plan: AlarmPlan): PlannedResources {
  const metricAlarms = [...plan.allModels, ...plan.pipeline, ...plan.models.flatMap((m) => m.alarms)];
  const cacheGroups = compositeGroups(cacheAlarmNames(plan)).length;
  const compositeAlarms = (cacheGroups === 0 ? 0 : cacheGroups === 1 ? 1 : cacheGroups + 1) + (plan.pipeline.length > 0 ? 1 : 0);
  // A created topic: the topic, its key and policy, and the EventBridge rule that notifies recoveries.
  const notification = (plan.topic === 'create' ? 3 + (compositeAlarms > 0 ? 1 : 0) : 0) + plan.emails;
  const metrics = metricAlarms.reduce((s, a) => s + a.metrics, 0);
  return {
    metricAlarms: metricAlarms.length,
    compositeAlarms,
    notification,
    total: metricAlarms.length + compositeAlarms + notification,
    monthlyAlarmCostUSD:
      Math.round(
        (metrics * DEFAULT_MONITORING_PRICES.alarmMetricMonth + compositeAlarms * DEFAULT_MONITORING_PRICES.compositeAlarmMonth) * 100,
      ) / 100,
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
