import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { main } from '../../bin/prompt-cache';
import { HOUR_MS } from '../../lambda/core/periods';
import { seedBedrock } from '../support/bedrock-seed';

const root = resolve(__dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'prompt-cache-publish-'));
const REGION = 'eu-south-1'; // this file's own moto region
const END = Math.floor(Date.now() / HOUR_MS) * HOUR_MS - HOUR_MS;
const config = join(dir, 'config.json');
writeFileSync(
  config,
  JSON.stringify({ models: [{ modelId: 'us.anthropic.claude-3-7-sonnet-20250219-v1:0' }], publisher: { initialLookbackHours: 3 } }),
);

async function run(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

describe('prompt-cache publish: bad arguments exit 2 with one line', () => {
  test.each<[string, string[], string]>([
    ['until not a time', ['--until', 'yesterday'], 'error: --until: not an ISO 8601 time (got "yesterday"); e.g. 2026-11-25T12:00:00Z\n'],
    [
      'since after until',
      ['--since', '2026-11-20T00:00:00Z', '--until', '2026-11-19T00:00:00Z'],
      'error: --since must be before --until (got 2026-11-20T00:00:00Z and 2026-11-19T00:00:00Z)\n',
    ],
    ['since not a time', ['--since', '2026-13-45'], 'error: --since: not an ISO 8601 time (got "2026-13-45"); e.g. 2026-11-25T12:00:00Z\n'],
  ])('%s', async (_name, extra, stderr) => {
    expect(await run('publish', '--config', config, '--ledger-table', 't', ...extra)).toEqual({ code: 2, stdout: '', stderr });
  });

  test('missing --ledger-table', async () => {
    expect(await run('publish', '--config', config)).toEqual({
      code: 2,
      stdout: '',
      stderr: "error: required option '--ledger-table <name>' not specified\n",
    });
  });

  test('a bad config names the file and the field', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ publisher: { periodMinutes: 7 } }));
    expect(await run('publish', '--config', bad, '--ledger-table', 't')).toEqual({
      code: 2,
      stdout: '',
      stderr: `error: invalid config in ${bad}: publisher.periodMinutes: must be one of 5, 10, 15, 30, 60 (got 7)\n`,
    });
  });
});

describe('prompt-cache publish against moto, as an operator runs it', () => {
  test('first run creates the ledger and publishes the lookback; the second finds nothing to do', async () => {
    const cw = new CloudWatchClient({ region: REGION });
    await seedBedrock(cw, [
      {
        modelId: 'us.anthropic.claude-3-7-sonnet-20250219-v1:0',
        periodStartMs: END - HOUR_MS,
        tokens: { inputTokens: 28, cacheReadInputTokens: 38247, cacheWriteInputTokens: 75097, outputTokens: 1066 },
      },
    ]);
    cw.destroy();
    const until = new Date(END + 10 * 60_000).toISOString();
    const args = [
      'run',
      '-s',
      'prompt-cache',
      '--',
      'publish',
      '--config',
      config,
      '--ledger-table',
      'cli-ledger',
      '--create-ledger',
      '--until',
      until,
      '--region',
      REGION,
    ];
    const first = spawnSync('npm', args, { cwd: root, encoding: 'utf8' });
    expect([first.status, first.stderr.split('\n')[0]]).toEqual([0, 'ledger table cli-ledger: created']);
    const summary = JSON.parse(first.stdout);
    expect([summary.status, summary.periodsPublished, summary.models, summary.tokens, summary.watermark]).toEqual([
      'published',
      3,
      1,
      { inputTokens: 28, cacheReadInputTokens: 38247, cacheWriteInputTokens: 75097, outputTokens: 1066 },
      new Date(END).toISOString(),
    ]);
    const second = spawnSync('npm', args, { cwd: root, encoding: 'utf8' });
    expect([second.status, JSON.parse(second.stdout).status, second.stderr.split('\n')[0]]).toEqual([
      0,
      'nothing-to-do',
      'ledger table cli-ledger: exists',
    ]);
  });
});
