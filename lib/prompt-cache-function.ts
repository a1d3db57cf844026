/**
 * One Lambda function of this project (the savings publisher, the weekly digest): Node.js 24 on ARM64, a minified
 * esbuild bundle with source maps and the validated config, JSON logs in its own log group with retention, and a role
 * that may write only those logs. Each user adds its own permissions.
 *
 * Two ways to the same code: from the installed package, the handler pre-bundled at pack time (dist/bundles) is copied
 * into the asset with the config written beside it, so an embedding app needs neither esbuild nor Docker; from this
 * repository's source (tests, synth, bench), NodejsFunction bundles the .ts entry with the config inlined.
 */
import { AssetHashType, CfnElement, CfnResource, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { copyFileSync, existsSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { PromptCacheConfig } from '../lambda/core/config';
import { CONFIG_FILE_NAME } from '../lambda/handlers/env';

/**
 * esbuild settings shared with the pack-time bundles, `npm run bench` and the bundle tests, so that they measure what
 * deploys. `module` first: the SDK's ES builds tree-shake (152 KB zipped instead of 216 KB for the publisher).
 */
export const BUNDLE = {
  target: 'node24',
  mainFields: ['module', 'main'],
  minify: true,
  sourceMap: true,
  /** The config, validated at synth and again at cold start, replaces this expression in a bundle built at synth. */
  configExpression: 'process.env.PROMPT_CACHE_CONFIG',
} as const;

export type HandlerName = 'publisher' | 'digest' | 'notifier' | 'bill';

/** The handler file of an entry point under lambda/handlers. */
export function handlerEntry(name: HandlerName): string {
  return path.join(__dirname, '..', 'lambda', 'handlers', `${name}.ts`);
}

/** The files of a pre-bundled handler: the bundle and its source map. */
export const PREBUNDLED_FILES = ['index.js', 'index.js.map'] as const;

/** Where the pack-time build puts a handler's bundle, relative to a lib directory (dist/lib → dist/bundles/NAME). */
export function prebundledDir(name: HandlerName, libDir: string = __dirname): string {
  return path.join(libDir, '..', 'bundles', name);
}

/** Writes a function's code: the pre-bundled files and the config beside them, which the handler reads at cold start. */
export function stagePrebundled(bundleDir: string, outputDir: string, config: PromptCacheConfig): void {
  for (const file of PREBUNDLED_FILES) copyFileSync(path.join(bundleDir, file), path.join(outputDir, file));
  writeFileSync(path.join(outputDir, CONFIG_FILE_NAME), JSON.stringify(config));
}

export interface PromptCacheFunctionProps {
  readonly handler: HandlerName;
  readonly config: PromptCacheConfig;
  readonly timeout: Duration;
  readonly memorySizeMb: number;
  readonly logRetention: logs.RetentionDays;
  readonly environment: Record<string, string>;
  /** @default - none reserved */
  readonly reservedConcurrency?: number;
  /** Why the role's `Resource: *` statements (CloudWatch metric APIs have no resource-level permissions) are fine. */
  readonly wildcardReason: string;
  /**
   * checkov findings on the function that depend on its use (concurrency limit, dead-letter queue), with their reasons.
   * @default - none beyond the ones every function of this project shares
   */
  readonly checkovSkips?: readonly CheckovSkip[];
}

/** A checkov check acknowledged on one resource, with the reason (template Metadata `checkov.skip`). */
export interface CheckovSkip {
  readonly id: string;
  readonly comment: string;
}

/** Adds checkov skips to a resource's Metadata (checkov reads `Metadata.checkov.skip` in CloudFormation templates). */
export function skipCheckov(resource: CfnResource, ...skips: readonly CheckovSkip[]): void {
  const existing = (resource.getMetadata('checkov') as { skip?: CheckovSkip[] } | undefined)?.skip ?? [];
  resource.addMetadata('checkov', { skip: [...existing, ...skips.map((s) => ({ id: s.id, comment: s.comment }))] });
}

/**
 * A function's dead-letter queue: SQS-managed encryption, TLS only, 14 days; cdk-nag's "no DLQ of its own" and
 * checkov's "KMS key" findings acknowledged with what it is (`isWhat`) and what it holds (`holds`).
 */
export function deadLetterQueue(scope: Construct, id: string, about: { readonly isWhat: string; readonly holds: string }): sqs.Queue {
  const queue = new sqs.Queue(scope, id, {
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
  });
  Validations.of(queue).acknowledge({ id: 'AwsSolutions::AwsSolutions-SQS3', reason: `This queue is itself ${about.isWhat}.` });
  skipCheckov(queue.node.defaultChild as CfnResource, {
    id: 'CKV_AWS_27',
    comment: `Encrypted with SQS-managed SSE (SqsManagedSseEnabled); the check only recognizes a KMS key. It holds ${about.holds}, no secret.`,
  });
  return queue;
}

export class PromptCacheFunction extends Construct {
  /** A NodejsFunction when built from source, a Function with the pre-bundled code when built from the package. */
  readonly function: lambda.Function;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: PromptCacheFunctionProps) {
    super(scope, id);
    this.logGroup = new logs.LogGroup(this, 'Logs', { retention: props.logRetention, removalPolicy: RemovalPolicy.DESTROY });
    // An explicit role instead of AWSLambdaBasicExecutionRole: logs only to its own log group.
    this.role = new iam.Role(this, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    this.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [this.logGroup.logGroupArn, `${this.logGroup.logGroupArn}:*`],
      }),
    );
    const common = {
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySizeMb,
      timeout: props.timeout,
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      ...(props.reservedConcurrency ? { reservedConcurrentExecutions: props.reservedConcurrency } : {}),
    };
    const environment = { NODE_OPTIONS: '--enable-source-maps', ...props.environment };
    const bundleDir = prebundledDir(props.handler);
    this.function = existsSync(path.join(bundleDir, PREBUNDLED_FILES[0]))
      ? new lambda.Function(this, 'Function', {
          ...common,
          handler: 'index.handler',
          environment: { ...environment, PROMPT_CACHE_CONFIG_FILE: CONFIG_FILE_NAME },
          code: lambda.Code.fromAsset(bundleDir, {
            // The output's hash: the config is part of the code, so a config change deploys.
            assetHashType: AssetHashType.OUTPUT,
            bundling: {
              // Required by the type, never run: the local step always succeeds.
              image: lambda.Runtime.NODEJS_24_X.bundlingImage,
              local: {
                tryBundle(outputDir) {
                  stagePrebundled(bundleDir, outputDir, props.config);
                  return true;
                },
              },
            },
          }),
        })
      : new NodejsFunction(this, 'Function', {
          ...common,
          entry: handlerEntry(props.handler),
          handler: 'handler',
          environment,
          bundling: {
            minify: BUNDLE.minify,
            sourceMap: BUNDLE.sourceMap,
            format: OutputFormat.CJS,
            target: BUNDLE.target,
            mainFields: [...BUNDLE.mainFields],
            // Pinned SDK versions travel with the code instead of whatever the runtime ships.
            bundleAwsSDK: true,
            define: { [BUNDLE.configExpression]: JSON.stringify(JSON.stringify(props.config)) },
          },
        });
    // aws-cdk-lib makes the function depend on its role (for the role's policy) and also reads the role's ARN:
    // cfn-lint's W3005 calls that dependency redundant. It is harmless; silence it on this resource only.
    (this.function.node.defaultChild as CfnResource).addMetadata('cfn-lint', { config: { ignore_checks: ['W3005'] } });
    // checkov: what holds for every function of this project; each user adds the checks that depend on its use.
    skipCheckov(
      this.function.node.defaultChild as CfnResource,
      {
        id: 'CKV_AWS_117',
        comment:
          'Calls only public AWS APIs (CloudWatch, DynamoDB, SNS) and holds no network resource: a VPC would add NAT or endpoints and no protection.',
      },
      {
        id: 'CKV_AWS_173',
        comment: 'The environment holds resource names and NODE_OPTIONS, no secret; Lambda encrypts it at rest with its service key.',
      },
      ...(props.checkovSkips ?? []),
    );
    skipCheckov(this.logGroup.node.defaultChild as CfnResource, {
      id: 'CKV_AWS_158',
      comment:
        'Run summaries and counts, no secret or customer data; CloudWatch Logs encrypts at rest. A KMS key would cost $1 a month and a key policy.',
    });
    // cdk-nag reports each wildcard of the role's policy as its own finding; both are intended.
    const logGroupId = Stack.of(this).getLogicalId(this.logGroup.node.defaultChild as CfnElement);
    Validations.of(this.role.node.findChild('DefaultPolicy')).acknowledge(
      { id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]', reason: props.wildcardReason },
      {
        id: `AwsSolutions::AwsSolutions-IAM5[Resource::<${logGroupId}.Arn>:*]`,
        reason: "Log streams of the function's own log group, whose names Lambda chooses.",
      },
    );
  }

  /**
   * bedrock:GetInferenceProfile on this account's application inference profiles in the stack's region: where a
   * profile that appears as a ModelId routes, so it is priced without a hand-written priceAs. Their ids are random.
   */
  allowInferenceProfileReads(): void {
    const profiles = Stack.of(this).formatArn({ service: 'bedrock', resource: 'application-inference-profile', resourceName: '*' });
    this.role.addToPolicy(
      new iam.PolicyStatement({ sid: 'ReadApplicationInferenceProfiles', actions: ['bedrock:GetInferenceProfile'], resources: [profiles] }),
    );
    // cdk-nag names the finding by the ARN as the template holds it: tokens in an environment-agnostic stack, the
    // account and region themselves in a stack with an env (a target of many accounts).
    const resolved: unknown = Stack.of(this).resolve(profiles);
    const arn =
      typeof resolved === 'string'
        ? resolved
        : 'arn:<AWS::Partition>:bedrock:<AWS::Region>:<AWS::AccountId>:application-inference-profile/*';
    Validations.of(this.role.node.findChild('DefaultPolicy')).acknowledge({
      id: `AwsSolutions::AwsSolutions-IAM5[Resource::${arn}]`,
      reason:
        "Application inference profiles appear as ModelId values at run time and have random ids: the read is limited to this account's profiles in this region.",
    });
  }

  /** PutMetricData (no resource-level permissions) into `namespace` only, by the `cloudwatch:namespace` condition. */
  allowPutIntoNamespace(namespace: string): void {
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'PutOwnNamespaceOnly',
        actions: ['cloudwatch:PutMetricData'],
        resources: ['*'],
        conditions: { StringEquals: { 'cloudwatch:namespace': namespace } },
      }),
    );
  }

  /**
   * GetItem and PutItem on the ledger table (the publisher's), under `sid`; with `leadingKeys`, on those items only
   * (`dynamodb:LeadingKeys`).
   */
  allowLedgerItems(table: dynamodb.ITable, sid: string, leadingKeys?: readonly string[]): void {
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid,
        actions: ['dynamodb:GetItem', 'dynamodb:PutItem'],
        resources: [table.tableArn],
        ...(leadingKeys ? { conditions: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': [...leadingKeys] } } } : {}),
      }),
    );
  }

  /** ce:GetCostAndUsage (no resource-level permissions): the Bedrock lines of the bill. */
  allowBillReads(): void {
    this.role.addToPolicy(new iam.PolicyStatement({ sid: 'ReadTheBill', actions: ['ce:GetCostAndUsage'], resources: ['*'] }));
  }

  /** GetMetricData and ListMetrics, which support no resource-level permissions. */
  allowMetricReads(): void {
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ReadBedrockAndOwnMetrics',
        actions: ['cloudwatch:GetMetricData', 'cloudwatch:ListMetrics'],
        resources: ['*'],
      }),
    );
  }
}
