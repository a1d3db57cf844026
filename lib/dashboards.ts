/**
 * CloudWatch dashboards. First version: the on-call dashboard ("is the cache working right now?").
 *
 * Its body does not depend on the configured models: per-model series come from SEARCH expressions, so a new model
 * id or inference profile appears without a redeploy, and 1 or 100 models give the same body (well under the
 * 500-widget / 2,500-metric dashboard limits).
 */
import { Duration } from 'aws-cdk-lib';
import {
  Dashboard,
  GraphWidget,
  GraphWidgetView,
  LegendPosition,
  PeriodOverride,
  TextWidget,
  type IWidget,
} from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { CACHED_INPUT_SHARE_LABEL, HIT_RATIO_LABEL, type BedrockMetrics } from './bedrock-metrics';

/** Time range the on-call dashboard opens with. */
export const ON_CALL_DEFAULT_INTERVAL = Duration.hours(3);

/** The short "how to read it" text at the top of the on-call dashboard. */
export function onCallReadme(metrics: BedrockMetrics): string {
  const n = metrics.metricNames;
  const minutes = metrics.period.toMinutes();
  return [
    '## Bedrock prompt cache: on-call',
    `Free \`AWS/Bedrock\` metrics, Sum per ${minutes} min, every model id and inference profile of this account and region ` +
      '(found by SEARCH: new ones appear by themselves).',
    `* **Cache hit ratio** (efficiency) = read / (read + write), from \`${n.cacheReadInputTokens}\` and \`${n.cacheWriteInputTokens}\`. ` +
      'Low while writes go on = the cached prefix keeps being rebuilt (prefix changed, TTL expired, checkpoint below the model minimum).',
    `* **Cached input share** (coverage) = read / (input + read + write); \`${n.inputTokens}\` excludes cached tokens.`,
    '* A period without cache traffic has no point (undefined, not 0 %).',
    '* Claude break-even hit ratio: 21.7 % with the 5-minute cache, 52.6 % with the 1-hour cache; below it caching costs money.',
  ].join('\n');
}

/** The on-call widgets, row by row; the same whatever the number of configured models. */
export function onCallWidgets(metrics: BedrockMetrics): IWidget[][] {
  const readAll = metrics.tokens('cacheReadInputTokens');
  const writeAll = metrics.tokens('cacheWriteInputTokens');
  return [
    [new TextWidget({ markdown: onCallReadme(metrics), width: 24, height: 5 })],
    [
      new GraphWidget({
        title: 'Cache read vs write tokens, per model (stacked)',
        left: [metrics.searchPerModel('cacheReadInputTokens'), metrics.searchPerModel('cacheWriteInputTokens')],
        stacked: true,
        leftYAxis: { min: 0, label: 'tokens', showUnits: false },
        width: 12,
        height: 6,
      }),
      new GraphWidget({
        title: 'Cache read vs write tokens, all models',
        left: [readAll, writeAll],
        leftYAxis: { min: 0, label: 'tokens', showUnits: false },
        width: 12,
        height: 6,
      }),
    ],
    [
      new GraphWidget({
        title: 'Cache hit ratio and cached input share, all models (%)',
        left: [metrics.cacheHitRatio({ label: HIT_RATIO_LABEL }), metrics.cachedInputShare({ label: CACHED_INPUT_SHARE_LABEL })],
        leftYAxis: { min: 0, max: 100, label: '%', showUnits: false },
        width: 12,
        height: 6,
      }),
      new GraphWidget({
        title: 'Read vs write share of cached tokens, whole time range',
        view: GraphWidgetView.PIE,
        left: [readAll, writeAll],
        setPeriodToTimeRange: true,
        displayLabelsOnChart: true,
        legendPosition: LegendPosition.BOTTOM,
        width: 12,
        height: 6,
      }),
    ],
  ];
}

export interface OnCallDashboardProps {
  /** The AWS/Bedrock metric factory (names and period). */
  readonly metrics: BedrockMetrics;
  /** CloudWatch dashboard name (letters, digits, `-`, `_`; at most 255). */
  readonly dashboardName: string;
}

/** The on-call dashboard: read vs write tokens (per model and all), both ratios, and the read/write pie. */
export class OnCallDashboard extends Construct {
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: OnCallDashboardProps) {
    super(scope, id);
    this.dashboard = new Dashboard(this, 'Resource', {
      dashboardName: props.dashboardName,
      defaultInterval: ON_CALL_DEFAULT_INTERVAL,
      // Every graph keeps the factory's period, so SEARCH series (their period is part of the expression) and the
      // ratios stay on the same buckets when the time range changes.
      periodOverride: PeriodOverride.INHERIT,
      widgets: onCallWidgets(props.metrics),
    });
  }
}
