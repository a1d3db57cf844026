/**
 * Collects what `prompt-cache doctor` checks (lambda/core/doctor.ts), read-only except `testNotification`:
 * - AWS/Bedrock ListMetrics for every spelling of each token metric, all pages, all dimension sets;
 * - the inference profiles seen (bedrock:GetInferenceProfile through the resolver);
 * - the stack (DescribeStacks, ListStackResources and GetTemplate), its alarms in CloudWatch (DescribeAlarms by name)
 *   and the region's Metrics Insights alarms (DescribeAlarms, every page);
 * - the ledger watermark (DynamoDB) and the newest PublisherLagMinutes datum;
 * - with --test-notification: SetAlarmState on one alarm, then the alarm notifier's log (FilterLogEvents) for its line.
 */
import { CloudFormationClient, GetTemplateCommand, type StackResourceSummary } from '@aws-sdk/client-cloudformation';
import {
  CloudWatchClient,
  DescribeAlarmsCommand,
  GetMetricDataCommand,
  ListMetricsCommand,
  SetAlarmStateCommand,
  type MetricAlarm,
} from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { PromptCacheConfig } from '../core/config';
import { BEDROCK_NAMESPACE, CUSTOM_METRICS } from '../core/contract';
import {
  NOTIFICATION_WAIT_MINUTES,
  TOPIC_OUTPUTS,
  alarmSeverity,
  bedrockMetricNamesToList,
  firstNotifierRecord,
  isMetricsInsightsQuery,
  parseNotifierRecord,
  pickTestAlarm,
  profileArns,
  topicLabel,
  type AlarmState,
  type DoctorObservations,
  type FreshnessObservation,
  type ListedMetric,
  type NotificationObservation,
  type NotifierRecord,
  type NotifierResources,
  type StackAlarm,
  type StackObservation,
} from '../core/doctor';
import type { ProfileLookup } from '../core/inference-profiles';
import { alignDown } from '../core/periods';
import { settlementBacklog } from '../core/publish-run';
import { stackWithResources } from './doctor-oam-probe';
import { DynamoDbLedger } from './ledger';

type Sender<C extends { send: unknown }> = Pick<C, 'send'>;

export interface DoctorClients {
  readonly cloudWatch: Sender<CloudWatchClient>;
  readonly cloudFormation: Sender<CloudFormationClient>;
  readonly dynamoDb: DynamoDBClient;
  /** The notifier's log (FilterLogEvents), for --test-notification. */
  readonly logs: Sender<CloudWatchLogsClient>;
}

/** The profile lookups doctor reports (InferenceProfileResolver.lookup). */
export interface ProfileLookups {
  lookup(modelIds: readonly string[]): Promise<ReadonlyMap<string, ProfileLookup>>;
}

export interface DoctorProbeOptions {
  readonly profiles: ProfileLookups;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly clock?: () => number;
}

export interface CollectOptions {
  readonly config: PromptCacheConfig;
  readonly region: string;
  readonly stackName: string;
  readonly testNotification: boolean;
  /** What the notification test is doing, as it does it (the operator must know a notification is coming). */
  readonly say: (line: string) => void;
}

const ALARM_TYPES = { 'AWS::CloudWatch::Alarm': 'MetricAlarm', 'AWS::CloudWatch::CompositeAlarm': 'CompositeAlarm' } as const;
const MINUTE_MS = 60_000;
/** How long the notification test waits for the notifier's line. */
export const NOTIFICATION_WAIT_MS = NOTIFICATION_WAIT_MINUTES * MINUTE_MS;
const POLL_MS = 10_000;

/** The notifier's resources are those whose logical id contains this (lib/alarms/notifier.ts, under its construct). */
const NOTIFIER_ID = 'Notifier';

export class DoctorProbe {
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly clock: () => number;

  constructor(
    private readonly clients: DoctorClients,
    private readonly options: DoctorProbeOptions,
  ) {
    this.sleep = options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.clock = options.clock ?? Date.now;
  }

  async collect(o: CollectOptions): Promise<DoctorObservations> {
    const nowMs = this.clock();
    const bedrockMetrics = await this.listBedrockMetrics(bedrockMetricNamesToList(o.config));
    const profiles = await this.options.profiles.lookup(profileArns(o.config, bedrockMetrics));
    const stack = await this.describeStack(o.stackName);
    const ledgerTable = stack.exists ? stack.outputs.LedgerTableName : undefined;
    const freshness = ledgerTable === undefined ? undefined : await this.freshness(ledgerTable, o.config, nowMs);
    const notification = o.testNotification ? await this.testNotification(o.stackName, stack, o.say) : undefined;
    return {
      region: o.region,
      nowMs,
      stackName: o.stackName,
      bedrockMetrics,
      profiles,
      stack,
      ...(freshness ? { freshness } : {}),
      ...(notification ? { notification } : {}),
    };
  }

  /**
   * ListMetrics without RecentlyActive: CloudWatch lists a metric that received data in the last two weeks, which is the
   * question (which spellings have data in 14 days), at one call per name and 500 series a page. `RecentlyActive: PT3H`
   * would miss a model called yesterday; GetMetricData Sums over 14 days would cost a query per series to learn the same.
   */
  async listBedrockMetrics(names: readonly string[]): Promise<ListedMetric[]> {
    const out: ListedMetric[] = [];
    const seen = new Set<string>();
    for (const name of names) {
      let nextToken: string | undefined;
      do {
        const page = await this.clients.cloudWatch.send(
          new ListMetricsCommand({ Namespace: BEDROCK_NAMESPACE, MetricName: name, NextToken: nextToken }),
        );
        for (const m of page.Metrics ?? []) {
          const dimensions = (m.Dimensions ?? [])
            .map((d) => ({ name: d.Name ?? '', value: d.Value ?? '' }))
            .sort((a, b) => a.name.localeCompare(b.name));
          const key = JSON.stringify([name, dimensions]);
          if (seen.has(key)) continue;
          seen.add(key);
          out.push({ metricName: name, dimensions });
        }
        nextToken = page.NextToken;
      } while (nextToken);
    }
    return out;
  }

  async describeStack(stackName: string): Promise<StackObservation> {
    const stack = await stackWithResources(this.clients.cloudFormation, stackName);
    if (!stack.exists) return stack;
    const { outputs, resources } = stack;
    const expected = await this.alarmResources(stackName, resources);
    const found = await this.describeAlarms(expected.map((a) => a.name));
    // The type is the stack resource's; the state and the query kind are CloudWatch's.
    const alarms: StackAlarm[] = expected.map((a) => ({ ...found.get(a.name), ...a }));
    const notifier = notifierResources(resources);
    return {
      exists: true,
      status: stack.status,
      outputs,
      alarms: alarms.sort((a, b) => a.name.localeCompare(b.name)),
      ...(notifier ? { notifier } : {}),
      metricsInsightsAlarmsInRegion: await this.countMetricsInsightsAlarms(),
    };
  }

  /**
   * Metric alarms of the account in this region whose metrics hold a Metrics Insights query: DescribeAlarms of every
   * metric alarm, 100 a page, every page (CloudWatch's default quota is 200 of them; stack-alarms warns near it).
   */
  async countMetricsInsightsAlarms(): Promise<number> {
    let count = 0;
    let nextToken: string | undefined;
    do {
      const page = await this.clients.cloudWatch.send(
        new DescribeAlarmsCommand({ AlarmTypes: ['MetricAlarm'], MaxRecords: 100, NextToken: nextToken }),
      );
      count += (page.MetricAlarms ?? []).filter(holdsMetricsInsightsQuery).length;
      nextToken = page.NextToken;
    } while (nextToken);
    return count;
  }

  /**
   * The stack's alarm resources: the physical ids ListStackResources gives (an alarm's is its name), and for an alarm
   * resource of the template that the listing does not name (a resource whose creation failed, or an emulator that
   * lists resource types it does not implement with blank ids, as moto does for alarms) its template AlarmName.
   */
  private async alarmResources(
    stackName: string,
    resources: readonly StackResourceSummary[],
  ): Promise<{ name: string; type: StackAlarm['type'] }[]> {
    const byLogicalId = new Map<string, { name: string; type: StackAlarm['type'] }>();
    for (const r of resources) {
      const type = ALARM_TYPES[r.ResourceType as keyof typeof ALARM_TYPES];
      if (type && r.LogicalResourceId && r.PhysicalResourceId) byLogicalId.set(r.LogicalResourceId, { name: r.PhysicalResourceId, type });
    }
    const body =
      (await this.clients.cloudFormation.send(new GetTemplateCommand({ StackName: stackName, TemplateStage: 'Original' }))).TemplateBody ??
      '{}';
    let template: { Resources?: Record<string, { Type?: string; Properties?: { AlarmName?: unknown } }> } = {};
    try {
      template = JSON.parse(body);
    } catch {
      // A YAML template (not ours): the listing alone names the alarms.
    }
    for (const [logicalId, r] of Object.entries(template.Resources ?? {})) {
      const type = ALARM_TYPES[r.Type as keyof typeof ALARM_TYPES];
      const name = r.Properties?.AlarmName;
      if (type && !byLogicalId.has(logicalId) && typeof name === 'string') byLogicalId.set(logicalId, { name, type });
    }
    return [...byLogicalId.values()];
  }

  /** DescribeAlarms by name, 100 names a call, both alarm types, all pages. */
  private async describeAlarms(names: readonly string[]): Promise<Map<string, StackAlarm>> {
    const out = new Map<string, StackAlarm>();
    for (let i = 0; i < names.length; i += 100) {
      let nextToken: string | undefined;
      do {
        const page = await this.clients.cloudWatch.send(
          new DescribeAlarmsCommand({
            AlarmNames: names.slice(i, i + 100),
            AlarmTypes: ['MetricAlarm', 'CompositeAlarm'],
            NextToken: nextToken,
          }),
        );
        for (const a of page.MetricAlarms ?? []) {
          if (a.AlarmName)
            out.set(a.AlarmName, {
              name: a.AlarmName,
              type: 'MetricAlarm',
              state: a.StateValue as AlarmState,
              metricsInsights: holdsMetricsInsightsQuery(a),
            });
        }
        for (const a of page.CompositeAlarms ?? []) {
          if (a.AlarmName) out.set(a.AlarmName, { name: a.AlarmName, type: 'CompositeAlarm', state: a.StateValue as AlarmState });
        }
        nextToken = page.NextToken;
      } while (nextToken);
    }
    return out;
  }

  async freshness(ledgerTable: string, config: PromptCacheConfig, nowMs: number): Promise<FreshnessObservation> {
    const namespace = config.namespace;
    const state = await new DynamoDbLedger(this.clients.dynamoDb, ledgerTable, namespace).read();
    const backlog = settlementBacklog(
      state,
      config.publisher.periodMinutes * MINUTE_MS,
      config.publisher.oldDatapointVisibilityHours * 60 * MINUTE_MS,
      nowMs,
    );
    // Maximum per minute over 6 hours (360 points, one query): the newest bucket with a value is the last run's datum.
    const start = alignDown(nowMs - 6 * 60 * MINUTE_MS, MINUTE_MS);
    const page = await this.clients.cloudWatch.send(
      new GetMetricDataCommand({
        StartTime: new Date(start),
        EndTime: new Date(nowMs),
        ScanBy: 'TimestampDescending',
        MetricDataQueries: [
          {
            Id: 'lag',
            ReturnData: true,
            MetricStat: {
              Metric: { Namespace: namespace, MetricName: CUSTOM_METRICS.publisherLagMinutes.name, Dimensions: [] },
              Period: 60,
              Stat: 'Maximum',
            },
          },
        ],
      }),
    );
    const r = page.MetricDataResults?.find((x) => x.Id === 'lag');
    let lastLag: FreshnessObservation['lastLag'];
    (r?.Timestamps ?? []).forEach((t, i) => {
      const v = r?.Values?.[i];
      if (v !== undefined && Number.isFinite(v) && (lastLag === undefined || t.getTime() > lastLag.atMs))
        lastLag = { atMs: t.getTime(), minutes: v };
    });
    return {
      ledgerTable,
      ...(state.watermarkMs === undefined ? {} : { watermarkMs: state.watermarkMs }),
      ...(lastLag ? { lastLag } : {}),
      periodsAwaitingSettlement: backlog.periods,
      ...(backlog.dueAtMs === undefined ? {} : { settlementDueAtMs: backlog.dueAtMs }),
    };
  }

  /**
   * Sets one alarm to ALARM (the only write doctor makes) and reads the alarm notifier's log from then on, every 10 s for
   * up to 2 minutes, for its line about that alarm: "notification sent", "notification failed" or "event ignored".
   */
  async testNotification(stackName: string, stack: StackObservation, say: (line: string) => void): Promise<NotificationObservation> {
    if (!stack.exists) return { attempted: false, reason: 'no-stack' };
    const { notifier } = stack;
    if (!notifier) return { attempted: false, reason: 'no-notifier' };
    const alarm = pickTestAlarm(stackName, stack.alarms);
    if (!alarm) return { attempted: false, reason: 'no-alarm' };
    if (alarm.state === 'ALARM') return { attempted: false, reason: 'already-in-alarm', alarmName: alarm.name };
    const topic = alarmSeverity(stackName, alarm.name);
    const topicArn = stack.outputs[TOPIC_OUTPUTS[topic]];
    say(
      `notification-delivery: setting ${alarm.name} to ALARM with SetAlarmState; the alarm notifier WILL send a test ${topic} to ${topicLabel(topic, topicArn)}.`,
    );
    say('notification-delivery: the alarm returns to its real state at its next evaluation (and the notifier then sends its recovery).');
    const setAtMs = this.clock();
    await this.clients.cloudWatch.send(
      new SetAlarmStateCommand({
        AlarmName: alarm.name,
        StateValue: 'ALARM',
        StateReason:
          'prompt-cache doctor --test-notification: a test of the alarm notifier; returns to its real state at the next evaluation',
      }),
    );
    let record: NotifierRecord | undefined;
    let readError: string | undefined;
    for (;;) {
      try {
        record = firstNotifierRecord(await this.notifierRecords(notifier.logGroup, alarm.name, setAtMs), alarm.name);
      } catch (err) {
        readError = `${(err as Error).name}: ${(err as Error).message}`;
        break;
      }
      if (record || this.clock() - setAtMs >= NOTIFICATION_WAIT_MS) break;
      await this.sleep(POLL_MS);
    }
    say(`notification-delivery: ${outcomeLine(alarm.name, notifier.logGroup, setAtMs, record, readError)}`);
    return {
      attempted: true,
      alarmName: alarm.name,
      topic,
      ...(topicArn === undefined ? {} : { topicArn }),
      notifier,
      setAtMs,
      ...(record ? { record } : {}),
      ...(readError === undefined ? {} : { readError }),
    };
  }

  /**
   * FilterLogEvents of the notifier's log group since `sinceMs`, every page: the lines with the alarm name or "notification
   * failed" (quoted terms, either; the handler's failure line names no alarm). A log group that does not exist yet (the
   * function never wrote) has no record.
   */
  async notifierRecords(logGroup: string, alarmName: string, sinceMs: number): Promise<NotifierRecord[]> {
    const out: NotifierRecord[] = [];
    let nextToken: string | undefined;
    do {
      let page;
      try {
        page = await this.clients.logs.send(
          new FilterLogEventsCommand({
            logGroupName: logGroup,
            startTime: sinceMs,
            filterPattern: `?"${alarmName}" ?"notification failed"`,
            nextToken,
          }),
        );
      } catch (err) {
        if ((err as Error).name === 'ResourceNotFoundException') return out;
        throw err;
      }
      for (const e of page.events ?? []) {
        const r = e.message === undefined ? undefined : parseNotifierRecord(e.message, e.timestamp ?? sinceMs);
        if (r) out.push(r);
      }
      nextToken = page.nextToken;
    } while (nextToken);
    return out;
  }
}

const NOTIFIER_LINES = { sent: 'notification sent', failed: 'notification failed', ignored: 'event ignored' } as const;

/** What the notification test found, as it tells the operator. */
function outcomeLine(alarmName: string, logGroup: string, setAtMs: number, record?: NotifierRecord, readError?: string): string {
  if (readError !== undefined) return `the notifier's log group ${logGroup} could not be read: ${readError}.`;
  if (!record) return `no line of the notifier about ${alarmName} within ${NOTIFICATION_WAIT_MINUTES} minutes.`;
  const which =
    record.alarmName === undefined
      ? "the notifier's first failure since then (its line names no alarm)"
      : `the notifier's line about ${alarmName}`;
  return `${which}: "${NOTIFIER_LINES[record.kind]}", ${Math.round((record.atMs - setAtMs) / 1000)} s after it was set.`;
}

function holdsMetricsInsightsQuery(a: MetricAlarm): boolean {
  return (a.Metrics ?? []).some((m) => isMetricsInsightsQuery(m.Expression));
}

/**
 * The notifier's resources among the stack's (logical ids containing `Notifier`; ListStackResources gives a log
 * group's, a function's, a role's and a rule's name as its physical id): its log group, else the function's default one.
 */
function notifierResources(resources: readonly StackResourceSummary[]): NotifierResources | undefined {
  const named = (type: string) =>
    resources
      .filter((r) => r.ResourceType === type && (r.LogicalResourceId ?? '').includes(NOTIFIER_ID) && r.PhysicalResourceId)
      .sort((a, b) => (a.LogicalResourceId ?? '').localeCompare(b.LogicalResourceId ?? ''))[0]?.PhysicalResourceId;
  const functionName = named('AWS::Lambda::Function');
  const logGroup = named('AWS::Logs::LogGroup') ?? (functionName === undefined ? undefined : `/aws/lambda/${functionName}`);
  if (logGroup === undefined) return undefined;
  const roleName = named('AWS::IAM::Role');
  const ruleName = named('AWS::Events::Rule');
  return {
    logGroup,
    ...(functionName === undefined ? {} : { functionName }),
    ...(roleName === undefined ? {} : { roleName }),
    ...(ruleName === undefined ? {} : { ruleName }),
  };
}
