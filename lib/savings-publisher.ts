/**
 * The savings publisher: a scheduled Lambda that turns AWS/Bedrock token Sums and prices into the custom metrics of
 * the contract, every period exactly once (see lambda/core/publish-run.ts), with its ledger table, log group, failure queue
 * and least-privilege role.
 */
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { PromptCacheConfig } from '../lambda/core/config';
import { LEDGER_KEY, LEDGER_TTL } from '../lambda/core/contract';
import { PromptCacheFunction } from './prompt-cache-function';

/** What users tune on the publisher; the config comes from {@link PromptCacheMonitoring}. */
export interface SavingsPublisherOptions {
  /** @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Reserved concurrency: 1 keeps runs from overlapping (the ledger lease also does). Accounts whose Lambda concurrency
   * quota is 10 cannot reserve any: 0 reserves none.
   * @default 1
   */
  readonly reservedConcurrency?: number;
  /** @default Duration.minutes(5) */
  readonly timeout?: Duration;
  /** @default 512 */
  readonly memorySizeMb?: number;
  /** The ledger holds the watermark: losing it would republish (and double) periods. @default RemovalPolicy.RETAIN */
  readonly ledgerRemovalPolicy?: RemovalPolicy;
}

export interface SavingsPublisherProps extends SavingsPublisherOptions {
  /** The validated config; inlined into the bundle (not bound by Lambda's 4 KB environment limit). */
  readonly config: PromptCacheConfig;
}

/** Minute offset and step of the schedule: each run starts `settle delay` after a period boundary. */
export function publisherSchedule(periodMinutes: number, settleDelayMinutes: number): events.Schedule {
  const offset = settleDelayMinutes % periodMinutes;
  return events.Schedule.cron({ minute: periodMinutes === 60 ? String(offset) : `${offset}/${periodMinutes}` });
}

export class SavingsPublisher extends Construct {
  readonly function: NodejsFunction;
  readonly ledgerTable: dynamodb.Table;
  readonly failureQueue: sqs.Queue;
  readonly schedule: events.Rule;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: SavingsPublisherProps) {
    super(scope, id);
    const { config } = props;
    const timeout = props.timeout ?? Duration.minutes(5);
    if (!timeout.isUnresolved() && timeout.toMinutes({ integral: false }) >= config.publisher.leaseMinutes) {
      throw new Error(`publisher.leaseMinutes (${config.publisher.leaseMinutes}) must be longer than the publisher's timeout (${timeout.toMinutes({ integral: false })} min), or a live run could lose its lease`);
    }

    this.ledgerTable = new dynamodb.Table(this, 'Ledger', {
      partitionKey: { name: LEDGER_KEY, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: LEDGER_TTL,
      removalPolicy: props.ledgerRemovalPolicy ?? RemovalPolicy.RETAIN,
    });

    this.failureQueue = new sqs.Queue(this, 'FailedRuns', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.failureQueue).acknowledge({ id: 'AwsSolutions::AwsSolutions-SQS3', reason: 'This queue is itself the failure destination (the dead letters) of the publisher.' });

    const lambdaFn = new PromptCacheFunction(this, 'Lambda', {
      handler: 'publisher',
      config,
      timeout,
      memorySizeMb: props.memorySizeMb ?? 512,
      logRetention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      reservedConcurrency: props.reservedConcurrency ?? 1,
      environment: { LEDGER_TABLE_NAME: this.ledgerTable.tableName, POWERTOOLS_SERVICE_NAME: 'prompt-cache-publisher' },
      wildcardReason:
        'cloudwatch:GetMetricData, ListMetrics and PutMetricData support no resource-level permissions; PutMetricData is limited to our namespace by the cloudwatch:namespace condition.',
    });
    this.function = lambdaFn.function;
    this.logGroup = lambdaFn.logGroup;
    lambdaFn.allowMetricReads();
    lambdaFn.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'PutOwnNamespaceOnly',
        actions: ['cloudwatch:PutMetricData'],
        resources: ['*'],
        conditions: { StringEquals: { 'cloudwatch:namespace': config.namespace } },
      }),
    );
    lambdaFn.role.addToPolicy(new iam.PolicyStatement({ sid: 'LedgerItems', actions: ['dynamodb:GetItem', 'dynamodb:PutItem'], resources: [this.ledgerTable.tableArn] }));
    // Async invocations (the schedule): no retries (the next run catches up), failures kept in the queue.
    this.function.configureAsyncInvoke({ retryAttempts: 0, onFailure: new SqsDestination(this.failureQueue) });

    this.schedule = new events.Rule(this, 'Schedule', {
      description: `Publishes prompt-cache savings every ${config.publisher.periodMinutes} minutes, ${config.publisher.settleDelayMinutes} minutes after each period closes`,
      schedule: publisherSchedule(config.publisher.periodMinutes, config.publisher.settleDelayMinutes),
      targets: [new targets.LambdaFunction(this.function, { retryAttempts: 0 })],
    });
  }
}
