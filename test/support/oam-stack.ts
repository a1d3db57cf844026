/**
 * Stacks with CloudWatch cross-account observability (OAM) resources in the emulator, for `doctor`'s oam-link and
 * oam-sink checks, and doctor's clients in a moto account of their own.
 *
 * moto (5.2.5) has no OAM: its CloudFormation creates a stack whose template holds an AWS::Oam::Link or AWS::Oam::Sink,
 * says CREATE_COMPLETE for it, and lists it in ListStackResources (and DescribeStackResources) with a blank logical id,
 * type and physical id; it cannot resolve a `Fn::GetAtt` of it either, so a sink stack's SinkArn output is given as a
 * literal value here. {@link listingOamResources} is the one stand-in: it fills those blank summaries from the stack's
 * template (logical id and type, in template order; the state is moto's), as CloudFormation lists them. Everything
 * else (the stack, its outputs, its other resources, a stack without the resource, a stack that does not exist) is
 * moto's own answer.
 */
import {
  CloudFormationClient,
  CreateStackCommand,
  GetTemplateCommand,
  ListStackResourcesCommand,
  type ListStackResourcesCommandOutput,
} from '@aws-sdk/client-cloudformation';
import { createDoctorClients, type DoctorAwsClients } from '../../lambda/aws/doctor-clients';
import { inMotoAccount } from './cost-explorer-seed';

/** Creates `stackName` in moto account `account` with these resources and (literal) outputs. */
export async function createOamStack(
  account: string,
  region: string,
  stackName: string,
  resources: Record<string, { Type: string; Properties?: object }>,
  outputs: Record<string, string> = {},
): Promise<void> {
  const cfn = inMotoAccount(new CloudFormationClient({ region }), account);
  const Outputs = Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, { Value: v }]));
  await cfn.send(new CreateStackCommand({ StackName: stackName, TemplateBody: JSON.stringify({ Resources: resources, Outputs }) }));
  cfn.destroy();
}

/** Fills the blank summaries moto gives for resource types it does not implement from the stack's template (see above). */
export function listingOamResources(cfn: CloudFormationClient): CloudFormationClient {
  const send = cfn.send.bind(cfn) as (command: unknown) => Promise<unknown>;
  const patched = async (command: unknown) => {
    const out = await send(command);
    if (!(command instanceof ListStackResourcesCommand)) return out;
    const page = out as ListStackResourcesCommandOutput;
    const summaries = page.StackResourceSummaries ?? [];
    if (!summaries.some((s) => !s.LogicalResourceId)) return out;
    const body = ((await send(new GetTemplateCommand({ StackName: command.input.StackName }))) as { TemplateBody?: string }).TemplateBody;
    const template = JSON.parse(body ?? '{}') as { Resources?: Record<string, { Type: string }> };
    const listed = new Set(summaries.map((s) => s.LogicalResourceId));
    const unlisted = Object.entries(template.Resources ?? {}).filter(([id]) => !listed.has(id));
    let next = 0;
    page.StackResourceSummaries = summaries.map((s) => {
      if (s.LogicalResourceId) return s;
      const [id, r] = unlisted[next++] ?? ['', { Type: '' }];
      return { ...s, LogicalResourceId: id, ResourceType: r.Type, PhysicalResourceId: undefined };
    });
    return page;
  };
  cfn.send = patched as typeof cfn.send;
  return cfn;
}

/** doctor's clients in `region`, each sending as moto account `account`, CloudFormation with {@link listingOamResources}. */
export function doctorClientsIn(region: string, account: string): DoctorAwsClients {
  const c = createDoctorClients({ region });
  for (const client of [c.cloudWatch, c.cloudWatchPut, c.dynamoDb, c.bedrock, c.cloudFormation, c.logs, c.sts])
    inMotoAccount(client, account);
  listingOamResources(c.cloudFormation);
  return c;
}
