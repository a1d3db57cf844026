/**
 * The clients `prompt-cache doctor` uses: those of {@link createClients} plus CloudFormation (the deployed stack),
 * CloudWatch Logs (the alarm notifier's log, for `--test-notification`) and STS (the caller's account), same retry settings, same call counter. A
 * sibling of clients.ts, imported only by the CLI, so the Lambda bundles carry neither client.
 */
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { STSClient } from '@aws-sdk/client-sts';
import { countCalls, createClients, type AwsClients, type ClientOptions } from './clients';

export interface DoctorAwsClients extends AwsClients {
  readonly cloudFormation: CloudFormationClient;
  /** FilterLogEvents on the notifier's log group. */
  readonly logs: CloudWatchLogsClient;
  /** GetCallerIdentity: which target (or the monitoring account) the credentials are. */
  readonly sts: STSClient;
}

export function createDoctorClients(options: ClientOptions = {}): DoctorAwsClients {
  const base = createClients(options);
  const retried = {
    ...(options.region ? { region: options.region } : {}),
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    retryMode: 'adaptive',
    maxAttempts: options.maxAttempts ?? 8,
  };
  return {
    ...base,
    cloudFormation: countCalls(new CloudFormationClient(retried), base.calls),
    logs: countCalls(new CloudWatchLogsClient(retried), base.calls),
    sts: countCalls(new STSClient(retried), base.calls),
  };
}
