/** The smaller top-level sections: namespace, metric-name pins, publisher, dashboards, monitoring prices, digest, report. */
import { array, email, enum as zodEnum, int, literal, number, record, strictObject, string, union } from 'zod';
import { DEFAULT_NAMESPACE } from '../contract';
import { hourUtc, onOff, percent } from './fields';

/**
 * What a namespace must be, first problem only (undefined when fine). CloudWatch's API reference: 1–255 characters,
 * pattern `[^:].*`, ASCII without control characters, `AWS/` reserved for AWS services; PutMetricData also refuses a
 * namespace of spaces only. Quotes and backslashes are refused too: the dashboards embed it in SEARCH expressions.
 */
export function namespaceProblem(ns: string): string | undefined {
  if (!/^[\x20-\x7E]{1,255}$/.test(ns))
    return 'must be 1 to 255 printable ASCII characters (letters, digits, punctuation, spaces; no control or non-ASCII characters)';
  if (ns.startsWith(':')) return 'must not start with ":" (CloudWatch refuses it); remove the leading colon';
  if (ns.trim() === '') return 'must not be only spaces; name it, e.g. "BedrockPromptCache"';
  if (ns.startsWith('AWS/')) return 'must not start with "AWS/" (reserved for AWS services)';
  if (/["'\\]/.test(ns)) return 'must not contain quotes or backslashes (it is embedded in a CloudWatch SEARCH expression)';
  return undefined;
}

export const namespaceSchema = string()
  .check((ctx) => {
    const problem = namespaceProblem(ctx.value);
    if (problem) ctx.issues.push({ code: 'custom', message: problem, input: ctx.value });
  })
  .default(DEFAULT_NAMESPACE);

const metricName = string().regex(/^[^:\s][^:]{0,254}$/, { error: 'must be a CloudWatch metric name' });

/**
 * Pins the CloudWatch name of a Bedrock token metric. Unset (the default): every documented spelling is read
 * (contract.ts BEDROCK_METRIC_SPELLINGS; the cache metrics' name is UNCONFIRMED). `prompt-cache doctor` says which
 * one the account has.
 */
export const bedrockMetricNamesSchema = strictObject({
  inputTokens: metricName.optional(),
  outputTokens: metricName.optional(),
  cacheReadInputTokens: metricName.optional(),
  cacheWriteInputTokens: metricName.optional(),
});

export const publisherSchema = strictObject({
  /** Length of one period, which is also the schedule: each run publishes every closed period. */
  periodMinutes: union([literal(5), literal(10), literal(15), literal(30), literal(60)], {
    error: 'must be one of 5, 10, 15, 30, 60',
  }).default(60),
  /** How long after a period ends before it is read (AWS/Bedrock datapoints arrive late). */
  settleDelayMinutes: int({ error: 'must be a whole number of minutes' })
    .min(0, { error: 'must be 0 to 120 minutes' })
    .max(120, { error: 'must be 0 to 120 minutes' })
    .default(10),
  /** How far back the very first run starts; CloudWatch takes datapoints up to 14 days old. */
  initialLookbackHours: int({ error: 'must be a whole number of hours' })
    .min(1, { error: 'must be 1 to 335 hours (under 14 days)' })
    .max(335, { error: 'must be 1 to 335 hours (under 14 days)' })
    .default(24),
  /** Ledger lease: how long a crashed run's uncertain periods wait before another run settles them; > the Lambda timeout. */
  leaseMinutes: int({ error: 'must be a whole number of minutes' })
    .min(5, { error: 'must be 5 to 60 minutes' })
    .max(60, { error: 'must be 5 to 60 minutes' })
    .default(15),
  /**
   * How long after an uncertain put of datums 24 hours old or older a presence check of them is trusted. CloudWatch's
   * PutMetricData API reference: "Data points with time stamps from 24 hours ago or longer can take at least 48 hours to
   * become available for GetMetricData or GetMetricStatistics from the time they are submitted." Until then those
   * periods are deferred, neither re-put nor counted as published.
   */
  oldDatapointVisibilityHours: int({ error: 'must be a whole number of hours' })
    .min(0, { error: 'must be 0 to 168 hours' })
    .max(168, { error: 'must be 0 to 168 hours' })
    .default(48),
});

export const dashboardsSchema = strictObject({
  /**
   * Per-model graphs show this many models (the most tokens or dollars, the lowest hit ratios) and sum the rest
   * into one line: a graph shows at most 500 series and a dashboard counts 2,500 metrics.
   */
  topModels: int({ error: 'must be a whole number of models' })
    .min(1, { error: 'must be 1 to 100 models' })
    .max(100, { error: 'must be 1 to 100 models' })
    .default(10),
});

/** Keys of lambda/core/monitoring-cost.ts's MonitoringPrices, overridable in the config. */
export const MONITORING_PRICE_KEYS = [
  'customMetricMonth',
  'alarmMetricMonth',
  'metricsInsightsAlarmMetricMonth',
  'compositeAlarmMonth',
  'dashboardMonth',
  'kmsKeyMonth',
  'getMetricDataPer1000Metrics',
  'apiPer1000Requests',
  'lambdaPerMillionRequests',
  'lambdaPerGbSecond',
  'dynamoDbPerMillionWrites',
  'dynamoDbPerMillionReads',
  'costExplorerRequest',
] as const;
const monitoringPrice = number().finite().min(0, { error: 'must be a price in US dollars, 0 or more' }).optional();

/** Overrides of the list prices `prompt-cache cost` uses (see lambda/core/monitoring-cost.ts), USD. */
export const monitoringPricesSchema = strictObject(
  Object.fromEntries(MONITORING_PRICE_KEYS.map((k) => [k, monitoringPrice])) as Record<
    (typeof MONITORING_PRICE_KEYS)[number],
    typeof monitoringPrice
  >,
);

export const digestSchema = strictObject({
  /** The weekly digest e-mail (a scheduled Lambda publishing the weekly review to an SNS topic). */
  enabled: onOff.default(true),
  /** Day and UTC hour it is sent. */
  weekDay: zodEnum(['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'], {
    error: 'must be one of MON, TUE, WED, THU, FRI, SAT, SUN',
  }).default('MON'),
  hourUtc: hourUtc.default(8),
  /** Days in the window (and in the window it is compared with). */
  days: int({ error: 'must be a whole number of days' })
    .min(1, { error: 'must be 1 to 31 days' })
    .max(31, { error: 'must be 1 to 31 days' })
    .default(7),
  /** Addresses subscribed to the cost-review topic (each confirms by e-mail). */
  emails: array(email({ error: 'must be an e-mail address' })).default([]),
});

export const reportSchema = strictObject({
  /** A model with cache traffic whose hit ratio is below this is `underutilized` (one that loses money is `losing-money`). */
  minHitRatioPercent: percent.default(50),
  /** Weekly review: a hit ratio that fell by more than this many points against the previous window needs attention. */
  hitRatioDropPoints: percent.default(10),
  /** Weekly review: uncached input worth more than this (at the read discount) with no caching needs attention. */
  moneyLeftOnTableMinUSD: number().finite().min(0, { error: 'must be 0 or more US dollars' }).default(1),
});

/**
 * `prompt-cache reconcile`: how Cost Explorer's lines read. What a Bedrock usage type's UsageQuantity counts is not in
 * AWS's documentation (its price unit is 1K tokens): `auto` detects it per run from the CloudWatch tokens.
 */
export const reconcileSchema = strictObject({
  /**
   * The Cost Explorer services (SERVICE dimension) that bill Bedrock's tokens. Models bought through AWS Marketplace
   * may bill under their own service names ("Claude … (Amazon Bedrock Edition)"): add those (UNCONFIRMED).
   */
  services: array(string().min(1)).min(1, { error: 'must name at least one service' }).default(['Amazon Bedrock']),
  tokensPerUsageUnit: union([literal('auto'), literal(1), literal(1000)], { error: 'must be "auto", 1 or 1000' }).default('auto'),
  /** Usage types mapped by hand: a 1-hour cache write the bill separates, a billing name the parser does not know. */
  usageTypes: record(
    string().min(1),
    strictObject({
      model: string().min(1, { error: 'must be a model id (the catalog base id the usage type bills)' }),
      tokenClass: zodEnum(['input', 'output', 'cacheWrite', 'cacheRead'], { error: 'must be input, output, cacheWrite or cacheRead' }),
      ttl: zodEnum(['5m', '1h'], { error: 'must be "5m" or "1h"' }).optional(),
      routing: zodEnum(['in-region', 'geo', 'global'], { error: 'must be in-region, geo or global' }).optional(),
      region: string().min(1).optional(),
    }),
  ).default({}),
  /**
   * The daily bill check (a scheduled Lambda beside the publisher): the bill of each day in the stack's region beside
   * the cost computed from the same day's tokens, published as `BilledCostUSD` and `CostDriftPercent` once the bill
   * has settled, exactly once per day; `alarms.costDrift` alarms on it.
   */
  daily: strictObject({
    enabled: onOff.default(true),
    /** UTC hour it runs. */
    hourUtc: hourUtc.default(6),
    /**
     * Whole days after a day's end before its bill is read: Cost Explorer is about a day late and keeps adding lines
     * (AWS documentation; how late a Bedrock day settles is UNCONFIRMED: `prompt-cache reconcile` shows it).
     */
    billDelayDays: int({ error: 'must be a whole number of days' })
      .min(1, { error: 'must be 1 to 5 days' })
      .max(5, { error: 'must be 1 to 5 days' })
      .default(2),
  }).prefault({}),
});
