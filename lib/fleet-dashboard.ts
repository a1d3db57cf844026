/**
 * The roll-up's fleet dashboard in the monitoring account: every target's net savings and hit ratio side by side, one
 * line per account and region (cross-account widgets: the targets' links to the sink of each region share the custom
 * namespace), and a table of the range's dollars per target with their total. Its size grows with the targets, never
 * with the models: it reads the publisher's all-models series.
 */
import { Duration } from 'aws-cdk-lib';
import {
  Dashboard,
  GraphWidget,
  Metric,
  PeriodOverride,
  TableLayout,
  TableSummaryColumn,
  TableWidget,
  TextWidget,
} from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import type { TargetRef } from '../lambda/core/config';
import { CUSTOM_METRICS } from '../lambda/core/contract';

/** A target as the roll-up sees it (its account, region and stack). */
export type { TargetRef };

export interface FleetDashboardProps {
  readonly dashboardName: string;
  readonly namespace: string;
  readonly targets: readonly TargetRef[];
  /** The regions whose sink the targets link to (others' lines stay empty until they do). */
  readonly linkedRegions: readonly string[];
}

/** A widget shows at most 500 metrics and the table holds two per target: the targets one dashboard can hold. */
export const FLEET_DASHBOARD_MAX_TARGETS = 250;

export class FleetDashboard extends Construct {
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: FleetDashboardProps) {
    super(scope, id);
    const day = Duration.days(1);
    const of = (t: TargetRef, kind: keyof typeof CUSTOM_METRICS, statistic: string, label = t.stackName) =>
      new Metric({
        namespace: props.namespace,
        metricName: CUSTOM_METRICS[kind].name,
        statistic,
        period: day,
        account: t.account,
        region: t.region,
        label,
      });
    const unlinked = [...new Set(props.targets.map((t) => t.region))].filter((r) => !props.linkedRegions.includes(r)).sort();
    this.dashboard = new Dashboard(this, 'Resource', {
      dashboardName: props.dashboardName,
      defaultInterval: Duration.days(7),
      periodOverride: PeriodOverride.INHERIT,
      widgets: [
        [
          new TextWidget({
            markdown: [
              `## Bedrock prompt cache: ${props.targets.length} targets (accounts and regions)`,
              "* Each line is one target's all-models series, shared with this account by its CloudWatch cross-account observability link (metrics of the `" +
                props.namespace +
                '` and `AWS/Bedrock` namespaces only). A link shares what is sent after it exists: no history from before it.',
              unlinked.length > 0
                ? `* No sink link yet in ${unlinked.join(', ')}: deploy the roll-up's sink there, set \`monitoring.sinks\`, then deploy those targets.`
                : '* Every target region has a sink; a target without a line has not published yet (or its link is missing: `prompt-cache doctor`).',
            ].join('\n'),
            width: 24,
            height: 3,
          }),
        ],
        [
          new GraphWidget({
            title: 'Net savings per day, per account and region (USD)',
            left: props.targets.map((t) => of(t, 'netSavingsUsd', 'Sum')),
            leftYAxis: { label: 'USD', showUnits: false },
            width: 12,
            height: 8,
          }),
          new GraphWidget({
            title: 'Hit ratio per account and region (%, daily average of the published periods)',
            left: props.targets.map((t) => of(t, 'cacheHitRatio', 'Average')),
            leftYAxis: { min: 0, max: 100, label: '%', showUnits: false },
            width: 12,
            height: 8,
          }),
        ],
        [
          new TableWidget({
            title: 'The range per target (USD): net savings and cost with cache; the total row sums the targets',
            metrics: props.targets.flatMap((t) => [
              of(t, 'netSavingsUsd', 'Sum', `net savings | ${t.stackName}`),
              of(t, 'costWithCacheUsd', 'Sum', `cost with cache | ${t.stackName}`),
            ]),
            layout: TableLayout.HORIZONTAL,
            summary: { columns: [TableSummaryColumn.SUM], sticky: true },
            width: 24,
            height: 10,
          }),
        ],
      ],
    });
  }
}
