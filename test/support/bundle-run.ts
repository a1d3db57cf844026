/**
 * Runs a built publisher bundle as Lambda would: one hour of seeded Sonnet tokens in moto, a ledger table, a fresh Node
 * process that requires the bundle and invokes its handler. Shared by the source-built and the pre-bundled bundle tests.
 */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HOUR_MS } from '../../lambda/core/periods';
import { createClients } from '../../lambda/aws/clients';
import { ensureLedgerTable } from '../../lambda/aws/ledger';
import { seedBedrock } from './bedrock-seed';
import type { PromptCacheConfig } from '../../lambda/core/config';
import { BUNDLE, handlerEntry, type HandlerName } from '../../lib/prompt-cache-function';

/**
 * Bundles a handler as the construct does when it builds from source (esbuild, minified, CommonJS, the config inlined
 * through BUNDLE.configExpression) into `outfile`. `sourcemap`: as the construct ships it. @default false
 */
export async function bundleWithConfig(handler: HandlerName, config: PromptCacheConfig, outfile: string, sourcemap = false): Promise<void> {
  await build({
    entryPoints: [handlerEntry(handler)],
    bundle: true,
    minify: true,
    sourcemap,
    platform: 'node',
    format: 'cjs',
    target: BUNDLE.target,
    mainFields: [...BUNDLE.mainFields],
    define: { [BUNDLE.configExpression]: JSON.stringify(JSON.stringify(config)) },
    outfile,
    logLevel: 'silent',
  });
}

export const BUNDLE_MODEL = 'us.anthropic.claude-3-7-sonnet-20250219-v1:0';
/** The seeded hour's cache reads: what the run summary reports. */
export const BUNDLE_CACHE_READS = 38247;

export interface BundleRun {
  /** The JSON log lines the handler wrote on stdout, parsed. */
  readonly lines: Record<string, unknown>[];
  /** The handler's return value (the run summary). */
  readonly summary: Record<string, unknown> & { tokens: { cacheReadInputTokens: number } };
}

export async function runPublisherBundle(options: {
  readonly entry: string;
  readonly dir: string;
  readonly region: string;
  readonly table: string;
  /** The function's environment beyond AWS_REGION and LEDGER_TABLE_NAME. */
  readonly env: Record<string, string>;
  /** @default the current directory */
  readonly cwd?: string;
}): Promise<BundleRun> {
  const end = Math.floor(Date.now() / HOUR_MS) * HOUR_MS;
  const cw = new CloudWatchClient({ region: options.region });
  await seedBedrock(cw, [
    {
      modelId: BUNDLE_MODEL,
      periodStartMs: end - HOUR_MS,
      tokens: { inputTokens: 28, cacheReadInputTokens: BUNDLE_CACHE_READS, cacheWriteInputTokens: 75097, outputTokens: 1066 },
    },
  ]);
  cw.destroy();
  await ensureLedgerTable(createClients({ region: options.region }).dynamoDb, options.table);

  const invoke = join(options.dir, 'invoke.js');
  const result = join(options.dir, 'result.json');
  writeFileSync(
    invoke,
    `require(${JSON.stringify(options.entry)}).handler({}, { awsRequestId: 'req-1' }).then((s) => require('fs').writeFileSync(${JSON.stringify(result)}, JSON.stringify(s)), (e) => { console.error(e); process.exit(1); });`,
  );
  const env = { ...process.env, AWS_REGION: options.region, LEDGER_TABLE_NAME: options.table, ...options.env };
  const logged = execFileSync(process.execPath, [invoke], { env, encoding: 'utf8', ...(options.cwd ? { cwd: options.cwd } : {}) });
  return {
    lines: logged
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>),
    summary: JSON.parse(readFileSync(result, 'utf8')) as BundleRun['summary'],
  };
}

/** What both bundle tests expect of one run: one summary log line, two periods published for the one model. */
export function expectOneRunPublished(run: BundleRun): void {
  expect(run.lines.map((l) => [l.level, l.message, l.service])).toEqual([['INFO', 'publisher run summary', 'prompt-cache-publisher']]);
  expect([
    run.summary.runId,
    run.summary.status,
    run.summary.periodsPublished,
    run.summary.models,
    run.summary.tokens.cacheReadInputTokens,
  ]).toEqual(['req-1', 'published', 2, 1, BUNDLE_CACHE_READS]);
}
