/**
 * Construct tests of the daily bill check and its two alarms: schedule, least privilege (its own ledger item, our
 * namespace), no retries, the drift alarm's window and expression, what turns them off, and the config rules.
 */
process.env.CDK_VALIDATION = 'false';

import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { configProblems } from '../../lambda/core/config';
import { PromptCacheMonitoring, parseConfig, type ConfigInput } from '../../lib';
import { APPLICATION_PROFILES_ARN } from './template-helpers';

type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;

function template(config: ConfigInput = {}, publisher = true): Resources {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'T');
  new PromptCacheMonitoring(stack, 'Monitoring', {
    config: parseConfig({ digest: { enabled: false }, ...config }, 'test'),
    ...(publisher ? {} : { publisher: false }),
  });
  return (Template.fromStack(stack).toJSON() as { Resources: Resources }).Resources;
}
const of = (r: Resources, type: string, idPart = '') => Object.entries(r).filter(([id, x]) => x.Type === type && id.includes(idPart));

describe('DailyBillCheck with the defaults', () => {
  const r = template();
  const [[fnId, fn]] = of(r, 'AWS::Lambda::Function', 'BillCheck');

  test('daily at 06:00 UTC, no EventBridge or async retries', () => {
    const [[, rule]] = of(r, 'AWS::Events::Rule', 'BillCheck');
    expect([
      rule.Properties.ScheduleExpression,
      rule.Properties.Description,
      (rule.Properties.Targets as { RetryPolicy: unknown }[])[0].RetryPolicy,
    ]).toEqual([
      'cron(0 6 * * ? *)',
      'Checks the Bedrock bill against the computed cost every day at 06:00 UTC',
      { MaximumRetryAttempts: 0 },
    ]);
    const [[, invoke]] = of(r, 'AWS::Lambda::EventInvokeConfig', 'BillCheck');
    expect(invoke.Properties.MaximumRetryAttempts).toBe(0);
  });

  test("its environment: the publisher's ledger table and its service name", () => {
    const [[tableId]] = of(r, 'AWS::DynamoDB::Table');
    expect((fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables).toEqual({
      LEDGER_TABLE_NAME: { Ref: tableId },
      NODE_OPTIONS: '--enable-source-maps',
      POWERTOOLS_SERVICE_NAME: 'prompt-cache-bill-check',
    });
    expect([fn.Properties.MemorySize, fn.Properties.Timeout, fn.Properties.Architectures]).toEqual([512, 120, ['arm64']]);
  });

  test('IAM: metrics read, the bill read, puts into our namespace only, its own ledger item only', () => {
    const [[, policy]] = of(r, 'AWS::IAM::Policy', 'BillCheck');
    const [[tableId]] = of(r, 'AWS::DynamoDB::Table');
    const statements = (policy.Properties.PolicyDocument as { Statement: Record<string, unknown>[] }).Statement;
    expect(statements.slice(1).map((s) => [s.Sid, s.Action, s.Resource, s.Condition])).toEqual([
      ['ReadBedrockAndOwnMetrics', ['cloudwatch:GetMetricData', 'cloudwatch:ListMetrics'], '*', undefined],
      ['ReadApplicationInferenceProfiles', 'bedrock:GetInferenceProfile', APPLICATION_PROFILES_ARN, undefined],
      ['ReadTheBill', 'ce:GetCostAndUsage', '*', undefined],
      ['PutOwnNamespaceOnly', 'cloudwatch:PutMetricData', '*', { StringEquals: { 'cloudwatch:namespace': 'BedrockPromptCache' } }],
      [
        'BillLedgerItem',
        ['dynamodb:GetItem', 'dynamodb:PutItem'],
        { 'Fn::GetAtt': [tableId, 'Arn'] },
        { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['bill#BedrockPromptCache'] } },
      ],
    ]);
  });

  test('the drift alarm: either way over 5% on 3 of 7 daily periods, days billed under $1 not judged, a ticket', () => {
    const [[, alarm]] = of(r, 'AWS::CloudWatch::Alarm', 'CostDrift');
    const { AlarmDescription: _d, AlarmActions, ...props } = alarm.Properties;
    expect([AlarmActions, props]).toEqual([
      undefined,
      {
        AlarmName: 'T-CostDrift',
        ComparisonOperator: 'GreaterThanThreshold',
        Threshold: 5,
        EvaluationPeriods: 7,
        DatapointsToAlarm: 3,
        TreatMissingData: 'notBreaching',
        Metrics: [
          {
            Expression: 'IF(billed >= 1, ABS(drift), 0)',
            Id: 'expr_1',
            Label: 'Bill drift %, either way (days billed at least the guard)',
            ReturnData: true,
          },
          {
            Id: 'billed',
            MetricStat: { Metric: { MetricName: 'BilledCostUSD', Namespace: 'BedrockPromptCache' }, Period: 86400, Stat: 'Maximum' },
            ReturnData: false,
          },
          {
            Id: 'drift',
            MetricStat: { Metric: { MetricName: 'CostDriftPercent', Namespace: 'BedrockPromptCache' }, Period: 86400, Stat: 'Maximum' },
            ReturnData: false,
          },
        ],
      },
    ]);
  });

  test("the errors alarm: one error of the bill check's function in a day", () => {
    const [[, alarm]] = of(r, 'AWS::CloudWatch::Alarm', 'BillCheckErrors');
    const m = (
      alarm.Properties.Metrics as { MetricStat: { Metric: { MetricName: string; Dimensions: unknown }; Period: number; Stat: string } }[]
    )[0].MetricStat;
    expect([alarm.Properties.AlarmName, alarm.Properties.Threshold, m.Metric.MetricName, m.Metric.Dimensions, m.Period, m.Stat]).toEqual([
      'T-BillCheckErrors',
      1,
      'Errors',
      [{ Name: 'FunctionName', Value: { Ref: fnId } }],
      86400,
      'Sum',
    ]);
  });

  test('the notifier lists both, so their state changes become tickets', () => {
    const [[, notifier]] = of(r, 'AWS::Lambda::Function', 'Notifier');
    const listed = JSON.parse((notifier.Properties.Environment as { Variables: Record<string, string> }).Variables.ALARM_CATALOG) as {
      name: string;
      kind: string;
    }[];
    expect(listed.filter((a) => a.kind === 'bill')).toEqual([
      { name: 'T-CostDrift', family: 'costDrift', severity: 'ticket', kind: 'bill' },
      { name: 'T-BillCheckErrors', family: 'billCheckErrors', severity: 'ticket', kind: 'bill' },
    ]);
  });
});

describe('what changes it', () => {
  test('another hour, delay and alarm window', () => {
    const r = template({
      reconcile: { daily: { hourUtc: 22, billDelayDays: 1 } },
      alarms: { costDrift: { days: 4, thresholdPercent: 2.5, minBilledUsdPerDay: 20 } },
    });
    const [[, rule]] = of(r, 'AWS::Events::Rule', 'BillCheck');
    const [[, alarm]] = of(r, 'AWS::CloudWatch::Alarm', 'CostDrift');
    expect([
      rule.Properties.ScheduleExpression,
      alarm.Properties.Threshold,
      alarm.Properties.EvaluationPeriods,
      alarm.Properties.DatapointsToAlarm,
      (alarm.Properties.Metrics as { Expression?: string }[])[0].Expression,
    ]).toEqual(['cron(0 22 * * ? *)', 2.5, 7, 4, 'IF(billed >= 20, ABS(drift), 0)']);
  });

  test('alarms.costDrift.enabled false: the check and its errors alarm stay, no drift alarm', () => {
    const r = template({ alarms: { costDrift: { enabled: false } } });
    expect([
      of(r, 'AWS::Lambda::Function', 'BillCheck').length,
      of(r, 'AWS::CloudWatch::Alarm', 'CostDrift').length,
      of(r, 'AWS::CloudWatch::Alarm', 'BillCheckErrors').length,
    ]).toEqual([1, 0, 1]);
  });

  test.each<[string, ConfigInput, boolean]>([
    ['reconcile.daily.enabled false', { reconcile: { daily: { enabled: false } } }, true],
    ["no publisher (its ledger holds the check's item)", {}, false],
  ])('%s: no bill check and no bill alarm', (_what, config, publisher) => {
    const r = template(config, publisher);
    expect([
      of(r, 'AWS::Lambda::Function', 'BillCheck').length,
      of(r, 'AWS::CloudWatch::Alarm', 'CostDrift').length,
      of(r, 'AWS::CloudWatch::Alarm', 'BillCheckErrors').length,
    ]).toEqual([0, 0, 0]);
  });

  test('the drift window beyond 7 days, and out-of-range fields, are refused with the path and the fix', () => {
    expect(configProblems({ alarms: { costDrift: { days: 4 } }, reconcile: { daily: { billDelayDays: 2 } } })).toEqual([
      "alarms.costDrift.days: days + reconcile.daily.billDelayDays must be at most 5: the alarm looks back days + delay + 2 daily periods (a day's bill is read delay + 1 days after it starts) and CloudWatch allows 7; lower one of them (got 4 + 2)",
    ]);
    expect(
      configProblems({ alarms: { costDrift: { thresholdPercent: 0, days: 7 } }, reconcile: { daily: { hourUtc: 24, billDelayDays: 0 } } }),
    ).toEqual([
      'reconcile.daily.hourUtc: must be an hour from 0 to 23 (UTC) (got 24)',
      'reconcile.daily.billDelayDays: must be 1 to 5 days (got 0)',
      'alarms.costDrift.thresholdPercent: must be a percentage above 0 (the drift alarm fires above it) (got 0)',
      'alarms.costDrift.days: must be 1 to 6 days (got 7)',
    ]);
  });
});
