/**
 * A small monitoring stack in the emulator for `prompt-cache doctor`, named as lib/alarms/ names it: a ledger table
 * (output LedgerTableName), the paging and ticket topics (OnCallTopicArn, TicketTopicArn), the four fleet alarms
 * (Metrics Insights queries) and the two pipeline alarms, none with an action, and the alarm notifier's resources with
 * the logical ids the stack gives them (its log group, role, function, EventBridge rule and dead-letter queue) and
 * `<prefix>-NotifierFailing`, the one alarm with an action (the paging topic). `version: 'roll-ups'` builds an older
 * deploy instead: the two pipeline alarms under a paging roll-up, and no notifier.
 *
 * moto's CloudFormation does not implement AWS::CloudWatch::Alarm or ::CompositeAlarm (it lists them with blank ids and
 * creates nothing), so after CreateStack this puts the alarms with PutMetricAlarm, as CloudFormation would; doctor finds
 * their names in the stack's template. moto 5.2.5 has no composite alarms at all (no PutCompositeAlarm; the AlarmRule its
 * PutMetricAlarm once took is dropped by its request parser), so the roll-up is stored as a metric alarm with the
 * composite's name: doctor takes an alarm's type from the stack. The log group, function, role and rule moto creates,
 * under generated names that ListStackResources gives as their physical ids.
 */
import { CloudFormationClient, CreateStackCommand, DescribeStacksCommand, ListStackResourcesCommand } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient, PutMetricAlarmCommand, SetAlarmStateCommand, type PutMetricAlarmCommandInput } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient, CreateLogStreamCommand, PutLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { CUSTOM_METRICS } from '../../lambda/core/contract';

export interface DoctorStackOptions {
  /** @default 'notifier' (the current version) */
  readonly version?: 'notifier' | 'roll-ups';
}

export interface DoctorStack {
  readonly ledgerTable: string;
  readonly pageTopicArn: string;
  /** Absent for the roll-ups version (it had one topic). */
  readonly ticketTopicArn?: string;
  readonly alarms: {
    readonly errors: string;
    readonly heartbeat: string;
    /** The fleet alarms, sorted by name (none for the roll-ups version). */
    readonly fleet: readonly string[];
    /** The roll-up of the roll-ups version. */
    readonly pipeline?: string;
    /** `<prefix>-NotifierFailing` (the current version only). */
    readonly notifierFailing?: string;
  };
  /** The notifier's resources as ListStackResources names them (the current version only). */
  readonly notifier?: { readonly logGroup: string; readonly functionName: string; readonly roleName: string; readonly ruleName: string };
}

const NAMESPACE = 'BedrockPromptCache';

/** A fleet alarm's query, as lib/alarms/construct.ts `fleetQuery` writes it. */
function fleetQuery(series: string, below: boolean): string {
  const agg = below ? 'MAX' : 'MIN';
  return `SELECT ${agg}(${series}) FROM SCHEMA("${NAMESPACE}", ModelId) GROUP BY ModelId ORDER BY ${agg}() ${below ? 'ASC' : 'DESC'} LIMIT 500`;
}

/** A Metrics Insights alarm as PutMetricAlarm takes it. */
export function metricsInsightsAlarm(name: string, series: string, below: boolean, threshold = 0): PutMetricAlarmCommandInput {
  return {
    AlarmName: name,
    Metrics: [{ Id: 'fleet', Expression: fleetQuery(series, below), Period: 3600, ReturnData: true }],
    ComparisonOperator: below ? 'LessThanThreshold' : 'GreaterThanThreshold',
    Threshold: threshold,
    EvaluationPeriods: 1,
    TreatMissingData: 'notBreaching',
  };
}

const pageTopicRef = { Ref: 'OnCallTopic' };

/** `<prefix>-NotifierFailing`: the notifier's dead-letter queue holds events; pages by its own action. */
const notifierFailing = (name: string, topic: unknown) => ({
  AlarmName: name,
  Namespace: 'AWS/SQS',
  MetricName: 'ApproximateNumberOfMessagesVisible',
  Statistic: 'Maximum',
  Period: 300,
  EvaluationPeriods: 1,
  Threshold: 1,
  ComparisonOperator: 'GreaterThanOrEqualToThreshold',
  AlarmActions: [topic],
});

const metricAlarm = (name: string, metric: string): PutMetricAlarmCommandInput => ({
  AlarmName: name,
  Namespace: NAMESPACE,
  MetricName: metric,
  Statistic: 'Sum',
  Period: 3600,
  EvaluationPeriods: 1,
  Threshold: 1,
  ComparisonOperator: 'GreaterThanOrEqualToThreshold',
});

export async function createDoctorStack(region: string, stackName: string, options: DoctorStackOptions = {}): Promise<DoctorStack> {
  const rollUps = options.version === 'roll-ups';
  const errors = `${stackName}-PublisherErrors`;
  const heartbeat = `${stackName}-PublisherHeartbeat`;
  const pipeline = `${stackName}-SavingsPipeline`;
  const failing = `${stackName}-NotifierFailing`;
  const ledgerTable = `${stackName}-ledger`;
  const fleet: PutMetricAlarmCommandInput[] = rollUps
    ? []
    : [
        metricsInsightsAlarm(`${stackName}-Fleet-CachingCostsMoney`, CUSTOM_METRICS.alarmNetSavingsUsdPerHour.name, true),
        metricsInsightsAlarm(`${stackName}-Fleet-CachingCostsMoney-Page`, CUSTOM_METRICS.alarmNetSavingsUsdPerHour.name, true, -1),
        metricsInsightsAlarm(`${stackName}-Fleet-LowHitRatio`, CUSTOM_METRICS.alarmHitRatioMarginPoints.name, true),
        metricsInsightsAlarm(`${stackName}-Fleet-WritesWithoutReads`, CUSTOM_METRICS.writesWithoutReadsTokens.name, false),
      ];
  const alarms: PutMetricAlarmCommandInput[] = [...fleet, metricAlarm(errors, 'Errors'), metricAlarm(heartbeat, 'PublisherLagMinutes')];
  const resources: Record<string, object> = {
    Ledger: {
      Type: 'AWS::DynamoDB::Table',
      Properties: {
        TableName: ledgerTable,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      },
    },
    OnCallTopic: { Type: 'AWS::SNS::Topic', Properties: { TopicName: `${stackName}-OnCall` } },
  };
  const outputs: Record<string, object> = {
    LedgerTableName: { Value: { Ref: 'Ledger' } },
    OnCallTopicArn: { Value: { Ref: 'OnCallTopic' } },
  };
  alarms.forEach((a, i) => {
    resources[`Alarm${i}`] = { Type: 'AWS::CloudWatch::Alarm', Properties: a };
  });
  if (rollUps) {
    resources.SavingsPipeline = {
      Type: 'AWS::CloudWatch::CompositeAlarm',
      Properties: {
        AlarmName: pipeline,
        AlarmRule: `ALARM("${errors}") OR ALARM("${heartbeat}")`,
        AlarmActions: [{ Ref: 'OnCallTopic' }],
      },
    };
  } else {
    resources.TicketTopic = { Type: 'AWS::SNS::Topic', Properties: { TopicName: `${stackName}-Tickets` } };
    outputs.TicketTopicArn = { Value: { Ref: 'TicketTopic' } };
    Object.assign(resources, {
      PromptCacheMonitoringAlarmsNotifierLambdaLogs1D34B032: { Type: 'AWS::Logs::LogGroup', Properties: { RetentionInDays: 30 } },
      PromptCacheMonitoringAlarmsNotifierLambdaRole131D39E8: {
        Type: 'AWS::IAM::Role',
        Properties: {
          AssumeRolePolicyDocument: {
            Version: '2012-10-17',
            Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
          },
        },
      },
      PromptCacheMonitoringAlarmsNotifierLambdaFunction22C0F2C9: {
        Type: 'AWS::Lambda::Function',
        Properties: {
          Runtime: 'nodejs20.x',
          Handler: 'index.handler',
          Code: { ZipFile: 'exports.handler = async () => undefined;' },
          Role: { 'Fn::GetAtt': ['PromptCacheMonitoringAlarmsNotifierLambdaRole131D39E8', 'Arn'] },
          LoggingConfig: { LogGroup: { Ref: 'PromptCacheMonitoringAlarmsNotifierLambdaLogs1D34B032' } },
        },
      },
      PromptCacheMonitoringAlarmsNotifierDeadLettersED2B8B0A: { Type: 'AWS::SQS::Queue', Properties: {} },
      PromptCacheMonitoringAlarmsNotifierFailingEAEDCB22: {
        Type: 'AWS::CloudWatch::Alarm',
        Properties: notifierFailing(failing, pageTopicRef),
      },
      PromptCacheMonitoringAlarmsNotifierAlarmEventsCF1D603C: {
        Type: 'AWS::Events::Rule',
        Properties: {
          EventPattern: {
            source: ['aws.cloudwatch'],
            'detail-type': ['CloudWatch Alarm State Change', 'CloudWatch Alarm Contributor State Change'],
            detail: { alarmName: [{ prefix: `${stackName}-` }] },
          },
        },
      },
    });
  }
  const cfn = new CloudFormationClient({ region });
  const cw = new CloudWatchClient({ region });
  try {
    await cfn.send(
      new CreateStackCommand({ StackName: stackName, TemplateBody: JSON.stringify({ Resources: resources, Outputs: outputs }) }),
    );
    const out = (await cfn.send(new DescribeStacksCommand({ StackName: stackName }))).Stacks?.[0].Outputs ?? [];
    const output = (key: string) => out.find((o) => o.OutputKey === key)?.OutputValue;
    const pageTopicArn = output('OnCallTopicArn') as string;
    for (const a of alarms) {
      await cw.send(new PutMetricAlarmCommand(a));
      await cw.send(new SetAlarmStateCommand({ AlarmName: a.AlarmName, StateValue: 'OK', StateReason: 'test: evaluated' }));
    }
    if (rollUps) await cw.send(new PutMetricAlarmCommand({ ...metricAlarm(pipeline, 'Rollup'), AlarmActions: [pageTopicArn] }));
    else {
      await cw.send(new PutMetricAlarmCommand(notifierFailing(failing, pageTopicArn) as PutMetricAlarmCommandInput));
      await cw.send(new SetAlarmStateCommand({ AlarmName: failing, StateValue: 'OK', StateReason: 'test: evaluated' }));
    }
    const listed = (await cfn.send(new ListStackResourcesCommand({ StackName: stackName }))).StackResourceSummaries ?? [];
    const physical = (type: string) => listed.find((r) => r.ResourceType === type)?.PhysicalResourceId as string;
    return {
      ledgerTable,
      pageTopicArn,
      ...(rollUps ? {} : { ticketTopicArn: output('TicketTopicArn') }),
      alarms: {
        errors,
        heartbeat,
        fleet: fleet.map((a) => a.AlarmName as string).sort(),
        ...(rollUps ? { pipeline } : { notifierFailing: failing }),
      },
      ...(rollUps
        ? {}
        : {
            notifier: {
              logGroup: physical('AWS::Logs::LogGroup'),
              functionName: physical('AWS::Lambda::Function'),
              roleName: physical('AWS::IAM::Role'),
              ruleName: physical('AWS::Events::Rule'),
            },
          }),
    };
  } finally {
    cfn.destroy();
    cw.destroy();
  }
}

/** Puts `count` Metrics Insights alarms named `<prefix>-<i>` (other alarms of the account in the region). */
export async function putMetricsInsightsAlarms(region: string, prefix: string, count: number): Promise<void> {
  const cw = new CloudWatchClient({ region });
  try {
    for (let i = 0; i < count; i++)
      await cw.send(new PutMetricAlarmCommand(metricsInsightsAlarm(`${prefix}-${i}`, CUSTOM_METRICS.alarmHitRatioMarginPoints.name, true)));
  } finally {
    cw.destroy();
  }
}

/**
 * Writes one line as the notifier's Powertools logger does (one JSON object: level, message, timestamp, service and the
 * fields) at `atMs`, to a log stream of the group (created on first use).
 */
export async function writeNotifierLine(
  region: string,
  logGroup: string,
  atMs: number,
  message: string,
  fields: Record<string, unknown>,
  stream = '2026/12/01/[$LATEST]0123456789abcdef',
): Promise<void> {
  const logs = new CloudWatchLogsClient({ region });
  try {
    try {
      await logs.send(new CreateLogStreamCommand({ logGroupName: logGroup, logStreamName: stream }));
    } catch (err) {
      if ((err as Error).name !== 'ResourceAlreadyExistsException') throw err;
    }
    const line = { level: 'INFO', message, timestamp: new Date(atMs).toISOString(), service: 'prompt-cache-notifier', ...fields };
    await logs.send(
      new PutLogEventsCommand({
        logGroupName: logGroup,
        logStreamName: stream,
        logEvents: [{ timestamp: atMs, message: JSON.stringify(line) }],
      }),
    );
  } finally {
    logs.destroy();
  }
}

/** Writes the publisher's ledger item as lambda/aws/ledger.ts does: key `publisher#<namespace>`, watermarkMs as N. */
export async function writeWatermark(region: string, table: string, namespace: string, watermarkMs: number): Promise<void> {
  const db = new DynamoDBClient({ region });
  try {
    await db.send(
      new PutItemCommand({
        TableName: table,
        Item: { pk: { S: `publisher#${namespace}` }, version: { N: '7' }, watermarkMs: { N: String(watermarkMs) } },
      }),
    );
  } finally {
    db.destroy();
  }
}
