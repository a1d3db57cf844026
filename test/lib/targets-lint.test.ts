/**
 * Every template of a many-account app (3 targets in 2 accounts and 2 regions, one paged by the roll-up, the roll-up and a sink stack with the monitoring account's alarms) through
 * cdk-nag and the built-in validation (on), cfn-lint and checkov: no finding, no warning, no failed check.
 */
delete process.env.CDK_VALIDATION; // validation must be on here, whatever the caller's environment says

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { parseConfig } from '../../lambda/core/config';
import { addPromptCacheStacks } from '../../lib/prompt-cache-app';
import { cdkJson, exampleConfig, ROOT } from './template-helpers';

const CFN_LINT = join(ROOT, '.venv', 'bin', 'cfn-lint');
const CHECKOV = join(ROOT, '.venv', 'checkov', 'bin', 'checkov');
const MONITORING = '111111111111';

let outdir: string;
let templates: string[];
beforeAll(() => {
  outdir = mkdtempSync(join(tmpdir(), 'prompt-cache-targets-'));
  const app = new App({ outdir, context: { ...cdkJson().context, 'aws:cdk:bundling-stacks': [] } });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true, writeSuppressionsToCloudFormation: true }));
  const config = parseConfig(
    {
      ...exampleConfig(),
      monitoring: {
        account: MONITORING,
        region: 'us-east-1',
        sinks: {
          'us-east-1': `arn:aws:oam:us-east-1:${MONITORING}:sink/aaaa`,
          'eu-west-1': `arn:aws:oam:eu-west-1:${MONITORING}:sink/bbbb`,
        },
      },
      targets: [
        { account: '222222222222', region: 'us-east-1' },
        { account: '222222222222', region: 'eu-west-1' },
        { account: '333333333333', region: 'us-east-1', onCall: 'rollup' },
      ],
    },
    'test',
  );
  addPromptCacheStacks(app, config, 'PromptCache');
  app.synth();
  templates = readdirSync(outdir)
    .filter((f) => f.endsWith('.template.json'))
    .sort();
}, 120_000);
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

test('five templates; cdk-nag and the built-in validation find nothing unacknowledged', () => {
  expect(templates).toEqual([
    'PromptCache-222222222222-eu-west-1.template.json',
    'PromptCache-222222222222-us-east-1.template.json',
    'PromptCache-333333333333-us-east-1.template.json',
    'PromptCache-Rollup.template.json',
    'PromptCache-Sink-eu-west-1.template.json',
  ]);
  const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')) as {
    pluginReports: { pluginName: string; conclusion: string; violations: unknown[] }[];
  };
  expect(report.pluginReports.map((r) => [r.pluginName, r.conclusion, r.violations])).toEqual([['AwsSolutions', 'success', []]]);
});

test('cfn-lint: 0 errors, 0 warnings in every template', () => {
  if (!existsSync(CFN_LINT)) throw new Error(`${CFN_LINT} missing: run \`npm run venv\``);
  const r = spawnSync(CFN_LINT, templates, { cwd: outdir, encoding: 'utf8', timeout: 90_000 });
  expect({ status: r.status, stdout: r.stdout, stderr: r.stderr }).toEqual({ status: 0, stdout: '', stderr: '' });
});

test('checkov: no failed check, no parsing error in the roll-up and sink templates, nor in a linked target', () => {
  if (!existsSync(CHECKOV)) throw new Error(`${CHECKOV} missing: run \`npm run venv\``);
  const files = [
    'PromptCache-Rollup.template.json',
    'PromptCache-Sink-eu-west-1.template.json',
    'PromptCache-222222222222-eu-west-1.template.json',
  ];
  const r = spawnSync(
    CHECKOV,
    ['--framework', 'cloudformation', ...files.flatMap((f) => ['-f', f]), '--compact', '--skip-download', '-o', 'json'],
    {
      cwd: outdir,
      encoding: 'utf8',
      timeout: 120_000,
    },
  );
  const report = JSON.parse(r.stdout) as {
    summary: { failed: number; parsing_errors: number };
    results: { failed_checks: { check_id: string; resource: string }[] };
  };
  expect([
    report.summary.failed,
    report.summary.parsing_errors,
    report.results.failed_checks.map((c) => `${c.check_id} ${c.resource}`),
  ]).toEqual([0, 0, []]);
});
