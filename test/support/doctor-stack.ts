/**
 * A small monitoring stack in the emulator for `prompt-cache doctor`: a ledger table (output LedgerTableName), an
 * on-call topic (output OnCallTopicArn), two pipeline alarms and their paging roll-up, named as lib/alarms/ names them.
 *
 * moto's CloudFormation does not implement AWS::CloudWatch::Alarm or ::CompositeAlarm (it lists them with blank ids and
 * creates nothing), so after CreateStack this puts the three alarms with PutMetricAlarm / PutCompositeAlarm, as
 * CloudFormation would; doctor finds their names in the stack's template. moto 5.2.5 has no composite alarms at all (no
 * PutCompositeAlarm; the AlarmRule its PutMetricAlarm once took is dropped by its request parser), so the roll-up is
 * stored as a metric alarm with the composite's name and alarm actions: doctor takes an alarm's type from the stack.
 */
import { CloudFormationClient, CreateStackCommand, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient, PutMetricAlarmCommand, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';

export interface DoctorStack {
  readonly ledgerTable: string;
  readonly topicArn: string;
  readonly alarms: { readonly errors: string; readonly heartbeat: string; readonly pipeline: string };
}

export async function createDoctorStack(region: string, stackName: string): Promise<DoctorStack> {
  const alarms = {
    errors: `${stackName}-PublisherErrors`,
    heartbeat: `${stackName}-PublisherHeartbeat`,
    pipeline: `${stackName}-SavingsPipeline`,
  };
  const ledgerTable = `${stackName}-ledger`;
  const metricAlarm = (name: string, metric: string) => ({
    AlarmName: name,
    Namespace: 'BedrockPromptCache',
    MetricName: metric,
    Statistic: 'Sum',
    Period: 3600,
    EvaluationPeriods: 1,
    Threshold: 1,
    ComparisonOperator: 'GreaterThanOrEqualToThreshold',
  });
  const template = {
    Resources: {
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
      PublisherErrorsA1: { Type: 'AWS::CloudWatch::Alarm', Properties: metricAlarm(alarms.errors, 'Errors') },
      PublisherHeartbeatB2: { Type: 'AWS::CloudWatch::Alarm', Properties: metricAlarm(alarms.heartbeat, 'PublishedPeriods') },
      SavingsPipeline: {
        Type: 'AWS::CloudWatch::CompositeAlarm',
        Properties: {
          AlarmName: alarms.pipeline,
          AlarmRule: `ALARM("${alarms.errors}") OR ALARM("${alarms.heartbeat}")`,
          AlarmActions: [{ Ref: 'OnCallTopic' }],
        },
      },
    },
    Outputs: { LedgerTableName: { Value: { Ref: 'Ledger' } }, OnCallTopicArn: { Value: { Ref: 'OnCallTopic' } } },
  };
  const cfn = new CloudFormationClient({ region });
  const cw = new CloudWatchClient({ region });
  try {
    await cfn.send(new CreateStackCommand({ StackName: stackName, TemplateBody: JSON.stringify(template) }));
    const outputs = (await cfn.send(new DescribeStacksCommand({ StackName: stackName }))).Stacks?.[0].Outputs ?? [];
    const topicArn = outputs.find((o) => o.OutputKey === 'OnCallTopicArn')?.OutputValue as string;
    for (const [name, metric] of [
      [alarms.errors, 'Errors'],
      [alarms.heartbeat, 'PublishedPeriods'],
    ] as const) {
      await cw.send(
        new PutMetricAlarmCommand({ ...metricAlarm(name, metric), Statistic: 'Sum', ComparisonOperator: 'GreaterThanOrEqualToThreshold' }),
      );
      await cw.send(new SetAlarmStateCommand({ AlarmName: name, StateValue: 'OK', StateReason: 'test: evaluated' }));
    }
    await cw.send(
      new PutMetricAlarmCommand({
        ...metricAlarm(alarms.pipeline, 'Rollup'),
        Statistic: 'Sum',
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        AlarmActions: [topicArn],
      }),
    );
    return { ledgerTable, topicArn, alarms };
  } finally {
    cfn.destroy();
    cw.destroy();
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
