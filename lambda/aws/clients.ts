/**
 * SDK clients as the publisher, the digest and the CLI use them: adaptive retries for reads and conditional writes,
 * no automatic retries for PutMetricData (a blind retry could double a Sum; publish-run.ts settles those), and a
 * middleware that counts API calls by operation (once per command, not per HTTP attempt) for the run summary and bench.
 */
import { BedrockClient } from '@aws-sdk/client-bedrock';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';

export type CallCounts = Record<string, number>;

interface MiddlewareStackOwner {
  middlewareStack: {
    add(
      middleware: (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) => (args: unknown) => Promise<unknown>,
      options: { step: 'initialize'; name: string },
    ): void;
  };
}

/** Adds `counts[<CommandName without "Command">] += 1` for every command the client sends. */
export function countCalls<T>(client: T, counts: CallCounts): T {
  (client as unknown as MiddlewareStackOwner).middlewareStack.add(
    (next, context) => async (args) => {
      const name = (context.commandName ?? 'Unknown').replace(/Command$/, '');
      counts[name] = (counts[name] ?? 0) + 1;
      return next(args);
    },
    { step: 'initialize', name: 'promptCacheCallCounter' },
  );
  return client;
}

export interface AwsClients {
  /** GetMetricData, ListMetrics: adaptive retries. */
  readonly cloudWatch: CloudWatchClient;
  /** PutMetricData only: one attempt per call. */
  readonly cloudWatchPut: CloudWatchClient;
  readonly dynamoDb: DynamoDBClient;
  /** GetInferenceProfile (where an application inference profile routes, for its price). */
  readonly bedrock: BedrockClient;
  readonly calls: CallCounts;
}

export interface ClientOptions {
  readonly region?: string;
  /** Attempts for retried calls (throttling backs off adaptively). */
  readonly maxAttempts?: number;
  /** Overrides AWS_ENDPOINT_URL (tests point clients at a fault proxy in front of the emulator). */
  readonly endpoint?: string;
}

/** Region and endpoint come from the environment as usual (AWS_REGION, AWS_ENDPOINT_URL for the emulator). */
export function createClients(options: ClientOptions = {}): AwsClients {
  const calls: CallCounts = {};
  const base = { ...(options.region ? { region: options.region } : {}), ...(options.endpoint ? { endpoint: options.endpoint } : {}) };
  const retried = { ...base, retryMode: 'adaptive', maxAttempts: options.maxAttempts ?? 8 };
  return {
    cloudWatch: countCalls(new CloudWatchClient(retried), calls),
    cloudWatchPut: countCalls(new CloudWatchClient({ ...base, maxAttempts: 1 }), calls),
    dynamoDb: countCalls(new DynamoDBClient(retried), calls),
    bedrock: countCalls(new BedrockClient(retried), calls),
    calls,
  };
}
