/**
 * The savings publisher: a scheduled Lambda that turns AWS/Bedrock token Sums and prices into the custom metrics of
 * design.md, every period exactly once (see lambda/core/publish-run.ts), with its ledger table, log group, failure queue
 * and least-privilege role.
 */
import { CfnElement, CfnResource, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import * as path from 'node:path';
import type { PromptCacheConfig } from '../lambda/core/config';
import { LEDGER_KEY, LEDGER_TTL } from '../lambda/core/contract';

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

/**
 * esbuild settings of the publisher bundle, shared with `npm run bench` so that it measures what deploys.
 * `module` first: the SDK's ES builds tree-shake (152 KB zipped instead of 216 KB).
 */
export const PUBLISHER_BUNDLE = {
  entry: path.join(__dirname, '..', 'lambda', 'handlers', 'publisher.ts'),
  target: 'node24',
  mainFields: ['module', 'main'],
  /** The config, validated at synth and again at cold start, replaces this expression in the bundle. */
  configExpression: 'process.env.PROMPT_CACHE_CONFIG',
} as const;

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

    this.logGroup = new logs.LogGroup(this, 'Logs', { retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY });

    this.failureQueue = new sqs.Queue(this, 'FailedRuns', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });

    // An explicit role instead of AWSLambdaBasicExecutionRole: logs only to its own log group.
    const role = new iam.Role(this, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    role.addToPolicy(new iam.PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [this.logGroup.logGroupArn, `${this.logGroup.logGroupArn}:*`] }));
    role.addToPolicy(new iam.PolicyStatement({ sid: 'ReadBedrockAndOwnMetrics', actions: ['cloudwatch:GetMetricData', 'cloudwatch:ListMetrics'], resources: ['*'] }));
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'PutOwnNamespaceOnly',
        actions: ['cloudwatch:PutMetricData'],
        resources: ['*'],
        conditions: { StringEquals: { 'cloudwatch:namespace': config.namespace } },
      }),
    );
    role.addToPolicy(new iam.PolicyStatement({ sid: 'LedgerItems', actions: ['dynamodb:GetItem', 'dynamodb:PutItem'], resources: [this.ledgerTable.tableArn] }));

    const reserved = props.reservedConcurrency ?? 1;
    this.function = new NodejsFunction(this, 'Function', {
      entry: PUBLISHER_BUNDLE.entry,
      handler: 'handler',
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySizeMb ?? 512,
      timeout,
      role,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      ...(reserved > 0 ? { reservedConcurrentExecutions: reserved } : {}),
      retryAttempts: 0,
      onFailure: new SqsDestination(this.failureQueue),
      environment: {
        LEDGER_TABLE_NAME: this.ledgerTable.tableName,
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: 'prompt-cache-publisher',
      },
      bundling: {
        minify: true,
        sourceMap: true,
        format: OutputFormat.CJS,
        target: PUBLISHER_BUNDLE.target,
        mainFields: [...PUBLISHER_BUNDLE.mainFields],
        // Pinned SDK versions travel with the code instead of whatever the runtime ships.
        bundleAwsSDK: true,
        define: { [PUBLISHER_BUNDLE.configExpression]: JSON.stringify(JSON.stringify(config)) },
      },
    });

    // aws-cdk-lib makes the function depend on its role (for the role's policy) and also reads the role's ARN:
    // cfn-lint's W3005 calls that dependency redundant. It is harmless; silence it on this resource only.
    (this.function.node.defaultChild as CfnResource).addMetadata('cfn-lint', { config: { ignore_checks: ['W3005'] } });

    this.schedule = new events.Rule(this, 'Schedule', {
      description: `Publishes prompt-cache savings every ${config.publisher.periodMinutes} minutes, ${config.publisher.settleDelayMinutes} minutes after each period closes`,
      schedule: publisherSchedule(config.publisher.periodMinutes, config.publisher.settleDelayMinutes),
      targets: [new targets.LambdaFunction(this.function, { retryAttempts: 0 })],
    });

    Validations.of(this.failureQueue).acknowledge({ id: 'AwsSolutions::AwsSolutions-SQS3', reason: 'This queue is itself the failure destination (the dead letters) of the publisher.' });
    // cdk-nag reports each wildcard of the role's policy as its own finding; both are intended.
    const logGroupId = Stack.of(this).getLogicalId(this.logGroup.node.defaultChild as CfnElement);
    Validations.of(role.node.findChild('DefaultPolicy')).acknowledge(
      {
        id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
        reason: 'cloudwatch:GetMetricData, ListMetrics and PutMetricData support no resource-level permissions; PutMetricData is limited to our namespace by the cloudwatch:namespace condition.',
      },
      {
        id: `AwsSolutions::AwsSolutions-IAM5[Resource::<${logGroupId}.Arn>:*]`,
        reason: "Log streams of the function's own log group, whose names Lambda chooses.",
      },
    );
  }
}
