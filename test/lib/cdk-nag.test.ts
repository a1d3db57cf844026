/**
 * cdk-nag 3 (AwsSolutions) and aws-cdk-lib's built-in template validation, both ON, with the feature flags and the
 * example config of cdk.json.
 *
 * How findings surface in cdk-nag 3: it is an IPolicyValidationPlugin; after synthesis aws-cdk-lib runs it (and the
 * built-in "CloudFormation Validate" plugin) and writes `validation-report.json` into the cloud assembly. A plugin
 * with no finding is left out of `pluginReports`; one whose findings are all acknowledged lists them, with their
 * reasons, under `suppressedViolations` (with the `AwsSolutions::` prefix on the id). An error-level finding fails
 * the synth (in jest, NODE_ENV=test, `app.synth()` throws with the report text). cdk-nag filters acknowledged findings
 * itself, so they are absent from the report; `writeSuppressionsToCloudFormation` keeps them in the template.
 */
delete process.env.CDK_VALIDATION; // validation must be on here, whatever the caller's environment says

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks } from 'cdk-nag';
import { PromptCacheMonitoringStack } from '../../lib';
import { cdkJson, exampleConfig } from './template-helpers';

interface ValidationReport {
  version: string;
  title: string;
  pluginReports: Array<{
    pluginName: string;
    conclusion: string;
    violations: Array<{ ruleName: string; severity: string; violatingConstructs: Array<{ constructPath: string }> }>;
    suppressedViolations: Array<{ ruleName: string; reason: string }>;
  }>;
}

const outdirs: string[] = [];
afterAll(() => outdirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** An App as bin/app.ts makes it: cdk.json context (feature flags + example config), AwsSolutions plugin. */
function nagApp(): { app: App; outdir: string } {
  const outdir = mkdtempSync(join(tmpdir(), 'prompt-cache-nag-'));
  outdirs.push(outdir);
  const app = new App({ outdir, context: cdkJson().context });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true, writeSuppressionsToCloudFormation: true }));
  return { app, outdir };
}

function report(outdir: string): ValidationReport {
  return JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8'));
}

test('the monitoring stack has no unacknowledged finding (AwsSolutions and built-in validation)', () => {
  const { app, outdir } = nagApp();
  new PromptCacheMonitoringStack(app, 'BedrockPromptCacheMonitoring', { config: exampleConfig() });
  const assembly = app.synth();
  const r = report(outdir);
  expect([r.version, r.title]).toEqual([assembly.version, 'Validation Report']);
  // Only cdk-nag reports, and only to list what is acknowledged and why (built-in validation found nothing).
  expect(
    r.pluginReports.map((p) => [p.pluginName, p.conclusion, p.violations, p.suppressedViolations.map((v) => [v.ruleName, v.reason])]),
  ).toEqual([
    [
      'AwsSolutions',
      'success',
      [],
      [
        ['AwsSolutions-SQS3', 'This queue is itself the failure destination (the dead letters) of the publisher.'],
        [
          'AwsSolutions-SQS3',
          'This queue is itself the dead-letter queue of the alarm notifier (its rule target and its async invocations).',
        ],
        [
          'AwsSolutions-IAM5[Resource::<PromptCacheMonitoringSavingsPublisherLambdaLogsBE913FDE.Arn>:*]',
          "Log streams of the function's own log group, whose names Lambda chooses.",
        ],
        [
          'AwsSolutions-IAM5[Resource::*]',
          'cloudwatch:GetMetricData, ListMetrics and PutMetricData support no resource-level permissions; PutMetricData is limited to our namespace by the cloudwatch:namespace condition.',
        ],
        [
          'AwsSolutions-IAM5[Resource::*]',
          'cloudwatch:GetMetricData, ListMetrics, PutMetricData and ce:GetCostAndUsage support no resource-level permissions; PutMetricData is limited to our namespace by the cloudwatch:namespace condition.',
        ],
        [
          'AwsSolutions-IAM5[Resource::*]',
          'cloudwatch:GetMetricData, ListMetrics and ce:GetCostAndUsage support no resource-level permissions; the digest only reads metrics and the bill.',
        ],
        [
          'AwsSolutions-IAM5[Resource::*]',
          'cloudwatch:GetMetricData supports no resource-level permissions; the notifier only reads the figures of the page it sends.',
        ],
        [
          'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:bedrock:<AWS::Region>:<AWS::AccountId>:application-inference-profile/*]',
          "Application inference profiles appear as ModelId values at run time and have random ids: the read is limited to this account's profiles in this region.",
        ],
        [
          'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:bedrock:<AWS::Region>:<AWS::AccountId>:application-inference-profile/*]',
          "Application inference profiles appear as ModelId values at run time and have random ids: the read is limited to this account's profiles in this region.",
        ],
        [
          'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:bedrock:<AWS::Region>:<AWS::AccountId>:application-inference-profile/*]',
          "Application inference profiles appear as ModelId values at run time and have random ids: the read is limited to this account's profiles in this region.",
        ],
        [
          'AwsSolutions-IAM5[Resource::<PromptCacheMonitoringBillCheckLambdaLogs830DF911.Arn>:*]',
          "Log streams of the function's own log group, whose names Lambda chooses.",
        ],
        [
          'AwsSolutions-IAM5[Resource::<PromptCacheMonitoringWeeklyDigestLambdaLogsCF8E3030.Arn>:*]',
          "Log streams of the function's own log group, whose names Lambda chooses.",
        ],
        [
          'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
          "aws-cdk-lib's grantPublish on an encrypted topic: GenerateDataKey and its WithoutPlaintext variant, on this topic's own key only.",
        ],
        [
          'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
          "SNS's publisher permissions for an encrypted topic: GenerateDataKey and its WithoutPlaintext variant, on the two topics' keys only.",
        ],
        [
          'AwsSolutions-IAM5[Resource::<PromptCacheMonitoringAlarmsNotifierLambdaLogs1D34B032.Arn>:*]',
          "Log streams of the function's own log group, whose names Lambda chooses.",
        ],
      ],
    ],
  ]);
  expect(assembly.getStackByName('BedrockPromptCacheMonitoring').messages).toEqual([]);
});

test('control: the same setup reports a nag finding and fails the synth', () => {
  const { app, outdir } = nagApp();
  const stack = new Stack(app, 'Control');
  new Topic(stack, 'Topic');
  expect(() => app.synth()).toThrow("Acknowledge with 'AwsSolutions::AwsSolutions-SNS3'");
  expect(
    report(outdir).pluginReports.map((r) => [
      r.pluginName,
      r.conclusion,
      r.violations.map((v) => [v.ruleName, v.severity, v.violatingConstructs.map((c) => c.constructPath)]),
    ]),
  ).toEqual([['AwsSolutions', 'failure', [['AwsSolutions-SNS3', 'error', ['Control/Topic/Resource']]]]]);
});

test('control: an acknowledged finding leaves the report and is kept, with its reason, in the template', () => {
  const { app, outdir } = nagApp();
  const stack = new Stack(app, 'Control');
  const topic = new Topic(stack, 'Topic');
  Validations.of(topic).acknowledge({ id: 'AwsSolutions-SNS3', reason: 'test control: publishers are internal' });
  const assembly = app.synth();
  expect(report(outdir).pluginReports).toEqual([]);
  const resources = assembly.getStackByName('Control').template.Resources;
  expect(resources.TopicBFC7AF6E.Metadata.cdk_nag).toEqual({
    rules_to_suppress: [{ id: 'AwsSolutions-SNS3', reason: 'test control: publishers are internal' }],
  });
});
