/**
 * The weekly digest against moto: AWS/Bedrock metrics in, a plain-text e-mail out through an SNS topic, read back from
 * an SQS queue subscribed to it. This file's own region.
 */
import { CostExplorerClient } from '@aws-sdk/client-cost-explorer';
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
/** The UTC day `n` days before today: `2026-11-30`. */
const day = (n: number) => new Date(TODAY - n * DAY_MS).toISOString().slice(0, 10);

test('the digest reaches the cost-review topic: the headline figure in the subject, the actions, the headline, every model, the dashboard link', async () => {
  const cw = new CloudWatchClient({ region: REGION });
  // Cost Explorer answers from us-east-1; the emulator's has no line for this account: nothing billed.
  const ce = new CostExplorerClient({ region: 'us-east-1' });
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
  const dashboardUrl = 'https://console.aws.amazon.com/cloudwatch/home?region=ap-east-1#dashboards/dashboard/PromptCache-CostReview';
  const result = await sendDigest({
    config,
    topicArn: TopicArn as string,
    nowMs: TODAY + 8 * HOUR_MS,
    cloudWatch: cw,
    sns,
    log: quiet,
    dashboardUrl,
    costExplorer: ce,
  });
  // Sonnet 3.7 via us.: 3 x (9,000 x $2.70 - 1,000 x $0.75) per MTok = $0.07065; Claude 3.5 Haiku's 5,000 writes x $0.20: -$0.001.
  const week = `${day(7)} to ${day(1)}`;
  const subject = `Prompt caching saved $0.070 net, ${week} (from losing $0.0010)`;
  expect([result.subject, result.models, result.attention]).toEqual([subject, 2, 1]);

  const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
  expect(Messages).toHaveLength(1);
  const envelope = JSON.parse(Messages?.[0].Body as string);
  expect(envelope.Subject).toBe(subject);
  // Haiku wrote on day 9 and day 2 and never read: still open from last week (the days between without traffic do not break it).
  expect(envelope.Message).toBe(
    [
      `Prompt cache weekly review, ${week}`,
      '',
      'ACTIONS',
      `1. claude-3-5-haiku: $0.0010 a week at stake. It writes its cache and never reads it since ${day(9).slice(5)} (still open from last week): $0.00014 a day of write premium for nothing (5 k cache-write tokens this week). Make the prompt before the cache point identical across calls, or stop caching it.`,
      '',
      'Caching saved $0.070 net this week (70.5% of the cost without cache), after losing $0.0010 last week.',
      'Billed vs computed (Cost Explorer, ap-east-1): billed $0.00, computed $0.029: nothing billed to compare with.',
      'Hit ratio 77.1% (+77.1 pts against last week); 27 k cache-read and 8 k cache-write tokens.',
      '',
      `Cost-review dashboard: ${dashboardUrl}`,
      '',
      'PER MODEL',
      '  support-bot [optimized]: saved $0.071, +$0.071 (from $0.00) against last week; hit ratio 90.0% (n/a), break-even 21.7%',
      '  claude-3-5-haiku [misconfigured]: lost $0.0010, $0.00 (0.0%) against last week; hit ratio 0.0% (0.0 pts), break-even 21.7%',
      '',
      'MODEL IDS',
      `  support-bot: ${SONNET}`,
      `  claude-3-5-haiku: ${HAIKU}`,
      '',
    ].join('\n'),
  );
  for (const c of [cw, sns, sqs, ce]) c.destroy();
});
