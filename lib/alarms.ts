/**
 * The alarm families of the on-call view, their SNS topic, their runbooks and the composite roll-ups that page.
 *
 * Per configured model, and once for all models (from the publisher's all-models series: AWS documents no
 * dimensionless AWS/Bedrock runtime series):
 * 1. **Low hit ratio**: read / (read + write) < threshold, evaluated only in periods whose cache traffic reaches a
 *    minimum (no pages at 3 requests an hour). Per model, metric math over the raw AWS/Bedrock Sums under every
 *    spelling the config does not pin (the larger per period); all models, the publisher's `CacheReadTokens` /
 *    `CacheWriteTokens`.
 * 2. **Writes without reads**: cache writes ≥ a minimum in periods with no cache read, N periods in a row, from the
 *    publisher's `WritesWithoutReadsTokens` (settled, whole periods; raw Sums only without the publisher).
 * 3. **Caching costs money**: net savings = read × (p_in − p_read) − write × (p_write − p_in) < 0, metric math over
 *    the raw Sums with the model's resolved price constants (all models mix prices: the publisher's `NetSavingsUSD`).
 * 4. **Savings pipeline** (when the publisher is deployed): publisher errors ≥ 1, and the pipeline alarm on
 *    `PublisherLagMinutes` (silent periods filled as breaching, or a lag past the settle delay, a period and the timeout).
 * 5. **Roll-ups**: the metric alarms carry no action. One composite alarm (`<prefix>-CacheHealth`) is in ALARM while
 *    any cache alarm is, another (`<prefix>-SavingsPipeline`) while any pipeline alarm is; only these two notify the
 *    on-call topic, on ALARM by their alarm action and on recovery by an EventBridge rule (not on their first OK after
 *    creation), so one incident pages once.
 *
 * No alarm uses SEARCH (CloudWatch refuses it); every metric math alarm reads at most 4 metrics of one period. Each
 * alarm's description is its runbook (≤ 1,024 characters, checked at synth).
 */
import { Annotations, Aws, CfnMapping, CfnResource, Duration, Lazy, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import { Alarm, AlarmRule, ComparisonOperator, CompositeAlarm, MathExpression, Stats, TreatMissingData, type IAlarm, type IMetric } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subs from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { createHash } from 'node:crypto';
import { ConfigError, modelAlarmSettings, type ModelAlarmSettings, type ModelConfig, type PromptCacheConfig } from '../lambda/core/config';
import { bedrockMetricCandidates } from '../lambda/core/contract';
import { DEFAULT_MONITORING_PRICES } from '../lambda/core/monitoring-cost';
import { resolveModelPrice, type ResolvedPrice } from '../lambda/core/prices';
import { breakEvenHitRatioPercent } from '../lambda/core/savings';
import { BedrockMetrics, gatedHitRatioExpression } from './bedrock-metrics';
import { CONSOLE_HOST_HINT, LONGEST_CONSOLE_HOST } from './console-url';
import { SavingsMetrics } from './savings-metrics';

export type ModelAlarmFamily = 'lowHitRatio' | 'writesWithoutReads' | 'cachingCostsMoney';
export type PipelineAlarmKind = 'publisherErrors' | 'heartbeat';
export const MODEL_ALARM_FAMILIES: readonly ModelAlarmFamily[] = ['lowHitRatio', 'writesWithoutReads', 'cachingCostsMoney'];

/** Alarm name suffix per family. */
const FAMILY_NAMES: { readonly [K in ModelAlarmFamily | PipelineAlarmKind]: string } = {
  lowHitRatio: 'LowHitRatio',
  writesWithoutReads: 'WritesWithoutReads',
  cachingCostsMoney: 'CachingCostsMoney',
  publisherErrors: 'PublisherErrors',
  heartbeat: 'PublisherHeartbeat',
};

/** CloudWatch: at most 1,024 characters of alarm description, 100 alarms and 10,240 characters per composite rule. */
export const ALARM_DESCRIPTION_MAX = 1024;
export const COMPOSITE_MAX_CHILDREN = 100;
export const COMPOSITE_RULE_MAX = 10240;
/** CloudFormation's resource limit per stack (aws-cdk-lib's `@aws-cdk/core:stackResourceLimit` context overrides it). */
export const STACK_RESOURCE_LIMIT = 500;
/** CloudFormation's template size limit through S3 (bytes). */
export const TEMPLATE_BYTES_MAX = 1_000_000;
/** CloudFormation: at most 200 mappings per template and 200 attributes (top-level keys) per mapping. */
export const TEMPLATE_MAPPINGS_MAX = 200;
export const MAPPING_ATTRIBUTES_MAX = 200;
/** The longest region name a description's `${AWS::Region}` can resolve to, for the length check. */
const LONGEST_REGION = 16;

// ---------------------------------------------------------------------------------------------------------------
// The plan: which alarms exist, their names and costs. Pure (config in, data out), so the resource count and the
// alarm cost are known before anything is built.
// ---------------------------------------------------------------------------------------------------------------

export interface PlannedAlarm {
  readonly family: ModelAlarmFamily | PipelineAlarmKind;
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
  /** Periods (of the publisher's length) without a `PublisherLagMinutes` report, or above the lag threshold, that page. */
  readonly heartbeatPeriods: number;
  /** The lag (minutes) above which the watermark is stuck: the settle delay, one period and the Lambda timeout. */
  readonly lagThresholdMinutes: number;
  /**
   * Alarms that read the publisher's series (all-models families, per-model writes without reads) evaluate whole
   * publisher periods: period, evaluation periods and datapoints per family, scaled from the config's window.
   */
  readonly publisherWindows: { readonly [K in ModelAlarmFamily]: PublisherWindow };
  /** Period of the all-models caching-costs-money alarm (a multiple of the publisher's). */
  readonly allModelsCostWindowMinutes: number;
  readonly allModelsCostPeriods: number;
  readonly topic: 'create' | 'import' | 'none';
  readonly emails: number;
  /** Synth-time warnings (settings that can never fire, alarmed models without a price). */
  readonly warnings: readonly string[];
  readonly infos: readonly string[];
}

/** An alarm window in whole publisher periods. */
export interface PublisherWindow {
  readonly periodMinutes: number;
  readonly evaluationPeriods: number;
  readonly datapointsToAlarm: number;
}

/**
 * The config's window (period × evaluation periods, M of N) in whole publisher periods, covering at least as much
 * time, within CloudWatch's one day: 15 min × 4 with 3 to alarm at a 60-minute publisher is 1 period, 1 to alarm.
 */
export function publisherWindow(periodMinutes: number, evaluationPeriods: number, datapointsToAlarm: number, publisherMinutes: number): PublisherWindow {
  const n = Math.max(1, Math.min(Math.floor(1440 / publisherMinutes), Math.ceil((periodMinutes * evaluationPeriods) / publisherMinutes)));
  return { periodMinutes: publisherMinutes, evaluationPeriods: n, datapointsToAlarm: Math.max(1, Math.min(n, Math.ceil((datapointsToAlarm * n) / evaluationPeriods))) };
}

export interface PlanOptions {
  /** Whether the savings publisher is deployed (pipeline alarms and the all-models cost alarm need it). */
  readonly publisher: boolean;
  /** Alarm names start with `<namePrefix>-`. */
  readonly namePrefix: string;
  /** The publisher's Lambda timeout, for how late a heartbeat can be. @default 5 */
  readonly publisherTimeoutMinutes?: number;
}

function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 8);
}

/** A name part from the display name or the model id (an ARN's last segment): letters, digits, `.`, `_`, `-`. */
function slug(model: Pick<ModelConfig, 'modelId' | 'displayName'>): string {
  const base = model.displayName ?? (model.modelId.startsWith('arn:') ? model.modelId.split('/').pop() ?? model.modelId : model.modelId);
  const s = base.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 48);
  return s === '' ? 'model' : s;
}

/** `models[2] (support-bot, us.anthropic…)`: how warnings name a model. */
function modelRef(m: ModelConfig, i: number): string {
  return `models[${i}] (${m.displayName ? `${m.displayName}, ` : ''}${m.modelId})`;
}

export function planAlarms(config: PromptCacheConfig, options: PlanOptions): AlarmPlan {
  const a = config.alarms;
  const prefix = options.namePrefix;
  const warnings: string[] = [];
  const infos: string[] = [];
  const enabled = a.enabled;
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
      const where = m.alarms?.lowHitRatio?.thresholdPercent !== undefined ? `models[${index}].alarms` : 'alarms';
      if (settings.lowHitRatio.enabled && settings.lowHitRatio.thresholdPercent <= 0) {
        if (where !== 'alarms') warnings.push(`${where}.lowHitRatio.thresholdPercent: a hit ratio is never below 0 %, so the low-hit-ratio alarm of ${modelRef(m, index)} could never fire and is left out; raise the threshold or set enabled: false`);
      } else if (settings.lowHitRatio.enabled) {
        alarms.push({ family: 'lowHitRatio', name: `${prefix}-${key}-${FAMILY_NAMES.lowHitRatio}`, metrics: cacheMetrics });
      }
      if (settings.writesWithoutReads.enabled) {
        alarms.push({ family: 'writesWithoutReads', name: `${prefix}-${key}-${FAMILY_NAMES.writesWithoutReads}`, metrics: options.publisher ? 1 : cacheMetrics });
      }
      if (settings.cachingCostsMoney.enabled) {
        if (!price) {
          warnings.push(`${modelRef(m, index)}: no price known, so its caching-costs-money alarm is left out; add pricing[${JSON.stringify(m.modelId)}] or set priceAs`);
        } else if (breakEvenPercent === 0) {
          warnings.push(`${modelRef(m, index)}: cache writes cost no more than uncached input (${price.source}), so caching never costs money and its caching-costs-money alarm could never fire; it is left out`);
        } else {
          alarms.push({ family: 'cachingCostsMoney', name: `${prefix}-${key}-${FAMILY_NAMES.cachingCostsMoney}`, metrics: cacheMetrics });
        }
      }
    }
    return { modelId: m.modelId, index, label, key, settings, price, breakEvenPercent, alarms };
  });

  const section = modelAlarmSettings(a);
  if (enabled && section.lowHitRatio.enabled && section.lowHitRatio.thresholdPercent <= 0) {
    warnings.push('alarms.lowHitRatio.thresholdPercent: a hit ratio is never below 0 %, so the low-hit-ratio alarms could never fire and are left out; raise the threshold or set enabled: false');
  }
  const allModels: PlannedAlarm[] = [];
  const periodMinutes = config.publisher.periodMinutes;
  const allModelsCostWindowMinutes = periodMinutes * Math.max(1, Math.ceil(a.cachingCostsMoney.windowMinutes / periodMinutes));
  const allModelsCostPeriods = Math.max(1, Math.min(a.cachingCostsMoney.evaluationPeriods, Math.floor(1440 / allModelsCostWindowMinutes)));
  const publisherWindows = {
    lowHitRatio: publisherWindow(section.lowHitRatio.periodMinutes, section.lowHitRatio.evaluationPeriods, section.lowHitRatio.datapointsToAlarm, periodMinutes),
    writesWithoutReads: publisherWindow(section.writesWithoutReads.periodMinutes, section.writesWithoutReads.evaluationPeriods, section.writesWithoutReads.evaluationPeriods, periodMinutes),
    cachingCostsMoney: { periodMinutes: allModelsCostWindowMinutes, evaluationPeriods: allModelsCostPeriods, datapointsToAlarm: allModelsCostPeriods },
  };
  if (enabled && a.allModels) {
    if (!options.publisher) {
      // AWS documents no dimensionless (all-models) AWS/Bedrock runtime series; the publisher's own totals are the source.
      infos.push("alarms.allModels: the all-models alarms read the publisher's all-models series (AWS/Bedrock documents no dimensionless runtime series), so without the publisher they are left out");
    } else {
      if (section.lowHitRatio.enabled && section.lowHitRatio.thresholdPercent > 0) {
        allModels.push({ family: 'lowHitRatio', name: `${prefix}-AllModels-${FAMILY_NAMES.lowHitRatio}`, metrics: 2 });
      }
      if (section.writesWithoutReads.enabled) {
        allModels.push({ family: 'writesWithoutReads', name: `${prefix}-AllModels-${FAMILY_NAMES.writesWithoutReads}`, metrics: 1 });
      }
      if (section.cachingCostsMoney.enabled) {
        allModels.push({ family: 'cachingCostsMoney', name: `${prefix}-AllModels-${FAMILY_NAMES.cachingCostsMoney}`, metrics: 1 });
      }
    }
  }
  const pipeline: PlannedAlarm[] = [];
  const timeoutMinutes = options.publisherTimeoutMinutes ?? 5;
  const lagThresholdMinutes = config.publisher.settleDelayMinutes + periodMinutes + timeoutMinutes;
  let heartbeatPeriods = a.pipeline.missingPeriods;
  if (enabled && a.pipeline.enabled && options.publisher) {
    if (heartbeatPeriods * periodMinutes > 1440) {
      heartbeatPeriods = Math.floor(1440 / periodMinutes);
      warnings.push(`alarms.pipeline.missingPeriods: ${a.pipeline.missingPeriods} periods of ${periodMinutes} minutes exceed CloudWatch's one-day evaluation limit; the pipeline alarm evaluates ${heartbeatPeriods} periods instead`);
    }
    pipeline.push({ family: 'publisherErrors', name: `${prefix}-${FAMILY_NAMES.publisherErrors}`, metrics: 1 });
    pipeline.push({ family: 'heartbeat', name: `${prefix}-${FAMILY_NAMES.heartbeat}`, metrics: 1 });
  }
  const any = models.some((m) => m.alarms.length > 0) || allModels.length > 0 || pipeline.length > 0;
  const topic = !any ? 'none' : a.topicArn ? 'import' : 'create';
  if (!enabled && (a.emails.length > 0 || a.topicArn !== undefined)) {
    warnings.push('alarms.enabled is false: no alarm exists, so alarms.emails and alarms.topicArn are never notified');
  }
  return {
    enabled,
    namePrefix: prefix,
    models,
    allModels,
    pipeline,
    heartbeatPeriods,
    lagThresholdMinutes,
    publisherWindows,
    allModelsCostWindowMinutes,
    allModelsCostPeriods,
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

/** The longest ARN prefix of an alarm, `arn:aws-us-gov:cloudwatch:<16-character region>:<account>:alarm:`. */
const ALARM_ARN_PREFIX_MAX = 'arn:aws-us-gov:cloudwatch:'.length + LONGEST_REGION + ':123456789012:alarm:'.length;

/**
 * The most characters the roll-up rule `(ALARM("<arn>") OR ALARM("<arn>") …)` over these alarm names can resolve to
 * (children are referenced by ARN: `Fn::GetAtt` also makes CloudFormation create them first).
 */
export function ruleLengthBound(names: readonly string[]): number {
  return names.reduce((sum, name) => sum + `ALARM("")`.length + ALARM_ARN_PREFIX_MAX + name.length, 0) + Math.max(0, names.length - 1) * ' OR '.length + 2;
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
    monthlyAlarmCostUSD: Math.round((metrics * DEFAULT_MONITORING_PRICES.alarmMetricMonth + compositeAlarms * DEFAULT_MONITORING_PRICES.compositeAlarmMonth) * 100) / 100,
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

// ---------------------------------------------------------------------------------------------------------------
// Runbooks: every alarm description says what fired, what it means in tokens or dollars, the usual causes
// (README "Alarms and runbooks"), the first three checks and the on-call dashboard's URL, within 1,024 characters.
// ---------------------------------------------------------------------------------------------------------------

export interface Runbook {
  /** What the alarm is about: a model's display name (or id), `All models`, the roll-up. */
  readonly subject: string;
  /** What fired (follows `<subject>: `). */
  readonly what: string;
  readonly means: string;
  /** Most likely first; the tail is dropped if the description would exceed 1,024 characters. */
  readonly causes: readonly string[];
  readonly checks: readonly [string, string, string];
}

/**
 * Length of a string with tokens: the console host's `${Token[ConsoleHost.…]}` counted as the longest console host,
 * any other `${Token[…]}` (the region) as the longest region name.
 */
export function resolvedLengthBound(text: string): number {
  return text.replace(/\$\{Token\[([^\]]*)\]\}/g, (_t, key: string) => 'x'.repeat(key.startsWith(`${CONSOLE_HOST_HINT}.`) ? LONGEST_CONSOLE_HOST : LONGEST_REGION)).length;
}

/**
 * The description, as the alarm-specific `head` (what fired, what it means) and the `tail` its family shares (causes,
 * checks, dashboard URL); causes are cut from the end until the whole fits in 1,024 characters.
 */
export function runbookParts(r: Runbook, dashboardUrl: string): { head: string; tail: string } {
  const head = `${r.subject}: ${r.what}\nMeans: ${r.means}`;
  const render = (causes: readonly string[]) =>
    [
      '',
      ...(causes.length > 0 ? [`Causes: ${causes.join('; ')}.`] : []),
      `Check: 1) ${r.checks[0]} 2) ${r.checks[1]} 3) ${r.checks[2]}`,
      `On-call dashboard: ${dashboardUrl}`,
    ].join('\n');
  let causes = [...r.causes];
  let tail = render(causes);
  while (resolvedLengthBound(head + tail) > ALARM_DESCRIPTION_MAX && causes.length > 0) {
    causes = causes.slice(0, -1);
    tail = render(causes);
  }
  if (resolvedLengthBound(head + tail) > ALARM_DESCRIPTION_MAX) {
    throw new Error(`alarm description of ${resolvedLengthBound(head + tail)} characters exceeds CloudWatch's ${ALARM_DESCRIPTION_MAX}: use a shorter dashboard name or display name`);
  }
  return { head, tail };
}

/** The whole description text (see {@link runbookParts}). */
export function runbookText(r: Runbook, dashboardUrl: string): string {
  const { head, tail } = runbookParts(r, dashboardUrl);
  return head + tail;
}

/**
 * Literal runs shared by many descriptions (a family's causes and checks, the dashboard URL, a head repeated across
 * models with the same settings and prices), stored once in a template Mapping and referenced with `Fn::FindInMap`:
 * CloudFormation puts the full text in each alarm, the template holds it once. With 3 alarms per model, descriptions
 * would otherwise be the bulk of the template.
 *
 * Two phases: {@link register} returns a lazy string; {@link finalize} (once every description is registered) interns
 * each run of at least MIN_LENGTH characters that occurs more than once.
 */
export class SharedText {
  /** Shorter runs stay inline (a reference costs about 45 characters). */
  static readonly MIN_LENGTH = 48;
  private readonly texts: string[][] = [];
  private refs?: Map<string, string>;

  constructor(private readonly scope: Construct, private readonly id: string) {}

  /** The concatenation of `segments`; runs never span two segments (split where models differ, e.g. at the subject). */
  register(segments: readonly string[]): string {
    const parts = segments.flatMap((seg) => seg.split(/(\$\{Token\[[^\]]*\]\})/)).filter((p) => p !== '');
    const index = this.texts.push(parts) - 1;
    return Lazy.string({ produce: () => this.render(index) });
  }

  /** The runs {@link finalize} will store: at least MIN_LENGTH characters, in more than one place. */
  sharedRuns(): string[] {
    const counts = new Map<string, number>();
    for (const parts of this.texts) for (const p of parts) if (!isToken(p) && p.length >= SharedText.MIN_LENGTH) counts.set(p, (counts.get(p) ?? 0) + 1);
    return [...counts].filter(([, c]) => c > 1).map(([p]) => p);
  }

  /** Mappings that `runs` shared texts take: CloudFormation allows 200 attributes (top-level keys) per mapping. */
  static mappingsFor(runs: number): number {
    return Math.ceil(runs / MAPPING_ATTRIBUTES_MAX);
  }

  finalize(): void {
    const shared = this.sharedRuns();
    this.refs = new Map();
    const base = `Runbooks${shortHash(`${this.scope.node.path}/${this.id}`).slice(0, 6)}`;
    for (let m = 0; m < SharedText.mappingsFor(shared.length); m++) {
      // lazy: false says the references are wanted (the values are what the template should hold once).
      const mapping = new CfnMapping(this.scope, m === 0 ? this.id : `${this.id}${m + 1}`, { lazy: false });
      // Short logical ids (descriptions refer to them several times each), stable: Runbooks<hash>, then …2, …3.
      mapping.overrideLogicalId(m === 0 ? base : `${base}${m + 1}`);
      // Keys are numbered across mappings, t0 … t199 in the first, t200 … in the second.
      for (let i = m * MAPPING_ATTRIBUTES_MAX; i < Math.min(shared.length, (m + 1) * MAPPING_ATTRIBUTES_MAX); i++) {
        mapping.setValue(`t${i}`, 'text', shared[i]);
        this.refs.set(shared[i], mapping.findInMap(`t${i}`, 'text'));
      }
    }
  }

  private render(index: number): string {
    if (!this.refs) throw new Error('SharedText.finalize() was not called');
    return this.texts[index].map((p) => this.refs!.get(p) ?? p).join('');
  }
}

function isToken(part: string): boolean {
  return /^\$\{Token\[[^\]]*\]\}$/.test(part);
}

/** `$0.015`, `$0.0055`, `$1.44`, `$1,234.50`: 2 decimals, up to 4 below a dollar. */
export function formatUsd(usd: number): string {
  const abs = Math.abs(usd);
  const text = abs.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: abs < 1 ? 4 : 2 });
  return `${usd < 0 ? '-' : ''}$${text}`;
}

/** A price in USD per million tokens: `$3.00`, `$0.30`, `$1.375`. */
function price(micro: number): string {
  return `$${(micro / 1e6).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 6 })}`;
}

const perMTok = (micro: number) => micro / 1e6;
const n = (v: number) => v.toLocaleString('en-US');
const pct = (v: number) => `${(Math.round(v * 10) / 10).toString()}%`;

/** The usual causes of a hit-ratio drop, most likely first. */
export const HIT_RATIO_CAUSES = [
  'timestamp or request id in the prefix',
  'tools or their order changed',
  'system prompt edited',
  'model or inference profile switched',
  'checkpoint under the model minimum',
  'gaps longer than the TTL',
  'a proxy dropping cachePoint/cache_control',
  'cross-region routing under load',
];

export function lowHitRatioRunbook(m: ModelAlarmPlan | undefined, s: ModelAlarmSettings['lowHitRatio']): Runbook {
  const p = m?.price;
  return {
    subject: m ? m.label : 'All models',
    what: `hit ratio read/(read+write) < ${s.thresholdPercent}% in ${s.datapointsToAlarm} of ${s.evaluationPeriods} ${s.periodMinutes}-min periods with >= ${n(s.minCacheTokens)} cache tokens.`,
    means: p
      ? `writes cost ${price(p.cacheWriteMicro)}/MTok, reads ${price(p.cacheReadMicro)}, input ${price(p.inputMicro)}: under ${pct(m?.breakEvenPercent ?? 0)} caching loses money.`
      : 'writes cost 1.25-2x input, reads 0.1x: under the break-even (21.7% for a 5-min Claude cache, 52.6% for 1 h) caching loses money.',
    causes: HIT_RATIO_CAUSES,
    checks: ["this model's read vs write on the dashboard: since when?", 'deploys, prompt, tool or model changes then', 'diff the prefixes of two consecutive requests'],
  };
}

export function writesWithoutReadsRunbook(m: ModelAlarmPlan | undefined, s: ModelAlarmSettings['writesWithoutReads']): Runbook {
  let means = 'every write (1.25-2x the input price) is wasted: nothing is read back.';
  if (m?.price) {
    const premium = m.price.cacheWriteMicro - m.price.inputMicro;
    const perPeriod = (s.minWriteTokens * perMTok(premium)) / 1e6;
    means = `${price(premium)}/MTok over input wasted: at least ${formatUsd(perPeriod)} a period, ${formatUsd((perPeriod * 1440) / s.periodMinutes)} a day.`;
  }
  return {
    subject: m ? m.label : 'All models',
    what: `>= ${n(s.minWriteTokens)} cache tokens written and none read in ${s.evaluationPeriods === 1 ? `a ${s.periodMinutes}-min period` : `${s.evaluationPeriods} ${s.periodMinutes}-min periods in a row`}: the prefix never matches.`,
    means,
    causes: ['timestamp, request id or user data before the checkpoint', 'tools or their order differing per call', 'calls further apart than the TTL', 'a proxy rewriting the prompt', 'cross-region routing'],
    checks: ['diff the prefixes of two consecutive requests', 'invocations vs cache reads and writes on the dashboard', 'time between calls vs the TTL (5 min or 1 h)'],
  };
}

export function cachingCostsMoneyRunbook(m: ModelAlarmPlan | undefined, s: ModelAlarmSettings['cachingCostsMoney'], windowMinutes: number, periods: number): Runbook {
  if (!m || !m.price) {
    return {
      subject: 'All models',
      what: `net savings (the publisher's NetSavingsUSD) < $0 in ${periods} ${windowMinutes}-min windows in a row.`,
      means: 'across models, cache write premiums exceed read discounts: caching costs more than it saves.',
      causes: ['a model with a low hit ratio (see its alarms)', 'a 1-hour TTL (2x write) where 5 minutes would do', 'checkpoints on content that changes per call'],
      checks: ['net savings per model on the dashboard', 'the model with the lowest hit ratio', '`prompt-cache report --region` for the window'],
    };
  }
  const p = m.price;
  const be = pct(m.breakEvenPercent ?? 0);
  return {
    subject: m.label,
    what: `net savings = read x ${price(p.inputMicro - p.cacheReadMicro)} - write x ${price(p.cacheWriteMicro - p.inputMicro)} per MTok < $0 in ${s.evaluationPeriods} ${s.windowMinutes}-min windows in a row with >= ${n(s.minCacheTokens)} cache tokens.`,
    means: `the write premium beats the read discount: hit ratio under the ${be} break-even (${p.source}).`,
    causes: ['any cause of a low hit ratio', 'a 1-hour TTL (2x write) where 5 minutes would do', 'checkpoints on content that changes per call'],
    checks: [`hit ratio vs ${be} on the dashboard`, 'cacheWriteTtl and checkpoint placement', 'stop caching prefixes that are never reused'],
  };
}

function publisherErrorsRunbook(periodMinutes: number): Runbook {
  return {
    subject: 'Savings publisher',
    what: `>= 1 Lambda error in a period of ${periodMinutes} min.`,
    means: 'savings metrics are late; the next good run back-fills every missed period (up to 14 days), never twice.',
    causes: ['throttled or failing CloudWatch or DynamoDB calls', 'a Lambda timeout', 'a rejected config', 'missing IAM permissions'],
    checks: ["the publisher's log group: the error and the run summary", 'the failed-runs queue', '`prompt-cache publish` locally against the ledger'],
  };
}

function heartbeatRunbook(periodMinutes: number, periods: number, thresholdMinutes: number): Runbook {
  return {
    subject: 'Savings publisher',
    what: `no PublisherLagMinutes report, or a lag over ${thresholdMinutes} min, in ${periods} periods of ${periodMinutes} min in a row: pages ${periods} to ${periods + 1} periods after the last good run.`,
    means: 'no run finished, or runs cannot advance the watermark: dollar savings, the cost review and the all-models alarms go stale.',
    causes: ['schedule rule disabled or function throttled', 'every run failing (see the errors alarm)', "a lease held by a crashed run (runs end 'busy')"],
    checks: ["the function's invocations and errors", "the publisher's log group: run summaries", '`prompt-cache doctor`: publisher-freshness'],
  };
}

/** Value of a period with no `PublisherLagMinutes` report: above any threshold, so silence breaches. */
export const LAG_FILL_MINUTES = 99_999;

/**
 * The pipeline alarm's metric: the largest lag reported per publisher period, silent periods filled with
 * {@link LAG_FILL_MINUTES}. The lag datum is timestamped at the run's own time (not a period start), so a silent
 * period is seen as soon as it ends, and FILL keeps CloudWatch from skipping missing periods (it evaluates the most
 * recent existing datapoints when enough exist in its evaluation range, which made a missing-data heartbeat hours late).
 */
export function lagExpression(config: PromptCacheConfig, thresholdMinutes: number): MathExpression {
  return new MathExpression({
    expression: `FILL(lag, ${LAG_FILL_MINUTES})`,
    usingMetrics: { lag: SavingsMetrics.fromConfig(config).metric('publisherLagMinutes', { unlabelled: true }) },
    label: `Publisher lag (min, ${LAG_FILL_MINUTES} = no report); alarm > ${thresholdMinutes}`,
    period: Duration.minutes(config.publisher.periodMinutes),
  });
}

// ---------------------------------------------------------------------------------------------------------------
// The construct
// ---------------------------------------------------------------------------------------------------------------

export interface PromptCacheAlarmsProps {
  readonly config: PromptCacheConfig;
  /** Alarm names start with `<namePrefix>-` (unique per account and region). */
  readonly namePrefix: string;
  /** The on-call dashboard's console URL (may hold the region token), cited by every runbook. */
  readonly dashboardUrl: string;
  /** The savings publisher's function, when deployed: pipeline alarms and the all-models cost alarm. */
  readonly publisherFunction?: IFunction;
  /**
   * Resources the caller adds to the stack after this construct (its dashboards), for the resource-limit check.
   * @default 0
   */
  readonly resourcesAddedLater?: number;
}

export type FamilyAlarms = { -readonly [K in ModelAlarmFamily]?: Alarm };

export class PromptCacheAlarms extends Construct {
  readonly plan: AlarmPlan;
  /** The on-call topic (created, or imported from `alarms.topicArn`), when any alarm exists. */
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

  /** Whether the savings publisher (and so its alarm-ready series) is deployed. */
  private readonly publisherDeployed: boolean;
  private readonly config: PromptCacheConfig;

  constructor(scope: Construct, id: string, props: PromptCacheAlarmsProps) {
    super(scope, id);
    const { config } = props;
    this.publisherDeployed = props.publisherFunction !== undefined;
    this.config = config;
    const publisherTimeout = props.publisherFunction && 'timeout' in props.publisherFunction ? (props.publisherFunction as { timeout?: Duration }).timeout : undefined;
    this.plan = planAlarms(config, {
      publisher: props.publisherFunction !== undefined,
      namePrefix: props.namePrefix,
      publisherTimeoutMinutes: publisherTimeout && !publisherTimeout.isUnresolved() ? Math.ceil(publisherTimeout.toMinutes({ integral: false })) : undefined,
    });
    this.checkResourceLimit(props.resourcesAddedLater ?? 0);
    // The template's size is known only once the whole stack is built: checked at synth's validation step.
    this.node.addValidation({ validate: () => this.templateSizeProblems() });
    for (const w of this.plan.warnings) Annotations.of(this).addWarningV2('prompt-cache:alarms', w);
    for (const i of this.plan.infos) Annotations.of(this).addInfo(i);
    if (this.plan.topic === 'none') return;

    const plan = this.plan;
    const a = config.alarms;
    const url = props.dashboardUrl;
    const section = modelAlarmSettings(a);
    const metricsFor = (minutes: number) => BedrockMetrics.fromConfig(config, Duration.minutes(minutes));

    // All models first (the roll-up and the status widget list them first).
    const allScope = new Construct(this, 'AllModels');
    for (const p of plan.allModels) {
      const alarm = this.familyAlarm(allScope, p, undefined, section, metricsFor, url, config);
      this.allModels[p.family as ModelAlarmFamily] = alarm;
    }
    for (const m of plan.models) {
      if (m.alarms.length === 0) continue;
      const modelScope = new Construct(this, `M${m.key.slice(-8)}`);
      const alarms: FamilyAlarms = {};
      for (const p of m.alarms) alarms[p.family as ModelAlarmFamily] = this.familyAlarm(modelScope, p, m, m.settings, metricsFor, url, config);
      this.byModel.set(m.modelId, alarms);
    }
    if (plan.pipeline.length > 0 && props.publisherFunction) {
      const pipeScope = new Construct(this, 'Pipeline');
      const period = Duration.minutes(config.publisher.periodMinutes);
      for (const p of plan.pipeline) {
        const alarm =
          p.family === 'publisherErrors'
            ? this.metricAlarm(pipeScope, p, {
                metric: props.publisherFunction.metricErrors({ period, statistic: Stats.SUM, label: 'Publisher errors' }),
                threshold: 1,
                comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
                evaluationPeriods: 1,
                datapointsToAlarm: 1,
                // No invocation, no Errors datum: silence is the heartbeat alarm's business.
                treatMissingData: TreatMissingData.NOT_BREACHING,
                runbook: publisherErrorsRunbook(config.publisher.periodMinutes),
              }, url)
            : this.metricAlarm(pipeScope, p, {
                metric: lagExpression(config, plan.lagThresholdMinutes),
                threshold: plan.lagThresholdMinutes,
                comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
                evaluationPeriods: plan.heartbeatPeriods,
                datapointsToAlarm: plan.heartbeatPeriods,
                // FILL gives every silent period a breaching value; no datum in the whole range (never ran) breaches too.
                treatMissingData: TreatMissingData.BREACHING,
                runbook: heartbeatRunbook(config.publisher.periodMinutes, plan.heartbeatPeriods, plan.lagThresholdMinutes),
              }, url);
        this.pipeline[p.family as PipelineAlarmKind] = alarm;
      }
    }

    const topic = this.createTopic(config);
    this.topic = topic;
    const action = new SnsAction(topic);
    const names = cacheAlarmNames(plan);
    const byName = new Map(this.alarms.map((al, i) => [this.alarmNames[i], al] as const));
    const alarmsNamed = (list: readonly string[]) => list.map((n) => byName.get(n)!);
    if (names.length > 0) {
      const groups = compositeGroups(names);
      const cacheRunbook: Runbook = {
        subject: `Prompt-cache roll-up of ${plan.namePrefix}`,
        what: `at least one low-hit-ratio, writes-without-reads or caching-costs-money alarm (per model or all models) is in ALARM. Only this roll-up pages, once per incident.`,
        means: "the alarm that fired is in this notification's TriggeringChildren; its description is the runbook.",
        causes: ['a prompt, tool or model change in a deploy', 'a traffic pattern change (gaps longer than the TTL)'],
        checks: ['open the triggering alarm and follow its checks', 'the dashboard alarm status: which models, since when', 'recent deploys of the calling application'],
      };
      if (groups.length === 1) {
        this.cacheHealth = this.composite('CacheHealth', `${plan.namePrefix}-CacheHealth`, alarmsNamed(groups[0]), cacheRunbook, url);
      } else {
        const parts = groups.map((g, i) =>
          this.composite(`CacheHealthPart${i + 1}`, `${plan.namePrefix}-CacheHealth-Part${i + 1}`, alarmsNamed(g), { ...cacheRunbook, subject: `${cacheRunbook.subject}, part ${i + 1} of ${groups.length} (no action of its own)` }, url),
        );
        this.cacheHealthParts.push(...parts);
        this.cacheHealth = this.composite('CacheHealth', `${plan.namePrefix}-CacheHealth`, parts, cacheRunbook, url);
      }
      this.cacheHealth.addAlarmAction(action);
    }
    if (plan.pipeline.length > 0) {
      this.savingsPipeline = this.composite('SavingsPipeline', `${plan.namePrefix}-SavingsPipeline`, alarmsNamed(plan.pipeline.map((p) => p.name)), {
        subject: `Savings-pipeline roll-up of ${plan.namePrefix}`,
        what: `the publisher is failing or silent (errors or no heartbeat). Only this roll-up pages, once per incident.`,
        means: 'savings metrics stop or lag; the next good run back-fills every missed period (up to 14 days), exactly once.',
        causes: ['runs failing (throttling, timeout, IAM)', 'the schedule disabled', 'a stale ledger lease'],
        checks: ["the triggering alarm's description", "the publisher's log group", 'the failed-runs queue'],
      }, url);
      this.savingsPipeline.addAlarmAction(action);
    }
    this.notifyRecoveries(topic, action);
    this.checkMappingLimit(this.shared.sharedRuns().length);
    this.shared.finalize();
  }

  /**
   * Recoveries (ALARM → OK) of the paging roll-ups. A composite's OK action would also fire on its first evaluation
   * (INSUFFICIENT_DATA → OK), telling on-call "OK" about a stack that was never in trouble; an EventBridge rule on the
   * alarms' state-change events passes only OK after ALARM. It needs the topic's policy and key, so for an imported
   * topic (`alarms.topicArn`) the composites keep their OK actions, first OK included.
   */
  private notifyRecoveries(topic: sns.ITopic, action: SnsAction): void {
    const rollUps = [this.cacheHealth, this.savingsPipeline].filter((c): c is CompositeAlarm => c !== undefined);
    if (rollUps.length === 0) return;
    if (!this.topicKey) {
      for (const c of rollUps) c.addOkAction(action);
      return;
    }
    // EventBridge encrypts with the topic's key: AWS's documented key statement for events.amazonaws.com.
    this.topicKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'EventBridgeEncryptRecoveries',
        principals: [new iam.ServicePrincipal('events.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
      }),
    );
    this.recoveryRule = new events.Rule(this, 'Recoveries', {
      description: `Notifies the on-call topic when a ${this.plan.namePrefix} roll-up returns from ALARM to OK (not on its first evaluation)`,
      eventPattern: {
        source: ['aws.cloudwatch'],
        detailType: ['CloudWatch Alarm State Change'],
        resources: rollUps.map((c) => c.alarmArn),
        detail: { previousState: { value: ['ALARM'] }, state: { value: ['OK'] } },
      },
    });
    // The topic's policy allows this rule only (CDK's SnsTopic target would allow every rule of EventBridge).
    const message = events.RuleTargetInput.fromText(
      `OK again: ${events.EventField.fromPath('$.detail.alarmName')} returned from ALARM at ${events.EventField.fromPath('$.time')}. ${events.EventField.fromPath('$.detail.state.reason')}`,
    );
    this.recoveryRule.addTarget({ bind: () => ({ arn: topic.topicArn, input: message }) });
    topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'RecoveryRulePublish',
        principals: [new iam.ServicePrincipal('events.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [topic.topicArn],
        conditions: { ArnEquals: { 'aws:SourceArn': this.recoveryRule.ruleArn } },
      }),
    );
  }

  /** The rule that notifies recoveries, when the topic is created here. */
  recoveryRule?: events.Rule;

  /** Alarm names, parallel to {@link alarms}. */
  private readonly alarmNames: string[] = [];
  private readonly shared = new SharedText(this, 'Runbooks');

  private description(runbook: Runbook, url: string): string {
    const { head, tail } = runbookParts(runbook, url);
    // Split at the subject: the rest of a head is often the same for every model with the same settings and prices.
    return this.shared.register([runbook.subject, head.slice(runbook.subject.length), tail]);
  }

  private checkResourceLimit(later: number): void {
    const stack = Stack.of(this);
    const limitContext = this.node.tryGetContext('@aws-cdk/core:stackResourceLimit');
    const limit = limitContext === undefined ? STACK_RESOURCE_LIMIT : Number(limitContext);
    if (!(limit > 0)) return;
    // Everything the stack holds now, what the caller adds later, and AWS::CDK::Metadata.
    const others = stack.node.findAll().filter((c) => CfnResource.isCfnResource(c)).length + later + 1;
    const planned = plannedResources(this.plan);
    if (others + planned.total <= limit) return;
    const fit = modelsThatFit(this.plan, others, limit);
    const perModel = Math.max(...this.plan.models.map((m) => m.alarms.length), 0);
    throw new ConfigError(`PromptCacheMonitoring ${this.node.scope?.node.path ?? this.node.path}`, [
      `models: ${this.plan.models.length} models with up to ${perModel} alarms each need ${others + planned.total} CloudFormation resources in stack ${stack.stackName}, over the limit of ${limit}: at most ${fit} of these models fit. ` +
        'Turn alarm families off (alarms.<family>.enabled: false), turn alarms off for some models (models[].alarms.enabled: false), or split the models across stacks.',
    ]);
  }

  /**
   * The runbooks' shared texts take one mapping per 200; with the stack's other mappings they must stay within
   * CloudFormation's 200 per template. Checked once every description is known (the count depends on their text).
   */
  /**
   * CloudFormation refuses a template over 1,000,000 bytes (through S3, as `cdk deploy` uploads it) at deploy time;
   * aws-cdk-lib only warns. Measured as the stack will write it (indented unless `suppressTemplateIndentation`).
   */
  private templateSizeProblems(): string[] {
    const stack = Stack.of(this) as unknown as { _toCloudFormation?: () => unknown; _suppressTemplateIndentation?: boolean; stackName: string };
    // aws-cdk-lib's own template rendering (what synth writes); skipped if a future version renames it.
    if (typeof stack._toCloudFormation !== 'function') return [];
    const bytes = Buffer.byteLength(JSON.stringify(stack._toCloudFormation(), undefined, stack._suppressTemplateIndentation ? undefined : 1));
    if (bytes <= TEMPLATE_BYTES_MAX) return [];
    const pinned = Object.values(bedrockMetricCandidates(this.config.bedrockMetricNames)).every((names) => names.length === 1);
    return [
      `models: the template of stack ${stack.stackName} would be ${bytes.toLocaleString('en-US')} bytes with these ${this.plan.models.length} models, over CloudFormation's ${TEMPLATE_BYTES_MAX.toLocaleString('en-US')}. ` +
        (pinned ? '' : 'Pin bedrockMetricNames.cacheReadInputTokens and .cacheWriteInputTokens to the spelling `prompt-cache doctor` reports (halves the cache alarms\' inputs), ') +
        (stack._suppressTemplateIndentation ? '' : 'set suppressTemplateIndentation: true on the stack, ') +
        'turn alarm families off (alarms.<family>.enabled: false), turn alarms off for some models (models[].alarms.enabled: false), or split the models across stacks.',
    ];
  }

  private checkMappingLimit(sharedRuns: number): void {
    const stack = Stack.of(this);
    const others = stack.node.findAll().filter((c) => c instanceof CfnMapping).length;
    const needed = SharedText.mappingsFor(sharedRuns);
    if (others + needed <= TEMPLATE_MAPPINGS_MAX) return;
    throw new ConfigError(`PromptCacheMonitoring ${this.node.scope?.node.path ?? this.node.path}`, [
      `models: the runbooks of ${this.plan.models.length} models share ${sharedRuns} texts, ${needed} template mappings of at most ${MAPPING_ATTRIBUTES_MAX}, and stack ${stack.stackName} already has ${others}: over CloudFormation's limit of ${TEMPLATE_MAPPINGS_MAX} mappings per template. ` +
        `Give the models shorter display names (under ${SharedText.MIN_LENGTH} characters a name is not shared), turn alarm families off (alarms.<family>.enabled: false), remove mappings from the stack, or split the models across stacks.`,
    ]);
  }

  private familyAlarm(
    scope: Construct,
    p: PlannedAlarm,
    m: ModelAlarmPlan | undefined,
    s: ModelAlarmSettings,
    metricsFor: (minutes: number) => BedrockMetrics,
    url: string,
    config: PromptCacheConfig,
  ): Alarm {
    const modelId = m?.modelId;
    // The legend of the alarm's graph (and of the model's alarm widget) names the model.
    const who = m ? `${m.label}: ` : 'all models: ';
    switch (p.family) {
      case 'lowHitRatio': {
        const f = s.lowHitRatio;
        if (m) {
          return this.metricAlarm(scope, p, {
            metric: metricsFor(f.periodMinutes).cacheHitRatio({ modelId, minCacheTokens: f.minCacheTokens, compactInputs: true, label: `${who}hit ratio %` }),
            threshold: f.thresholdPercent,
            comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
            evaluationPeriods: f.evaluationPeriods,
            datapointsToAlarm: f.datapointsToAlarm,
            // A quiet period (below the minimum volume) has no datapoint: it is not a broken cache.
            treatMissingData: TreatMissingData.NOT_BREACHING,
            runbook: lowHitRatioRunbook(m, f),
          }, url);
        }
        // All models: the publisher's totals of settled periods (no dimensionless AWS/Bedrock series is documented).
        const w = this.plan.publisherWindows.lowHitRatio;
        const custom = SavingsMetrics.fromConfig(config, Duration.minutes(w.periodMinutes));
        return this.metricAlarm(scope, p, {
          metric: new MathExpression({
            expression: gatedHitRatioExpression('r', 'w', f.minCacheTokens),
            usingMetrics: { r: custom.metric('cacheReadTokens', { unlabelled: true }), w: custom.metric('cacheWriteTokens', { unlabelled: true }) },
            label: `${who}hit ratio % (publisher)`,
            period: Duration.minutes(w.periodMinutes),
          }),
          threshold: f.thresholdPercent,
          comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
          evaluationPeriods: w.evaluationPeriods,
          datapointsToAlarm: w.datapointsToAlarm,
          treatMissingData: TreatMissingData.NOT_BREACHING,
          runbook: lowHitRatioRunbook(undefined, { ...f, periodMinutes: w.periodMinutes, evaluationPeriods: w.evaluationPeriods, datapointsToAlarm: w.datapointsToAlarm }),
        }, url);
      }
      case 'writesWithoutReads': {
        const f = s.writesWithoutReads;
        if (!this.publisherDeployed) {
          // Raw Sums: the newest period may still be partial (see writesWithoutReadsRunbook); only without the publisher.
          return this.metricAlarm(scope, p, {
            metric: metricsFor(f.periodMinutes).writesWithoutReads({ modelId, compactInputs: true, label: `${who}writes w/o reads` }),
            threshold: f.minWriteTokens,
            comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            evaluationPeriods: f.evaluationPeriods,
            datapointsToAlarm: f.evaluationPeriods,
            treatMissingData: TreatMissingData.NOT_BREACHING,
            runbook: writesWithoutReadsRunbook(m, f),
          }, url);
        }
        // The publisher's series: whole, settled periods only, so a period whose reads have not arrived yet never pages.
        const w = publisherWindow(f.periodMinutes, f.evaluationPeriods, f.evaluationPeriods, config.publisher.periodMinutes);
        return this.metricAlarm(scope, p, {
          metric: SavingsMetrics.fromConfig(config).metric('writesWithoutReadsTokens', { modelId, label: `${who}writes w/o reads (publisher)` }),
          threshold: f.minWriteTokens,
          comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          evaluationPeriods: w.evaluationPeriods,
          datapointsToAlarm: w.datapointsToAlarm,
          // The newest period is missing until the publisher's next run: neither clear nor raise on that.
          treatMissingData: TreatMissingData.NOT_BREACHING,
          runbook: writesWithoutReadsRunbook(m, { ...f, periodMinutes: w.periodMinutes, evaluationPeriods: w.evaluationPeriods }),
        }, url);
      }
      case 'cachingCostsMoney': {
        const f = s.cachingCostsMoney;
        if (m?.price) {
          return this.metricAlarm(scope, p, {
            metric: metricsFor(f.windowMinutes).netSavingsUsd({
              modelId,
              readDiscountPerMTok: perMTok(m.price.inputMicro - m.price.cacheReadMicro),
              writePremiumPerMTok: perMTok(m.price.cacheWriteMicro - m.price.inputMicro),
              minCacheTokens: f.minCacheTokens,
              compactInputs: true,
              label: `${who}net savings USD`,
            }),
            threshold: 0,
            comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
            evaluationPeriods: f.evaluationPeriods,
            datapointsToAlarm: f.evaluationPeriods,
            treatMissingData: TreatMissingData.NOT_BREACHING,
            runbook: cachingCostsMoneyRunbook(m, f, f.windowMinutes, f.evaluationPeriods),
          }, url);
        }
        // All models: prices differ per model, so the publisher's dollars; they arrive a settle delay late.
        const window = this.plan.allModelsCostWindowMinutes;
        return this.metricAlarm(scope, p, {
          metric: SavingsMetrics.fromConfig(config, Duration.minutes(window)).metric('netSavingsUsd', { label: 'Net savings USD, all models (publisher)' }),
          threshold: 0,
          comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
          evaluationPeriods: this.plan.allModelsCostPeriods,
          datapointsToAlarm: this.plan.allModelsCostPeriods,
          // The newest window is missing until the publisher's next run: neither clear nor raise on that.
          treatMissingData: TreatMissingData.IGNORE,
          runbook: cachingCostsMoneyRunbook(undefined, f, window, this.plan.allModelsCostPeriods),
        }, url);
      }
      default:
        throw new Error(`not a model alarm family: ${p.family}`);
    }
  }

  private metricAlarm(
    scope: Construct,
    p: PlannedAlarm,
    o: {
      metric: IMetric;
      threshold: number;
      comparisonOperator: ComparisonOperator;
      evaluationPeriods: number;
      datapointsToAlarm: number;
      treatMissingData: TreatMissingData;
      runbook: Runbook;
    },
    url: string,
  ): Alarm {
    const alarm = new Alarm(scope, FAMILY_NAMES[p.family], {
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
    (alarm.node.defaultChild as CfnResource).overrideLogicalId(`${FAMILY_NAMES[p.family]}${shortHash(alarm.node.path)}`);
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

  private createTopic(config: PromptCacheConfig): sns.ITopic {
    const a = config.alarms;
    const prefix = this.plan.namePrefix;
    let topic: sns.ITopic;
    if (a.topicArn) {
      topic = sns.Topic.fromTopicArn(this, 'OnCallTopic', a.topicArn);
      const stack = Stack.of(this);
      const topicRegion = a.topicArn.split(':')[3];
      if (!Token.isUnresolved(stack.region) && topicRegion !== stack.region) {
        Annotations.of(this).addWarningV2('prompt-cache:topic-region', `alarms.topicArn: the topic is in ${topicRegion} but the stack deploys to ${stack.region}; CloudWatch alarms notify topics of their own region only`);
      }
    } else {
      // Only composites notify, and only ours: their names start with the prefix (topic policy only, see the key).
      const fromOurAlarms = {
        StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
        ArnLike: { 'aws:SourceArn': `arn:${Aws.PARTITION}:cloudwatch:${Aws.REGION}:${Aws.ACCOUNT_ID}:alarm:${prefix}-*` },
      };
      // CloudWatch cannot use the AWS-managed alias/aws/sns key: a customer-managed one, rotated, usable by CloudWatch.
      const key = new kms.Key(this, 'OnCallTopicKey', {
        description: `Encrypts the prompt-cache on-call topic of ${prefix}`,
        enableKeyRotation: true,
        removalPolicy: RemovalPolicy.DESTROY,
      });
      // AWS's documented key statement for alarms notifying an encrypted topic, without conditions: AWS documents
      // aws:SourceArn/aws:SourceAccount for the topic policy only, and if CloudWatch's KMS calls do not carry them,
      // every notification fails without a trace. The topic policy below keeps the conditions, so only our alarms
      // can publish; this key encrypts nothing but this topic.
      key.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'CloudWatchAlarmsEncryptNotifications',
          principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
          actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          resources: ['*'],
        }),
      );
      const created = new sns.Topic(this, 'OnCallTopic', {
        displayName: 'Bedrock prompt cache on-call',
        masterKey: key,
        enforceSSL: true,
      });
      created.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'CloudWatchAlarmsPublish',
          principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
          actions: ['sns:Publish'],
          resources: [created.topicArn],
          conditions: fromOurAlarms,
        }),
      );
      (this as { topicKey?: kms.Key }).topicKey = key;
      topic = created;
    }
    for (const email of a.emails) topic.addSubscription(new subs.EmailSubscription(email));
    return topic;
  }
}
