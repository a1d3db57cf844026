/** `prompt-cache cost` of a config with targets: each target's stack with its own sections, the monitoring account, the total. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../bin/prompt-cache';

const dir = mkdtempSync(join(tmpdir(), 'cost-targets-'));
const file = join(dir, 'config.json');
writeFileSync(
  file,
  JSON.stringify({
    models: [{ modelId: 'us.anthropic.claude-3-7-sonnet-20250219-v1:0' }],
    monitoring: { account: '111111111111', region: 'us-east-1' },
    targets: [
      { account: '222222222222', region: 'us-east-1' },
      { account: '222222222222', region: 'eu-west-1', models: [{ modelId: 'a' }, { modelId: 'b' }] },
      { account: '333333333333', region: 'us-east-1', alarms: { enabled: false } },
    ],
  }),
);

async function run(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

test("per target and in total: a second model adds its share, a target without alarms costs less; the monitoring account's dashboard, alarms and digest", async () => {
  const r = await run('cost', '--config', file, '--format', 'json');
  expect(r.code).toBe(0);
  const e = JSON.parse(r.stdout) as {
    monthlyUSD: number;
    rollupUSD: number;
    targets: { stackName: string; models: number; monthlyUSD: number }[];
  };
  expect(e.targets.map((t) => [t.stackName, t.models, Number(t.monthlyUSD.toFixed(2))])).toEqual([
    ['BedrockPromptCacheMonitoring-222222222222-us-east-1', 1, 15.6],
    ['BedrockPromptCacheMonitoring-222222222222-eu-west-1', 2, 18.16],
    ['BedrockPromptCacheMonitoring-333333333333-us-east-1', 1, 11.7],
  ]);
  // The monitoring account: the fleet dashboard $3; five topic keys $5 (two per region for the roll-up's alarms, the
  // fleet digest's); a notifier-failing alarm per region $0.20; the fleet alarms, 4 each analyzing one metric per
  // fleet-mode model of the region's targets (us-east-1: 1, TeamB's alarms are off; eu-west-1: 2) $1.20; the weekly
  // fleet digest's reads and compute.
  const digestUSD = e.rollupUSD - (3 + 5 + 0.2 + 1.2);
  expect([Number(digestUSD.toFixed(10)), Number(e.monthlyUSD.toFixed(2))]).toEqual([0.0014733342, 54.86]);
  expect(e.monthlyUSD).toBeCloseTo(e.targets.reduce((n, t) => n + t.monthlyUSD, 0) + e.rollupUSD, 9);
});

test('markdown: the total first; --models is refused with targets (exit 2)', async () => {
  const md = await run('cost', '--config', file);
  expect(md.stdout.split('\n')[0]).toBe('# Monthly cost of the monitoring: $54.86 (3 targets and the monitoring account)');
  const bad = await run('cost', '--config', file, '--models', '5');
  expect([bad.code, bad.stderr.trim()]).toEqual([
    2,
    'error: --models goes with a config without targets: each target is counted with the models its own config lists',
  ]);
});
