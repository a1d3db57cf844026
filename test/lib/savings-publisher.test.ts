/** Construct tests of the savings publisher: schedule, IAM, ledger table, function, failure queue. */
process.env.CDK_VALIDATION = 'false';

import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { PromptCacheMonitoring, SavingsPublisher, parseConfig, type ConfigInput } from '../../lib';
import { APPLICATION_PROFILES_ARN } from './template-helpers';

function template(config: ConfigInput = {}, publisher?: ConstructorParameters<typeof PromptCacheMonitoring>[2]['publisher']) {
  // Bundling is skipped here (placeholder code); test/integration/publisher-bundle.test.ts runs the real bundle.
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'T');
  // The digest (its own function, role, rule) is tested in weekly-digest.test.ts.
  new PromptCacheMonitoring(stack, 'Monitoring', {
    config: parseConfig({ digest: { enabled: false }, ...config }, 'test'),
    ...(publisher === undefined ? {} : { publisher }),
  });
  return Template.fromStack(stack).toJSON() as {
    Resources: Record<string, { Type: string; Properties: Record<string, unknown>; DeletionPolicy?: string }>;
  };
}

const byType = (t: ReturnType<typeof template>, type: string) => Object.entries(t.Resources).filter(([, r]) => r.Type === type);
/** The publisher's own resources of a type (the alarms' notifier brings its own function, role, queue and log group). */
const publisherOnly = (t: ReturnType<typeof template>, type: string) =>
  byType(t, type).filter(([k]) => k.startsWith('MonitoringSavingsPublisher'));
const one = (t: ReturnType<typeof template>, type: string) => {
  const found = publisherOnly(t, type);
  expect(found).toHaveLength(1);
  return found[0][1];
};
const id = (t: ReturnType<typeof template>, type: string) => publisherOnly(t, type)[0][0];
/** The publisher's schedule rule (the daily bill check has a schedule of its own, tested in bill-check.test.ts). */
const schedule = (t: ReturnType<typeof template>) => {
  const found = publisherOnly(t, 'AWS::Events::Rule').filter(([, r]) => r.Properties.ScheduleExpression !== undefined);
  expect(found).toHaveLength(1);
  return found[0][1];
};

describe('SavingsPublisher with the defaults', () => {
  const t = template({ namespace: 'Team/PromptCache' });
  const table = id(t, 'AWS::DynamoDB::Table');
  const queue = id(t, 'AWS::SQS::Queue');
  const logs = id(t, 'AWS::Logs::LogGroup');
  const fn = id(t, 'AWS::Lambda::Function');

  test('IAM: reads metrics, puts only into our namespace, items of its own ledger, logs of its own group', () => {
    expect((one(t, 'AWS::IAM::Policy').Properties.PolicyDocument as { Statement: unknown[] }).Statement).toEqual([
      {
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Effect: 'Allow',
        Resource: [{ 'Fn::GetAtt': [logs, 'Arn'] }, { 'Fn::Join': ['', [{ 'Fn::GetAtt': [logs, 'Arn'] }, ':*']] }],
      },
      { Action: ['cloudwatch:GetMetricData', 'cloudwatch:ListMetrics'], Effect: 'Allow', Resource: '*', Sid: 'ReadBedrockAndOwnMetrics' },
      {
        Action: 'bedrock:GetInferenceProfile',
        Effect: 'Allow',
        Resource: APPLICATION_PROFILES_ARN,
        Sid: 'ReadApplicationInferenceProfiles',
      },
      {
        Action: 'cloudwatch:PutMetricData',
        Condition: { StringEquals: { 'cloudwatch:namespace': 'Team/PromptCache' } },
        Effect: 'Allow',
        Resource: '*',
        Sid: 'PutOwnNamespaceOnly',
      },
      { Action: ['dynamodb:GetItem', 'dynamodb:PutItem'], Effect: 'Allow', Resource: { 'Fn::GetAtt': [table, 'Arn'] }, Sid: 'LedgerItems' },
      {
        Action: ['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'],
        Effect: 'Allow',
        Resource: { 'Fn::GetAtt': [queue, 'Arn'] },
      },
    ]);
    expect(publisherOnly(t, 'AWS::IAM::Role').map(([, r]) => r.Properties.ManagedPolicyArns)).toEqual([undefined]);
  });

  test('ledger: on-demand, encrypted, point-in-time recovery, TTL on run records, retained on delete', () => {
    const r = one(t, 'AWS::DynamoDB::Table');
    expect([r.Properties, r.DeletionPolicy]).toEqual([
      {
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: { SSEEnabled: true },
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      },
      'Retain',
    ]);
  });

  test('function: Node.js 24 on ARM64, no reserved concurrency (the lease serializes runs), 5 minutes, JSON logs in its own group, ledger table in env', () => {
    const p = one(t, 'AWS::Lambda::Function').Properties;
    expect([p.Runtime, p.Architectures, 'ReservedConcurrentExecutions' in p, p.Timeout, p.MemorySize, p.Handler]).toEqual([
      'nodejs24.x',
      ['arm64'],
      false,
      300,
      512,
      'index.handler',
    ]);
    expect(p.LoggingConfig).toEqual({ LogFormat: 'JSON', LogGroup: { Ref: logs } });
    expect(p.Environment).toEqual({
      Variables: {
        LEDGER_TABLE_NAME: { Ref: table },
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: 'prompt-cache-publisher',
      },
    });
    expect(one(t, 'AWS::Logs::LogGroup').Properties.RetentionInDays).toBe(30);
  });

  test('async invocation: no retries, failures to an encrypted, SSL-only queue', () => {
    expect(one(t, 'AWS::Lambda::EventInvokeConfig').Properties).toEqual({
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [queue, 'Arn'] } } },
      FunctionName: { Ref: fn },
      MaximumRetryAttempts: 0,
      Qualifier: '$LATEST',
    });
    expect(one(t, 'AWS::SQS::Queue').Properties).toEqual({ MessageRetentionPeriod: 1209600, SqsManagedSseEnabled: true });
    expect((one(t, 'AWS::SQS::QueuePolicy').Properties.PolicyDocument as { Statement: unknown[] }).Statement).toEqual([
      {
        Action: 'sqs:*',
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Resource: { 'Fn::GetAtt': [queue, 'Arn'] },
      },
    ]);
  });

  test('schedule: 10 minutes past every hour (the settle delay), no EventBridge retries', () => {
    const p = schedule(t).Properties;
    expect([p.ScheduleExpression, p.State, p.Targets]).toEqual([
      'cron(10 * * * ? *)',
      'ENABLED',
      [{ Arn: { 'Fn::GetAtt': [fn, 'Arn'] }, Id: 'Target0', RetryPolicy: { MaximumRetryAttempts: 0 } }],
    ]);
  });
});

describe('SavingsPublisher options', () => {
  test.each<[number, number, string]>([
    [15, 10, 'cron(10/15 * * * ? *)'],
    [5, 10, 'cron(0/5 * * * ? *)'],
    [30, 0, 'cron(0/30 * * * ? *)'],
    [60, 45, 'cron(45 * * * ? *)'],
  ])('period %d min, settle %d min → %s', (periodMinutes, settleDelayMinutes, cron) => {
    expect(
      schedule(template({ publisher: { periodMinutes: periodMinutes as 60, settleDelayMinutes } })).Properties.ScheduleExpression,
    ).toBe(cron);
  });

  test.each<[number, number | 'none']>([
    [1, 1],
    [3, 3],
    [0, 'none'],
  ])('reserved concurrency %d (an opt-in) → %s reserved; memory is settable', (reservedConcurrency, want) => {
    const p = one(template({}, { reservedConcurrency, memorySizeMb: 256 }), 'AWS::Lambda::Function').Properties;
    expect([p.ReservedConcurrentExecutions ?? 'none', p.MemorySize]).toEqual([want, 256]);
  });

  test('the deploy-time run: a custom resource whose service token is the function; every alarm is created after it', () => {
    const t = template();
    const [runId, run] = byType(t, 'Custom::PromptCacheFirstRun')[0];
    expect(run.Properties).toEqual({
      ServiceToken: { 'Fn::GetAtt': [id(t, 'AWS::Lambda::Function'), 'Arn'] },
      Namespace: 'BedrockPromptCache',
    });
    // The 4 fleet alarms, the 2 pipeline alarms, the bill check's 2 and the notifier's (no model is configured, none is
    // precise).
    expect(
      byType(t, 'AWS::CloudWatch::Alarm').map(([, r]) => [
        r.Properties.AlarmName,
        (r as { DependsOn?: string[] }).DependsOn?.includes(runId),
      ]),
    ).toEqual(
      [
        'Fleet-LowHitRatio',
        'Fleet-WritesWithoutReads',
        'Fleet-CachingCostsMoney',
        'Fleet-CachingCostsMoney-Page',
        'PublisherErrors',
        'PublisherHeartbeat',
        'CostDrift',
        'BillCheckErrors',
        'NotifierFailing',
      ].map((n) => [`T-${n}`, true]),
    );
  });

  test('runAtDeploy: false leaves the deploy-time run out', () => {
    expect(byType(template({}, { runAtDeploy: false }), 'Custom::PromptCacheFirstRun')).toEqual([]);
  });

  test('publisher: false leaves it out', () => {
    expect(publisherOnly(template({}, false), 'AWS::Lambda::Function')).toEqual([]);
  });

  test('a lease not longer than the timeout is refused at synth, with the fix', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    expect(
      () =>
        new SavingsPublisher(new Stack(app, 'S'), 'P', {
          config: parseConfig({ publisher: { leaseMinutes: 5 } }, 'x'),
          timeout: Duration.minutes(5),
        }),
    ).toThrow("publisher.leaseMinutes (5) must be longer than the publisher's timeout (5 min), or a live run could lose its lease");
  });
});
