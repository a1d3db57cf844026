/**
 * `prompt-cache report --region`: the weekly review read from AWS/Bedrock metrics in moto (its own region), for four
 * models over two weeks: one improving, one regressing, one misconfigured, one unpriced.
 */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../bin/prompt-cache';
import type { TokenCounts } from '../../lambda/core/contract';
import { DAY_MS, HOUR_MS } from '../../lambda/core/periods';
import { seedBedrock, type SeedPoint } from '../support/bedrock-seed';

const REGION = 'af-south-1'; // this file's own moto region
const dir = mkdtempSync(join(tmpdir(), 'weekly-'));
const END = Math.floor(Date.now() / DAY_MS) * DAY_MS; // today 00:00 UTC: the window is the 7 days before
const IMPROVING = 'us.anthropic.claude-3-7-sonnet-20250219-v1:0';
const REGRESSING = 'global.anthropic.claude-sonnet-4-5-20250929-v1:0';
const MISCONFIGURED = 'anthropic.claude-3-5-haiku-20241022-v1:0';
const UNPRICED = 'us.meta.llama3-3-70b-instruct-v1:0';
const config = join(dir, 'config.json');
writeFileSync(
  config,
  JSON.stringify({
    models: [
      { modelId: IMPROVING, displayName: 'support-bot' },
      { modelId: REGRESSING, displayName: 'code-review' },
    ],
  }),
);

const t = (input: number, read: number, write: number, output: number): TokenCounts => ({
  inputTokens: input,
  cacheReadInputTokens: read,
  cacheWriteInputTokens: write,
  outputTokens: output,
});
/** Per model: tokens per day in the previous week and in this one. */
const PLAN: [string, TokenCounts, TokenCounts][] = [
  [IMPROVING, t(100, 5000, 5000, 400), t(100, 9000, 1000, 400)],
  [REGRESSING, t(50, 8000, 2000, 300), t(50, 2000, 8000, 300)],
  [MISCONFIGURED, t(10, 0, 3000, 100), t(10, 0, 3000, 100)],
  [UNPRICED, t(700, 0, 0, 70), t(700, 0, 0, 70)],
];

beforeAll(async () => {
  const points: SeedPoint[] = PLAN.flatMap(([modelId, before, now]) =>
    Array.from({ length: 14 }, (_, i) => ({
      modelId,
      periodStartMs: END - (14 - i) * DAY_MS + 12 * HOUR_MS,
      tokens: i < 7 ? before : now,
    })),
  );
  const cw = new CloudWatchClient({ region: REGION });
  await seedBedrock(cw, points);
  cw.destroy();
});

async function run(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: (x) => (stdout += x), stderr: (x) => (stderr += x) });
  return { code, stdout, stderr };
}

// Hand-computed: 7 days each. Sonnet 3.7 ($3 in, $3.75 write, $0.30 read); Sonnet 4.5 through global. (same list
// prices); Claude 3.5 Haiku in-region ($0.80 in, $1 write).
const sonnetNet = (read: number, write: number) => 7 * (read * 2.7e-6 - write * 0.75e-6);
const EXPECTED_NET = {
  [IMPROVING]: [sonnetNet(9000, 1000), sonnetNet(5000, 5000)],
  [REGRESSING]: [sonnetNet(2000, 8000), sonnetNet(8000, 2000)],
  [MISCONFIGURED]: [-7 * 3000 * 0.2e-6, -7 * 3000 * 0.2e-6],
};

describe('report --region: the weekly review from CloudWatch', () => {
  let json: {
    window: { start: string; end: string; days: number };
    models: Array<Record<string, unknown> & { previous: Record<string, number | null>; change: Record<string, number | null> }>;
    totals: Record<string, unknown> & { change: Record<string, number | null> };
    attention: Array<{ reason: string; modelId: string; since: string | null; stillOpen: boolean; atStakePerWeekUSD: number | null }>;
  };
  let stderr: string;
  const chart = join(dir, 'week.svg');

  beforeAll(async () => {
    const r = await run('report', '--region', REGION, '--config', config, '--format', 'json', '--chart', chart);
    expect(r.code).toBe(0);
    json = JSON.parse(r.stdout);
    stderr = r.stderr;
  });

  test('the window: the 7 UTC days before today, and the 7 before those', () => {
    expect(json.window).toEqual({ start: new Date(END - 7 * DAY_MS).toISOString(), end: new Date(END).toISOString(), days: 7 });
  });

  test('per model: exact tokens, net savings this week and last, the change and the status', () => {
    const rows = Object.fromEntries(json.models.map((m) => [m.modelId as string, m]));
    expect(json.models.map((m) => [m.modelId, m.displayName ?? null, m.status])).toEqual([
      [IMPROVING, 'support-bot', 'optimized'],
      [REGRESSING, 'code-review', 'losing-money'],
      [MISCONFIGURED, null, 'misconfigured'],
      [UNPRICED, null, 'unpriced'],
    ]);
    expect([
      rows[IMPROVING].cacheReadInputTokens,
      rows[IMPROVING].cacheWriteInputTokens,
      rows[IMPROVING].inputTokens,
      rows[IMPROVING].outputTokens,
    ]).toEqual([63000, 7000, 700, 2800]);
    for (const [id, [now, before]] of Object.entries(EXPECTED_NET)) {
      expect(Math.abs((rows[id].netSavingsUSD as number) - now)).toBeLessThan(1e-9);
      expect(Math.abs((rows[id].previous.netSavingsUSD as number) - before)).toBeLessThan(1e-9);
      expect(Math.abs((rows[id].change.netSavingsUSD as number) - (now - before))).toBeLessThan(1e-9);
    }
    expect([
      rows[IMPROVING].cacheHitRatioPercent,
      rows[IMPROVING].change.cacheHitRatioPoints,
      rows[REGRESSING].change.cacheHitRatioPoints,
    ]).toEqual([90, 40, -60]);
    expect([rows[UNPRICED].netSavingsUSD, rows[UNPRICED].change.netSavingsUSD]).toEqual([null, null]);
    const totalNow = Object.values(EXPECTED_NET).reduce((a, [n]) => a + n, 0);
    expect(Math.abs((json.totals.netSavingsUSD as number) - totalNow)).toBeLessThan(1e-9);
    expect(json.totals.unpricedTokens).toBe(7 * 770);
  });

  test('needs attention, largest at stake first: the regression (losing money since the window began), the misconfigured model, the unpriced traffic', () => {
    expect(json.attention.map((a) => [a.reason, a.modelId, a.since, a.stillOpen])).toEqual([
      ['losing-money', REGRESSING, new Date(END - 7 * DAY_MS).toISOString().slice(0, 10), false],
      ['misconfigured', MISCONFIGURED, new Date(END - 14 * DAY_MS).toISOString().slice(0, 10), true],
      ['unpriced', UNPRICED, new Date(END - 14 * DAY_MS).toISOString().slice(0, 10), true],
    ]);
    // Loses 2,000 x $2.70 - 8,000 x $0.75 per MTok a day ($0.0006), saved $0.0201 a day before: 7 x $0.0207 at stake.
    expect(json.attention.map((a) => Number(a.atStakePerWeekUSD?.toFixed(9)))).toEqual([0.1449, 0.0042, NaN]);
  });

  test('progress goes to stderr: the windows and the calls', () => {
    expect(stderr.split('\n').filter((l) => l !== '')).toEqual([
      `reading AWS/Bedrock metrics in ${REGION}, ${new Date(END - 14 * DAY_MS).toISOString().slice(0, 10)} to ${new Date(END - 8 * DAY_MS).toISOString().slice(0, 10)} and ${new Date(END - 7 * DAY_MS).toISOString().slice(0, 10)} to ${new Date(END - DAY_MS).toISOString().slice(0, 10)}...`,
      '  GetMetricData 1/1',
      '  4 models, 1 GetMetricData and 6 ListMetrics calls',
      // af-south-1 is not in the price catalog (this test's region of its own on the emulator).
      'warning: the price catalog has no prices for af-south-1: dollars are at the US rate (pricing overrides in the config set exact ones)',
      // The emulator's Cost Explorer answers with no line: nothing billed to compare with.
      '  the bill beside the computed cost: 1 Cost Explorer request ($0.01)',
    ]);
  });

  test('markdown and CSV carry the same numbers', async () => {
    const md = (await run('report', '--region', REGION, '--config', config)).stdout;
    const csv = (await run('report', '--region', REGION, '--config', config, '--format', 'csv')).stdout;
    const improving = json.models[0];
    const since = (days: number) => new Date(END - days * DAY_MS).toISOString().slice(5, 10);
    expect(md.split('\n').slice(2, 8)).toEqual([
      '## Actions',
      '',
      `1. **code-review: $0.14 a week at stake.** Caching loses $0.00060 a day since ${since(7)}, after saving $0.020 a day before; hit ratio 20.0% against a break-even of 21.7%. Find what changed in the cached prefix, or stop caching it.`,
      `2. **claude-3-5-haiku: $0.0042 a week at stake.** It writes its cache and never reads it since ${since(14)} or earlier (still open from last week): $0.00060 a day of write premium for nothing (21 k cache-write tokens this week). Make the prompt before the cache point identical across calls, or stop caching it.`,
      `3. **us.llama3-3-70b-instruct: 5.4 k tokens this week with no known price.** Unpriced since ${since(14)} or earlier (still open from last week), left out of the dollars. Add it to pricing or set priceAs.`,
      '',
    ]);
    expect(md).toContain(`| support-bot | optimized | 90.0% | 21.7% | +40.0 pts |`);
    expect(md).toContain(`- support-bot: ${IMPROVING}`);
    const row = csv.split('\r\n').find((l) => l.startsWith(IMPROVING)) as string;
    expect(row.split(',').slice(14, 16).map(Number)).toEqual([improving.netSavingsUSD, improving.previous.netSavingsUSD]);
  });

  test('the chart: two panels, bars per priced model, a hit-ratio line per model with cache traffic, their break-evens', () => {
    const svg = readFileSync(chart, 'utf8');
    expect([svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"'), svg.trimEnd().endsWith('</svg>')]).toEqual([true, true]);
    // One legend entry per model, in the review's order, by name.
    expect(
      svg.match(/aria-label="Symbol legend titled 'Model' for fill color and stroke color with (\d+) values: ([^"]*)"/)?.slice(1),
    ).toEqual(['4', 'support-bot, code-review, claude-3-5-haiku, us.llama3-3-70b-instruct']);
    // 7 days x 3 priced models = 21 bars; lines: all models' net savings, and the hit ratio of the 3 models with cache traffic.
    expect((svg.match(/aria-roledescription="bar"/g) ?? []).length).toBe(21);
    expect((svg.match(/aria-roledescription="line mark"/g) ?? []).length).toBe(4);
    expect(
      svg.match(/aria-label="Hit ratio \(%\): [\d.]+; Model: [^"]+" role="graphics-symbol" aria-roledescription="rule mark"/g),
    ).toEqual([
      'aria-label="Hit ratio (%): 21.7391304348; Model: support-bot" role="graphics-symbol" aria-roledescription="rule mark"',
      'aria-label="Hit ratio (%): 21.7391304348; Model: code-review" role="graphics-symbol" aria-roledescription="rule mark"',
      'aria-label="Hit ratio (%): 21.7391304348; Model: claude-3-5-haiku" role="graphics-symbol" aria-roledescription="rule mark"',
    ]);
  });
});

describe('report --region: bad arguments exit 2 with one line', () => {
  test.each<[string, string[], string]>([
    ['bad region', ['--region', 'moon-1'], 'error: --region: not an AWS region (got "moon-1"); e.g. us-east-1\n'],
    ['days out of range', ['--region', REGION, '--days', '0'], 'error: --days: must be a whole number from 1 to 90 (got "0")\n'],
    ['days not a number', ['--region', REGION, '--days', 'week'], 'error: --days: must be a whole number from 1 to 90 (got "week")\n'],
    [
      'end in the future',
      ['--region', REGION, '--end', '2999-01-01T00:00:00Z'],
      'error: --end is in the future (got 2999-01-01T00:00:00Z); the review ends at a past UTC midnight\n',
    ],
    [
      'end not a time',
      ['--region', REGION, '--end', 'monday'],
      'error: --end: not an ISO 8601 time (got "monday"); e.g. 2026-11-25T12:00:00Z\n',
    ],
    [
      'both sources',
      ['--region', REGION, '--usage', 'x.json'],
      'error: report needs exactly one source: --usage FILE, or --region REGION to read AWS/Bedrock metrics from CloudWatch\n',
    ],
    [
      'chart without region',
      ['--usage', 'x.json', '--chart', 'a.svg'],
      'error: --chart needs --region: the chart draws daily figures, which a usage file does not have\n',
    ],
    ['chart not svg', ['--region', REGION, '--chart', 'a.png'], 'error: --chart: the file must end in .svg (got "a.png")\n'],
  ])('%s', async (_name, argv, stderr) => {
    expect(await run('report', ...argv)).toEqual({ code: 2, stdout: '', stderr });
  });
});
