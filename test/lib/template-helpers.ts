/**
 * Helpers of the construct tests: the example config of cdk.json, configs of N models, the stack's template, and the
 * dashboard body of a template resolved into real JSON.
 */
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfig, type PromptCacheConfig } from '../../lambda/core/config';
import { PromptCacheMonitoringStack } from '../../lib/prompt-cache-monitoring-stack';
import { cfnValue } from '../support/cfn-values';

export const ROOT = join(__dirname, '..', '..');

/** cdk.json as the CLI reads it. */
export function cdkJson(): { app: string; notices: boolean; context: Record<string, unknown> } {
  return JSON.parse(readFileSync(join(ROOT, 'cdk.json'), 'utf8'));
}

/** The example config of cdk.json, validated. */
export function exampleConfig(): PromptCacheConfig {
  return parseConfig(cdkJson().context.promptCacheMonitoring, 'cdk.json');
}

/** A valid config with `n` models (`us.anthropic.model-0-v1:0`, ...). */
export function configWithModels(n: number): PromptCacheConfig {
  return parseConfig(
    {
      models: Array.from({ length: n }, (_, i) => ({
        modelId: `us.anthropic.model-${i}-v1:0`,
        displayName: `workload-${i}`,
      })),
    },
    'test',
  );
}

/** The monitoring stack's template. */
export function synthStack(config: PromptCacheConfig, stackName = 'TestMonitoring'): Template {
  // No stack is bundled: the publisher's code is a placeholder here (savings-publisher.test.ts and cfn-lint.test.ts bundle it).
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new PromptCacheMonitoringStack(app, stackName, { config });
  return Template.fromStack(stack);
}

type Resources = Record<string, { Type: string; Properties?: Record<string, unknown> }>;

/**
 * A dashboard body's text (test/support/cfn-values.ts): region eu-west-1, account 111122223333, a resource's Ref as its
 * logical id (a function name, say), an alarm's `Fn::GetAtt Arn` as its ARN; anything else is a test failure.
 */
export function resolveString(value: unknown, resources: Resources = {}): string {
  return cfnValue(value, { template: { Resources: resources }, refs: 'logical-id' });
}

export interface DashboardBody {
  start?: string;
  periodOverride?: string;
  widgets: Array<{
    type: string;
    width: number;
    height: number;
    x: number;
    y: number;
    properties: Record<string, unknown> & { title?: string; metrics?: unknown[][]; markdown?: string; view?: string };
  }>;
}

/** The one dashboard's body text (region resolved to eu-west-1) and its parsed JSON. */
export function dashboardBodies(template: { Resources?: Record<string, { Type: string; Properties?: Record<string, unknown> }> }): Array<{
  text: string;
  body: DashboardBody;
}> {
  return Object.values(template.Resources ?? {})
    .filter((r) => r.Type === 'AWS::CloudWatch::Dashboard')
    .map((r) => {
      const text = resolveString(r.Properties?.DashboardBody, template.Resources);
      return { text, body: JSON.parse(text) as DashboardBody };
    });
}

/**
 * Resource types of the example config's stack, sorted (54): 4 fleet, 2 pipeline and 2 bill-check alarms and the
 * notifier's (no composite), the paging and ticket topics with their keys and policies beside the weekly digest's, the
 * publisher's, the bill check's and the digest's schedules and the notifier's alarm rule (no recovery rule), four
 * functions (publisher, bill check, digest, notifier) each with its role, policy, log group and async invoke config,
 * the publisher's and the notifier's dead-letter queues.
 */
export const EXAMPLE_STACK_RESOURCE_TYPES: readonly string[] = [
  ...Array(9).fill('AWS::CloudWatch::Alarm'),
  'AWS::CloudWatch::Dashboard',
  'AWS::CloudWatch::Dashboard',
  'AWS::DynamoDB::Table',
  ...Array(4).fill('AWS::Events::Rule'),
  ...Array(4).fill('AWS::IAM::Policy'),
  ...Array(4).fill('AWS::IAM::Role'),
  'AWS::KMS::Key',
  'AWS::KMS::Key',
  'AWS::KMS::Key',
  ...Array(4).fill('AWS::Lambda::EventInvokeConfig'),
  ...Array(4).fill('AWS::Lambda::Function'),
  ...Array(4).fill('AWS::Lambda::Permission'),
  ...Array(4).fill('AWS::Logs::LogGroup'),
  'AWS::SNS::Topic',
  'AWS::SNS::Topic',
  'AWS::SNS::Topic',
  'AWS::SNS::TopicPolicy',
  'AWS::SNS::TopicPolicy',
  'AWS::SNS::TopicPolicy',
  'AWS::SQS::Queue',
  'AWS::SQS::Queue',
  'AWS::SQS::QueuePolicy',
  'AWS::SQS::QueuePolicy',
  'Custom::PromptCacheFirstRun',
];

/** The IAM resource of `bedrock:GetInferenceProfile`: every application inference profile of the stack's account and region. */
export const APPLICATION_PROFILES_ARN = {
  'Fn::Join': [
    '',
    [
      'arn:',
      { Ref: 'AWS::Partition' },
      ':bedrock:',
      { Ref: 'AWS::Region' },
      ':',
      { Ref: 'AWS::AccountId' },
      ':application-inference-profile/*',
    ],
  ],
};

/** A template's text with its asset hashes (they follow the bundled config, which holds the models) as `<hash>`. */
export function withoutAssetHashes(text: string): string {
  return text.replace(/[0-9a-f]{64}/g, '<hash>');
}

/** The message of the error `fn` throws (fails the test if it does not throw). */
export function thrownMessage(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('expected an error');
}

export { consoleUrlJoin } from '../support/cfn-values';
