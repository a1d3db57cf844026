/**
 * `npm run bench`: the publisher's API calls against their lower bounds, wall time and memory, for 1/10/100 models x
 * 1/24/335 hourly periods (the full 14-day window) against moto; the Lambda bundle's zipped size and module init time.
 * Wall time includes moto's own processing (Python, one core shared with this process); node CPU is the publisher's.
 * A script, not a test: it prints a table (markdown) and exits non-zero only if calls exceed their lower bounds.
 */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { parseConfig } from '../../lambda/core/config';
import { HOUR_MS, MINUTE_MS } from '../../lambda/core/periods';
import { chunkByAge, type RunLog } from '../../lambda/core/publish-run';
import { periodDatums } from '../../lambda/core/datums';
import { bedrockMetricCandidates } from '../../lambda/core/contract';
import { getMetricDataLowerBound, MAX_DATUMS_PER_PUT } from '../../lambda/core/query-plan';
import { createClients } from '../../lambda/aws/clients';
import { ensureLedgerTable } from '../../lambda/aws/ledger';
import { publishOnce } from '../../lambda/handlers/publisher';
import { BUNDLE, handlerEntry } from '../../lib/prompt-cache-function';
import { seedBedrock } from '../support/bedrock-seed';
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
];

async function publisherCase(region: string, models: number, periods: number) {
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
      [END - HOUR_MS, END - periods * HOUR_MS].map((periodStartMs) => ({
        modelId,
        periodStartMs,
        tokens: { inputTokens: 10 + m, cacheReadInputTokens: 900, cacheWriteInputTokens: 100, outputTokens: 20 },
      })),
    ),
  );
  const clients = createClients({ region });
  await ensureLedgerTable(clients.dynamoDb, 'bench-ledger');
  for (const k of Object.keys(clients.calls)) delete clients.calls[k];
  const before = process.memoryUsage().rss;
  const cpu = process.cpuUsage();
  const started = performance.now();
  const summary = await publishOnce({ config, tableName: 'bench-ledger', nowMs: END + 10 * MINUTE_MS, clients, log: quiet });
  const ms = performance.now() - started;
  const cpuMs = (process.cpuUsage(cpu).user + process.cpuUsage(cpu).system) / 1000;
  const peakMb = Math.max(before, process.memoryUsage().rss) / 2 ** 20;
  // Periods 24 hours old or older go one per call (README "Exactly once"), the recent ones 1,000 datums a call.
  const traffic = (m: number) => ({ inputTokens: 10 + m, cacheReadInputTokens: 900, cacheWriteInputTokens: 100, outputTokens: 20 });
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
  // PutMetricData: the periods' puts and the run's lag report; ListMetrics: one per spelling of each token metric.
  const spellings = Object.values(bedrockMetricCandidates(config.bedrockMetricNames)).reduce((n, names) => n + names.length, 0);
  const bounds = {
    GetMetricData: getMetricDataLowerBound(models * 4, periods),
    PutMetricData: puts + 1,
    ListMetrics: spellings,
    DynamoDB: 1 + 1 + puts + 1 + 1,
  };
  const calls = {
    GetMetricData: summary.calls.GetMetricData ?? 0,
    PutMetricData: summary.calls.PutMetricData ?? 0,
    ListMetrics: summary.calls.ListMetrics ?? 0,
    DynamoDB: (summary.calls.GetItem ?? 0) + (summary.calls.PutItem ?? 0),
  };
  cw.destroy();
  return { models, periods, datums: summary.datumsPut, calls, bounds, ms, cpuMs, peakMb };
}

async function bundleFigures(handler: 'publisher' | 'digest') {
  const dir = mkdtempSync(join(tmpdir(), 'bench-bundle-'));
  const outfile = join(dir, 'index.js');
  const config = JSON.stringify(parseConfig({}, 'bench'));
  await build({
    entryPoints: [handlerEntry(handler)],
    mainFields: [...BUNDLE.mainFields],
    bundle: true,
    minify: true,
    sourcemap: false,
    platform: 'node',
    format: 'cjs',
    target: BUNDLE.target,
    outfile,
    define: { [BUNDLE.configExpression]: JSON.stringify(config) },
    logLevel: 'silent',
  });
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
    console.log('\n## Lambda bundles\n');
    for (const handler of ['publisher', 'digest'] as const) {
      const b = await bundleFigures(handler);
      console.log(
        `- ${handler}: minified ${(b.raw / 1024).toFixed(0)} KB; zipped ${(b.zipped / 1024).toFixed(0)} KB (target <= 200 KB); module init (median of 5, Node ${process.version}) ${b.initMs.toFixed(0)} ms`,
      );
    }
    console.log(`\n${await synthBench()}`);
  } finally {
    await moto.stop();
  }
  if (over > 0) {
    console.error(`bench: ${over} call counts above their lower bounds`);
    process.exitCode = 1;
  }
}

void main();
