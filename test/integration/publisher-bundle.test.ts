/**
 * The deployable artefact: the publisher bundled by esbuild with the construct's own settings (the config inlined by
 * `define`), loaded in a fresh Node process and invoked as Lambda would, against moto.
 */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../lambda/core/config';
import { HOUR_MS } from '../../lambda/core/periods';
import { createClients } from '../../lambda/aws/clients';
import { ensureLedgerTable } from '../../lambda/aws/ledger';
import { BUNDLE, handlerEntry } from '../../lib/prompt-cache-function';
import { seedBedrock } from '../support/bedrock-seed';

const REGION = 'me-south-1'; // this file's own moto region

test('the esbuild bundle runs the handler with its inlined config and publishes', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'publisher-bundle-'));
  const outfile = join(dir, 'index.js');
  const config = parseConfig(
    {
      namespace: 'BundleTest',
      models: [{ modelId: 'us.anthropic.claude-3-7-sonnet-20250219-v1:0' }],
      publisher: { initialLookbackHours: 2, settleDelayMinutes: 0 },
    },
    'test',
  );
  await build({
    entryPoints: [handlerEntry('publisher')],
    bundle: true,
    minify: true,
    platform: 'node',
    format: 'cjs',
    target: BUNDLE.target,
    mainFields: [...BUNDLE.mainFields],
    define: { [BUNDLE.configExpression]: JSON.stringify(JSON.stringify(config)) },
    outfile,
    logLevel: 'silent',
  });
  expect(statSync(outfile).size).toBeLessThan(600 * 1024);

  const end = Math.floor(Date.now() / HOUR_MS) * HOUR_MS;
  const cw = new CloudWatchClient({ region: REGION });
  await seedBedrock(cw, [
    {
      modelId: 'us.anthropic.claude-3-7-sonnet-20250219-v1:0',
      periodStartMs: end - HOUR_MS,
      tokens: { inputTokens: 28, cacheReadInputTokens: 38247, cacheWriteInputTokens: 75097, outputTokens: 1066 },
    },
  ]);
  cw.destroy();
  await ensureLedgerTable(createClients({ region: REGION }).dynamoDb, 'bundle-ledger');

  const invoke = join(dir, 'invoke.js');
  const result = join(dir, 'result.json');
  writeFileSync(
    invoke,
    `require(${JSON.stringify(outfile)}).handler({}, { awsRequestId: 'req-1' }).then((s) => require('fs').writeFileSync(${JSON.stringify(result)}, JSON.stringify(s)), (e) => { console.error(e); process.exit(1); });`,
  );
  // No PROMPT_CACHE_CONFIG in the environment: the bundle carries it.
  const env = { ...process.env, AWS_REGION: REGION, LEDGER_TABLE_NAME: 'bundle-ledger', PROMPT_CACHE_CONFIG: '' };
  const logged = execFileSync(process.execPath, [invoke], { env, encoding: 'utf8' });
  const summary = JSON.parse(readFileSync(result, 'utf8'));
  // Powertools Logger: one JSON summary line on stdout, as CloudWatch Logs receives it.
  const lines = logged
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  expect(lines.map((l) => [l.level, l.message, l.service])).toEqual([['INFO', 'publisher run summary', 'prompt-cache-publisher']]);
  expect([summary.runId, summary.status, summary.periodsPublished, summary.models, summary.tokens.cacheReadInputTokens]).toEqual([
    'req-1',
    'published',
    2,
    1,
    38247,
  ]);
});
