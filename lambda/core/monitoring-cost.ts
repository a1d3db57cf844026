/**
 * What the monitoring itself costs a month: custom metrics, alarm metrics, composite alarms, dashboards, metric API
 * calls from the schedules, Lambda and DynamoDB, from a summary of the synthesized template and the config. Pure.
 */
import type { PromptCacheConfig } from './config';
import { bedrockMetricCandidates, CUSTOM_METRICS } from './contract';

/** USD, us-east-1 list prices. Each with its source and the date it was checked; override any of them. */
export interface MonitoringPrices {
  /** Per custom metric-month (first 10,000 metrics). */
  readonly customMetricMonth: number;
  /** Per metric an alarm reads, per month (standard resolution; a math alarm pays for each metric it reads). */
  readonly alarmMetricMonth: number;
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
}

export const DEFAULT_MONITORING_PRICES: MonitoringPrices = {
  customMetricMonth: 0.3,
  alarmMetricMonth: 0.1,
  compositeAlarmMonth: 0.5,
  dashboardMonth: 3,
  kmsKeyMonth: 1,
  getMetricDataPer1000Metrics: 0.01,
  apiPer1000Requests: 0.01,
  lambdaPerMillionRequests: 0.2,
  lambdaPerGbSecond: 0.0000133334,
  dynamoDbPerMillionWrites: 0.625,
  dynamoDbPerMillionReads: 0.125,
};

export const MONITORING_PRICE_SOURCES = {
  cloudWatch: 'aws.amazon.com/cloudwatch/pricing (us-east-1), checked with the other prices; composite alarm $0.50 from the same page',
  lambda: 'aws.amazon.com/lambda/pricing (us-east-1, Arm), checked 2026-11-25',
  dynamoDb: 'aws.amazon.com/dynamodb/pricing/on-demand (us-east-1), checked 2026-11-25',
  kms: 'aws.amazon.com/kms/pricing ($1 per customer-managed key-month), checked 2026-11-25',
} as const;

/** What the estimate needs from the synthesized template. */
export interface TemplateSummary {
  /** Metrics read by each metric alarm (1 for a plain alarm, the MetricStat count for a math alarm). */
  readonly alarmMetrics: readonly number[];
  readonly compositeAlarms: number;
  readonly dashboards: number;
  readonly kmsKeys: number;
  /** Memory of each function, by role. */
  readonly publisherMemoryMb?: number;
  readonly digestMemoryMb?: number;
}

export interface CostItem {
  readonly what: string;
  readonly quantity: number;
  readonly unit: string;
  readonly unitPriceUSD: number;
  readonly monthlyUSD: number;
}

export interface CostEstimate {
  readonly monthlyUSD: number;
  readonly items: CostItem[];
  readonly assumptions: string[];
}

const HOURS_PER_MONTH = 730;

/** Custom metric series the publisher keeps per configured model, and for all models. */
export const CUSTOM_METRICS_PER_MODEL = [
  CUSTOM_METRICS.cacheHitRatio,
  CUSTOM_METRICS.netSavingsUsd,
  CUSTOM_METRICS.costWithCacheUsd,
  CUSTOM_METRICS.costWithoutCacheUsd,
  CUSTOM_METRICS.writesWithoutReadsTokens,
].length;
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

export function estimateMonitoringCost(
  summary: TemplateSummary,
  config: PromptCacheConfig,
  prices: MonitoringPrices = DEFAULT_MONITORING_PRICES,
): CostEstimate {
  const items: CostItem[] = [];
  const add = (what: string, quantity: number, unit: string, unitPriceUSD: number) => {
    if (quantity > 0) items.push({ what, quantity, unit, unitPriceUSD, monthlyUSD: quantity * unitPriceUSD });
  };
  const models = config.models.length;
  const publisher = summary.publisherMemoryMb !== undefined;
  if (publisher) {
    add(
      `custom metrics, per model (${CUSTOM_METRICS_PER_MODEL} each)`,
      CUSTOM_METRICS_PER_MODEL * models,
      'metric-month',
      prices.customMetricMonth,
    );
    add('custom metrics, all models', CUSTOM_METRICS_ALL_MODELS, 'metric-month', prices.customMetricMonth);
  }
  add(
    'alarm metrics (a math alarm counts each metric it reads)',
    summary.alarmMetrics.reduce((a, b) => a + b, 0),
    'metric-month',
    prices.alarmMetricMonth,
  );
  add('composite alarms', summary.compositeAlarms, 'alarm-month', prices.compositeAlarmMonth);
  add('dashboards', summary.dashboards, 'dashboard-month', prices.dashboardMonth);
  add('KMS keys of the encrypted topics', summary.kmsKeys, 'key-month', prices.kmsKeyMonth);
  if (publisher) {
    const runs = (HOURS_PER_MONTH * 60) / config.publisher.periodMinutes;
    // Each run reads 4 token metrics per model, writes ceil(datums / 1,000) PutMetricData calls plus its lag report, and
    // lists every spelling of each token metric.
    const datumsPerRun = CUSTOM_METRICS_PER_MODEL * models + CUSTOM_METRICS_ALL_MODELS;
    const candidates = bedrockMetricCandidates(config.bedrockMetricNames);
    const listCalls = Object.values(candidates).reduce((n, names) => n + names.length, 0);
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
    const digests = 52 / 12;
    add(
      'digest GetMetricData (4 metrics per model, 2 windows, weekly)',
      (digests * 4 * models) / 1000,
      '1,000 metrics',
      prices.getMetricDataPer1000Metrics,
    );
    add('digest Lambda compute (5 s a run)', digests * 5 * (summary.digestMemoryMb / 1024), 'GB-second', prices.lambdaPerGbSecond);
  }
  return {
    monthlyUSD: items.reduce((a, i) => a + i.monthlyUSD, 0),
    items,
    assumptions: [
      `${HOURS_PER_MONTH} hours a month; list prices in us-east-1 (${MONITORING_PRICE_SOURCES.cloudWatch}).`,
      `Only configured models are counted; each model AWS/Bedrock reports beyond them adds its ${CUSTOM_METRICS_PER_MODEL} custom metrics too.`,
      'GetMetricData reads 4 token metrics per model; a model whose cache metrics ListMetrics has not shown yet is read under both spellings (6).',
      "Dashboards at full price: an account's first 3 are free.",
      'AWS/Bedrock metrics, SNS e-mail and log storage are free or negligible at these volumes and left out.',
      'LostPeriods and PeriodsAwaitingSettlement are sent only after an incident; custom metrics are billed by the hour they receive data (CloudWatch pricing), so they are left out.',
    ],
  };
}

interface TemplateResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
}

/** Reads alarm metrics, composite alarms, dashboards and the functions' memory from a synthesized template. */
export function summarizeTemplate(template: { Resources?: Record<string, TemplateResource> }): TemplateSummary {
  const resources = Object.values(template.Resources ?? {});
  const alarmMetrics = resources
    .filter((r) => r.Type === 'AWS::CloudWatch::Alarm')
    .map((r) => {
      const metrics = r.Properties?.Metrics as { MetricStat?: unknown }[] | undefined;
      return metrics ? metrics.filter((m) => m.MetricStat !== undefined).length : 1;
    });
  const memoryOf = (envVar: string) => {
    const fn = resources.find(
      (r) =>
        r.Type === 'AWS::Lambda::Function' &&
        (r.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables?.[envVar] !== undefined,
    );
    return fn ? Number(fn.Properties?.MemorySize ?? 128) : undefined;
  };
  const publisherMemoryMb = memoryOf('LEDGER_TABLE_NAME');
  const digestMemoryMb = memoryOf('DIGEST_TOPIC_ARN');
  return {
    alarmMetrics,
    compositeAlarms: resources.filter((r) => r.Type === 'AWS::CloudWatch::CompositeAlarm').length,
    dashboards: resources.filter((r) => r.Type === 'AWS::CloudWatch::Dashboard').length,
    kmsKeys: resources.filter((r) => r.Type === 'AWS::KMS::Key').length,
    ...(publisherMemoryMb === undefined ? {} : { publisherMemoryMb }),
    ...(digestMemoryMb === undefined ? {} : { digestMemoryMb }),
  };
}
