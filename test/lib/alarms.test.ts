/**
 * The alarm families, their SNS topic, runbooks and roll-ups, on the synthesized template (aws-cdk-lib/assertions):
 * the exact metric math and metrics, thresholds, periods, datapoints, missing-data treatment, actions; the topic's
 * policy and encryption; the synth-time warnings; the resource limit; and the template size at 100 models.
 */
process.env.CDK_VALIDATION = 'false';

import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { PromptCacheMonitoring, PromptCacheMonitoringStack, parseConfig, type ConfigInput, type PromptCacheConfig } from '../../lib';
import { ALARM_DESCRIPTION_MAX, formatUsd, modelsThatFit, planAlarms, plannedResources } from '../../lib/alarms';
import { benchConfig } from '../support/configs';
import { cfnValue } from '../support/cfn-values';
import { exampleConfig } from './template-helpers';

type Cfn = Record<string, unknown>;
interface TemplateJson {
  Resources: Record<string, { Type: string; Properties: Cfn; DependsOn?: string[] }>;
  Mappings?: Record<string, Record<string, Record<string, string>>>;
  Outputs?: Record<string, { Description: string; Value: unknown }>;
}

const ACCOUNT = '111122223333';

/** A CloudFormation value of the template as a string, in `region` and `partition` (the shared resolver). */
function resolve(value: unknown, t: TemplateJson, region = 'eu-west-1', partition = 'aws'): string {
  return cfnValue(value, { template: t, pseudo: { 'AWS::Region': region, 'AWS::AccountId': ACCOUNT, 'AWS::Partition': partition } });
}

function synth(config: PromptCacheConfig, stackName = 'TestMonitoring'): { t: TemplateJson; stack: PromptCacheMonitoringStack } {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new PromptCacheMonitoringStack(app, stackName, { config });
  return { t: Template.fromStack(stack).toJSON() as TemplateJson, stack };
}

const withConfig = (input: ConfigInput) => parseConfig({ ...(JSON.parse(JSON.stringify(exampleConfig())) as object), ...input }, 'test');

type AlarmProps = Cfn & { id: string; name: string };
function alarms(t: TemplateJson, type = 'AWS::CloudWatch::Alarm'): AlarmProps[] {
  return Object.entries(t.Resources)
    .filter(([, r]) => r.Type === type)
    .map(([id, r]) => ({ ...r.Properties, id, name: r.Properties.AlarmName as string }));
}
const byName = (t: TemplateJson, name: string) => {
  const found = [...alarms(t), ...alarms(t, 'AWS::CloudWatch::CompositeAlarm')].filter((a) => a.name === name);
  expect(found.map((a) => a.name)).toEqual([name]);
  return found[0];
};

const SONNET = 'us.anthropic.claude-3-7-sonnet-20250219-v1:0';
const SONNET_45 = 'global.anthropic.claude-sonnet-4-5-20250929-v1:0';
const CLAIMS = 'arn:aws:bedrock:us-east-1:111122223333:application-inference-profile/a1b2c3d4e5f6';
const P = 'TestMonitoring';
const NAMES = {
  support: `${P}-support-bot-78e8aa25`,
  review: `${P}-code-review-77b9d0c7`,
  claims: `${P}-claims-triage-8008f2fc`,
};

/** An input metric of a math alarm: a Sum of one AWS/Bedrock token metric, per model or (no id) all models. */
function tokenStat(id: string, metricName: string, period: number, modelId?: string) {
  return {
    Id: id,
    MetricStat: {
      Metric: {
        ...(modelId === undefined ? {} : { Dimensions: [{ Name: 'ModelId', Value: modelId }] }),
        MetricName: metricName,
        Namespace: 'AWS/Bedrock',
      },
      Period: period,
      Stat: 'Sum',
    },
    ReturnData: false,
  };
}
const READ = 'CacheReadInputTokenCount';
const WRITE = 'CacheWriteInputTokenCount';
/** Each cache metric under both spellings (the config pins none), the larger per period. */
const R = 'MAX([FILL(r_0, 0), FILL(r_1, 0)])';
const W = 'MAX([FILL(w_0, 0), FILL(w_1, 0)])';
const LOW_HIT = `IF((${R} + ${W}) >= 50000, 100 * ${R} / (${R} + ${W}))`;
const net = (discount: string, premium: string) => `IF((${R} + ${W}) >= 50000, (${R} * ${discount} - ${W} * ${premium}) / 1000000)`;
/** The four token inputs of a per-model cache alarm: both spellings of read and write. */
const cacheInputs = (period: number, modelId: string) => [
  tokenStat('r_0', READ, period, modelId),
  tokenStat('r_1', 'CacheReadInputTokens', period, modelId),
  tokenStat('w_0', WRITE, period, modelId),
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

/** The one metric of a single-metric alarm (labelled, so in the Metrics form): namespace, name, dimensions, stat, period. */
function single(a: ReturnType<typeof byName>) {
  const [m] = a.Metrics as Array<{
    Id: string;
    Label: string;
    ReturnData: boolean;
    MetricStat: { Metric: Cfn; Period: number; Stat: string };
  }>;
  expect([(a.Metrics as unknown[]).length, m.ReturnData]).toEqual([1, true]);
  return [
    m.Label,
    m.MetricStat.Metric.Namespace,
    m.MetricStat.Metric.MetricName,
    m.MetricStat.Metric.Dimensions ?? null,
    m.MetricStat.Stat,
    m.MetricStat.Period,
  ];
}

/** The alarm's settings, as the template holds them. */
function settings(a: ReturnType<typeof byName>) {
  return [
    a.ComparisonOperator,
    a.Threshold,
    a.EvaluationPeriods,
    a.DatapointsToAlarm,
    a.TreatMissingData,
    a.AlarmActions ?? null,
    a.OKActions ?? null,
  ];
}

describe('alarm families with the example config of cdk.json', () => {
  const { t } = synth(exampleConfig());
  const topic = Object.keys(t.Resources).find((id) => t.Resources[id].Type === 'AWS::SNS::Topic' && id.includes('OnCallTopic'))!;

  test('14 metric alarms (3 per model, 3 for all models, 2 for the pipeline) and 2 roll-ups', () => {
    expect(alarms(t).map((a) => a.name)).toEqual([
      `${P}-AllModels-LowHitRatio`,
      `${P}-AllModels-WritesWithoutReads`,
      `${P}-AllModels-CachingCostsMoney`,
      ...[NAMES.support, NAMES.review, NAMES.claims].flatMap((n) => [
        `${n}-LowHitRatio`,
        `${n}-WritesWithoutReads`,
        `${n}-CachingCostsMoney`,
      ]),
      `${P}-PublisherErrors`,
      `${P}-PublisherHeartbeat`,
    ]);
    expect(alarms(t, 'AWS::CloudWatch::CompositeAlarm').map((a) => a.name)).toEqual([`${P}-CacheHealth`, `${P}-SavingsPipeline`]);
  });

  test('low hit ratio: division-safe math over raw Sums, gated by volume, < 50 %, 3 of 4 quarter-hours, quiet is not breaching', () => {
    const a = byName(t, `${NAMES.support}-LowHitRatio`);
    expect(a.Metrics).toEqual([
      { Expression: LOW_HIT, Id: 'expr_1', Label: 'support-bot: hit ratio %', ReturnData: true },
      ...cacheInputs(900, SONNET),
    ]);
    expect(settings(a)).toEqual(['LessThanThreshold', 50, 4, 3, 'notBreaching', null, null]);
    // All models: the publisher's totals (no dimensionless AWS/Bedrock series is documented), 4 quarter-hours = 1 hour.
    const all = byName(t, `${P}-AllModels-LowHitRatio`);
    expect(all.Metrics).toEqual([
      {
        Expression: 'IF((FILL(r, 0) + FILL(w, 0)) >= 50000, 100 * FILL(r, 0) / (FILL(r, 0) + FILL(w, 0)))',
        Id: 'expr_1',
        Label: 'all models: hit ratio % (publisher)',
        ReturnData: true,
      },
      customStat('r', 'CacheReadTokens', 'Sum', 3600),
      customStat('w', 'CacheWriteTokens', 'Sum', 3600),
    ]);
    expect(settings(all)).toEqual(['LessThanThreshold', 50, 1, 1, 'notBreaching', null, null]);
  });

  test("writes without reads: the publisher's write tokens of read-less periods (settled, whole periods only) >= 20,000 in the hour", () => {
    const a = byName(t, `${NAMES.claims}-WritesWithoutReads`);
    expect(single(a)).toEqual([
      'claims-triage: writes w/o reads (publisher)',
      'BedrockPromptCache',
      'WritesWithoutReadsTokens',
      [{ Name: 'ModelId', Value: CLAIMS }],
      'Sum',
      3600,
    ]);
    // 3 quarter-hours in a row fit in one publisher hour.
    expect(settings(a)).toEqual(['GreaterThanOrEqualToThreshold', 20000, 1, 1, 'notBreaching', null, null]);
    const all = byName(t, `${P}-AllModels-WritesWithoutReads`);
    expect(single(all)).toEqual([
      'all models: writes w/o reads (publisher)',
      'BedrockPromptCache',
      'WritesWithoutReadsTokens',
      null,
      'Sum',
      3600,
    ]);
  });

  test("caching costs money: net savings with each model's price constants < $0 in 3 hours in a row", () => {
    // Claude 3.7 Sonnet via us.: 3 − 0.30 read discount, 3.75 − 3 write premium; Sonnet 4.5 global with the 1-hour
    // cache: 6 − 3; Haiku 4.5 (priceAs) through an application profile: +10 % regional, 1.1 − 0.11 and 1.375 − 1.1.
    const expected: Array<[string, string, string, string, string]> = [
      [NAMES.support, 'support-bot', SONNET, '2.7', '0.75'],
      [NAMES.review, 'code-review', SONNET_45, '2.7', '3'],
      [NAMES.claims, 'claims-triage', CLAIMS, '0.99', '0.275'],
    ];
    for (const [name, display, modelId, discount, premium] of expected) {
      const a = byName(t, `${name}-CachingCostsMoney`);
      expect(a.Metrics).toEqual([
        { Expression: net(discount, premium), Id: 'expr_1', Label: `${display}: net savings USD`, ReturnData: true },
        ...cacheInputs(3600, modelId),
      ]);
      expect(settings(a)).toEqual(['LessThanThreshold', 0, 3, 3, 'notBreaching', null, null]);
    }
  });

  test("all models' cost: the publisher's NetSavingsUSD (prices differ per model), late data ignored", () => {
    const a = byName(t, `${P}-AllModels-CachingCostsMoney`);
    expect(single(a)).toEqual(['Net savings USD, all models (publisher)', 'BedrockPromptCache', 'NetSavingsUSD', null, 'Sum', 3600]);
    expect(settings(a)).toEqual(['LessThanThreshold', 0, 3, 3, 'ignore', null, null]);
  });

  test('pipeline: publisher errors >= 1; no PublisherLagMinutes report (filled 99999) or a lag over 75 min for 2 periods, missing data breaching', () => {
    const errors = byName(t, `${P}-PublisherErrors`);
    const fn = Object.keys(t.Resources).find((id) => t.Resources[id].Type === 'AWS::Lambda::Function' && id.includes('SavingsPublisher'));
    expect(single(errors)).toEqual([
      'Publisher errors',
      'AWS/Lambda',
      'Errors',
      [{ Name: 'FunctionName', Value: { Ref: fn } }],
      'Sum',
      3600,
    ]);
    expect(settings(errors)).toEqual(['GreaterThanOrEqualToThreshold', 1, 1, 1, 'notBreaching', null, null]);
    const heartbeat = byName(t, `${P}-PublisherHeartbeat`);
    expect(heartbeat.Metrics).toEqual([
      { Expression: 'FILL(lag, 99999)', Id: 'expr_1', Label: 'Publisher lag (min, 99999 = no report); alarm > 75', ReturnData: true },
      customStat('lag', 'PublisherLagMinutes', 'Maximum', 3600),
    ]);
    // 75 = the settle delay (10 min) + one period (60) + the run's timeout (5): the watermark is a period behind.
    expect(settings(heartbeat)).toEqual(['GreaterThanThreshold', 75, 2, 2, 'breaching', null, null]);
  });

  test('no alarm uses SEARCH; every math alarm reads at most 10 metrics of one period', () => {
    for (const a of alarms(t)) {
      const metrics = (a.Metrics as Array<{ Expression?: string; MetricStat?: { Period: number } }> | undefined) ?? [];
      expect(JSON.stringify(a).includes('SEARCH')).toBe(false);
      expect(metrics.length).toBeLessThanOrEqual(11);
      expect(new Set(metrics.filter((m) => m.MetricStat).map((m) => m.MetricStat!.Period)).size).toBeLessThanOrEqual(1);
    }
  });

  test('roll-ups: every cache alarm in CacheHealth, both pipeline alarms in SavingsPipeline; only they notify (ALARM; OK through EventBridge)', () => {
    const arn = (name: string) => `ALARM("arn:aws:cloudwatch:eu-west-1:${ACCOUNT}:alarm:${name}")`;
    const cache = byName(t, `${P}-CacheHealth`);
    expect(resolve(cache.AlarmRule, t)).toBe(
      `(${alarms(t)
        .slice(0, 12)
        .map((a) => arn(a.name))
        .join(' OR ')})`,
    );
    expect([cache.AlarmActions, cache.OKActions]).toEqual([[{ Ref: topic }], undefined]);
    const pipeline = byName(t, `${P}-SavingsPipeline`);
    expect(resolve(pipeline.AlarmRule, t)).toBe(`(${arn(`${P}-PublisherErrors`)} OR ${arn(`${P}-PublisherHeartbeat`)})`);
    expect([pipeline.AlarmActions, pipeline.OKActions]).toEqual([[{ Ref: topic }], undefined]);
  });

  test('recoveries: an EventBridge rule passes a roll-up going from ALARM to OK (not its first OK after creation) to the topic', () => {
    const [[ruleId, rule]] = Object.entries(t.Resources).filter(([id, r]) => r.Type === 'AWS::Events::Rule' && id.includes('Recoveries'));
    expect(rule.Properties.EventPattern).toEqual({
      source: ['aws.cloudwatch'],
      'detail-type': ['CloudWatch Alarm State Change'],
      resources: [
        { 'Fn::GetAtt': [byName(t, `${P}-CacheHealth`).id, 'Arn'] },
        { 'Fn::GetAtt': [byName(t, `${P}-SavingsPipeline`).id, 'Arn'] },
      ],
      detail: { previousState: { value: ['ALARM'] }, state: { value: ['OK'] } },
    });
    expect(rule.Properties.Targets).toEqual([
      {
        Arn: { Ref: topic },
        Id: 'Target0',
        InputTransformer: {
          InputPathsMap: { 'detail-alarmName': '$.detail.alarmName', time: '$.time', 'detail-state-reason': '$.detail.state.reason' },
          InputTemplate: '"OK again: <detail-alarmName> returned from ALARM at <time>. <detail-state-reason>"',
        },
      },
    ]);
    const policy = Object.values(t.Resources).find(
      (r) => r.Type === 'AWS::SNS::TopicPolicy' && JSON.stringify(r.Properties.Topics) === JSON.stringify([{ Ref: topic }]),
    )!;
    expect((policy.Properties.PolicyDocument as { Statement: Cfn[] }).Statement.find((st) => st.Sid === 'RecoveryRulePublish')).toEqual({
      Action: 'sns:Publish',
      Condition: { ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [ruleId, 'Arn'] } } },
      Effect: 'Allow',
      Principal: { Service: 'events.amazonaws.com' },
      Resource: { Ref: topic },
      Sid: 'RecoveryRulePublish',
    });
  });

  test("the topic: a rotating customer-managed key CloudWatch may use (AWS's statement, no condition), SSL only, publishable by our alarms only", () => {
    const fromOurAlarms = {
      StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
      ArnLike: {
        'aws:SourceArn': {
          'Fn::Join': [
            '',
            ['arn:', { Ref: 'AWS::Partition' }, ':cloudwatch:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, `:alarm:${P}-*`],
          ],
        },
      },
    };
    const key = Object.keys(t.Resources).find((id) => t.Resources[id].Type === 'AWS::KMS::Key' && id.includes('OnCallTopicKey'))!;
    expect(t.Resources[topic].Properties).toEqual({
      DisplayName: 'Bedrock prompt cache on-call',
      KmsMasterKeyId: { 'Fn::GetAtt': [key, 'Arn'] },
    });
    expect(t.Resources[key].Properties.EnableKeyRotation).toBe(true);
    // The key: the account's administration statement and AWS's documented one for CloudWatch alarms, which carries no
    // condition (the source conditions are the topic policy's, below).
    expect(t.Resources[key].Properties.KeyPolicy).toEqual({
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
        // The recovery rule's messages (AWS's documented statement for an EventBridge target on an encrypted topic).
        {
          Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          Effect: 'Allow',
          Principal: { Service: 'events.amazonaws.com' },
          Resource: '*',
          Sid: 'EventBridgeEncryptRecoveries',
        },
      ],
      Version: '2012-10-17',
    });
    const policy = Object.values(t.Resources).find(
      (r) => r.Type === 'AWS::SNS::TopicPolicy' && JSON.stringify(r.Properties.Topics) === JSON.stringify([{ Ref: topic }]),
    )!;
    expect(policy.Properties.PolicyDocument).toEqual({
      Statement: [
        {
          Action: 'sns:Publish',
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          Effect: 'Deny',
          Principal: '*',
          Resource: { Ref: topic },
          Sid: 'AllowPublishThroughSSLOnly',
        },
        {
          Action: 'sns:Publish',
          Condition: fromOurAlarms,
          Effect: 'Allow',
          Principal: { Service: 'cloudwatch.amazonaws.com' },
          Resource: { Ref: topic },
          Sid: 'CloudWatchAlarmsPublish',
        },
        // The recovery rule's statement (see the recoveries test).
        expect.objectContaining({ Sid: 'RecoveryRulePublish' }),
      ],
      Version: '2012-10-17',
    });
  });

  test('a runbook per alarm: what fired, tokens or dollars, causes, three checks, the dashboard in the stack region', () => {
    expect(resolve(byName(t, `${NAMES.support}-LowHitRatio`).AlarmDescription, t)).toBe(
      [
        'support-bot: hit ratio read/(read+write) < 50% in 3 of 4 15-min periods with >= 50,000 cache tokens.',
        'Means: writes cost $3.75/MTok, reads $0.30, input $3.00: under 21.7% caching loses money.',
        'Causes: timestamp or request id in the prefix; tools or their order changed; system prompt edited; model or inference profile switched; ' +
          'checkpoint under the model minimum; gaps longer than the TTL; a proxy dropping cachePoint/cache_control; cross-region routing under load.',
        "Check: 1) this model's read vs write on the dashboard: since when? 2) deploys, prompt, tool or model changes then 3) diff the prefixes of two consecutive requests",
        'On-call dashboard: https://console.aws.amazon.com/cloudwatch/home?region=eu-west-1#dashboards/dashboard/TestMonitoring-OnCall-eu-west-1',
      ].join('\n'),
    );
    expect(
      resolve(byName(t, `${NAMES.review}-WritesWithoutReads`).AlarmDescription, t)
        .split('\n')
        .slice(0, 2),
    ).toEqual([
      'code-review: >= 20,000 cache tokens written and none read in a 60-min period: the prefix never matches.',
      'Means: $3.00/MTok over input wasted: at least $0.06 a period, $1.44 a day.',
    ]);
    expect(
      resolve(byName(t, `${NAMES.claims}-CachingCostsMoney`).AlarmDescription, t)
        .split('\n')
        .slice(0, 2),
    ).toEqual([
      'claims-triage: net savings = read x $0.99 - write x $0.275 per MTok < $0 in 3 60-min windows in a row with >= 50,000 cache tokens.',
      'Means: the write premium beats the read discount: hit ratio under the 21.7% break-even (catalog:anthropic.claude-haiku-4-5-20251001-v1:0 (regional +10%)).',
    ]);
    for (const a of [...alarms(t), ...alarms(t, 'AWS::CloudWatch::CompositeAlarm')]) {
      const lines = resolve(a.AlarmDescription, t).split('\n');
      expect([
        lines[1].startsWith('Means: '),
        lines[2].startsWith('Causes: '),
        /^Check: 1\) .+ 2\) .+ 3\) .+$/.test(lines[3]),
        lines[4],
      ]).toEqual([
        true,
        true,
        true,
        'On-call dashboard: https://console.aws.amazon.com/cloudwatch/home?region=eu-west-1#dashboards/dashboard/TestMonitoring-OnCall-eu-west-1',
      ]);
    }
  });

  test('every description fits in 1,024 characters, even in the longest region name and console host', () => {
    for (const a of [...alarms(t), ...alarms(t, 'AWS::CloudWatch::CompositeAlarm')]) {
      expect(resolve(a.AlarmDescription, t, 'ap-southeast-77x', 'aws-us-gov').length).toBeLessThanOrEqual(ALARM_DESCRIPTION_MAX);
    }
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
      const lines = resolve(byName(t, `${NAMES.support}-LowHitRatio`).AlarmDescription, t, 'cn-north-1', partition).split('\n');
      expect([
        lines[4],
        resolve(t.Outputs!.OnCallDashboardUrl.Value, t, 'cn-north-1', partition),
        resolve(t.Outputs!.CostReviewDashboardUrl.Value, t, 'cn-north-1', partition),
      ]).toEqual([`On-call dashboard: ${board(host, 'OnCall')}`, board(host, 'OnCall'), board(host, 'CostReview')]);
    }
    expect(t.Mappings!.ConsoleHost).toEqual({
      aws: { host: 'console.aws.amazon.com' },
      'aws-cn': { host: 'console.amazonaws.cn' },
      'aws-us-gov': { host: 'console.amazonaws-us-gov.com' },
    });
    expect(t.Outputs!.OnCallDashboardUrl.Value).toEqual({
      'Fn::Join': [
        '',
        [
          'https://',
          { 'Fn::FindInMap': ['ConsoleHost', { Ref: 'AWS::Partition' }, 'host'] },
          '/cloudwatch/home?region=',
          { Ref: 'AWS::Region' },
          '#dashboards/dashboard/',
          { Ref: Object.keys(t.Resources).find((id) => t.Resources[id].Properties.DashboardName !== undefined && id.includes('OnCall')) },
        ],
      ],
    });
  });

  test('runbook text shared by several alarms is stored once, in a Mapping', () => {
    // Each family's causes, checks and URL start; the cost tail names the 21.7 % break-even of two models (the third's
    // is 52.6 %, its own text stays inline).
    const runbooks = Object.keys(t.Mappings!).filter((id) => id.startsWith('Runbooks'));
    expect(runbooks).toHaveLength(1);
    const mapping = t.Mappings![runbooks[0]];
    expect(Object.values(mapping).map((v) => v.text.split('\n')[1].slice(0, 40))).toEqual([
      'Causes: timestamp or request id in the p',
      'Causes: timestamp, request id or user da',
      'Causes: any cause of a low hit ratio; a ',
    ]);
    expect(mapping.t2.text.split('\n')[2]).toBe(
      'Check: 1) hit ratio vs 21.7% on the dashboard 2) cacheWriteTtl and checkpoint placement 3) stop caching prefixes that are never reused',
    );
  });
});

describe('alarm settings from the config', () => {
  test('a per-model override changes that model only; models[].alarms.enabled false leaves a model out', () => {
    const base = exampleConfig();
    const { t } = synth(
      withConfig({
        models: [
          {
            ...base.models[0],
            alarms: {
              lowHitRatio: { thresholdPercent: 70, periodMinutes: 5, evaluationPeriods: 3, datapointsToAlarm: 2, minCacheTokens: 1000 },
            },
          },
          { ...base.models[1], alarms: { enabled: false } },
          {
            ...base.models[2],
            alarms: { writesWithoutReads: { enabled: false }, cachingCostsMoney: { windowMinutes: 30, evaluationPeriods: 4 } },
          },
        ],
      }),
    );
    const low = byName(t, `${NAMES.support}-LowHitRatio`);
    expect(
      (low.Metrics as Array<{ Expression?: string; MetricStat?: { Period: number } }>).map((m) => m.Expression ?? m.MetricStat!.Period),
    ).toEqual([`IF((${R} + ${W}) >= 1000, 100 * ${R} / (${R} + ${W}))`, 300, 300, 300, 300]);
    expect(settings(low)).toEqual(['LessThanThreshold', 70, 3, 2, 'notBreaching', null, null]);
    expect(alarms(t).filter((a) => a.name.includes('code-review'))).toEqual([]);
    expect(
      alarms(t)
        .filter((a) => a.name.includes('claims-triage'))
        .map((a) => a.name),
    ).toEqual([`${NAMES.claims}-LowHitRatio`, `${NAMES.claims}-CachingCostsMoney`]);
    const cost = byName(t, `${NAMES.claims}-CachingCostsMoney`);
    expect([(cost.Metrics as Array<{ MetricStat?: { Period: number } }>)[1].MetricStat!.Period, ...settings(cost)]).toEqual([
      1800,
      'LessThanThreshold',
      0,
      4,
      4,
      'notBreaching',
      null,
      null,
    ]);
  });

  test('an existing topic and e-mails: no topic created, the roll-ups notify the ARN, one subscription per address', () => {
    const arn = 'arn:aws:sns:eu-west-1:111122223333:team-pager';
    const { t } = synth(withConfig({ alarms: { topicArn: arn, emails: ['oncall@example.com', 'lead@example.com'] } }));
    expect(
      Object.values(t.Resources)
        .filter((r) => r.Type === 'AWS::SNS::Topic')
        .map((r) => r.Properties.DisplayName),
    ).toEqual(['Prompt cache weekly cost review']);
    expect([byName(t, `${P}-CacheHealth`).AlarmActions, byName(t, `${P}-CacheHealth`).OKActions]).toEqual([[arn], [arn]]);
    expect(
      Object.values(t.Resources)
        .filter((r) => r.Type === 'AWS::SNS::Subscription' && r.Properties.TopicArn === arn)
        .map((r) => [r.Properties.Protocol, r.Properties.Endpoint]),
    ).toEqual([
      ['email', 'oncall@example.com'],
      ['email', 'lead@example.com'],
    ]);
  });

  test('alarms.enabled false: no alarm, no topic, no roll-up', () => {
    const { t } = synth(withConfig({ alarms: { enabled: false } }));
    expect([
      alarms(t),
      alarms(t, 'AWS::CloudWatch::CompositeAlarm'),
      Object.keys(t.Resources).filter((id) => id.includes('OnCallTopic')),
    ]).toEqual([[], [], []]);
  });

  test('publisher: false: no pipeline alarm, no all-models alarm (they read the publisher), raw-Sum writes without reads, one roll-up', () => {
    const stack = new Stack(new App(), 'NoPublisher');
    new PromptCacheMonitoring(stack, 'Cache', { config: exampleConfig(), publisher: false });
    const t = Template.fromStack(stack).toJSON() as TemplateJson;
    expect(alarms(t).map((a) => a.name.replace('NoPublisher-', ''))).toEqual([
      ...['support-bot-78e8aa25', 'code-review-77b9d0c7', 'claims-triage-8008f2fc'].flatMap((n) => [
        `${n}-LowHitRatio`,
        `${n}-WritesWithoutReads`,
        `${n}-CachingCostsMoney`,
      ]),
    ]);
    expect(alarms(t, 'AWS::CloudWatch::CompositeAlarm').map((a) => a.name)).toEqual(['NoPublisher-CacheHealth']);
    expect(
      Annotations.fromStack(stack)
        .findInfo('*', Match.anyValue())
        .map((m) => m.entry.data),
    ).toEqual([
      "alarms.allModels: the all-models alarms read the publisher's all-models series (AWS/Bedrock documents no dimensionless runtime series), so without the publisher they are left out",
    ]);
    // Without the publisher's settled series, writes without reads reads the raw Sums (the newest period may be partial).
    const wwr = alarms(t).find((a) => a.name === 'NoPublisher-claims-triage-8008f2fc-WritesWithoutReads')!;
    expect((wwr.Metrics as Array<{ Expression?: string; Id: string }>).map((m) => m.Expression ?? m.Id)).toEqual([
      `IF(${R} == 0, ${W}, 0)`,
      'r_0',
      'r_1',
      'w_0',
      'w_1',
    ]);
    expect(settings(wwr)).toEqual(['GreaterThanOrEqualToThreshold', 20000, 3, 3, 'notBreaching', null, null]);
  });

  test('synth-time warnings: an alarmed model without a price, one without a write premium, a threshold that can never fire', () => {
    const stack = new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Warned');
    const config = parseConfig(
      {
        models: [
          { modelId: 'us.example.unknown-model-v1:0', displayName: 'mystery' },
          { modelId: 'us.amazon.nova-pro-v1:0' },
          { modelId: SONNET, alarms: { lowHitRatio: { thresholdPercent: 0 } } },
        ],
      },
      'test',
    );
    new PromptCacheMonitoring(stack, 'Cache', { config, publisher: false });
    expect(
      Annotations.fromStack(stack)
        .findWarning('*', Match.anyValue())
        .map((m) => m.entry.data),
    ).toEqual([
      'models[0] (mystery, us.example.unknown-model-v1:0): no price known, so its caching-costs-money alarm is left out; add pricing["us.example.unknown-model-v1:0"] or set priceAs [ack: prompt-cache:unpriced-model]',
      'models[1] (us.amazon.nova-pro-v1:0): cache writes cost no more than uncached input (catalog:amazon.nova-pro-v1:0), so caching never costs money and its caching-costs-money alarm could never fire; it is left out [ack: prompt-cache:no-write-premium]',
      `models[2].alarms.lowHitRatio.thresholdPercent: a hit ratio is never below 0 %, so the low-hit-ratio alarm of models[2] (${SONNET}) could never fire and is left out; raise the threshold or set enabled: false [ack: prompt-cache:threshold-never-fires]`,
    ]);
  });

  test('the alarm name prefix is a prop; a bad one is reported with the other problems', () => {
    const stack = new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Team');
    new PromptCacheMonitoring(stack, 'Cache', { config: exampleConfig(), alarmNamePrefix: 'team-a', publisher: false });
    expect(alarms(Template.fromStack(stack).toJSON() as TemplateJson)[0].name).toBe('team-a-support-bot-78e8aa25-LowHitRatio');
    expect(
      () => new PromptCacheMonitoring(new Stack(new App(), 'X'), 'Cache', { config: exampleConfig(), alarmNamePrefix: 'a b' }),
    ).toThrow(
      'invalid config in PromptCacheMonitoring X/Cache:\n  - alarmNamePrefix: must be 1 to 128 letters, digits, ".", "-" or "_" (got "a b")',
    );
  });
});

describe('scale', () => {
  test('plan: 3 alarms and $0.90 a month per priced model (both spellings: 4 + 1 + 4 metrics); $0.50 pinned; 2 and $0.50 without a price; fixed 14 resources, $2.20', () => {
    const plan = (config: PromptCacheConfig) => plannedResources(planAlarms(config, { publisher: true, namePrefix: 'S' }));
    const [one, two] = [plan(benchConfig(1)), plan(benchConfig(2))];
    expect([two.metricAlarms - one.metricAlarms, Math.round((two.monthlyAlarmCostUSD - one.monthlyAlarmCostUSD) * 100) / 100]).toEqual([
      3, 0.9,
    ]);
    // Fixed: 3 all-models alarms ($0.40: 2 + 1 + 1 metrics), 2 pipeline alarms ($0.20), 2 roll-ups ($1.00); the topic,
    // its key and policy, and the recovery rule.
    expect([one.metricAlarms, one.notification, one.total, one.monthlyAlarmCostUSD]).toEqual([8, 2, 4, 14, 2.5]);
    const pin = { bedrockMetricNames: { cacheReadInputTokens: 'CacheReadInputTokens', cacheWriteInputTokens: 'CacheWriteInputTokens' } };
    const pinned = (n: number) => plan(parseConfig({ ...benchConfig(n), ...pin }, 't'));
    expect(Math.round((pinned(2).monthlyAlarmCostUSD - pinned(1).monthlyAlarmCostUSD) * 100) / 100).toBe(0.5);
    const unpriced = plannedResources(
      planAlarms(parseConfig({ models: [{ modelId: 'us.x.a' }, { modelId: 'us.x.b' }] }, 't'), { publisher: true, namePrefix: 'S' }),
    );
    expect([unpriced.metricAlarms, unpriced.monthlyAlarmCostUSD]).toEqual([9, 2.6]);
  });

  test('over 500 resources: synth fails and says how many models fit', () => {
    const config = benchConfig(200);
    const plan = planAlarms(config, { publisher: true, namePrefix: 'BedrockPromptCacheMonitoring' });
    expect([modelsThatFit(plan, 30), modelsThatFit(plan, 30, 1000)]).toEqual([150, 200]);
    expect(
      () =>
        new PromptCacheMonitoringStack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'BedrockPromptCacheMonitoring', { config }),
    ).toThrow(
      'invalid config in PromptCacheMonitoring BedrockPromptCacheMonitoring/PromptCacheMonitoring:\n' +
        '  - models: 200 models with up to 3 alarms each need 644 CloudFormation resources in stack BedrockPromptCacheMonitoring, over the limit of 500: at most 152 of these models fit. ' +
        'Turn alarm families off (alarms.<family>.enabled: false), turn alarms off for some models (models[].alarms.enabled: false), or split the models across stacks.',
    );
    // And 152 do fit: 497 resources, plus AWS::CDK::Metadata when `cdk synth` adds it.
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    new PromptCacheMonitoringStack(app, 'BedrockPromptCacheMonitoring', { config: benchConfig(152) });
    expect(Object.keys(app.synth().getStackByName('BedrockPromptCacheMonitoring').template.Resources).length).toBe(497);
  });

  test('100 models: one template under half the 1,000,000-byte limit, every description within 1,024 characters', () => {
    const { t, stack } = synth(benchConfig(100), 'BedrockPromptCacheMonitoring');
    const written = stack.toJsonString(t); // unindented, as the stack writes it (suppressTemplateIndentation)
    expect(written.length).toBeLessThan(500_000);
    expect(Object.keys(t.Resources).length).toBe(339);
    for (const a of [...alarms(t), ...alarms(t, 'AWS::CloudWatch::CompositeAlarm')]) {
      expect(resolve(a.AlarmDescription, t, 'ap-southeast-77x').length).toBeLessThanOrEqual(ALARM_DESCRIPTION_MAX);
    }
    expect(alarms(t, 'AWS::CloudWatch::CompositeAlarm').map((a) => a.name)).toEqual([
      'BedrockPromptCacheMonitoring-CacheHealth-Part1',
      'BedrockPromptCacheMonitoring-CacheHealth-Part2',
      'BedrockPromptCacheMonitoring-CacheHealth-Part3',
      'BedrockPromptCacheMonitoring-CacheHealth-Part4',
      'BedrockPromptCacheMonitoring-CacheHealth-Part5',
      'BedrockPromptCacheMonitoring-CacheHealth',
      'BedrockPromptCacheMonitoring-SavingsPipeline',
    ]);
  });
});

test('formatUsd: cents, and up to 4 decimals below a dollar', () => {
  expect([formatUsd(0.0165), formatUsd(0.0055), formatUsd(1.584), formatUsd(1234.5), formatUsd(-0.5)]).toEqual([
    '$0.0165',
    '$0.0055',
    '$1.58',
    '$1,234.50',
    '-$0.50',
  ]);
});
