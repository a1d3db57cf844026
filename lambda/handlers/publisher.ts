/**
 * The savings publisher: the scheduled Lambda's entry point and `publishOnce`, which the CLI's `publish` command runs
 * too. Thin: reads env once, wires the adapters, calls the core, logs one summary line.
 *
 * Env: PROMPT_CACHE_CONFIG (the validated config as JSON; the CDK construct inlines it into the bundle, so it is not
 * bound by Lambda's 4 KB environment limit), LEDGER_TABLE_NAME.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { randomUUID } from 'node:crypto';
import type { PromptCacheConfig } from '../core/config';
import { CLOUDWATCH_MAX_AGE_MS, HOUR_MS, MINUTE_MS } from '../core/periods';
import { MAX_DATUMS_PER_PUT } from '../core/query-plan';
import { lagDatum, runPublisher, RunIncomplete, type RunLog, type RunResult } from '../core/publish-run';
import { BedrockTokenSource } from '../aws/bedrock-token-source';
import { createClients, type AwsClients, type CallCounts } from '../aws/clients';
import type { InferenceProfileRoutes } from '../core/inference-profiles';
import { InferenceProfileResolver } from '../aws/inference-profiles';
import { DynamoDbLedger } from '../aws/ledger';
import { CloudWatchSavingsSink, waitForLagReport } from '../aws/savings-sink';
import { answerDeployRun, isCustomResourceEvent, type DeployRunOutcome } from './deploy-run';
import { failOnProblems, inlinedConfig } from './env';

/** Margin kept from CloudWatch's 14-day limit, so a period is never put just as it ages out. */
export const MAX_AGE_MARGIN_MS = HOUR_MS;

export interface PublishOptions {
  readonly config: PromptCacheConfig;
  readonly tableName: string;
  readonly nowMs: number;
  readonly sinceMs?: number;
  readonly runId?: string;
  readonly clients: AwsClients;
  readonly log: RunLog;
  /** Wall clock for lease renewal; the fixed `nowMs` when absent. */
  readonly clock?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly onProgress?: (done: number, total: number) => void;
  /** Where application inference profiles route. @default - bedrock:GetInferenceProfile through `clients.bedrock` */
  readonly profiles?: InferenceProfileRoutes;
  /** The region whose prices the dollars are in. @default - the CloudWatch client's region (where the tokens were used) */
  readonly priceRegion?: string;
}

export interface PublishSummary extends Omit<RunResult, 'watermarkMs' | 'settlementDueAtMs'> {
  readonly runId: string;
  readonly watermark: string | null;
  /** When the next deferred range's presence check is trusted (ISO), or null with none. */
  readonly settlementDueAt: string | null;
  readonly calls: CallCounts;
  readonly durationMs: number;
  readonly error?: string;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** One publisher run; logs and returns its summary, and rethrows a RunIncomplete after logging it. */
export async function publishOnce(options: PublishOptions): Promise<PublishSummary> {
  const started = Date.now();
  const { config, clients, log } = options;
  const runId = options.runId ?? randomUUID();
  const periodMs = config.publisher.periodMinutes * MINUTE_MS;
  const ledger = new DynamoDbLedger(clients.dynamoDb, options.tableName, config.namespace);
  const summarize = (result: RunResult, error?: unknown): PublishSummary => {
    const { watermarkMs, settlementDueAtMs, ...rest } = result;
    return {
      runId,
      ...rest,
      watermark: watermarkMs === undefined ? null : new Date(watermarkMs).toISOString(),
      settlementDueAt: settlementDueAtMs === undefined ? null : new Date(settlementDueAtMs).toISOString(),
      calls: { ...clients.calls },
      durationMs: Date.now() - started,
      ...(error === undefined ? {} : { error: (error as Error).message }),
    };
  };
  try {
    const priceRegion = options.priceRegion ?? (await clients.cloudWatch.config.region());
    const result = await runPublisher(
      config,
      new BedrockTokenSource(clients.cloudWatch, config.bedrockMetricNames, log),
      new CloudWatchSavingsSink(clients.cloudWatchPut, clients.cloudWatch, config.namespace, periodMs),
      ledger,
      {
        nowMs: options.nowMs,
        runId,
        periodMs,
        settleMs: config.publisher.settleDelayMinutes * MINUTE_MS,
        initialLookbackMs: config.publisher.initialLookbackHours * HOUR_MS,
        maxAgeMs: CLOUDWATCH_MAX_AGE_MS - MAX_AGE_MARGIN_MS,
        leaseMs: config.publisher.leaseMinutes * MINUTE_MS,
        ...(options.sinceMs === undefined ? {} : { sinceMs: options.sinceMs }),
        maxDatumsPerPut: MAX_DATUMS_PER_PUT,
        priceRegion,
        oldDatapointVisibilityMs: config.publisher.oldDatapointVisibilityHours * HOUR_MS,
        maxPutAttempts: 6,
        sleep: options.sleep ?? realSleep,
        ...(options.clock ? { clock: options.clock } : {}),
        ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      },
      log,
      // Cached per run: one GetInferenceProfile per application profile ARN; a refusal leaves that ARN unpriced, logged.
      options.profiles ?? new InferenceProfileResolver(clients.bedrock, log),
    );
    if (result.status === 'published') await ledger.recordRun(runId, { ...summarize(result) }, options.nowMs);
    const summary = summarize(result);
    log.info('publisher run summary', { ...summary });
    return summary;
  } catch (err) {
    if (err instanceof RunIncomplete) log.warn('publisher run summary (incomplete)', { ...summarize(err.result, err) });
    throw err;
  }
}

/** Reads and validates the handler's environment; every problem is named. */
export function readEnv(env: NodeJS.ProcessEnv): { config: PromptCacheConfig; tableName: string } {
  const problems: string[] = [];
  const tableName = env.LEDGER_TABLE_NAME ?? '';
  if (tableName === '') problems.push('LEDGER_TABLE_NAME is not set');
  const config = inlinedConfig(env, problems);
  failOnProblems('publisher', problems);
  return { config: config as PromptCacheConfig, tableName };
}

const logger = new Logger({ serviceName: 'prompt-cache-publisher' });
const runLog: RunLog = {
  info: (message, data) => logger.info(message, data ?? {}),
  warn: (message, data) => logger.warn(message, data ?? {}),
};

// Validated once per cold start; a bad environment fails every invocation with the same clear message.
let env: ReturnType<typeof readEnv> | undefined;

export interface HandlerContext {
  readonly awsRequestId?: string;
  readonly getRemainingTimeInMillis?: () => number;
}

/** How long the deploy-time run waits for its PublisherLagMinutes report to be readable (CloudWatch: about a minute). */
export const LAG_VISIBLE_TIMEOUT_MS = 120_000;

/**
 * The schedule's invocation (one run), or CloudFormation's deploy-time custom resource (one run, then a wait until its
 * PublisherLagMinutes report is readable, then the answer; see deploy-run.ts).
 */
export async function handler(event: unknown, context?: HandlerContext): Promise<PublishSummary | DeployRunOutcome> {
  // Spelled out so that esbuild's `define` can replace it with the inlined config.
  env ??= readEnv({ ...process.env, PROMPT_CACHE_CONFIG: process.env.PROMPT_CACHE_CONFIG });
  const current = env;
  const clients = createClients();
  const once = () =>
    publishOnce({
      ...current,
      nowMs: Date.now(),
      clock: Date.now,
      ...(context?.awsRequestId ? { runId: context.awsRequestId } : {}),
      clients,
      log: runLog,
    });
  if (!isCustomResourceEvent(event)) return once();
  return answerDeployRun(event, {
    run: () => deployRun(once, clients, current.config),
    remainingMs: context?.getRemainingTimeInMillis ?? (() => 300_000),
    log: (message, data) => logger.info(message, data),
  });
}

/** One run, then whether its lag report became readable. */
export async function deployRun(
  once: () => Promise<PublishSummary>,
  clients: AwsClients,
  config: PromptCacheConfig,
  sleep = realSleep,
): Promise<DeployRunOutcome> {
  const startedMs = Date.now();
  // A failed run still reported its lag when it reached the ledger; the schedule retries within a period.
  const summary = await once().catch((err: unknown) => err as Error);
  const outcome = summary instanceof Error ? `failed: ${summary.message}` : summary.status;
  if (!(summary instanceof Error) && summary.watermark !== null)
    await backdateLagReports(clients, config, startedMs, Date.parse(summary.watermark));
  const lagVisible = await waitForLagReport(clients.cloudWatch, config.namespace, startedMs, {
    timeoutMs: LAG_VISIBLE_TIMEOUT_MS,
    everyMs: 5_000,
    sleep,
    clock: Date.now,
  });
  return { outcome, lagVisible };
}

/**
 * The deploy-time run's lag, also at each of the `alarms.pipeline.missingPeriods` periods before it: the stack did not
 * exist then, so there was no silence to page for. Without these, an alarm that judges only completed periods would
 * find the periods before the deploy empty (filled as silence) and page on a fresh stack.
 */
async function backdateLagReports(clients: AwsClients, config: PromptCacheConfig, atMs: number, watermarkMs: number): Promise<void> {
  const periodMs = config.publisher.periodMinutes * MINUTE_MS;
  const datums = Array.from({ length: config.alarms.pipeline.missingPeriods }, (_, k) =>
    lagDatum(atMs - (k + 1) * periodMs, watermarkMs - (k + 1) * periodMs)!,
  );
  await new CloudWatchSavingsSink(clients.cloudWatchPut, clients.cloudWatch, config.namespace, periodMs).put(datums).catch(() => undefined);
}
