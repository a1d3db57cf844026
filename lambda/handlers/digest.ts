/**
 * The weekly digest: a scheduled Lambda that builds the weekly review for the last `digest.days` UTC days (and the
 * window before) from AWS/Bedrock metrics and publishes it as plain text to the cost-review SNS topic, the headline
 * figure in the subject. Thin: reads env once, wires the adapters, calls the core.
 *
 * Env: PROMPT_CACHE_CONFIG (inlined into the bundle by the CDK construct), DIGEST_TOPIC_ARN, and optionally
 * COST_REVIEW_DASHBOARD_URL (an https:// link to the cost-review dashboard, shown under the headline; absent: no link).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { BedrockClient } from '@aws-sdk/client-bedrock';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { CostExplorerClient } from '@aws-sdk/client-cost-explorer';
import { SNSClient } from '@aws-sdk/client-sns';
import type { PromptCacheConfig } from '../core/config';
import { alignDown, DAY_MS } from '../core/periods';
import type { RunLog } from '../core/publish-run';
import { buildWeeklyReport, reviewWindows, windowTokens } from '../core/weekly';
import { digestSubject, renderWeeklyDigest } from '../core/weekly-format';
import type { InferenceProfileRoutes } from '../core/inference-profiles';
import { billBesideComputed, createCostExplorerClient } from '../aws/cost-explorer';
import { publishDigest } from '../aws/digest-sender';
import { InferenceProfileResolver } from '../aws/inference-profiles';
import { readDailyUsage } from '../aws/weekly-source';
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

export function readDigestEnv(env: NodeJS.ProcessEnv): { config: PromptCacheConfig; topicArn: string; dashboardUrl?: string } {
  const problems: string[] = [];
  const topicArn = env.DIGEST_TOPIC_ARN ?? '';
  if (!topicArn.startsWith('arn:')) problems.push(`DIGEST_TOPIC_ARN must be an SNS topic ARN (got ${JSON.stringify(topicArn)})`);
  const dashboardUrl = env.COST_REVIEW_DASHBOARD_URL || undefined;
  if (dashboardUrl !== undefined && !/^https:\/\/\S+$/.test(dashboardUrl))
    problems.push(`COST_REVIEW_DASHBOARD_URL must be an https:// URL (got ${JSON.stringify(dashboardUrl)})`);
  const config = inlinedConfig(env, problems);
  failOnProblems('digest', problems);
  return { config: config as PromptCacheConfig, topicArn, ...(dashboardUrl === undefined ? {} : { dashboardUrl }) };
}

const logger = new Logger({ serviceName: 'prompt-cache-digest' });
const log: RunLog = { info: (m, d) => logger.info(m, d ?? {}), warn: (m, d) => logger.warn(m, d ?? {}) };
let env: ReturnType<typeof readDigestEnv> | undefined;

export async function handler(): Promise<DigestResult> {
  // Spelled out so that esbuild's `define` can replace it with the inlined config.
  env ??= readDigestEnv({ ...process.env, PROMPT_CACHE_CONFIG: process.env.PROMPT_CACHE_CONFIG });
  const retry = { retryMode: 'adaptive', maxAttempts: 8 };
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
