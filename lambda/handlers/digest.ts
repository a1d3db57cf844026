/**
 * The weekly digest: a scheduled Lambda that builds the weekly review for the last `digest.days` UTC days (and the
 * window before) from AWS/Bedrock metrics and publishes it as plain text to the cost-review SNS topic, the headline
 * figure in the subject. Thin: reads env once, wires the adapters, calls the core.
 *
 * Env: PROMPT_CACHE_CONFIG (inlined into the bundle by the CDK construct), DIGEST_TOPIC_ARN, and optionally
 * COST_REVIEW_DASHBOARD_URL (an https:// link to the cost-review dashboard, shown under the headline; absent: no link).
 *
 * Fleet mode (the monitoring account's roll-up stack): DIGEST_FLEET_TARGETS, a JSON list of `{account, region,
 * linked}`, one digest over every target instead: each target read in its region (a CloudWatch client per region),
 * a linked one through CloudWatch cross-account observability (weekly-source.ts `account`), priced with its own
 * sections of the config; one e-mail with the total, a line per target and each target's top models.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { BedrockClient } from '@aws-sdk/client-bedrock';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { CostExplorerClient } from '@aws-sdk/client-cost-explorer';
import { SNSClient } from '@aws-sdk/client-sns';
import type { PromptCacheConfig } from '../core/config';
import { alignDown, DAY_MS } from '../core/periods';
import type { RunLog } from '../core/publish-run';
import { array, boolean, strictObject, string } from 'zod';
import { targetConfig } from '../core/config';
import { buildFleetReport, type TargetUsage } from '../core/fleet-report';
import { fleetDigestSubject, renderFleetDigest } from '../core/fleet-report-format';
import { buildWeeklyReport, reviewWindows, windowTokens } from '../core/weekly';
import { digestSubject, renderWeeklyDigest, windowLabel } from '../core/weekly-format';
import type { InferenceProfileRoutes } from '../core/inference-profiles';
import { billBesideComputed, createCostExplorerClient } from '../aws/cost-explorer';
import { publishDigest } from '../aws/digest-sender';
import { InferenceProfileResolver } from '../aws/inference-profiles';
import { readDailyUsage, readWindowUsage } from '../aws/weekly-source';
import { failOnProblems, inlinedConfig } from './env';

export interface DigestOptions {
  readonly config: PromptCacheConfig;
  readonly topicArn: string;
  readonly nowMs: number;
  readonly cloudWatch: CloudWatchClient;
  readonly sns: SNSClient;
  readonly log: RunLog;
  /** Where application inference profiles route (their price). @default - none: a profile needs its priceAs */
  readonly profiles?: InferenceProfileRoutes;
  /** The cost-review dashboard's console URL, linked in the digest. @default - no link */
  readonly dashboardUrl?: string;
  /** Cost Explorer, for the "billed vs computed" line. @default - no line */
  readonly costExplorer?: CostExplorerClient;
}

export interface DigestResult {
  readonly subject: string;
  readonly messageId: string | undefined;
  readonly models: number;
  readonly attention: number;
}

/** Builds and sends one digest: the window ends at the UTC midnight at or before `nowMs`. */
export async function sendDigest(options: DigestOptions): Promise<DigestResult> {
  const { config } = options;
  const windows = reviewWindows(alignDown(options.nowMs, DAY_MS), config.digest.days);
  const read = await readDailyUsage(options.cloudWatch, config, windows, options.log, undefined, options.profiles);
  // Priced as where the tokens were used: the region the metrics are read in.
  const review = buildWeeklyReport(read.daily, windows, read.config, await options.cloudWatch.config.region());
  const subject = digestSubject(review);
  const bill = options.costExplorer
    ? (
        await billBesideComputed(
          options.costExplorer,
          read.config,
          windows.current,
          await options.cloudWatch.config.region(),
          windowTokens(review),
        )
      ).bill
    : undefined;
  const text = renderWeeklyDigest(review, {
    ...(options.dashboardUrl === undefined ? {} : { dashboardUrl: options.dashboardUrl }),
    ...(bill ? { bill } : {}),
  });
  const messageId = await publishDigest(options.sns, options.topicArn, subject, text);
  const result = { subject, messageId, models: review.models.length, attention: review.attention.length };
  options.log.info('weekly digest sent', { ...result });
  return result;
}

/** A target of the fleet digest: its account and region, and whether it is a linked source account (not the monitoring one). */
export interface FleetDigestTarget {
  readonly account: string;
  readonly region: string;
  readonly linked: boolean;
}

export interface FleetDigestOptions {
  /** The config (with its `targets`: each target priced with its own sections, matched by account and region). */
  readonly config: PromptCacheConfig;
  readonly topicArn: string;
  readonly nowMs: number;
  readonly targets: readonly FleetDigestTarget[];
  /** The CloudWatch client of a target's region, with the monitoring account's credentials. */
  readonly cloudWatch: (region: string, account: string) => CloudWatchClient;
  readonly sns: SNSClient;
  readonly log: RunLog;
}

export interface FleetDigestResult {
  readonly subject: string;
  readonly messageId: string | undefined;
  readonly targets: number;
  readonly targetsWithData: number;
}

/**
 * Builds and sends one digest over every target: the `digest.days` UTC days before the midnight at or before `nowMs`,
 * each target read in its region and priced there; a target without a token is "no data", out of the total.
 */
export async function sendFleetDigest(options: FleetDigestOptions): Promise<FleetDigestResult> {
  const { config } = options;
  const { current } = reviewWindows(alignDown(options.nowMs, DAY_MS), config.digest.days);
  const usage: TargetUsage[] = [];
  for (const t of options.targets) {
    const index = (config.targets ?? []).findIndex((x) => x.account === t.account && x.region === t.region);
    const own = index < 0 ? config : targetConfig(config, index);
    const read = await readWindowUsage(options.cloudWatch(t.region, t.account), own, current, options.log, {
      ...(t.linked ? { account: t.account } : {}),
    });
    usage.push({ region: t.region, account: t.account, models: read.models, config: read.config });
  }
  const report = buildFleetReport(usage, config);
  const label = windowLabel(current);
  const subject = fleetDigestSubject(report, label);
  const messageId = await publishDigest(options.sns, options.topicArn, subject, renderFleetDigest(report, label));
  const result = {
    subject,
    messageId,
    targets: report.targets.length,
    targetsWithData: report.targets.filter((x) => x.status === 'data').length,
  };
  options.log.info('fleet digest sent', { ...result });
  return result;
}

const fleetTargetsSchema = array(
  strictObject({
    account: string().regex(/^\d{12}$/),
    region: string().regex(/^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/),
    linked: boolean(),
  }),
).min(1);

export interface DigestEnv {
  readonly config: PromptCacheConfig;
  readonly topicArn: string;
  readonly dashboardUrl?: string;
  /** DIGEST_FLEET_TARGETS: the fleet digest's targets. @default - the digest of this account and region */
  readonly fleetTargets?: readonly FleetDigestTarget[];
}

export function readDigestEnv(env: NodeJS.ProcessEnv): DigestEnv {
  const problems: string[] = [];
  const topicArn = env.DIGEST_TOPIC_ARN ?? '';
  if (!topicArn.startsWith('arn:')) problems.push(`DIGEST_TOPIC_ARN must be an SNS topic ARN (got ${JSON.stringify(topicArn)})`);
  const dashboardUrl = env.COST_REVIEW_DASHBOARD_URL || undefined;
  if (dashboardUrl !== undefined && !/^https:\/\/\S+$/.test(dashboardUrl))
    problems.push(`COST_REVIEW_DASHBOARD_URL must be an https:// URL (got ${JSON.stringify(dashboardUrl)})`);
  let fleetTargets: FleetDigestTarget[] | undefined;
  if (env.DIGEST_FLEET_TARGETS) {
    let json: unknown;
    try {
      json = JSON.parse(env.DIGEST_FLEET_TARGETS);
    } catch (err) {
      problems.push(`DIGEST_FLEET_TARGETS is not JSON (${(err as Error).message})`);
    }
    const parsed = fleetTargetsSchema.safeParse(json);
    if (parsed.success) fleetTargets = parsed.data;
    else if (json !== undefined)
      problems.push(
        'DIGEST_FLEET_TARGETS must be a non-empty list of {"account": 12 digits, "region": an AWS region, "linked": true|false}',
      );
  }
  const config = inlinedConfig(env, problems);
  failOnProblems('digest', problems);
  return {
    config: config as PromptCacheConfig,
    topicArn,
    ...(dashboardUrl === undefined ? {} : { dashboardUrl }),
    ...(fleetTargets === undefined ? {} : { fleetTargets }),
  };
}

const logger = new Logger({ serviceName: 'prompt-cache-digest' });
const log: RunLog = { info: (m, d) => logger.info(m, d ?? {}), warn: (m, d) => logger.warn(m, d ?? {}) };
let env: ReturnType<typeof readDigestEnv> | undefined;

export async function handler(): Promise<DigestResult | FleetDigestResult> {
  // Spelled out so that esbuild's `define` can replace it with the inlined config.
  env ??= readDigestEnv({ ...process.env, PROMPT_CACHE_CONFIG: process.env.PROMPT_CACHE_CONFIG });
  const retry = { retryMode: 'adaptive', maxAttempts: 8 };
  if (env.fleetTargets) {
    const byRegion = new Map<string, CloudWatchClient>();
    const cloudWatch = (region: string) => {
      const client = byRegion.get(region) ?? new CloudWatchClient({ ...retry, region });
      byRegion.set(region, client);
      return client;
    };
    return sendFleetDigest({
      config: env.config,
      topicArn: env.topicArn,
      targets: env.fleetTargets,
      nowMs: Date.now(),
      cloudWatch,
      sns: new SNSClient(retry),
      log,
    });
  }
  const profiles = new InferenceProfileResolver(new BedrockClient(retry), log);
  return sendDigest({
    ...env,
    nowMs: Date.now(),
    cloudWatch: new CloudWatchClient(retry),
    sns: new SNSClient(retry),
    costExplorer: createCostExplorerClient(),
    log,
    profiles,
  });
}
