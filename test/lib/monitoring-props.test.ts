/**
 * PromptCacheMonitoring's props as a CDK user passes them: the config as written, topics of the user's app, the
 * publisher's timing told to the alarms explicitly, one id per synth-warning kind, one namespace per instance.
 */
process.env.CDK_VALIDATION = 'false';

import { Annotations, App, Duration, Stack } from 'aws-cdk-lib';
import { Annotations as Found, Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { PromptCacheAlarms, PromptCacheMonitoring, parseConfig, planAlarms, type ConfigInput } from '../../lib';
import { SYNTH_WARNING_KINDS } from '../../lib/synth-warnings';
import { exampleConfig, thrownMessage } from './template-helpers';

type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;
const SONNET = 'us.anthropic.claude-3-7-sonnet-20250219-v1:0';

const newStack = (id = 'Team', env?: { region: string; account: string }) =>
  new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), id, { env });
const resources = (stack: Stack) => Template.fromStack(stack).toJSON().Resources as Resources;
const ofType = (r: Resources, type: string) => Object.entries(r).filter(([, x]) => x.Type === type);
const named = (r: Resources, name: string) =>
  ofType(r, 'AWS::CloudWatch::CompositeAlarm').find(([, x]) => x.Properties.AlarmName === name)![1].Properties;
const warnings = (stack: Stack) =>
  Found.fromStack(stack)
    .findWarning('*', Match.anyValue())
    .map((m) => String(m.entry.data));

test('config as written in cdk.json: defaults filled inside', () => {
  const stack = newStack();
  const raw: ConfigInput = { models: [{ modelId: SONNET, displayName: 'support-bot' }] };
  const monitoring = new PromptCacheMonitoring(stack, 'Cache', { config: raw, publisher: false });
  expect([
    monitoring.config.namespace,
    monitoring.config.publisher.periodMinutes,
    monitoring.config.models[0].cacheWriteTtl,
    monitoring.alarms.alarms.map((a) => a.node.id),
  ]).toEqual(['BedrockPromptCache', 60, '5m', ['LowHitRatio', 'WritesWithoutReads', 'CachingCostsMoney']]);
});

describe('onCallTopic: a topic created in the same stack', () => {
  const stack = newStack();
  const pager = new sns.Topic(stack, 'Pager');
  const monitoring = new PromptCacheMonitoring(stack, 'Cache', {
    config: { ...exampleConfig(), alarms: { emails: ['oncall@example.com'] } },
    onCallTopic: pager,
  });
  const r = resources(stack);
  const [[pagerId]] = ofType(r, 'AWS::SNS::Topic').filter(([id]) => id.startsWith('Pager'));

  test('the roll-ups notify it on ALARM and OK; no topic, key or recovery rule is created for on-call', () => {
    expect(monitoring.alarms.topic).toBe(pager);
    for (const name of ['Team-CacheHealth', 'Team-SavingsPipeline']) {
      expect([named(r, name).AlarmActions, named(r, name).OKActions]).toEqual([[{ Ref: pagerId }], [{ Ref: pagerId }]]);
    }
    expect(ofType(r, 'AWS::SNS::Topic').map(([id, x]) => [id.startsWith('Pager'), x.Properties?.DisplayName ?? null])).toEqual([
      [true, null],
      [false, 'Prompt cache weekly cost review'],
    ]);
    expect([monitoring.alarms.topicKey, ofType(r, 'AWS::Events::Rule').filter(([id]) => id.includes('Recoveries'))]).toEqual([
      undefined,
      [],
    ]);
  });

  test('alarms.emails are subscribed to it', () => {
    expect(
      ofType(r, 'AWS::SNS::Subscription').map(([, x]) => [x.Properties.TopicArn, x.Properties.Protocol, x.Properties.Endpoint]),
    ).toEqual([[{ Ref: pagerId }, 'email', 'oncall@example.com']]);
  });
});

test('onCallTopic together with alarms.topicArn is refused, naming both', () => {
  const stack = newStack();
  const pager = new sns.Topic(stack, 'Pager');
  const config = { ...exampleConfig(), alarms: { topicArn: 'arn:aws:sns:eu-west-1:111122223333:team-pager' } };
  expect(thrownMessage(() => new PromptCacheMonitoring(stack, 'Cache', { config, onCallTopic: pager }))).toBe(
    'invalid config in PromptCacheMonitoring Team/Cache:\n' +
      '  - onCallTopic: config.alarms.topicArn ("arn:aws:sns:eu-west-1:111122223333:team-pager") names an on-call topic too; give one of them (the prop for a topic of your app, the key for an existing topic)',
  );
});

describe('costReviewTopic: an encrypted topic created in the same stack', () => {
  const stack = newStack();
  const key = new kms.Key(stack, 'FinopsKey');
  const finops = new sns.Topic(stack, 'Finops', { masterKey: key });
  const monitoring = new PromptCacheMonitoring(stack, 'Cache', {
    config: { digest: { emails: ['finops@example.com'] }, alarms: { enabled: false } },
    publisher: false,
    costReviewTopic: finops,
  });
  const r = resources(stack);
  const [[topicId]] = ofType(r, 'AWS::SNS::Topic');
  const [[keyId]] = ofType(r, 'AWS::KMS::Key');

  test('no cost-review topic or key of its own; digest.emails subscribed to the given topic', () => {
    expect([
      ofType(r, 'AWS::SNS::Topic').length,
      ofType(r, 'AWS::KMS::Key').length,
      topicId.startsWith('Finops'),
      keyId.startsWith('FinopsKey'),
      monitoring.digest!.key,
    ]).toEqual([1, 1, true, true, undefined]);
    expect(ofType(r, 'AWS::SNS::Subscription').map(([, x]) => [x.Properties.TopicArn, x.Properties.Endpoint])).toEqual([
      [{ Ref: topicId }, 'finops@example.com'],
    ]);
  });

  test("the digest's environment names it; its role may publish to it and use its key", () => {
    const [[, fn]] = ofType(r, 'AWS::Lambda::Function');
    expect((fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables.DIGEST_TOPIC_ARN).toEqual({ Ref: topicId });
    const [[, policy]] = ofType(r, 'AWS::IAM::Policy');
    const statements = (policy.Properties.PolicyDocument as { Statement: { Action: unknown; Resource: unknown }[] }).Statement;
    expect(statements.slice(-2).map((s) => [s.Action, s.Resource])).toEqual([
      ['sns:Publish', { Ref: topicId }],
      [['kms:Decrypt', 'kms:GenerateDataKey*'], { 'Fn::GetAtt': [keyId, 'Arn'] }],
    ]);
  });
});

test('publisher timing reaches the alarms explicitly: a 10-minute timeout makes the lag threshold 10 + 60 + 10', () => {
  const stack = newStack();
  const monitoring = new PromptCacheMonitoring(stack, 'Cache', { config: exampleConfig(), publisher: { timeout: Duration.minutes(10) } });
  expect([
    monitoring.publisher!.period.toMinutes(),
    monitoring.publisher!.settleDelay.toMinutes(),
    monitoring.publisher!.timeout.toMinutes(),
    monitoring.alarms.plan.lagThresholdMinutes,
  ]).toEqual([60, 10, 10, 80]);
  const heartbeat = ofType(resources(stack), 'AWS::CloudWatch::Alarm').find(
    ([, x]) => x.Properties.AlarmName === 'Team-PublisherHeartbeat',
  )![1];
  expect(heartbeat.Properties.Threshold).toBe(80);
});

test("a publisher whose period or settle delay is not the config's is refused", () => {
  const stack = newStack();
  const fn = new PromptCacheMonitoring(stack, 'Cache', { config: exampleConfig() }).publisher!.function;
  const publisher = { function: fn, period: Duration.minutes(15), settleDelay: Duration.minutes(10), timeout: Duration.minutes(5) };
  expect(
    thrownMessage(
      () =>
        new PromptCacheAlarms(stack, 'Mine', {
          config: exampleConfig(),
          namePrefix: 'mine',
          dashboardUrl: 'https://example.com',
          publisher,
        }),
    ),
  ).toBe(
    'invalid config in PromptCacheAlarms Team/Mine:\n  - publisher.period: 15 minutes, but config.publisher.periodMinutes is 60; build the publisher and the alarms from one config',
  );
});

describe('each kind of synth warning has its own id', () => {
  const seen = new Set<string>();
  const ids = (messages: string[]) => messages.map((m) => /\[ack: (prompt-cache:[a-z-]+)\]$/.exec(m)![1]);

  test('unpriced model, no write premium, a threshold that never fires', () => {
    const stack = newStack();
    const config = {
      models: [
        { modelId: 'us.example.unknown-model-v1:0' },
        { modelId: 'us.amazon.nova-pro-v1:0' },
        { modelId: SONNET, alarms: { lowHitRatio: { thresholdPercent: 0 } } },
      ],
    };
    new PromptCacheMonitoring(stack, 'Cache', { config, publisher: false });
    const found = ids(warnings(stack));
    expect(found).toEqual(['prompt-cache:unpriced-model', 'prompt-cache:no-write-premium', 'prompt-cache:threshold-never-fires']);
    found.forEach((id) => seen.add(id));
  });

  test('alarms off with e-mails; an on-call topic in another region; a cost-review topic without a digest', () => {
    const off = newStack('Off');
    new PromptCacheMonitoring(off, 'Cache', {
      config: { alarms: { enabled: false, emails: ['a@example.com'] }, digest: { enabled: false } },
      publisher: false,
      costReviewTopic: new sns.Topic(off, 'T'),
    });
    const away = newStack('Away', { region: 'eu-west-1', account: '111122223333' });
    new PromptCacheMonitoring(away, 'Cache', {
      config: { ...exampleConfig(), alarms: { topicArn: 'arn:aws:sns:us-west-2:111122223333:pager' } },
      publisher: false,
    });
    const found = [...ids(warnings(off)), ...ids(warnings(away))];
    expect(found).toEqual(['prompt-cache:cost-review-topic-unused', 'prompt-cache:notifications-unused', 'prompt-cache:topic-region']);
    found.forEach((id) => seen.add(id));
  });

  test('a pipeline window over one day (the schema allows at most 24 × 60 minutes; the plan caps it anyway)', () => {
    const config = exampleConfig();
    const plan = planAlarms(
      { ...config, alarms: { ...config.alarms, pipeline: { enabled: true, missingPeriods: 30 } } },
      { publisher: true, namePrefix: 'P' },
    );
    expect([plan.heartbeatPeriods, plan.warnings.map((w) => w.kind)]).toEqual([24, ['pipeline-window-capped']]);
    seen.add('prompt-cache:pipeline-window-capped');
  });

  test('acknowledging one kind silences that kind only', () => {
    const stack = newStack();
    Annotations.of(stack).acknowledgeWarning('prompt-cache:unpriced-model', 'priced elsewhere');
    new PromptCacheMonitoring(stack, 'Cache', {
      config: { models: [{ modelId: 'us.example.unknown-model-v1:0' }, { modelId: 'us.amazon.nova-pro-v1:0' }] },
      publisher: false,
    });
    expect(ids(warnings(stack))).toEqual(['prompt-cache:no-write-premium']);
  });

  test('the cases above cover every kind', () => {
    expect([...seen].sort()).toEqual(
      Object.keys(SYNTH_WARNING_KINDS)
        .map((k) => `prompt-cache:${k}`)
        .sort(),
    );
  });
});

describe('two instances in one app', () => {
  test('with one namespace: refused, naming both construct paths and the fix', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    new PromptCacheMonitoring(new Stack(app, 'TeamA'), 'Cache', { config: exampleConfig(), publisher: false });
    expect(
      thrownMessage(() => new PromptCacheMonitoring(new Stack(app, 'TeamB'), 'Cache', { config: exampleConfig(), publisher: false })),
    ).toBe(
      'invalid config in PromptCacheMonitoring TeamB/Cache:\n' +
        '  - config.namespace: "BedrockPromptCache" is also the namespace of PromptCacheMonitoring TeamA/Cache in this app; both publishers would publish every model into it, ' +
        "doubling the dollar Sums, and one instance's heartbeat would hide the other's silence. Give each instance its own namespace (and its own models)",
    );
  });

  test('with their own namespaces, or in two regions: allowed', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    new PromptCacheMonitoring(new Stack(app, 'TeamA'), 'Cache', { config: exampleConfig(), publisher: false });
    new PromptCacheMonitoring(new Stack(app, 'TeamB'), 'Cache', {
      config: { ...exampleConfig(), namespace: 'TeamB/PromptCache' },
      publisher: false,
    });
    const env = (region: string) => ({ env: { account: '111122223333', region } });
    new PromptCacheMonitoring(new Stack(app, 'Ireland', env('eu-west-1')), 'Cache', {
      config: { namespace: 'Regional' },
      publisher: false,
    });
    new PromptCacheMonitoring(new Stack(app, 'Oregon', env('us-west-2')), 'Cache', { config: { namespace: 'Regional' }, publisher: false });
    expect(
      app.node
        .findAll()
        .filter((c) => c instanceof PromptCacheMonitoring)
        .map((c) => c.node.path),
    ).toEqual(['TeamA/Cache', 'TeamB/Cache', 'Ireland/Cache', 'Oregon/Cache']);
  });
});

test('parseConfig output is still accepted (what bin/app.ts passes)', () => {
  const stack = newStack();
  expect(
    new PromptCacheMonitoring(stack, 'Cache', { config: parseConfig({ namespace: 'X' }, 't'), publisher: false }).config.namespace,
  ).toBe('X');
});
