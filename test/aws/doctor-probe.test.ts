/**
 * doctor's probe. DescribeAlarmHistory: moto has none, so its request shape, paging and parsing are tested with a stub
 * client (a `send` that records commands). The notification test's own calls (SetAlarmState, DescribeAlarms) run against
 * moto with a fake clock; moto evaluates no composite alarm, so the roll-up never leaves OK there.
 */
import {
  CloudWatchClient,
  DescribeAlarmsCommand,
  SetAlarmStateCommand,
  type DescribeAlarmHistoryCommand,
} from '@aws-sdk/client-cloudwatch';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CloudWatchAlarmHistory, DoctorProbe, NOTIFICATION_WAIT_MS } from '../../lambda/aws/doctor-probe';
import { createDoctorStack } from '../support/doctor-stack';

test('DescribeAlarmHistory: the composite by name, CompositeAlarm type, Action items since the start, every page, oldest first', async () => {
  const sent: object[] = [];
  const pages = [
    {
      AlarmHistoryItems: [
        { HistoryItemType: 'Action', Timestamp: new Date(3000), HistorySummary: 'Successfully executed action arn:b' },
        { HistoryItemType: 'StateUpdate', Timestamp: new Date(1000), HistorySummary: 'Alarm updated from OK to ALARM' },
      ],
      NextToken: 'p2',
    },
    {
      AlarmHistoryItems: [
        { HistoryItemType: 'Action', Timestamp: new Date(2000), HistorySummary: 'Failed to execute action arn:a' },
        { HistoryItemType: 'Action', Timestamp: new Date(2500) },
      ],
    },
  ];
  const client = {
    send: async (cmd: DescribeAlarmHistoryCommand) => {
      sent.push(cmd.input);
      return pages[sent.length - 1];
    },
  } as unknown as CloudWatchClient;
  const summaries = await new CloudWatchAlarmHistory(client).actionSummaries('S-SavingsPipeline', 1000);
  const request = {
    AlarmName: 'S-SavingsPipeline',
    AlarmTypes: ['CompositeAlarm'],
    HistoryItemType: 'Action',
    StartDate: new Date(1000),
    ScanBy: 'TimestampAscending',
    MaxRecords: 100,
  };
  expect(sent).toEqual([
    { ...request, NextToken: undefined },
    { ...request, NextToken: 'p2' },
  ]);
  expect(summaries).toEqual(['Failed to execute action arn:a', 'Successfully executed action arn:b']);
});

describe('the notification test against moto', () => {
  const region = 'me-central-1';
  const clients = {
    cloudWatch: new CloudWatchClient({ region }),
    cloudFormation: new CloudFormationClient({ region }),
    dynamoDb: new DynamoDBClient({ region }),
  };
  afterAll(() => Object.values(clients).forEach((c) => c.destroy()));

  test('sets the child to ALARM, polls the roll-up every 10 s for 2 minutes, then reads its history once', async () => {
    await createDoctorStack(region, 'Notify');
    let t = 1_000_000;
    const sleeps: number[] = [];
    const history: [string, number][] = [];
    const probe = new DoctorProbe(clients, {
      profiles: { lookup: async () => new Map() },
      history: { actionSummaries: async (name, since) => (history.push([name, since]), []) },
      clock: () => t,
      sleep: async (ms) => {
        sleeps.push(ms);
        t += ms;
      },
    });
    const said: string[] = [];
    const stack = await probe.describeStack('Notify');
    const result = await probe.testNotification('Notify', stack, (line) => said.push(line));
    expect(result).toEqual({
      attempted: true,
      alarmName: 'Notify-PublisherErrors',
      compositeName: 'Notify-SavingsPipeline',
      topicArns: ['arn:aws:sns:me-central-1:123456789012:Notify-OnCall'],
      compositeReachedAlarm: false,
      actionSummaries: [],
    });
    expect(sleeps).toEqual(Array(NOTIFICATION_WAIT_MS / 10_000).fill(10_000));
    expect(history).toEqual([['Notify-SavingsPipeline', 1_000_000]]);
    expect(said[0]).toBe(
      'notification-delivery: setting Notify-PublisherErrors to ALARM with SetAlarmState; its roll-up Notify-SavingsPipeline WILL send a test page to the on-call topic (arn:aws:sns:me-central-1:123456789012:Notify-OnCall).',
    );
    const after = await clients.cloudWatch.send(new DescribeAlarmsCommand({ AlarmNames: ['Notify-PublisherErrors'] }));
    expect([after.MetricAlarms?.[0].StateValue, after.MetricAlarms?.[0].StateReason]).toEqual([
      'ALARM',
      'prompt-cache doctor --test-notification: a test of the on-call notification; returns to its real state at the next evaluation',
    ]);
  });

  test('a roll-up already in ALARM is not tested: it would send nothing new', async () => {
    await createDoctorStack(region, 'Paging');
    await clients.cloudWatch.send(
      new SetAlarmStateCommand({ AlarmName: 'Paging-SavingsPipeline', StateValue: 'ALARM', StateReason: 'test: an incident' }),
    );
    const probe = new DoctorProbe(clients, { profiles: { lookup: async () => new Map() } });
    const said: string[] = [];
    expect(await probe.testNotification('Paging', await probe.describeStack('Paging'), (l) => said.push(l))).toEqual({
      attempted: false,
      reason: 'Paging-SavingsPipeline is already in ALARM: a test would send nothing new; rerun when it is OK',
    });
    expect(said).toEqual([]);
  });
});
