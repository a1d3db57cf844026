/**
 * The fleet digest in the monitoring account's roll-up stack (3 targets in 2 accounts and 2 regions): the digest
 * function in fleet mode with its target list, its schedule and e-mails from the config's top-level `digest`, an
 * encrypted SSL-only topic, log retention, and a role that reads metrics and publishes to that topic only.
 */
process.env.CDK_VALIDATION = 'false';

import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { parseConfig, type ConfigInput } from '../../lambda/core/config';
import { addPromptCacheStacks } from '../../lib/prompt-cache-app';

const MONITORING = '111111111111';
const TEAM_A = '222222222222';
const TEAM_B = '333333333333';
const CONFIG: ConfigInput = {
  models: [{ modelId: 'us.anthropic.claude-3-7-sonnet-20250219-v1:0', displayName: 'support-bot' }],
  digest: { weekDay: 'TUE', hourUtc: 7, emails: ['finops@example.com'] },
  monitoring: { account: MONITORING, region: 'us-east-1' },
  targets: [
    { account: MONITORING, region: 'us-east-1' },
    { account: TEAM_A, region: 'eu-west-1', digest: { weekDay: 'FRI', emails: ['team-a@example.com'] } },
    { account: TEAM_B, region: 'us-east-1', stackName: 'TeamB' },
  ],
};

type Resource = { Type: string; Properties: Record<string, unknown> };
type Json = { Resources: Record<string, Resource> };
function rollup(config: ConfigInput = CONFIG): Json {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stacks = addPromptCacheStacks(app, parseConfig(config, 'test'), 'PromptCache');
  return Template.fromStack(stacks.rollup!).toJSON() as Json;
}
const entries = (t: Json, type: string) => Object.entries(t.Resources).filter(([, r]) => r.Type === type);
const digestOf = (t: Json) => entries(t, 'AWS::Lambda::Function').filter(([id]) => id.startsWith('FleetDigest'));

const t = rollup();
const [[, fn]] = digestOf(t);
const env = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;

test('one digest function in fleet mode: every target with its account, region and whether it is read as a linked account', () => {
  expect(digestOf(t)).toHaveLength(1);
  expect(JSON.parse(env.DIGEST_FLEET_TARGETS as string)).toEqual([
    { account: MONITORING, region: 'us-east-1', linked: false },
    { account: TEAM_A, region: 'eu-west-1', linked: true },
    { account: TEAM_B, region: 'us-east-1', linked: true },
  ]);
  expect([env.POWERTOOLS_SERVICE_NAME, fn.Properties.Timeout, fn.Properties.MemorySize]).toEqual(['prompt-cache-fleet-digest', 300, 512]);
});

test("schedule and e-mails from the config's top-level digest section (not a target's)", () => {
  const rules = entries(t, 'AWS::Events::Rule').filter(([id]) => id.startsWith('FleetDigest'));
  expect(rules.map(([, r]) => [r.Properties.ScheduleExpression, r.Properties.Description])).toEqual([
    ['cron(0 7 ? * TUE *)', 'Sends the prompt-cache fleet cost review every TUE at 07:00 UTC'],
  ]);
  const subs = entries(t, 'AWS::SNS::Subscription').filter(([id]) => id.startsWith('FleetDigest'));
  expect(subs.map(([, s]) => [s.Properties.Protocol, s.Properties.Endpoint])).toEqual([['email', 'finops@example.com']]);
});

test('its topic: encrypted with its own rotating key, SSL only; its log group kept a month', () => {
  const [[topicId, topic]] = entries(t, 'AWS::SNS::Topic').filter(([id]) => id.startsWith('FleetDigest'));
  const [[keyId, key]] = entries(t, 'AWS::KMS::Key').filter(([id]) => id.startsWith('FleetDigest'));
  expect([topic.Properties, key.Properties.EnableKeyRotation]).toEqual([
    { DisplayName: 'Prompt cache weekly cost review over every target', KmsMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } },
    true,
  ]);
  const [[, policy]] = entries(t, 'AWS::SNS::TopicPolicy').filter(([, p]) => JSON.stringify(p.Properties.Topics).includes(topicId));
  expect(
    (policy.Properties.PolicyDocument as { Statement: { Effect: string; Action: string; Condition: unknown }[] }).Statement.map((s) => [
      s.Effect,
      s.Action,
      s.Condition,
    ]),
  ).toEqual([['Deny', 'sns:Publish', { Bool: { 'aws:SecureTransport': 'false' } }]]);
  const [[logsId, logs]] = entries(t, 'AWS::Logs::LogGroup').filter(([id]) => id.startsWith('FleetDigest'));
  expect([logs.Properties.RetentionInDays, fn.Properties.LoggingConfig]).toEqual([30, { LogFormat: 'JSON', LogGroup: { Ref: logsId } }]);
});

test('its role: metric reads (no resource-level permissions), Publish on its own topic and its key, its own logs; no bill, no profiles', () => {
  const [[topicId]] = entries(t, 'AWS::SNS::Topic').filter(([id]) => id.startsWith('FleetDigest'));
  const [[keyId]] = entries(t, 'AWS::KMS::Key').filter(([id]) => id.startsWith('FleetDigest'));
  const [[logsId]] = entries(t, 'AWS::Logs::LogGroup').filter(([id]) => id.startsWith('FleetDigest'));
  const role = (fn.Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
  const [[, policy]] = entries(t, 'AWS::IAM::Policy').filter(
    ([, p]) => JSON.stringify(p.Properties.Roles) === JSON.stringify([{ Ref: role }]),
  );
  const statements = (policy.Properties.PolicyDocument as { Statement: { Action: string | string[]; Resource: unknown }[] }).Statement;
  expect(statements.map((s) => [s.Action, s.Resource])).toEqual([
    [
      ['logs:CreateLogStream', 'logs:PutLogEvents'],
      [{ 'Fn::GetAtt': [logsId, 'Arn'] }, { 'Fn::Join': ['', [{ 'Fn::GetAtt': [logsId, 'Arn'] }, ':*']] }],
    ],
    [['cloudwatch:GetMetricData', 'cloudwatch:ListMetrics'], '*'],
    ['sns:Publish', { Ref: topicId }],
    [['kms:Decrypt', 'kms:GenerateDataKey*'], { 'Fn::GetAtt': [keyId, 'Arn'] }],
  ]);
});

test('digest.enabled false: no fleet digest in the roll-up', () => {
  expect(digestOf(rollup({ ...CONFIG, digest: { enabled: false } }))).toEqual([]);
});
