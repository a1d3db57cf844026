/**
 * `npm run bench`: the publisher's API calls against their lower bounds, wall time and memory, for 1/10/100 models x
 * 1/24/335 hourly periods (the full 14-day window) and at fleet scale (1,000 discovered models x 24 periods, every model
 * above its alarm-ready guards) against moto; `prompt-cache cost` for 3/100/1,000 models and what each added model
 * costs; the Lambda bundle's zipped size and module init time.
 * Wall time includes moto's own processing (Python, one core shared with this process); node CPU is the publisher's;
 * peak RSS is sampled every 20 ms during the run.
 * A script, not a test: it prints tables (markdown) and exits non-zero only if calls exceed their lower bounds or the
 * synth misses a fleet target (test/bench/synth-bench.ts).
 */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { parseConfig } from '../../lambda/core/config';
import type { TokenCounts } from '../../lambda/core/contract';
import { HOUR_MS, MINUTE_MS } from '../../lambda/core/periods';
import { chunkByAge, isOldPeriod, type RunLog } from '../../lambda/core/publish-run';
import { ALARM_READY_SERIES, periodDatums } from '../../lambda/core/datums';
import { bedrockMetricCandidates, DEFAULT_BEDROCK_METRIC_NAMES } from '../../lambda/core/contract';
import { getMetricDataLowerBound, MAX_DATUMS_PER_PUT } from '../../lambda/core/query-plan';
import { createClients } from '../../lambda/aws/clients';
import { ensureLedgerTable } from '../../lambda/aws/ledger';
import { publishOnce } from '../../lambda/handlers/publisher';
import { main as cli } from '../../bin/prompt-cache';
import { seedBedrock } from '../support/bedrock-seed';
import { bundleWithConfig } from '../support/bundle-run';
import { accountsBench } from './accounts-bench';
import { synthBench } from './synth-bench';
import { startMoto } from '../support/moto';

const quiet: RunLog = { info: () => undefined, warn: () => undefined };
const REGIONS = [
  'us-east-2',
  'us-west-1',
  'us-west-2',
  'eu-west-1',
  'eu-west-2',
  'eu-west-3',
  'eu-central-1',
  'eu-north-1',
  'ap-northeast-1',
  'ap-northeast-2',
];

/** The token counts of model `m` in a period with traffic: below every alarm-ready guard (1,000 cache tokens). */
const lightTraffic = (m: number): TokenCounts => ({
  inputTokens: 10 + m,
  cacheReadInputTokens: 900,
  cacheWriteInputTokens: 100,
  outputTokens: 20,
});
/** Above every default alarm-ready guard (100,000 cache tokens, 20,000 writes): each model gets all three series. */
const heavyTraffic = (m: number): TokenCounts => ({
  inputTokens: 10 + m,
  cacheReadInputTokens: 80_000,
  cacheWriteInputTokens: 20_000,
  outputTokens: 20,
});

/** Samples this process's RSS every 20 ms until stopped; returns the peak in MB. */
function rssSampler(): () => number {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  return () => {
    clearInterval(timer);
    return Math.max(peak, process.memoryUsage().rss) / 2 ** 20;
  };
}

async function publisherCase(region: string, models: number, periods: number, traffic = lightTraffic) {
  const END = Math.floor(Date.now() / HOUR_MS) * HOUR_MS - HOUR_MS;
  const ids = Array.from(
    { length: models },
    (_, i) => `arn:aws:bedrock:us-east-1:111122223333:application-inference-profile/bench${String(i).padStart(3, '0')}`,
  );
  const config = parseConfig(
    {
      pricing: Object.fromEntries(
        ids.map((id) => [id, { inputPerMTok: 3, outputPerMTok: 15, cacheWritePerMTok: 3.75, cacheReadPerMTok: 0.3 }]),
      ),
      publisher: { initialLookbackHours: periods },
    },
    'bench',
  );
  // Traffic in the newest and oldest period of every model: the publisher's work (queries, datums) does not depend on density.
  const cw = new CloudWatchClient({ region });
  await seedBedrock(
    cw,
    ids.flatMap((modelId, m) =>
      [END - HOUR_MS, END - periods * HOUR_MS].map((periodStartMs) => ({ modelId, periodStartMs, tokens: traffic(m) })),
    ),
  );
  const clients = createClients({ region });
  await ensureLedgerTable(clients.dynamoDb, 'bench-ledger');
  for (const k of Object.keys(clients.calls)) delete clients.calls[k];
  const peak = rssSampler();
  const cpu = process.cpuUsage();
  const started = performance.now();
  const summary = await publishOnce({ config, tableName: 'bench-ledger', nowMs: END + 10 * MINUTE_MS, clients, log: quiet });
  const ms = performance.now() - started;
  const cpuMs = (process.cpuUsage(cpu).user + process.cpuUsage(cpu).system) / 1000;
  const peakMb = peak();
  // Periods 24 hours old or older go one per call (README "Exactly once"), the recent ones 1,000 datums a call.
  const stream = Array.from({ length: periods }, (_, k) => END - (periods - k) * HOUR_MS).flatMap(
    (p) =>
      periodDatums(
        p,
        new Map(p === END - HOUR_MS || p === END - periods * HOUR_MS ? ids.map((id, m) => [id, traffic(m)]) : []),
        [...ids].sort(),
        config,
      ).datums,
  );
  const puts = chunkByAge(stream, END + 10 * MINUTE_MS, MAX_DATUMS_PER_PUT).length;
  // PutMetricData: the periods' puts and the run's lag report; ListMetrics: every page (500 metrics) of each spelling of
  // each token metric, the seeded (default) spelling holding one metric per model, the other one none.
  const seeded = new Set<string>(Object.values(DEFAULT_BEDROCK_METRIC_NAMES));
  const lists = Object.values(bedrockMetricCandidates(config.bedrockMetricNames))
    .flat()
    .reduce((n, name) => n + (seeded.has(name) ? Math.ceil(models / 500) : 1), 0);
  const bounds = {
    GetMetricData: getMetricDataLowerBound(models * 4, periods),
    PutMetricData: puts + 1,
    ListMetrics: lists,
    DynamoDB: 1 + 1 + puts + 1 + 1,
  };
  const calls = {
    GetMetricData: summary.calls.GetMetricData ?? 0,
    PutMetricData: summary.calls.PutMetricData ?? 0,
    ListMetrics: summary.calls.ListMetrics ?? 0,
    DynamoDB: (summary.calls.GetItem ?? 0) + (summary.calls.PutItem ?? 0),
  };
  cw.destroy();
  const alarmReady = stream.filter((d) => d.modelId !== undefined && ALARM_READY_NAMES.has(d.metricName)).length;
  const old = stream.filter((d) => isOldPeriod(d.timestampMs, END + 10 * MINUTE_MS));
  const split = {
    oldPeriods: new Set(old.map((d) => d.timestampMs)).size,
    oldDatums: old.length,
    recentDatums: stream.length - old.length,
  };
  return {
    split,
    models,
    periods,
    datums: summary.datumsPut,
    expectedDatums: stream.length,
    alarmReady,
    calls,
    bounds,
    ms,
    cpuMs,
    peakMb,
  };
}

const ALARM_READY_NAMES = new Set<string>(Object.values(ALARM_READY_SERIES).map((m) => m.name));

/**
 * `prompt-cache cost --models n` on cdk.json's example config (3 configured models, the others as Bedrock would report
 * them), in process: the monthly total, what one more model adds, and the time it takes (one in-memory synth).
 */
async function costCase(models: number) {
  let stdout = '';
  const started = performance.now();
  const code = await cli(['cost', '--models', String(models), '--format', 'json'], {
    stdout: (t) => (stdout += t),
    stderr: () => undefined,
  });
  const ms = performance.now() - started;
  if (code !== 0) throw new Error(`prompt-cache cost --models ${models} exited ${code}`);
  const e = JSON.parse(stdout) as {
    monthlyUSD: number;
    items: { what: string; quantity: number }[];
    perAddedModel: { monthlyUSD: number; formula: string };
  };
  const puts = e.items.find((i) => i.what.startsWith('publisher PutMetricData'))?.quantity ?? 0;
  return { models, monthlyUSD: e.monthlyUSD, perModelUSD: e.perAddedModel.monthlyUSD, formula: e.perAddedModel.formula, puts, ms };
}

async function bundleFigures(handler: 'publisher' | 'digest' | 'bill') {
  const dir = mkdtempSync(join(tmpdir(), 'bench-bundle-'));
  const outfile = join(dir, 'index.js');
  await bundleWithConfig(handler, parseConfig({}, 'bench'), outfile);
  const raw = statSync(outfile).size;
  // A Lambda zip deflates like gzip; the archive adds a few hundred bytes of headers.
  const zipped = gzipSync(readFileSync(outfile), { level: 9 }).length + 200;
  const probe = join(dir, 'probe.js');
  writeFileSync(
    probe,
    `const t=process.hrtime.bigint();require(${JSON.stringify(outfile)});console.log(Number(process.hrtime.bigint()-t)/1e6)`,
  );
  const inits = Array.from({ length: 5 }, () =>
    Number(
      execFileSync(process.execPath, [probe], { env: { ...process.env, AWS_REGION: 'us-east-1' } })
        .toString()
        .trim(),
    ),
  );
  return { raw, zipped, initMs: inits.sort((a, b) => a - b)[2] };
}

async function main(): Promise<void> {
  const moto = await startMoto();
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: moto.endpoint,
    AWS_ACCESS_KEY_ID: 'bench',
    AWS_SECRET_ACCESS_KEY: 'bench',
    AWS_REGION: 'us-east-1',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  });
  let over = 0;
  try {
    console.log('## Publisher against moto (hourly periods)\n');
    console.log(
      '| models | periods | datums | GetMetricData (bound) | PutMetricData (bound) | ListMetrics (bound) | DynamoDB (bound) | wall ms | node CPU ms | peak RSS MB |',
    );
    console.log('| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
    let r = 0;
    for (const models of [1, 10, 100]) {
      // 335: the most hourly periods CloudWatch still accepts once the settle delay and the safety margin are taken off 14 days.
      for (const periods of [1, 24, 335]) {
        const c = await publisherCase(REGIONS[r++], models, periods);
        const cell = (k: keyof typeof c.calls) => `${c.calls[k]} (${c.bounds[k]})`;
        for (const k of Object.keys(c.calls) as (keyof typeof c.calls)[]) if (c.calls[k] > c.bounds[k]) over++;
        console.log(
          `| ${models} | ${periods} | ${c.datums} | ${cell('GetMetricData')} | ${cell('PutMetricData')} | ${cell('ListMetrics')} | ${cell('DynamoDB')} | ${c.ms.toFixed(0)} | ${c.cpuMs.toFixed(0)} | ${c.peakMb.toFixed(0)} |`,
        );
      }
    }
    // Fleet scale: the Metrics Insights alarms watch every model the publisher sees, so a fleet of discovered models,
    // each above its guards (all three alarm-ready series), a day of periods.
    console.log('\n## Publisher at fleet scale against moto: 1,000 discovered models x 24 hourly periods\n');
    const fleet = await publisherCase(REGIONS[r++], 1000, 24, heavyTraffic);
    for (const k of Object.keys(fleet.calls) as (keyof typeof fleet.calls)[]) if (fleet.calls[k] > fleet.bounds[k]) over++;
    if (fleet.datums !== fleet.expectedDatums) over++;
    console.log('| API | calls | lower bound |');
    console.log('| --- | ---: | ---: |');
    console.log(`| GetMetricData | ${fleet.calls.GetMetricData} | ${fleet.bounds.GetMetricData} (ceil(4,000 queries / 500)) |`);
    const { oldPeriods, oldDatums, recentDatums } = fleet.split;
    console.log(
      `| PutMetricData | ${fleet.calls.PutMetricData} | ${fleet.bounds.PutMetricData} (${oldPeriods} period 24 h or older on its own: ceil(${oldDatums} / 1,000); the recent ones: ceil(${recentDatums} / 1,000); + the lag report) |`,
    );
    console.log(
      `| ListMetrics | ${fleet.calls.ListMetrics} | ${fleet.bounds.ListMetrics} (ceil(1,000 / 500) for each of 4 seeded names, 1 for each of 2 other spellings) |`,
    );
    console.log(`| DynamoDB | ${fleet.calls.DynamoDB} | ${fleet.bounds.DynamoDB} |`);
    console.log(
      `\n- ${fleet.datums} datums put (the core's stream: ${fleet.expectedDatums}), ${fleet.alarmReady} of them alarm-ready (2 periods with traffic x 1,000 models x 3); wall ${(fleet.ms / 1000).toFixed(1)} s, node CPU ${(fleet.cpuMs / 1000).toFixed(1)} s, peak RSS ${fleet.peakMb.toFixed(0)} MB`,
    );

    console.log("\n## `prompt-cache cost` by models the publisher sees (cdk.json's 3 configured, the rest via --models)\n");
    console.log('| models | USD a month | each added model, USD a month | PutMetricData + ListMetrics, 1,000 requests | ms |');
    console.log('| ---: | ---: | ---: | ---: | ---: |');
    await costCase(3); // warm-up: loading aws-cdk-lib is not the command's time
    const costs = [];
    for (const models of [3, 100, 1000]) costs.push(await costCase(models));
    for (const c of costs)
      console.log(`| ${c.models} | ${c.monthlyUSD.toFixed(2)} | ${c.perModelUSD.toFixed(6)} | ${c.puts.toFixed(2)} | ${c.ms.toFixed(0)} |`);
    console.log(`\n- each added model: ${costs[0].formula}`);

    console.log('\n## Lambda bundles\n');
    for (const handler of ['publisher', 'digest', 'bill'] as const) {
      const b = await bundleFigures(handler);
      console.log(
        `- ${handler}: minified ${(b.raw / 1024).toFixed(0)} KB; zipped ${(b.zipped / 1024).toFixed(0)} KB (target <= 200 KB); module init (median of 5, Node ${process.version}) ${b.initMs.toFixed(0)} ms`,
      );
    }
    const accounts = accountsBench();
    console.log(`\n${accounts.text}`);
    over += accounts.missed.length;
    const synth = await synthBench();
    console.log(`\n${synth.text}`);
    over += synth.missed.length;
  } finally {
    await moto.stop();
  }
  if (over > 0) {
    console.error(`bench: ${over} figures off target (call counts above their lower bounds, synth targets missed)`);
    process.exitCode = 1;
  }
}

void main();
