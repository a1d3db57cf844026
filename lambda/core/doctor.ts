/**
 * `prompt-cache doctor`: what the account looks like against what this project expects, as a list of checks, each with
 * what it saw and the exact fix. Pure: observations in (lambda/aws/doctor-probe.ts collects them), checks out.
 * The JSON shape is a contract (outside tests depend on it): `{"region", "checks": [{"id", "status", "summary", "fix",
 * "details"}]}`.
 */
import { FAMILY_NAMES, PIPELINE_SEVERITY, fleetAlarmName, preciseSeverity, type Severity } from './alarm-catalog';
import type { PromptCacheConfig } from './config';
import { BEDROCK_METRIC_SPELLINGS, CUSTOM_METRICS, MODEL_ID_DIMENSION, type BedrockTokenKind } from './contract';
import { isApplicationInferenceProfileArn, type ProfileLookup } from './inference-profiles';
import { baseModelId, resolvePrice, withPriceFile } from './prices';

export const CHECK_IDS = [
  'bedrock-metric-names',
  'all-models-series',
  'models-unconfigured',
  'models-unpriced',
  'inference-profiles',
  'stack-alarms',
  'publisher-freshness',
  'notification-delivery',
  // With `targets` (lambda/core/doctor-oam.ts): in a target account, and with --targets in the monitoring account.
  'oam-link',
  'oam-sink',
  'target-metrics-visible',
] as const;
export type CheckId = (typeof CHECK_IDS)[number];
export type CheckStatus = 'pass' | 'warn' | 'fail' | 'skip';

export interface Check {
  readonly id: CheckId;
  readonly status: CheckStatus;
  /** One line: what the check saw. */
  readonly summary: string;
  /** The exact fix (a config key and value, a command, or a README section), or null when there is nothing to do. */
  readonly fix: string | null;
  readonly details: Record<string, unknown>;
}

export interface DoctorReport {
  readonly region: string;
  readonly checks: readonly Check[];
}

/** One AWS/Bedrock ListMetrics entry. */
export interface ListedMetric {
  readonly metricName: string;
  readonly dimensions: readonly { readonly name: string; readonly value: string }[];
}

export type AlarmState = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

/** An alarm resource of the stack and what CloudWatch says of it (`state` absent: CloudWatch has no such alarm). */
export interface StackAlarm {
  readonly name: string;
  readonly type: 'MetricAlarm' | 'CompositeAlarm';
  readonly state?: AlarmState;
  /** A metric alarm whose metrics CloudWatch holds as a Metrics Insights query (a fleet alarm). */
  readonly metricsInsights?: boolean;
}

/**
 * The alarm notifier's resources in the stack (logical ids containing `Notifier`): the log group it writes one line per
 * event to (its AWS::Logs::LogGroup, else the function's default `/aws/lambda/<name>`), and what a fix names.
 */
export interface NotifierResources {
  readonly logGroup: string;
  readonly functionName?: string;
  readonly roleName?: string;
  readonly ruleName?: string;
}

export type StackObservation =
  | { readonly exists: false }
  | {
      readonly exists: true;
      readonly status: string;
      readonly outputs: Readonly<Record<string, string>>;
      readonly alarms: readonly StackAlarm[];
      /** Absent: the stack has no notifier (an older version, whose roll-ups notify by themselves). */
      readonly notifier?: NotifierResources;
      /** Metric alarms of the account in the region whose metrics hold a Metrics Insights query (DescribeAlarms, every page). */
      readonly metricsInsightsAlarmsInRegion: number;
    };

export interface FreshnessObservation {
  readonly ledgerTable: string;
  /** Absent: the ledger has no item (the publisher never committed a period). */
  readonly watermarkMs?: number;
  /** The newest `PublisherLagMinutes` datum of the last 6 hours (Maximum per minute). */
  readonly lastLag?: { readonly atMs: number; readonly minutes: number };
  /** Periods of the ledger's deferred ranges (and of an uncertain range not trusted yet): README "Exactly once". @default 0 */
  readonly periodsAwaitingSettlement?: number;
  /** When the next of them becomes due. */
  readonly settlementDueAtMs?: number;
}

/** One line of the notifier's log about one alarm event (its Powertools JSON: `message`, `alarmName` and the rest). */
export type NotifierRecord =
  | { readonly kind: 'sent'; readonly atMs: number; readonly alarmName: string; readonly topic: string; readonly messageId: string }
  /** `alarmName` absent: the notifier's failure line names no alarm (its handler logs only the event id). */
  | { readonly kind: 'failed'; readonly atMs: number; readonly alarmName?: string; readonly error: string }
  | { readonly kind: 'ignored'; readonly atMs: number; readonly alarmName: string; readonly reason: string };

export type NotificationObservation =
  | { readonly attempted: false; readonly reason: 'no-stack' | 'no-notifier' | 'no-alarm' }
  | { readonly attempted: false; readonly reason: 'already-in-alarm'; readonly alarmName: string }
  | {
      readonly attempted: true;
      readonly alarmName: string;
      /** The topic the alarm's severity sends to (lambda/core/alarm-catalog.ts). */
      readonly topic: Severity;
      /** That topic's ARN, from the stack's outputs (OnCallTopicArn, TicketTopicArn). */
      readonly topicArn?: string;
      readonly notifier: NotifierResources;
      /** When the alarm was set to ALARM: the notifier's log is read from then on. */
      readonly setAtMs: number;
      /** The notifier's first line about the alarm since then; absent: none within the wait. */
      readonly record?: NotifierRecord;
      /** Why the log could not be read (e.g. `AccessDeniedException: …`); the test then stops looking. */
      readonly readError?: string;
    };

export interface DoctorObservations {
  readonly region: string;
  readonly nowMs: number;
  readonly stackName: string;
  /** ListMetrics of AWS/Bedrock for every name {@link bedrockMetricNamesToList} gives, all pages, all dimensions. */
  readonly bedrockMetrics: readonly ListedMetric[];
  /** Lookups of every ARN {@link profileArns} gives. */
  readonly profiles: ReadonlyMap<string, ProfileLookup>;
  readonly stack: StackObservation;
  /** Absent: the stack has no publisher (no LedgerTableName output), or no stack. */
  readonly freshness?: FreshnessObservation;
  /** Absent: not asked for (`--test-notification`). */
  readonly notification?: NotificationObservation;
}

const KINDS = Object.keys(BEDROCK_METRIC_SPELLINGS) as BedrockTokenKind[];
const MINUTE_MS = 60_000;
const LAG = CUSTOM_METRICS.publisherLagMinutes.name;

function pinnedNames(config: PromptCacheConfig): Partial<Record<BedrockTokenKind, string>> {
  return Object.fromEntries(Object.entries(config.bedrockMetricNames).filter(([, v]) => v !== undefined)) as Partial<
    Record<BedrockTokenKind, string>
  >;
}

function candidates(kind: BedrockTokenKind, pinned: string | undefined): string[] {
  return [...new Set([...BEDROCK_METRIC_SPELLINGS[kind], ...(pinned === undefined ? [] : [pinned])])];
}

/** Every documented spelling of each token metric plus any pinned name that is none of them. */
export function bedrockMetricNamesToList(config: PromptCacheConfig): string[] {
  const pinned = pinnedNames(config);
  return [...new Set(KINDS.flatMap((k) => candidates(k, pinned[k])))].sort();
}

/** Model ids with token traffic: the ModelId of series with that one dimension (sorted, each once). */
export function trafficModelIds(listed: readonly ListedMetric[]): string[] {
  const ids = new Set<string>();
  for (const m of listed) if (m.dimensions.length === 1 && m.dimensions[0].name === MODEL_ID_DIMENSION) ids.add(m.dimensions[0].value);
  return [...ids].sort();
}

/** Application inference profile ARNs in the traffic or the config: the ones to look up. */
export function profileArns(config: PromptCacheConfig, listed: readonly ListedMetric[]): string[] {
  return [...new Set([...trafficModelIds(listed), ...config.models.map((m) => m.modelId)].filter(isApplicationInferenceProfileArn))].sort();
}

function check(id: CheckId, status: CheckStatus, summary: string, fix: string | null, details: Record<string, unknown>): Check {
  return { id, status, summary, fix, details };
}

const list = (items: readonly string[]) => items.join(', ');
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());

function metricNamesCheck(config: PromptCacheConfig, obs: DoctorObservations): Check {
  const seen = new Set(obs.bedrockMetrics.map((m) => m.metricName));
  const found = [...seen].sort();
  const pinned = pinnedNames(config);
  const details = { found, pinned };
  if (found.length === 0) {
    return check(
      'bedrock-metric-names',
      'warn',
      `no AWS/Bedrock token metric in ${obs.region} in the last 14 days: no Bedrock traffic, nothing to check`,
      `Call Bedrock in ${obs.region}, or check --region (the region where your application calls Bedrock).`,
      details,
    );
  }
  const failures: string[] = [];
  const fixes: string[] = [];
  const doubles: string[] = [];
  const doubleFixes: string[] = [];
  for (const kind of KINDS) {
    const present = candidates(kind, pinned[kind]).filter((n) => seen.has(n));
    const pin = pinned[kind];
    if (pin !== undefined && !seen.has(pin) && present.length > 0) {
      failures.push(`bedrockMetricNames.${kind} is pinned to ${pin}, which ${obs.region} does not have; it has ${list(present)}`);
      fixes.push(`Set bedrockMetricNames.${kind} to "${present[0]}" in cdk.json (or remove the key: unset reads every spelling).`);
    } else if (pin === undefined && present.length > 1) {
      doubles.push(`both ${list(present)} have data: the dashboards and the publisher would sum both`);
      doubleFixes.push(`Pin one: set bedrockMetricNames.${kind} to "${present[0]}" in cdk.json.`);
    }
  }
  if (failures.length > 0) return check('bedrock-metric-names', 'fail', failures.join('; '), fixes.join(' '), details);
  if (doubles.length > 0) return check('bedrock-metric-names', 'warn', doubles.join('; '), doubleFixes.join(' '), details);
  return check('bedrock-metric-names', 'pass', `${obs.region} reports ${list(found)}${pinnedSuffix(pinned)}`, null, details);
}

function pinnedSuffix(pinned: Partial<Record<BedrockTokenKind, string>>): string {
  const keys = Object.keys(pinned);
  return keys.length === 0
    ? '; every spelling is read (nothing pinned)'
    : `; pinned: ${keys.map((k) => `bedrockMetricNames.${k}`).join(', ')}`;
}

function allModelsSeriesCheck(obs: DoctorObservations): Check {
  if (obs.bedrockMetrics.length === 0)
    return check('all-models-series', 'skip', 'no AWS/Bedrock token metric to look at', null, { dimensionless: [] });
  const dimensionless = [...new Set(obs.bedrockMetrics.filter((m) => m.dimensions.length === 0).map((m) => m.metricName))].sort();
  if (dimensionless.length > 0) {
    return check('all-models-series', 'pass', `dimensionless AWS/Bedrock series present: ${list(dimensionless)}`, null, { dimensionless });
  }
  return check(
    'all-models-series',
    'warn',
    "no dimensionless AWS/Bedrock token series: nothing in this project depends on them (the dashboards sum the per-model series, the all-models alarms read the publisher's own series), but AWS's sample Bedrock dashboards would be empty",
    null,
    { dimensionless },
  );
}

function unconfiguredCheck(config: PromptCacheConfig, traffic: readonly string[]): Check {
  const configured = new Set(config.models.map((m) => m.modelId));
  const unconfigured = traffic.filter((id) => !configured.has(id));
  const details = { unconfigured, withTraffic: traffic.length };
  if (unconfigured.length === 0)
    return check('models-unconfigured', 'pass', `every model with traffic (${traffic.length}) is in models[]`, null, details);
  return check(
    'models-unconfigured',
    'warn',
    `${plural(unconfigured.length, 'model')} with traffic not in models[] (on the dashboards and in the publisher's metrics, but no per-model alarm or display name): ${list(unconfigured)}`,
    `Add them to "models" in cdk.json (context.promptCacheMonitoring.models), e.g. {"modelId": "${unconfigured[0]}", "displayName": "..."}, then npx cdk deploy.`,
    details,
  );
}

function routes(obs: DoctorObservations): Map<string, string> {
  const out = new Map<string, string>();
  for (const [arn, l] of obs.profiles) if (l.status === 'routed') out.set(arn, l.route.modelId);
  return out;
}

function unpricedCheck(config: PromptCacheConfig, obs: DoctorObservations, traffic: readonly string[]): Check {
  const routed = routes(obs);
  const priced: Record<string, string> = {};
  const unpriced: string[] = [];
  for (const id of traffic) {
    const model = config.models.find((m) => m.modelId === id);
    const price = resolvePrice(
      { modelId: id, priceAs: model?.priceAs ?? routed.get(id), cacheWriteTtl: model?.cacheWriteTtl, region: obs.region },
      config.pricing,
      withPriceFile(config.priceFile),
    );
    if (price) priced[id] = price.source;
    else unpriced.push(id);
  }
  const details = { unpriced, priced };
  const usRate = Object.entries(priced).filter(([, source]) => source.includes('(US rate: no price for'));
  if (unpriced.length === 0 && usRate.length > 0)
    return check(
      'models-unpriced',
      'warn',
      `every model with traffic (${traffic.length}) has a price, but the catalog has no prices for ${obs.region}: ${list(usRate.map(([id]) => id))} at the US rate`,
      `Check the Bedrock prices in ${obs.region} (aws.amazon.com/bedrock/pricing) and, where they differ, add pricing["${usRate[0][0]}"] in cdk.json.`,
      details,
    );
  if (unpriced.length === 0)
    return check('models-unpriced', 'pass', `every model with traffic (${traffic.length}) has a price`, null, details);
  return check(
    'models-unpriced',
    'fail',
    `${plural(unpriced.length, 'model')} with traffic and no price (tokens reported, dollars not): ${list(unpriced)}`,
    `In cdk.json, add pricing["${unpriced[0]}"] = {"inputPerMTok", "outputPerMTok", "cacheWritePerMTok", "cacheReadPerMTok"} (USD per million tokens), or set its models[].priceAs to a catalog model id (README "Prices and how a model id is priced").`,
    details,
  );
}

const profileId = (arn: string) => arn.slice(arn.lastIndexOf('/') + 1);

function profilesCheck(config: PromptCacheConfig, obs: DoctorObservations): Check {
  const arns = profileArns(config, obs.bedrockMetrics);
  if (arns.length === 0)
    return check('inference-profiles', 'skip', 'no application inference profile ARN in the traffic or the config', null, { profiles: [] });
  const problems: string[] = [];
  const fixes = new Set<string>();
  const profiles = arns.map((arn) => {
    const lookup: ProfileLookup = obs.profiles.get(arn) ?? { status: 'unresolved', reason: 'error', message: 'not looked up' };
    const configuredPriceAs = config.models.find((m) => m.modelId === arn)?.priceAs ?? null;
    if (lookup.status === 'unresolved') {
      problems.push(`${profileId(arn)}: not resolved (${lookup.message})`);
      if (lookup.reason === 'access-denied')
        fixes.add(
          'Allow the IAM action bedrock:GetInferenceProfile (on the profile ARNs) to the identity running doctor and the publisher; until then set models[].priceAs by hand.',
        );
      else if (lookup.reason === 'not-found')
        fixes.add(`The profile does not exist in ${obs.region}: check --region, or remove it from models in cdk.json.`);
      else fixes.add(`Set models[].priceAs of ${arn} by hand in cdk.json.`);
      return { arn, routesTo: null, regions: [], suggestedPriceAs: null, configuredPriceAs };
    }
    const { modelId, regions } = lookup.route;
    if (configuredPriceAs !== null && baseModelId(configuredPriceAs) !== baseModelId(modelId)) {
      problems.push(`${profileId(arn)}: priceAs is ${configuredPriceAs} but the profile routes to ${modelId}`);
      fixes.add(`Set models[].priceAs of ${arn} to "${modelId}" in cdk.json.`);
    }
    return { arn, routesTo: modelId, regions, suggestedPriceAs: modelId, configuredPriceAs };
  });
  if (problems.length > 0) return check('inference-profiles', 'warn', problems.join('; '), [...fixes].join(' '), { profiles });
  const summary = profiles.map((p) => `${profileId(p.arn)} → ${p.routesTo} (${list(p.regions)})`).join('; ');
  return check('inference-profiles', 'pass', `${plural(profiles.length, 'application inference profile')} resolved: ${summary}`, null, {
    profiles,
  });
}

/**
 * Metrics Insights alarms per account and region: CloudWatch's default quota, known from AWS's documentation only
 * (alarm-limits: "A default of 200 alarms using the Metrics Insights query per account per Region"). stack-alarms warns
 * from {@link METRICS_INSIGHTS_ALARMS_WARN_AT} on.
 */
export const METRICS_INSIGHTS_ALARMS_DEFAULT_QUOTA = 200;
export const METRICS_INSIGHTS_ALARMS_WARN_AT = 180;

/** A metric-data query expression that is a Metrics Insights query (`SELECT …`), not metric math. */
export function isMetricsInsightsQuery(expression: string | undefined): boolean {
  return expression !== undefined && /^\s*SELECT\s/i.test(expression);
}

function stackAlarmsCheck(obs: DoctorObservations): Check {
  const { stack, stackName, region } = obs;
  if (!stack.exists) {
    return check(
      'stack-alarms',
      'fail',
      `stack ${stackName} not found in ${region}`,
      `Deploy it with npx cdk deploy (README "First deploy"), or check --stack and --region.`,
      { stack: stackName, exists: false },
    );
  }
  const missing = stack.alarms
    .filter((a) => a.state === undefined)
    .map((a) => a.name)
    .sort();
  const insufficient = stack.alarms
    .filter((a) => a.state === 'INSUFFICIENT_DATA')
    .map((a) => a.name)
    .sort();
  const counts: Record<AlarmState, number> = { OK: 0, ALARM: 0, INSUFFICIENT_DATA: 0 };
  for (const a of stack.alarms) if (a.state !== undefined) counts[a.state] += 1;
  const composites = stack.alarms.filter((a) => a.type === 'CompositeAlarm').length;
  const fleetAlarms = stack.alarms
    .filter((a) => a.metricsInsights === true)
    .map((a) => ({ name: a.name, state: a.state ?? null }))
    .sort((x, y) => x.name.localeCompare(y.name));
  const inRegion = stack.metricsInsightsAlarmsInRegion;
  const details = {
    stack: stackName,
    exists: true,
    status: stack.status,
    alarms: stack.alarms.length,
    composites,
    counts,
    missing,
    insufficientData: insufficient,
    fleetAlarms,
    metricsInsightsAlarmsInRegion: inRegion,
  };
  const tally = `${counts.OK} OK, ${counts.ALARM} ALARM, ${counts.INSUFFICIENT_DATA} INSUFFICIENT_DATA`;
  if (missing.length > 0) {
    return check(
      'stack-alarms',
      'fail',
      `${plural(missing.length, 'alarm')} of stack ${stackName} missing from CloudWatch: ${list(missing)}`,
      'Run npx cdk deploy to recreate them (they were deleted outside CloudFormation; drift detection shows what else changed).',
      details,
    );
  }
  const quota = METRICS_INSIGHTS_ALARMS_DEFAULT_QUOTA;
  const summaries: string[] = [];
  const fixes: string[] = [];
  if (insufficient.length > 0) {
    summaries.push(`${plural(insufficient.length, 'alarm')} in INSUFFICIENT_DATA (${tally}): ${list(insufficient)}`);
    fixes.push(
      'A new stack\'s alarms start in INSUFFICIENT_DATA until data arrives; if one stays there past a day, check bedrock-metric-names and the publisher (README "When the publisher is silent").',
    );
  }
  if (inRegion >= METRICS_INSIGHTS_ALARMS_WARN_AT) {
    summaries.push(
      `${inRegion} alarms in ${region} use a Metrics Insights query, near CloudWatch's default quota of ${quota} per account and region (known from AWS's documentation; ${fleetAlarms.length} of them this stack's)`,
    );
    fixes.push(
      `Request a quota increase for Metrics Insights alarms in ${region} (Service Quotas, Amazon CloudWatch), or delete the Metrics Insights alarms you no longer use, before this stack or anything else needs more.`,
    );
  }
  if (summaries.length > 0) return check('stack-alarms', 'warn', summaries.join('; '), fixes.join(' '), details);
  const kinds = [`${fleetAlarms.length} Metrics Insights`, ...(composites > 0 ? [plural(composites, 'composite')] : [])];
  return check(
    'stack-alarms',
    'pass',
    `stack ${stackName} (${stack.status}): ${plural(stack.alarms.length, 'alarm')} (${kinds.join(', ')}): ${tally}; ${inRegion} of the default ${quota} Metrics Insights alarms in use in ${region}`,
    null,
    details,
  );
}

function freshnessCheck(config: PromptCacheConfig, obs: DoctorObservations): Check {
  const { freshness } = obs;
  if (!freshness)
    return check('publisher-freshness', 'skip', `stack ${obs.stackName} has no publisher (no LedgerTableName output)`, null, {});
  const p = config.publisher;
  const periodMs = p.periodMinutes * MINUTE_MS;
  const maxBehind = 2 * p.periodMinutes + p.settleDelayMinutes;
  const behind = freshness.watermarkMs === undefined ? null : Math.floor((obs.nowMs - freshness.watermarkMs) / MINUTE_MS);
  const lagFresh = freshness.lastLag !== undefined && obs.nowMs - freshness.lastLag.atMs <= 2 * periodMs;
  const details = {
    ledgerTable: freshness.ledgerTable,
    watermark: iso(freshness.watermarkMs),
    minutesBehind: behind,
    maxMinutesBehind: maxBehind,
    lastLagAt: iso(freshness.lastLag?.atMs),
    lastLagMinutes: freshness.lastLag?.minutes ?? null,
    periodsAwaitingSettlement: freshness.periodsAwaitingSettlement ?? 0,
    settlementDueAt: iso(freshness.settlementDueAtMs) ?? null,
  };
  const awaiting = freshness.periodsAwaitingSettlement ?? 0;
  // Deferred periods are normal after a crashed backfill: CloudWatch shows old datums up to 48 h late (README "Exactly once").
  const settleText =
    awaiting === 0
      ? ''
      : `; ${plural(awaiting, 'period')} awaiting settlement (a put of old datums whose presence CloudWatch may show late), next due ${iso(freshness.settlementDueAtMs)}`;
  const lagText =
    (freshness.lastLag === undefined
      ? `no ${LAG} datum in 6 hours`
      : `last ${LAG} ${freshness.lastLag.minutes} at ${iso(freshness.lastLag.atMs)}`) + settleText;
  if (behind !== null && behind <= maxBehind && lagFresh) {
    return check(
      'publisher-freshness',
      'pass',
      `watermark ${iso(freshness.watermarkMs)}, ${behind} min behind (at most ${maxBehind}); ${lagText}`,
      null,
      details,
    );
  }
  const why = [
    behind === null
      ? 'the ledger has no watermark: the publisher never committed a period'
      : behind > maxBehind
        ? `watermark ${behind} min behind (at most ${maxBehind} expected)`
        : `watermark ${behind} min behind`,
    lagFresh ? lagText : `${lagText} (expected within ${2 * p.periodMinutes} min)`,
  ];
  return check(
    'publisher-freshness',
    'fail',
    why.join('; '),
    `See README "When the publisher is silent"; back-fill by hand with npm run -s prompt-cache -- publish --config FILE --ledger-table ${freshness.ledgerTable} --region ${obs.region}.`,
    details,
  );
}

/** How long `--test-notification` waits for the notifier's line about the alarm it set. */
export const NOTIFICATION_WAIT_MINUTES = 2;

/**
 * The notifier's message of each kind: the contract's (`notification sent`, `notification failed`, `event ignored`) and
 * the spellings lambda/handlers/notifier.ts logs (`alarm event ignored`, `notification failed: the event goes to the
 * dead-letter queue`).
 */
function recordKind(message: unknown): NotifierRecord['kind'] | undefined {
  if (message === 'notification sent') return 'sent';
  if (message === 'notification failed' || (typeof message === 'string' && message.startsWith('notification failed:'))) return 'failed';
  if (message === 'event ignored' || message === 'alarm event ignored') return 'ignored';
  return undefined;
}

function errorText(error: unknown): string | undefined {
  if (typeof error === 'string') return error;
  // Powertools logs an Error as {name, message, stack, …}.
  if (typeof error === 'object' && error !== null) {
    const { name, message } = error as { name?: unknown; message?: unknown };
    if (typeof message === 'string') return typeof name === 'string' ? `${name}: ${message}` : message;
  }
  return undefined;
}

/**
 * One log event of the notifier as a record: its JSON (from the first `{`, so a runtime prefix does not matter) with
 * `message` "notification sent" (and `topic`, `messageId`), "notification failed" (and `error`) or "event ignored" (and
 * `reason`, or `ignored` as the handler logs it), each with `alarmName` (a failure may lack it). Anything else: undefined.
 */
export function parseNotifierRecord(message: string, atMs: number): NotifierRecord | undefined {
  const start = message.indexOf('{');
  if (start < 0) return undefined;
  let line: Record<string, unknown>;
  try {
    line = JSON.parse(message.slice(start)) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (typeof line !== 'object' || line === null) return undefined;
  const kind = recordKind(line.message);
  const alarmName = typeof line.alarmName === 'string' ? line.alarmName : undefined;
  if (kind === undefined) return undefined;
  const text = (v: unknown) => (typeof v === 'string' ? v : v === undefined || v === null ? '' : JSON.stringify(v));
  if (kind === 'failed')
    return { kind, atMs, ...(alarmName === undefined ? {} : { alarmName }), error: errorText(line.error) ?? text(line.error) };
  if (alarmName === undefined) return undefined;
  if (kind === 'sent') return { kind, atMs, alarmName, topic: text(line.topic), messageId: text(line.messageId) };
  return { kind, atMs, alarmName, reason: text(line.reason ?? line.ignored) };
}

/**
 * The oldest record about `alarmName`, or of a failure that names no alarm (within the test's wait, most likely the
 * test's): the test's own event comes before the alarm's return to its real state.
 */
export function firstNotifierRecord(records: readonly NotifierRecord[], alarmName: string): NotifierRecord | undefined {
  return records
    .filter((r) => r.alarmName === alarmName || (r.kind === 'failed' && r.alarmName === undefined))
    .sort((a, b) => a.atMs - b.atMs)[0];
}

/**
 * The topic an alarm's notification goes to, by its name as lambda/core/alarm-catalog.ts gives it: the heartbeat, the
 * fleet's money page and a precise model's caching-costs-money alarm page; everything else is a ticket.
 */
export function alarmSeverity(prefix: string, name: string): Severity {
  if (name === `${prefix}-${FAMILY_NAMES.heartbeat}`) return PIPELINE_SEVERITY.heartbeat;
  if (name === `${prefix}-${FAMILY_NAMES.publisherErrors}`) return PIPELINE_SEVERITY.publisherErrors;
  if (name === fleetAlarmName(prefix, 'cachingCostsMoney', 'page')) return 'page';
  if (name.startsWith(`${prefix}-Fleet-`)) return 'ticket';
  if (name.endsWith(`-${FAMILY_NAMES.cachingCostsMoney}`)) return preciseSeverity('cachingCostsMoney');
  return 'ticket';
}

/** The one alarm with an action of its own (lib/alarms/construct.ts): it pages directly when the notifier fails. */
const NOTIFIER_FAILING = 'NotifierFailing';

/**
 * The alarm `--test-notification` sets to ALARM: `<prefix>-PublisherErrors` when CloudWatch has it (a ticket: the
 * test reaches the ticket topic, not the pager), else the first metric alarm of the stack by name that CloudWatch has
 * and the notifier would notify for: not a fleet alarm (its contributors notify, not its own state) and not
 * `<prefix>-NotifierFailing` (its action pages directly).
 */
export function pickTestAlarm(prefix: string, alarms: readonly StackAlarm[]): StackAlarm | undefined {
  const present = alarms.filter((a) => a.type === 'MetricAlarm' && a.state !== undefined);
  const errors = present.find((a) => a.name === `${prefix}-${FAMILY_NAMES.publisherErrors}`);
  if (errors) return errors;
  return present
    .filter((a) => a.metricsInsights !== true && a.name !== `${prefix}-${NOTIFIER_FAILING}`)
    .sort((a, b) => a.name.localeCompare(b.name))[0];
}

/** The stack output that holds a topic's ARN. */
export const TOPIC_OUTPUTS: { readonly [S in Severity]: string } = { page: 'OnCallTopicArn', ticket: 'TicketTopicArn' };
const TOPIC_TITLES: { readonly [S in Severity]: string } = { page: 'paging (on-call) topic', ticket: 'ticket topic' };

/** "the ticket topic (arn:…)": how the notice and the summaries name a topic. */
export function topicLabel(topic: string, arn?: string): string {
  const title = TOPIC_TITLES[topic as Severity] ?? `${topic} topic`;
  return `the ${title}${arn === undefined ? '' : ` (${arn})`}`;
}

function notificationCheck(obs: DoctorObservations): Check {
  const n = obs.notification;
  const id = 'notification-delivery';
  if (!n)
    return check(
      id,
      'skip',
      'not tested: it sets one alarm to ALARM, and the notifier sends one real notification for it',
      'Rerun with --test-notification.',
      {},
    );
  if (!n.attempted) {
    switch (n.reason) {
      case 'no-stack':
        return check(id, 'skip', `stack ${obs.stackName} not found: no alarm to test`, null, {});
      case 'no-notifier':
        return check(
          id,
          'skip',
          `stack ${obs.stackName} has no alarm notifier: an older version, whose roll-ups notify by themselves`,
          'Deploy the current version (npx cdk deploy), then rerun with --test-notification.',
          {},
        );
      case 'no-alarm':
        return check(id, 'skip', `stack ${obs.stackName} has no metric alarm in CloudWatch that the notifier would notify for`, null, {});
      case 'already-in-alarm':
        return check(id, 'skip', `${n.alarmName} is already in ALARM: a test would send nothing new; rerun when it is OK`, null, {
          alarm: n.alarmName,
        });
    }
  }
  const { notifier, record } = n;
  const details = {
    alarm: n.alarmName,
    topic: n.topic,
    topicArn: n.topicArn ?? null,
    logGroup: notifier.logGroup,
    setAt: iso(n.setAtMs),
    record: record ?? null,
    readError: n.readError ?? null,
  };
  const set = `${n.alarmName} set to ALARM`;
  if (record?.kind === 'sent') {
    const arn = record.topic === n.topic ? n.topicArn : undefined;
    return check(
      id,
      'pass',
      `${set}; the notifier sent it to ${topicLabel(record.topic, arn)}, message id ${record.messageId}`,
      null,
      details,
    );
  }
  if (record?.kind === 'failed') {
    const role = notifier.roleName === undefined ? "the notifier's role" : `the notifier's role ${notifier.roleName}`;
    const topic = topicLabel(n.topic, n.topicArn);
    const what =
      record.alarmName === undefined
        ? `the notifier failed ${Math.round((record.atMs - n.setAtMs) / 1000)} s later, in a line that names no alarm (the first since the test)`
        : 'the notifier could not send it';
    return check(
      id,
      'fail',
      `${set}; ${what}: ${record.error}`,
      `Check that the KMS key policy of ${topic} lets ${role} use the key (kms:Decrypt, kms:GenerateDataKey*), and that the role may sns:Publish to the topic; npx cdk deploy restores both for the topics the stack creates (an imported topic's key policy is yours to grant). Then rerun with --test-notification.`,
      details,
    );
  }
  if (record?.kind === 'ignored') {
    return check(
      id,
      'warn',
      `${set}; the notifier ignored the event: ${record.reason}`,
      `The notifier sent nothing for ${n.alarmName}; its log group ${notifier.logGroup} has the event. If the alarm should notify, deploy the current version (npx cdk deploy) and rerun with --test-notification.`,
      details,
    );
  }
  if (n.readError !== undefined) {
    return check(
      id,
      'warn',
      `${set}; the notifier's log group ${notifier.logGroup} could not be read: ${n.readError}`,
      `Allow logs:FilterLogEvents on ${notifier.logGroup} to the identity running doctor (README "Doctor: check the account"), then rerun with --test-notification.`,
      details,
    );
  }
  const rule = notifier.ruleName === undefined ? "the stack's EventBridge rule" : `the EventBridge rule ${notifier.ruleName}`;
  const fn = notifier.functionName === undefined ? 'the notifier function' : `the notifier function ${notifier.functionName}`;
  return check(
    id,
    'warn',
    `${set}; no notifier record within ${NOTIFICATION_WAIT_MINUTES} minutes`,
    `Check that ${rule} is enabled and targets the notifier, and the Errors of ${fn} (its dead-letter queue keeps failed events); then look in ${notifier.logGroup} for a line about ${n.alarmName} and rerun with --test-notification.`,
    details,
  );
}

export function runChecks(config: PromptCacheConfig, obs: DoctorObservations): DoctorReport {
  const traffic = trafficModelIds(obs.bedrockMetrics);
  return {
    region: obs.region,
    checks: [
      metricNamesCheck(config, obs),
      allModelsSeriesCheck(obs),
      unconfiguredCheck(config, traffic),
      unpricedCheck(config, obs, traffic),
      profilesCheck(config, obs),
      stackAlarmsCheck(obs),
      freshnessCheck(config, obs),
      notificationCheck(obs),
    ],
  };
}

/** Exit code: 1 when a check fails, else 0. */
export function doctorExitCode(report: DoctorReport): 0 | 1 {
  return report.checks.some((c) => c.status === 'fail') ? 1 : 0;
}

/** One line per check, `PASS  <id>  <summary>`, and an indented `fix: …` line when there is one. */
export function renderDoctorText(report: DoctorReport): string {
  return report.checks
    .map((c) => `${c.status.toUpperCase()}  ${c.id}  ${c.summary}\n${c.fix === null ? '' : `      fix: ${c.fix}\n`}`)
    .join('');
}
