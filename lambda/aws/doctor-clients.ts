/**
 * The clients `prompt-cache doctor` uses: those of {@link createClients} plus CloudFormation (the deployed stack) and
 * Bedrock (GetInferenceProfile), same retry settings, same call counter. A sibling of clients.ts, imported only by the
 * CLI, so the Lambda bundles do not carry these two SDK clients.
 */
import { BedrockClient } from '@aws-sdk/client-bedrock';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { countCalls, createClients, type AwsClients, type ClientOptions } from './clients';

export interface DoctorAwsClients extends AwsClients {
  readonly cloudFormation: CloudFormationClient;
  readonly bedrock: BedrockClient;
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
    bedrock: countCalls(new BedrockClient(retried), base.calls),
  };
}
