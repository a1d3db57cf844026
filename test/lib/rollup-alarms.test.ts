/**
 * The roll-up's alarms: in each region with targets, the monitoring account's fleet alarms grouped by source account
 * and model (Metrics Insights), a heartbeat per target paged by the roll-up (`onCall: "rollup"`, its metric read with
 * the source account's AccountId), their topic and notifier (which names each account); a rollup target's own stack
 * has no alarm or topic while its publisher still writes the alarm-ready series. And the config's rules for them.
 */
process.env.CDK_VALIDATION = 'false';

import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { configProblems, parseConfig, type ConfigInput } from '../../lambda/core/config';
import { addPromptCacheStacks } from '../../lib/prompt-cache-app';

const MONITORING = '111111111111';
const TEAM_A = '222222222222';
const TEAM_B = '333333333333';
const CONFIG: ConfigInput = {
  models: [{ modelId: 'us.anthropic.claude-3-7-sonnet-20250219-v1:0', displayName: 'support-bot' }],
  monitoring: {
    account: MONITORING,
    region: 'us-east-1',
    sinks: {
      'us-east-1': `arn:aws:oam:us-east-1:${MONITORING}:sink/aaaa-1111`,
      'eu-west-1': `arn:aws:oam:eu-west-1:${MONITORING}:sink/bbbb-2222`,
    },
    alarms: { emails: ['central-oncall@example.com'], tickets: { emails: ['finops@example.com'] } },
  },
  targets: [
    { account: TEAM_A, region: 'us-east-1' },
    { account: TEAM_A, region: 'eu-west-1', onCall: 'rollup' },
    { account: TEAM_B, region: 'us-east-1', stackName: 'TeamB', onCall: 'rollup' },
  ],
};

type Resource = { Type: string; Properties: Record<string, unknown> };
type Json = { Resources: Record<string, Resource> };
function synth(config: ConfigInput = CONFIG) {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stacks = addPromptCacheStacks(app, parseConfig(config, 'test'), 'PromptCache');
  const json = (s: { stackName: string }) => Template.fromStack(s as never).toJSON() as Json;
  return { stacks, json };
}
const of = (t: Json, type: string) => Object.values(t.Resources).filter((r) => r.Type === type);
const alarms = (t: Json) =>
  of(t, 'AWS::CloudWatch::Alarm')
    .map((a) => a.Properties)
    .sort((a, b) => String(a.AlarmName).localeCompare(String(b.AlarmName)));

const { stacks, json } = synth();
const rollup = json(stacks.rollup!);
const euSink = json(stacks.sinks[0]);

test('the roll-up region: 4 fleet alarms grouped by account and model, a heartbeat for TeamB, and the notifier-failing alarm', () => {
  expect(alarms(rollup).map((a) => a.AlarmName)).toEqual([
    'PromptCache-Rollup-333333333333-PublisherHeartbeat',
    'PromptCache-Rollup-Fleet-CachingCostsMoney',
    'PromptCache-Rollup-Fleet-CachingCostsMoney-Page',
    'PromptCache-Rollup-Fleet-LowHitRatio',
    'PromptCache-Rollup-Fleet-WritesWithoutReads',
    'PromptCache-Rollup-NotifierFailing',
  ]);
  const query = (name: string) => (alarms(rollup).find((a) => a.AlarmName === name)!.Metrics as { Expression?: string }[])[0].Expression;
  expect(query('PromptCache-Rollup-Fleet-LowHitRatio')).toBe(
    'SELECT MAX(AlarmHitRatioMarginPoints) FROM SCHEMA("BedrockPromptCache", ModelId) GROUP BY AWS.AccountId, ModelId ORDER BY MAX() ASC LIMIT 500',
  );
  expect(query('PromptCache-Rollup-Fleet-WritesWithoutReads')).toBe(
    'SELECT MIN(WritesWithoutReadsTokens) FROM SCHEMA("BedrockPromptCache", ModelId) GROUP BY AWS.AccountId, ModelId ORDER BY MIN() DESC LIMIT 500',
  );
  expect(query('PromptCache-Rollup-Fleet-CachingCostsMoney-Page')).toBe(
    'SELECT MAX(AlarmNetSavingsUSDPerHour) FROM SCHEMA("BedrockPromptCache", ModelId) GROUP BY AWS.AccountId, ModelId ORDER BY MAX() ASC LIMIT 500',
  );
});

test("a heartbeat reads its source account's PublisherLagMinutes (AccountId), silence breaching", () => {
  const hb = alarms(rollup).find((a) => a.AlarmName === 'PromptCache-Rollup-333333333333-PublisherHeartbeat')!;
  const metrics = hb.Metrics as { Id: string; Expression?: string; AccountId?: string; MetricStat?: { Metric: Record<string, unknown> } }[];
  expect(metrics.map((m) => [m.Id, m.Expression ?? null, m.AccountId ?? null, m.MetricStat?.Metric.MetricName ?? null])).toEqual([
    ['expr_1', 'FILL(lag, 99999)', null, null],
    ['lag', null, TEAM_B, 'PublisherLagMinutes'],
  ]);
  expect([hb.Threshold, hb.EvaluationPeriods, hb.TreatMissingData]).toEqual([75, 2, 'breaching']);
});

test("eu-west-1: the sink stack holds that region's roll-up alarms and the heartbeat of TEAM_A there, linking the fleet dashboard", () => {
  expect(alarms(euSink).map((a) => a.AlarmName)).toEqual([
    'PromptCache-Sink-eu-west-1-222222222222-PublisherHeartbeat',
    'PromptCache-Sink-eu-west-1-Fleet-CachingCostsMoney',
    'PromptCache-Sink-eu-west-1-Fleet-CachingCostsMoney-Page',
    'PromptCache-Sink-eu-west-1-Fleet-LowHitRatio',
    'PromptCache-Sink-eu-west-1-Fleet-WritesWithoutReads',
    'PromptCache-Sink-eu-west-1-NotifierFailing',
  ]);
  const fn = of(euSink, 'AWS::Lambda::Function').find((f) => JSON.stringify(f.Properties).includes('SOURCE_ACCOUNTS'))!;
  const env = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
  expect(JSON.parse(env.SOURCE_ACCOUNTS as string)).toEqual({ [TEAM_A]: 'PromptCache-222222222222-eu-west-1' });
  expect(JSON.stringify(env.DASHBOARD_URL)).toContain('/cloudwatch/home?region=us-east-1#dashboards/dashboard/PromptCache-Rollup-Fleet');
});

test("the roll-up's notifier names both us-east-1 accounts; its topics take monitoring.alarms' addresses", () => {
  const fn = of(rollup, 'AWS::Lambda::Function').find((f) => JSON.stringify(f.Properties).includes('SOURCE_ACCOUNTS'))!;
  const env = (fn.Properties.Environment as { Variables: Record<string, string> }).Variables;
  expect(JSON.parse(env.SOURCE_ACCOUNTS)).toEqual({ [TEAM_A]: 'PromptCache-222222222222-us-east-1', [TEAM_B]: 'TeamB' });
  const catalog = JSON.parse(env.ALARM_CATALOG) as { name: string; crossAccount?: boolean; accountId?: string }[];
  expect(catalog.map((a) => [a.name, a.crossAccount ?? false, a.accountId ?? null])).toEqual([
    ['PromptCache-Rollup-Fleet-LowHitRatio', true, null],
    ['PromptCache-Rollup-Fleet-WritesWithoutReads', true, null],
    ['PromptCache-Rollup-Fleet-CachingCostsMoney', true, null],
    ['PromptCache-Rollup-Fleet-CachingCostsMoney-Page', true, null],
    ['PromptCache-Rollup-333333333333-PublisherHeartbeat', false, TEAM_B],
  ]);
  expect(
    of(rollup, 'AWS::SNS::Subscription')
      .map((s) => s.Properties.Endpoint)
      .sort(),
  ).toEqual(['central-oncall@example.com', 'finops@example.com']);
});

test('a target paged by the roll-up has no alarm or topic of its own; its publisher still writes the alarm-ready series', () => {
  const [own, euRollup, teamB] = stacks.targets.map((s) => json(s));
  expect([own, euRollup, teamB].map((t) => [of(t, 'AWS::CloudWatch::Alarm').length, of(t, 'AWS::SNS::Topic').length])).toEqual([
    [9, 3],
    [0, 1],
    [0, 1],
  ]);
  // The one topic left is the digest's; the publisher's config keeps its alarms on (the series are written by it).
  expect(stacks.targets.map((s) => [s.monitoring.config.alarms.enabled, s.monitoring.publisher !== undefined])).toEqual([
    [true, true],
    [true, true],
    [true, true],
  ]);
});

test('the config rules: rollup needs monitoring, no precise model under rollup, one publisher period for the fleet alarms', () => {
  const base = CONFIG as { monitoring: unknown; targets: Record<string, unknown>[] };
  expect(configProblems({ targets: [{ region: 'us-east-1', onCall: 'rollup' }] }, 'config')).toEqual([
    'config.targets[0].onCall: "rollup" pages through the monitoring account\'s alarms, but there is no `monitoring`; add it, or set "own"',
  ]);
  expect(
    configProblems(
      {
        monitoring: base.monitoring,
        targets: [
          { account: TEAM_A, region: 'us-east-1', onCall: 'rollup', models: [{ modelId: 'm1', alarms: { mode: 'precise' } }] },
          { account: TEAM_B, region: 'us-east-1', publisher: { periodMinutes: 30 } },
        ],
      },
      'config',
    ),
  ).toEqual([
    'config.targets[0].models[0].alarms.mode: "precise" alarms live in the target\'s own stack, which has none with onCall "rollup"; use "fleet" (the roll-up\'s fleet alarms watch it), or set targets[0].onCall to "own"',
    "config.targets[1].publisher.periodMinutes: 30, but the monitoring account's fleet alarms read every target at the config's publisher.periodMinutes (60); give the targets one period",
  ]);
  expect(configProblems({ ...CONFIG, targets: [{ region: 'us-east-1', account: TEAM_A, onCall: 'pager' }] }, 'config')).toEqual([
    'config.targets[0].onCall: must be one of "own", "rollup" (got "pager")',
  ]);
});

test('monitoring.alarms.enabled false: no roll-up alarm, topic or notifier anywhere', () => {
  const off = synth({ ...CONFIG, monitoring: { ...(CONFIG.monitoring as object), alarms: { enabled: false } } } as ConfigInput);
  expect([off.stacks.rollup!, ...off.stacks.sinks].map((s) => of(off.json(s), 'AWS::CloudWatch::Alarm').length)).toEqual([0, 0]);
});

test("monitoring.alarms.topicArn serves its own region's roll-up alarms; the other region's stack creates its own topic", () => {
  const topicArn = `arn:aws:sns:us-east-1:${MONITORING}:central-pager`;
  const withTopic = synth({ ...CONFIG, monitoring: { ...(CONFIG.monitoring as object), alarms: { topicArn } } } as ConfigInput);
  const topics = (s: { stackName: string }) => of(withTopic.json(s), 'AWS::SNS::Topic').map((t) => t.Properties.DisplayName);
  expect([topics(withTopic.stacks.rollup!), topics(withTopic.stacks.sinks[0])]).toEqual([
    ['Bedrock prompt cache tickets', 'Prompt cache weekly cost review over every target'],
    ['Bedrock prompt cache on-call', 'Bedrock prompt cache tickets'],
  ]);
  const fn = of(withTopic.json(withTopic.stacks.rollup!), 'AWS::Lambda::Function').find((f) =>
    JSON.stringify(f.Properties).includes('SOURCE_ACCOUNTS'),
  )!;
  expect((fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables.PAGE_TOPIC_ARN).toBe(topicArn);
});
