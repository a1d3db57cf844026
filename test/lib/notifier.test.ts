/**
 * The AlarmNotifier construct in a stack of its own: the rule (both detail-types, the alarm-name prefix), no retry at
 * either hop and the dead-letter queue, IAM statements exactly, the function's environment and log retention; then
 * cdk-nag (AwsSolutions, built-in validation on), cfn-lint and checkov on its template.
 */
delete process.env.CDK_VALIDATION; // cdk-nag needs validation on, whatever the caller's environment says

import { App, Duration, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks } from 'cdk-nag';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CACHE_FAMILY_KEYS, listedAlarms, preciseSeverity, type CatalogAlarm } from '../../lambda/core/alarm-catalog';
import { parseConfig } from '../../lambda/core/config';
import { AlarmNotifier, type AlarmNotifierProps } from '../../lib/alarms/notifier';
import { PREFIX, preciseName, sampleCatalog, TRIAGE_MODEL } from '../support/alarm-events';
import { ROOT } from './template-helpers';

type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;
const DASHBOARD = 'https://console.aws.amazon.com/cloudwatch/home?region=us-east-1#dashboards/dashboard/BedrockPromptCache-OnCall';
const outdirs: string[] = [];
afterAll(() => outdirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const PRECISE_TRIAGE = { ...TRIAGE_MODEL, alarms: { mode: 'precise' } };

/** A stack with two encrypted topics (their own keys) and the notifier; `nag`: the AwsSolutions plugin as bin/app.ts adds it. */
function build(over: Partial<AlarmNotifierProps> = {}, nag = false) {
  const outdir = mkdtempSync(join(tmpdir(), 'prompt-cache-notifier-'));
  outdirs.push(outdir);
  const app = new App({ outdir, context: { 'aws:cdk:bundling-stacks': [] } });
  if (nag) Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  const stack = new Stack(app, 'NotifierTest');
  const pageKey = new kms.Key(stack, 'PageKey', { enableKeyRotation: true });
  const ticketKey = new kms.Key(stack, 'TicketKey', { enableKeyRotation: true });
  const pageTopic = new sns.Topic(stack, 'Pages', { masterKey: pageKey, enforceSSL: true });
  const ticketTopic = new sns.Topic(stack, 'Tickets', { masterKey: ticketKey, enforceSSL: true });
  const notifier = new AlarmNotifier(stack, 'Notifier', {
    config: parseConfig({ models: [PRECISE_TRIAGE], alarms: { runbookUrl: 'https://wiki.example.com/prompt-cache#alarms' } }, 'test'),
    namePrefix: PREFIX,
    catalog: sampleCatalog(),
    pageTopic,
    ticketTopic,
    pageTopicKey: pageKey,
    ticketTopicKey: ticketKey,
    dashboardUrl: DASHBOARD,
    ...over,
  });
  return { app, stack, notifier, outdir };
}
const resources = (stack: Stack) => Template.fromStack(stack).toJSON().Resources as Resources;
const only = (r: Resources, type: string) => {
  const found = Object.entries(r).filter(([, v]) => v.Type === type);
  if (found.length !== 1) throw new Error(`${found.length} ${type}`);
  return { id: found[0][0], ...found[0][1] };
};
const idOf = (r: Resources, type: string, prefix: string) =>
  Object.keys(r).find((k) => r[k].Type === type && k.startsWith(prefix)) as string;

describe('AlarmNotifier', () => {
  const { stack } = build();
  const r = resources(stack);
  const fn = only(r, 'AWS::Lambda::Function');
  const queue = only(r, 'AWS::SQS::Queue');
  const rule = only(r, 'AWS::Events::Rule');

  test('the rule: CloudWatch, both detail-types, every alarm named with the prefix (one pattern whatever the number of alarms)', () => {
    expect(rule.Properties.EventPattern).toEqual({
      source: ['aws.cloudwatch'],
      'detail-type': ['CloudWatch Alarm State Change', 'CloudWatch Alarm Contributor State Change'],
      detail: { alarmName: [{ prefix: `${PREFIX}-` }] },
    });
  });

  test('no retry at either hop: the target (EventBridge) and the async invocation (Lambda), both failing into the dead-letter queue', () => {
    expect(rule.Properties.Targets).toEqual([
      {
        Arn: { 'Fn::GetAtt': [fn.id, 'Arn'] },
        Id: 'Target0',
        RetryPolicy: { MaximumRetryAttempts: 0 },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [queue.id, 'Arn'] } },
      },
    ]);
    expect(only(r, 'AWS::Lambda::EventInvokeConfig').Properties).toEqual({
      FunctionName: { Ref: fn.id },
      Qualifier: '$LATEST',
      MaximumRetryAttempts: 0,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [queue.id, 'Arn'] } } },
    });
    expect(queue.Properties).toEqual({ MessageRetentionPeriod: 1209600, SqsManagedSseEnabled: true });
    // SSL only; EventBridge may send to it for this rule only.
    const policy = only(r, 'AWS::SQS::QueuePolicy').Properties.PolicyDocument as { Statement: Record<string, unknown>[] };
    expect(policy.Statement.map((s) => [s.Effect, s.Action, s.Principal, s.Condition])).toEqual([
      ['Deny', 'sqs:*', { AWS: '*' }, { Bool: { 'aws:SecureTransport': 'false' } }],
      [
        'Allow',
        'sqs:SendMessage',
        { Service: 'events.amazonaws.com' },
        { ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [rule.id, 'Arn'] } } },
      ],
    ]);
  });

  test('IAM, exactly: its logs, GetMetricData (no resource-level permission exists), Publish on the two topics, their two keys, the dead-letter queue', () => {
    const logs = only(r, 'AWS::Logs::LogGroup');
    const statements = (only(r, 'AWS::IAM::Policy').Properties.PolicyDocument as { Statement: unknown[] }).Statement;
    expect(statements).toEqual([
      {
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Effect: 'Allow',
        Resource: [{ 'Fn::GetAtt': [logs.id, 'Arn'] }, { 'Fn::Join': ['', [{ 'Fn::GetAtt': [logs.id, 'Arn'] }, ':*']] }],
      },
      { Sid: 'ReadPageFigures', Action: 'cloudwatch:GetMetricData', Effect: 'Allow', Resource: '*' },
      {
        Sid: 'PublishPagesAndTickets',
        Action: 'sns:Publish',
        Effect: 'Allow',
        Resource: [{ Ref: idOf(r, 'AWS::SNS::Topic', 'Pages') }, { Ref: idOf(r, 'AWS::SNS::Topic', 'Tickets') }],
      },
      {
        Sid: 'EncryptPagesAndTickets',
        Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        Effect: 'Allow',
        Resource: [
          { 'Fn::GetAtt': [idOf(r, 'AWS::KMS::Key', 'PageKey'), 'Arn'] },
          { 'Fn::GetAtt': [idOf(r, 'AWS::KMS::Key', 'TicketKey'), 'Arn'] },
        ],
      },
      { Sid: 'KeepFailedEvents', Action: 'sqs:SendMessage', Effect: 'Allow', Resource: { 'Fn::GetAtt': [queue.id, 'Arn'] } },
    ]);
  });

  test('the function: the notifier handler, its environment, 30 s, its own log group kept a month', () => {
    const env = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    expect([fn.Properties.Runtime, fn.Properties.Architectures, fn.Properties.Timeout, fn.Properties.MemorySize]).toEqual([
      'nodejs24.x',
      ['arm64'],
      30,
      256,
    ]);
    expect({ ...env, ALARM_CATALOG: JSON.parse(env.ALARM_CATALOG as string) }).toEqual({
      NODE_OPTIONS: '--enable-source-maps',
      PAGE_TOPIC_ARN: { Ref: idOf(r, 'AWS::SNS::Topic', 'Pages') },
      TICKET_TOPIC_ARN: { Ref: idOf(r, 'AWS::SNS::Topic', 'Tickets') },
      ALARM_NAME_PREFIX: PREFIX,
      ALARM_CATALOG: listedAlarms(sampleCatalog()),
      DASHBOARD_URL: DASHBOARD,
      RUNBOOK_URL: 'https://wiki.example.com/prompt-cache#alarms',
      PUBLISHER_TIMEOUT_MINUTES: '5',
      POWERTOOLS_SERVICE_NAME: 'prompt-cache-notifier',
    });
    expect(only(r, 'AWS::Logs::LogGroup').Properties.RetentionInDays).toBe(30);
  });

  test('imported topics without keys: Publish on their ARNs, no KMS statement; the runbook URL and the timeout as given', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const s = new Stack(app, 'Imported');
    const arn = (n: string) => `arn:aws:sns:us-east-1:123456789012:${n}`;
    new AlarmNotifier(s, 'Notifier', {
      config: parseConfig({ models: [PRECISE_TRIAGE] }, 'test'),
      namePrefix: PREFIX,
      catalog: sampleCatalog(),
      pageTopic: sns.Topic.fromTopicArn(s, 'P', arn('oncall')),
      ticketTopic: sns.Topic.fromTopicArn(s, 'T', arn('tickets')),
      dashboardUrl: DASHBOARD,
      runbookUrl: 'https://github.com/example/prompt-cache',
      publisherTimeout: Duration.minutes(10),
    });
    const ir = resources(s);
    const statements = (only(ir, 'AWS::IAM::Policy').Properties.PolicyDocument as { Statement: { Sid?: string; Resource: unknown }[] })
      .Statement;
    expect(statements.map((st) => [st.Sid, st.Sid === 'PublishPagesAndTickets' ? st.Resource : undefined])).toEqual([
      [undefined, undefined],
      ['ReadPageFigures', undefined],
      ['PublishPagesAndTickets', [arn('oncall'), arn('tickets')]],
      ['KeepFailedEvents', undefined],
    ]);
    const env = (only(ir, 'AWS::Lambda::Function').Properties.Environment as { Variables: Record<string, string> }).Variables;
    expect([env.RUNBOOK_URL, env.PUBLISHER_TIMEOUT_MINUTES]).toEqual(['https://github.com/example/prompt-cache', '10']);
  });

  test('an alarm outside the prefix is refused at synth: the rule would never pass its events', () => {
    expect(() =>
      build({ catalog: [...sampleCatalog(), { name: 'Other-Alarm', family: 'heartbeat', severity: 'page', kind: 'pipeline' }] }),
    ).toThrow(`AlarmNotifier: Other-Alarm do not start with "${PREFIX}-", so the rule would never pass their events`);
  });
});

describe('the environment does not grow with the models in precise mode', () => {
  // Application inference profile ARNs, the longest model ids, each with a display name.
  const models = (n: number) =>
    Array.from({ length: n }, (_, i) => ({
      modelId: `arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/wl${String(i).padStart(10, '0')}`,
      displayName: `workload-${String(i).padStart(3, '0')}`,
      alarms: { mode: 'precise' },
    }));
  const preciseCatalog = (n: number): CatalogAlarm[] =>
    models(n).flatMap((m) =>
      CACHE_FAMILY_KEYS.map((family) => ({
        name: preciseName(family, false, m),
        family,
        severity: preciseSeverity(family),
        kind: 'precise' as const,
        modelId: m.modelId,
      })),
    );
  const environment = (n: number) => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const s = new Stack(app, 'Many');
    const arn = (t: string) => `arn:aws:sns:us-east-1:123456789012:${t}`;
    new AlarmNotifier(s, 'Notifier', {
      config: parseConfig({ models: models(n) }, 'test'),
      namePrefix: PREFIX,
      catalog: [...listedAlarms(sampleCatalog()), ...preciseCatalog(n)],
      pageTopic: sns.Topic.fromTopicArn(s, 'P', arn('oncall')),
      ticketTopic: sns.Topic.fromTopicArn(s, 'T', arn('tickets')),
      dashboardUrl: DASHBOARD,
    });
    return (only(resources(s), 'AWS::Lambda::Function').Properties.Environment as { Variables: Record<string, string> }).Variables;
  };

  test('at 1 and at 300 precise models: the same variables, the catalog only the six listed alarms, under 4 KB in all', () => {
    const [one, many] = [environment(1), environment(300)];
    const size = (v: Record<string, string>) => Object.entries(v).reduce((n, [k, x]) => n + k.length + x.length, 0);
    expect([many, one.ALARM_CATALOG, size(many) < 4096]).toEqual([one, JSON.stringify(listedAlarms(sampleCatalog())), true]);
  });

  test("a precise alarm the notifier would not know by its name (not its model's key) is refused at synth", () => {
    expect(() =>
      build({
        catalog: [
          ...sampleCatalog(),
          {
            name: `${PREFIX}-triage-LowHitRatio`,
            family: 'lowHitRatio',
            severity: 'ticket',
            kind: 'precise',
            modelId: TRIAGE_MODEL.modelId,
          },
        ],
      }),
    ).toThrow(
      `AlarmNotifier: the notifier would not recognize ${PREFIX}-triage-LowHitRatio (a precise alarm must be named by preciseAlarmName)`,
    );
  });
});

describe('its template is clean', () => {
  test('cdk-nag (AwsSolutions) and the built-in validation: no finding beyond the acknowledged ones, each with its reason', () => {
    const { app, outdir } = build({}, true);
    app.synth();
    const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')) as {
      pluginReports: {
        pluginName: string;
        conclusion: string;
        violations: unknown[];
        suppressedViolations: { ruleName: string; reason: string }[];
      }[];
    };
    expect(
      report.pluginReports.map((p) => [p.pluginName, p.conclusion, p.violations, p.suppressedViolations.map((v) => v.ruleName).sort()]),
    ).toEqual([
      [
        'AwsSolutions',
        'success',
        [],
        [
          'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
          'AwsSolutions-IAM5[Resource::*]',
          'AwsSolutions-IAM5[Resource::<NotifierLambdaLogs8610AB49.Arn>:*]',
          'AwsSolutions-SQS3',
        ],
      ],
    ]);
    expect(report.pluginReports[0].suppressedViolations.find((v) => v.ruleName === 'AwsSolutions-IAM5[Resource::*]')?.reason).toBe(
      'cloudwatch:GetMetricData supports no resource-level permissions; the notifier only reads the figures of the page it sends.',
    );
  });

  test('cfn-lint: 0 errors, 0 warnings; checkov: 0 failed, these skips', () => {
    const { app, outdir } = build();
    app.synth();
    const template = join(outdir, 'NotifierTest.template.json');
    const cfnLint = join(ROOT, '.venv', 'bin', 'cfn-lint');
    const checkov = join(ROOT, '.venv', 'checkov', 'bin', 'checkov');
    for (const bin of [cfnLint, checkov]) if (!existsSync(bin)) throw new Error(`${bin} missing: run \`npm run venv\``);
    const lint = spawnSync(cfnLint, [template], { encoding: 'utf8', timeout: 60_000 });
    expect({ status: lint.status, stdout: lint.stdout, stderr: lint.stderr }).toEqual({ status: 0, stdout: '', stderr: '' });
    const run = spawnSync(checkov, ['--framework', 'cloudformation', '-f', template, '--compact', '--skip-download', '-o', 'json'], {
      encoding: 'utf8',
      timeout: 120_000,
    });
    const result = JSON.parse(run.stdout) as {
      summary: { failed: number; parsing_errors: number };
      results: { failed_checks: { check_id: string }[]; skipped_checks: { check_id: string; resource: string }[] };
    };
    expect([run.status, result.summary.failed, result.summary.parsing_errors, result.results.failed_checks]).toEqual([0, 0, 0, []]);
    expect(result.results.skipped_checks.map((c) => `${c.check_id} ${c.resource.replace(/[0-9A-F]{8}$/, '')}`).sort()).toEqual([
      'CKV_AWS_115 AWS::Lambda::Function.NotifierLambdaFunction',
      'CKV_AWS_116 AWS::Lambda::Function.NotifierLambdaFunction',
      'CKV_AWS_117 AWS::Lambda::Function.NotifierLambdaFunction',
      'CKV_AWS_158 AWS::Logs::LogGroup.NotifierLambdaLogs',
      'CKV_AWS_173 AWS::Lambda::Function.NotifierLambdaFunction',
      'CKV_AWS_27 AWS::SQS::Queue.NotifierDeadLetters',
    ]);
  }, 150_000);
});
