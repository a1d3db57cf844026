/**
 * The stacks of the monitoring account (config `monitoring`): the roll-up stack in its region (the sink for that
 * region's targets and the fleet dashboard over every target), and a sink stack in each other region that has targets
 * (OAM links reach a sink of their own region only). They only compose.
 */
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { ConfigError, type OnCallMode, type PromptCacheConfig } from '../lambda/core/config';
import { ObservabilitySink } from './cross-account';
import { FLEET_DASHBOARD_MAX_TARGETS, FleetDashboard, type TargetRef } from './fleet-dashboard';
import { consoleDashboardUrl, dashboardUrl } from './console-url';
import { PromptCacheAlarms } from './alarms';
import { WeeklyDigest } from './weekly-digest';

/** A target as the roll-up's alarms see it: where it is, its stack (how pages name it) and who is paged for it. */
export interface RollupAlarmTarget extends TargetRef {
  readonly onCall: OnCallMode;
}

/** The roll-up's alarms of one region: over every source account there (Metrics Insights sees only its own region). */
export interface RollupAlarmsProps {
  /** The config of the roll-up's alarms: `monitoring.alarms` (else `alarms`), the namespace, the publisher's period. */
  readonly config: PromptCacheConfig;
  /** The targets of this region. */
  readonly targets: readonly RollupAlarmTarget[];
}

export interface PromptCacheSinkStackProps extends StackProps {
  /** The accounts of this region's targets (those outside the monitoring account). */
  readonly sourceAccounts: readonly string[];
  /** The roll-up's alarms in this region. @default - none */
  readonly alarms?: RollupAlarmsProps;
  /**
   * The fleet dashboard (in the monitoring region), linked from every page.
   * @default - none: required with `alarms` in a sink stack (the roll-up links its own)
   */
  readonly fleetDashboard?: { readonly name: string; readonly region: string };
}

/**
 * The roll-up's alarms of one region: fleet alarms grouped by source account and model over the targets' alarm-ready
 * series, a heartbeat per target paged by the roll-up (`onCall: "rollup"`), with their topics and notifier. A
 * Metrics Insights alarm in a monitoring account that reads its source accounts, and a metric alarm on another
 * account's metric, are known from AWS documentation only (the emulator has no cross-account observability).
 */
function rollupAlarms(stack: Stack, props: RollupAlarmsProps, dashboardUrl: string): PromptCacheAlarms {
  const heartbeatAccounts = props.targets.filter((t) => t.onCall === 'rollup').map((t) => t.account);
  return new PromptCacheAlarms(stack, 'Alarms', {
    config: props.config,
    namePrefix: stack.stackName,
    dashboardUrl,
    crossAccount: {
      heartbeatAccounts: [...new Set(heartbeatAccounts)].sort(),
      accountLabels: Object.fromEntries(props.targets.map((t) => [t.account, t.stackName])),
    },
  });
}

/** The monitoring account's sink in one region, and the roll-up's alarms there. */
export class PromptCacheSinkStack extends Stack {
  readonly sink?: ObservabilitySink;
  readonly alarms?: PromptCacheAlarms;

  constructor(scope: Construct, id: string, props: PromptCacheSinkStackProps) {
    super(scope, id, {
      description: 'Amazon Bedrock prompt-cache monitoring: the cross-account observability sink of one region',
      ...props,
    });
    if (props.sourceAccounts.length > 0) this.sink = new ObservabilitySink(this, 'Sink', { sourceAccounts: props.sourceAccounts });
    if (props.alarms) {
      if (!props.fleetDashboard) throw new Error(`PromptCacheSinkStack ${id}: alarms need fleetDashboard (their pages link it)`);
      this.alarms = rollupAlarms(this, props.alarms, consoleDashboardUrl(this, props.fleetDashboard.region, props.fleetDashboard.name));
    }
  }
}

export interface PromptCacheRollupStackProps extends PromptCacheSinkStackProps {
  readonly namespace: string;
  /** Every target, in every region. */
  readonly targets: readonly TargetRef[];
  /** The regions that have a sink ARN in the config (their targets link). */
  readonly linkedRegions: readonly string[];
  /** The fleet digest's config: its `digest` section (schedule, e-mails) and each target's own sections. @default - no fleet digest */
  readonly digestConfig?: PromptCacheConfig;
}

/**
 * The roll-up: this region's sink (when other accounts have targets here), the fleet dashboard over every target and
 * the roll-up's alarms of this region.
 */
export class PromptCacheRollupStack extends Stack {
  readonly sink?: ObservabilitySink;
  readonly fleetDashboard: FleetDashboard;
  readonly alarms?: PromptCacheAlarms;

  constructor(scope: Construct, id: string, props: PromptCacheRollupStackProps) {
    super(scope, id, { description: 'Amazon Bedrock prompt-cache monitoring: the roll-up over every target account and region', ...props });
    if (props.sourceAccounts.length > 0) this.sink = new ObservabilitySink(this, 'Sink', { sourceAccounts: props.sourceAccounts });
    if (props.targets.length > FLEET_DASHBOARD_MAX_TARGETS)
      throw new ConfigError(`PromptCacheRollupStack ${id}`, [
        `targets: ${props.targets.length} targets, but the fleet dashboard holds at most ${FLEET_DASHBOARD_MAX_TARGETS} (500 metrics per widget, two per target); split them across two configs with two monitoring stacks`,
      ]);
    this.fleetDashboard = new FleetDashboard(this, 'FleetDashboard', {
      dashboardName: `${this.stackName}-Fleet`,
      namespace: props.namespace,
      targets: props.targets,
      linkedRegions: props.linkedRegions,
    });
    if (props.alarms) this.alarms = rollupAlarms(this, props.alarms, dashboardUrl(this, this.fleetDashboard.dashboard.dashboardName));
    // The weekly digest over every target, totalled, a line per account and region (lib/weekly-digest.ts, fleet mode).
    if (props.digestConfig?.digest.enabled)
      new WeeklyDigest(this, 'FleetDigest', {
        config: props.digestConfig,
        fleetTargets: props.targets.map((t) => ({ account: t.account, region: t.region, linked: t.account !== this.account })),
      });
    new CfnOutput(this, 'FleetDashboardUrl', {
      description: 'Every target side by side',
      value: dashboardUrl(this, this.fleetDashboard.dashboard.dashboardName),
    });
  }
}
