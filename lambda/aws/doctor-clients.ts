/**
 * The clients `prompt-cache doctor` uses: those of {@link createClients} plus CloudFormation (the deployed stack), same
 * retry settings, same call counter. A sibling of clients.ts, imported only by the CLI, so the Lambda bundles do not
 * carry the CloudFormation client.
 */
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { countCalls, createClients, type AwsClients, type ClientOptions } from './clients';

export interface DoctorAwsClients extends AwsClients {
  readonly cloudFormation: CloudFormationClient;
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
  };
}
