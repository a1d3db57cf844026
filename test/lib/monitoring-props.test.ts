/**
 * PromptCacheMonitoring's props as a CDK user passes them: the config as written, topics of the user's app, the
 * publisher's timing told to the alarms explicitly, one id per synth-warning kind, one namespace per instance.
 */
process.env.CDK_VALIDATION = 'false';

import { Annotations, App, Duration, Stack } from 'aws-cdk-lib';
import { Annotations as Found, Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { PromptCacheAlarms, PromptCacheMonitoring, parseConfig, planAlarms, plannedResources, type ConfigInput } from '../../lib';
import { NOTIFIER_RESOURCES } from '../../lib/alarms';
import { SYNTH_WARNING_KINDS } from '../../lib/synth-warnings';
import { exampleConfig, thrownMessage } from './template-helpers';

type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;
const SONNET = 'us.anthropic.claude-3-7-sonnet-20250219-v1:0';

const newStack = (id = 'Team', env?: { region: string; account: string }) =>
  new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), id, { env });
const resources = (stack: Stack) => Template.fromStack(stack).toJSON().Resources as Resources;
const ofType = (r: Resources, type: string) => Object.entries(r).filter(([, x]) => x.Type === type);
/** What each alarm could notify by (none: the notifier routes every state change). */
const alarmActions = (r: Resources) =>
  ofType(r, 'AWS::CloudWatch::Alarm').map(([, x]) => [
    x.Properties.AlarmActions,
    x.Properties.OKActions,
    x.Properties.InsufficientDataActions,
  ]);
const subscriptions = (r: Resources) =>
  ofType(r, 'AWS::SNS::Subscription').map(([, x]) => [x.Properties.TopicArn, x.Properties.Protocol, x.Properties.Endpoint]);
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

  test('it is the paging topic: no on-call topic or key is created, the ticket topic is; only NotifierFailing notifies it by an action (the notifier sends the other pages)', () => {
    expect([monitoring.alarms.topic, monitoring.alarms.topicKey]).toEqual([pager, undefined]);
    expect(ofType(r, 'AWS::SNS::Topic').map(([id, x]) => [id, x.Properties?.DisplayName ?? null])).toEqual([
      [pagerId, null],
      ['CacheWeeklyDigestCostReviewTopic15D4D9DB', 'Prompt cache weekly cost review'],
      ['CacheAlarmsTicketsTicketTopic4D653A8D', 'Bedrock prompt cache tickets'],
    ]);
    expect(ofType(r, 'AWS::KMS::Key').map(([id]) => id)).toEqual([
      'CacheWeeklyDigestTopicKey44DF78D9',
      'CacheAlarmsTicketsTicketTopicKeyAE6A8457',
    ]);
    expect([stack.resolve(monitoring.alarms.ticketTopic!.topicArn), stack.resolve(monitoring.alarms.ticketTopicKey!.keyArn)]).toEqual([
      { Ref: 'CacheAlarmsTicketsTicketTopic4D653A8D' },
      { 'Fn::GetAtt': ['CacheAlarmsTicketsTicketTopicKeyAE6A8457', 'Arn'] },
    ]);
    // The 8 planned alarms (fleet, pipeline, bill check) have no action; NotifierFailing, last, notifies the pager.
    expect(alarmActions(r)).toEqual([...Array(8).fill([undefined, undefined, undefined]), [[{ Ref: pagerId }], undefined, undefined]]);
  });

  test('alarms.emails are subscribed to it, and to the ticket topic (alarms.tickets.emails unset)', () => {
    expect(subscriptions(r)).toEqual([
      [{ Ref: pagerId }, 'email', 'oncall@example.com'],
      [{ Ref: 'CacheAlarmsTicketsTicketTopic4D653A8D' }, 'email', 'oncall@example.com'],
    ]);
  });
});

describe('onCallTopic and ticketTopic: both topics of the app', () => {
  const stack = newStack();
  const pager = new sns.Topic(stack, 'Pager');
  const queue = new sns.Topic(stack, 'Queue');
  const monitoring = new PromptCacheMonitoring(stack, 'Cache', {
    config: { ...exampleConfig(), alarms: { emails: ['oncall@example.com'], tickets: { emails: ['team@example.com'] } } },
    onCallTopic: pager,
    ticketTopic: queue,
  });
  const r = resources(stack);

  test('no alarm topic or key is created; alarms.emails subscribe to the paging topic, alarms.tickets.emails only to a ticket topic created here', () => {
    expect([monitoring.alarms.topic, monitoring.alarms.ticketTopic, monitoring.alarms.topicKey, monitoring.alarms.ticketTopicKey]).toEqual([
      pager,
      queue,
      undefined,
      undefined,
    ]);
    const [[pagerId], [queueId]] = [ofType(r, 'AWS::SNS::Topic')[0], ofType(r, 'AWS::SNS::Topic')[1]];
    expect([pagerId.startsWith('Pager'), queueId.startsWith('Queue'), ofType(r, 'AWS::SNS::Topic').length]).toEqual([true, true, 3]);
    // The config's own words: tickets go to an existing topic or to e-mails of a topic created here, not both.
    expect(subscriptions(r)).toEqual([[{ Ref: pagerId }, 'email', 'oncall@example.com']]);
    expect([warnings(stack), plannedResources(monitoring.alarms.plan).notification]).toEqual([[], NOTIFIER_RESOURCES + 1]);
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

test('ticketTopic together with alarms.tickets.topicArn is refused, naming both', () => {
  const stack = newStack();
  const queue = new sns.Topic(stack, 'Queue');
  const config = { ...exampleConfig(), alarms: { tickets: { topicArn: 'arn:aws:sns:eu-west-1:111122223333:team-tickets' } } };
  expect(thrownMessage(() => new PromptCacheMonitoring(stack, 'Cache', { config, ticketTopic: queue }))).toBe(
    'invalid config in PromptCacheMonitoring Team/Cache:\n' +
      '  - ticketTopic: config.alarms.tickets.topicArn ("arn:aws:sns:eu-west-1:111122223333:team-tickets") names a ticket topic too; give one of them (the prop for a topic of your app, the key for an existing topic)',
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

  test('unpriced model, no write premium, a threshold that never fires (precise alarms: no publisher)', () => {
    const stack = newStack();
    const config = {
      models: [
        { modelId: 'us.example.unknown-model-v1:0', alarms: { lowHitRatio: { thresholdPercent: 0, breakEvenMarginPoints: 0 } } },
        { modelId: 'us.amazon.nova-pro-v1:0' },
      ],
    };
    new PromptCacheMonitoring(stack, 'Cache', { config, publisher: false });
    const found = ids(warnings(stack));
    expect(found).toEqual(['prompt-cache:threshold-never-fires', 'prompt-cache:unpriced-model', 'prompt-cache:no-write-premium']);
    found.forEach((id) => seen.add(id));
  });

  test('alarms off with e-mails; a cost-review topic without a digest; both alarm topics in another region; pages routed, tickets not', () => {
    const off = newStack('Off');
    new PromptCacheMonitoring(off, 'Cache', {
      config: { alarms: { enabled: false, emails: ['a@example.com'] }, digest: { enabled: false } },
      publisher: false,
      costReviewTopic: new sns.Topic(off, 'T'),
    });
    const away = newStack('Away', { region: 'eu-west-1', account: '111122223333' });
    new PromptCacheMonitoring(away, 'Cache', {
      config: {
        ...exampleConfig(),
        alarms: {
          topicArn: 'arn:aws:sns:us-west-2:111122223333:pager',
          tickets: { topicArn: 'arn:aws:sns:us-west-2:111122223333:tickets' },
        },
      },
      publisher: false,
    });
    expect(warnings(away)).toEqual([
      'alarms.topicArn: the topic is in us-west-2 but the stack deploys to eu-west-1; CloudWatch alarms notify topics of their own region only [ack: prompt-cache:topic-region]',
      'alarms.tickets.topicArn: the topic is in us-west-2 but the stack deploys to eu-west-1; CloudWatch alarms notify topics of their own region only [ack: prompt-cache:topic-region]',
    ]);
    const unrouted = newStack('Unrouted');
    new PromptCacheMonitoring(unrouted, 'Cache', {
      config: exampleConfig(),
      publisher: false,
      onCallTopic: new sns.Topic(unrouted, 'Pager'),
    });
    const found = [...ids(warnings(off)), ...ids(warnings(away)), ...ids(warnings(unrouted))];
    expect(found).toEqual([
      'prompt-cache:cost-review-topic-unused',
      'prompt-cache:notifications-unused',
      'prompt-cache:topic-region',
      'prompt-cache:topic-region',
      'prompt-cache:tickets-unrouted',
    ]);
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
