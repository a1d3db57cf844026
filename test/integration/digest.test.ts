/**
 * The weekly digest against moto: AWS/Bedrock metrics in, a plain-text e-mail out through an SNS topic, read back from
 * an SQS queue subscribed to it. This file's own region.
 */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { parseConfig } from '../../lambda/core/config';
import { DAY_MS, HOUR_MS } from '../../lambda/core/periods';
import type { RunLog } from '../../lambda/core/publish-run';
import { sendDigest } from '../../lambda/handlers/digest';
import { seedBedrock } from '../support/bedrock-seed';

const REGION = 'ap-east-1';
const TODAY = Math.floor(Date.now() / DAY_MS) * DAY_MS;
const SONNET = 'us.anthropic.claude-3-7-sonnet-20250219-v1:0';
const HAIKU = 'anthropic.claude-3-5-haiku-20241022-v1:0';
const quiet: RunLog = { info: () => undefined, warn: () => undefined };

test('the digest reaches the cost-review topic: the headline in the subject, every model in the text', async () => {
  const cw = new CloudWatchClient({ region: REGION });
  const sns = new SNSClient({ region: REGION });
  const sqs = new SQSClient({ region: REGION });
  // Sonnet: 3 days this week (9,000 reads / 1,000 writes a day); Haiku: writes only, last week and this week.
  await seedBedrock(cw, [
    ...[1, 2, 3].map((d) => ({
      modelId: SONNET,
      periodStartMs: TODAY - d * DAY_MS + HOUR_MS,
      tokens: { inputTokens: 10, cacheReadInputTokens: 9000, cacheWriteInputTokens: 1000, outputTokens: 100 },
    })),
    ...[2, 9].map((d) => ({
      modelId: HAIKU,
      periodStartMs: TODAY - d * DAY_MS + HOUR_MS,
      tokens: { inputTokens: 5, cacheReadInputTokens: 0, cacheWriteInputTokens: 5000, outputTokens: 50 },
    })),
  ]);
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'cost-review' }));
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'digest-inbox' }));
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
  await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: Attributes?.QueueArn }));

  const config = parseConfig({ models: [{ modelId: SONNET, displayName: 'support-bot' }] }, 'test');
  const result = await sendDigest({ config, topicArn: TopicArn as string, nowMs: TODAY + 8 * HOUR_MS, cloudWatch: cw, sns, log: quiet });
  const net = 3 * (9000 * 2.7e-6 - 1000 * 0.75e-6) - 5000 * 0.2e-6; // Sonnet 3.7 via us. + Claude 3.5 Haiku writes
  const week = `${new Date(TODAY - 7 * DAY_MS).toISOString().slice(0, 10)} to ${new Date(TODAY - DAY_MS).toISOString().slice(0, 10)}`;
  const subject = `Prompt caching saved $${net.toFixed(8).replace(/0+$/, '')} net, ${week} (+$${(net + 5000 * 0.2e-6).toFixed(8).replace(/0+$/, '')})`;
  expect([result.subject, result.models, result.attention]).toEqual([subject, 2, 1]);
  expect(result.subject.length).toBeLessThanOrEqual(100);

  const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
  expect(Messages).toHaveLength(1);
  const envelope = JSON.parse(Messages?.[0].Body as string);
  expect(envelope.Subject).toBe(subject);
  const lines = (envelope.Message as string).split('\n');
  expect(lines[0]).toBe(
    `Prompt caching saved $${net.toFixed(8).replace(/0+$/, '')} net (${week}), +$${(net + 5000 * 0.2e-6).toFixed(8).replace(/0+$/, '')} vs the previous 7 days`,
  );
  expect(lines.filter((l) => /^ {2}\S/.test(l) && l.includes('['))).toEqual([
    `  support-bot (${SONNET}) [optimized]`,
    `  ${HAIKU} [misconfigured]`,
  ]);
  expect(lines).toContain(
    `  - ${HAIKU}: 5,000 cache-write tokens and no reads: the cached prefix never matches (write premium $0.001 for nothing)`,
  );
  for (const c of [cw, sns, sqs]) c.destroy();
});
