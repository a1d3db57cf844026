/**
 * CloudWatch dashboards: the on-call dashboard ("is the cache working right now?") and the cost-review dashboard
 * ("what happened this week?").
 *
 * Size discipline: per-model series come from SEARCH expressions (new model ids and inference profiles appear without a
 * redeploy), so the bodies do not grow with the number of models — except, on the on-call dashboard, the alarm status
 * list and one widget per configured model with alarms (its ratios and alarm thresholds, labelled with its display
 * name). The cost-review body does not grow at all.
 *
 * Why per-model ratios via SEARCH come from the publisher: CloudWatch metric math cannot combine two arrays of series
 * (`SEARCH(read) / (SEARCH(read) + SEARCH(write))` is refused; arithmetic takes a series array with a single series or
 * a scalar only), so a ratio per discovered model needs a per-model ratio metric: the publisher's `CacheHitRatio`.
 */
import { Duration } from 'aws-cdk-lib';
import {
  AlarmStatusWidget,
  AlarmWidget,
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
import { modelAlarmSettings, type PromptCacheConfig } from '../lambda/core/config';
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
  /** The validated config: configured models and alarm thresholds. @default - no per-model widget, no threshold */
  readonly config?: PromptCacheConfig;
  /** The alarms: status widget, per-model widgets, threshold annotations. @default - none */
  readonly alarms?: PromptCacheAlarms;
  /** The custom metrics, when the savings publisher is deployed. @default - no savings or publisher widget */
  readonly savings?: SavingsMetrics;
  /** The publisher's function, for its health widget. */
  readonly publisherFunction?: IFunction;
}

/** The short "how to read it" text at the top of the on-call dashboard. */
export function onCallReadme(metrics: BedrockMetrics, props: Pick<OnCallDashboardProps, 'config' | 'alarms' | 'savings'> = {}): string {
  const minutes = metrics.period.toMinutes();
  const runbookUrl = props.config?.alarms.runbookUrl;
  const runbooks = runbookUrl ? `[Alarms and runbooks](${runbookUrl})` : 'the README, section "Alarms and runbooks"';
  const a = props.alarms;
  const paging = [
    ...(a?.cacheHealth ? [`\`${a.plan.namePrefix}-CacheHealth\``] : []),
    ...(a?.savingsPipeline ? [`\`${a.plan.namePrefix}-SavingsPipeline\``] : []),
  ];
  return [
    '## Bedrock prompt cache: on-call',
    (paging.length > 0
      ? `**How to read it.** Alarms first (ALARM on top). ${paging.join(' and ')} ${paging.length > 1 ? 'page' : 'pages'}; the alarm that fired is in the page, its description is the runbook (what, tokens or dollars, causes, first three checks). `
      : '**How to read it.** ') +
      `Then top to bottom: ratios, tokens, traffic and latency, dollars, the publisher, one widget per configured model. Runbooks: ${runbooks}.`,
    `Free \`AWS/Bedrock\` metrics, Sum per ${minutes} min, every model id and inference profile of this account and region ` +
      '(found by SEARCH: new ones appear by themselves).',
    `* **Cache hit ratio** (efficiency) = read / (read + write), from ${metrics.describe('cacheReadInputTokens')} and ${metrics.describe('cacheWriteInputTokens')}. ` +
      'Low while writes go on = the cached prefix keeps being rebuilt (prefix changed, TTL expired, checkpoint below the model minimum).',
    `* **Cached input share** (coverage) = read / (input + read + write); ${metrics.describe('inputTokens')} excludes cached tokens. ` +
      `All-models lines sum the per-model series; per-model graphs show the top ${props.config?.dashboards.topModels ?? DEFAULT_TOP_MODELS} models and sum the rest.`,
    '* A period without cache traffic has no point (undefined, not 0 %).',
    '* Claude break-even hit ratio: 21.7 % with the 5-minute cache, 52.6 % with the 1-hour cache; below it caching costs money.',
    (props.savings
      ? "Per-model hit ratio of every model: the publisher's `CacheHitRatio`, one point per publisher period (metric math cannot divide one SEARCH by another). "
      : '') +
      'Configured models: at the bottom, the hit ratio as its alarm sees it, threshold drawn. Per-model coverage: the cost-review token table and `prompt-cache report`.',
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

/** Alarm status widgets: every alarm of the construct (roll-ups first), at most 100 per widget. */
function alarmStatusWidgets(alarms: PromptCacheAlarms): IWidget[] {
  const all: IAlarm[] = [
    ...(alarms.cacheHealth ? [alarms.cacheHealth] : []),
    ...(alarms.savingsPipeline ? [alarms.savingsPipeline] : []),
    ...alarms.cacheHealthParts,
    ...alarms.alarms,
  ];
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

/** The family whose alarm a model's widget shows: the low hit ratio, else the first it has. */
const WIDGET_FAMILY_ORDER = ['lowHitRatio', 'cachingCostsMoney', 'writesWithoutReads'] as const;
const WIDGET_TITLES = {
  lowHitRatio: 'hit ratio % vs its alarm',
  cachingCostsMoney: 'net savings USD vs its alarm',
  writesWithoutReads: 'writes without reads vs its alarm',
};

/**
 * One alarm widget per configured model with alarms, titled with its display name: the low-hit-ratio alarm's own
 * graph (the gated hit ratio and its threshold). About 300 bytes each: it is the part of the on-call body that grows
 * with the model count, and 3 alarms per model already fill the template.
 */
function modelAlarmWidget(config: PromptCacheConfig, alarms: PromptCacheAlarms, index: number): IWidget | undefined {
  const m = alarms.plan.models[index];
  const own = alarms.byModel.get(m.modelId);
  const family = WIDGET_FAMILY_ORDER.find((f) => own?.[f] !== undefined);
  if (!own || !family) return undefined;
  const name = config.models[index].displayName ?? m.modelId;
  return new AlarmWidget({ alarm: own[family]!, title: `${name}: ${WIDGET_TITLES[family]}`, width: 8, height: 5 });
}

/** The on-call widgets, row by row. */
export function onCallWidgets(props: Omit<OnCallDashboardProps, 'dashboardName'>): IWidget[][] {
  const { metrics, config, alarms, savings, publisherFunction } = props;
  const top = config?.dashboards.topModels ?? DEFAULT_TOP_MODELS;
  const readAll = metrics.allModels('cacheReadInputTokens', { label: 'Cache read tokens, all models' });
  const writeAll = metrics.allModels('cacheWriteInputTokens', { label: 'Cache write tokens, all models' });
  const section = config ? modelAlarmSettings(config.alarms) : undefined;
  const lowHit = alarms?.allModels.lowHitRatio && section ? section.lowHitRatio.thresholdPercent : undefined;
  // The all-models alarm judges the publisher's settled totals per publisher period; the line is its threshold.
  const thresholdLine = lowHit === undefined ? [] : [annotation(lowHit, `low-hit-ratio alarms < ${lowHit}%`, Color.RED, Shading.BELOW)];
  const rows: IWidget[][] = [];
  if (alarms && alarms.alarms.length > 0) rows.push(...alarmStatusWidgets(alarms).map((w) => [w]));
  rows.push([new TextWidget({ markdown: onCallReadme(metrics, { config, alarms, savings }), width: 24, height: 7 })]);

  const ratioRow: IWidget[] = [
    new GraphWidget({
      title: 'Cache hit ratio and cached input share, all models (%)',
      left: [metrics.cacheHitRatio({ label: HIT_RATIO_LABEL }), metrics.cachedInputShare({ label: CACHED_INPUT_SHARE_LABEL })],
      leftYAxis: { min: 0, max: 100, label: '%', showUnits: false },
      leftAnnotations: thresholdLine,
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
        leftAnnotations: thresholdLine,
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
    const costAlarm = alarms?.allModels.cachingCostsMoney !== undefined;
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
  if (config && alarms) {
    const perModel = config.models.map((_, i) => modelAlarmWidget(config, alarms, i)).filter((w): w is IWidget => w !== undefined);
    for (let i = 0; i < perModel.length; i += 3) rows.push(perModel.slice(i, i + 3));
  }
  return rows;
}

/** The on-call dashboard, top to bottom: alarms, how to read it, ratios, tokens, traffic, latency, dollars, publisher, models. */
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
    `* Prices: the built-in catalog (lambda/core/prices.ts; aws.amazon.com/bedrock/pricing and Anthropic's pricing page, checked ${checked}), ` +
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
  }
  return rows;
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
