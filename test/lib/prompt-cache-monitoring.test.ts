/**
 * Construct tests of PromptCacheMonitoring / PromptCacheMonitoringStack with aws-cdk-lib/assertions: the stack's
 * resources and the props' validation (the dashboards are dashboards.test.ts). The built-in template validation is off
 * here for speed; cdk-nag.test.ts and cfn-lint.test.ts synth with it on.
 */
process.env.CDK_VALIDATION = 'false';

import { App, Stack } from 'aws-cdk-lib';
import { PromptCacheMonitoring, type PromptCacheConfig } from '../../lib';
import { EXAMPLE_STACK_RESOURCE_TYPES, exampleConfig, synthStack, thrownMessage } from './template-helpers';

describe('PromptCacheMonitoringStack with the example config of cdk.json', () => {
  const template = synthStack(exampleConfig());

  test('two dashboards, the fleet, pipeline and bill alarms with their paging and ticket topics, the savings publisher, the daily bill check and the weekly digest', () => {
    expect(
      Object.values(template.toJSON().Resources)
        .map((r) => (r as { Type: string }).Type)
        .sort(),
    ).toEqual(EXAMPLE_STACK_RESOURCE_TYPES);
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 2);
    template.resourceCountIs('AWS::CloudWatch::CompositeAlarm', 0);
  });

  test('outputs: both dashboards, the publisher, the paging and the ticket topic, the digest topic', () => {
    const outputs = template.toJSON().Outputs as Record<string, { Description: string; Value: unknown }>;
    expect(Object.entries(outputs).map(([name, o]) => [name, o.Description])).toEqual([
      ['OnCallDashboardUrl', 'The on-call dashboard'],
      ['LedgerTableName', 'Publisher ledger (prompt-cache publish --ledger-table)'],
      ['PublisherFunctionName', 'The savings publisher Lambda'],
      ['FailedRunsQueueUrl', 'Failed publisher invocations'],
      ['CostReviewDashboardUrl', 'The cost-review dashboard (7 days, 1-day periods)'],
      ['OnCallTopicArn', 'On-call topic: pages (caching losing money fast, the savings pipeline silent); subscribe your pager here'],
      ['TicketTopicArn', 'Ticket topic: everything that can wait for working hours; subscribe e-mail or chat here'],
      ['CostReviewTopicArn', 'Weekly digest topic: subscribe the cost meeting here'],
    ]);
    expect([outputs.OnCallTopicArn.Value, outputs.TicketTopicArn.Value]).toEqual([
      { Ref: 'PromptCacheMonitoringAlarmsOnCallTopic472E8723' },
      { Ref: 'PromptCacheMonitoringAlarmsTicketsTicketTopic093B01F5' },
    ]);
  });
});

describe('PromptCacheMonitoring embedded in a team stack', () => {
  test('bad props: every problem at once, each naming its path', () => {
    const stack = new Stack(new App(), 'TeamStack');
    const good = exampleConfig();
    const config = {
      ...good,
      namespace: 'AWS/Mine',
      models: [{ ...good.models[0], cacheWriteTtl: '10m' }, good.models[0]],
      bedrockMetricNames: { ...good.bedrockMetricNames, cacheWriteInputTokens: 'Cache"Write' },
    } as unknown as PromptCacheConfig;
    expect(thrownMessage(() => new PromptCacheMonitoring(stack, 'Cache', { config, dashboardName: 'on call!' }))).toBe(
      [
        'invalid config in PromptCacheMonitoring TeamStack/Cache:',
        '  - config.namespace: must not start with "AWS/" (reserved for AWS services) (got "AWS/Mine")',
        '  - config.models[0].cacheWriteTtl: must be one of "5m", "1h" (got "10m")',
        '  - config.models[1].modelId: duplicates models[0].modelId; list each model once (got "us.anthropic.claude-3-7-sonnet-20250219-v1:0")',
        '  - config.bedrockMetricNames.cacheWriteInputTokens: must not contain quotes or backslashes ' +
          '(it is embedded in a CloudWatch SEARCH expression) (got "Cache\\"Write")',
        '  - dashboardName: must be 1 to 255 letters, digits, "-" or "_" (got "on call!")',
      ].join('\n'),
    );
  });

  test('a SEARCH-unsafe metric name of an otherwise valid config is reported', () => {
    const stack = new Stack(new App(), 'TeamStack');
    const good = exampleConfig();
    const config = { ...good, bedrockMetricNames: { ...good.bedrockMetricNames, cacheWriteInputTokens: 'Cache"Write' } };
    expect(thrownMessage(() => new PromptCacheMonitoring(stack, 'Cache', { config }))).toBe(
      'invalid config in PromptCacheMonitoring TeamStack/Cache:\n' +
        '  - config.bedrockMetricNames.cacheWriteInputTokens: must not contain quotes or backslashes ' +
        '(it is embedded in a CloudWatch SEARCH expression) (got "Cache\\"Write")',
    );
  });
});

test('a config that is not an object is named as `config`', () => {
  const stack = new Stack(new App(), 'TeamStack');
  const config = 'models.json' as unknown as PromptCacheConfig;
  expect(thrownMessage(() => new PromptCacheMonitoring(stack, 'Cache', { config }))).toBe(
    'invalid config in PromptCacheMonitoring TeamStack/Cache:\n  - config: must be an object (got "models.json")',
  );
});
