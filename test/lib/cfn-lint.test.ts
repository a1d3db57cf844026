/**
 * The full stack as users synthesize it: the real `cdk synth` (cdk.json app, context, feature flags, example config,
 * cdk-nag and built-in validation on) into a temp dir, then cfn-lint (pinned in .venv, see
 * test/support/provision-venv.sh) on the template: 0 errors, 0 warnings.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXAMPLE_STACK_RESOURCE_TYPES, ROOT } from './template-helpers';

const CFN_LINT = join(ROOT, '.venv', 'bin', 'cfn-lint');
const STACK = 'BedrockPromptCacheMonitoring';

let outdir: string;
let synth: { status: number | null; stdout: string; stderr: string };

beforeAll(() => {
  outdir = mkdtempSync(join(tmpdir(), 'prompt-cache-synth-'));
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.CDK_VALIDATION;
  delete env.NODE_ENV;
  const r = spawnSync('npx', ['cdk', 'synth', '--quiet', '-o', outdir], { cwd: ROOT, env, encoding: 'utf8', timeout: 90_000 });
  synth = { status: r.status, stdout: r.stdout, stderr: r.stderr };
}, 120_000);
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

test("cdk synth succeeds: no nag finding, no validation warning, only the bundler's lines", () => {
  // esbuild reports the publisher bundle on stderr (`Bundling asset …`, the file sizes, `Done in …`); nothing else.
  const other = synth.stderr
    .split('\n')
    .filter((l) => l !== '' && !/^Bundling asset |^\s+\S+index\.js(\.map)?\s+[\d.]+[km]b$|^⚡ Done in \d+ms$/.test(l));
  expect({ status: synth.status, stdout: synth.stdout, other }).toEqual({ status: 0, stdout: '', other: [] });
  expect(readdirSync(outdir).filter((f) => f.endsWith('.template.json'))).toEqual([`${STACK}.template.json`]);
  const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8'));
  expect(
    report.pluginReports.map((r: { pluginName: string; conclusion: string; violations: unknown[] }) => [
      r.pluginName,
      r.conclusion,
      r.violations,
    ]),
  ).toEqual([['AwsSolutions', 'success', []]]);
});

test('the template has the dashboards, the alarms, the publisher, the bill check, the digest and the CDK metadata', () => {
  const template = JSON.parse(readFileSync(join(outdir, `${STACK}.template.json`), 'utf8'));
  expect(
    Object.values(template.Resources)
      .map((r) => (r as { Type: string }).Type)
      .sort(),
  ).toEqual(['AWS::CDK::Metadata', ...EXAMPLE_STACK_RESOURCE_TYPES].sort());
});

test('cfn-lint: 0 errors, 0 warnings', () => {
  if (!existsSync(CFN_LINT)) throw new Error(`${CFN_LINT} missing: run \`npm run venv\` (test/support/provision-venv.sh)`);
  const r = spawnSync(CFN_LINT, [join(outdir, `${STACK}.template.json`)], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  expect({ status: r.status, stdout: r.stdout, stderr: r.stderr }).toEqual({ status: 0, stdout: '', stderr: '' });
});
