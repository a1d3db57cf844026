/**
 * The links of a page: the alarm in the console of its own partition and region (from the event's alarm ARN), the
 * on-call dashboard, and the README section of the family. Pure.
 */
import type { AlarmFamilyKey } from '../alarm-catalog';

/**
 * The AWS Management Console's host per partition, as lib/console-url.ts has it for the stack's template (a test keeps
 * the two equal); an unknown partition gets the commercial host.
 */
export const CONSOLE_HOSTS: Readonly<Record<string, string>> = {
  aws: 'console.aws.amazon.com',
  'aws-cn': 'console.amazonaws.cn',
  'aws-us-gov': 'console.amazonaws-us-gov.com',
};

/** `aws`, `aws-cn`, … from an ARN; `aws` when it is not one. */
export function partitionOf(arn: string | undefined): string {
  return /^arn:([a-z-]+):/.exec(arn ?? '')?.[1] ?? 'aws';
}

/** The alarm's page in the CloudWatch console (it lists a fleet alarm's contributors and their states). */
export function alarmConsoleUrl(partition: string, region: string, alarmName: string): string {
  const host = CONSOLE_HOSTS[partition] ?? CONSOLE_HOSTS.aws;
  return `https://${host}/cloudwatch/home?region=${encodeURIComponent(region)}#alarmsV2:alarm/${encodeURIComponent(alarmName)}`;
}

/** README anchors of "When you are paged", one per family. */
export const RUNBOOK_ANCHORS: { readonly [K in AlarmFamilyKey]: string } = {
  lowHitRatio: 'low-hit-ratio',
  writesWithoutReads: 'writes-without-reads',
  cachingCostsMoney: 'caching-costs-money',
  publisherErrors: 'savings-publisher-errors',
  heartbeat: 'savings-pipeline-silent',
  costDrift: 'bill-drift',
  billCheckErrors: 'bill-check-errors',
};

/** `<readme>#low-hit-ratio`: the base URL's own fragment, if any, is replaced. */
export function runbookLink(runbookUrl: string, family: AlarmFamilyKey): string {
  return `${runbookUrl.replace(/#.*$/, '')}#${RUNBOOK_ANCHORS[family]}`;
}
