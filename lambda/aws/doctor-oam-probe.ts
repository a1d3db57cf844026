/**
 * Collects what doctor's cross-account checks read (lambda/core/doctor-oam.ts), read-only:
 * - the caller's account (STS GetCallerIdentity): which target this account is;
 * - a stack's status, outputs and resources of one OAM type (DescribeStacks, then ListStackResources, every page:
 *   DescribeStackResources returns the first 100 resources only, per AWS's documentation, and a target stack has more);
 * - the series of the namespace that a target account shares with the monitoring account (ListMetrics with
 *   `IncludeLinkedAccounts: true` and `OwningAccount`, every page).
 * `IncludeLinkedAccounts`/`OwningAccount` and what a linked account's series look like are known from AWS's
 * documentation only: the emulator ignores both (it lists the caller's own series) and has no OAM resources (its
 * CloudFormation lists AWS::Oam::Link and AWS::Oam::Sink with blank types and ids).
 */
import {
  DescribeStacksCommand,
  GetTemplateCommand,
  ListStackResourcesCommand,
  type CloudFormationClient,
  type StackResourceSummary,
} from '@aws-sdk/client-cloudformation';
import { ListMetricsCommand, type CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { GetCallerIdentityCommand, type STSClient } from '@aws-sdk/client-sts';
import { OAM_LINK_TYPE, type OamStackObservation, type StackResourceState } from '../core/doctor-oam';

type Sender<C extends { send: unknown }> = Pick<C, 'send'>;

/** The account of the credentials doctor runs with. */
export async function callerAccount(sts: Sender<STSClient>): Promise<string> {
  const account = (await sts.send(new GetCallerIdentityCommand({}))).Account;
  if (account === undefined) throw new Error('STS GetCallerIdentity returned no Account');
  return account;
}

/** A stack as DescribeStacks and every page of ListStackResources give it; `{exists: false}` when there is none. */
export type StackRead =
  | { readonly exists: false }
  | {
      readonly exists: true;
      readonly status: string;
      readonly outputs: Record<string, string>;
      readonly resources: StackResourceSummary[];
    };

/** Reads a stack: its status, outputs and every resource (both probes: doctor's own stack, the OAM stacks). */
export async function stackWithResources(cfn: Sender<CloudFormationClient>, stackName: string): Promise<StackRead> {
  let described;
  try {
    described = (await cfn.send(new DescribeStacksCommand({ StackName: stackName }))).Stacks?.[0];
  } catch (err) {
    if ((err as Error).name === 'ValidationError' && /does not exist/.test((err as Error).message)) return { exists: false };
    throw err;
  }
  if (!described) return { exists: false };
  const outputs: Record<string, string> = {};
  for (const o of described.Outputs ?? [])
    if (o.OutputKey !== undefined && o.OutputValue !== undefined) outputs[o.OutputKey] = o.OutputValue;
  const resources: StackResourceSummary[] = [];
  let nextToken: string | undefined;
  do {
    const page = await cfn.send(new ListStackResourcesCommand({ StackName: stackName, NextToken: nextToken }));
    resources.push(...(page.StackResourceSummaries ?? []));
    nextToken = page.NextToken;
  } while (nextToken);
  return { exists: true, status: described.StackStatus ?? 'UNKNOWN', outputs, resources };
}

/**
 * The `SinkIdentifier` of each `AWS::Oam::Link` in the stack's deployed template (GetTemplate, Original), by logical
 * id: what the link was deployed with. A template that is not JSON (not ours) gives none.
 */
export async function linkSinks(cfn: Sender<CloudFormationClient>, stackName: string): Promise<Map<string, string>> {
  const body = (await cfn.send(new GetTemplateCommand({ StackName: stackName, TemplateStage: 'Original' }))).TemplateBody ?? '{}';
  const sinks = new Map<string, string>();
  let template: { Resources?: Record<string, { Type?: string; Properties?: { SinkIdentifier?: unknown } }> };
  try {
    template = JSON.parse(body);
  } catch {
    return sinks;
  }
  for (const [logicalId, r] of Object.entries(template.Resources ?? {}))
    if (r.Type === OAM_LINK_TYPE && typeof r.Properties?.SinkIdentifier === 'string') sinks.set(logicalId, r.Properties.SinkIdentifier);
  return sinks;
}

/**
 * The stack's status, its outputs and its resources of `resourceType`; `{exists: false}` when there is no such stack.
 * A link also carries the sink its deployed template names.
 */
export async function oamStack(cfn: Sender<CloudFormationClient>, stackName: string, resourceType: string): Promise<OamStackObservation> {
  const stack = await stackWithResources(cfn, stackName);
  if (!stack.exists) return stack;
  const { outputs } = stack;
  const sinks = resourceType === OAM_LINK_TYPE ? await linkSinks(cfn, stackName) : new Map<string, string>();
  const resources: StackResourceState[] = stack.resources
    .filter((r) => r.ResourceType === resourceType)
    .map((r) => ({
      logicalId: r.LogicalResourceId ?? '',
      ...(r.PhysicalResourceId ? { physicalId: r.PhysicalResourceId } : {}),
      status: r.ResourceStatus ?? 'UNKNOWN',
      ...(r.ResourceStatusReason ? { reason: r.ResourceStatusReason } : {}),
      ...(sinks.has(r.LogicalResourceId ?? '') ? { sinkIdentifier: sinks.get(r.LogicalResourceId ?? '') } : {}),
    }))
    .sort((a, b) => a.logicalId.localeCompare(b.logicalId));
  return { exists: true, status: stack.status, outputs, resources };
}

/**
 * The series of `namespace` owned by `account`, as the monitoring account lists them: ListMetrics with
 * `IncludeLinkedAccounts: true` and `OwningAccount` (AWS's documentation: in a monitoring account, the metrics of that
 * linked account), every page. Where a page gives `OwningAccounts` (one per metric), only those of `account` count.
 */
export async function linkedSeries(
  cw: Sender<CloudWatchClient>,
  namespace: string,
  account: string,
): Promise<{ series: number; metricNames: string[] }> {
  let series = 0;
  const names = new Set<string>();
  let nextToken: string | undefined;
  do {
    const page = await cw.send(
      new ListMetricsCommand({ Namespace: namespace, IncludeLinkedAccounts: true, OwningAccount: account, NextToken: nextToken }),
    );
    const metrics = page.Metrics ?? [];
    const owners = page.OwningAccounts;
    metrics.forEach((m, i) => {
      if (owners && owners.length === metrics.length && owners[i] !== account) return;
      series += 1;
      if (m.MetricName) names.add(m.MetricName);
    });
    nextToken = page.NextToken;
  } while (nextToken);
  return { series, metricNames: [...names].sort() };
}
