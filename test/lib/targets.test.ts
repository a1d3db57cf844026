/**
 * Many accounts and regions: 3 targets in 2 accounts and 2 regions and a monitoring account. The stacks and their
 * environments, each target's own sections, the sinks and their policies (which accounts may link, metrics only), each
 * link (resource types, namespace filter, the sink of its region), and the fleet dashboard's account and region fields.
 */
process.env.CDK_VALIDATION = 'false';

import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { parseConfig, type ConfigInput } from '../../lambda/core/config';
import { addPromptCacheStacks, targetStackName } from '../../lib/prompt-cache-app';

const MONITORING = '111111111111';
const TEAM_A = '222222222222';
const TEAM_B = '333333333333';
const SINK_US = `arn:aws:oam:us-east-1:${MONITORING}:sink/aaaa-1111`;
const SINK_EU = `arn:aws:oam:eu-west-1:${MONITORING}:sink/bbbb-2222`;
const CONFIG: ConfigInput = {
  models: [{ modelId: 'us.anthropic.claude-3-7-sonnet-20250219-v1:0', displayName: 'support-bot' }],
  monitoring: { account: MONITORING, region: 'us-east-1', sinks: { 'us-east-1': SINK_US, 'eu-west-1': SINK_EU } },
  targets: [
    { account: TEAM_A, region: 'us-east-1' },
    { account: TEAM_A, region: 'eu-west-1', models: [{ modelId: 'eu.anthropic.claude-sonnet-4-5-20250929-v1:0', displayName: 'eu-bot' }] },
    { account: TEAM_B, region: 'us-east-1', stackName: 'TeamB', alarms: { enabled: false } },
  ],
};

type Json = { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>; Outputs?: Record<string, unknown> };
function synth(config: ConfigInput = CONFIG) {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stacks = addPromptCacheStacks(app, parseConfig(config, 'test'), 'PromptCache');
  const json = (s: { stackName: string }) => Template.fromStack(s as never).toJSON() as Json;
  return { stacks, json };
}
const of = (t: Json, type: string) => Object.values(t.Resources).filter((r) => r.Type === type);

const { stacks, json } = synth();

test('one stack per target in its account and region, the roll-up in the monitoring account, a sink stack in the other region', () => {
  expect(stacks.targets.map((s) => [s.stackName, s.account, s.region])).toEqual([
    ['PromptCache-222222222222-us-east-1', TEAM_A, 'us-east-1'],
    ['PromptCache-222222222222-eu-west-1', TEAM_A, 'eu-west-1'],
    ['TeamB', TEAM_B, 'us-east-1'],
  ]);
  expect([stacks.rollup?.stackName, stacks.rollup?.account, stacks.rollup?.region]).toEqual([
    'PromptCache-Rollup',
    MONITORING,
    'us-east-1',
  ]);
  expect(stacks.sinks.map((s) => [s.stackName, s.account, s.region])).toEqual([['PromptCache-Sink-eu-west-1', MONITORING, 'eu-west-1']]);
});

test("each target's own sections: eu-west-1 watches its own model, TeamB has no alarms (the others 8 and NotifierFailing)", () => {
  expect(stacks.targets.map((s) => s.monitoring.config.models.map((m) => m.displayName))).toEqual([
    ['support-bot'],
    ['eu-bot'],
    ['support-bot'],
  ]);
  expect(stacks.targets.map((s) => of(json(s), 'AWS::CloudWatch::Alarm').length)).toEqual([9, 9, 0]);
});

test('the sinks: the accounts of their region may link, metrics only', () => {
  const policy = (t: Json) => (of(t, 'AWS::Oam::Sink')[0].Properties.Policy as { Statement: unknown[] }).Statement;
  const statement = (accounts: string[]) => ({
    Effect: 'Allow',
    Principal: { AWS: accounts },
    Action: ['oam:CreateLink', 'oam:UpdateLink'],
    Resource: '*',
    Condition: { 'ForAllValues:StringEquals': { 'oam:ResourceTypes': ['AWS::CloudWatch::Metric'] } },
  });
  expect([policy(json(stacks.rollup!)), policy(json(stacks.sinks[0]))]).toEqual([[statement([TEAM_A, TEAM_B])], [statement([TEAM_A])]]);
  expect(Object.keys(json(stacks.rollup!).Outputs ?? {}).sort()).toEqual(['FleetDashboardUrl', 'SinkSinkArn3C4C7330'].sort());
});

test('each link: metrics of our namespace and AWS/Bedrock only, to the sink of its own region', () => {
  expect(stacks.targets.map((s) => of(json(s), 'AWS::Oam::Link').map((l) => l.Properties))).toEqual([
    [
      {
        SinkIdentifier: SINK_US,
        ResourceTypes: ['AWS::CloudWatch::Metric'],
        LabelTemplate: '$AccountName',
        LinkConfiguration: { MetricConfiguration: { Filter: "Namespace IN ('BedrockPromptCache', 'AWS/Bedrock')" } },
      },
    ],
    [
      {
        SinkIdentifier: SINK_EU,
        ResourceTypes: ['AWS::CloudWatch::Metric'],
        LabelTemplate: '$AccountName',
        LinkConfiguration: { MetricConfiguration: { Filter: "Namespace IN ('BedrockPromptCache', 'AWS/Bedrock')" } },
      },
    ],
    [
      {
        SinkIdentifier: SINK_US,
        ResourceTypes: ['AWS::CloudWatch::Metric'],
        LabelTemplate: '$AccountName',
        LinkConfiguration: { MetricConfiguration: { Filter: "Namespace IN ('BedrockPromptCache', 'AWS/Bedrock')" } },
      },
    ],
  ]);
});

test("the fleet dashboard: a line per target with its account and region, the range's dollars per target in a table", () => {
  const [dash] = of(json(stacks.rollup!), 'AWS::CloudWatch::Dashboard');
  const body = JSON.parse(
    ((dash.Properties.DashboardBody as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1] as unknown[])
      .map((p) => (typeof p === 'string' ? p : '<token>'))
      .join(''),
  ) as { widgets: { type: string; properties: { title?: string; metrics?: unknown[][] } }[] };
  const graphs = body.widgets.filter((w) => w.type === 'metric');
  expect(graphs.map((w) => [w.properties.title, w.properties.metrics?.length])).toEqual([
    ['Net savings per day, per account and region (USD)', 3],
    ['Hit ratio per account and region (%, daily average of the published periods)', 3],
    ['The range per target (USD): net savings and cost with cache; the total row sums the targets', 6],
  ]);
  expect(graphs[0].properties.metrics).toEqual([
    [
      'BedrockPromptCache',
      'NetSavingsUSD',
      { label: 'PromptCache-222222222222-us-east-1', accountId: TEAM_A, region: 'us-east-1', period: 86400, stat: 'Sum' },
    ],
    [
      'BedrockPromptCache',
      'NetSavingsUSD',
      { label: 'PromptCache-222222222222-eu-west-1', accountId: TEAM_A, region: 'eu-west-1', period: 86400, stat: 'Sum' },
    ],
    ['BedrockPromptCache', 'NetSavingsUSD', { label: 'TeamB', accountId: TEAM_B, region: 'us-east-1', period: 86400, stat: 'Sum' }],
  ]);
});

test('without monitoring.sinks the targets deploy without a link, and the dashboard says which regions lack one', () => {
  const first = synth({ ...CONFIG, monitoring: { account: MONITORING, region: 'us-east-1' } });
  expect(first.stacks.targets.map((s) => of(first.json(s), 'AWS::Oam::Link').length)).toEqual([0, 0, 0]);
  const [dash] = of(first.json(first.stacks.rollup!), 'AWS::CloudWatch::Dashboard');
  expect(JSON.stringify(dash.Properties.DashboardBody)).toContain('No sink link yet in eu-west-1, us-east-1: deploy the roll-up');
});

test('no targets: the one environment-agnostic stack, as before; a target in the monitoring account needs no link', () => {
  const one = synth({ models: CONFIG.models });
  expect([one.stacks.targets.map((s) => s.stackName), one.stacks.rollup, one.stacks.sinks]).toEqual([['PromptCache'], undefined, []]);
  const own = synth({ ...CONFIG, targets: [{ account: MONITORING, region: 'us-east-1' }] });
  expect([of(own.json(own.stacks.targets[0]), 'AWS::Oam::Link').length, of(own.json(own.stacks.rollup!), 'AWS::Oam::Sink').length]).toEqual(
    [0, 0],
  );
});

test.each([
  [{ region: 'eu-west-1' }, 'PromptCache-eu-west-1'],
  [{ account: TEAM_A, region: 'eu-west-1' }, 'PromptCache-222222222222-eu-west-1'],
  [{ account: TEAM_A, region: 'eu-west-1', stackName: 'Mine' }, 'Mine'],
])('the stack name of %j is %s', (target, name) => {
  expect(targetStackName('PromptCache', target)).toBe(name);
});
