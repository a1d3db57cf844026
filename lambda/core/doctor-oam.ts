/**
 * `prompt-cache doctor` across accounts (config `targets` and `monitoring`): the CloudWatch cross-account observability
 * (OAM) wiring, as checks in the same shape as lambda/core/doctor.ts. Pure: observations in
 * (lambda/aws/doctor-oam-probe.ts collects them), checks out.
 * - In a target account, `oam-link`: the target stack's `AWS::Oam::Link` resource, appended to the account's checks.
 * - In the monitoring account (`doctor --targets`), per region with targets `oam-sink` (the roll-up or sink stack's
 *   `AWS::Oam::Sink` and its SinkArn output against `monitoring.sinks`), and per target `target-metrics-visible` (the
 *   target's series of the namespace, as the monitoring account lists them).
 * The resource states (CREATE_COMPLETE, UPDATE_COMPLETE, …) and what a link shares are known from AWS's documentation;
 * the emulator has no OAM (its CloudFormation creates nothing for these types and lists them blank).
 */
import type { MonitoringConfig, PromptCacheConfig, TargetConfig, TargetRef } from './config';
import type { Check, CheckId, CheckStatus, DoctorReport } from './doctor';

export const OAM_LINK_TYPE = 'AWS::Oam::Link';
export const OAM_SINK_TYPE = 'AWS::Oam::Sink';

/** A resource of the stack as ListStackResources gives it (of one resource type). */
export interface StackResourceState {
  readonly logicalId: string;
  /** A link's or a sink's physical id is its ARN. */
  readonly physicalId?: string;
  readonly status: string;
  readonly reason?: string;
  /** A link's `SinkIdentifier` as the deployed template gives it (a literal ARN: the config's at its deploy). */
  readonly sinkIdentifier?: string;
}

export type OamStackObservation =
  | { readonly exists: false }
  | {
      readonly exists: true;
      readonly status: string;
      readonly outputs: Readonly<Record<string, string>>;
      /** The stack's resources of the OAM type looked for (AWS::Oam::Link or AWS::Oam::Sink). */
      readonly resources: readonly StackResourceState[];
    };

export type { TargetRef } from './config';

export interface OamLinkObservation {
  /** The target doctor checks: the caller's account, `--region`, its stack. */
  readonly target: TargetRef;
  /** The monitoring account's stack holding the sink of the target's region (for the fix). */
  readonly sinkStackName: string;
  readonly stack: OamStackObservation;
}

export interface SinkObservation {
  readonly region: string;
  readonly stackName: string;
  /** Absent: not looked up (no target of the region is outside the monitoring account: no sink there). */
  readonly stack?: OamStackObservation;
}

export interface TargetSeriesObservation {
  readonly target: TargetRef;
  /** Series of the namespace owned by the target's account, as the monitoring account lists them in the target's region. */
  readonly series: number;
  readonly metricNames: readonly string[];
}

export interface TargetsObservations {
  /** The monitoring region. */
  readonly region: string;
  readonly targets: readonly TargetRef[];
  /** One per region with targets, sorted by region. */
  readonly sinks: readonly SinkObservation[];
  /** One per target, in the order of `targets`. */
  readonly series: readonly TargetSeriesObservation[];
}

export interface TargetsReport extends DoctorReport {
  readonly targets: readonly TargetRef[];
}

/** The resource states of a resource that exists as its template says (AWS's documentation of CloudFormation). */
export const COMPLETE_STATES: readonly string[] = ['CREATE_COMPLETE', 'UPDATE_COMPLETE'];

function check(id: CheckId, status: CheckStatus, summary: string, fix: string | null, details: Record<string, unknown>): Check {
  return { id, status, summary, fix, details };
}

const list = (items: readonly string[]) => items.join(', ');

/**
 * The target doctor checks in `region` with the caller's `account`: the target of that account and region, else the
 * one target in the region that names no account (deployed to the deploying account). Undefined: none.
 */
export function findTarget<T extends Pick<TargetConfig, 'account' | 'region'>>(
  targets: readonly T[],
  region: string,
  account: string,
): { readonly index: number; readonly target: T } | undefined {
  const own = targets.findIndex((t) => t.region === region && t.account === account);
  if (own >= 0) return { index: own, target: targets[own] };
  const unnamed = targets.map((t, index) => ({ index, target: t })).filter((x) => x.target.region === region && !x.target.account);
  return unnamed.length === 1 ? unnamed[0] : undefined;
}

/** A sink stack's SinkArn output: `SinkArn`, or the key CDK gives an output inside the sink construct (`SinkSinkArn<hash>`). */
export function sinkArnOutput(outputs: Readonly<Record<string, string>>): string | undefined {
  const key = Object.keys(outputs)
    .filter((k) => k === 'SinkArn' || /^SinkSinkArn[0-9A-F]{8}$/.test(k))
    .sort()[0];
  return key === undefined ? undefined : outputs[key];
}

/** How a resource of `type` stands: `complete`, `progress` (a deploy is running), or `failed` (any other state). */
function standing(status: string): 'complete' | 'progress' | 'failed' {
  if (COMPLETE_STATES.includes(status)) return 'complete';
  return status.endsWith('_IN_PROGRESS') ? 'progress' : 'failed';
}

const because = (r: StackResourceState) => (r.reason ? ` (${r.reason})` : '');

/**
 * `oam-link` of a target account: skip without `monitoring` or in the monitoring account itself (no link: its metrics
 * are the account's own); warn while `monitoring.sinks[region]` is not set (the stack is built without a link); fail
 * when the stack or its link is missing or failed; pass when the link is CREATE_COMPLETE or UPDATE_COMPLETE.
 */
export function oamLinkCheck(monitoring: MonitoringConfig | undefined, obs: OamLinkObservation): Check {
  const { account, region, stackName } = obs.target;
  const id = 'oam-link';
  const details: Record<string, unknown> = { account, region, stack: stackName };
  if (!monitoring)
    return check(id, 'skip', 'no `monitoring` in the config: no cross-account link to check', null, {
      ...details,
      monitoringAccount: null,
    });
  details.monitoringAccount = monitoring.account;
  if (account === monitoring.account)
    return check(id, 'skip', `account ${account} is the monitoring account: its metrics are there already, no link`, null, details);
  const sinkArn = monitoring.sinks[region];
  details.sinkArn = sinkArn ?? null;
  const sinkSteps = `deploy the monitoring account's ${obs.sinkStackName} (in ${monitoring.account}: npx cdk deploy ${obs.sinkStackName}), copy its SinkArn output into monitoring.sinks.${region} in the config, then redeploy this target (npx cdk deploy ${stackName})`;
  if (sinkArn === undefined)
    return check(
      id,
      'warn',
      `no sink ARN for ${region} in monitoring.sinks: stack ${stackName} is built without a link, so the monitoring account sees none of its metrics`,
      `Set-up step (README "Many accounts and regions"): ${sinkSteps}.`,
      details,
    );
  const { stack } = obs;
  if (!stack.exists)
    return check(
      id,
      'fail',
      `stack ${stackName} not found in ${region}: no link`,
      `Deploy it with npx cdk deploy ${stackName} (monitoring.sinks.${region} is set, so it links to ${sinkArn}), or check --region and --stack.`,
      { ...details, exists: false },
    );
  const links = stack.resources;
  details.exists = true;
  details.links = links.map((l) => ({
    logicalId: l.logicalId,
    arn: l.physicalId ?? null,
    status: l.status,
    reason: l.reason ?? null,
    sink: l.sinkIdentifier ?? null,
  }));
  if (links.length === 0)
    return check(
      id,
      'fail',
      `stack ${stackName} (${stack.status}) has no ${OAM_LINK_TYPE} resource: deployed before monitoring.sinks.${region} was set`,
      `Redeploy it with the sink ARN in the config: npx cdk deploy ${stackName}.`,
      details,
    );
  const link = links[0];
  const state = standing(link.status);
  if (state === 'progress')
    return check(
      id,
      'warn',
      `the link ${link.logicalId} of stack ${stackName} is ${link.status}: a deploy is running`,
      'Rerun doctor when the deploy has finished.',
      details,
    );
  if (state === 'failed')
    return check(
      id,
      'fail',
      `the link ${link.logicalId} of stack ${stackName} is ${link.status}${because(link)}`,
      `The sink's policy must name account ${account} (${obs.sinkStackName} lists the accounts of the targets in ${region}: redeploy it after adding the target, npx cdk deploy ${obs.sinkStackName}), and monitoring.sinks.${region} must be that sink's SinkArn output; then redeploy npx cdk deploy ${stackName}.`,
      details,
    );
  if (link.sinkIdentifier !== undefined && link.sinkIdentifier !== sinkArn)
    return check(
      id,
      'fail',
      `the link ${link.logicalId} of stack ${stackName} links to ${link.sinkIdentifier}, but monitoring.sinks.${region} is ${sinkArn}: the stack was deployed with another sink ARN`,
      `Redeploy it with this config (npx cdk deploy ${stackName}) if ${sinkArn} is the ${obs.sinkStackName} stack's SinkArn output; else set monitoring.sinks.${region} to that output first.`,
      details,
    );
  return check(
    id,
    'pass',
    `the link ${link.logicalId} of stack ${stackName} is ${link.status}${link.physicalId ? ` (${link.physicalId})` : ''}; monitoring.sinks.${region} is ${sinkArn}`,
    null,
    details,
  );
}

/** A target account's report with its oam-link check last, and which target it is. */
export function withOamLink(
  report: DoctorReport,
  monitoring: MonitoringConfig | undefined,
  obs: OamLinkObservation,
): DoctorReport & { readonly target: TargetRef } {
  return { region: report.region, target: obs.target, checks: [...report.checks, oamLinkCheck(monitoring, obs)] };
}

/** The regions that have targets, sorted. */
export function targetRegions(targets: readonly { readonly region: string }[]): string[] {
  return [...new Set(targets.map((t) => t.region))].sort();
}

function sinkCheck(monitoring: MonitoringConfig, targets: readonly TargetRef[], sink: SinkObservation): Check {
  const { region, stackName } = sink;
  const id = 'oam-sink';
  const here = targets.filter((t) => t.region === region);
  const linked = [...new Set(here.filter((t) => t.account !== monitoring.account).map((t) => t.account))].sort();
  const configured = monitoring.sinks[region];
  const details: Record<string, unknown> = {
    account: monitoring.account,
    region,
    stack: stackName,
    linkedAccounts: linked,
    configuredSinkArn: configured ?? null,
  };
  const redeploy = `npx cdk deploy ${here
    .filter((t) => t.account !== monitoring.account)
    .map((t) => t.stackName)
    .join(' ')}`;
  if (linked.length === 0 || sink.stack === undefined)
    return check(
      id,
      'skip',
      `${region}: every target there is in the monitoring account ${monitoring.account}: no sink needed (its metrics are the account's own)`,
      null,
      details,
    );
  const { stack } = sink;
  if (!stack.exists)
    return check(
      id,
      'fail',
      `${region}: stack ${stackName} not found in the monitoring account ${monitoring.account}: no sink for ${list(linked)} to link to`,
      `Deploy it in ${monitoring.account}: npx cdk deploy ${stackName}; set monitoring.sinks.${region} to its SinkArn output; then deploy the targets of ${region} (${redeploy}).`,
      { ...details, exists: false },
    );
  const sinks = stack.resources;
  details.exists = true;
  details.sinks = sinks.map((s) => ({ logicalId: s.logicalId, arn: s.physicalId ?? null, status: s.status, reason: s.reason ?? null }));
  if (sinks.length === 0)
    return check(
      id,
      'fail',
      `${region}: stack ${stackName} (${stack.status}) has no ${OAM_SINK_TYPE} resource`,
      `Redeploy it with the config that lists the targets of ${region}: npx cdk deploy ${stackName}.`,
      details,
    );
  const resource = sinks[0];
  const state = standing(resource.status);
  if (state !== 'complete')
    return check(
      id,
      state === 'progress' ? 'warn' : 'fail',
      `${region}: the sink ${resource.logicalId} of stack ${stackName} is ${resource.status}${because(resource)}`,
      state === 'progress'
        ? 'Rerun doctor when the deploy has finished.'
        : `See the stack's events (the execution role needs oam:CreateSink and oam:PutSinkPolicy), then redeploy: npx cdk deploy ${stackName}.`,
      details,
    );
  const arn = sinkArnOutput(stack.outputs) ?? resource.physicalId;
  details.sinkArn = arn ?? null;
  if (arn === undefined)
    return check(
      id,
      'fail',
      `${region}: stack ${stackName} has no SinkArn output`,
      `Redeploy it with the current version: npx cdk deploy ${stackName}.`,
      details,
    );
  const setIt = `Set monitoring.sinks.${region} to "${arn}" in the config, then deploy the targets of ${region} (${redeploy})`;
  if (configured === undefined)
    return check(
      id,
      'warn',
      `${region}: the sink is ${resource.status} (${arn}) but monitoring.sinks.${region} is not set: the targets there deploy without a link`,
      `${setIt}.`,
      details,
    );
  if (configured !== arn)
    return check(
      id,
      'fail',
      `${region}: monitoring.sinks.${region} is ${configured}, but stack ${stackName}'s SinkArn is ${arn}: the targets link to another sink, or fail to`,
      `${setIt}: their links move to this sink.`,
      details,
    );
  return check(
    id,
    'pass',
    `${region}: the sink of stack ${stackName} is ${resource.status} and is monitoring.sinks.${region} (${arn}); ${linked.length === 1 ? 'account' : 'accounts'} ${list(linked)} may link`,
    null,
    details,
  );
}

function seriesCheck(config: PromptCacheConfig, monitoring: MonitoringConfig, obs: TargetSeriesObservation): Check {
  const { account, region, stackName } = obs.target;
  const id = 'target-metrics-visible';
  const ns = config.namespace;
  const own = account === monitoring.account;
  const details = { account, region, stack: stackName, namespace: ns, series: obs.series, metricNames: [...obs.metricNames] };
  const where = `${account} ${region}`;
  if (obs.series > 0)
    return check(
      id,
      'pass',
      `${where}: ${obs.series} ${ns} series ${own ? "of the monitoring account's own" : 'visible in the monitoring account'} (${list(obs.metricNames)})`,
      null,
      details,
    );
  if (own)
    return check(
      id,
      'fail',
      `${where}: no ${ns} series in the monitoring account's own target: its publisher has sent nothing yet`,
      `Deploy it (npx cdk deploy ${stackName}) and see publisher-freshness of doctor --region ${region} in this account.`,
      details,
    );
  return check(
    id,
    'fail',
    `${where}: no ${ns} series from account ${account} in ${region}: the target's link shares nothing yet`,
    `Deploy the target with the sink ARN (monitoring.sinks.${region} set; in ${account}: npx cdk deploy ${stackName}) and check it there with doctor --region ${region} (oam-link); OAM shares no history, only what the publisher sends after the link exists.`,
    details,
  );
}

/** `doctor --targets` in the monitoring account: per region with targets its oam-sink, then each target's series there. */
export function runTargetChecks(config: PromptCacheConfig, obs: TargetsObservations): TargetsReport {
  const monitoring = config.monitoring;
  if (!monitoring) throw new RangeError('runTargetChecks: the config has no monitoring');
  const checks: Check[] = [];
  for (const sink of obs.sinks) {
    checks.push(sinkCheck(monitoring, obs.targets, sink));
    for (const s of obs.series.filter((x) => x.target.region === sink.region)) checks.push(seriesCheck(config, monitoring, s));
  }
  return { region: obs.region, targets: obs.targets, checks };
}
