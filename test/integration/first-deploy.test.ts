/**
 * A fresh stack sends nothing to on-call, as far as the emulator can show it:
 * - the deploy-time run (the publisher as a CloudFormation custom resource) publishes, waits until its
 *   PublisherLagMinutes report is readable and answers SUCCESS to the pre-signed URL (a local HTTP server here); that
 *   it answers SUCCESS also when the run fails is test/handlers/deploy-run.test.ts;
 * - the recovery rule's event pattern passes ALARM → OK and not the first INSUFFICIENT_DATA → OK of a new roll-up,
 *   checked by the emulator's EventBridge matcher (a rule with the synthesized pattern and an SQS target; moto's
 *   TestEventPattern is a stub).
 * moto evaluates no alarm and runs no custom resource: the stack-level order (alarms after the run) is asserted on the
 * template in savings-publisher.test.ts.
 */
process.env.CDK_VALIDATION = 'false';

import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { EventBridgeClient, PutEventsCommand, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { PromptCacheMonitoring } from '../../lib';
import { parseConfig } from '../../lambda/core/config';
import { HOUR_MS, MINUTE_MS } from '../../lambda/core/periods';
import { createClients } from '../../lambda/aws/clients';
import { ensureLedgerTable } from '../../lambda/aws/ledger';
import { answerDeployRun } from '../../lambda/handlers/deploy-run';
import { deployRun, publishOnce } from '../../lambda/handlers/publisher';
import { readSeries, seedBedrock } from '../support/bedrock-seed';
import { deployEvent as event, responseServer } from '../support/custom-resource';

const REGION = 'il-central-1'; // this file's own moto region
const END = Math.floor(Date.now() / HOUR_MS) * HOUR_MS - HOUR_MS;

describe('the deploy-time run', () => {
  test('publishes, sees its lag report in CloudWatch, then answers SUCCESS with an empty content type', async () => {
    const config = parseConfig(
      { models: [{ modelId: 'us.anthropic.claude-3-7-sonnet-20250219-v1:0' }], publisher: { initialLookbackHours: 2 } },
      'test',
    );
    const clients = createClients({ region: REGION });
    await ensureLedgerTable(clients.dynamoDb, 'first-deploy-ledger');
    await seedBedrock(new CloudWatchClient({ region: REGION }), [
      {
        modelId: 'us.anthropic.claude-3-7-sonnet-20250219-v1:0',
        periodStartMs: END - HOUR_MS,
        tokens: { inputTokens: 10, cacheReadInputTokens: 900, cacheWriteInputTokens: 100, outputTokens: 5 },
      },
    ]);
    const server = await responseServer();
    const nowMs = Date.now();
    const log = { info: () => undefined, warn: () => undefined };
    const once = () => publishOnce({ config, tableName: 'first-deploy-ledger', nowMs, clients, log, sleep: () => Promise.resolve() });
    try {
      const outcome = await answerDeployRun(event(server.url), {
        run: () => deployRun(once, clients, config, () => Promise.resolve()),
        remainingMs: () => 300_000,
        log: () => undefined,
      });
      expect(outcome).toEqual({ outcome: 'published', lagVisible: true });
      expect(server.received).toEqual([
        {
          method: 'PUT',
          contentType: '',
          body: {
            Status: 'SUCCESS',
            Reason: 'first publisher run: published',
            PhysicalResourceId: 'prompt-cache-first-run-FirstRun',
            StackId: event(server.url).StackId,
            RequestId: 'req-1',
            LogicalResourceId: 'FirstRun',
            Data: { Outcome: 'published', LagVisible: 'true' },
          },
        },
      ]);
      // The report the pipeline alarm will see first: lag = the minutes from the watermark (the last settled hour) to the run.
      const watermark = Math.floor((nowMs - config.publisher.settleDelayMinutes * MINUTE_MS) / HOUR_MS) * HOUR_MS;
      const out = await clients.cloudWatch.send(
        new GetMetricDataCommand({
          StartTime: new Date(Math.floor(nowMs / MINUTE_MS) * MINUTE_MS),
          EndTime: new Date(Math.floor(nowMs / MINUTE_MS) * MINUTE_MS + MINUTE_MS),
          MetricDataQueries: [
            {
              Id: 'l',
              MetricStat: {
                Metric: { Namespace: config.namespace, MetricName: 'PublisherLagMinutes', Dimensions: [] },
                Period: 60,
                Stat: 'Maximum',
              },
            },
          ],
        }),
      );
      expect(out.MetricDataResults?.[0]?.Values).toEqual([(nowMs - watermark) / MINUTE_MS]);
      // And the same lag one and two periods earlier (alarms.pipeline.missingPeriods = 2): the periods before the stack
      // existed are not silence, whichever periods CloudWatch judges.
      const earlier = await readSeries(
        clients.cloudWatch,
        [{ namespace: config.namespace, metricName: 'PublisherLagMinutes', stat: 'Sum' }],
        nowMs - 3 * HOUR_MS,
        nowMs + MINUTE_MS,
        HOUR_MS,
      );
      expect(earlier[0].size).toBe(3);
    } finally {
      await server.close();
    }
  });
});

describe("the notifier's rule: the synthesized event pattern, matched by the emulator's EventBridge (a rule with an SQS target)", () => {
  const stack = new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Fresh');
  new PromptCacheMonitoring(stack, 'Cache', {
    config: parseConfig({ models: [{ modelId: 'us.anthropic.claude-3-7-sonnet-20250219-v1:0' }] }, 'test'),
  });
  const rule = Object.values(
    Template.fromStack(stack).toJSON().Resources as Record<
      string,
      { Type: string; Properties: { EventPattern?: Record<string, unknown> } }
    >,
  ).find((r) => r.Type === 'AWS::Events::Rule' && r.Properties.EventPattern !== undefined)!;
  const arn = (name: string) => `arn:aws:cloudwatch:${REGION}:123456789012:alarm:${name}`;
  const pattern = JSON.stringify(rule.Properties.EventPattern);

  test("every state change of this stack's alarms and of their contributors passes; other stacks' alarms and configuration changes do not", async () => {
    const events = new EventBridgeClient({ region: REGION });
    const sqs = new SQSClient({ region: REGION });
    const queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'notifier-events' }))).QueueUrl!;
    const queueArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }))).Attributes!
      .QueueArn;
    await events.send(new PutRuleCommand({ Name: 'notifier-events', EventPattern: pattern }));
    await events.send(new PutTargetsCommand({ Rule: 'notifier-events', Targets: [{ Id: 'q', Arn: queueArn }] }));
    const cases: Array<[string, string]> = [
      ['Fresh-Fleet-LowHitRatio', 'CloudWatch Alarm Contributor State Change'],
      ['Fresh-PublisherErrors', 'CloudWatch Alarm State Change'],
      ['Other-Fleet-LowHitRatio', 'CloudWatch Alarm Contributor State Change'],
      ['Fresh-PublisherErrors', 'CloudWatch Alarm Configuration Change'],
    ];
    await events.send(
      new PutEventsCommand({
        Entries: cases.map(([name, detailType]) => ({
          Source: 'aws.cloudwatch',
          DetailType: detailType,
          Resources: [arn(name)],
          Detail: JSON.stringify({ alarmName: name, state: { value: 'ALARM', reason: 'r' } }),
        })),
      }),
    );
    const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
    const delivered = (got.Messages ?? []).map((m) => {
      const e = JSON.parse(m.Body ?? '{}') as { 'detail-type': string; detail: { alarmName: string } };
      return `${e.detail.alarmName} ${e['detail-type']}`;
    });
    expect(delivered.sort()).toEqual([
      'Fresh-Fleet-LowHitRatio CloudWatch Alarm Contributor State Change',
      'Fresh-PublisherErrors CloudWatch Alarm State Change',
    ]);
  });
});
