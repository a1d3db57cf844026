/**
 * doctor's probe against moto with real SDK clients (CloudFormation, CloudWatch, CloudWatch Logs, DynamoDB) and a fake
 * clock: the stack's alarms, its notifier and the region's Metrics Insights alarms; the notification test's SetAlarmState
 * and its reading of the notifier's log (lines written to a log group of the stack as the notifier writes them). moto
 * returns DescribeAlarms in one page, so the paging of the region count is tested with a stub client; an identity
 * without logs:FilterLogEvents likewise. This file's moto regions: me-central-1 and ap-east-2.
 */
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import {
  CloudWatchClient,
  DescribeAlarmsCommand,
  SetAlarmStateCommand,
  type DescribeAlarmsCommandInput,
  type DescribeAlarmsCommandOutput,
} from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient, type FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DoctorProbe, NOTIFICATION_WAIT_MS, type DoctorClients } from '../../lambda/aws/doctor-probe';
import { parseConfig } from '../../lambda/core/config';
import { runChecks, type Check, type DoctorObservations, type StackObservation } from '../../lambda/core/doctor';
import { createDoctorStack, putMetricsInsightsAlarms, writeNotifierLine, type DoctorStack } from '../support/doctor-stack';

const MINUTE_MS = 60_000;
const region = 'me-central-1';
const clients = {
  cloudWatch: new CloudWatchClient({ region }),
  cloudFormation: new CloudFormationClient({ region }),
  dynamoDb: new DynamoDBClient({ region }),
  logs: new CloudWatchLogsClient({ region }),
};
afterAll(() => Object.values(clients).forEach((c) => c.destroy()));

/** A probe whose clock starts 10 minutes ago (moto keeps log events of the last 14 days) and moves only when it sleeps. */
function fakeTime(onSleep: (t: number) => Promise<void> = async () => undefined, c: DoctorClients = clients) {
  const start = Math.floor(Date.now() / 1000) * 1000 - 10 * MINUTE_MS;
  let t = start;
  const sleeps: number[] = [];
  const probe = new DoctorProbe(c, {
    profiles: { lookup: async () => new Map() },
    clock: () => t,
    sleep: async (ms) => {
      sleeps.push(ms);
      await onSleep(t);
      t += ms;
    },
  });
  return { probe, sleeps, start };
}

/** The real Logs client, recording each FilterLogEvents request. */
function recordingLogs(): { logs: CloudWatchLogsClient; requests: object[] } {
  const requests: object[] = [];
  const logs = {
    send: (cmd: FilterLogEventsCommand) => {
      requests.push(cmd.input);
      return clients.logs.send(cmd);
    },
  } as unknown as CloudWatchLogsClient;
  return { logs, requests };
}

const checkOf = (id: Check['id'], stackName: string, stack: StackObservation, more: Partial<DoctorObservations> = {}) =>
  runChecks(parseConfig({}, 'test'), {
    region,
    nowMs: 0,
    stackName,
    bedrockMetrics: [],
    profiles: new Map(),
    stack,
    ...more,
  }).checks.find((c) => c.id === id) as Check;

const STATE_REASON =
  'prompt-cache doctor --test-notification: a test of the alarm notifier; returns to its real state at the next evaluation';

describe('the stack and its notifier', () => {
  let s: DoctorStack;
  beforeAll(async () => {
    s = await createDoctorStack(region, 'Seen');
  });

  test('describeStack: the alarms with their state and query kind, the notifier by logical id, the Metrics Insights alarms of the region', async () => {
    const { probe } = fakeTime();
    const n = s.notifier!;
    expect(n.logGroup).toMatch(/^Seen-PromptCacheMonitoringAlarmsNotifierLambdaLogs1D34B032-[A-Z0-9]{12}$/);
    expect(await probe.describeStack('Seen')).toEqual({
      exists: true,
      status: 'CREATE_COMPLETE',
      outputs: { LedgerTableName: 'Seen-ledger', OnCallTopicArn: s.pageTopicArn, TicketTopicArn: s.ticketTopicArn },
      alarms: [
        { name: 'Seen-Fleet-CachingCostsMoney', type: 'MetricAlarm', state: 'OK', metricsInsights: true },
        { name: 'Seen-Fleet-CachingCostsMoney-Page', type: 'MetricAlarm', state: 'OK', metricsInsights: true },
        { name: 'Seen-Fleet-LowHitRatio', type: 'MetricAlarm', state: 'OK', metricsInsights: true },
        { name: 'Seen-Fleet-WritesWithoutReads', type: 'MetricAlarm', state: 'OK', metricsInsights: true },
        { name: 'Seen-NotifierFailing', type: 'MetricAlarm', state: 'OK', metricsInsights: false },
        { name: 'Seen-PublisherErrors', type: 'MetricAlarm', state: 'OK', metricsInsights: false },
        { name: 'Seen-PublisherHeartbeat', type: 'MetricAlarm', state: 'OK', metricsInsights: false },
      ],
      notifier: { logGroup: n.logGroup, functionName: n.functionName, roleName: n.roleName, ruleName: n.ruleName },
      metricsInsightsAlarmsInRegion: 4,
    });
  });

  test('an older deploy with roll-ups: no notifier, and --test-notification sets nothing', async () => {
    await createDoctorStack(region, 'Old', { version: 'roll-ups' });
    const { probe } = fakeTime();
    const stack = await probe.describeStack('Old');
    expect([stack.exists, 'notifier' in stack]).toEqual([true, false]);
    const said: string[] = [];
    const result = await probe.testNotification('Old', stack, (l) => said.push(l));
    expect([result, said]).toEqual([{ attempted: false, reason: 'no-notifier' }, []]);
    const after = await clients.cloudWatch.send(new DescribeAlarmsCommand({ AlarmNames: ['Old-PublisherErrors'] }));
    expect(after.MetricAlarms?.[0].StateValue).toBe('OK');
    expect(checkOf('notification-delivery', 'Old', stack, { notification: result })).toEqual({
      id: 'notification-delivery',
      status: 'skip',
      summary: 'stack Old has no alarm notifier: an older version, whose roll-ups notify by themselves',
      fix: 'Deploy the current version (npx cdk deploy), then rerun with --test-notification.',
      details: {},
    });
  });
});

describe('--test-notification against moto', () => {
  test('"notification sent": PublisherErrors set to ALARM, the ticket topic announced, the line found on the second read', async () => {
    const s = await createDoctorStack(region, 'Sent');
    const lg = s.notifier!.logGroup;
    let setAt = 0;
    const { logs, requests } = recordingLogs();
    const { probe, sleeps, start } = fakeTime(
      async (t) => {
        if (t !== setAt) return;
        // What the notifier writes while doctor sleeps: noise first, then its line about the test's event.
        await writeNotifierLine(region, lg, t + 3_000, 'notification sent', {
          alarmName: 'Sent-PublisherErrorsOther',
          topic: 'page',
          messageId: 'not-this-one',
        });
        await writeNotifierLine(region, lg, t + 4_000, 'notification sent', {
          eventId: 'e-1',
          alarmName: 'Sent-PublisherErrors',
          transition: 'alarm',
          topic: 'ticket',
          subject: 'TICKET savings publisher errors',
          messageId: '5f1c2a9e-0b7d-4c39-9e55-1d2f3a4b5c6d',
          figures: 'read',
        });
      },
      { ...clients, logs },
    );
    setAt = start;
    // An older line about the same alarm (before the test) is not the test's.
    await writeNotifierLine(region, lg, start - 60_000, 'notification failed', { alarmName: 'Sent-PublisherErrors', error: 'old' });
    const said: string[] = [];
    const stack = await probe.describeStack('Sent');
    const result = await probe.testNotification('Sent', stack, (l) => said.push(l));
    expect(result).toEqual({
      attempted: true,
      alarmName: 'Sent-PublisherErrors',
      topic: 'ticket',
      topicArn: s.ticketTopicArn,
      notifier: s.notifier,
      setAtMs: start,
      record: {
        kind: 'sent',
        atMs: start + 4_000,
        alarmName: 'Sent-PublisherErrors',
        topic: 'ticket',
        messageId: '5f1c2a9e-0b7d-4c39-9e55-1d2f3a4b5c6d',
      },
    });
    expect(sleeps).toEqual([10_000]);
    const request = {
      logGroupName: lg,
      startTime: start,
      filterPattern: '?"Sent-PublisherErrors" ?"notification failed"',
      nextToken: undefined,
    };
    expect(requests).toEqual([request, request]);
    expect(said).toEqual([
      `notification-delivery: setting Sent-PublisherErrors to ALARM with SetAlarmState; the alarm notifier WILL send a test ticket to the ticket topic (${s.ticketTopicArn}).`,
      'notification-delivery: the alarm returns to its real state at its next evaluation (and the notifier then sends its recovery).',
      `notification-delivery: the notifier's line about Sent-PublisherErrors: "notification sent", 4 s after it was set.`,
    ]);
    const after = await clients.cloudWatch.send(new DescribeAlarmsCommand({ AlarmNames: ['Sent-PublisherErrors'] }));
    expect([after.MetricAlarms?.[0].StateValue, after.MetricAlarms?.[0].StateReason]).toEqual(['ALARM', STATE_REASON]);
    expect(checkOf('notification-delivery', 'Sent', stack, { notification: result })).toMatchObject({
      status: 'pass',
      summary: `Sent-PublisherErrors set to ALARM; the notifier sent it to the ticket topic (${s.ticketTopicArn}), message id 5f1c2a9e-0b7d-4c39-9e55-1d2f3a4b5c6d`,
      fix: null,
    });
  });

  test('"notification failed" as the handler logs it (no alarm name, an SNS AuthorizationError as an Error): the check fails and names the role', async () => {
    const s = await createDoctorStack(region, 'Refused');
    const { probe, sleeps, start } = fakeTime();
    // Already there at the first read: the notifier failed before doctor looked.
    await writeNotifierLine(region, s.notifier!.logGroup, start + 2_000, 'notification failed: the event goes to the dead-letter queue', {
      level: 'ERROR',
      eventId: '7bf73129-1428-4cd3-a780-95db273d1602',
      error: {
        name: 'AuthorizationError',
        location: 'file:///var/task/index.mjs:1:2',
        message: 'User: arn:aws:sts::123456789012:assumed-role/notifier is not authorized to perform: SNS:Publish',
        stack: 'AuthorizationError: …',
      },
    });
    const said: string[] = [];
    const stack = await probe.describeStack('Refused');
    const result = await probe.testNotification('Refused', stack, (l) => said.push(l));
    expect(sleeps).toEqual([]);
    expect(result).toMatchObject({
      attempted: true,
      record: {
        kind: 'failed',
        atMs: start + 2_000,
        error: 'AuthorizationError: User: arn:aws:sts::123456789012:assumed-role/notifier is not authorized to perform: SNS:Publish',
      },
    });
    expect(said[2]).toBe(
      'notification-delivery: the notifier\'s first failure since then (its line names no alarm): "notification failed", 2 s after it was set.',
    );
    const c = checkOf('notification-delivery', 'Refused', stack, { notification: result });
    expect([c.status, c.summary, c.fix]).toEqual([
      'fail',
      'Refused-PublisherErrors set to ALARM; the notifier failed 2 s later, in a line that names no alarm (the first since the test): AuthorizationError: User: arn:aws:sts::123456789012:assumed-role/notifier is not authorized to perform: SNS:Publish',
      `Check that the KMS key policy of the ticket topic (${s.ticketTopicArn}) lets the notifier's role ${s.notifier!.roleName} use the key (kms:Decrypt, kms:GenerateDataKey*), and that the role may sns:Publish to the topic; npx cdk deploy restores both for the topics the stack creates (an imported topic's key policy is yours to grant). Then rerun with --test-notification.`,
    ]);
  });

  test('"alarm event ignored" as the handler logs it (the reason in "ignored"): a warning with the reason', async () => {
    const s = await createDoctorStack(region, 'Ignored');
    const { probe, start } = fakeTime();
    await writeNotifierLine(region, s.notifier!.logGroup, start + 1_500, 'alarm event ignored', {
      sent: false,
      eventId: 'e-2',
      ignored: 'not in the alarm catalog',
      alarmName: 'Ignored-PublisherErrors',
    });
    const stack = await probe.describeStack('Ignored');
    const result = await probe.testNotification('Ignored', stack, () => undefined);
    const c = checkOf('notification-delivery', 'Ignored', stack, { notification: result });
    expect([c.status, c.summary, c.fix]).toEqual([
      'warn',
      'Ignored-PublisherErrors set to ALARM; the notifier ignored the event: not in the alarm catalog',
      `The notifier sent nothing for Ignored-PublisherErrors; its log group ${s.notifier!.logGroup} has the event. If the alarm should notify, deploy the current version (npx cdk deploy) and rerun with --test-notification.`,
    ]);
  });

  test('no line within 2 minutes: 13 reads, 12 sleeps of 10 s, then a warning naming the rule and the function', async () => {
    const s = await createDoctorStack(region, 'Silent');
    const { logs, requests } = recordingLogs();
    const { probe, sleeps } = fakeTime(undefined, { ...clients, logs });
    const said: string[] = [];
    const stack = await probe.describeStack('Silent');
    const result = await probe.testNotification('Silent', stack, (l) => said.push(l));
    expect([requests.length, sleeps]).toEqual([13, Array(NOTIFICATION_WAIT_MS / 10_000).fill(10_000)]);
    expect(result).toMatchObject({ attempted: true, alarmName: 'Silent-PublisherErrors' });
    expect(result).not.toHaveProperty('record');
    expect(said[2]).toBe('notification-delivery: no line of the notifier about Silent-PublisherErrors within 2 minutes.');
    const c = checkOf('notification-delivery', 'Silent', stack, { notification: result });
    const n = s.notifier!;
    expect([c.status, c.summary, c.fix]).toEqual([
      'warn',
      'Silent-PublisherErrors set to ALARM; no notifier record within 2 minutes',
      `Check that the EventBridge rule ${n.ruleName} is enabled and targets the notifier, and the Errors of the notifier function ${n.functionName} (its dead-letter queue keeps failed events); then look in ${n.logGroup} for a line about Silent-PublisherErrors and rerun with --test-notification.`,
    ]);
  });

  test('PublisherErrors already in ALARM: nothing is set, nothing is said', async () => {
    await createDoctorStack(region, 'Burning');
    await clients.cloudWatch.send(
      new SetAlarmStateCommand({ AlarmName: 'Burning-PublisherErrors', StateValue: 'ALARM', StateReason: 'test: an incident' }),
    );
    const { probe } = fakeTime();
    const said: string[] = [];
    expect(await probe.testNotification('Burning', await probe.describeStack('Burning'), (l) => said.push(l))).toEqual({
      attempted: false,
      reason: 'already-in-alarm',
      alarmName: 'Burning-PublisherErrors',
    });
    expect(said).toEqual([]);
    const after = await clients.cloudWatch.send(new DescribeAlarmsCommand({ AlarmNames: ['Burning-PublisherErrors'] }));
    expect(after.MetricAlarms?.[0].StateReason).toBe('test: an incident');
  });

  test('an identity without logs:FilterLogEvents: the alarm is set, the error is kept, reading stops', async () => {
    await createDoctorStack(region, 'Denied');
    const calls: string[] = [];
    const logs = {
      send: async (cmd: { input: { logGroupName?: string } }) => {
        calls.push(cmd.input.logGroupName ?? '');
        throw Object.assign(new Error('not authorized to perform: logs:FilterLogEvents'), { name: 'AccessDeniedException' });
      },
    } as unknown as CloudWatchLogsClient;
    const { probe, sleeps } = fakeTime(undefined, { ...clients, logs });
    const stack = await probe.describeStack('Denied');
    const result = await probe.testNotification('Denied', stack, () => undefined);
    expect([calls.length, sleeps]).toEqual([1, []]);
    expect(result).toMatchObject({ attempted: true, readError: 'AccessDeniedException: not authorized to perform: logs:FilterLogEvents' });
    const lg = (stack as { notifier: { logGroup: string } }).notifier.logGroup;
    const c = checkOf('notification-delivery', 'Denied', stack, { notification: result });
    expect([c.status, c.summary, c.fix]).toEqual([
      'warn',
      `Denied-PublisherErrors set to ALARM; the notifier's log group ${lg} could not be read: AccessDeniedException: not authorized to perform: logs:FilterLogEvents`,
      `Allow logs:FilterLogEvents on ${lg} to the identity running doctor (README "Doctor: check the account"), then rerun with --test-notification.`,
    ]);
  });
});

describe('Metrics Insights alarms of the region', () => {
  test("ap-east-2: the stack's 4 and 176 others make 180, at the warning line of the default 200", async () => {
    const r = 'ap-east-2';
    const c = {
      cloudWatch: new CloudWatchClient({ region: r }),
      cloudFormation: new CloudFormationClient({ region: r }),
      dynamoDb: new DynamoDBClient({ region: r }),
      logs: new CloudWatchLogsClient({ region: r }),
    };
    try {
      await createDoctorStack(r, 'Crowded');
      await putMetricsInsightsAlarms(r, 'other-team', 176);
      const probe = new DoctorProbe(c, { profiles: { lookup: async () => new Map() } });
      const stack = await probe.describeStack('Crowded');
      expect(stack).toMatchObject({ metricsInsightsAlarmsInRegion: 180 });
      const check = runChecks(parseConfig({}, 'test'), {
        region: r,
        nowMs: 0,
        stackName: 'Crowded',
        bedrockMetrics: [],
        profiles: new Map(),
        stack,
      }).checks.find((x) => x.id === 'stack-alarms') as Check;
      expect([check.status, check.summary, check.fix]).toEqual([
        'warn',
        "180 alarms in ap-east-2 use a Metrics Insights query, near CloudWatch's default quota of 200 per account and region (known from AWS's documentation; 4 of them this stack's)",
        'Request a quota increase for Metrics Insights alarms in ap-east-2 (Service Quotas, Amazon CloudWatch), or delete the Metrics Insights alarms you no longer use, before this stack or anything else needs more.',
      ]);
      expect(check.details).toMatchObject({
        fleetAlarms: [
          { name: 'Crowded-Fleet-CachingCostsMoney', state: 'OK' },
          { name: 'Crowded-Fleet-CachingCostsMoney-Page', state: 'OK' },
          { name: 'Crowded-Fleet-LowHitRatio', state: 'OK' },
          { name: 'Crowded-Fleet-WritesWithoutReads', state: 'OK' },
        ],
        metricsInsightsAlarmsInRegion: 180,
      });
    } finally {
      Object.values(c).forEach((x) => x.destroy());
    }
  });

  test('every page of DescribeAlarms (metric alarms, 100 a page): only a SELECT expression counts', async () => {
    const sent: DescribeAlarmsCommandInput[] = [];
    const pages: Partial<DescribeAlarmsCommandOutput>[] = [
      {
        MetricAlarms: [
          { AlarmName: 'a', Metrics: [{ Id: 'q', Expression: 'SELECT MAX(x) FROM SCHEMA("N", ModelId) GROUP BY ModelId' }] },
          { AlarmName: 'b', Metrics: [{ Id: 'm', Expression: "SUM(SEARCH('{AWS/Bedrock,ModelId} SELECT', 'Sum', 300))" }] },
          { AlarmName: 'c', MetricName: 'Errors', Namespace: 'AWS/Lambda' },
        ],
        NextToken: 'p2',
      },
      {
        MetricAlarms: [
          {
            AlarmName: 'd',
            Metrics: [
              { Id: 'm1', MetricStat: undefined },
              { Id: 'q', Expression: '  select avg(CPUUtilization) FROM "AWS/EC2"' },
            ],
          },
        ],
      },
    ];
    const cloudWatch = {
      send: async (cmd: { input: DescribeAlarmsCommandInput }) => {
        sent.push(cmd.input);
        return pages[sent.length - 1];
      },
    } as unknown as CloudWatchClient;
    const probe = new DoctorProbe({ ...clients, cloudWatch }, { profiles: { lookup: async () => new Map() } });
    expect(await probe.countMetricsInsightsAlarms()).toBe(2);
    expect(sent).toEqual([
      { AlarmTypes: ['MetricAlarm'], MaxRecords: 100, NextToken: undefined },
      { AlarmTypes: ['MetricAlarm'], MaxRecords: 100, NextToken: 'p2' },
    ]);
  });
});
