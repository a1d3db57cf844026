/**
 * CloudWatch dashboards: the on-call dashboard ("is the cache working right now?") and the cost-review dashboard
 * ("what happened this week?").
 *
 * Size discipline: per-model series come from SEARCH expressions (new model ids and inference profiles appear without a
 * redeploy), so the bodies do not grow with the number of models — except, on the on-call dashboard, the alarm status
 * list, which lists the alarms of precise models too (the fleet alarms are one per family at any model count). The
 * cost-review body does not grow at all.
 *
 * Why per-model ratios via SEARCH come from the publisher: CloudWatch metric math cannot combine two arrays of series
 * (`SEARCH(read) / (SEARCH(read) + SEARCH(write))` is refused; arithmetic takes a series array with a single series or
 * a scalar only), so a ratio per discovered model needs a per-model ratio metric: the publisher's `CacheHitRatio`.
 */
import { Duration } from 'aws-cdk-lib';
import {
  AlarmStatusWidget,
  AlarmStatusWidgetSortBy,
  Color,
  Dashboard,
  GraphWidget,
  GraphWidgetView,
  LegendPosition,
  MathExpression,
  PeriodOverride,
  Shading,
  SingleValueWidget,
  Stats,
  TableLayout,
  TableSummaryColumn,
  TableWidget,
  TextWidget,
  type HorizontalAnnotation,
  type IAlarm,
  type IMetric,
  type IWidget,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import type { PromptCacheConfig } from '../lambda/core/config';
import { PRICE_CATALOG } from '../lambda/core/prices';
import type { PromptCacheAlarms } from './alarms';
import { BedrockMetrics, CACHED_INPUT_SHARE_LABEL, HIT_RATIO_LABEL } from './bedrock-metrics';
import type { SavingsMetrics } from './savings-metrics';

/** Time range the on-call dashboard opens with. */
export const ON_CALL_DEFAULT_INTERVAL = Duration.hours(3);
/** Time range and period of the cost-review dashboard. */
export const COST_REVIEW_INTERVAL = Duration.days(7);
export const COST_REVIEW_PERIOD = Duration.days(1);
/** CloudWatch shows at most 100 alarms per alarm status widget. */
export const ALARMS_PER_STATUS_WIDGET = 100;

export interface OnCallDashboardProps {
  /** The AWS/Bedrock metric factory (names and period of the dashboard's graphs). */
  readonly metrics: BedrockMetrics;
  /** CloudWatch dashboard name (letters, digits, `-`, `_`; at most 255). */
  readonly dashboardName: string;
  /** The validated config: top-N, namespace, runbook link. @default - the defaults */
  readonly config?: PromptCacheConfig;
  /** The alarms: status widget, break-evens, pipeline thresholds. @default - none */
  readonly alarms?: PromptCacheAlarms;
  /** The custom metrics, when the savings publisher is deployed. @default - no savings or publisher widget */
  readonly savings?: SavingsMetrics;
  /** The publisher's function, for its health widget. */
  readonly publisherFunction?: IFunction;
}

/** At most this many break-evens are listed on the on-call dashboard (the text stays the same size at any model count). */
export const BREAK_EVENS_LISTED = 4;

/** `21.7% (support-bot, code-review), 52.6% (claims-triage)`: the configured models' break-evens, most models first. */
function breakEvens(alarms: PromptCacheAlarms | undefined): string {
  const byValue = new Map<string, string[]>();
  for (const m of alarms?.plan.models ?? []) {
    if (m.breakEvenPercent === undefined || m.breakEvenPercent === 0) continue;
    const key = `${(Math.round(m.breakEvenPercent * 10) / 10).toString()}%`;
    byValue.set(key, [...(byValue.get(key) ?? []), m.label]);
  }
  const listed = [...byValue.entries()].sort((x, y) => y[1].length - x[1].length).slice(0, BREAK_EVENS_LISTED);
  if (listed.length === 0) return 'Claude 21.7% with the 5-minute cache, 52.6% with the 1-hour cache';
  const names = (labels: string[]) =>
    labels.length > 2 ? `${labels.slice(0, 2).join(', ')} and ${labels.length - 2} more` : labels.join(', ');
  return listed.map(([value, labels]) => `${value} (${names(labels)})`).join(', ');
}

/** The on-call dashboard's "Paged? start here": three lines; formulas and how things work are in the README. */
export function onCallReadme(metrics: BedrockMetrics, props: Pick<OnCallDashboardProps, 'config' | 'alarms' | 'savings'> = {}): string {
  const runbookUrl = props.config?.alarms.runbookUrl;
  const runbooks = runbookUrl ? `[When you are paged](${runbookUrl})` : 'the README, section "When you are paged"';
  const namespace = props.config?.namespace;
  const a = props.alarms;
  const fleet = a !== undefined && a.fleet.size > 0;
  return [
    '## Paged? start here',
    `1. The page names the model, what is wrong and its dollars per hour; its text is the runbook (do first, checks, whether it can wait, when it clears). More: ${runbooks}.`,
    `2. Break-even hit ratio (below it caching loses money): ${breakEvens(a)}.`,
    fleet
      ? `3. One model: open the fleet alarm (status above) and its **Contributors** tab, or search the model id in CloudWatch metrics${namespace ? ` (namespace \`${namespace}\`)` : ''}; the graphs below show the ${props.config?.dashboards.topModels ?? DEFAULT_TOP_MODELS} worst models.`
      : `3. One model: search the model id in CloudWatch metrics (${metrics.describe('cacheReadInputTokens')}); the graphs below show the ${props.config?.dashboards.topModels ?? DEFAULT_TOP_MODELS} worst models.`,
  ].join('\n');
}

/** Per-model graphs show this many models unless the config says otherwise. */
export const DEFAULT_TOP_MODELS = 10;

/**
 * The total over the dashboard's time range as the last value of the series: `RUNNING_SUM(x)`. Single values, bars and
 * pies show the last value, so this is the range's figure without `setPeriodToTimeRange`, which sits uneasily beside
 * an explicit period (and the period inside a SEARCH) and may show the last period instead of the range.
 */
export function rangeTotal(metric: IMetric, label: string, id = 'x'): MathExpression {
  return new MathExpression({ expression: `RUNNING_SUM(${id})`, usingMetrics: { [id]: metric }, label, period: metricPeriod(metric) });
}

function metricPeriod(metric: IMetric): Duration {
  const config = metric.toMetricConfig();
  const seconds = config.metricStat?.period.toSeconds() ?? config.mathExpression?.period;
  return Duration.seconds(seconds ?? 300);
}

function annotation(value: number, label: string, color: string, fill?: Shading): HorizontalAnnotation {
  return { value, label, color, ...(fill ? { fill } : {}) };
}

/** Alarm status widgets: every alarm of the construct (fleet first, then precise and pipeline), at most 100 per widget. */
function alarmStatusWidgets(alarms: PromptCacheAlarms): IWidget[] {
  const all: IAlarm[] = alarms.alarms;
  const widgets: IWidget[] = [];
  for (let i = 0; i < all.length; i += ALARMS_PER_STATUS_WIDGET) {
    const chunk = all.slice(i, i + ALARMS_PER_STATUS_WIDGET);
    const part =
      all.length > ALARMS_PER_STATUS_WIDGET
        ? ` (${i / ALARMS_PER_STATUS_WIDGET + 1} of ${Math.ceil(all.length / ALARMS_PER_STATUS_WIDGET)})`
        : '';
    widgets.push(
      new AlarmStatusWidget({
        title: `Alarms: ALARM first${part}`,
        alarms: chunk,
        sortBy: AlarmStatusWidgetSortBy.STATE_UPDATED_TIMESTAMP,
        width: 24,
        height: Math.min(2 + Math.ceil(chunk.length / 6), 20),
      }),
    );
  }
  return widgets;
}

/** The on-call widgets, row by row. */
export function onCallWidgets(props: Omit<OnCallDashboardProps, 'dashboardName'>): IWidget[][] {
  const { metrics, config, alarms, savings, publisherFunction } = props;
  const top = config?.dashboards.topModels ?? DEFAULT_TOP_MODELS;
  const readAll = metrics.allModels('cacheReadInputTokens', { label: 'Cache read tokens, all models' });
  const writeAll = metrics.allModels('cacheWriteInputTokens', { label: 'Cache write tokens, all models' });
  const rows: IWidget[][] = [];
  if (alarms && alarms.alarms.length > 0) rows.push(...alarmStatusWidgets(alarms).map((w) => [w]));
  rows.push([new TextWidget({ markdown: onCallReadme(metrics, { config, alarms, savings }), width: 24, height: 4 })]);

  const ratioRow: IWidget[] = [
    new GraphWidget({
      title: 'Cache hit ratio and cached input share, all models (%)',
      left: [metrics.cacheHitRatio({ label: HIT_RATIO_LABEL }), metrics.cachedInputShare({ label: CACHED_INPUT_SHARE_LABEL })],
      leftYAxis: { min: 0, max: 100, label: '%', showUnits: false },
      width: savings ? 12 : 24,
      height: 6,
    }),
  ];
  if (savings) {
    ratioRow.push(
      new GraphWidget({
        title: `Cache hit ratio per model (%), the ${top} lowest: publisher, per ${savings.period.toMinutes()} min`,
        left: [savings.search('cacheHitRatio', { label: `Hit ratio % | \${PROP('Dim.ModelId')}`, top })],
        leftYAxis: { min: 0, max: 100, label: '%', showUnits: false },
        width: 12,
        height: 6,
      }),
    );
  }
  rows.push(ratioRow);
  rows.push([
    new GraphWidget({
      title: `Cache read vs write tokens, the ${top} largest models and the rest (stacked)`,
      left: [
        metrics.searchPerModel('cacheReadInputTokens', { top }),
        metrics.restOfModels('cacheReadInputTokens', top),
        metrics.searchPerModel('cacheWriteInputTokens', { top }),
        metrics.restOfModels('cacheWriteInputTokens', top),
      ],
      stacked: true,
      leftYAxis: { min: 0, label: 'tokens', showUnits: false },
      width: 8,
      height: 6,
    }),
    new GraphWidget({
      title: 'Cache read vs write tokens, all models',
      left: [readAll, writeAll],
      leftYAxis: { min: 0, label: 'tokens', showUnits: false },
      width: 8,
      height: 6,
    }),
    new GraphWidget({
      // RUNNING_SUM's last value is the range's total: no setPeriodToTimeRange next to the SEARCH's own period.
      title: 'Read vs write share of cached tokens, whole time range',
      view: GraphWidgetView.PIE,
      left: [rangeTotal(readAll, 'Cache read tokens', 'r'), rangeTotal(writeAll, 'Cache write tokens', 'w')],
      displayLabelsOnChart: true,
      legendPosition: LegendPosition.BOTTOM,
      width: 8,
      height: 6,
    }),
  ]);
  rows.push([
    new GraphWidget({
      title: `Uncached input tokens, the ${top} largest models and the rest`,
      left: [metrics.searchPerModel('inputTokens', { top }), metrics.restOfModels('inputTokens', top)],
      leftYAxis: { min: 0, label: 'tokens', showUnits: false },
      width: 12,
      height: 6,
    }),
    new GraphWidget({
      title: `Invocations and throttles, the ${top} busiest models`,
      left: [metrics.searchRuntime('Invocations', Stats.SUM, { top })],
      right: [metrics.searchRuntime('InvocationThrottles', Stats.SUM, { top })],
      leftYAxis: { min: 0, label: 'invocations', showUnits: false },
      rightYAxis: { min: 0, label: 'throttles', showUnits: false },
      width: 12,
      height: 6,
    }),
  ]);
  rows.push(
    (['InvocationLatency', 'TimeToFirstToken'] as const).map(
      (name) =>
        new GraphWidget({
          title: `${name} p50 and p90, the ${top} slowest models (ms)${name === 'TimeToFirstToken' ? ', streaming calls' : ''}`,
          left: [
            metrics.searchRuntime(name, Stats.p(50), { top, by: 'MAX' }),
            metrics.searchRuntime(name, Stats.p(90), { top, by: 'MAX' }),
          ],
          leftYAxis: { min: 0, label: 'ms', showUnits: false },
          width: 12,
          height: 6,
        }),
    ),
  );
  if (savings) {
    const costAlarm = alarms?.plan.fleet.some((f) => f.family === 'cachingCostsMoney') ?? false;
    const row: IWidget[] = [
      new GraphWidget({
        title: `Net savings per ${savings.period.toMinutes()} min (USD), the ${top} lowest models and all models`,
        left: [
          savings.search('netSavingsUsd', { expression: (search) => `SORT(${search}, SUM, ASC, ${top})` }),
          savings.metric('netSavingsUsd', { label: 'Net savings USD, all models', color: '#000000' }),
        ],
        leftAnnotations: [
          annotation(0, costAlarm ? 'below 0: caching costs money (alarmed)' : 'below 0: caching costs money', Color.RED, Shading.BELOW),
        ],
        leftYAxis: { label: 'USD', showUnits: false },
        width: 8,
        height: 6,
      }),
      new GraphWidget({
        title: 'Unpriced tokens (models with no known price)',
        left: [savings.metric('unpricedTokens')],
        leftYAxis: { min: 0, label: 'tokens', showUnits: false },
        width: 8,
        height: 6,
      }),
    ];
    if (publisherFunction) {
      const period = savings.period;
      row.push(
        new GraphWidget({
          // What the pipeline alarm reads: the lag of each run's report (right), beside errors and published periods.
          title: 'Savings publisher: errors, published periods, awaiting settlement, lag (what the pipeline alarm reads)',
          left: [
            publisherFunction.metricErrors({ period, statistic: Stats.SUM, label: 'Errors', color: Color.RED }),
            savings.metric('publishedPeriods', { label: 'Published periods', color: Color.GREEN }),
            // Old datums show up to 48 hours late: a crashed backfill waits here instead of being re-put.
            savings.metric('periodsAwaitingSettlement', { label: 'Periods awaiting settlement', color: Color.PURPLE }),
          ],
          right: [savings.metric('publisherLagMinutes', { label: 'Lag of the last run (min)', color: Color.ORANGE })],
          leftAnnotations: alarms?.pipeline.publisherErrors ? [annotation(1, 'errors alarm >= 1', Color.RED)] : [],
          rightAnnotations: alarms?.pipeline.heartbeat
            ? [
                annotation(
                  alarms.plan.lagThresholdMinutes,
                  `pipeline alarm: lag > ${alarms.plan.lagThresholdMinutes} min, or no report, ${alarms.plan.heartbeatPeriods} periods`,
                  Color.ORANGE,
                ),
              ]
            : [],
          leftYAxis: { min: 0, label: 'count', showUnits: false },
          rightYAxis: { min: 0, label: 'minutes', showUnits: false },
          width: 8,
          height: 6,
        }),
      );
    }
    rows.push(row);
  }
  return rows;
}

/** The on-call dashboard, top to bottom: alarms, paged? start here, ratios, tokens, traffic, latency, dollars, publisher. */
export class OnCallDashboard extends Construct {
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: OnCallDashboardProps) {
    super(scope, id);
    this.dashboard = new Dashboard(this, 'Resource', {
      dashboardName: props.dashboardName,
      defaultInterval: ON_CALL_DEFAULT_INTERVAL,
      // Every graph keeps its own period, so SEARCH series (their period is part of the expression) and the ratios
      // stay on the same buckets when the time range changes.
      periodOverride: PeriodOverride.INHERIT,
      widgets: onCallWidgets(props),
    });
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Cost review
// ---------------------------------------------------------------------------------------------------------------

export interface CostReviewDashboardProps {
  readonly config: PromptCacheConfig;
  readonly dashboardName: string;
  /** The custom metrics, when the savings publisher is deployed. @default - token figures only */
  readonly savings?: SavingsMetrics;
}

/** The text of the cost-review dashboard: the arithmetic and where the prices come from. */
export function costReviewReadme(config: PromptCacheConfig, withDollars: boolean): string {
  const checked = [...new Set(Object.values(PRICE_CATALOG).map((e) => e.checked))].sort().join(', ');
  const overrides = Object.keys(config.pricing).length;
  return [
    '## Bedrock prompt cache: cost review (7 days, 1-day periods)',
    '* cost without cache = (input + read + write) x p_in + output x p_out; cost with cache = input x p_in + write x p_write + read x p_read + output x p_out.',
    '* **net savings** = read x (p_in - p_read) - write x (p_write - p_in) = cost without - cost with; below 0, caching costs money. **% saved** = net savings / cost without.',
    '* **Hit ratio of the range** = sum(read) / (sum(read) + sum(write)) over the whole range, token-weighted (not an average of hourly ratios).',
    `* Prices: the built-in catalog (lambda/core/price-catalog.json; aws.amazon.com/bedrock/pricing and Anthropic's pricing page, checked ${checked}), ` +
      `overridden by the config's \`pricing\` (${overrides} ${overrides === 1 ? 'entry' : 'entries'}); \`prompt-cache report\` shows each model's rule as priceSource. ` +
      'Claude 4.5+ through geographic profiles: +10 %. Unpriced models count in Unpriced tokens, not in dollars.',
    withDollars
      ? `* Dollars: the publisher's \`${config.namespace}\` metrics, one datum per model per ${config.publisher.periodMinutes}-minute period, summed per day.`
      : '* Dollars need the savings publisher, which this deployment leaves out: token figures only.',
  ].join('\n');
}

export function costReviewWidgets(props: Omit<CostReviewDashboardProps, 'dashboardName'>): IWidget[][] {
  const { config, savings } = props;
  const top = config.dashboards.topModels;
  const tokens = BedrockMetrics.fromConfig(config, COST_REVIEW_PERIOD);
  const rows: IWidget[][] = [[new TextWidget({ markdown: costReviewReadme(config, savings !== undefined), width: 24, height: 6 })]];
  // The range's figures are RUNNING_SUMs of the daily values (see rangeTotal): the week's figure is the week's.
  const read = tokens.allModels('cacheReadInputTokens');
  const write = tokens.allModels('cacheWriteInputTokens');
  const weekRatio = new MathExpression({
    // FILL first: a day with reads but no write datapoint (or the reverse) must not drop out of the sums.
    expression:
      'IF((RUNNING_SUM(FILL(r, 0)) + RUNNING_SUM(FILL(w, 0))) > 0, 100 * RUNNING_SUM(FILL(r, 0)) / (RUNNING_SUM(FILL(r, 0)) + RUNNING_SUM(FILL(w, 0))))',
    usingMetrics: { r: read, w: write },
    label: 'Hit ratio of the range %, token-weighted',
    period: COST_REVIEW_PERIOD,
  });
  const singles: IWidget[] = [];
  if (savings) {
    const day = savings.period;
    const net = savings.metric('netSavingsUsd', { label: 'Net savings USD' });
    const withCache = savings.metric('costWithCacheUsd', { label: 'Cost with cache USD' });
    const without = savings.metric('costWithoutCacheUsd', { label: 'Cost without cache USD' });
    singles.push(
      new SingleValueWidget({
        title: 'The range: net savings, cost with and without cache, % saved',
        metrics: [
          rangeTotal(net, 'Net savings USD', 'net'),
          rangeTotal(withCache, 'Cost with cache USD', 'withCache'),
          rangeTotal(without, 'Cost without cache USD', 'without'),
          new MathExpression({
            expression: 'IF(RUNNING_SUM(FILL(without, 0)) > 0, 100 * RUNNING_SUM(FILL(net, 0)) / RUNNING_SUM(FILL(without, 0)))',
            usingMetrics: { net, without },
            label: '% saved',
            period: day,
          }),
        ],
        width: 16,
        height: 4,
      }),
    );
  }
  singles.push(
    new SingleValueWidget({
      title: 'Hit ratio of the range (token-weighted)',
      metrics: [weekRatio],
      width: savings ? 8 : 24,
      height: 4,
    }),
  );
  rows.push(singles);
  if (savings) {
    rows.push([
      new TableWidget({
        title: `Per model, per day and the range (USD): the ${top} largest costs`,
        metrics: [
          savings.search('netSavingsUsd', { label: `net savings | \${PROP('Dim.ModelId')}`, top }),
          savings.search('costWithCacheUsd', { label: `cost with cache | \${PROP('Dim.ModelId')}`, top }),
          savings.search('costWithoutCacheUsd', { label: `cost without cache | \${PROP('Dim.ModelId')}`, top }),
        ],
        layout: TableLayout.HORIZONTAL,
        summary: { columns: [TableSummaryColumn.SUM], sticky: true },
        width: 24,
        height: 8,
      }),
    ]);
  }
  rows.push([
    new TableWidget({
      title: `Per model, per day and the range (cache tokens): the ${top} largest`,
      metrics: [
        tokens.searchPerModel('cacheReadInputTokens', { label: `read | \${PROP('Dim.ModelId')}`, top }),
        tokens.searchPerModel('cacheWriteInputTokens', { label: `write | \${PROP('Dim.ModelId')}`, top }),
        tokens.searchPerModel('inputTokens', { label: `uncached input | \${PROP('Dim.ModelId')}`, top }),
      ],
      layout: TableLayout.HORIZONTAL,
      summary: { columns: [TableSummaryColumn.SUM], sticky: true },
      width: 24,
      height: 8,
    }),
  ]);
  if (savings) {
    rows.push([
      new GraphWidget({
        title: `Net savings per model per day (USD), the ${top} largest and the rest`,
        left: [
          savings.search('netSavingsUsd', { top }),
          savings.search('netSavingsUsd', {
            label: 'all other models',
            expression: (search) => `SUM(${savings.searchExpression('netSavingsUsd')}) - SUM(${search})`,
            top,
          }),
        ],
        stacked: true,
        leftAnnotations: [annotation(0, 'below 0: caching costs money', Color.RED, Shading.BELOW)],
        leftYAxis: { label: 'USD', showUnits: false },
        width: 12,
        height: 6,
      }),
      new GraphWidget({
        // The lowest first: the models that lose money are the decisions of the meeting; the rest is one bar.
        title: `Net savings per model, the whole range (USD): the ${top} lowest and the rest`,
        view: GraphWidgetView.BAR,
        left: [
          savings.search('netSavingsUsd', { expression: (search) => `RUNNING_SUM(SORT(${search}, SUM, ASC, ${top}))` }),
          savings.search('netSavingsUsd', {
            label: 'all other models',
            expression: (search) => `RUNNING_SUM(SUM(${search}) - SUM(SORT(${search}, SUM, ASC, ${top})))`,
          }),
        ],
        width: 12,
        height: 6,
      }),
    ]);
    if (config.reconcile.daily.enabled) rows.push([billWidget(config, savings)]);
  }
  return rows;
}

/**
 * The daily bill check's figures beside the publisher's: the bill and the computed cost per day (each day's bill lands
 * `billDelayDays` + 1 days after it starts, so the newest days have none yet), and the drift against the alarm's band.
 * A check that stopped running shows here as the bill line ending early.
 */
function billWidget(config: PromptCacheConfig, savings: SavingsMetrics): GraphWidget {
  const t = config.alarms.costDrift.thresholdPercent;
  return new GraphWidget({
    title: `The bill vs the computed cost per day, all models (USD; the bill is read ${config.reconcile.daily.billDelayDays} days after each day)`,
    left: [
      savings.metric('billedCostUsd', { statistic: 'Maximum', label: 'Billed USD (Cost Explorer)' }),
      savings.metric('costWithCacheUsd', { label: 'Computed USD (tokens × prices)' }),
    ],
    right: [savings.metric('costDriftPercent', { label: 'Drift % of the bill' })],
    rightAnnotations: [annotation(t, `+${t}%: the drift alarm's threshold`, Color.ORANGE), annotation(-t, `-${t}%`, Color.ORANGE)],
    leftYAxis: { label: 'USD', showUnits: false },
    rightYAxis: { label: '%', showUnits: false },
    width: 24,
    height: 6,
  });
}

/** The cost-review dashboard: 7 days, 1-day periods, the week's dollars and hit ratio, a per-model table, daily bars. */
export class CostReviewDashboard extends Construct {
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: CostReviewDashboardProps) {
    super(scope, id);
    this.dashboard = new Dashboard(this, 'Resource', {
      dashboardName: props.dashboardName,
      defaultInterval: COST_REVIEW_INTERVAL,
      periodOverride: PeriodOverride.INHERIT,
      widgets: costReviewWidgets(props),
    });
  }
}
