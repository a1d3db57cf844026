/**
 * `prompt-cache prices`: the table of how each model is priced (pure), and the command against moto, where the region's
 * AWS/Bedrock metrics add the models not in the config (this file's own region).
 */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../bin/prompt-cache';
import { parseConfig } from '../../lambda/core/config';
import { HOUR_MS } from '../../lambda/core/periods';
import { priceTable } from '../../lambda/core/price-table';
import { seedBedrock } from '../support/bedrock-seed';
import { stubPricing } from '../support/price-list-stub';

const REGION = 'us-gov-east-1'; // this file's own moto region (no other test file uses it)
const APAC = 'ap-northeast-3'; // priced only, no CloudWatch
const dir = mkdtempSync(join(tmpdir(), 'prices-'));
const raw = {
  models: [
    { modelId: 'global.anthropic.claude-sonnet-4-5-20250929-v1:0', displayName: 'code-review', cacheWriteTtl: '1h' },
    { modelId: 'my.fine-tune', displayName: 'tuned' },
  ],
  pricing: { 'my.fine-tune': { inputPerMTok: 2, outputPerMTok: 10, cacheWritePerMTok: 2.5, cacheReadPerMTok: 0.2 } },
};
const config = join(dir, 'config.json');
writeFileSync(config, JSON.stringify(raw));

async function run(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) }, { pricing: stubPricing().client });
  return { code, stdout, stderr };
}

test('the table: the rule, the source and date, exact prices and the break-even; a discovered model; an unpriced one', () => {
  const t = priceTable(parseConfig(raw, 'test'), ['apac.amazon.nova-micro-v1:0', 'us.meta.llama3-70b-instruct-v1:0'], APAC);
  expect([t.region, t.regionKnown]).toEqual([APAC, true]);
  expect(
    t.models.map((m) => [
      m.modelId,
      m.configured,
      m.rule,
      m.priceSource,
      m.checked,
      m.inputPerMTok,
      m.cacheWritePerMTok,
      m.cacheReadPerMTok,
    ]),
  ).toEqual([
    [
      'global.anthropic.claude-sonnet-4-5-20250929-v1:0',
      true,
      'catalog',
      'catalog:anthropic.claude-sonnet-4-5-20250929-v1:0 (1h write)',
      '2026-11-25',
      3,
      6,
      0.3,
    ],
    ['my.fine-tune', true, 'pricing', 'pricing:my.fine-tune', null, 2, 2.5, 0.2],
    [
      'apac.amazon.nova-micro-v1:0',
      false,
      'catalog',
      'catalog:amazon.nova-micro-v1:0 (apac: 105% of the US rate)',
      '2026-11-25',
      0.03675,
      0,
      0.009188,
    ],
    ['us.meta.llama3-70b-instruct-v1:0', false, 'unpriced', null, null, null, null, null],
  ]);
  // Break-even = (write − input) / (write − read): 3 / 5.7 for the 1-hour Sonnet, 0.5 / 2.3 for the fine-tune; 0 for Nova.
  expect(t.models.map((m) => (m.breakEvenHitRatioPercent === null ? null : Number(m.breakEvenHitRatioPercent.toFixed(9))))).toEqual([
    52.631578947,
    21.739130435,
    0,
    null,
  ]);
  expect(t.models[1].source).toBe("the config's pricing");
});

test('prices --region: the configured models and those AWS/Bedrock reports there, as JSON; markdown; bad region exits 2', async () => {
  const cw = new CloudWatchClient({ region: REGION });
  const hour = Math.floor(Date.now() / HOUR_MS) * HOUR_MS - HOUR_MS;
  await seedBedrock(cw, [
    { modelId: 'us-gov.anthropic.claude-3-7-sonnet-20250219-v1:0', periodStartMs: hour, tokens: { inputTokens: 10, outputTokens: 2 } },
  ]);
  cw.destroy();
  const json = await run('prices', '--region', REGION, '--config', config, '--format', 'json');
  expect([json.code, json.stderr]).toEqual([0, '']);
  expect(JSON.parse(json.stdout).models.map((m: { modelId: string; rule: string }) => [m.modelId, m.rule])).toEqual([
    ['global.anthropic.claude-sonnet-4-5-20250929-v1:0', 'catalog'],
    ['my.fine-tune', 'pricing'],
    ['us-gov.anthropic.claude-3-7-sonnet-20250219-v1:0', 'catalog'],
  ]);
  const md = await run('prices', '--config', config);
  expect(md.stdout.split('\n').slice(0, 6)).toEqual([
    '# How each model is priced: the US rate (no --region)',
    '',
    '| model | TTL | rule | $/MTok input | output | cache write | cache read | break-even | checked |',
    '| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | --- |',
    '| code-review (global.anthropic.claude-sonnet-4-5-20250929-v1:0) | 1h | catalog:anthropic.claude-sonnet-4-5-20250929-v1:0 (1h write) | $3 | $15 | $6 | $0.3 | 52.6% | 2026-11-25 |',
    '| tuned (my.fine-tune) | 5m | pricing:my.fine-tune | $2 | $10 | $2.5 | $0.2 | 21.7% | – |',
  ]);
  const bad = await run('prices', '--region', 'Mars');
  expect([bad.code, bad.stderr]).toEqual([2, 'error: --region: not an AWS region (got "Mars"); e.g. us-east-1\n']);
});

test('prices --refresh --out: the Price List prices that differ, as a price file the config names; then priced with it', async () => {
  const out = join(dir, 'prices.json');
  const r = await run('prices', '--refresh', '--out', out);
  expect([r.code, r.stdout, r.stderr.split('\n').filter((l) => l !== '')]).toEqual([
    0,
    '',
    [
      'reading the AWS Price List (AmazonBedrock, AmazonBedrockFoundationModels)...',
      '  11 products in 3 GetProducts requests: 8 token prices, 3 of them differ from the catalog; 3 skipped (not a token price the catalog knows)',
      `wrote ${out}: name it in the config as "pricesFile" (relative to the config file)`,
    ],
  ]);
  const file = JSON.parse(readFileSync(out, 'utf8'));
  expect([file.generated, file.prices.length]).toEqual([new Date().toISOString().slice(0, 10), 3]);
  const withFile = join(dir, 'with-file.json');
  writeFileSync(
    withFile,
    JSON.stringify({ models: [{ modelId: 'us-gov.anthropic.claude-3-7-sonnet-20250219-v1:0' }], pricesFile: 'prices.json' }),
  );
  const t = JSON.parse((await run('prices', '--config', withFile, '--format', 'json')).stdout);
  const gov = await run('prices', '--config', withFile, '--format', 'json', '--region', 'us-gov-west-1');
  expect([
    t.models[0].cacheReadPerMTok,
    JSON.parse(gov.stdout).models[0].cacheReadPerMTok,
    JSON.parse(gov.stdout).models[0].priceSource,
  ]).toEqual([0.3, 0.33, 'catalog:anthropic.claude-3-7-sonnet-20250219-v1:0 (us-gov-west-1 rows) (us-gov: 120% of the US rate)']);
});

test.each([
  [['prices', '--refresh'], 'error: --refresh needs --out FILE: the price file to write'],
  [['prices', '--out', 'x.json'], 'error: --out goes with --refresh (the table goes to stdout)'],
  [['prices', '--config', 'missing-prices.json'], 'error: invalid config in missing-prices.json: file not found; check the path'],
])('bad arguments exit 2: %j', async (argv, message) => {
  const r = await run(...argv);
  expect([r.code, r.stdout, r.stderr.trim()]).toEqual([2, '', message]);
});

test('a pricesFile that is missing is a config error naming it', async () => {
  const cfg = join(dir, 'no-file.json');
  writeFileSync(cfg, JSON.stringify({ pricesFile: 'nowhere.json' }));
  const r = await run('prices', '--config', cfg);
  expect([r.code, r.stderr.trim()]).toEqual([
    2,
    `error: invalid config in ${cfg}: pricesFile: ${join(dir, 'nowhere.json')} not found; write it with \`prompt-cache prices --refresh --out FILE\``,
  ]);
});
