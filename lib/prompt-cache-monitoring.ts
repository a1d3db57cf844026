/**
 * The L3 construct teams embed: prompt-cache observability for Amazon Bedrock from the free AWS/Bedrock metrics.
 * It composes the on-call and cost-review dashboards, the alarms (fleet alarms over every model, with their paging
 * and ticket topics) and the savings publisher.
 */
import { Aws, Stack, Token } from 'aws-cdk-lib';
import type { Dashboard } from 'aws-cdk-lib/aws-cloudwatch';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct, type IConstruct } from 'constructs';
import { ConfigError, configProblems, parseConfig, type ConfigInput, type PromptCacheConfig } from '../lambda/core/config';
import { DEFAULT_NAMESPACE } from '../lambda/core/contract';
import { BedrockMetrics, searchUnsafeReason } from './bedrock-metrics';
import { DailyBillCheck, type DailyBillCheckOptions } from './bill-check';
import { PromptCacheAlarms } from './alarms';
import { dashboardUrl } from './console-url';
import { COST_REVIEW_PERIOD, CostReviewDashboard, OnCallDashboard } from './dashboards';
import { SavingsMetrics } from './savings-metrics';
import { SavingsPublisher, type SavingsPublisherOptions } from './savings-publisher';
import { addSynthWarning } from './synth-warnings';
import { WeeklyDigest, type WeeklyDigestOptions } from './weekly-digest';

export interface PromptCacheMonitoringProps {
  /**
   * The config as written in cdk.json or a config file (defaults unfilled); validated here, every problem reported at
   * once with its path. An already parsed config (`parseConfig`, `loadConfigFromContext`) is accepted as well.
   */
  readonly config: ConfigInput;
  /**
   * A topic of your app for pages (its ARN may be a token), instead of the topic created here. Not together with the
   * config's `alarms.topicArn` (synth refuses both). The notifier function publishes to it; if it is encrypted, its key
   * policy must let that function's role use the key.
   * @default - the topic of `alarms.topicArn`, else a topic created here (customer-managed key, SSL only)
   */
  readonly onCallTopic?: sns.ITopic;
  /**
   * A topic of your app for tickets (what can wait for working hours), instead of the ticket topic created here. Not
   * together with the config's `alarms.tickets.topicArn`; same key rule as `onCallTopic`.
   * @default - the topic of `alarms.tickets.topicArn`, else a topic created here
   */
  readonly ticketTopic?: sns.ITopic;
  /**
   * A topic of your app for the weekly digest (its ARN may be a token), instead of the cost-review topic created here;
   * `digest.emails` are subscribed to it and the digest function may publish to it (and use its key).
   * @default - a cost-review topic created here (its own rotating key, SSL only)
   */
  readonly costReviewTopic?: sns.ITopic;
  /**
   * Name of the on-call dashboard: letters, digits, `-` and `_`, at most 255 characters. Dashboard names are unique
   * per account across all regions, so set it when embedding this construct twice in one stack.
   * @default `<stack name>-OnCall-<region>` (the region is the deploy-time `AWS::Region`)
   */
  readonly dashboardName?: string;
  /**
   * Name of the cost-review dashboard (same rules as `dashboardName`).
   * @default `<stack name>-CostReview-<region>`
   */
  readonly costReviewDashboardName?: string;
  /**
   * Alarm names start with `<alarmNamePrefix>-` (they are unique per account and region; the SNS topic's policies
   * trust alarms of this prefix only). Set it when embedding this construct twice in one stack.
   * @default the stack name
   */
  readonly alarmNamePrefix?: string;
  /**
   * The scheduled savings publisher (custom metrics per period, exactly once); `false` leaves it out (dashboards of
   * the raw AWS/Bedrock metrics only).
   * @default - a publisher with the defaults of {@link SavingsPublisherOptions}
   */
  readonly publisher?: SavingsPublisherOptions | false;
  /**
   * Tuning of the weekly digest Lambda; whether it exists, when it runs and who gets it is the config's `digest`.
   * @default - the defaults of {@link WeeklyDigestOptions}
   */
  readonly digest?: WeeklyDigestOptions;
  /**
   * Tuning of the daily bill check Lambda; whether it exists and when it runs is the config's `reconcile.daily`.
   * @default - the defaults of {@link DailyBillCheckOptions}
   */
  readonly billCheck?: DailyBillCheckOptions;
  /**
   * `false`: no alarm, topic or notifier here, while the publisher still writes the alarm-ready series by the
   * config's `alarms` (a monitoring account's roll-up alarms on them: config `targets[].onCall: "rollup"`).
   * @default true
   */
  readonly ownAlarms?: boolean;
}

const DASHBOARD_NAME_PATTERN = /^[A-Za-z0-9_-]{1,255}$/;
const ALARM_PREFIX_PATTERN = /^[A-Za-z0-9_.-]{1,128}$/;

/**
 * Checks the props without building anything; one line per problem, each naming its path (empty when valid).
 * The constructor throws a {@link ConfigError} listing all of them at once.
 */
export function validatePromptCacheMonitoringProps(props: PromptCacheMonitoringProps): string[] {
  const problems = configProblems(props.config, 'config');
  // Checked on the raw value, so it is reported even when the schema found other problems.
  const names: unknown = (props.config as { bedrockMetricNames?: unknown } | undefined)?.bedrockMetricNames;
  if (names && typeof names === 'object') {
    for (const [key, name] of Object.entries(names)) {
      const unsafe = typeof name === 'string' ? searchUnsafeReason(name) : undefined;
      if (unsafe) problems.push(`config.bedrockMetricNames.${key}: ${unsafe} (got ${JSON.stringify(name)})`);
    }
  }
  for (const key of ['dashboardName', 'costReviewDashboardName'] as const) {
    const name = props[key];
    if (name !== undefined && !Token.isUnresolved(name) && !DASHBOARD_NAME_PATTERN.test(name)) {
      problems.push(`${key}: must be 1 to 255 letters, digits, "-" or "_" (got ${JSON.stringify(name)})`);
    }
  }
  const prefix = props.alarmNamePrefix;
  if (prefix !== undefined && !ALARM_PREFIX_PATTERN.test(prefix)) {
    problems.push(`alarmNamePrefix: must be 1 to 128 letters, digits, ".", "-" or "_" (got ${JSON.stringify(prefix)})`);
  }
  const rawAlarms = (props.config as { alarms?: { topicArn?: unknown; tickets?: { topicArn?: unknown } } } | undefined)?.alarms;
  const topicArn: unknown = rawAlarms?.topicArn;
  if (props.onCallTopic && topicArn !== undefined) {
    problems.push(
      `onCallTopic: config.alarms.topicArn (${JSON.stringify(topicArn)}) names an on-call topic too; give one of them (the prop for a topic of your app, the key for an existing topic)`,
    );
  }
  const ticketTopicArn: unknown = rawAlarms?.tickets?.topicArn;
  if (props.ticketTopic && ticketTopicArn !== undefined) {
    problems.push(
      `ticketTopic: config.alarms.tickets.topicArn (${JSON.stringify(ticketTopicArn)}) names a ticket topic too; give one of them (the prop for a topic of your app, the key for an existing topic)`,
    );
  }
  return problems;
}

/** The custom namespace a raw config publishes into (invalid values fall back to the default; the schema reports them). */
function rawNamespace(config: ConfigInput): string {
  const ns: unknown = (config as { namespace?: unknown } | undefined)?.namespace;
  return typeof ns === 'string' ? ns : DEFAULT_NAMESPACE;
}

/** The instances built so far, per app: two in one account and region must not share a namespace. */
const INSTANCES = new WeakMap<IConstruct, PromptCacheMonitoring[]>();

/** Whether two stacks may deploy to one account and region (unknown, env-agnostic, counts as may). */
function mayShareRegion(a: Stack, b: Stack): boolean {
  const same = (x: string, y: string) => Token.isUnresolved(x) || Token.isUnresolved(y) || x === y;
  return same(a.account, b.account) && same(a.region, b.region);
}

/**
 * Prompt-cache monitoring for Amazon Bedrock: an on-call dashboard and a cost-review dashboard built on SEARCH
 * expressions (their size does not depend on the number of models), fleet alarms that watch every model the
 * publisher sees with runbooks, paging and ticket topics (lib/alarms/), the savings publisher and the weekly digest. Validates its props when
 * constructed (during `cdk synth`) and reports every problem at once.
 */
export class PromptCacheMonitoring extends Construct {
  /** The validated config, defaults filled. */
  readonly config: PromptCacheConfig;
  /** The AWS/Bedrock metric factory used by the dashboards (reuse it for your own widgets or alarms). */
  readonly bedrockMetrics: BedrockMetrics;
  /** The on-call dashboard. */
  readonly onCallDashboard: Dashboard;
  /** The cost-review dashboard (7 days, 1-day periods). */
  readonly costReviewDashboard: Dashboard;
  /** The alarms, their topics and notifier (see the config's `alarms`). */
  readonly alarms: PromptCacheAlarms;
  /** The savings publisher, unless `publisher: false`. */
  readonly publisher?: SavingsPublisher;
  /** The weekly digest, unless the config's `digest.enabled` is false. */
  readonly digest?: WeeklyDigest;
  /** The daily bill check, unless `reconcile.daily.enabled` is false or there is no publisher (it keeps its ledger item in the publisher's table). */
  readonly billCheck?: DailyBillCheck;

  /** The custom namespace as given, for the check across instances. */
  private readonly namespace: string;

  constructor(scope: Construct, id: string, props: PromptCacheMonitoringProps) {
    super(scope, id);
    const problems = validatePromptCacheMonitoringProps(props);
    // Both publishers would publish every model into the one namespace: doubled dollar Sums, and either heartbeat
    // would keep the other's pipeline alarm quiet. Only instances of one app can be seen here (README, "Two teams").
    const namespace = rawNamespace(props.config);
    const others = INSTANCES.get(this.node.root) ?? [];
    for (const other of others) {
      if (other.namespace === namespace && mayShareRegion(Stack.of(this), Stack.of(other))) {
        problems.push(
          `config.namespace: ${JSON.stringify(namespace)} is also the namespace of PromptCacheMonitoring ${other.node.path} in this app; both publishers would publish every model into it, ` +
            "doubling the dollar Sums, and one instance's heartbeat would hide the other's silence. Give each instance its own namespace (and its own models)",
        );
      }
    }
    if (problems.length > 0) throw new ConfigError(`PromptCacheMonitoring ${this.node.path}`, problems);
    INSTANCES.set(this.node.root, [...others, this]);
    this.namespace = namespace;

    this.config = parseConfig(props.config, 'props.config');
    this.bedrockMetrics = BedrockMetrics.fromConfig(this.config);
    const dashboardName = props.dashboardName ?? `${Stack.of(this).stackName}-OnCall-${Aws.REGION}`;
    const costReviewDashboardName = props.costReviewDashboardName ?? `${Stack.of(this).stackName}-CostReview-${Aws.REGION}`;
    if (props.publisher !== false) {
      this.publisher = new SavingsPublisher(this, 'SavingsPublisher', { ...props.publisher, config: this.config });
    }
    if (this.publisher && this.config.reconcile.daily.enabled) {
      this.billCheck = new DailyBillCheck(this, 'BillCheck', {
        ...props.billCheck,
        config: this.config,
        ledgerTable: this.publisher.ledgerTable,
      });
    }
    if (this.config.digest.enabled) {
      this.digest = new WeeklyDigest(this, 'WeeklyDigest', {
        ...props.digest,
        config: this.config,
        topic: props.costReviewTopic,
        costReviewDashboardUrl: dashboardUrl(this, costReviewDashboardName),
      });
    } else if (props.costReviewTopic) {
      addSynthWarning(this, {
        kind: 'cost-review-topic-unused',
        message: 'costReviewTopic: digest.enabled is false, so no digest is sent to this topic; remove the prop or enable the digest',
      });
    }
    // Alarms after every other resource but the dashboards, so their resource-limit check sees the whole stack.
    const publisherFunction = this.publisher?.function;
    this.alarms = new PromptCacheAlarms(this, 'Alarms', {
      config: props.ownAlarms === false ? withoutOwnAlarms(this.config) : this.config,
      namePrefix: props.alarmNamePrefix ?? Stack.of(this).stackName,
      dashboardUrl: dashboardUrl(this, dashboardName),
      // Its function, period, settle delay and timeout: what the pipeline alarm and the publisher-series windows need.
      publisher: this.publisher,
      topic: props.onCallTopic,
      ticketTopic: props.ticketTopic,
      ...(this.billCheck ? { billCheck: this.billCheck } : {}),
      resourcesAddedLater: 2,
    });
    // Every alarm is created after the deploy-time run: the pipeline alarm starts with its first report.
    if (this.publisher?.firstRun) this.alarms.node.addDependency(this.publisher.firstRun);
    const savings = this.publisher ? SavingsMetrics.fromConfig(this.config) : undefined;
    this.onCallDashboard = new OnCallDashboard(this, 'OnCallDashboard', {
      metrics: this.bedrockMetrics,
      dashboardName,
      config: this.config,
      alarms: this.alarms,
      savings,
      publisherFunction,
    }).dashboard;
    this.costReviewDashboard = new CostReviewDashboard(this, 'CostReviewDashboard', {
      config: this.config,
      dashboardName: costReviewDashboardName,
      savings: this.publisher ? SavingsMetrics.fromConfig(this.config, COST_REVIEW_PERIOD) : undefined,
    }).dashboard;
  }
}

/** The config as this stack's alarms see it when the roll-up pages for it: none, and nowhere to send to. */
function withoutOwnAlarms(config: PromptCacheConfig): PromptCacheConfig {
  const { topicArn: _topicArn, ...alarms } = config.alarms;
  return { ...config, alarms: { ...alarms, enabled: false, emails: [], tickets: {} } };
}
