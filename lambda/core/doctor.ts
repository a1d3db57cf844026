/**
 * `prompt-cache doctor`: what the account looks like against what this project expects, as a list of checks, each with
 * what it saw and the exact fix. Pure: observations in (lambda/aws/doctor-probe.ts collects them), checks out.
 * The JSON shape is a contract (outside tests depend on it): `{"region", "checks": [{"id", "status", "summary", "fix",
 * "details"}]}`.
 */
import type { PromptCacheConfig } from './config';
import { BEDROCK_METRIC_SPELLINGS, CUSTOM_METRICS, MODEL_ID_DIMENSION, type BedrockTokenKind } from './contract';
import { isApplicationInferenceProfileArn, type ProfileLookup } from './inference-profiles';
import { baseModelId, resolvePrice } from './prices';

export const CHECK_IDS = [
  'bedrock-metric-names',
  'all-models-series',
  'models-unconfigured',
  'models-unpriced',
  'inference-profiles',
  'stack-alarms',
  'publisher-freshness',
  'notification-delivery',
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
  /** Composite alarms: their rule and alarm actions, as CloudWatch holds them. */
  readonly rule?: string;
  readonly actions?: readonly string[];
}

export type StackObservation =
  | { readonly exists: false }
  | {
      readonly exists: true;
      readonly status: string;
      readonly outputs: Readonly<Record<string, string>>;
      readonly alarms: readonly StackAlarm[];
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

export type NotificationObservation =
  | { readonly attempted: false; readonly reason: string }
  | {
      readonly attempted: true;
      readonly alarmName: string;
      readonly compositeName: string;
      readonly topicArns: readonly string[];
      readonly compositeReachedAlarm: boolean;
      /** HistorySummary of the composite's `Action` history items since the test began, oldest first. */
      readonly actionSummaries: readonly string[];
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
      { modelId: id, priceAs: model?.priceAs ?? routed.get(id), cacheWriteTtl: model?.cacheWriteTtl },
      config.pricing,
    );
    if (price) priced[id] = price.source;
    else unpriced.push(id);
  }
  const details = { unpriced, priced };
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
  const details = {
    stack: stackName,
    exists: true,
    status: stack.status,
    alarms: stack.alarms.length,
    composites,
    counts,
    missing,
    insufficientData: insufficient,
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
  if (insufficient.length > 0) {
    return check(
      'stack-alarms',
      'warn',
      `${plural(insufficient.length, 'alarm')} in INSUFFICIENT_DATA (${tally}): ${list(insufficient)}`,
      'A new stack\'s alarms start in INSUFFICIENT_DATA until data arrives; if one stays there past a day, check bedrock-metric-names and the publisher (README "When the publisher is silent").',
      details,
    );
  }
  return check(
    'stack-alarms',
    'pass',
    `stack ${stackName} (${stack.status}): ${plural(stack.alarms.length, 'alarm')}, ${composites} composite: ${tally}`,
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

/** What an `Action` history item of the composite says: CloudWatch writes "Successfully executed action …" or "Failed to execute action …". */
export function classifyActions(summaries: readonly string[]): 'succeeded' | 'failed' | 'none' {
  if (summaries.some((s) => s.startsWith('Failed to execute action'))) return 'failed';
  if (summaries.some((s) => s.startsWith('Successfully executed action'))) return 'succeeded';
  return 'none';
}

function notificationCheck(obs: DoctorObservations): Check {
  const n = obs.notification;
  if (!n)
    return check('notification-delivery', 'skip', 'not tested: it pages the on-call topic once', 'Rerun with --test-notification.', {});
  if (!n.attempted) return check('notification-delivery', 'skip', n.reason, null, {});
  const details = {
    alarm: n.alarmName,
    composite: n.compositeName,
    topics: n.topicArns,
    compositeReachedAlarm: n.compositeReachedAlarm,
    actions: n.actionSummaries,
  };
  const outcome = classifyActions(n.actionSummaries);
  if (outcome === 'failed') {
    return check(
      'notification-delivery',
      'fail',
      `${n.compositeName} could not notify: ${n.actionSummaries.find((s) => s.startsWith('Failed to execute action'))}`,
      'Check that the topic\'s KMS key policy grants cloudwatch.amazonaws.com kms:Decrypt and kms:GenerateDataKey*, and that the topic policy lets cloudwatch.amazonaws.com publish (README "Alarms and runbooks", the topic).',
      details,
    );
  }
  if (outcome === 'succeeded') {
    return check(
      'notification-delivery',
      'pass',
      `${n.alarmName} set to ALARM; ${n.compositeName} notified: ${n.actionSummaries.find((s) => s.startsWith('Successfully executed action'))}`,
      null,
      details,
    );
  }
  return check(
    'notification-delivery',
    'warn',
    `${n.alarmName} set to ALARM; ${n.compositeName} ${n.compositeReachedAlarm ? 'went to ALARM but' : 'did not go to ALARM and'} recorded no action within 2 minutes`,
    `Look at the history of ${n.compositeName} in the CloudWatch console in a few minutes; if it shows no action, check its alarm actions (npx cdk deploy) and rerun with --test-notification.`,
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

/**
 * The alarm `--test-notification` drives into ALARM and the roll-up that notifies for it: `<prefix>-PublisherErrors`
 * under `<prefix>-SavingsPipeline` when the stack has them, else the first metric alarm that a composite with alarm
 * actions names in its rule.
 */
export function pickTestAlarm(prefix: string, alarms: readonly StackAlarm[]): { alarm: string; composite: StackAlarm } | undefined {
  const exists = (name: string) => alarms.find((a) => a.name === name && a.state !== undefined);
  const paging = alarms.filter((a) => a.type === 'CompositeAlarm' && a.state !== undefined && (a.actions ?? []).length > 0);
  const errors = exists(`${prefix}-PublisherErrors`);
  const pipeline = paging.find((a) => a.name === `${prefix}-SavingsPipeline`);
  if (errors && pipeline) return { alarm: errors.name, composite: pipeline };
  const names = (rule: string, child: string) => rule.includes(`"${child}"`) || rule.includes(`:alarm:${child}"`);
  for (const child of alarms
    .filter((a) => a.type === 'MetricAlarm' && a.state !== undefined)
    .map((a) => a.name)
    .sort()) {
    const composite = paging.find((c) => names(c.rule ?? '', child));
    if (composite) return { alarm: child, composite };
  }
  return undefined;
}
