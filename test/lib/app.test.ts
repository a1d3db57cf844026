/**
 * bin/app.ts on a bad config: every problem on stderr, each naming its path, no stack trace, exit code 1.
 * Spawned the way the CDK CLI runs it (`npx tsx bin/app.ts`, context in CDK_CONTEXT_JSON, CDK_OUTDIR set).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfigFromContext } from '../../lib/config';
import { ROOT } from './template-helpers';

let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'prompt-cache-app-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

function childEnv(context: Record<string, unknown>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, CDK_CONTEXT_JSON: JSON.stringify(context), CDK_OUTDIR: join(work, 'cdk.out') };
  delete env.NODE_ENV; // as under the CLI, not jest
  return env;
}

function cliEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.NODE_ENV;
  return env;
}

function runApp(context: Record<string, unknown>) {
  const r = spawnSync('npx', ['tsx', 'bin/app.ts'], { cwd: ROOT, env: childEnv(context), encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const BAD_CONFIG = {
  namespace: 'AWS/Mine',
  models: [
    { modelId: 'us.anthropic.claude-3-7-sonnet-20250219-v1:0', cacheWriteTtl: '10m' },
    { modelId: 'us.anthropic.claude-3-7-sonnet-20250219-v1:0', displayNam: 'typo' },
  ],
};
const BAD_CONFIG_PROBLEMS = [
  '  - namespace: must not start with "AWS/" (reserved for AWS services) (got "AWS/Mine")',
  '  - models[0].cacheWriteTtl: must be one of "5m", "1h" (got "10m")',
  '  - models[1].displayNam: unknown key; remove it or fix its spelling',
  '  - models[1].modelId: duplicates models[0].modelId; list each model once (got "us.anthropic.claude-3-7-sonnet-20250219-v1:0")',
];

test('a bad config file (-c promptCacheConfig=FILE): all problems, named by path, exit 1', () => {
  const file = join(work, 'bad.json');
  writeFileSync(file, JSON.stringify(BAD_CONFIG));
  expect(runApp({ promptCacheConfig: file })).toEqual({
    status: 1,
    stdout: '',
    stderr: [`invalid config in ${file}:`, ...BAD_CONFIG_PROBLEMS].join('\n') + '\n',
  });
});

test('a bad inline config (cdk.json context): same problems, the context key named', () => {
  expect(runApp({ promptCacheMonitoring: BAD_CONFIG })).toEqual({
    status: 1,
    stdout: '',
    stderr: ['invalid config in cdk.json context "promptCacheMonitoring":', ...BAD_CONFIG_PROBLEMS].join('\n') + '\n',
  });
});

test('a bad stackName context is a config error too', () => {
  expect(runApp({ stackName: '1 bad name' })).toEqual({
    status: 1,
    stdout: '',
    stderr:
      'invalid config in cdk context "stackName":\n' +
      '  - stackName: must be 1 to 128 letters, digits or "-", starting with a letter (got "1 bad name")\n',
  });
});

test('through the CDK CLI: `cdk synth -c promptCacheConfig=FILE` shows the problems and exits non-zero', () => {
  const file = join(work, 'bad-cli.json');
  writeFileSync(file, JSON.stringify(BAD_CONFIG));
  const r = spawnSync('npx', ['cdk', 'synth', '-c', `promptCacheConfig=${file}`, '-o', join(work, 'cli.out')], {
    cwd: ROOT,
    env: cliEnv(),
    encoding: 'utf8',
    timeout: 60_000,
  });
  expect(r.status).toBe(1);
  expect(r.stdout).toBe('');
  expect(r.stderr.split('\n').slice(0, 5)).toEqual([`invalid config in ${file}:`, ...BAD_CONFIG_PROBLEMS]);
});

test('loadConfigFromContext: the file named by promptCacheConfig wins over the inline config', () => {
  const file = join(work, 'good.json');
  writeFileSync(file, JSON.stringify({ models: [{ modelId: 'global.anthropic.claude-sonnet-4-5-20250929-v1:0', cacheWriteTtl: '1h' }] }));
  const context: Record<string, unknown> = { promptCacheConfig: file, promptCacheMonitoring: BAD_CONFIG };
  const config = loadConfigFromContext({ tryGetContext: (key) => context[key] });
  expect(config.models).toEqual([{ modelId: 'global.anthropic.claude-sonnet-4-5-20250929-v1:0', cacheWriteTtl: '1h' }]);
  expect(config.namespace).toBe('BedrockPromptCache');
});
