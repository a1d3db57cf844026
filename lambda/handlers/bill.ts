/**
 * The daily bill check: the scheduled Lambda's entry point and `checkBillOnce`, which the tests run too. Thin: reads
 * env once, wires the adapters, calls the core (lambda/core/bill-check.ts), logs one summary line.
 *
 * Env: PROMPT_CACHE_CONFIG (inlined into the bundle by the CDK construct), LEDGER_TABLE_NAME (the publisher's table).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { CostExplorerClient } from '@aws-sdk/client-cost-explorer';
import { runBillCheck, type BillCheckResult } from '../core/bill-check';
import type { PromptCacheConfig } from '../core/config';
import type { InferenceProfileRoutes } from '../core/inference-profiles';
import { CLOUDWATCH_MAX_AGE_MS, DAY_MS, HOUR_MS } from '../core/periods';
import type { RunLog } from '../core/ports';
import { MAX_DATUMS_PER_PUT } from '../core/query-plan';
import { CostExplorerBillSource, DynamoDbBillLedger } from '../aws/bill-check';
import { createClients, type AwsClients, type CallCounts } from '../aws/clients';
import { COST_EXPLORER_REQUEST_USD, createCostExplorerClient } from '../aws/cost-explorer';
import { InferenceProfileResolver } from '../aws/inference-profiles';
import { CloudWatchSavingsSink } from '../aws/savings-sink';
import { failOnProblems, inlinedConfig } from './env';

/** The first run publishes this many days (it back-fills a week of the bill). */
export const FIRST_RUN_DAYS = 7;

export interface BillCheckOptions {
  readonly config: PromptCacheConfig;
  readonly tableName: string;
  readonly nowMs: number;
  readonly clients: AwsClients;
  readonly costExplorer: CostExplorerClient;
  readonly log: RunLog;
  readonly sleep?: (ms: number) => Promise<void>;
  /** @default - bedrock:GetInferenceProfile through `clients.bedrock` */
  readonly profiles?: InferenceProfileRoutes;
}

export interface BillCheckSummary extends BillCheckResult {
  readonly costExplorerRequests: number;
  /** What the run's Cost Explorer requests cost, USD. */
  readonly costExplorerUSD: number;
  readonly calls: CallCounts;
}

export async function checkBillOnce(options: BillCheckOptions): Promise<BillCheckSummary> {
  const { config, clients, log } = options;
  const source = new CostExplorerBillSource(
    options.costExplorer,
    clients.cloudWatch,
    config,
    log,
    options.profiles ?? new InferenceProfileResolver(clients.bedrock, log),
  );
  const result = await runBillCheck(
    source,
    new CloudWatchSavingsSink(clients.cloudWatchPut, clients.cloudWatch, config.namespace, DAY_MS),
    new DynamoDbBillLedger(clients.dynamoDb, options.tableName, config.namespace),
    {
      nowMs: options.nowMs,
      billDelayDays: config.reconcile.daily.billDelayDays,
      firstRunDays: FIRST_RUN_DAYS,
      // An hour's margin, as the publisher keeps: a day is never put just as it ages out.
      maxAgeMs: CLOUDWATCH_MAX_AGE_MS - HOUR_MS,
      visibilityMs: config.publisher.oldDatapointVisibilityHours * HOUR_MS,
      maxDatumsPerPut: MAX_DATUMS_PER_PUT,
      maxPutAttempts: 6,
      sleep: options.sleep ?? ((ms) => new Promise<void>((resolve) => setTimeout(resolve, ms))),
    },
    log,
  );
  const requests = source.costExplorerRequests;
  const summary = {
    ...result,
    costExplorerRequests: requests,
    costExplorerUSD: Math.round(requests * COST_EXPLORER_REQUEST_USD * 100) / 100,
    calls: { ...clients.calls },
  };
  log.info('bill check summary', { ...summary });
  return summary;
}

export function readBillEnv(env: NodeJS.ProcessEnv): { config: PromptCacheConfig; tableName: string } {
  const problems: string[] = [];
  const tableName = env.LEDGER_TABLE_NAME ?? '';
  if (tableName === '') problems.push('LEDGER_TABLE_NAME is not set');
  const config = inlinedConfig(env, problems);
  failOnProblems('bill check', problems);
  return { config: config as PromptCacheConfig, tableName };
}

const logger = new Logger({ serviceName: 'prompt-cache-bill-check' });
const log: RunLog = { info: (m, d) => logger.info(m, d ?? {}), warn: (m, d) => logger.warn(m, d ?? {}) };
let env: ReturnType<typeof readBillEnv> | undefined;

export async function handler(): Promise<BillCheckSummary> {
  // Spelled out so that esbuild's `define` can replace it with the inlined config.
  env ??= readBillEnv({ ...process.env, PROMPT_CACHE_CONFIG: process.env.PROMPT_CACHE_CONFIG });
  return checkBillOnce({ ...env, nowMs: Date.now(), clients: createClients(), costExplorer: createCostExplorerClient(), log });
}
