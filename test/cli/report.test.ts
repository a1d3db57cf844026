import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { main } from '../../bin/prompt-cache';

const root = resolve(__dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'prompt-cache-cli-'));
const sonnet = 'us.anthropic.claude-3-7-sonnet-20250219-v1:0';

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

async function run(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

// The AWS blog's worked example (README "The arithmetic") as InvokeModel-form JSON Lines (three calls) and as Converse-form and aggregate files.
const invokeLines = [
  { input_tokens: 9, cache_creation_input_tokens: 37209, cache_read_input_tokens: 0, output_tokens: 357 },
  { input_tokens: 10, cache_creation_input_tokens: 0, cache_read_input_tokens: 37209, output_tokens: 324 },
  { input_tokens: 9, cache_creation_input_tokens: 37888, cache_read_input_tokens: 1038, output_tokens: 385, service_tier: 'standard' },
].map((usage) => JSON.stringify({ modelId: sonnet, usage }));
const converseLines = [
  { inputTokens: 9, cacheWriteInputTokens: 37209, outputTokens: 357, totalTokens: 37575 },
  { inputTokens: 10, cacheReadInputTokens: 37209, outputTokens: 324, totalTokens: 37543 },
  {
    inputTokens: 9,
    cacheWriteInputTokens: 37888,
    cacheReadInputTokens: 1038,
    outputTokens: 385,
    cacheDetails: [{ ttl: '5m', inputTokens: 37888 }],
  },
].map((usage) => JSON.stringify({ modelId: sonnet, usage }));
const aggregate = {
  models: [{ modelId: sonnet, inputTokens: 28, cacheReadInputTokens: 38247, cacheWriteInputTokens: 75097, outputTokens: 1066 }],
};

const WORKED = {
  modelId: sonnet,
  inputTokens: 28,
  cacheReadInputTokens: 38247,
  cacheWriteInputTokens: 75097,
  outputTokens: 1066,
  cacheHitRatioPercent: (100 * 38247) / 113344,
  cachedInputSharePercent: (100 * 38247) / 113372,
  costWithCacheUSD: 0.30916185,
  costWithoutCacheUSD: 0.356106,
  readDiscountUSD: 0.1032669,
  writePremiumUSD: 0.05632275,
  netSavingsUSD: 0.04694415,
  priceSource: 'catalog:anthropic.claude-3-7-sonnet-20250219-v1:0',
  status: 'underutilized',
};

describe('prompt-cache report --usage: the worked example', () => {
  test.each([
    ['InvokeModel JSON Lines', 'invoke.jsonl', `${invokeLines.join('\n')}\n`],
    ['Converse JSON Lines with CRLF and blank lines', 'converse.jsonl', `${converseLines.join('\r\n')}\r\n\r\n`],
    ['aggregate JSON', 'aggregate.json', JSON.stringify(aggregate, null, 2)],
  ])('%s → exact JSON figures', async (_name, name, text) => {
    const r = await run('report', '--usage', file(name, text), '--format', 'json');
    expect(r).toMatchObject({ code: 0, stderr: '' });
    const { modelId: _id, priceSource: _p, status: _s, ...totals } = WORKED;
    expect(JSON.parse(r.stdout)).toEqual({ models: [WORKED], totals: { ...totals, unpricedTokens: 0 } });
  });

  test('markdown shows the figures a person reads: two significant figures below a dollar, short names, the ids in a footnote', async () => {
    const r = await run('report', '--usage', file('w.jsonl', invokeLines.join('\n')));
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[2]).toBe('Prompt caching saved **$0.047** net (13.2% of the cost without cache).');
    expect(lines).toContain('| us.claude-3-7-sonnet | underutilized | 33.7% | 33.7% | $0.36 | $0.31 | $0.10 | $0.056 | $0.047 |');
    expect(lines).toContain(`| us.claude-3-7-sonnet | 28 | 38 k | 75 k | 1.1 k | catalog:anthropic.claude-3-7-sonnet-20250219-v1:0 |`);
    expect(lines.slice(-6)).toEqual([
      '- **underutilized**: hit ratio below the target, though caching still saves money',
      '',
      'Model ids:',
      '',
      `- us.claude-3-7-sonnet: ${sonnet}`,
      '',
    ]);
  });

  test('markdown of a model that loses money: "lost", its status, no minus sign in the sentence', async () => {
    const losing = {
      models: [{ modelId: sonnet, inputTokens: 0, cacheReadInputTokens: 100_000, cacheWriteInputTokens: 900_000, outputTokens: 0 }],
    };
    const r = await run('report', '--usage', file('losing.json', JSON.stringify(losing)));
    // 100 k reads x $2.70/MTok - 900 k writes x $0.75/MTok = -$0.405; the cost without cache is 1 M x $3/MTok = $3.
    expect(r.stdout.split('\n')[2]).toBe('Prompt caching lost **$0.41** net (13.5% on top of the cost without cache).');
    expect(r.stdout).toContain('| us.claude-3-7-sonnet | losing-money | 10.0% | 10.0% | $3.00 | $3.41 | $0.27 | $0.68 | -$0.41 |');
  });

  test('CSV carries the same numbers, one row per model plus TOTAL', async () => {
    const r = await run('report', '--usage', file('w2.jsonl', invokeLines.join('\n')), '--format', 'csv');
    const [header, row, total] = r.stdout.trimEnd().split('\r\n');
    expect(header.split(',')).toEqual([
      'modelId',
      'displayName',
      'status',
      'priceSource',
      'inputTokens',
      'cacheReadInputTokens',
      'cacheWriteInputTokens',
      'outputTokens',
      'cacheHitRatioPercent',
      'cachedInputSharePercent',
      'costWithCacheUSD',
      'costWithoutCacheUSD',
      'readDiscountUSD',
      'writePremiumUSD',
      'netSavingsUSD',
      'unpricedTokens',
    ]);
    expect(row).toBe(
      `${sonnet},,underutilized,catalog:anthropic.claude-3-7-sonnet-20250219-v1:0,28,38247,75097,1066,${(100 * 38247) / 113344},${(100 * 38247) / 113372},0.30916185,0.356106,0.1032669,0.05632275,0.04694415,`,
    );
    expect(total).toBe(
      `TOTAL,,,,28,38247,75097,1066,${(100 * 38247) / 113344},${(100 * 38247) / 113372},0.30916185,0.356106,0.1032669,0.05632275,0.04694415,0`,
    );
  });

  test('--config applies display names and pricing overrides; --out writes the file and nothing to stdout', async () => {
    const config = file(
      'cfg.json',
      JSON.stringify({
        models: [{ modelId: sonnet, displayName: 'support, "bot"' }],
        pricing: { [sonnet]: { inputPerMTok: 2, outputPerMTok: 10, cacheWritePerMTok: 2.5, cacheReadPerMTok: 0.2 } },
      }),
    );
    const out = join(dir, 'out.csv');
    const r = await run(
      'report',
      '--usage',
      file('w3.json', JSON.stringify(aggregate)),
      '--config',
      config,
      '--format',
      'csv',
      '--out',
      out,
    );
    expect(r).toEqual({ code: 0, stdout: '', stderr: '' });
    const row = readFileSync(out, 'utf8').split('\r\n')[1];
    // Two thirds of the Sonnet prices: net savings 38,247 x 1.8e-6 - 75,097 x 0.5e-6.
    expect(row).toBe(
      `${sonnet},"support, ""bot""",underutilized,pricing:${sonnet},28,38247,75097,1066,${(100 * 38247) / 113344},${(100 * 38247) / 113372},0.2061079,0.237404,0.0688446,0.0375485,0.0312961,`,
    );
  });
});

describe('prompt-cache report --usage --price-region: prices as in that region', () => {
  const usage = () => file('region.json', JSON.stringify(aggregate));
  test('GovCloud: the worked example at 120% of the US rate, exactly, and the source says so', async () => {
    const r = await run('report', '--usage', usage(), '--price-region', 'us-gov-west-1', '--format', 'json');
    expect([r.code, r.stderr]).toEqual([0, '']);
    const row = JSON.parse(r.stdout).models[0];
    expect([
      row.costWithCacheUSD,
      row.costWithoutCacheUSD,
      row.readDiscountUSD,
      row.writePremiumUSD,
      row.netSavingsUSD,
      row.priceSource,
    ]).toEqual([
      0.37099422,
      0.4273272,
      0.12392028,
      0.0675873,
      0.05633298,
      'catalog:anthropic.claude-3-7-sonnet-20250219-v1:0 (us-gov: 120% of the US rate)',
    ]);
  });

  test('the default is us-east-1; a region the catalog does not know is priced at the US rate, with a warning', async () => {
    const plain = await run('report', '--usage', usage(), '--format', 'json');
    const east = await run('report', '--usage', usage(), '--price-region', 'us-east-1', '--format', 'json');
    const unknown = await run('report', '--usage', usage(), '--price-region', 'xx-east-9', '--format', 'json');
    expect(plain.stdout).toBe(east.stdout);
    expect(JSON.parse(plain.stdout).models[0].netSavingsUSD).toBe(0.04694415);
    expect([
      unknown.code,
      unknown.stderr,
      JSON.parse(unknown.stdout).models[0].priceSource,
      JSON.parse(unknown.stdout).models[0].netSavingsUSD,
    ]).toEqual([
      0,
      'warning: the price catalog has no prices for xx-east-9: dollars are at the US rate (pricing overrides in the config set exact ones)\n',
      'catalog:anthropic.claude-3-7-sonnet-20250219-v1:0 (US rate: no price for xx-east-9)',
      0.04694415,
    ]);
  });

  test.each([
    [['--price-region', 'Mars'], '--price-region: not an AWS region (got "Mars"); e.g. eu-west-1'],
    [
      ['--region', 'us-east-1', '--price-region', 'eu-west-1'],
      '--price-region goes with --usage: with --region the prices are those of that region',
    ],
  ])('bad: %j', async (args, message) => {
    const withUsage = args[0] === '--region' ? args : ['--usage', usage(), ...args];
    const r = await run('report', ...withUsage);
    expect([r.code, r.stdout, r.stderr]).toEqual([2, '', `error: ${message}\n`]);
  });
});

describe('prompt-cache report: bad input exits 2 with one line naming the file, line or field, and nothing is written', () => {
  const line = (usage: object, modelId: unknown = sonnet) => JSON.stringify({ modelId, usage });
  const ok = line({ input_tokens: 1, output_tokens: 1 });
  const FIX = 'expected aggregate JSON {"models":[...]} or JSON Lines of {"modelId","usage"}';
  test.each<[string, string, string, string]>([
    [
      'invalid JSON on line 2',
      'bad2.jsonl',
      `${ok}\n{"modelId": "x", "usage": \n`,
      'line 2: not valid JSON (Unexpected end of JSON input); each line must be one {"modelId": ..., "usage": {...}} object',
    ],
    [
      'negative tokens',
      'neg.jsonl',
      `${ok}\n${ok}\n${line({ input_tokens: 1, output_tokens: 1, cache_read_input_tokens: -5 })}\n`,
      'line 3: usage.cache_read_input_tokens: must be a non-negative whole number of tokens (got -5)',
    ],
    [
      'non-integer tokens',
      'frac.jsonl',
      line({ inputTokens: 1.5, outputTokens: 1 }),
      'line 1: usage.inputTokens: must be a non-negative whole number of tokens (got 1.5)',
    ],
    [
      'tokens as strings',
      'str.jsonl',
      line({ inputTokens: '10', outputTokens: 1 }),
      'line 1: usage.inputTokens: must be a number of tokens (got "10")',
    ],
    [
      'missing modelId',
      'nomodel.jsonl',
      JSON.stringify({ usage: { input_tokens: 1, output_tokens: 1 } }),
      'line 1: modelId: must be a model id string (missing)',
    ],
    [
      'empty modelId',
      'emptymodel.jsonl',
      line({ input_tokens: 1, output_tokens: 1 }, ''),
      'line 1: modelId: must be a non-empty model id (got "")',
    ],
    [
      'usage of neither form',
      'neither.jsonl',
      line({ prompt_tokens: 5, completion_tokens: 2 }),
      'line 1: usage: is neither an InvokeModel usage block (input_tokens, output_tokens, cache_…) nor a Converse one (inputTokens, outputTokens, cache…)',
    ],
    [
      'missing output tokens',
      'noout.jsonl',
      line({ input_tokens: 5 }),
      'line 1: usage.output_tokens: must be a number of tokens (missing)',
    ],
    [
      'usage not an object',
      'usagestr.jsonl',
      JSON.stringify({ modelId: sonnet, usage: 'lots' }),
      'line 1: usage: must be a usage object (got "lots")',
    ],
    ['unknown format (a JSON array)', 'array.json', '[1, 2, 3]', `unknown format; ${FIX}`],
    ['empty file', 'empty.jsonl', '\n\n', `the file is empty; ${FIX}`],
    [
      'aggregate with a negative count',
      'agg-neg.json',
      JSON.stringify({ models: [{ ...aggregate.models[0], outputTokens: -1 }] }),
      'models[0].outputTokens: must be a non-negative whole number of tokens (got -1)',
    ],
    [
      'aggregate with a typo field',
      'agg-typo.json',
      JSON.stringify({ models: [{ ...aggregate.models[0], cacheReadTokens: 5 }] }),
      'models[0].cacheReadTokens: unknown field; expected modelId, inputTokens, cacheReadInputTokens, cacheWriteInputTokens, outputTokens',
    ],
    [
      'aggregate missing a field',
      'agg-missing.json',
      JSON.stringify({ models: [{ modelId: sonnet, inputTokens: 1, cacheReadInputTokens: 1, outputTokens: 1 }] }),
      'models[0].cacheWriteInputTokens: must be a number of tokens (missing)',
    ],
    [
      'aggregate with a duplicate model',
      'agg-dup.json',
      JSON.stringify({ models: [aggregate.models[0], aggregate.models[0]] }),
      `models[1].modelId: duplicates models[0].modelId; list each model once (got "${sonnet}")`,
    ],
  ])('%s', async (_name, name, text, message) => {
    const path = file(name, text);
    const out = join(dir, `${name}.out`);
    const r = await run('report', '--usage', path, '--format', 'json', '--out', out);
    expect(r).toEqual({ code: 2, stdout: '', stderr: `error: ${path}: ${message}\n` });
    expect(existsSync(out)).toBe(false);
  });

  test.each<[string, string[], string]>([
    [
      'missing file',
      ['report', '--usage', join(dir, 'nope.jsonl')],
      `error: ${join(dir, 'nope.jsonl')}: file not found; check the --usage path\n`,
    ],
    [
      'unknown --format',
      ['report', '--usage', 'x', '--format', 'xml'],
      "error: option '--format <format>' argument 'xml' is invalid. Allowed choices are markdown, csv, json.\n",
    ],
    ['unknown option', ['report', '--usage', 'x', '--formt', 'csv'], "error: unknown option '--formt'\n(Did you mean --format?)\n"],
    [
      'no source',
      ['report'],
      'error: report needs exactly one source: --usage FILE, or --region REGION to read AWS/Bedrock metrics from CloudWatch\n',
    ],
    ['unknown command', ['reprot'], "error: unknown command 'reprot'\n(Did you mean report?)\n"],
  ])('%s', async (_name, argv, stderr) => {
    const r = await run(...argv);
    expect(r).toEqual({ code: 2, stdout: '', stderr });
  });

  test('a bad --config names the file and every problem on one line', async () => {
    const config = file(
      'bad-cfg.json',
      JSON.stringify({ models: [{ modelId: sonnet, cacheWriteTtl: '2h' }], report: { minHitRatioPercent: -1 } }),
    );
    const r = await run('report', '--usage', file('ok.jsonl', ok), '--config', config);
    expect(r).toEqual({
      code: 2,
      stdout: '',
      stderr: `error: invalid config in ${config}: models[0].cacheWriteTtl: must be one of "5m", "1h" (got "2h"); report.minHitRatioPercent: must be a percentage from 0 to 100 (got -1)\n`,
    });
  });

  test('a failed run leaves no temporary files behind', () => {
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});

describe('the real entry point, as users and outside tests run it', () => {
  test('npm run -s prompt-cache -- report --usage <seed> --format json', () => {
    const stdout = execFileSync(
      'npm',
      ['run', '-s', 'prompt-cache', '--', 'report', '--usage', file('seed.jsonl', invokeLines.join('\n')), '--format', 'json'],
      { cwd: root, encoding: 'utf8' },
    );
    expect(JSON.parse(stdout).models).toEqual([WORKED]);
  });

  test('bad input: exit code 2 and the one-line message on stderr', () => {
    const r = spawnSync(
      'npx',
      [
        'tsx',
        'bin/prompt-cache.ts',
        'report',
        '--usage',
        file('neg2.jsonl', JSON.stringify({ modelId: sonnet, usage: { inputTokens: -1, outputTokens: 0 } })),
      ],
      { cwd: root, encoding: 'utf8' },
    );
    expect([r.status, r.stdout]).toEqual([2, '']);
    expect(r.stderr).toBe(
      `error: ${join(dir, 'neg2.jsonl')}: line 1: usage.inputTokens: must be a non-negative whole number of tokens (got -1)\n`,
    );
  });
});
