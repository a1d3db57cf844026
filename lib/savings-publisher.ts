/**
 * The savings publisher: a scheduled Lambda that turns AWS/Bedrock token Sums and prices into the custom metrics of
 * the contract, every period exactly once (see lambda/core/publish-run.ts), with its ledger table, log group, failure queue
 * and least-privilege role.
 */
import { type CfnResource, CustomResource, Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { PromptCacheConfig } from '../lambda/core/config';
import { LEDGER_KEY, LEDGER_TTL } from '../lambda/core/contract';
import { DEFAULT_PUBLISHER_TIMEOUT_MINUTES, type AlarmedPublisher } from './alarms';
import { deadLetterQueue, PromptCacheFunction, skipCheckov } from './prompt-cache-function';

/** What users tune on the publisher; the config comes from {@link PromptCacheMonitoring}. */
export interface SavingsPublisherOptions {
  /** @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Reserved concurrency, an opt-in (0 also reserves none). None by default: Lambda refuses a reservation that leaves
   * the account fewer than 100 unreserved executions, so in an account with a low quota (new accounts often have 10)
   * the function could not even be created; overlapping runs are already kept apart by the ledger's lease.
   * @default - none reserved
   */
  readonly reservedConcurrency?: number;
  /** @default Duration.minutes(5) */
  readonly timeout?: Duration;
  /** @default 512 */
  readonly memorySizeMb?: number;
  /**
   * Run the publisher once during `cdk deploy` (a custom resource whose service token is the function), before the
   * alarms are created: the pipeline alarm then starts with a `PublisherLagMinutes` report instead of paging
   * "pipeline down" on a fresh stack. The run never fails the deploy.
   * @default true
   */
  readonly runAtDeploy?: boolean;
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

export class SavingsPublisher extends Construct implements AlarmedPublisher {
  readonly function: lambda.Function;
  /** One period of the savings metrics, also the schedule (config `publisher.periodMinutes`). */
  readonly period: Duration;
  /** How long after a period ends a run reads it (config `publisher.settleDelayMinutes`). */
  readonly settleDelay: Duration;
  /** The function's timeout. */
  readonly timeout: Duration;
  readonly ledgerTable: dynamodb.Table;
  readonly failureQueue: sqs.Queue;
  readonly schedule: events.Rule;
  readonly logGroup: logs.LogGroup;
  /** The deploy-time run, unless `runAtDeploy: false`: make what must see its report depend on it. */
  readonly firstRun?: CustomResource;

  constructor(scope: Construct, id: string, props: SavingsPublisherProps) {
    super(scope, id);
    const { config } = props;
    const timeout = props.timeout ?? Duration.minutes(DEFAULT_PUBLISHER_TIMEOUT_MINUTES);
    this.timeout = timeout;
    this.period = Duration.minutes(config.publisher.periodMinutes);
    this.settleDelay = Duration.minutes(config.publisher.settleDelayMinutes);
    if (!timeout.isUnresolved() && timeout.toMinutes({ integral: false }) >= config.publisher.leaseMinutes) {
      throw new Error(
        `publisher.leaseMinutes (${config.publisher.leaseMinutes}) must be longer than the publisher's timeout (${timeout.toMinutes({ integral: false })} min), or a live run could lose its lease`,
      );
    }

    this.ledgerTable = new dynamodb.Table(this, 'Ledger', {
      partitionKey: { name: LEDGER_KEY, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: LEDGER_TTL,
      removalPolicy: props.ledgerRemovalPolicy ?? RemovalPolicy.RETAIN,
    });

    this.failureQueue = deadLetterQueue(this, 'FailedRuns', {
      isWhat: 'the failure destination (the dead letters) of the publisher',
      holds: 'failed invocation records',
    });
    skipCheckov(this.ledgerTable.node.defaultChild as CfnResource, {
      id: 'CKV_AWS_119',
      comment:
        'Encrypted at rest with the AWS-managed key; it holds the watermark, lease and run counts, no customer data. A customer-managed key would cost $1 a month and a key policy.',
    });

    const lambdaFn = new PromptCacheFunction(this, 'Lambda', {
      handler: 'publisher',
      config,
      timeout,
      memorySizeMb: props.memorySizeMb ?? 512,
      logRetention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      reservedConcurrency: props.reservedConcurrency,
      environment: { LEDGER_TABLE_NAME: this.ledgerTable.tableName, POWERTOOLS_SERVICE_NAME: 'prompt-cache-publisher' },
      wildcardReason:
        'cloudwatch:GetMetricData, ListMetrics and PutMetricData support no resource-level permissions; PutMetricData is limited to our namespace by the cloudwatch:namespace condition.',
      checkovSkips: [
        {
          id: 'CKV_AWS_115',
          comment:
            'No reserved concurrency by default: it fails function creation in low-quota accounts; the ledger lease keeps runs from overlapping.',
        },
        {
          id: 'CKV_AWS_116',
          comment:
            'Failed async invocations go to the FailedRuns queue through an on-failure destination (EventInvokeConfig), which keeps the error too.',
        },
      ],
    });
    this.function = lambdaFn.function;
    this.logGroup = lambdaFn.logGroup;
    lambdaFn.allowMetricReads();
    lambdaFn.allowInferenceProfileReads();
    lambdaFn.allowPutIntoNamespace(config.namespace);
    lambdaFn.allowLedgerItems(this.ledgerTable, 'LedgerItems');
    // Async invocations (the schedule): no retries (the next run catches up), failures kept in the queue.
    this.function.configureAsyncInvoke({ retryAttempts: 0, onFailure: new SqsDestination(this.failureQueue) });

    if (props.runAtDeploy ?? true) {
      // Static properties: it runs on create (and when the namespace changes), not on every deploy.
      this.firstRun = new CustomResource(this, 'FirstRun', {
        serviceToken: this.function.functionArn,
        resourceType: 'Custom::PromptCacheFirstRun',
        properties: { Namespace: config.namespace },
      });
    }

    this.schedule = new events.Rule(this, 'Schedule', {
      description: `Publishes prompt-cache savings every ${config.publisher.periodMinutes} minutes, ${config.publisher.settleDelayMinutes} minutes after each period closes`,
      schedule: publisherSchedule(config.publisher.periodMinutes, config.publisher.settleDelayMinutes),
      targets: [new targets.LambdaFunction(this.function, { retryAttempts: 0 })],
    });
  }
}
