/**
 * checkov (pinned in .venv, see test/support/provision-venv.sh) on the synthesized templates, next to cfn-lint and
 * cdk-nag: the example stack of cdk.json and one with every feature on (alarm and digest e-mails, runbook link). One
 * checkov run for both templates (its start-up is most of its time). Every finding is fixed or acknowledged on its
 * resource (`Metadata.checkov.skip`, by the construct that owns it) with its reason: 0 failed, and exactly these skips.
 */
process.env.CDK_VALIDATION = 'false';

import { App } from 'aws-cdk-lib';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PromptCacheMonitoringStack, parseConfig, type ConfigInput } from '../../lib';
import { ROOT, exampleConfig } from './template-helpers';

// In its own venv: checkov pins a boto3 that breaks moto (test/support/checkov-requirements.in).
const CHECKOV = join(ROOT, '.venv', 'checkov', 'bin', 'checkov');

interface CheckovReport {
  check_type: string;
  summary: { passed: number; failed: number; skipped: number; parsing_errors: number; resource_count: number; checkov_version: string };
  results: {
    failed_checks: Array<{ check_id: string; resource: string }>;
    skipped_checks: Array<{ check_id: string; resource: string; file_path: string; check_result: { suppress_comment: string } }>;
  };
}

let outdir: string;
let run: { status: number | null; stderr: string; report: CheckovReport };

beforeAll(() => {
  outdir = mkdtempSync(join(tmpdir(), 'prompt-cache-checkov-'));
  // Bundling skipped: checkov reads the template, not the Lambda code.
  const app = new App({ outdir, context: { 'aws:cdk:bundling-stacks': [] } });
  new PromptCacheMonitoringStack(app, 'Example', { config: exampleConfig() });
  const example = JSON.parse(JSON.stringify(exampleConfig())) as ConfigInput;
  const everything = parseConfig(
    // Its own namespace: two instances in one app may not publish into one (PromptCacheMonitoring refuses it).
    {
      ...example,
      namespace: 'BedrockPromptCacheEverything',
      alarms: { ...example.alarms, emails: ['oncall@example.com'], runbookUrl: 'https://wiki.example.com/prompt-cache#alarms' },
      digest: { ...example.digest, emails: ['finops@example.com'] },
    },
    'test',
  );
  new PromptCacheMonitoringStack(app, 'Everything', { config: everything });
  app.synth();
  if (!existsSync(CHECKOV)) throw new Error(`${CHECKOV} missing: run \`npm run venv\` (test/support/provision-venv.sh)`);
  // --skip-download: no call to Prisma Cloud (offline, and the result does not depend on it).
  const r = spawnSync(
    CHECKOV,
    [
      '--framework',
      'cloudformation',
      '-f',
      'Example.template.json',
      '-f',
      'Everything.template.json',
      '--compact',
      '--skip-download',
      '-o',
      'json',
    ],
    { cwd: outdir, encoding: 'utf8', timeout: 120_000 },
  );
  run = { status: r.status, stderr: r.stderr, report: JSON.parse(r.stdout) as CheckovReport };
}, 150_000);
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

test('0 failed checks in both templates, no parsing error', () => {
  expect({ status: run.status, stderr: run.stderr, type: run.report.check_type, failed: run.report.results.failed_checks }).toEqual({
    status: 0,
    stderr: '',
    type: 'cloudformation',
    failed: [],
  });
  expect(run.report.summary).toEqual({
    passed: 180,
    failed: 0,
    skipped: 46,
    parsing_errors: 0,
    resource_count: 111,
    checkov_version: '3.3.30',
  });
});

test('exactly these checks are acknowledged, each on its resource with its reason, the same in both templates', () => {
  const skipped = (file: string) =>
    run.report.results.skipped_checks
      .filter((c) => c.file_path === `/${file}`)
      .map((c) => `${c.check_id} ${c.resource.replace(/PromptCacheMonitoring|[0-9A-F]{8}$/g, '')}`)
      .sort();
  const expected = [
    'CKV_AWS_115 AWS::Lambda::Function.AlarmsNotifierLambdaFunction',
    'CKV_AWS_115 AWS::Lambda::Function.BillCheckLambdaFunction',
    'CKV_AWS_115 AWS::Lambda::Function.SavingsPublisherLambdaFunction',
    'CKV_AWS_115 AWS::Lambda::Function.WeeklyDigestLambdaFunction',
    'CKV_AWS_116 AWS::Lambda::Function.AlarmsNotifierLambdaFunction',
    'CKV_AWS_116 AWS::Lambda::Function.BillCheckLambdaFunction',
    'CKV_AWS_116 AWS::Lambda::Function.SavingsPublisherLambdaFunction',
    'CKV_AWS_116 AWS::Lambda::Function.WeeklyDigestLambdaFunction',
    'CKV_AWS_117 AWS::Lambda::Function.AlarmsNotifierLambdaFunction',
    'CKV_AWS_117 AWS::Lambda::Function.BillCheckLambdaFunction',
    'CKV_AWS_117 AWS::Lambda::Function.SavingsPublisherLambdaFunction',
    'CKV_AWS_117 AWS::Lambda::Function.WeeklyDigestLambdaFunction',
    'CKV_AWS_119 AWS::DynamoDB::Table.SavingsPublisherLedger',
    'CKV_AWS_158 AWS::Logs::LogGroup.AlarmsNotifierLambdaLogs',
    'CKV_AWS_158 AWS::Logs::LogGroup.BillCheckLambdaLogs',
    'CKV_AWS_158 AWS::Logs::LogGroup.SavingsPublisherLambdaLogs',
    'CKV_AWS_158 AWS::Logs::LogGroup.WeeklyDigestLambdaLogs',
    'CKV_AWS_173 AWS::Lambda::Function.AlarmsNotifierLambdaFunction',
    'CKV_AWS_173 AWS::Lambda::Function.BillCheckLambdaFunction',
    'CKV_AWS_173 AWS::Lambda::Function.SavingsPublisherLambdaFunction',
    'CKV_AWS_173 AWS::Lambda::Function.WeeklyDigestLambdaFunction',
    'CKV_AWS_27 AWS::SQS::Queue.AlarmsNotifierDeadLetters',
    'CKV_AWS_27 AWS::SQS::Queue.SavingsPublisherFailedRuns',
  ];
  expect([skipped('Example.template.json'), skipped('Everything.template.json')]).toEqual([expected, expected]);
  // Every skip carries its reason.
  const reasons = new Map(
    run.report.results.skipped_checks.map((c) => [
      `${c.check_id} ${c.resource.replace(/PromptCacheMonitoring|[0-9A-F]{8}$/g, '')}`,
      c.check_result.suppress_comment,
    ]),
  );
  expect(reasons.get('CKV_AWS_115 AWS::Lambda::Function.SavingsPublisherLambdaFunction')).toBe(
    'No reserved concurrency by default: it fails function creation in low-quota accounts; the ledger lease keeps runs from overlapping.',
  );
  expect(reasons.get('CKV_AWS_116 AWS::Lambda::Function.BillCheckLambdaFunction')).toBe(
    "Not retried and no dead-letter queue on purpose: the next day's run back-fills every day missed (up to 14 days), and a failure shows in the BillCheckErrors alarm.",
  );
  expect([...reasons.values()].filter((r) => r.length < 60)).toEqual([]);
});
