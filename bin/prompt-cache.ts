#!/usr/bin/env node
/**
 * Operator CLI:
 * - `report --usage FILE [--config FILE] [--format markdown|csv|json] [--out FILE]`
 * - `publish --config FILE --ledger-table NAME [--create-ledger] [--since ISO] [--until ISO]`: exactly what the scheduled
 *   Lambda runs; `--until` stands in for the clock.
 * - `doctor --region R [--config FILE] [--stack NAME] [--test-notification] [--format text|json]`: checks the account
 *   against what the monitoring expects (lambda/core/doctor.ts); with `targets` in the config, the caller's target of
 *   that region and its link (lambda/core/doctor-oam.ts); exit 1 when a check fails.
 * - `doctor --targets [--config FILE] [--stack NAME] [--format text|json]`: in the monitoring account, each region's sink
 *   and each target's series seen through its link.
 * Thin: parses arguments, reads files, calls the pure core, writes the result. Bad input exits 2 with one line naming the
 * file, the line or field and the problem; nothing is written then.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { ConfigError, parseConfig, targetConfig, type PromptCacheConfig } from '../lambda/core/config';
import { buildReport } from '../lambda/core/report';
import { buildFleetReport, type TargetUsage } from '../lambda/core/fleet-report';
import { renderFleetReport } from '../lambda/core/fleet-report-format';
import { regionGroup } from '../lambda/core/prices';
import { detectTokensPerUsageUnit, reconcile } from '../lambda/core/reconcile';
import { renderReconciliation } from '../lambda/core/reconcile-format';
import { billBesideComputed, COST_EXPLORER_REQUEST_USD, createCostExplorerClient } from '../lambda/aws/cost-explorer';
import { readReconcileInputs } from '../lambda/aws/reconcile-source';
import { priceTable, renderPriceTable } from '../lambda/core/price-table';
import { PRICE_LIST_SERVICE_CODES, priceFileFromPriceList } from '../lambda/core/price-list';
import { createPricingClient, readBedrockProducts } from '../lambda/aws/price-list';
import type { PricingClient } from '@aws-sdk/client-pricing';
import type { CostExplorerClient } from '@aws-sdk/client-cost-explorer';
import { pricedWithProfiles, withRegionRoutes } from '../lambda/core/inference-profiles';
import { BedrockTokenSource } from '../lambda/aws/bedrock-token-source';
import { REPORT_FORMATS, renderReport, type ReportFormat } from '../lambda/core/report-format';
import { parseUsageFile, UsageFileError } from '../lambda/core/usage';
import { loadConfigFile, loadConfigFromContext } from '../lib/config';
import { alarmReadyModels, DEFAULT_MONITORING_PRICES, estimateMonitoringCost, summarizeTemplate } from '../lambda/core/monitoring-cost';
import { readDailyUsage, readWindowUsage } from '../lambda/aws/weekly-source';
import { renderWeeklyChartSvg } from '../lambda/core/chart';
import { alignDown, DAY_MS } from '../lambda/core/periods';
import { buildWeeklyReport, reviewWindows, windowTokens } from '../lambda/core/weekly';
import { renderWeekly, windowLabel } from '../lambda/core/weekly-format';
import { createClients, type AwsClients } from '../lambda/aws/clients';
import { ensureLedgerTable } from '../lambda/aws/ledger';
import { RunIncomplete, type RunLog } from '../lambda/core/publish-run';
import { publishOnce } from '../lambda/handlers/publisher';
import { doctorExitCode, renderDoctorText, runChecks } from '../lambda/core/doctor';
import { createDoctorClients, type DoctorAwsClients } from '../lambda/aws/doctor-clients';
import { callerAccount, linkedSeries, oamStack } from '../lambda/aws/doctor-oam-probe';
import {
  OAM_LINK_TYPE,
  OAM_SINK_TYPE,
  findTarget,
  runTargetChecks,
  targetRegions,
  withOamLink,
  type TargetRef,
} from '../lambda/core/doctor-oam';
import { sinkStackName, targetStackName } from '../lib/prompt-cache-app';
import { DoctorProbe, type DoctorProbeOptions } from '../lambda/aws/doctor-probe';
import { InferenceProfileResolver } from '../lambda/aws/inference-profiles';
import { DEFAULT_STACK_NAME, STACK_NAME_PATTERN } from '../lib/prompt-cache-monitoring-stack';

/** Exit code for bad input (arguments, config, usage files). */
export const EXIT_BAD_INPUT = 2;

export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
}

class BadInput extends Error {}

function readUsageText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new BadInput(
      code === 'ENOENT' ? `${file}: file not found; check the --usage path` : `${file}: cannot read the file (${code ?? String(err)})`,
    );
  }
}

function loadConfig(file: string | undefined): PromptCacheConfig {
  try {
    return file === undefined ? parseConfig({}, 'built-in defaults') : loadConfigFile(file);
  } catch (err) {
    if (err instanceof ConfigError) throw new BadInput(`invalid config in ${err.source}: ${err.problems.join('; ')}`);
    throw err;
  }
}

/** Writes through a temporary file and a rename, so a failed run never leaves half a report behind. */
function writeAtomically(file: string, text: string): void {
  const tmp = join(dirname(file), `.${basename(file)}.${process.pid}.tmp`);
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

interface ReportOptions {
  usage?: string;
  region?: string;
  days: string;
  end?: string;
  config?: string;
  format: ReportFormat;
  out?: string;
  chart?: string;
  priceRegion?: string;
  /** Every target of the config, read through the monitoring account. */
  targets?: boolean;
  /** With --region: these accounts (a,b,…), read through the monitoring account. */
  account?: string;
}

/** `report --usage` prices as in this region unless `--price-region` says otherwise. */
export const DEFAULT_PRICE_REGION = 'us-east-1';

const REGION_PATTERN = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/;
export const MAX_REVIEW_DAYS = 90;

async function report(opts: ReportOptions, io: CliIo, deps: CliDeps): Promise<void> {
  if (opts.targets && (opts.region !== undefined || opts.account !== undefined))
    throw new BadInput(
      "--targets goes without --region and --account: the config's targets name each account and region (or list them with --region a,b --account x,y)",
    );
  if (opts.targets && opts.usage !== undefined)
    throw new BadInput('report needs exactly one source: --usage FILE, or --targets for every target of the config');
  if (!opts.targets && (opts.usage === undefined) === (opts.region === undefined)) {
    throw new BadInput('report needs exactly one source: --usage FILE, or --region REGION to read AWS/Bedrock metrics from CloudWatch');
  }
  if (opts.account !== undefined && opts.region === undefined)
    throw new BadInput('--account goes with --region: the accounts are read in each listed region (--region a,b --account x,y)');
  if (opts.chart !== undefined && opts.targets) throw new BadInput("--chart goes with one --region: the chart draws one region's models");
  if (opts.chart !== undefined && opts.region === undefined)
    throw new BadInput('--chart needs --region: the chart draws daily figures, which a usage file does not have');
  if (opts.priceRegion !== undefined && opts.usage === undefined)
    throw new BadInput(
      opts.targets
        ? "--price-region goes with --usage: with --targets the prices are those of each target's region"
        : '--price-region goes with --usage: with --region the prices are those of that region',
    );
  if (opts.priceRegion !== undefined && !REGION_PATTERN.test(opts.priceRegion))
    throw new BadInput(`--price-region: not an AWS region (got ${JSON.stringify(opts.priceRegion)}); e.g. eu-west-1`);
  if (opts.chart !== undefined && !opts.chart.endsWith('.svg'))
    throw new BadInput(`--chart: the file must end in .svg (got ${JSON.stringify(opts.chart)})`);
  if (opts.targets) return targetsFromCloudWatch(opts, configFromFileOrCdkJson(opts.config), io, deps);
  const config = loadConfig(opts.config);
  if (opts.usage !== undefined) {
    let usage;
    try {
      usage = parseUsageFile(readUsageText(opts.usage), opts.usage);
    } catch (err) {
      if (err instanceof UsageFileError) throw new BadInput(err.message);
      throw err;
    }
    const priceRegion = opts.priceRegion ?? DEFAULT_PRICE_REGION;
    warnUnknownPriceRegion(priceRegion, io);
    const text = renderReport(buildReport(usage, config, priceRegion), opts.format, `Prompt cache report: ${basename(opts.usage)}`);
    if (opts.out === undefined) io.stdout(text);
    else writeAtomically(opts.out, text);
    return;
  }
  const regions = (opts.region as string).split(',').map((r) => r.trim());
  if (opts.account !== undefined) return accountsFromCloudWatch({ ...opts, regions, account: opts.account }, config, io, deps);
  if (regions.length > 1) return fleetFromCloudWatch({ ...opts, regions }, config, io, deps);
  await reviewFromCloudWatch(opts as ReportOptions & { region: string }, config, io, deps);
}

/** One target of a report over many: where it is read and how it is shown and priced. */
interface FleetTarget {
  readonly region: string;
  /** The account shown on its row (null: the credentials' own). */
  readonly account?: string;
  /** The linked source account to read through the monitoring account (AccountId, OwningAccount). @default - the credentials' own */
  readonly readAccount?: string;
  /** Its own config (a config target's sections). @default - the report's config */
  readonly config?: PromptCacheConfig;
}

/** `--region a,b`: each an AWS region, each once. */
function checkRegions(regions: readonly string[]): void {
  const bad = regions.filter((r) => !REGION_PATTERN.test(r));
  if (bad.length > 0)
    throw new BadInput(`--region: not an AWS region (got ${bad.map((r) => JSON.stringify(r)).join(', ')}); e.g. us-east-1,eu-west-1`);
  const twice = regions.filter((r, i) => regions.indexOf(r) !== i);
  if (twice.length > 0) throw new BadInput(`--region: ${twice[0]} is listed twice; list each region once`);
}

/**
 * `report --region a,b,…`: each region's window read and priced there, a row per region, every model with its region,
 * and the total; a region without a token is reported as without data.
 */
async function fleetFromCloudWatch(
  opts: ReportOptions & { regions: string[] },
  config: PromptCacheConfig,
  io: CliIo,
  deps: CliDeps,
): Promise<void> {
  checkRegions(opts.regions);
  if (opts.chart !== undefined) throw new BadInput("--chart goes with one --region: the chart draws one region's models");
  await readFleet(
    opts.regions.map((region) => ({ region })),
    `${opts.regions.length} regions`,
    opts,
    config,
    io,
    deps,
  );
}

/**
 * `report --region a,b --account x,y`: every listed account in every listed region, read from the monitoring account of
 * CloudWatch cross-account observability (run with its credentials), a row per account and region and the total.
 */
async function accountsFromCloudWatch(
  opts: ReportOptions & { regions: string[]; account: string },
  config: PromptCacheConfig,
  io: CliIo,
  deps: CliDeps,
): Promise<void> {
  checkRegions(opts.regions);
  const accounts = opts.account.split(',').map((a) => a.trim());
  const bad = accounts.filter((a) => !/^\d{12}$/.test(a));
  if (bad.length > 0)
    throw new BadInput(
      `--account: not a 12-digit AWS account id (got ${bad.map((a) => JSON.stringify(a)).join(', ')}); e.g. 111111111111,222222222222`,
    );
  const twice = accounts.filter((a, i) => accounts.indexOf(a) !== i);
  if (twice.length > 0) throw new BadInput(`--account: ${twice[0]} is listed twice; list each account once`);
  if (opts.chart !== undefined) throw new BadInput("--chart goes with one --region and no --account: the chart draws one region's models");
  const targets = accounts.flatMap((account) => opts.regions.map((region) => ({ region, account, readAccount: account })));
  await readFleet(targets, `${accounts.length} accounts in ${opts.regions.length} regions`, opts, config, io, deps);
}

/**
 * `report --targets`: every target of the config in its region, each with its own sections, a target in another account
 * than `monitoring.account` read through the monitoring account (a target without an account is the credentials' own).
 */
async function targetsFromCloudWatch(opts: ReportOptions, config: PromptCacheConfig, io: CliIo, deps: CliDeps): Promise<void> {
  if (!config.targets)
    throw new BadInput(
      `--targets: the config has no \`targets\`${opts.config ? ` (${opts.config})` : " (cdk.json's promptCacheMonitoring; name another with --config)"}; list them there, or read regions with --region a,b`,
    );
  const monitoring = config.monitoring?.account;
  const targets = config.targets.map((t, i) => ({
    region: t.region,
    ...(t.account === undefined ? {} : { account: t.account }),
    ...(t.account === undefined || t.account === monitoring ? {} : { readAccount: t.account }),
    config: targetConfig(config, i),
  }));
  await readFleet(targets, `${targets.length} targets`, opts, config, io, deps);
}

/** Reads each target's window (its region, its account), prices it in its region, and writes the report over all. */
async function readFleet(
  list: readonly FleetTarget[],
  what: string,
  opts: ReportOptions,
  config: PromptCacheConfig,
  io: CliIo,
  deps: CliDeps,
): Promise<void> {
  const { days, endMs } = pastDays(opts, 'review');
  const { current } = reviewWindows(endMs, days);
  const quiet: RunLog = {
    info: () => undefined,
    warn: (message, data) => io.stderr(`warning: ${message} ${JSON.stringify(data ?? {})}\n`),
  };
  const targets: TargetUsage[] = [];
  let priced = config;
  for (const t of list) {
    const own = t.config ?? config;
    io.stderr(
      `reading AWS/Bedrock metrics ${t.readAccount ? `of ${t.readAccount} (through the monitoring account) ` : ''}in ${t.region}, ${windowLabel(current)}...\n`,
    );
    const clients = deps.clients?.(t.region, t.account) ?? createClients({ region: t.region });
    const read = await readWindowUsage(
      clients.cloudWatch,
      own,
      current,
      quiet,
      // Another account's application profiles cannot be looked up from here: they need their `priceAs`.
      t.readAccount ? { account: t.readAccount } : { profiles: new InferenceProfileResolver(clients.bedrock, quiet) },
    );
    warnUnknownPriceRegion(t.region, io);
    const models = read.models;
    targets.push({
      region: t.region,
      ...(t.account === undefined ? {} : { account: t.account }),
      models,
      ...(t.config === undefined ? {} : { config: read.config }),
    });
    if (t.config === undefined) priced = withRegionRoutes(priced, read.config);
    io.stderr(`  ${models.length} models with tokens, ${clients.calls.GetMetricData ?? 0} GetMetricData calls\n`);
  }
  const text = renderFleetReport(buildFleetReport(targets, priced), opts.format, `Prompt cache report: ${what}, ${windowLabel(current)}`);
  if (opts.out === undefined) io.stdout(text);
  else writeAtomically(opts.out, text);
}

/** A region the price catalog does not know: its dollars are at the US rate, which stderr says (and each priceSource). */
function warnUnknownPriceRegion(region: string, io: CliIo): void {
  if (regionGroup(region) === undefined)
    io.stderr(
      `warning: the price catalog has no prices for ${region}: dollars are at the US rate (pricing overrides in the config set exact ones)\n`,
    );
}

/**
 * `--days` and `--end` of `report --region` and `reconcile`: whole UTC days, the window ending at the midnight at or
 * before `--end` (default: today's), never in the future.
 */
function pastDays(opts: { days: string; end?: string }, what: string): { days: number; endMs: number } {
  const days = Number(opts.days);
  if (!Number.isInteger(days) || days < 1 || days > MAX_REVIEW_DAYS)
    throw new BadInput(`--days: must be a whole number from 1 to ${MAX_REVIEW_DAYS} (got ${JSON.stringify(opts.days)})`);
  const now = Date.now();
  const endArg = isoTime(opts.end, '--end');
  if (endArg !== undefined && endArg > now)
    throw new BadInput(`--end is in the future (got ${opts.end}); the ${what} ends at a past UTC midnight`);
  return { days, endMs: alignDown(endArg ?? now, DAY_MS) };
}

/** `report --region`: the weekly review of the last `--days` days before `--end` and the window before that. */
async function reviewFromCloudWatch(
  opts: ReportOptions & { region: string },
  config: PromptCacheConfig,
  io: CliIo,
  deps: CliDeps,
): Promise<void> {
  if (!REGION_PATTERN.test(opts.region))
    throw new BadInput(`--region: not an AWS region (got ${JSON.stringify(opts.region)}); e.g. us-east-1`);
  const { days, endMs } = pastDays(opts, 'review');
  const windows = reviewWindows(endMs, days);
  const clients = createClients({ region: opts.region });
  const quiet: RunLog = {
    info: () => undefined,
    warn: (message, data) => io.stderr(`warning: ${message} ${JSON.stringify(data ?? {})}\n`),
  };
  io.stderr(`reading AWS/Bedrock metrics in ${opts.region}, ${windowLabel(windows.previous)} and ${windowLabel(windows.current)}...\n`);
  const {
    daily,
    modelIds,
    config: priced,
  } = await readDailyUsage(
    clients.cloudWatch,
    config,
    windows,
    quiet,
    (done, planned) => io.stderr(`  GetMetricData ${done}/${planned}\n`),
    new InferenceProfileResolver(clients.bedrock, quiet),
  );
  io.stderr(
    `  ${modelIds.length} models, ${clients.calls.GetMetricData ?? 0} GetMetricData and ${clients.calls.ListMetrics ?? 0} ListMetrics calls\n`,
  );
  warnUnknownPriceRegion(opts.region, io);
  const review = buildWeeklyReport(daily, windows, priced, opts.region);
  const { bill, requests } = await billBesideComputed(
    deps.costExplorer ?? createCostExplorerClient(),
    priced,
    windows.current,
    opts.region,
    windowTokens(review),
  );
  io.stderr(
    `  the bill beside the computed cost: ${requests} Cost Explorer request${requests === 1 ? '' : 's'} ($${(requests * COST_EXPLORER_REQUEST_USD).toFixed(2)})\n`,
  );
  const text = renderWeekly(review, opts.format, { bill });
  const svg = opts.chart === undefined ? undefined : await renderWeeklyChartSvg(review);
  if (opts.out === undefined) io.stdout(text);
  else writeAtomically(opts.out, text);
  if (opts.chart !== undefined && svg !== undefined) writeAtomically(opts.chart, svg);
}

interface PricesCliOptions {
  region?: string;
  config?: string;
  format: ReportFormat;
  refresh?: boolean;
  out?: string;
}

/** `prices --refresh --out FILE`: the AWS Price List's Bedrock prices that differ from the catalog, as a price file. */
async function refreshPrices(opts: PricesCliOptions & { out: string }, io: CliIo, deps: CliDeps): Promise<void> {
  const today = new Date().toISOString().slice(0, 10);
  io.stderr(`reading the AWS Price List (${PRICE_LIST_SERVICE_CODES.join(', ')})${opts.region ? ` for ${opts.region}` : ''}...\n`);
  const { items, requests } = await readBedrockProducts(deps.pricing ?? createPricingClient(), opts.region);
  const read = priceFileFromPriceList(items, today);
  const unmapped = read.skipped.length;
  io.stderr(
    `  ${items.length} products in ${requests} GetProducts requests: ${read.priced} token prices, ${read.file.prices.length} of them differ from the catalog; ${unmapped} skipped (not a token price the catalog knows)\n`,
  );
  writeAtomically(opts.out, `${JSON.stringify(read.file, null, 2)}\n`);
  io.stderr(`wrote ${opts.out}: name it in the config as "pricesFile" (relative to the config file)\n`);
}

/** `prices`: how each configured model (and with --region each one AWS/Bedrock reports there) is priced. */
async function prices(opts: PricesCliOptions, io: CliIo, deps: CliDeps): Promise<void> {
  if (opts.region !== undefined && !REGION_PATTERN.test(opts.region))
    throw new BadInput(`--region: not an AWS region (got ${JSON.stringify(opts.region)}); e.g. us-east-1`);
  if (opts.refresh && opts.out === undefined) throw new BadInput('--refresh needs --out FILE: the price file to write');
  if (!opts.refresh && opts.out !== undefined) throw new BadInput('--out goes with --refresh (the table goes to stdout)');
  if (opts.refresh) return refreshPrices(opts as PricesCliOptions & { out: string }, io, deps);
  let config = configFromFileOrCdkJson(opts.config);
  let discovered: string[] = [];
  if (opts.region !== undefined) {
    warnUnknownPriceRegion(opts.region, io);
    const clients = createClients({ region: opts.region });
    const log: RunLog = { info: () => undefined, warn: (m, d) => io.stderr(`warning: ${m} ${JSON.stringify(d ?? {})}\n`) };
    discovered = await new BedrockTokenSource(clients.cloudWatch, config.bedrockMetricNames, log).discoverModelIds();
    config = await pricedWithProfiles(
      config,
      [...config.models.map((m) => m.modelId), ...discovered],
      new InferenceProfileResolver(clients.bedrock, log),
    );
  }
  io.stdout(renderPriceTable(priceTable(config, discovered, opts.region), opts.format));
}

interface ReconcileCliOptions {
  days: string;
  end?: string;
  config?: string;
  format: ReportFormat;
  out?: string;
}

/** `reconcile`: the bill (Cost Explorer) beside the cost computed from the AWS/Bedrock tokens of the same days. */
async function reconcileBill(opts: ReconcileCliOptions, io: CliIo, deps: CliDeps): Promise<void> {
  const { days, endMs } = pastDays(opts, 'window');
  const config = configFromFileOrCdkJson(opts.config);
  const startMs = endMs - days * DAY_MS;
  const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  const window = { startMs, endMs, start: day(startMs), end: day(endMs) };
  const log: RunLog = { info: () => undefined, warn: (message, data) => io.stderr(`warning: ${message} ${JSON.stringify(data ?? {})}\n`) };
  io.stderr(`reading the bill (Cost Explorer, ${config.reconcile.services.join(', ')}) from ${window.start} to ${window.end}...\n`);
  const read = await readReconcileInputs(config, window, {
    ce: deps.costExplorer ?? createCostExplorerClient(),
    region: (region) => {
      const clients = createClients({ region });
      return { cloudWatch: clients.cloudWatch, profiles: new InferenceProfileResolver(clients.bedrock, log) };
    },
    log,
    onProgress: (m) => io.stderr(`${m}\n`),
  });
  for (const region of read.regions) warnUnknownPriceRegion(region, io);
  const unit = config.reconcile.tokensPerUsageUnit;
  const tokensPerUsageUnit = unit === 'auto' ? detectTokensPerUsageUnit(read.lines, read.usage, config.reconcile.usageTypes) : unit;
  const result = reconcile({
    window: { start: window.start, end: window.end },
    lines: read.lines,
    usage: read.usage,
    config: read.config,
    tokensPerUsageUnit,
    overrides: config.reconcile.usageTypes,
  });
  io.stderr(
    `  ${read.costExplorerRequests} Cost Explorer requests: $${(read.costExplorerRequests * COST_EXPLORER_REQUEST_USD).toFixed(2)}\n`,
  );
  const text = renderReconciliation(result, opts.format);
  if (opts.out === undefined) io.stdout(text);
  else writeAtomically(opts.out, text);
}

interface PublishCliOptions {
  config: string;
  ledgerTable: string;
  createLedger?: boolean;
  since?: string;
  until?: string;
  region?: string;
}

function isoTime(value: string | undefined, option: string): number | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(ms))
    throw new BadInput(`${option}: not an ISO 8601 time (got ${JSON.stringify(value)}); e.g. 2026-11-25T12:00:00Z`);
  return ms;
}

async function publish(opts: PublishCliOptions, io: CliIo): Promise<void> {
  const config = loadConfig(opts.config);
  const sinceMs = isoTime(opts.since, '--since');
  const untilMs = isoTime(opts.until, '--until');
  if (sinceMs !== undefined && untilMs !== undefined && sinceMs >= untilMs)
    throw new BadInput(`--since must be before --until (got ${opts.since} and ${opts.until})`);
  const clients = createClients(opts.region ? { region: opts.region } : {});
  if (opts.createLedger) {
    const made = await ensureLedgerTable(clients.dynamoDb, opts.ledgerTable);
    io.stderr(`ledger table ${opts.ledgerTable}: ${made}\n`);
  }
  const log: RunLog = {
    info: (message, data) => io.stderr(`${JSON.stringify({ level: 'INFO', message, ...data })}\n`),
    warn: (message, data) => io.stderr(`${JSON.stringify({ level: 'WARN', message, ...data })}\n`),
  };
  try {
    const summary = await publishOnce({
      config,
      tableName: opts.ledgerTable,
      nowMs: untilMs ?? Date.now(),
      ...(untilMs === undefined ? { clock: Date.now } : {}),
      ...(sinceMs === undefined ? {} : { sinceMs }),
      clients,
      log,
    });
    io.stdout(`${JSON.stringify(summary, null, 2)}\n`);
  } catch (err) {
    if (err instanceof RunIncomplete) throw new RunFailed(err.message);
    throw err;
  }
}

interface CostOptions {
  config?: string;
  models?: string;
  format: 'markdown' | 'json';
}

/** The config `cost` and `doctor` use: --config FILE, else cdk.json's inline config in this folder, else the defaults. */
function configFromFileOrCdkJson(file: string | undefined): PromptCacheConfig {
  if (file !== undefined) return loadConfig(file);
  if (!existsSync('cdk.json')) return parseConfig({}, 'built-in defaults');
  try {
    const context = (JSON.parse(readFileSync('cdk.json', 'utf8')) as { context?: Record<string, unknown> }).context ?? {};
    return loadConfigFromContext({ tryGetContext: (key) => context[key] });
  } catch (err) {
    if (err instanceof ConfigError) throw new BadInput(`invalid config in ${err.source}: ${err.problems.join('; ')}`);
    throw err;
  }
}

async function cost(opts: CostOptions, io: CliIo): Promise<void> {
  const config = configFromFileOrCdkJson(opts.config);
  const configured = config.models.length;
  if (
    opts.models !== undefined &&
    (!/^\d+$/.test(opts.models) || !Number.isSafeInteger(Number(opts.models)) || Number(opts.models) < configured)
  )
    throw new BadInput(
      `--models: must be a whole number of models, at least the ${configured} configured (got ${JSON.stringify(opts.models)}); count every model you expect AWS/Bedrock to report, configured or not`,
    );
  const models = opts.models === undefined ? configured : Number(opts.models);
  if (config.targets) return costOfTargets(config, opts, io);
  // Synthesized in memory, without bundling or template validation: only the resource list matters here.
  const { App } = await import('aws-cdk-lib');
  const { PromptCacheMonitoringStack } = await import('../lib/prompt-cache-monitoring-stack');
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new PromptCacheMonitoringStack(app, 'CostEstimate', { config });
  const template = app.synth({ validateOnSynthesis: false }).getStackByName(stack.stackName).template;
  const prices = {
    ...DEFAULT_MONITORING_PRICES,
    ...Object.fromEntries(Object.entries(config.monitoringPrices).filter(([, v]) => v !== undefined)),
  };
  const estimate = estimateMonitoringCost(summarizeTemplate(template), config, prices, { models });
  if (opts.format === 'json') {
    io.stdout(`${JSON.stringify(estimate, null, 2)}\n`);
    return;
  }
  const usd = (v: number) => `$${v.toFixed(v < 0.1 ? 4 : 2)}`;
  const added = estimate.perAddedModel;
  const alarmReady = added.series.slice(added.series.length - added.alarmReadySeries);
  const seriesText =
    added.series.length === 0
      ? 'no custom metrics (no publisher)'
      : `${added.series.slice(0, added.series.length - added.alarmReadySeries).join(', ')}${alarmReady.length > 0 ? `; alarm-ready ${alarmReady.join(', ')}` : '; no alarm-ready series'}`;
  io.stdout(
    [
      `# Monthly cost of the monitoring: ${usd(estimate.monthlyUSD)} (${estimate.models} models)`,
      '',
      `Each more model AWS/Bedrock reports (not in the config: the alarms section's settings, fleet mode) adds **$${added.monthlyUSD.toFixed(6)} a month**: ${added.formula}. Its series: ${seriesText}; each of the ${added.metricsInsightsAlarms} Metrics Insights alarms analyzes one metric more. That holds while a publisher run's datums fit the same number of 1,000-datum PutMetricData calls.`,
      '',
      '| what | quantity | unit | unit price | USD a month |',
      '| --- | ---: | --- | ---: | ---: |',
      ...estimate.items.map(
        (i) => `| ${i.what} | ${Number(i.quantity.toFixed(4))} | ${i.unit} | $${i.unitPriceUSD} | ${usd(i.monthlyUSD)} |`,
      ),
      '',
      ...estimate.assumptions.map((a) => `- ${a}`),
      '',
    ].join('\n'),
  );
}

/** The prices of `config`: the list prices with the config's `monitoringPrices` laid over them. */
function monitoringPricesOf(config: PromptCacheConfig) {
  return {
    ...DEFAULT_MONITORING_PRICES,
    ...Object.fromEntries(Object.entries(config.monitoringPrices).filter(([, v]) => v !== undefined)),
  };
}

/** `cost` of a config with `targets`: each target's stack (its own sections, its configured models), the roll-up, the total. */
async function costOfTargets(config: PromptCacheConfig, opts: CostOptions, io: CliIo): Promise<void> {
  if (opts.models !== undefined)
    throw new BadInput('--models goes with a config without targets: each target is counted with the models its own config lists');
  const { App } = await import('aws-cdk-lib');
  const { addPromptCacheStacks } = await import('../lib/prompt-cache-app');
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stacks = addPromptCacheStacks(app, config, DEFAULT_STACK_NAME);
  const assembly = app.synth({ validateOnSynthesis: false });
  const templateOf = (name: string) => assembly.getStackByName(name).template as Parameters<typeof summarizeTemplate>[0];
  const targets = stacks.targets.map((s, i) => {
    const own = targetConfig(config, i);
    const e = estimateMonitoringCost(summarizeTemplate(templateOf(s.stackName)), own, monitoringPricesOf(own));
    return {
      stackName: s.stackName,
      account: config.targets?.[i]?.account ?? null,
      region: s.region,
      models: e.models,
      monthlyUSD: e.monthlyUSD,
    };
  });
  const monitoringStacks = [...(stacks.rollup ? [stacks.rollup] : []), ...stacks.sinks];
  // The roll-up's fleet alarms of a region analyze each fleet-mode model of every target there.
  const sourceModels = (region: string) =>
    (config.targets ?? []).reduce((n, t, i) => n + (t.region === region ? alarmReadyModels(targetConfig(config, i)) : 0), 0);
  const rollupUSD = monitoringStacks.reduce(
    (n, s) =>
      n +
      estimateMonitoringCost(summarizeTemplate(templateOf(s.stackName)), config, monitoringPricesOf(config), {
        sourceModels: sourceModels(s.region),
      }).monthlyUSD,
    0,
  );
  const monthlyUSD = targets.reduce((n, t) => n + t.monthlyUSD, 0) + rollupUSD;
  if (opts.format === 'json') {
    io.stdout(`${JSON.stringify({ monthlyUSD, targets, rollupUSD }, null, 2)}\n`);
    return;
  }
  io.stdout(
    [
      `# Monthly cost of the monitoring: $${monthlyUSD.toFixed(2)} (${targets.length} targets${stacks.rollup ? ' and the monitoring account' : ''})`,
      '',
      '| target | account | region | models | USD a month |',
      '| --- | --- | --- | ---: | ---: |',
      ...targets.map(
        (t) => `| ${t.stackName} | ${t.account ?? '(deploying account)'} | ${t.region} | ${t.models} | $${t.monthlyUSD.toFixed(2)} |`,
      ),
      ...(stacks.rollup
        ? [
            `| monitoring account (fleet dashboard, alarms, digest) | ${config.monitoring?.account} | ${config.monitoring?.region} | | $${rollupUSD.toFixed(2)} |`,
          ]
        : []),
      `| **total** | | | | **$${monthlyUSD.toFixed(2)}** |`,
      '',
      '- Each target is counted with the models its own config lists (for more, estimate a config without targets with `--models`); CloudWatch cross-account observability itself is not billed for metrics (AWS pricing).',
      '',
    ].join('\n'),
  );
}

interface DoctorOptions {
  region?: string;
  config?: string;
  stack: string;
  testNotification?: boolean;
  targets?: boolean;
  format: 'text' | 'json';
}

/** What tests swap in: doctor's profile lookups, sleep and clock (see DoctorProbeOptions). */
export interface CliDeps {
  readonly doctor?: Partial<DoctorProbeOptions>;
  /**
   * The Price List client of `prices --refresh` (the emulator has no Price List API: tests hand one that answers with
   * recorded products). @default createPricingClient()
   */
  readonly pricing?: PricingClient;
  /** The Cost Explorer client of `reconcile` and `report --region`. @default createCostExplorerClient() (us-east-1) */
  readonly costExplorer?: CostExplorerClient;
  /**
   * The clients of one region, for `report --region a,b`, `--account` and `--targets` (tests send them as a moto account
   * of their own: `account` is the target's, undefined for the credentials' own). @default createClients
   */
  readonly clients?: (region: string, account?: string) => AwsClients;
  /**
   * doctor's clients in `region`; with `--targets`, `account` is the account read there (the monitoring account's own
   * stacks, or a target's series: tests send each as a moto account of its own; in AWS the monitoring account's
   * credentials read all). @default createDoctorClients
   */
  readonly doctorClients?: (region: string, account?: string) => DoctorAwsClients;
}

async function doctor(opts: DoctorOptions, io: CliIo, deps: CliDeps): Promise<void> {
  if (opts.targets) return doctorTargets(opts, io, deps);
  if (opts.region === undefined)
    throw new BadInput('--region is required: the region where you call Bedrock and deployed the stack, e.g. --region us-east-1');
  if (!REGION_PATTERN.test(opts.region))
    throw new BadInput(`--region: not an AWS region (got ${JSON.stringify(opts.region)}); e.g. us-east-1`);
  checkStackOption(opts.stack);
  const region = opts.region;
  const config = configFromFileOrCdkJson(opts.config);
  const clients = deps.doctorClients?.(region) ?? createDoctorClients({ region });
  // With targets: the target of this region in the caller's account, checked with its own sections and stack name.
  let checked = config;
  let target: TargetRef | undefined;
  if (config.targets) {
    const account = await callerAccount(clients.sts);
    const found = findTarget(config.targets, region, account);
    if (!found) {
      const here = config.targets.filter((t) => t.region === region).map((t) => t.account ?? '(deploying account)');
      throw new BadInput(
        `--region: the config's targets have none in ${region} for account ${account} (these credentials'; targets in ${region}: ${here.length > 0 ? here.join(', ') : 'none'}); run doctor with a target account's credentials, or check --region and --config`,
      );
    }
    checked = targetConfig(config, found.index);
    target = { account, region, stackName: targetStackName(opts.stack, found.target) };
  }
  const stackName = target?.stackName ?? opts.stack;
  const log: RunLog = { info: () => undefined, warn: () => undefined };
  const probe = new DoctorProbe(clients, { profiles: new InferenceProfileResolver(clients.bedrock, log), ...deps.doctor });
  // In JSON the notice goes to stderr, so that stdout stays one JSON document.
  const say = (line: string) => (opts.format === 'json' ? io.stderr : io.stdout)(`${line}\n`);
  const observations = await probe.collect({
    config: checked,
    region,
    stackName,
    testNotification: opts.testNotification === true,
    say,
  });
  let result = runChecks(checked, observations);
  if (target)
    result = withOamLink(result, config.monitoring, {
      target,
      sinkStackName: sinkStackName(opts.stack, config.monitoring?.region ?? region, region),
      stack: await oamStack(clients.cloudFormation, stackName, OAM_LINK_TYPE),
    });
  writeDoctorReport(result, opts, io);
}

function checkStackOption(stack: string): void {
  if (!STACK_NAME_PATTERN.test(stack))
    throw new BadInput(
      `--stack: not a CloudFormation stack name (got ${JSON.stringify(stack)}); letters, digits and "-", starting with a letter, e.g. ${DEFAULT_STACK_NAME}`,
    );
}

function writeDoctorReport(result: Parameters<typeof doctorExitCode>[0], opts: DoctorOptions, io: CliIo): void {
  io.stdout(opts.format === 'json' ? `${JSON.stringify(result, null, 2)}\n` : renderDoctorText(result));
  if (doctorExitCode(result) === 1) throw new ChecksFailed();
}

/**
 * `doctor --targets`, in the monitoring account: for each region with targets, the sink's stack (the roll-up's in the
 * monitoring region, else `<stack>-Sink-<region>`) against `monitoring.sinks`, then each target's series of the
 * namespace as the monitoring account lists them in that region (ListMetrics of the linked account).
 */
async function doctorTargets(opts: DoctorOptions, io: CliIo, deps: CliDeps): Promise<void> {
  if (opts.region !== undefined)
    throw new BadInput(
      '--targets goes without --region: it checks every region that has targets, from the monitoring account (in a target account, run --region R for its target)',
    );
  if (opts.testNotification)
    throw new BadInput('--test-notification goes with --region R (one target, in its account), not with --targets');
  checkStackOption(opts.stack);
  const config = configFromFileOrCdkJson(opts.config);
  const { targets, monitoring } = config;
  if (!targets || !monitoring)
    throw new BadInput(
      `--targets needs \`targets\` and \`monitoring\` in the config (it has ${targets ? 'no `monitoring`' : monitoring ? 'no `targets`' : 'neither'}); see README "Many accounts and regions", or run doctor --region R for one account`,
    );
  const cache = new Map<string, DoctorAwsClients>();
  const clientsFor = (region: string, account: string): DoctorAwsClients => {
    const key = `${region} ${account}`;
    const made = cache.get(key) ?? deps.doctorClients?.(region, account) ?? createDoctorClients({ region });
    cache.set(key, made);
    return made;
  };
  const caller = await callerAccount(clientsFor(monitoring.region, monitoring.account).sts);
  if (caller !== monitoring.account)
    throw new BadInput(
      `--targets: these credentials are of account ${caller}, not of the monitoring account ${monitoring.account} (monitoring.account); run it with the monitoring account's credentials`,
    );
  const refs: TargetRef[] = targets.map((t) => {
    // The config's rules require every target's account with `monitoring`.
    if (t.account === undefined) throw new RangeError(`a target in ${t.region} without an account`);
    return { account: t.account, region: t.region, stackName: targetStackName(opts.stack, t) };
  });
  const sinks = [];
  for (const region of targetRegions(refs)) {
    const stackName = sinkStackName(opts.stack, monitoring.region, region);
    const linked = refs.some((t) => t.region === region && t.account !== monitoring.account);
    const stack = linked ? await oamStack(clientsFor(region, monitoring.account).cloudFormation, stackName, OAM_SINK_TYPE) : undefined;
    sinks.push({ region, stackName, ...(stack ? { stack } : {}) });
  }
  const series = [];
  for (const target of refs)
    series.push({
      target,
      ...(await linkedSeries(clientsFor(target.region, target.account).cloudWatch, config.namespace, target.account)),
    });
  writeDoctorReport(runTargetChecks(config, { region: monitoring.region, targets: refs, sinks, series }), opts, io);
}

/** A run that failed part-way (exit 1): what it completed is committed, the rest is left for the next run. */
class RunFailed extends Error {}
/** doctor: at least one check failed (exit 1); the output says which. */
class ChecksFailed extends Error {}

export function buildProgram(io: CliIo, deps: CliDeps = {}): Command {
  const program = new Command('prompt-cache')
    .description('Amazon Bedrock prompt caching: savings reports and the savings publisher')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
  program
    .command('report')
    .description('hit ratios and dollar savings per model, from a usage file or from CloudWatch (weekly review)')
    .option('--usage <file>', 'aggregate JSON {"models":[...]} or JSON Lines of {"modelId","usage"} (InvokeModel or Converse usage blocks)')
    .option(
      '--region <region>',
      'read AWS/Bedrock metrics from CloudWatch in this region: the weekly review, with the previous window; several (a,b,…): a row per region and the total',
    )
    .option(
      '--account <ids>',
      "with --region: read these accounts (a,b,…) in every listed region through the monitoring account (CloudWatch cross-account observability; run with the monitoring account's credentials): a row per account and region and the total",
    )
    .option(
      '--targets',
      "read every target of the config (its account and region) through the monitoring account: a row per target and the total (the config: --config, else cdk.json's promptCacheMonitoring)",
    )
    .option('--price-region <region>', `with --usage: price the tokens as in this region (default ${DEFAULT_PRICE_REGION})`)
    .option('--days <n>', 'with --region: days in the window', '7')
    .option('--end <iso>', "with --region: the window ends at this time's UTC midnight (default: today's)")
    .option('--config <file>', 'JSON config (models, pricing overrides, thresholds); built-in defaults without it')
    .addOption(new Option('--format <format>', 'output format').choices(REPORT_FORMATS).default('markdown'))
    .option('--out <file>', 'write to this file instead of stdout')
    .option(
      '--chart <file.svg>',
      'with --region: write an SVG chart: daily net savings by model, and hit ratio by model against its break-even',
    )
    .action((opts: ReportOptions) => report(opts, io, deps));
  program
    .command('publish')
    .description('publish hit-ratio and savings metrics for every closed period not yet published (what the scheduled Lambda runs)')
    .requiredOption('--config <file>', 'JSON config')
    .requiredOption('--ledger-table <name>', 'DynamoDB ledger table (the stack output LedgerTableName)')
    .option('--create-ledger', 'create the ledger table first if it does not exist (local use against the emulator)')
    .option('--since <iso>', 'first run only: start here instead of publisher.initialLookbackHours back')
    .option('--until <iso>', 'stands in for the clock: publish the periods closed by then')
    .option('--region <region>', "AWS region (default: the environment's)")
    .action((opts: PublishCliOptions) => publish(opts, io));
  program
    .command('prices')
    .description('how each model is priced: the rule, the source and its date, the prices and the break-even hit ratio')
    .option('--region <region>', 'price as in this region, and list the models AWS/Bedrock reports there too')
    .option('--config <file>', "JSON config (default: cdk.json's promptCacheMonitoring in this folder)")
    .addOption(new Option('--format <format>', 'output format').choices(REPORT_FORMATS).default('markdown'))
    .option('--refresh', 'read the AWS Price List instead and write the prices that differ from the catalog to --out')
    .option('--out <file>', 'with --refresh: the price file to write (name it in the config as pricesFile)')
    .action((opts: PricesCliOptions) => prices(opts, io, deps));
  program
    .command('reconcile')
    .description(
      'the bill beside the computed cost: Cost Explorer against the AWS/Bedrock tokens of the same days, per model, with the drift and the effective prices',
    )
    .requiredOption('--days <n>', 'days in the window (whole UTC days, ending at --end)')
    .option('--end <iso>', "the window ends at this time's UTC midnight (default: today's)")
    .option('--config <file>', "JSON config (default: cdk.json's promptCacheMonitoring in this folder)")
    .addOption(new Option('--format <format>', 'output format').choices(REPORT_FORMATS).default('markdown'))
    .option('--out <file>', 'write to this file instead of stdout')
    .action((opts: ReconcileCliOptions) => reconcileBill(opts, io, deps));
  program
    .command('cost')
    .description("estimate the monitoring's own monthly AWS bill from the synthesized stack and the config")
    .option('--config <file>', "JSON config (default: cdk.json's promptCacheMonitoring in this folder)")
    .option(
      '--models <n>',
      "models you expect AWS/Bedrock to report, configured or not (default: the configured count); each beyond the config is counted with the alarms section's settings: 4 custom metrics, up to 3 alarm-ready ones, one metric in each Metrics Insights alarm, its token reads",
    )
    .addOption(new Option('--format <format>', 'output format').choices(['markdown', 'json']).default('markdown'))
    .action((opts: CostOptions) => cost(opts, io));
  program
    .command('doctor')
    .description(
      'check the account against what the monitoring expects: metric names, models, prices, profiles, the stack, the publisher, notifications',
    )
    .option('--region <region>', 'the region where you call Bedrock and deployed the stack (required, except with --targets)')
    .option('--config <file>', "JSON config (default: cdk.json's promptCacheMonitoring in this folder)")
    .option('--stack <name>', 'the deployed stack', DEFAULT_STACK_NAME)
    .option(
      '--test-notification',
      "set one alarm to ALARM (PublisherErrors: a ticket) so that the alarm notifier sends one real notification, and read the notifier's log for it",
    )
    .option(
      '--targets',
      "in the monitoring account: each region's OAM sink against monitoring.sinks, and each target's series seen through its link (config targets and monitoring)",
    )
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .action((opts: DoctorOptions) => doctor(opts, io, deps));
  return program;
}

/** Runs the CLI; returns the exit code instead of exiting, so tests can call it in-process. */
export async function main(argv: readonly string[], io: CliIo, deps: CliDeps = {}): Promise<number> {
  try {
    await buildProgram(io, deps).parseAsync(argv as string[], { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : EXIT_BAD_INPUT;
    if (err instanceof BadInput) {
      io.stderr(`error: ${err.message}\n`);
      return EXIT_BAD_INPUT;
    }
    if (err instanceof ChecksFailed) return 1;
    if (err instanceof RunFailed) {
      io.stderr(`error: ${err.message}\n`);
      return 1;
    }
    // AWS and network failures: one line; the stack only when asked for.
    const e = err as Error;
    io.stderr(`error: ${process.env.PROMPT_CACHE_DEBUG ? (e.stack ?? String(e)) : `${e.name}: ${e.message}`}\n`);
    return 1;
  }
}

if (require.main === module) {
  // The SDK warns on every start that its 2027 releases need Node 22; operators cannot act on it, so keep stderr for errors.
  const emitWarning = process.emitWarning.bind(process);
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    if (String(warning).startsWith('NodeVersionSupportWarning')) return;
    (emitWarning as (...args: unknown[]) => void)(warning, ...rest);
  }) as typeof process.emitWarning;
  void main(process.argv.slice(2), {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
  }).then((code) => {
    process.exitCode = code;
  });
}
