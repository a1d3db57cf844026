/**
 * What the monitoring itself costs a month: custom metrics (the alarm-ready series among them), alarm metrics, Metrics
 * Insights alarms, composite alarms, dashboards, metric API calls from the schedules, Lambda and DynamoDB, from a summary
 * of the synthesized template, the config and the number of models the publisher sees. Pure.
 */
import { modelAlarmSettings, type PromptCacheConfig } from './config';
import { bedrockMetricCandidates, CUSTOM_METRICS } from './contract';
import { ALARM_READY_SERIES, alarmReadyFamilies } from './datums';

/** USD, us-east-1 list prices. Each with its source and the date it was checked; override any of them. */
export interface MonitoringPrices {
  /** Per custom metric-month (first 10,000 metrics). */
  readonly customMetricMonth: number;
  /** Per metric an alarm reads, per month (standard resolution; a math alarm pays for each metric it reads). */
  readonly alarmMetricMonth: number;
  /** Per metric a Metrics Insights alarm analyzes, per month (a fleet alarm: each model's series is one metric). */
  readonly metricsInsightsAlarmMetricMonth: number;
  readonly compositeAlarmMonth: number;
  /** Per dashboard-month; the first 3 of an account are free (not assumed here: most accounts use them already). */
  readonly dashboardMonth: number;
  /** Per customer-managed KMS key-month (the encrypted SNS topics' keys). */
  readonly kmsKeyMonth: number;
  /** GetMetricData, per 1,000 metrics requested. */
  readonly getMetricDataPer1000Metrics: number;
  /** PutMetricData and ListMetrics, per 1,000 requests. */
  readonly apiPer1000Requests: number;
  readonly lambdaPerMillionRequests: number;
  /** Arm64. */
  readonly lambdaPerGbSecond: number;
  readonly dynamoDbPerMillionWrites: number;
  readonly dynamoDbPerMillionReads: number;
  /** Cost Explorer API, per request (the digest's "billed vs computed" line). */
  readonly costExplorerRequest: number;
}

export const DEFAULT_MONITORING_PRICES: MonitoringPrices = {
  customMetricMonth: 0.3,
  alarmMetricMonth: 0.1,
  metricsInsightsAlarmMetricMonth: 0.1,
  compositeAlarmMonth: 0.5,
  dashboardMonth: 3,
  kmsKeyMonth: 1,
  getMetricDataPer1000Metrics: 0.01,
  apiPer1000Requests: 0.01,
  lambdaPerMillionRequests: 0.2,
  lambdaPerGbSecond: 0.0000133334,
  dynamoDbPerMillionWrites: 0.625,
  dynamoDbPerMillionReads: 0.125,
  costExplorerRequest: 0.01,
};

export const MONITORING_PRICE_SOURCES = {
  cloudWatch: 'aws.amazon.com/cloudwatch/pricing (us-east-1), checked with the other prices; composite alarm $0.50 from the same page',
  metricsInsightsAlarm:
    'alarms on a Metrics Insights query: $0.10 per metric analyzed a month, aws.amazon.com/cloudwatch/pricing (us-east-1)',
  lambda: 'aws.amazon.com/lambda/pricing (us-east-1, Arm), checked 2026-11-25',
  dynamoDb: 'aws.amazon.com/dynamodb/pricing/on-demand (us-east-1), checked 2026-11-25',
  kms: 'aws.amazon.com/kms/pricing ($1 per customer-managed key-month), checked 2026-11-25',
  costExplorer: 'aws.amazon.com/aws-cost-management/aws-cost-explorer/pricing ($0.01 per API request), checked 2026-12-01',
} as const;

/** What the estimate needs from the synthesized template. */
export interface TemplateSummary {
  /** Metrics read by each metric alarm (1 for a plain alarm, the MetricStat count for a math alarm), Metrics Insights alarms aside. */
  readonly alarmMetrics: readonly number[];
  /** Alarms on a Metrics Insights query (an `Expression` starting with SELECT): billed per metric the query analyzes. */
  readonly metricsInsightsAlarms: number;
  readonly compositeAlarms: number;
  readonly dashboards: number;
  readonly kmsKeys: number;
  /** Memory of each function, by role. */
  readonly publisherMemoryMb?: number;
  readonly digestMemoryMb?: number;
  readonly billCheckMemoryMb?: number;
  /** The roll-up's fleet digest: its memory and the targets it reads (DIGEST_FLEET_TARGETS). */
  readonly fleetDigest?: { readonly memoryMb: number; readonly targets: number };
}

export interface CostItem {
  readonly what: string;
  readonly quantity: number;
  readonly unit: string;
  readonly unitPriceUSD: number;
  readonly monthlyUSD: number;
}

/** What one more model Bedrock reports (not in config.models: the `alarms` section's settings) adds to the month. */
export interface ModelCost {
  /** Its custom metrics: the 4 every model gets, then its alarm-ready series (up to 3, in fleet mode). */
  readonly series: string[];
  readonly alarmReadySeries: number;
  /** Metrics Insights alarms of the template, each of which analyzes one more metric (its series). */
  readonly metricsInsightsAlarms: number;
  /**
   * Token metrics GetMetricData reads for it a month: 4 a publisher run, 4 a weekly digest (one query spans both
   * windows) and 4 a daily bill check.
   */
  readonly getMetricDataMetrics: number;
  /** The bill check's daily series for it (BilledCostUSD, CostDriftPercent), each billed 1 hour in 24. */
  readonly dailySeries: number;
  readonly monthlyUSD: number;
  /** The same, as a sum a person can check. */
  readonly formula: string;
}

export interface CostEstimate {
  readonly monthlyUSD: number;
  /** Models the estimate counts: the configured ones plus any others expected from Bedrock. */
  readonly models: number;
  readonly items: CostItem[];
  readonly perAddedModel: ModelCost;
  readonly assumptions: string[];
}

export interface EstimateOptions {
  /** Models the publisher sees, configured or not (at least config.models.length). @default config.models.length */
  readonly models?: number;
  /**
   * A stack without a publisher of its own whose Metrics Insights alarms read other accounts' series (the roll-up):
   * the models they see, with alarm-ready series (see {@link alarmReadyModels}). @default 0
   */
  readonly sourceModels?: number;
}

/** The configured models that get alarm-ready series (fleet mode, alarms on): what a roll-up's fleet alarm sees of them. */
export function alarmReadyModels(config: PromptCacheConfig): number {
  return config.models.filter((m) => alarmReadyNames(config, m).length > 0).length;
}

const HOURS_PER_MONTH = 730;
const WEEKS_PER_MONTH = 52 / 12;
/** The bill check's series per model and for all models: BilledCostUSD and CostDriftPercent. */
const BILL_SERIES = 2;
/** ListMetrics returns at most this many metrics a call (CloudWatch API reference). */
const LIST_METRICS_PAGE = 500;

/** Custom metric series the publisher keeps for every model (the alarm-ready ones, up to 3 more, aside), and for all models. */
const SERIES_PER_MODEL = [
  CUSTOM_METRICS.cacheHitRatio,
  CUSTOM_METRICS.netSavingsUsd,
  CUSTOM_METRICS.costWithCacheUsd,
  CUSTOM_METRICS.costWithoutCacheUsd,
].map((m) => m.name);
export const CUSTOM_METRICS_PER_MODEL = SERIES_PER_MODEL.length;
export const CUSTOM_METRICS_ALL_MODELS = [
  CUSTOM_METRICS.cacheHitRatio,
  CUSTOM_METRICS.netSavingsUsd,
  CUSTOM_METRICS.costWithCacheUsd,
  CUSTOM_METRICS.costWithoutCacheUsd,
  CUSTOM_METRICS.unpricedTokens,
  CUSTOM_METRICS.publishedPeriods,
  CUSTOM_METRICS.cacheReadTokens,
  CUSTOM_METRICS.cacheWriteTokens,
  CUSTOM_METRICS.writesWithoutReadsTokens,
  CUSTOM_METRICS.publisherLagMinutes,
].length;

/** The alarm-ready series of a model with these settings, by name (none in precise mode or with its alarms off). */
function alarmReadyNames(config: PromptCacheConfig, model?: PromptCacheConfig['models'][number]): string[] {
  return alarmReadyFamilies(modelAlarmSettings(config.alarms, model)).map((f) => ALARM_READY_SERIES[f].name);
}

export function estimateMonitoringCost(
  summary: TemplateSummary,
  config: PromptCacheConfig,
  prices: MonitoringPrices = DEFAULT_MONITORING_PRICES,
  options: EstimateOptions = {},
): CostEstimate {
  const configured = config.models.length;
  const models = options.models ?? configured;
  if (!Number.isSafeInteger(models) || models < configured)
    throw new RangeError(`models must be a whole number, at least the ${configured} configured (got ${models})`);
  const items: CostItem[] = [];
  const add = (what: string, quantity: number, unit: string, unitPriceUSD: number) => {
    if (quantity > 0) items.push({ what, quantity, unit, unitPriceUSD, monthlyUSD: quantity * unitPriceUSD });
  };
  const publisher = summary.publisherMemoryMb !== undefined;
  const runs = (HOURS_PER_MONTH * 60) / config.publisher.periodMinutes;
  const digests = summary.digestMemoryMb === undefined ? 0 : 52 / 12;
  const billChecks = summary.billCheckMemoryMb === undefined ? 0 : 365 / 12;
  // A model beyond the config takes the section's settings (fleet mode); each configured one its own.
  const others = alarmReadyNames(config);
  const alarmReady = config.models.reduce((n, m) => n + alarmReadyNames(config, m).length, 0) + (models - configured) * others.length;
  // Each model's series is one metric of every Metrics Insights alarm; without the publisher there is no series.
  const insightsPerModel = publisher ? summary.metricsInsightsAlarms : 0;
  const insightsMetrics = publisher ? insightsPerModel * models : summary.metricsInsightsAlarms * (options.sourceModels ?? 0);
  if (publisher) {
    add(
      `custom metrics, per model (${CUSTOM_METRICS_PER_MODEL} each)`,
      CUSTOM_METRICS_PER_MODEL * models,
      'metric-month',
      prices.customMetricMonth,
    );
    add('alarm-ready custom metrics (up to 3 per fleet-mode model)', alarmReady, 'metric-month', prices.customMetricMonth);
    add('custom metrics, all models', CUSTOM_METRICS_ALL_MODELS, 'metric-month', prices.customMetricMonth);
  }
  add(
    'alarm metrics (a math alarm counts each metric it reads)',
    summary.alarmMetrics.reduce((a, b) => a + b, 0),
    'metric-month',
    prices.alarmMetricMonth,
  );
  add(
    `Metrics Insights alarms (${summary.metricsInsightsAlarms}, each analyzing one metric per model)`,
    insightsMetrics,
    'metric-month',
    prices.metricsInsightsAlarmMetricMonth,
  );
  add('composite alarms', summary.compositeAlarms, 'alarm-month', prices.compositeAlarmMonth);
  add('dashboards', summary.dashboards, 'dashboard-month', prices.dashboardMonth);
  add('KMS keys of the encrypted topics', summary.kmsKeys, 'key-month', prices.kmsKeyMonth);
  if (publisher) {
    // Each run reads 4 token metrics per model, writes ceil(datums / 1,000) PutMetricData calls plus its lag report, and
    // lists every spelling of each token metric: ListMetrics answers 500 metrics a page, so the spelling the models
    // report takes ceil(models / 500) calls, each other spelling one.
    const datumsPerRun = CUSTOM_METRICS_PER_MODEL * models + alarmReady + CUSTOM_METRICS_ALL_MODELS;
    const candidates = bedrockMetricCandidates(config.bedrockMetricNames);
    const listCalls = Object.values(candidates).reduce(
      (n, names) => n + Math.ceil(Math.max(1, models) / LIST_METRICS_PAGE) + names.length - 1,
      0,
    );
    add(
      'publisher GetMetricData (4 metrics per model per run)',
      (runs * 4 * models) / 1000,
      '1,000 metrics',
      prices.getMetricDataPer1000Metrics,
    );
    add(
      'publisher PutMetricData and ListMetrics calls',
      (runs * (Math.ceil(datumsPerRun / 1000) + 1 + listCalls)) / 1000,
      '1,000 requests',
      prices.apiPer1000Requests,
    );
    add('publisher Lambda requests', runs / 1e6, 'million requests', prices.lambdaPerMillionRequests);
    add(
      'publisher Lambda compute (2 s a run)',
      runs * 2 * ((summary.publisherMemoryMb ?? 512) / 1024),
      'GB-second',
      prices.lambdaPerGbSecond,
    );
    add('ledger writes (4 a run)', (runs * 4) / 1e6, 'million writes', prices.dynamoDbPerMillionWrites);
    add('ledger reads (1 a run)', runs / 1e6, 'million reads', prices.dynamoDbPerMillionReads);
  }
  if (summary.digestMemoryMb !== undefined) {
    add(
      'digest GetMetricData (4 metrics per model, 2 windows, weekly)',
      (digests * 4 * models) / 1000,
      '1,000 metrics',
      prices.getMetricDataPer1000Metrics,
    );
    add('digest Lambda compute (5 s a run)', digests * 5 * (summary.digestMemoryMb / 1024), 'GB-second', prices.lambdaPerGbSecond);
    add('digest Cost Explorer request (the billed vs computed line)', digests, 'request', prices.costExplorerRequest);
  }
  if (summary.fleetDigest !== undefined) {
    // Weekly, each target: 4 token metrics per model over one window, one ListMetrics per spelling of each token metric.
    const { memoryMb, targets } = summary.fleetDigest;
    const spellings = Object.values(bedrockMetricCandidates(config.bedrockMetricNames)).reduce((n, names) => n + names.length, 0);
    add(
      `fleet digest GetMetricData (4 metrics per model per target, ${targets} targets, weekly)`,
      (WEEKS_PER_MONTH * 4 * models * targets) / 1000,
      '1,000 metrics',
      prices.getMetricDataPer1000Metrics,
    );
    add(
      `fleet digest ListMetrics calls (${spellings} per target, weekly)`,
      (WEEKS_PER_MONTH * spellings * targets) / 1000,
      '1,000 requests',
      prices.apiPer1000Requests,
    );
    add(
      'fleet digest Lambda compute (2 s a target)',
      WEEKS_PER_MONTH * 2 * targets * (memoryMb / 1024),
      'GB-second',
      prices.lambdaPerGbSecond,
    );
  }
  if (summary.billCheckMemoryMb !== undefined) {
    add(
      `bill check custom metrics (${BILL_SERIES} per model and ${BILL_SERIES} for all models, one datum a day: billed 1 hour in 24)`,
      (BILL_SERIES * (models + 1)) / 24,
      'metric-month',
      prices.customMetricMonth,
    );
    add('bill check Cost Explorer requests (one a day)', billChecks, 'request', prices.costExplorerRequest);
    add(
      'bill check GetMetricData (4 metrics per model, daily)',
      (billChecks * 4 * models) / 1000,
      '1,000 metrics',
      prices.getMetricDataPer1000Metrics,
    );
    add(
      'bill check Lambda compute (5 s a run)',
      billChecks * 5 * (summary.billCheckMemoryMb / 1024),
      'GB-second',
      prices.lambdaPerGbSecond,
    );
  }
  const perAddedModel = addedModelCost(
    publisher ? [...SERIES_PER_MODEL, ...others] : [],
    insightsPerModel,
    publisher ? runs : 0,
    digests,
    prices,
    billChecks,
  );
  return {
    monthlyUSD: items.reduce((a, i) => a + i.monthlyUSD, 0),
    models,
    items,
    perAddedModel,
    assumptions: [
      `${HOURS_PER_MONTH} hours a month; list prices in us-east-1 (${MONITORING_PRICE_SOURCES.cloudWatch}); ${MONITORING_PRICE_SOURCES.metricsInsightsAlarm}.`,
      `${models} models: the ${configured} configured${models > configured ? ` and ${models - configured} more that AWS/Bedrock reports (--models), each with the alarms section's settings in fleet mode` : ''}; each further one adds the per-model figure (perAddedModel).`,
      'Alarm-ready series (WritesWithoutReadsTokens, AlarmHitRatioMarginPoints, AlarmNetSavingsUSDPerHour per model) are sent only in periods above their volume guards, and CloudWatch bills a custom metric only for the hours it receives data: counted as if every hour had one, an upper bound (so is AlarmNetSavingsUSDPerHour for a model whose price is known only at run time, or never).',
      'Each Metrics Insights alarm is counted with one metric per model the publisher sees, also a model that sends none of its series (precise mode, family off): an upper bound.',
      'GetMetricData reads 4 token metrics per model; a model whose cache metrics ListMetrics has not shown yet is read under both spellings (6).',
      "Dashboards at full price: an account's first 3 are free.",
      'AWS/Bedrock metrics, SNS e-mail and log storage are free or negligible at these volumes and left out.',
      'LostPeriods and PeriodsAwaitingSettlement are sent only after an incident; custom metrics are billed by the hour they receive data (CloudWatch pricing), so they are left out.',
    ],
  };
}

const usd6 = (v: number) => `$${v.toFixed(6)}`;

/**
 * One more model: its custom metrics, one metric more for each Metrics Insights alarm, and its token metrics read by each
 * publisher run and weekly digest (its datums ride along in the run's PutMetricData calls while they fit the same number).
 */
function addedModelCost(
  series: readonly string[],
  metricsInsightsAlarms: number,
  runs: number,
  digests: number,
  prices: MonitoringPrices,
  billChecks: number,
): ModelCost {
  const getMetricDataMetrics = 4 * (runs + digests + billChecks);
  const dailySeries = billChecks > 0 ? BILL_SERIES : 0;
  const parts: [string, number][] = [
    [`${series.length} custom metrics × $${prices.customMetricMonth}`, series.length * prices.customMetricMonth],
    ...(dailySeries > 0
      ? [
          [`${dailySeries} daily custom metrics × $${prices.customMetricMonth} / 24`, (dailySeries * prices.customMetricMonth) / 24] as [
            string,
            number,
          ],
        ]
      : []),
    [
      `${metricsInsightsAlarms} Metrics Insights alarm metrics × $${prices.metricsInsightsAlarmMetricMonth}`,
      metricsInsightsAlarms * prices.metricsInsightsAlarmMetricMonth,
    ],
    [
      `${Number(getMetricDataMetrics.toFixed(4))} GetMetricData metrics × $${prices.getMetricDataPer1000Metrics}/1,000`,
      (getMetricDataMetrics * prices.getMetricDataPer1000Metrics) / 1000,
    ],
  ];
  const alarmReadyNames = new Set<string>(Object.values(ALARM_READY_SERIES).map((m) => m.name));
  return {
    series: [...series],
    alarmReadySeries: series.filter((n) => alarmReadyNames.has(n)).length,
    metricsInsightsAlarms,
    getMetricDataMetrics,
    dailySeries,
    monthlyUSD: parts.reduce((a, [, v]) => a + v, 0),
    formula: parts.map(([what, v]) => `${what} = ${usd6(v)}`).join(' + '),
  };
}

interface TemplateResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
}

/**
 * The text an `Expression` starts with: a string as written, or the first literal part of an Fn::Join or Fn::Sub (a
 * query that names a token, e.g. an imported namespace).
 */
function expressionStart(e: unknown): string {
  if (typeof e === 'string') return e;
  const join = (e as { 'Fn::Join'?: [unknown, unknown[]] } | null)?.['Fn::Join'];
  if (Array.isArray(join) && Array.isArray(join[1])) return expressionStart(join[1][0]);
  const sub = (e as { 'Fn::Sub'?: unknown } | null)?.['Fn::Sub'];
  if (sub !== undefined) return expressionStart(Array.isArray(sub) ? sub[0] : sub);
  return '';
}

/** A metric alarm on a Metrics Insights query: one of its Metrics has an Expression starting with SELECT. */
function isMetricsInsightsAlarm(alarm: TemplateResource): boolean {
  const metrics = alarm.Properties?.Metrics;
  if (!Array.isArray(metrics)) return false;
  return metrics.some((m) => /^\s*SELECT\s/i.test(expressionStart((m as { Expression?: unknown } | null)?.Expression)));
}

/**
 * Reads alarm metrics, Metrics Insights alarms, composite alarms, dashboards and the functions' memory from a
 * synthesized template: today's metric-math alarms and the fleet alarms alike.
 */
export function summarizeTemplate(template: { Resources?: Record<string, TemplateResource> }): TemplateSummary {
  const resources = Object.values(template.Resources ?? {});
  const alarms = resources.filter((r) => r.Type === 'AWS::CloudWatch::Alarm');
  const insights = alarms.filter(isMetricsInsightsAlarm);
  const alarmMetrics = alarms
    .filter((r) => !insights.includes(r))
    .map((r) => {
      const metrics = r.Properties?.Metrics as { MetricStat?: unknown }[] | undefined;
      return metrics ? metrics.filter((m) => m.MetricStat !== undefined).length : 1;
    });
  // Each function says what it is in its POWERTOOLS_SERVICE_NAME.
  const memoryOf = (service: string) => {
    const fn = resources.find(
      (r) =>
        r.Type === 'AWS::Lambda::Function' &&
        (r.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables?.POWERTOOLS_SERVICE_NAME === service,
    );
    return fn ? Number(fn.Properties?.MemorySize ?? 128) : undefined;
  };
  const publisherMemoryMb = memoryOf('prompt-cache-publisher');
  const digestMemoryMb = memoryOf('prompt-cache-digest');
  const billCheckMemoryMb = memoryOf('prompt-cache-bill-check');
  const fleetFn = resources.find(
    (r) =>
      r.Type === 'AWS::Lambda::Function' &&
      (r.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables?.POWERTOOLS_SERVICE_NAME ===
        'prompt-cache-fleet-digest',
  );
  const fleetTargets = (fleetFn?.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables
    ?.DIGEST_FLEET_TARGETS;
  const fleetDigest =
    fleetFn === undefined
      ? undefined
      : {
          memoryMb: Number(fleetFn.Properties?.MemorySize ?? 128),
          targets: typeof fleetTargets === 'string' ? (JSON.parse(fleetTargets) as unknown[]).length : 0,
        };
  return {
    alarmMetrics,
    metricsInsightsAlarms: insights.length,
    compositeAlarms: resources.filter((r) => r.Type === 'AWS::CloudWatch::CompositeAlarm').length,
    dashboards: resources.filter((r) => r.Type === 'AWS::CloudWatch::Dashboard').length,
    kmsKeys: resources.filter((r) => r.Type === 'AWS::KMS::Key').length,
    ...(publisherMemoryMb === undefined ? {} : { publisherMemoryMb }),
    ...(digestMemoryMb === undefined ? {} : { digestMemoryMb }),
    ...(billCheckMemoryMb === undefined ? {} : { billCheckMemoryMb }),
    ...(fleetDigest === undefined ? {} : { fleetDigest }),
  };
}
