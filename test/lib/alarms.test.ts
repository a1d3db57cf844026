/**
 * The alarms on the synthesized template (aws-cdk-lib/assertions): the fleet alarms (Metrics Insights over the
 * publisher's alarm-ready series, one per cache family and a paging one for money), the precise alarms of opted-in
 * models, the pipeline alarms; their exact queries, thresholds, windows and missing-data treatment; the paging and ticket
 * topics; the runbooks; the synth-time warnings; the migration from per-model alarms; and how it all scales.
 */
process.env.CDK_VALIDATION = 'false';

import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { PromptCacheMonitoring, PromptCacheMonitoringStack, parseConfig, type ConfigInput, type PromptCacheConfig } from '../../lib';
import {
  ALARM_DESCRIPTION_MAX,
  INSIGHTS_EVALUATION_MINUTES,
  NOTIFIER_RESOURCES,
  PromptCacheAlarms,
  TOPIC_RESOURCES,
  fleetWindow,
  modelsThatFit,
  planAlarms,
  plannedResources,
  publisherWindow,
} from '../../lib/alarms';
import { allPrecise, benchConfig } from '../support/configs';
import { cfnValue } from '../support/cfn-values';
import { configWithModels, consoleUrlJoin, dashboardBodies, exampleConfig, thrownMessage, withoutAssetHashes } from './template-helpers';

type Cfn = Record<string, unknown>;
interface TemplateJson {
  Resources: Record<string, { Type: string; Properties: Cfn; DependsOn?: string[] }>;
  Mappings?: Record<string, Record<string, Record<string, string>>>;
  Outputs?: Record<string, { Description: string; Value: unknown }>;
}

const ACCOUNT = '111122223333';
const BUNDLING_SKIPPED = { 'aws:cdk:bundling-stacks': [] };

/** A CloudFormation value of the template as a string, in `region` and `partition` (the shared resolver). */
function resolve(value: unknown, t: TemplateJson, region = 'eu-west-1', partition = 'aws'): string {
  return cfnValue(value, { template: t, pseudo: { 'AWS::Region': region, 'AWS::AccountId': ACCOUNT, 'AWS::Partition': partition } });
}

function synth(config: PromptCacheConfig, stackName = 'TestMonitoring'): { t: TemplateJson; stack: PromptCacheMonitoringStack } {
  const stack = new PromptCacheMonitoringStack(new App({ context: BUNDLING_SKIPPED }), stackName, { config });
  const t = Template.fromStack(stack).toJSON() as TemplateJson;
  // The design has no composite alarm: every synthesized template of this file is checked for one.
  expect(Object.values(t.Resources).filter((r) => r.Type === 'AWS::CloudWatch::CompositeAlarm')).toEqual([]);
  return { t, stack };
}

/** The example config of cdk.json with `input`'s top-level keys replaced. */
const withConfig = (input: ConfigInput) => parseConfig({ ...(JSON.parse(JSON.stringify(exampleConfig())) as object), ...input }, 'test');
/** The example config with `alarms` set for the models named (by display name). */
function withModelAlarms(byName: Record<string, object>, input: ConfigInput = {}): PromptCacheConfig {
  const base = JSON.parse(JSON.stringify(exampleConfig())) as { models: Array<{ displayName: string }> };
  const models = base.models.map((m) => (byName[m.displayName] ? { ...m, alarms: byName[m.displayName] } : m));
  return parseConfig({ ...base, ...input, models }, 'test');
}

type AlarmProps = Cfn & { id: string; name: string };
/** The planned alarms (what the notifier serves); the notifier's own watchdog, NotifierFailing, has a test of its own. */
function alarms(t: TemplateJson): AlarmProps[] {
  return Object.entries(t.Resources)
    .filter(([, r]) => r.Type === 'AWS::CloudWatch::Alarm' && !String(r.Properties.AlarmName).endsWith('-NotifierFailing'))
    .map(([id, r]) => ({ ...r.Properties, id, name: r.Properties.AlarmName as string }));
}
const byName = (t: TemplateJson, name: string) => {
  const found = alarms(t).filter((a) => a.name === name);
  expect(found.map((a) => a.name)).toEqual([name]);
  return found[0];
};
const ofType = (t: TemplateJson, type: string) => Object.entries(t.Resources).filter(([, r]) => r.Type === type);

const SONNET = 'us.anthropic.claude-3-7-sonnet-20250219-v1:0';
const SONNET_45 = 'global.anthropic.claude-sonnet-4-5-20250929-v1:0';
const CLAIMS = 'arn:aws:bedrock:us-east-1:111122223333:application-inference-profile/a1b2c3d4e5f6';
const P = 'TestMonitoring';
const NAMES = {
  support: `${P}-support-bot-78e8aa25`,
  review: `${P}-code-review-77b9d0c7`,
  claims: `${P}-claims-triage-8008f2fc`,
};
const FLEET = [
  `${P}-Fleet-LowHitRatio`,
  `${P}-Fleet-WritesWithoutReads`,
  `${P}-Fleet-CachingCostsMoney`,
  `${P}-Fleet-CachingCostsMoney-Page`,
];
const PIPELINE = [`${P}-PublisherErrors`, `${P}-PublisherHeartbeat`];
/** The daily bill check's alarms (deployed with the publisher, `reconcile.daily.enabled` by default). */
const BILL = [`${P}-CostDrift`, `${P}-BillCheckErrors`];
const perModel = (n: string) => [`${n}-LowHitRatio`, `${n}-WritesWithoutReads`, `${n}-CachingCostsMoney`];
/** Code review's 1-hour cache: break-even (6 − 3) / (6 − 0.3) = 52.63…%, plus the 10-point margin. */
const REVIEW_LOW_HIT = 62.63157894736842;

/** The fleet alarm's one query: the publisher's alarm-ready series of every model, grouped by ModelId, worst first. */
function insights(metric: string, agg: 'MAX' | 'MIN', period: number) {
  return [
    {
      Expression: `SELECT ${agg}(${metric}) FROM SCHEMA("BedrockPromptCache", ModelId) GROUP BY ModelId ORDER BY ${agg}() ${agg === 'MAX' ? 'ASC' : 'DESC'} LIMIT 500`,
      Id: 'expr_1',
      Label: metric,
      Period: period,
      ReturnData: true,
    },
  ];
}

/** An input metric of a math alarm: a Sum of one AWS/Bedrock token metric of one model. */
function tokenStat(id: string, metricName: string, period: number, modelId: string) {
  return {
    Id: id,
    MetricStat: {
      Metric: { Dimensions: [{ Name: 'ModelId', Value: modelId }], MetricName: metricName, Namespace: 'AWS/Bedrock' },
      Period: period,
      Stat: 'Sum',
    },
    ReturnData: false,
  };
}
/** Each cache metric under both spellings (the config pins none), the larger per period. */
const R = 'MAX([FILL(r_0, 0), FILL(r_1, 0)])';
const W = 'MAX([FILL(w_0, 0), FILL(w_1, 0)])';
const LOW_HIT = `IF((${R} + ${W}) >= 50000, 100 * ${R} / (${R} + ${W}))`;
const net = (discount: string, premium: string) => `IF((${R} + ${W}) >= 50000, (${R} * ${discount} - ${W} * ${premium}) / 1000000)`;
/** The four token inputs of a precise cache alarm: both spellings of read and write. */
const cacheInputs = (period: number, modelId: string) => [
  tokenStat('r_0', 'CacheReadInputTokenCount', period, modelId),
  tokenStat('r_1', 'CacheReadInputTokens', period, modelId),
  tokenStat('w_0', 'CacheWriteInputTokenCount', period, modelId),
  tokenStat('w_1', 'CacheWriteInputTokens', period, modelId),
];
/** An unlabelled input of the publisher's namespace. */
function customStat(id: string, metricName: string, stat: string, period: number) {
  return {
    Id: id,
    MetricStat: { Metric: { MetricName: metricName, Namespace: 'BedrockPromptCache' }, Period: period, Stat: stat },
    ReturnData: false,
  };
}

/** The alarm's settings, as the template holds them. */
const settings = (a: AlarmProps) => [a.ComparisonOperator, a.Threshold, a.EvaluationPeriods, a.DatapointsToAlarm, a.TreatMissingData];
/** Every action an alarm could notify by: none (the notifier routes state changes). */
const actions = (t: TemplateJson) => alarms(t).map((a) => [a.name, a.AlarmActions, a.OKActions, a.InsufficientDataActions]);
const noActions = (t: TemplateJson) => alarms(t).map((a) => [a.name, undefined, undefined, undefined]);

const DASHBOARD = 'https://console.aws.amazon.com/cloudwatch/home?region=eu-west-1#dashboards/dashboard/TestMonitoring-OnCall-eu-west-1';
/** The topic policy's conditions: only alarms of this account whose names start with the prefix. */
const fromOurAlarms = (prefix: string) => ({
  StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
  ArnLike: {
    'aws:SourceArn': {
      'Fn::Join': [
        '',
        ['arn:', { Ref: 'AWS::Partition' }, ':cloudwatch:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, `:alarm:${prefix}-*`],
      ],
    },
  },
});
/** The logical ids of the topics, unchanged for the on-call one since before tickets existed. */
const ON_CALL = {
  key: 'PromptCacheMonitoringAlarmsOnCallTopicKey9C5BE013',
  topic: 'PromptCacheMonitoringAlarmsOnCallTopic472E8723',
  policy: 'PromptCacheMonitoringAlarmsOnCallTopicPolicyAAF6DAD9',
};
const TICKETS = {
  key: 'PromptCacheMonitoringAlarmsTicketsTicketTopicKey781F5951',
  topic: 'PromptCacheMonitoringAlarmsTicketsTicketTopic093B01F5',
  policy: 'PromptCacheMonitoringAlarmsTicketsTicketTopicPolicyBD3785EB',
};
const emailsOf = (t: TemplateJson) =>
  ofType(t, 'AWS::SNS::Subscription').map(([id, r]) => [id, r.Properties.TopicArn, r.Properties.Protocol, r.Properties.Endpoint]);
const alarmTopics = (t: TemplateJson) =>
  ofType(t, 'AWS::SNS::Topic')
    .map(([id]) => id)
    .filter((id) => id.includes('Alarms'));
const warningsOf = (stack: Stack) =>
  Annotations.fromStack(stack)
    .findWarning('*', Match.anyValue())
    .map((m) => String(m.entry.data));
const infosOf = (stack: Stack) =>
  Annotations.fromStack(stack)
    .findInfo('*', Match.anyValue())
    .map((m) => String(m.entry.data));

describe('fleet alarms with the example config of cdk.json (publisher deployed, every model in fleet mode)', () => {
  const { t, stack } = synth(exampleConfig());

  test("eight metric alarms: a fleet alarm per cache family and the money page, then the two pipeline alarms and the bill check's two; none notifies by an action", () => {
    expect(alarms(t).map((a) => [a.id, a.name])).toEqual([
      ['LowHitRatio3118d421', FLEET[0]],
      ['WritesWithoutReads023bef05', FLEET[1]],
      ['CachingCostsMoney562d4259', FLEET[2]],
      ['CachingCostsMoneyPage9e75ff3a', FLEET[3]],
      ['PublisherErrors2bfedadb', PIPELINE[0]],
      ['PublisherHeartbeatbc3fb617', PIPELINE[1]],
      ['CostDrift5d6b4c68', BILL[0]],
      ['BillCheckErrors68c6be90', BILL[1]],
    ]);
    // No model of the config has an alarm of its own: the fleet alarms watch each as a contributor.
    expect(alarms(t).filter((a) => /support-bot|code-review|claims-triage/.test(a.name))).toEqual([]);
    expect(actions(t)).toEqual(noActions(t));
  });

  test("the fleet alarms: one Metrics Insights query each over the publisher's per-model alarm-ready series, at its hour, 1 of 1, quiet models not breaching", () => {
    const cases: Array<[string, ReturnType<typeof insights>, unknown[]]> = [
      // Hit ratio minus each model's own threshold (the publisher applies it and the volume guard): below 0 is low.
      [FLEET[0], insights('AlarmHitRatioMarginPoints', 'MAX', 3600), ['LessThanThreshold', 0, 1, 1, 'notBreaching']],
      // Write tokens of periods without a read (0 with a read; no datum under the model's write minimum).
      [FLEET[1], insights('WritesWithoutReadsTokens', 'MIN', 3600), ['GreaterThanThreshold', 0, 1, 1, 'notBreaching']],
      // Net savings per hour: any loss is a ticket, a loss over alarms.pageAboveUsdPerHour ($1 by default) pages.
      [FLEET[2], insights('AlarmNetSavingsUSDPerHour', 'MAX', 3600), ['LessThanThreshold', 0, 1, 1, 'notBreaching']],
      [FLEET[3], insights('AlarmNetSavingsUSDPerHour', 'MAX', 3600), ['LessThanThreshold', -1, 1, 1, 'notBreaching']],
    ];
    expect(cases.map(([name]) => [byName(t, name).Metrics, settings(byName(t, name))])).toEqual(cases.map(([, m, s]) => [m, s]));
  });

  test('pipeline: publisher errors >= 1; no PublisherLagMinutes report (filled 99999) or a lag over 75 min for 2 periods, missing data breaching', () => {
    const errors = byName(t, PIPELINE[0]);
    const [[fn]] = ofType(t, 'AWS::Lambda::Function').filter(([id]) => id.includes('SavingsPublisher'));
    expect(errors.Metrics).toEqual([
      {
        Id: 'm1',
        Label: 'Publisher errors',
        MetricStat: {
          Metric: { Dimensions: [{ Name: 'FunctionName', Value: { Ref: fn } }], MetricName: 'Errors', Namespace: 'AWS/Lambda' },
          Period: 3600,
          Stat: 'Sum',
        },
        ReturnData: true,
      },
    ]);
    expect(settings(errors)).toEqual(['GreaterThanOrEqualToThreshold', 1, 1, 1, 'notBreaching']);
    const heartbeat = byName(t, PIPELINE[1]);
    expect(heartbeat.Metrics).toEqual([
      { Expression: 'FILL(lag, 99999)', Id: 'expr_1', Label: 'Publisher lag (min, 99999 = no report); alarm > 75', ReturnData: true },
      customStat('lag', 'PublisherLagMinutes', 'Maximum', 3600),
    ]);
    // 75 = the settle delay (10 min) + one period (60) + the run's timeout (5): the watermark is a period behind.
    expect(settings(heartbeat)).toEqual(['GreaterThanThreshold', 75, 2, 2, 'breaching']);
  });

  test('no alarm uses SEARCH; every math alarm reads at most 10 metrics of one period', () => {
    expect(
      alarms(t).map((a) => {
        const metrics = a.Metrics as Array<{ MetricStat?: { Period: number }; Period?: number }>;
        return [
          a.name,
          JSON.stringify(a).includes('SEARCH'),
          metrics.length,
          new Set(metrics.map((m) => m.MetricStat?.Period ?? m.Period)).size,
        ];
      }),
    ).toEqual([
      [FLEET[0], false, 1, 1],
      [FLEET[1], false, 1, 1],
      [FLEET[2], false, 1, 1],
      [FLEET[3], false, 1, 1],
      [PIPELINE[0], false, 1, 1],
      // The expression has no period of its own (undefined) beside its one input's.
      [PIPELINE[1], false, 2, 2],
      // The bill and the drift, both daily, beside the expression.
      [BILL[0], false, 3, 2],
      [BILL[1], false, 1, 1],
    ]);
  });

  test('the catalog: every alarm with its family, severity and kind, in template order', () => {
    expect(stack.monitoring.alarms.catalog).toEqual([
      { name: FLEET[0], family: 'lowHitRatio', severity: 'ticket', kind: 'fleet' },
      { name: FLEET[1], family: 'writesWithoutReads', severity: 'ticket', kind: 'fleet' },
      { name: FLEET[2], family: 'cachingCostsMoney', severity: 'ticket', kind: 'fleet' },
      { name: FLEET[3], family: 'cachingCostsMoney', severity: 'page', kind: 'fleet' },
      { name: PIPELINE[0], family: 'publisherErrors', severity: 'ticket', kind: 'pipeline' },
      { name: PIPELINE[1], family: 'heartbeat', severity: 'page', kind: 'pipeline' },
      { name: BILL[0], family: 'costDrift', severity: 'ticket', kind: 'bill' },
      { name: BILL[1], family: 'billCheckErrors', severity: 'ticket', kind: 'bill' },
    ]);
    expect(stack.monitoring.alarms.catalog.map((a) => a.name)).toEqual(alarms(t).map((a) => a.name));
    expect([...stack.monitoring.alarms.fleet.keys()]).toEqual(FLEET);
  });

  test("plannedResources: 8 alarms; 2 created topics of 3 resources each and the notifier's 10; $0.50 a month fixed, $0.40 per model the fleet sees", () => {
    expect([TOPIC_RESOURCES, NOTIFIER_RESOURCES]).toEqual([3, 10]);
    expect(plannedResources(stack.monitoring.alarms.plan)).toEqual({
      metricAlarms: 8,
      notification: 16,
      total: 24,
      monthlyAlarmCostUSD: 0.5,
      fleetAlarmUsdPerModel: 0.4,
    });
    // What the template holds of it: the alarms, both topics with their keys and policies, and the notifier's resources.
    const built = Object.keys(t.Resources).filter(
      (id) => id.startsWith('PromptCacheMonitoringAlarms') || alarms(t).some((a) => a.id === id),
    );
    expect([built.length, built.filter((id) => id.startsWith('PromptCacheMonitoringAlarmsNotifier')).length]).toEqual([
      24,
      NOTIFIER_RESOURCES,
    ]);
  });

  test("two topics, pages and tickets: each a rotating customer-managed key CloudWatch may use (AWS's statement, no condition), SSL only, publishable by our alarms only", () => {
    expect(alarmTopics(t)).toEqual([ON_CALL.topic, TICKETS.topic]);
    for (const [ids, displayName, what] of [
      [ON_CALL, 'Bedrock prompt cache on-call', 'on-call'],
      [TICKETS, 'Bedrock prompt cache tickets', 'ticket'],
    ] as const) {
      expect(t.Resources[ids.topic].Properties).toEqual({ DisplayName: displayName, KmsMasterKeyId: { 'Fn::GetAtt': [ids.key, 'Arn'] } });
      expect(t.Resources[ids.key].Properties).toEqual({
        Description: `Encrypts the prompt-cache ${what} topic of ${P}`,
        EnableKeyRotation: true,
        KeyPolicy: {
          Statement: [
            {
              Action: 'kms:*',
              Effect: 'Allow',
              Principal: { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, ':root']] } },
              Resource: '*',
            },
            {
              Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
              Effect: 'Allow',
              Principal: { Service: 'cloudwatch.amazonaws.com' },
              Resource: '*',
              Sid: 'CloudWatchAlarmsEncryptNotifications',
            },
          ],
          Version: '2012-10-17',
        },
      });
      expect(t.Resources[ids.policy].Properties).toEqual({
        PolicyDocument: {
          Statement: [
            {
              Action: 'sns:Publish',
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
              Effect: 'Deny',
              Principal: '*',
              Resource: { Ref: ids.topic },
              Sid: 'AllowPublishThroughSSLOnly',
            },
            {
              Action: 'sns:Publish',
              Condition: fromOurAlarms(P),
              Effect: 'Allow',
              Principal: { Service: 'cloudwatch.amazonaws.com' },
              Resource: { Ref: ids.topic },
              Sid: 'CloudWatchAlarmsPublish',
            },
          ],
          Version: '2012-10-17',
        },
        Topics: [{ Ref: ids.topic }],
      });
    }
    expect([t.Outputs!.OnCallTopicArn.Value, t.Outputs!.TicketTopicArn.Value]).toEqual([{ Ref: ON_CALL.topic }, { Ref: TICKETS.topic }]);
    // Nobody is subscribed (the example config has no e-mails); the rules: the publisher's, bill check's and digest's
    // schedules, the notifier's.
    expect([emailsOf(t), ofType(t, 'AWS::Events::Rule').length]).toEqual([[], 4]);
  });

  test("a runbook per fleet alarm, in night order: symptom, how bad, do first, checks, can it wait, clears, the dashboard in the stack's region", () => {
    expect(resolve(byName(t, FLEET[0]).AlarmDescription, t).split('\n')).toEqual([
      "TICKET. Low hit ratio, per model (contributor ModelId): hit ratio read/(read+write) under the larger of 50% and this model's break-even (5-minute Claude cache 21.7%, 1-hour 52.6%) + 10 points.",
      'How bad: under its break-even caching loses money; above, it saves less than it could.',
      'Do first: nothing tonight: it can wait for working hours.',
      'Checks: 1) the hit ratio on the dashboard: since when; what changed then (deploy, system prompt, tools or their order, model) 2) diff the prefixes of two consecutive requests (a timestamp, id or user data before the checkpoint) 3) TTL: 5-minute misses calls over 5 min apart; 1-hour writes at 2x input (break-even 52.6%)',
      'Can it wait: yes: a loss over $1.00/h pages (caching costs money).',
      'Clears: when a published hour has a hit ratio ≥ its threshold or traffic below 50,000 cache tokens.',
      `Dashboard: ${DASHBOARD}`,
    ]);
    // Every alarm: PAGE or TICKET as its catalog says, then the sections in night order, the dashboard last.
    const order = ['How bad', 'Do first', 'Checks', 'Can it wait', 'Clears', 'Dashboard'];
    const shape = (a: AlarmProps) => {
      const lines = resolve(a.AlarmDescription, t).split('\n');
      const labels = lines.slice(1).map((l) => l.slice(0, l.indexOf(':')));
      return [lines[0].split('.')[0], labels.filter((l) => order.includes(l)).join('|') === labels.join('|'), labels[labels.length - 1]];
    };
    const severity = (a: AlarmProps) => (a.name.endsWith('-Page') || a.name.endsWith('-PublisherHeartbeat') ? 'PAGE' : 'TICKET');
    expect(alarms(t).map(shape)).toEqual(alarms(t).map((a) => [severity(a), true, 'Dashboard']));
  });

  test("runbook links and the stack's dashboard outputs name the console of the deploy partition", () => {
    const board = (host: string, kind: string) =>
      `https://${host}/cloudwatch/home?region=cn-north-1#dashboards/dashboard/TestMonitoring-${kind}-cn-north-1`;
    const hosts: Array<[string, string]> = [
      ['aws', 'console.aws.amazon.com'],
      ['aws-cn', 'console.amazonaws.cn'],
      ['aws-us-gov', 'console.amazonaws-us-gov.com'],
    ];
    for (const [partition, host] of hosts) {
      const lines = resolve(byName(t, FLEET[0]).AlarmDescription, t, 'cn-north-1', partition).split('\n');
      expect([
        lines.find((l) => l.startsWith('Dashboard: ')),
        resolve(t.Outputs!.OnCallDashboardUrl.Value, t, 'cn-north-1', partition),
        resolve(t.Outputs!.CostReviewDashboardUrl.Value, t, 'cn-north-1', partition),
      ]).toEqual([`Dashboard: ${board(host, 'OnCall')}`, board(host, 'OnCall'), board(host, 'CostReview')]);
    }
    expect(t.Mappings!.ConsoleHost).toEqual({
      aws: { host: 'console.aws.amazon.com' },
      'aws-cn': { host: 'console.amazonaws.cn' },
      'aws-us-gov': { host: 'console.amazonaws-us-gov.com' },
    });
    expect(t.Outputs!.OnCallDashboardUrl.Value).toEqual(
      consoleUrlJoin('#dashboards/dashboard/', { Ref: 'PromptCacheMonitoringOnCallDashboardAB9AEF3F' }),
    );
  });

  test('fleet descriptions share no run worth a Mapping: the template has only the console-host mapping', () => {
    expect(Object.keys(t.Mappings!)).toEqual(['ConsoleHost']);
  });
});

describe('the fleet window: the config window in publisher periods, cut to the 3 hours a Metrics Insights alarm sees', () => {
  test('publisherWindow covers the config window in whole publisher periods; fleetWindow keeps what fits after the settle delay and the newest period', () => {
    const hour = { periodMinutes: 60, settleDelayMinutes: 10 };
    const quarter = { periodMinutes: 15, settleDelayMinutes: 10 };
    expect(INSIGHTS_EVALUATION_MINUTES).toBe(180);
    // [config period, evaluation periods, datapoints to alarm] of low hit ratio, writes without reads, caching costs money.
    const windows = (p: typeof hour) =>
      [
        [15, 4, 3],
        [15, 3, 3],
        [60, 3, 3],
      ].map(([minutes, n, m]) => {
        const w = publisherWindow(minutes, n, m, p.periodMinutes);
        const f = fleetWindow(w, p);
        return [w.evaluationPeriods, w.datapointsToAlarm, f.datapointsToAlarm, f.evaluationPeriods, f.periodMinutes];
      });
    // At 60-minute periods: floor((180 − 10 − 60) / 60) = 1 period fits, so 1 of 1 for each.
    expect(windows(hour)).toEqual([
      [1, 1, 1, 1, 60],
      [1, 1, 1, 1, 60],
      [3, 3, 1, 1, 60],
    ]);
    // At 15-minute periods: floor((180 − 10 − 15) / 15) = 10 fit; 60 min × 3 = 12 periods is cut to 10.
    expect(windows(quarter)).toEqual([
      [4, 3, 3, 4, 15],
      [3, 3, 3, 3, 15],
      [12, 12, 10, 10, 15],
    ]);
  });

  test('a 15-minute publisher: low hit ratio 3 of 4, writes without reads 3 of 3, caching costs money 10 of 10, at 900 s', () => {
    const { t } = synth(withConfig({ publisher: { periodMinutes: 15 } }));
    expect(alarms(t).map((a) => [a.name, (a.Metrics as Array<{ Period?: number }>)[0].Period, ...settings(a)])).toEqual([
      [FLEET[0], 900, 'LessThanThreshold', 0, 4, 3, 'notBreaching'],
      [FLEET[1], 900, 'GreaterThanThreshold', 0, 3, 3, 'notBreaching'],
      [FLEET[2], 900, 'LessThanThreshold', 0, 10, 10, 'notBreaching'],
      [FLEET[3], 900, 'LessThanThreshold', -1, 10, 10, 'notBreaching'],
      [PIPELINE[0], undefined, 'GreaterThanOrEqualToThreshold', 1, 1, 1, 'notBreaching'],
      // 10 + 15 + 5 minutes.
      [PIPELINE[1], undefined, 'GreaterThanThreshold', 30, 2, 2, 'breaching'],
      // The bill check's are daily, whatever the publisher's period: 3 of 7 days, and 1 error in a day.
      [BILL[0], undefined, 'GreaterThanThreshold', 5, 7, 3, 'notBreaching'],
      [BILL[1], undefined, 'GreaterThanOrEqualToThreshold', 1, 1, 1, 'notBreaching'],
    ]);
    expect(resolve(byName(t, FLEET[0]).AlarmDescription, t).split('\n')[0]).toBe(
      "TICKET. Low hit ratio, per model (contributor ModelId): hit ratio read/(read+write) under the larger of 50% and this model's break-even (5-minute Claude cache 21.7%, 1-hour 52.6%) + 10 points.",
    );
  });

  test('alarms.pageAboveUsdPerHour: the page threshold of the fleet and of a precise model (its window in hours)', () => {
    const { t } = synth(
      withModelAlarms(
        { 'support-bot': { mode: 'precise', cachingCostsMoney: { windowMinutes: 30 } } },
        { alarms: { pageAboveUsdPerHour: 2.5 } },
      ),
    );
    expect([FLEET[2], FLEET[3], `${NAMES.support}-CachingCostsMoney`].map((n) => byName(t, n).Threshold)).toEqual([0, -2.5, -1.25]);
    expect(resolve(byName(t, FLEET[3]).AlarmDescription, t).split('\n')[0]).toBe(
      'PAGE. Caching costs money, per model (contributor ModelId): losing more than $2.50/h (net savings under -$2.50/h, alarms.pageAboveUsdPerHour).',
    );
  });

  test('a family turned off has no fleet alarm: caching costs money off leaves neither the ticket nor the page', () => {
    const { t, stack } = synth(withConfig({ alarms: { cachingCostsMoney: { enabled: false } } }));
    expect(alarms(t).map((a) => a.name)).toEqual([FLEET[0], FLEET[1], ...PIPELINE, ...BILL]);
    expect(stack.monitoring.alarms.catalog.map((a) => [a.name, a.severity])).toEqual([
      [FLEET[0], 'ticket'],
      [FLEET[1], 'ticket'],
      [PIPELINE[0], 'ticket'],
      [PIPELINE[1], 'page'],
      [BILL[0], 'ticket'],
      [BILL[1], 'ticket'],
    ]);
  });
});

describe('precise mode: models[].alarms.mode "precise"', () => {
  const { t, stack } = synth(
    withModelAlarms({ 'support-bot': { mode: 'precise' }, 'code-review': { mode: 'precise', lowHitRatio: { anomalyBandStdDevs: 2 } } }),
  );

  test('the fleet alarms stay; each precise model gets its own three alarms (the names and logical ids its per-model alarms had), code review also an anomaly band', () => {
    expect(alarms(t).map((a) => [a.id, a.name])).toEqual([
      ['LowHitRatio3118d421', FLEET[0]],
      ['WritesWithoutReads023bef05', FLEET[1]],
      ['CachingCostsMoney562d4259', FLEET[2]],
      ['CachingCostsMoneyPage9e75ff3a', FLEET[3]],
      ['LowHitRatio7f7449b2', `${NAMES.support}-LowHitRatio`],
      ['WritesWithoutReadsabdf3061', `${NAMES.support}-WritesWithoutReads`],
      ['CachingCostsMoneyd67634e1', `${NAMES.support}-CachingCostsMoney`],
      ['LowHitRatiob34b1676', `${NAMES.review}-LowHitRatio`],
      ['WritesWithoutReads0e093b8c', `${NAMES.review}-WritesWithoutReads`],
      ['CachingCostsMoneyece0cd1d', `${NAMES.review}-CachingCostsMoney`],
      ['LowHitRatioAnomaly73963379', `${NAMES.review}-LowHitRatioAnomaly`],
      ['PublisherErrors2bfedadb', PIPELINE[0]],
      ['PublisherHeartbeatbc3fb617', PIPELINE[1]],
      ['CostDrift5d6b4c68', BILL[0]],
      ['BillCheckErrors68c6be90', BILL[1]],
    ]);
    expect(actions(t)).toEqual(noActions(t));
    expect(stack.monitoring.alarms.catalog.filter((a) => a.kind === 'precise')).toEqual([
      { name: `${NAMES.support}-LowHitRatio`, family: 'lowHitRatio', severity: 'ticket', kind: 'precise', modelId: SONNET },
      { name: `${NAMES.support}-WritesWithoutReads`, family: 'writesWithoutReads', severity: 'ticket', kind: 'precise', modelId: SONNET },
      { name: `${NAMES.support}-CachingCostsMoney`, family: 'cachingCostsMoney', severity: 'page', kind: 'precise', modelId: SONNET },
      { name: `${NAMES.review}-LowHitRatio`, family: 'lowHitRatio', severity: 'ticket', kind: 'precise', modelId: SONNET_45 },
      { name: `${NAMES.review}-WritesWithoutReads`, family: 'writesWithoutReads', severity: 'ticket', kind: 'precise', modelId: SONNET_45 },
      { name: `${NAMES.review}-CachingCostsMoney`, family: 'cachingCostsMoney', severity: 'page', kind: 'precise', modelId: SONNET_45 },
      {
        name: `${NAMES.review}-LowHitRatioAnomaly`,
        family: 'lowHitRatio',
        severity: 'ticket',
        kind: 'precise',
        modelId: SONNET_45,
        anomalyBand: true,
      },
    ]);
    expect([...stack.monitoring.alarms.byModel.keys()]).toEqual([SONNET, SONNET_45]);
  });

  test('low hit ratio: raw Sums, gated by volume, below the larger of 50 % and break-even + 10 points (5-minute Claude 50, 1-hour Claude 62.63 %), 3 of 4 quarter-hours', () => {
    expect(
      [
        [NAMES.support, 'support-bot', SONNET],
        [NAMES.review, 'code-review', SONNET_45],
      ].map(([name, label, modelId]) => {
        const a = byName(t, `${name}-LowHitRatio`);
        expect(a.Metrics).toEqual([
          { Expression: LOW_HIT, Id: 'expr_1', Label: `${label}: hit ratio %`, ReturnData: true },
          ...cacheInputs(900, modelId),
        ]);
        return settings(a);
      }),
    ).toEqual([
      ['LessThanThreshold', 50, 4, 3, 'notBreaching'],
      ['LessThanThreshold', REVIEW_LOW_HIT, 4, 3, 'notBreaching'],
    ]);
  });

  test('writes without reads: the raw Sums (no read, the writes), >= 20,000 in 3 quarter-hours in a row', () => {
    const a = byName(t, `${NAMES.review}-WritesWithoutReads`);
    expect(a.Metrics).toEqual([
      { Expression: `IF(${R} == 0, ${W}, 0)`, Id: 'expr_1', Label: 'code-review: writes w/o reads', ReturnData: true },
      ...cacheInputs(900, SONNET_45),
    ]);
    expect(settings(a)).toEqual(['GreaterThanOrEqualToThreshold', 20000, 3, 3, 'notBreaching']);
  });

  test("caching costs money: net savings with the model's price constants below −$1 an hour × the 60-minute window, 3 windows in a row (it pages)", () => {
    // Claude 3.7 Sonnet via us.: 3 − 0.30 read discount, 3.75 − 3 write premium; Sonnet 4.5 global with the 1-hour cache: 6 − 3.
    const expected: Array<[string, string, string, string, string]> = [
      [NAMES.support, 'support-bot', SONNET, '2.7', '0.75'],
      [NAMES.review, 'code-review', SONNET_45, '2.7', '3'],
    ];
    for (const [name, display, modelId, discount, premium] of expected) {
      const a = byName(t, `${name}-CachingCostsMoney`);
      expect(a.Metrics).toEqual([
        { Expression: net(discount, premium), Id: 'expr_1', Label: `${display}: net savings USD`, ReturnData: true },
        ...cacheInputs(3600, modelId),
      ]);
      expect(settings(a)).toEqual(['LessThanThreshold', -1, 3, 3, 'notBreaching']);
    }
  });

  test("the anomaly band: below the band of 2 standard deviations CloudWatch learns from the model's publisher CacheHitRatio", () => {
    const { id, name, AlarmDescription, ...band } = byName(t, `${NAMES.review}-LowHitRatioAnomaly`);
    expect([id, name]).toEqual(['LowHitRatioAnomaly73963379', `${NAMES.review}-LowHitRatioAnomaly`]);
    expect(band).toEqual({
      AlarmName: `${NAMES.review}-LowHitRatioAnomaly`,
      ComparisonOperator: 'LessThanLowerThreshold',
      EvaluationPeriods: 1,
      Metrics: [
        { Expression: 'ANOMALY_DETECTION_BAND(m0, 2)', Id: 'expr_1', Label: 'Anomaly Detection Band', ReturnData: true },
        {
          Id: 'm0',
          Label: 'code-review: hit ratio %',
          MetricStat: {
            Metric: { Dimensions: [{ Name: 'ModelId', Value: SONNET_45 }], MetricName: 'CacheHitRatio', Namespace: 'BedrockPromptCache' },
            Period: 3600,
            Stat: 'Average',
          },
          ReturnData: true,
        },
      ],
      ThresholdMetricId: 'expr_1',
      TreatMissingData: 'notBreaching',
    });
    expect(resolve(AlarmDescription, t).split('\n')[0]).toBe(
      'TICKET. code-review: low hit ratio: hit ratio read/(read+write) under 62.6% (break-even 52.6% + 10 points), or under the band CloudWatch learned from its history (2 standard deviations).',
    );
  });

  test('a runbook per precise alarm: the model, its threshold, its prices and break-even', () => {
    expect(resolve(byName(t, `${NAMES.support}-LowHitRatio`).AlarmDescription, t)).toBe(
      [
        'TICKET. support-bot: low hit ratio: hit ratio read/(read+write) under 50% (the configured threshold).',
        'How bad: under its 21.7% break-even caching loses money; between 21.7% and 50% it still saves, less than it should.',
        'Do first: nothing tonight: it can wait for working hours.',
        // Claude 3.7 Sonnet has no 1-hour cache on Bedrock: no advice to try it.
        'Checks: 1) the hit ratio on the dashboard: since when; what changed then (deploy, system prompt, tools or their order, model) 2) diff the prefixes of two consecutive requests (a timestamp, id or user data before the checkpoint) 3) 5-minute cache (writes at 1.25x input): calls over 5 min apart miss and write again 4) a proxy dropping cachePoint / cache_control; cross-region routing',
        'Can it wait: yes: a loss over $1.00/h pages (caching costs money).',
        'Clears: when fewer than 3 of the last 4 15-minute periods with ≥ 50,000 cache tokens are under 50%.',
        `Dashboard: ${DASHBOARD}`,
      ].join('\n'),
    );
    const head = (name: string) => resolve(byName(t, name).AlarmDescription, t).split('\n')[0];
    expect(
      [`${NAMES.review}-LowHitRatio`, `${NAMES.review}-WritesWithoutReads`, `${NAMES.review}-CachingCostsMoney`].map((n) =>
        head(n).split(': ').slice(0, 2).join(': '),
      ),
    ).toEqual([
      'TICKET. code-review: low hit ratio',
      'TICKET. code-review: writes without reads',
      'PAGE. code-review: caching costs money',
    ]);
  });

  test('every description fits in 1,024 characters, even in the longest region name and console host', () => {
    const longest = (x: TemplateJson) =>
      alarms(x)
        .map((a) => [a.name, resolve(a.AlarmDescription, x, 'ap-southeast-77x', 'aws-us-gov').length] as const)
        .reduce((m, a) => (a[1] > m[1] ? a : m));
    // The longest keep fewer checks (the last ones give way first), within CloudWatch's 1,024.
    expect([longest(t), longest(synth(exampleConfig()).t), ALARM_DESCRIPTION_MAX]).toEqual([
      ['TestMonitoring-code-review-77b9d0c7-LowHitRatio', 1017],
      [FLEET[3], 1014],
      1024,
    ]);
  });

  test('runbook text shared by several precise alarms is stored once, in a Mapping (the low-hit text of two Haiku 4.5 models)', () => {
    const config = withModelAlarms({
      'support-bot': { mode: 'precise' },
      'code-review': { mode: 'precise' },
      'claims-triage': { mode: 'precise' },
    });
    const every = synth(
      parseConfig(
        {
          ...config,
          models: config.models.map((m) =>
            m.displayName === 'support-bot' ? { ...m, priceAs: 'anthropic.claude-haiku-4-5-20251001-v1:0' } : m,
          ),
        },
        'test',
      ),
    ).t;
    const runbooks = Object.entries(every.Mappings ?? {}).filter(([id]) => id.startsWith('Runbooks'));
    // The texts after the first line that the two models priced as Haiku 4.5 share: stored once, each alarm points at them.
    expect(runbooks.flatMap(([, m]) => Object.values(m).map((v) => v.text.split('\n')[1].slice(0, 40)))).toEqual([
      'How bad: under its 21.7% break-even cach',
      'How bad: at least $0.022/h wasted (20,00',
    ]);
  });

  test('an anomaly band asked of a fleet model: an info says it needs precise mode, and none is built', () => {
    const { t: x, stack: s } = synth(withModelAlarms({ 'claims-triage': { lowHitRatio: { anomalyBandStdDevs: 3 } } }));
    expect(alarms(x).map((a) => a.name)).toEqual([...FLEET, ...PIPELINE, ...BILL]);
    expect(infosOf(s)).toEqual([
      'models[2].alarms.lowHitRatio.anomalyBandStdDevs: an anomaly band needs mode "precise" (a fleet alarm compares every model with one static threshold), so none is built for claims-triage',
    ]);
  });

  test('a per-model override changes that precise model only; models[].alarms.enabled false leaves a precise model without alarms', () => {
    const { t: x } = synth(
      withModelAlarms({
        'support-bot': {
          mode: 'precise',
          lowHitRatio: { thresholdPercent: 70, periodMinutes: 5, evaluationPeriods: 3, datapointsToAlarm: 2, minCacheTokens: 1000 },
        },
        'code-review': { mode: 'precise', enabled: false },
        'claims-triage': {
          mode: 'precise',
          writesWithoutReads: { enabled: false },
          cachingCostsMoney: { windowMinutes: 30, evaluationPeriods: 4 },
        },
      }),
    );
    const low = byName(x, `${NAMES.support}-LowHitRatio`);
    expect(
      (low.Metrics as Array<{ Expression?: string; MetricStat?: { Period: number } }>).map((m) => m.Expression ?? m.MetricStat!.Period),
    ).toEqual([`IF((${R} + ${W}) >= 1000, 100 * ${R} / (${R} + ${W}))`, 300, 300, 300, 300]);
    expect(settings(low)).toEqual(['LessThanThreshold', 70, 3, 2, 'notBreaching']);
    expect(alarms(x).map((a) => a.name)).toEqual([
      ...FLEET,
      ...perModel(NAMES.support),
      `${NAMES.claims}-LowHitRatio`,
      `${NAMES.claims}-CachingCostsMoney`,
      ...PIPELINE,
      ...BILL,
    ]);
    // Haiku 4.5 (priceAs) through an application profile: +10 % regional, 1.1 − 0.11 and 1.375 − 1.1; −$1/h × 30 min.
    const cost = byName(x, `${NAMES.claims}-CachingCostsMoney`);
    expect(cost.Metrics).toEqual([
      { Expression: net('0.99', '0.275'), Id: 'expr_1', Label: 'claims-triage: net savings USD', ReturnData: true },
      ...cacheInputs(1800, CLAIMS),
    ]);
    expect(settings(cost)).toEqual(['LessThanThreshold', -0.5, 4, 4, 'notBreaching']);
  });
});

describe('without the publisher (publisher: false)', () => {
  const stack = new Stack(new App({ context: BUNDLING_SKIPPED }), 'NoPublisher');
  const monitoring = new PromptCacheMonitoring(stack, 'Cache', { config: exampleConfig(), publisher: false });
  const t = Template.fromStack(stack).toJSON() as TemplateJson;

  test('every configured model gets precise alarms, an info says why; no fleet or pipeline alarm (both read the publisher)', () => {
    expect(alarms(t).map((a) => [a.name.replace('NoPublisher-', ''), a.Threshold])).toEqual([
      ['support-bot-78e8aa25-LowHitRatio', 50],
      ['support-bot-78e8aa25-WritesWithoutReads', 20000],
      ['support-bot-78e8aa25-CachingCostsMoney', -1],
      ['code-review-77b9d0c7-LowHitRatio', REVIEW_LOW_HIT],
      ['code-review-77b9d0c7-WritesWithoutReads', 20000],
      ['code-review-77b9d0c7-CachingCostsMoney', -1],
      ['claims-triage-8008f2fc-LowHitRatio', 50],
      ['claims-triage-8008f2fc-WritesWithoutReads', 20000],
      ['claims-triage-8008f2fc-CachingCostsMoney', -1],
    ]);
    expect(ofType(t, 'AWS::CloudWatch::CompositeAlarm')).toEqual([]);
    expect(infosOf(stack)).toEqual([
      "alarms: the fleet alarms read the savings publisher's series, so without the publisher every configured model gets precise alarms of its own on the raw AWS/Bedrock metrics, and models not in the config none",
    ]);
    expect([monitoring.alarms.fleet.size, monitoring.alarms.pipeline, new Set(monitoring.alarms.catalog.map((a) => a.kind))]).toEqual([
      0,
      {},
      new Set(['precise']),
    ]);
    expect(actions(t)).toEqual(noActions(t));
  });

  test('writes without reads reads the raw Sums; both topics are created all the same', () => {
    const wwr = byName(t, 'NoPublisher-claims-triage-8008f2fc-WritesWithoutReads');
    expect((wwr.Metrics as Array<{ Expression?: string; Id: string }>).map((m) => m.Expression ?? m.Id)).toEqual([
      `IF(${R} == 0, ${W}, 0)`,
      'r_0',
      'r_1',
      'w_0',
      'w_1',
    ]);
    expect(settings(wwr)).toEqual(['GreaterThanOrEqualToThreshold', 20000, 3, 3, 'notBreaching']);
    expect(alarmTopics(t)).toEqual(['CacheAlarmsOnCallTopicAB19DFE2', 'CacheAlarmsTicketsTicketTopic4D653A8D']);
  });
});

describe('topics and where notifications go', () => {
  test('alarms.emails subscribe to the paging topic; tickets go to alarms.tickets.emails, else to alarms.emails', () => {
    const both = synth(withConfig({ alarms: { emails: ['oncall@example.com'] } })).t;
    expect(emailsOf(both)).toEqual([
      ['PromptCacheMonitoringAlarmsOnCallTopiconcallexamplecom3839CB42', { Ref: ON_CALL.topic }, 'email', 'oncall@example.com'],
      ['PromptCacheMonitoringAlarmsTicketsTicketTopiconcallexamplecom63CBE4B2', { Ref: TICKETS.topic }, 'email', 'oncall@example.com'],
    ]);
    const split = synth(
      withConfig({ alarms: { emails: ['oncall@example.com'], tickets: { emails: ['team@example.com', 'lead@example.com'] } } }),
    );
    expect(emailsOf(split.t).map(([, topic, , email]) => [topic, email])).toEqual([
      [{ Ref: ON_CALL.topic }, 'oncall@example.com'],
      [{ Ref: TICKETS.topic }, 'team@example.com'],
      [{ Ref: TICKETS.topic }, 'lead@example.com'],
    ]);
    expect([plannedResources(split.stack.monitoring.alarms.plan).notification, warningsOf(split.stack)]).toEqual([16 + 3, []]);
  });

  test('existing topics by ARN: none created, nothing else changes; the paging addresses subscribe to the paging ARN', () => {
    const pager = 'arn:aws:sns:eu-west-1:111122223333:team-pager';
    const queue = 'arn:aws:sns:eu-west-1:111122223333:team-tickets';
    const { t, stack } = synth(withConfig({ alarms: { topicArn: pager, emails: ['oncall@example.com'], tickets: { topicArn: queue } } }));
    expect([alarmTopics(t), ofType(t, 'AWS::KMS::Key').length, ofType(t, 'AWS::SNS::TopicPolicy').length]).toEqual([[], 1, 1]);
    expect(emailsOf(t).map(([, topic, protocol, email]) => [topic, protocol, email])).toEqual([[pager, 'email', 'oncall@example.com']]);
    expect([
      stack.monitoring.alarms.topic!.topicArn,
      stack.monitoring.alarms.ticketTopic!.topicArn,
      t.Outputs!.TicketTopicArn.Value,
    ]).toEqual([pager, queue, queue]);
    expect(alarms(t).map((a) => a.name)).toEqual([...FLEET, ...PIPELINE, ...BILL]);
    expect(actions(t)).toEqual(noActions(t));
    // 8 alarms, the notifier and the one subscription.
    expect(plannedResources(stack.monitoring.alarms.plan)).toEqual({
      metricAlarms: 8,
      notification: NOTIFIER_RESOURCES + 1,
      total: 19,
      monthlyAlarmCostUSD: 0.5,
      fleetAlarmUsdPerModel: 0.4,
    });
  });

  test('tickets-unrouted: a synth warning when pages have a destination but tickets reach nobody', () => {
    const pager = 'arn:aws:sns:eu-west-1:111122223333:team-pager';
    const { stack } = synth(withConfig({ alarms: { topicArn: pager } }));
    expect(warningsOf(stack)).toEqual([
      'alarms.tickets: pages go to the on-call topic, but tickets (everything that can wait for working hours) go to a topic nobody subscribes to; ' +
        'set alarms.tickets.emails or alarms.tickets.topicArn (or the ticketTopic prop) [ack: prompt-cache:tickets-unrouted]',
    ]);
    const kinds = (alarmsConfig: object, topicProvided = false) =>
      planAlarms(withConfig({ alarms: alarmsConfig }), { publisher: true, namePrefix: P, topicProvided }).warnings.map((w) => w.kind);
    expect([
      kinds({ emails: ['oncall@example.com'], tickets: { emails: [] } }),
      kinds({}, true),
      // Routed, or nothing routed at all (the example config): no warning.
      kinds({ topicArn: pager, tickets: { emails: ['team@example.com'] } }),
      kinds({ topicArn: pager, tickets: { topicArn: 'arn:aws:sns:eu-west-1:111122223333:team-tickets' } }),
      kinds({ emails: ['oncall@example.com'] }),
      kinds({}),
    ]).toEqual([['tickets-unrouted'], ['tickets-unrouted'], [], [], [], []]);
  });

  test('a topic prop together with its config key: one ConfigError naming both, for pages and for tickets', () => {
    const stack = new Stack(new App({ context: BUNDLING_SKIPPED }), 'Team');
    const config = withConfig({
      alarms: {
        topicArn: 'arn:aws:sns:eu-west-1:111122223333:team-pager',
        tickets: { topicArn: 'arn:aws:sns:eu-west-1:111122223333:team-tickets' },
      },
    });
    expect(
      thrownMessage(
        () =>
          new PromptCacheAlarms(stack, 'Mine', {
            config,
            namePrefix: 'mine',
            dashboardUrl: 'https://example.com',
            topic: new sns.Topic(stack, 'Pager'),
            ticketTopic: new sns.Topic(stack, 'Queue'),
          }),
      ),
    ).toBe(
      'invalid config in PromptCacheAlarms Team/Mine:\n' +
        '  - topic: config.alarms.topicArn (arn:aws:sns:eu-west-1:111122223333:team-pager) names an on-call topic too; give one of them\n' +
        '  - ticketTopic: config.alarms.tickets.topicArn (arn:aws:sns:eu-west-1:111122223333:team-tickets) names a ticket topic too; give one of them',
    );
  });

  test('alarms.enabled false: no alarm, no topic', () => {
    const { t, stack } = synth(withConfig({ alarms: { enabled: false } }));
    expect([alarms(t), alarmTopics(t), stack.monitoring.alarms.catalog, plannedResources(stack.monitoring.alarms.plan).total]).toEqual([
      [],
      [],
      [],
      0,
    ]);
  });

  test('alarms.allModels: still accepted, unused; an info says so', () => {
    const { t, stack } = synth(withConfig({ alarms: { allModels: true } }));
    expect(alarms(t).map((a) => a.name)).toEqual([...FLEET, ...PIPELINE, ...BILL]);
    expect(infosOf(stack)).toEqual([
      'alarms.allModels: no longer used; the fleet alarms watch every model the publisher sees, each on its own',
    ]);
  });
});

describe('migration from the per-model alarms and roll-ups', () => {
  /** Every alarm the example config had before the fleet alarms (3 per model, 3 all-models, 2 roll-ups). */
  const OLD_NAMES = [
    `${P}-AllModels-LowHitRatio`,
    `${P}-AllModels-WritesWithoutReads`,
    `${P}-AllModels-CachingCostsMoney`,
    ...perModel(NAMES.support),
    ...perModel(NAMES.review),
    ...perModel(NAMES.claims),
    `${P}-CacheHealth`,
    `${P}-SavingsPipeline`,
  ];

  test('no old per-model name is left unless its model is precise (then with its old logical id); the on-call topic, key, policy and subscription keep theirs', () => {
    const { t } = synth(withModelAlarms({ 'support-bot': { mode: 'precise' } }, { alarms: { emails: ['oncall@example.com'] } }));
    expect(
      alarms(t)
        .filter((a) => OLD_NAMES.includes(a.name))
        .map((a) => [a.id, a.name]),
    ).toEqual([
      ['LowHitRatio7f7449b2', `${NAMES.support}-LowHitRatio`],
      ['WritesWithoutReadsabdf3061', `${NAMES.support}-WritesWithoutReads`],
      ['CachingCostsMoneyd67634e1', `${NAMES.support}-CachingCostsMoney`],
    ]);
    expect([ON_CALL.key, ON_CALL.topic, ON_CALL.policy].map((id) => t.Resources[id]?.Type)).toEqual([
      'AWS::KMS::Key',
      'AWS::SNS::Topic',
      'AWS::SNS::TopicPolicy',
    ]);
    expect(emailsOf(t)[0]).toEqual([
      'PromptCacheMonitoringAlarmsOnCallTopiconcallexamplecom3839CB42',
      { Ref: ON_CALL.topic },
      'email',
      'oncall@example.com',
    ]);
    // The old roll-ups' recovery rule is gone: the rules are the publisher's, the bill check's and the digest's schedules
    // and the notifier's.
    expect(ofType(t, 'AWS::Events::Rule').map(([id]) => id)).toEqual([
      'PromptCacheMonitoringSavingsPublisherSchedule4CB41D93',
      'PromptCacheMonitoringBillCheckSchedule22178E0A',
      'PromptCacheMonitoringWeeklyDigestSchedule9C08B69A',
      'PromptCacheMonitoringAlarmsNotifierAlarmEventsCF1D603C',
    ]);
  });
});

describe('synth-time warnings and the name prefix', () => {
  test('precise alarms (no publisher): an alarmed model without a price, one without a write premium, a threshold that can never fire', () => {
    const stack = new Stack(new App({ context: BUNDLING_SKIPPED }), 'Warned');
    const config = parseConfig(
      {
        models: [
          {
            modelId: 'us.example.unknown-model-v1:0',
            displayName: 'mystery',
            alarms: { lowHitRatio: { thresholdPercent: 0, breakEvenMarginPoints: 0 } },
          },
          { modelId: 'us.amazon.nova-pro-v1:0' },
        ],
      },
      'test',
    );
    new PromptCacheMonitoring(stack, 'Cache', { config, publisher: false });
    expect(warningsOf(stack)).toEqual([
      'models[0].alarms.lowHitRatio.thresholdPercent: a hit ratio is never below 0 %, so the low-hit-ratio alarm of models[0] (mystery, us.example.unknown-model-v1:0) could never fire and is left out; raise the threshold or set enabled: false [ack: prompt-cache:threshold-never-fires]',
      'models[0] (mystery, us.example.unknown-model-v1:0): no price known, so its caching-costs-money alarm is left out; add pricing["us.example.unknown-model-v1:0"] or set priceAs [ack: prompt-cache:unpriced-model]',
      'models[1] (us.amazon.nova-pro-v1:0): cache writes cost no more than uncached input (catalog:amazon.nova-pro-v1:0), so caching never costs money and its caching-costs-money alarm could never fire; it is left out [ack: prompt-cache:no-write-premium]',
    ]);
    expect(alarms(Template.fromStack(stack).toJSON() as TemplateJson).map((a) => [a.name.replace('Warned-', ''), a.Threshold])).toEqual([
      ['mystery-9879d3a2-WritesWithoutReads', 20000],
      // Nova's break-even is 0 %: its threshold is the 50 % floor.
      ['us.amazon.nova-pro-v1-0-bd441759-LowHitRatio', 50],
      ['us.amazon.nova-pro-v1-0-bd441759-WritesWithoutReads', 20000],
    ]);
  });

  test('fleet models are not warned about: their alarms are the fleet alarms', () => {
    const stack = new Stack(new App({ context: BUNDLING_SKIPPED }), 'Quiet');
    new PromptCacheMonitoring(stack, 'Cache', {
      config: { models: [{ modelId: 'us.example.unknown-model-v1:0' }, { modelId: 'us.amazon.nova-pro-v1:0' }] },
    });
    expect(warningsOf(stack)).toEqual([]);
  });

  test('the alarm name prefix is a prop; a bad one is reported with the other problems', () => {
    const stack = new Stack(new App({ context: BUNDLING_SKIPPED }), 'Team');
    new PromptCacheMonitoring(stack, 'Cache', { config: exampleConfig(), alarmNamePrefix: 'team-a' });
    const t = Template.fromStack(stack).toJSON() as TemplateJson;
    expect(alarms(t).map((a) => a.name)).toEqual([...FLEET, ...PIPELINE, ...BILL].map((n) => n.replace(`${P}-`, 'team-a-')));
    expect(
      (t.Resources.CacheAlarmsOnCallTopicPolicyE40535AD.Properties.PolicyDocument as { Statement: Cfn[] }).Statement[1].Condition,
    ).toEqual(fromOurAlarms('team-a'));
    expect(
      () => new PromptCacheMonitoring(new Stack(new App(), 'X'), 'Cache', { config: exampleConfig(), alarmNamePrefix: 'a b' }),
    ).toThrow(
      'invalid config in PromptCacheMonitoring X/Cache:\n  - alarmNamePrefix: must be 1 to 128 letters, digits, ".", "-" or "_" (got "a b")',
    );
  });
});

describe('scale', () => {
  test('the fleet does not grow with the models: 3 and 300 configured models, the same resources and the same on-call dashboard body', () => {
    const [few, many] = [3, 300].map((n) => synth(configWithModels(n)));
    const types = (t: TemplateJson) =>
      Object.values(t.Resources)
        .map((r) => r.Type)
        .sort();
    const onCall = (t: TemplateJson) => Buffer.byteLength(dashboardBodies(t).find((b) => b.text.includes('Paged? start here'))!.text);
    expect([few, many].map(({ t }) => [Object.keys(t.Resources).length, alarms(t).length, onCall(t)])).toEqual([
      [54, 8, 10825],
      [54, 8, 10825],
    ]);
    expect(types(many.t)).toEqual(types(few.t));
    expect(plannedResources(many.stack.monitoring.alarms.plan)).toEqual(plannedResources(few.stack.monitoring.alarms.plan));
  });

  test('plan: per precise model 3 alarms and $1.20 a month (4 + 4 + 4 metrics, both spellings), $0.60 pinned; 2 and $0.80 without a price; a fleet model adds nothing', () => {
    const plan = (config: PromptCacheConfig) => plannedResources(planAlarms(config, { publisher: true, namePrefix: 'S' }));
    const step = (a: ReturnType<typeof plan>, b: ReturnType<typeof plan>) => [
      b.metricAlarms - a.metricAlarms,
      b.total - a.total,
      Math.round((b.monthlyAlarmCostUSD - a.monthlyAlarmCostUSD) * 100) / 100,
    ];
    expect(step(plan(allPrecise(benchConfig(1))), plan(allPrecise(benchConfig(2))))).toEqual([3, 3, 1.2]);
    const pin = { bedrockMetricNames: { cacheReadInputTokens: 'CacheReadInputTokens', cacheWriteInputTokens: 'CacheWriteInputTokens' } };
    const pinned = (n: number) => plan(allPrecise(parseConfig({ ...benchConfig(n), ...pin }, 't')));
    expect(step(pinned(1), pinned(2))).toEqual([3, 3, 0.6]);
    const unpriced = (n: number) =>
      plan(allPrecise(parseConfig({ models: Array.from({ length: n }, (_, i) => ({ modelId: `us.x.m${i}` })) }, 't')));
    expect(step(unpriced(1), unpriced(2))).toEqual([2, 2, 0.8]);
    expect(step(plan(benchConfig(1)), plan(benchConfig(2)))).toEqual([0, 0, 0]);
    expect(plan(allPrecise(benchConfig(1)))).toEqual({
      metricAlarms: 9,
      notification: 16,
      total: 25,
      monthlyAlarmCostUSD: 1.4,
      fleetAlarmUsdPerModel: 0.4,
    });
  });

  test('over 500 resources, which only many precise models reach: synth fails and says how many fit', () => {
    const config = allPrecise(benchConfig(200));
    const plan = planAlarms(config, { publisher: true, namePrefix: 'BedrockPromptCacheMonitoring' });
    expect([modelsThatFit(plan, 30), modelsThatFit(plan, 30, 1000)]).toEqual([149, 200]);
    expect(
      () => new PromptCacheMonitoringStack(new App({ context: BUNDLING_SKIPPED }), 'BedrockPromptCacheMonitoring', { config }),
    ).toThrow(
      'invalid config in PromptCacheMonitoring BedrockPromptCacheMonitoring/PromptCacheMonitoring:\n' +
        '  - models: 200 models with up to 3 alarms each need 655 CloudFormation resources in stack BedrockPromptCacheMonitoring, over the limit of 500: at most 148 of these models fit. ' +
        'Turn alarm families off (alarms.<family>.enabled: false), turn alarms off for some models (models[].alarms.enabled: false), or split the models across stacks.',
    );
    // A lower limit (aws-cdk-lib's context key) shows the boundary at a fraction of the synth time: Y models fit, Y + 1 do not.
    const limited = (n: number) => {
      const app = new App({ context: { ...BUNDLING_SKIPPED, '@aws-cdk/core:stackResourceLimit': 100 } });
      new PromptCacheMonitoringStack(app, 'Small', { config: allPrecise(benchConfig(n)) });
      return Object.keys(app.synth().getStackByName('Small').template.Resources).length;
    };
    expect(thrownMessage(() => limited(30))).toBe(
      'invalid config in PromptCacheMonitoring Small/PromptCacheMonitoring:\n' +
        '  - models: 30 models with up to 3 alarms each need 145 CloudFormation resources in stack Small, over the limit of 100: at most 15 of these models fit. ' +
        'Turn alarm families off (alarms.<family>.enabled: false), turn alarms off for some models (models[].alarms.enabled: false), or split the models across stacks.',
    );
    expect(thrownMessage(() => limited(16))).toContain(
      '16 models with up to 3 alarms each need 103 CloudFormation resources in stack Small, over the limit of 100: at most 15',
    );
    // 15 fit: 99 resources, the notifier's 10 and the bill check's 7 among them, and AWS::CDK::Metadata (when `cdk synth`
    // adds it) 100.
    expect(limited(15)).toBe(99);
  });

  test('precise models: 100 synthesize (the notifier knows each alarm by its name, not from a list), every description within 1,024', () => {
    const { t } = synth(allPrecise(benchConfig(100)), 'BedrockPromptCacheMonitoring');
    expect([Object.keys(t.Resources).length, alarms(t).length, Buffer.byteLength(withoutAssetHashes(JSON.stringify(t)))]).toEqual([
      354, 308, 738_414,
    ]);
    const lengths = alarms(t).map((a) => resolve(a.AlarmDescription, t, 'ap-southeast-77x', 'aws-us-gov').length);
    expect(lengths.filter((n) => n > ALARM_DESCRIPTION_MAX)).toEqual([]);
  });
});
