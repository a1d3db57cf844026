/** Construct tests of the weekly digest: schedule, encrypted SSL-only topic, e-mail subscriptions, least privilege. */
process.env.CDK_VALIDATION = 'false';

import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { PromptCacheMonitoring, parseConfig, type ConfigInput } from '../../lib';
import { APPLICATION_PROFILES_ARN, consoleUrlJoin } from './template-helpers';

function template(digest: ConfigInput['digest'] = {}) {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'T');
  // Alarms off: their on-call topic would be a second topic here.
  new PromptCacheMonitoring(stack, 'Monitoring', { config: parseConfig({ digest, alarms: { enabled: false } }, 'test'), publisher: false });
  return Template.fromStack(stack).toJSON() as { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> };
}
const of = (t: ReturnType<typeof template>, type: string) => Object.entries(t.Resources).filter(([, r]) => r.Type === type);

describe('WeeklyDigest', () => {
  const t = template({ emails: ['finops@example.com', 'lead@example.com'], weekDay: 'TUE', hourUtc: 7 });
  const [[topic, topicRes]] = of(t, 'AWS::SNS::Topic');
  const [[key, keyRes]] = of(t, 'AWS::KMS::Key');

  test('schedule: the configured weekday and UTC hour, no EventBridge retries', () => {
    const [[, rule]] = of(t, 'AWS::Events::Rule');
    expect([rule.Properties.ScheduleExpression, rule.Properties.Description]).toEqual([
      'cron(0 7 ? * TUE *)',
      'Sends the prompt-cache cost review every TUE at 07:00 UTC',
    ]);
  });

  test('topic: encrypted with its own rotating key, SSL only, one e-mail subscription per address', () => {
    expect(topicRes.Properties).toEqual({ DisplayName: 'Prompt cache weekly cost review', KmsMasterKeyId: { 'Fn::GetAtt': [key, 'Arn'] } });
    expect(keyRes.Properties.EnableKeyRotation).toBe(true);
    // No service principal on this key: only the digest's role (by its IAM policy, below) publishes to the topic.
    expect(keyRes.Properties.KeyPolicy).toEqual({
      Statement: [
        {
          Action: 'kms:*',
          Effect: 'Allow',
          Principal: { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, ':root']] } },
          Resource: '*',
        },
      ],
      Version: '2012-10-17',
    });
    const [[, policy]] = of(t, 'AWS::SNS::TopicPolicy');
    expect(
      (policy.Properties.PolicyDocument as { Statement: { Effect: string; Condition: unknown; Action: string }[] }).Statement.map((s) => [
        s.Effect,
        s.Action,
        s.Condition,
      ]),
    ).toEqual([['Deny', 'sns:Publish', { Bool: { 'aws:SecureTransport': 'false' } }]]);
    expect(of(t, 'AWS::SNS::Subscription').map(([, s]) => [s.Properties.Protocol, s.Properties.Endpoint])).toEqual([
      ['email', 'finops@example.com'],
      ['email', 'lead@example.com'],
    ]);
  });

  test('IAM: reads metrics and the bill, publishes to this topic only (and uses its key), writes its own logs', () => {
    const [[, policy]] = of(t, 'AWS::IAM::Policy');
    const [[logs]] = of(t, 'AWS::Logs::LogGroup');
    const statements = (policy.Properties.PolicyDocument as { Statement: { Action: string | string[]; Resource: unknown }[] }).Statement;
    expect(statements.map((s) => [s.Action, s.Resource])).toEqual([
      [
        ['logs:CreateLogStream', 'logs:PutLogEvents'],
        [{ 'Fn::GetAtt': [logs, 'Arn'] }, { 'Fn::Join': ['', [{ 'Fn::GetAtt': [logs, 'Arn'] }, ':*']] }],
      ],
      [['cloudwatch:GetMetricData', 'cloudwatch:ListMetrics'], '*'],
      // The "billed vs computed" line (Cost Explorer has no resource-level permissions).
      ['ce:GetCostAndUsage', '*'],
      // Where an application inference profile routes (its price): this account's profiles in this region.
      ['bedrock:GetInferenceProfile', APPLICATION_PROFILES_ARN],
      ['sns:Publish', { Ref: topic }],
      [['kms:Decrypt', 'kms:GenerateDataKey*'], { 'Fn::GetAtt': [key, 'Arn'] }],
    ]);
  });

  test('function: the digest handler with the topic and the cost-review dashboard link in its environment, no async retries', () => {
    const [[, fn]] = of(t, 'AWS::Lambda::Function');
    expect([fn.Properties.Runtime, fn.Properties.Architectures, fn.Properties.Timeout, fn.Properties.Environment]).toEqual([
      'nodejs24.x',
      ['arm64'],
      120,
      {
        Variables: {
          NODE_OPTIONS: '--enable-source-maps',
          DIGEST_TOPIC_ARN: { Ref: topic },
          COST_REVIEW_DASHBOARD_URL: consoleUrlJoin('#dashboards/dashboard/T-CostReview-', { Ref: 'AWS::Region' }),
          POWERTOOLS_SERVICE_NAME: 'prompt-cache-digest',
        },
      },
    ]);
    const [[, invoke]] = of(t, 'AWS::Lambda::EventInvokeConfig');
    expect(invoke.Properties.MaximumRetryAttempts).toBe(0);
  });

  test('digest.enabled false leaves it out', () => {
    expect([of(template({ enabled: false }), 'AWS::SNS::Topic'), of(template({ enabled: false }), 'AWS::Lambda::Function')]).toEqual([
      [],
      [],
    ]);
  });
});
