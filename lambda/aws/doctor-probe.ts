/**
 * Collects what `prompt-cache doctor` checks (lambda/core/doctor.ts), read-only except `testNotification`:
 * - AWS/Bedrock ListMetrics for every spelling of each token metric, all pages, all dimension sets;
 * - the inference profiles seen (bedrock:GetInferenceProfile through the resolver);
 * - the stack (DescribeStacks, ListStackResources and GetTemplate) and its alarms in CloudWatch (DescribeAlarms);
 * - the ledger watermark (DynamoDB) and the newest PublisherLagMinutes datum;
 * - with --test-notification: SetAlarmState on one child alarm, the roll-up's state, its Action history.
 */
import {
  CloudFormationClient,
  DescribeStacksCommand,
  GetTemplateCommand,
  ListStackResourcesCommand,
  type StackResourceSummary,
} from '@aws-sdk/client-cloudformation';
import {
  CloudWatchClient,
  DescribeAlarmHistoryCommand,
  DescribeAlarmsCommand,
  GetMetricDataCommand,
  ListMetricsCommand,
  SetAlarmStateCommand,
} from '@aws-sdk/client-cloudwatch';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { PromptCacheConfig } from '../core/config';
import { BEDROCK_NAMESPACE, CUSTOM_METRICS } from '../core/contract';
import {
  bedrockMetricNamesToList,
  classifyActions,
  pickTestAlarm,
  profileArns,
  type AlarmState,
  type DoctorObservations,
  type FreshnessObservation,
  type ListedMetric,
  type NotificationObservation,
  type StackAlarm,
  type StackObservation,
} from '../core/doctor';
import type { ProfileLookup } from '../core/inference-profiles';
import { alignDown } from '../core/periods';
import { settlementBacklog } from '../core/publish-run';
import { DynamoDbLedger } from './ledger';

type Sender<C extends { send: unknown }> = Pick<C, 'send'>;

export interface DoctorClients {
  readonly cloudWatch: Sender<CloudWatchClient>;
  readonly cloudFormation: Sender<CloudFormationClient>;
  readonly dynamoDb: DynamoDBClient;
}

/** The profile lookups doctor reports (InferenceProfileResolver.lookup). */
export interface ProfileLookups {
  lookup(modelIds: readonly string[]): Promise<ReadonlyMap<string, ProfileLookup>>;
}

/** The `Action` history of one composite alarm since a time: its HistorySummary lines, oldest first. */
export interface AlarmHistoryReader {
  actionSummaries(compositeName: string, sinceMs: number): Promise<string[]>;
}

/** DescribeAlarmHistory of a composite alarm: AlarmTypes must name CompositeAlarm, or only metric alarms are searched. */
export class CloudWatchAlarmHistory implements AlarmHistoryReader {
  constructor(private readonly cloudWatch: Sender<CloudWatchClient>) {}

  async actionSummaries(compositeName: string, sinceMs: number): Promise<string[]> {
    const items: { at: number; summary: string }[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.cloudWatch.send(
        new DescribeAlarmHistoryCommand({
          AlarmName: compositeName,
          AlarmTypes: ['CompositeAlarm'],
          HistoryItemType: 'Action',
          StartDate: new Date(sinceMs),
          ScanBy: 'TimestampAscending',
          MaxRecords: 100,
          NextToken: nextToken,
        }),
      );
      for (const item of page.AlarmHistoryItems ?? []) {
        if (item.HistoryItemType !== 'Action' || item.HistorySummary === undefined) continue;
        items.push({ at: item.Timestamp?.getTime() ?? 0, summary: item.HistorySummary });
      }
      nextToken = page.NextToken;
    } while (nextToken);
    return items.sort((a, b) => a.at - b.at).map((i) => i.summary);
  }
}

export interface DoctorProbeOptions {
  readonly profiles: ProfileLookups;
  readonly history?: AlarmHistoryReader;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly clock?: () => number;
}

export interface CollectOptions {
  readonly config: PromptCacheConfig;
  readonly region: string;
  readonly stackName: string;
  readonly testNotification: boolean;
  /** What the notification test is doing, as it does it (the operator must know a page is coming). */
  readonly say: (line: string) => void;
}

const ALARM_TYPES = { 'AWS::CloudWatch::Alarm': 'MetricAlarm', 'AWS::CloudWatch::CompositeAlarm': 'CompositeAlarm' } as const;
const MINUTE_MS = 60_000;
/** How long the notification test waits for the roll-up and its action. */
export const NOTIFICATION_WAIT_MS = 2 * MINUTE_MS;
const POLL_MS = 10_000;

export class DoctorProbe {
  private readonly history: AlarmHistoryReader;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly clock: () => number;

  constructor(
    private readonly clients: DoctorClients,
    private readonly options: DoctorProbeOptions,
  ) {
    this.history = options.history ?? new CloudWatchAlarmHistory(clients.cloudWatch);
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
    const cfn = this.clients.cloudFormation;
    let described;
    try {
      described = (await cfn.send(new DescribeStacksCommand({ StackName: stackName }))).Stacks?.[0];
    } catch (err) {
      if ((err as Error).name === 'ValidationError' && /does not exist/.test((err as Error).message)) return { exists: false };
      throw err;
    }
    if (!described) return { exists: false };
    const outputs: Record<string, string> = {};
    for (const o of described.Outputs ?? [])
      if (o.OutputKey !== undefined && o.OutputValue !== undefined) outputs[o.OutputKey] = o.OutputValue;
    const resources: StackResourceSummary[] = [];
    let nextToken: string | undefined;
    do {
      const page = await cfn.send(new ListStackResourcesCommand({ StackName: stackName, NextToken: nextToken }));
      resources.push(...(page.StackResourceSummaries ?? []));
      nextToken = page.NextToken;
    } while (nextToken);
    const expected = await this.alarmResources(stackName, resources);
    const found = await this.describeAlarms(expected.map((a) => a.name));
    // The type is the stack resource's; state, rule and actions are CloudWatch's.
    const alarms: StackAlarm[] = expected.map((a) => ({ ...found.get(a.name), ...a }));
    return {
      exists: true,
      status: described.StackStatus ?? 'UNKNOWN',
      outputs,
      alarms: alarms.sort((a, b) => a.name.localeCompare(b.name)),
    };
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
              actions: a.AlarmActions ?? [],
            });
        }
        for (const a of page.CompositeAlarms ?? []) {
          if (a.AlarmName)
            out.set(a.AlarmName, {
              name: a.AlarmName,
              type: 'CompositeAlarm',
              state: a.StateValue as AlarmState,
              rule: a.AlarmRule ?? '',
              actions: a.AlarmActions ?? [],
            });
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

  /** Drives one child alarm into ALARM and watches its roll-up notify (the only write doctor makes). */
  async testNotification(stackName: string, stack: StackObservation, say: (line: string) => void): Promise<NotificationObservation> {
    if (!stack.exists) return { attempted: false, reason: `stack ${stackName} not found: no alarm to test` };
    const pick = pickTestAlarm(stackName, stack.alarms);
    if (!pick)
      return { attempted: false, reason: `stack ${stackName} has no alarm under a roll-up with alarm actions: nothing would notify` };
    const { alarm, composite } = pick;
    if (composite.state === 'ALARM') {
      return { attempted: false, reason: `${composite.name} is already in ALARM: a test would send nothing new; rerun when it is OK` };
    }
    const topics = composite.actions ?? [];
    say(
      `notification-delivery: setting ${alarm} to ALARM with SetAlarmState; its roll-up ${composite.name} WILL send a test page to the on-call topic (${topics.join(', ')}).`,
    );
    say('notification-delivery: the alarms return to their real state at their next evaluation (and the roll-up then sends OK).');
    const startMs = this.clock();
    await this.clients.cloudWatch.send(
      new SetAlarmStateCommand({
        AlarmName: alarm,
        StateValue: 'ALARM',
        StateReason:
          'prompt-cache doctor --test-notification: a test of the on-call notification; returns to its real state at the next evaluation',
      }),
    );
    let reached = false;
    let summaries: string[] = [];
    for (;;) {
      const page = await this.clients.cloudWatch.send(
        new DescribeAlarmsCommand({ AlarmNames: [composite.name], AlarmTypes: ['CompositeAlarm'] }),
      );
      reached ||= page.CompositeAlarms?.[0]?.StateValue === 'ALARM';
      if (reached) {
        summaries = await this.history.actionSummaries(composite.name, startMs);
        if (classifyActions(summaries) !== 'none') break;
      }
      if (this.clock() - startMs >= NOTIFICATION_WAIT_MS) {
        if (!reached) summaries = await this.history.actionSummaries(composite.name, startMs);
        break;
      }
      await this.sleep(POLL_MS);
    }
    say(
      `notification-delivery: ${composite.name} ${reached ? 'went to ALARM' : 'did not go to ALARM within 2 minutes'}; ${summaries.length} action history item(s).`,
    );
    return {
      attempted: true,
      alarmName: alarm,
      compositeName: composite.name,
      topicArns: topics,
      compositeReachedAlarm: reached,
      actionSummaries: summaries,
    };
  }
}
