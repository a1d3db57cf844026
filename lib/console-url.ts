/**
 * Console URLs for the partition the stack deploys to. The stack is environment-agnostic, so the partition is the
 * deploy-time `AWS::Partition`: one template Mapping holds each partition's console host and URLs look it up.
 */
import { Aws, CfnMapping, Intrinsic, Stack, Token } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/** The AWS Management Console's host per partition (the partitions with a public console). */
export const CONSOLE_HOSTS: Readonly<Record<string, string>> = {
  aws: 'console.aws.amazon.com',
  'aws-cn': 'console.amazonaws.cn',
  'aws-us-gov': 'console.amazonaws-us-gov.com',
};

/** The longest host a console-host token can resolve to, for length checks (alarm descriptions). */
export const LONGEST_CONSOLE_HOST = Math.max(...Object.values(CONSOLE_HOSTS).map((h) => h.length));

/** The display hint of a console-host token: `${Token[ConsoleHost.<n>]}`, told apart from the region's by length checks. */
export const CONSOLE_HOST_HINT = 'ConsoleHost';

const MAPPING_ID = 'PromptCacheConsoleHost';

/** The console host of the stack's partition, a deploy-time token (one Mapping per stack, shared by every user). */
export function consoleHost(scope: IConstruct): string {
  const stack = Stack.of(scope);
  let mapping = stack.node.tryFindChild(MAPPING_ID) as CfnMapping | undefined;
  if (!mapping) {
    mapping = new CfnMapping(stack, MAPPING_ID, {
      mapping: Object.fromEntries(Object.entries(CONSOLE_HOSTS).map(([partition, host]) => [partition, { host }])),
      // lazy: false keeps the Mapping (and Fn::FindInMap) even if every lookup could be resolved at synth.
      lazy: false,
    });
    // Short: every alarm description refers to it.
    mapping.overrideLogicalId('ConsoleHost');
  }
  const logicalId = mapping.logicalId;
  // Our own token (not mapping.findInMap) so that it carries a display hint the length checks recognize.
  return Token.asString(new Intrinsic({ 'Fn::FindInMap': [logicalId, Aws.PARTITION, 'host'] }), { displayHint: CONSOLE_HOST_HINT });
}

/** The console URL of a CloudWatch dashboard, in the stack's partition and region (the console follows `region=`). */
export function dashboardUrl(scope: IConstruct, dashboardName: string): string {
  return consoleDashboardUrl(scope, Aws.REGION, dashboardName);
}

/** A dashboard's console URL in `region` (the fleet dashboard, from a stack of another region). */
export function consoleDashboardUrl(scope: IConstruct, region: string, dashboardName: string): string {
  return `https://${consoleHost(scope)}/cloudwatch/home?region=${region}#dashboards/dashboard/${dashboardName}`;
}
