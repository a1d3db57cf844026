/**
 * The stacks of the monitoring account (config `monitoring`): the roll-up stack in its region (the sink for that
 * region's targets and the fleet dashboard over every target), and a sink stack in each other region that has targets
 * (OAM links reach a sink of their own region only). They only compose.
 */
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { ConfigError } from '../lambda/core/config';
import { ObservabilitySink } from './cross-account';
import { FLEET_DASHBOARD_MAX_TARGETS, FleetDashboard, type TargetRef } from './fleet-dashboard';
import { dashboardUrl } from './console-url';

export interface PromptCacheSinkStackProps extends StackProps {
  /** The accounts of this region's targets (those outside the monitoring account). */
  readonly sourceAccounts: readonly string[];
}

/** The monitoring account's sink in one region. */
export class PromptCacheSinkStack extends Stack {
  readonly sink: ObservabilitySink;

  constructor(scope: Construct, id: string, props: PromptCacheSinkStackProps) {
    super(scope, id, {
      description: 'Amazon Bedrock prompt-cache monitoring: the cross-account observability sink of one region',
      ...props,
    });
    this.sink = new ObservabilitySink(this, 'Sink', { sourceAccounts: props.sourceAccounts });
  }
}

export interface PromptCacheRollupStackProps extends PromptCacheSinkStackProps {
  readonly namespace: string;
  /** Every target, in every region. */
  readonly targets: readonly TargetRef[];
  /** The regions that have a sink ARN in the config (their targets link). */
  readonly linkedRegions: readonly string[];
}

/** The roll-up: this region's sink (when other accounts have targets here) and the fleet dashboard over every target. */
export class PromptCacheRollupStack extends Stack {
  readonly sink?: ObservabilitySink;
  readonly fleetDashboard: FleetDashboard;

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
    new CfnOutput(this, 'FleetDashboardUrl', {
      description: 'Every target side by side',
      value: dashboardUrl(this, this.fleetDashboard.dashboard.dashboardName),
    });
  }
}
