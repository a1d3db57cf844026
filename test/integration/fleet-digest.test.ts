/**
 * The fleet digest (lambda/handlers/digest.ts, fleet mode) against moto: each target's AWS/Bedrock Sums in a moto
 * account of its own (510987654321, the monitoring account, and 520987654321; the emulator keeps accounts apart by
 * credentials only, having no cross-account observability), read in its region with a client per (region, account),
 * one e-mail over all of them through the monitoring account's SNS topic, read back from an SQS queue subscribed to it.
 * Regions us-east-2 and us-west-1, which fleet-targets.test.ts (the same accounts) does not read.
 */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { parseConfig } from '../../lambda/core/config';
import { DAY_MS, HOUR_MS } from '../../lambda/core/periods';
import type { RunLog } from '../../lambda/core/publish-run';
import { readDigestEnv, sendFleetDigest, type FleetDigestTarget } from '../../lambda/handlers/digest';
import { seedBedrock } from '../support/bedrock-seed';
import { inMotoAccount } from '../support/cost-explorer-seed';

const MONITORING = '510987654321';
const TEAM_B = '520987654321';
const SONNET = 'us.anthropic.claude-3-7-sonnet-20250219-v1:0';
const HAIKU = 'us.anthropic.claude-3-5-haiku-20241022-v1:0';
const TODAY = Math.floor(Date.now() / DAY_MS) * DAY_MS;
const quiet: RunLog = { info: () => undefined, warn: () => undefined };
const day = (n: number) => new Date(TODAY - n * DAY_MS).toISOString().slice(0, 10);

const config = parseConfig(
  {
    models: [{ modelId: SONNET, displayName: 'support-bot' }],
    monitoring: { account: MONITORING, region: 'us-east-2' },
    targets: [
      { account: MONITORING, region: 'us-east-2' },
      { account: TEAM_B, region: 'us-east-2', models: [{ modelId: HAIKU, displayName: 'team-b-bot' }] },
      { account: TEAM_B, region: 'us-west-1' },
    ],
  },
  'test',
);
/** As the roll-up stack's WeeklyDigest writes DIGEST_FLEET_TARGETS. */
const TARGETS: FleetDigestTarget[] = [
  { account: MONITORING, region: 'us-east-2', linked: false },
  { account: TEAM_B, region: 'us-east-2', linked: true },
  { account: TEAM_B, region: 'us-west-1', linked: true },
];

test('one e-mail over every target: the total, a line per account and region, each one top models; the quiet one "no data"', async () => {
  const seed = async (account: string, modelId: string, tokens: Parameters<typeof seedBedrock>[1][number]['tokens']) => {
    const cw = inMotoAccount(new CloudWatchClient({ region: 'us-east-2' }), account);
    await seedBedrock(cw, [{ modelId, periodStartMs: TODAY - 3 * DAY_MS + HOUR_MS, tokens }]);
    cw.destroy();
  };
  await seed(MONITORING, SONNET, {
    inputTokens: 1_000_000,
    cacheReadInputTokens: 2_000_000,
    cacheWriteInputTokens: 400_000,
    outputTokens: 100_000,
  });
  await seed(TEAM_B, HAIKU, { inputTokens: 1_000_000, cacheReadInputTokens: 2_000_000, cacheWriteInputTokens: 0, outputTokens: 100_000 });

  const sns = inMotoAccount(new SNSClient({ region: 'us-east-2' }), MONITORING);
  const sqs = inMotoAccount(new SQSClient({ region: 'us-east-2' }), MONITORING);
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'fleet-cost-review' }));
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'fleet-digest-inbox' }));
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
  await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: Attributes?.QueueArn }));

  const made: CloudWatchClient[] = [];
  const asked: string[] = [];
  const result = await sendFleetDigest({
    config,
    topicArn: TopicArn as string,
    nowMs: TODAY + 8 * HOUR_MS,
    targets: TARGETS,
    cloudWatch: (region, account) => {
      asked.push(`${account} ${region}`);
      const cw = inMotoAccount(new CloudWatchClient({ region }), account);
      made.push(cw);
      return cw;
    },
    sns,
    log: quiet,
  });
  const week = `${day(7)} to ${day(1)}`;
  // Sonnet 3.7 ($3 in, $0.30 read, $3.75 write, $15 out per MTok): $6.60 with cache, $11.70 without. Haiku 3.5 ($0.80
  // in, $0.08 read, $4 out): $0.80 + $0.16 + $0.40 = $1.36 with, 3 M x $0.80 + $0.40 = $2.80 without. Net $5.10 + $1.44.
  const subject = `Prompt caching saved $6.54 net over 2 of 3 targets, ${week}`;
  expect([result, asked]).toEqual([
    { subject, messageId: result.messageId, targets: 3, targetsWithData: 2 },
    [`${MONITORING} us-east-2`, `${TEAM_B} us-east-2`, `${TEAM_B} us-west-1`],
  ]);
  expect(result.messageId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);

  const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
  expect(Messages).toHaveLength(1);
  const envelope = JSON.parse(Messages?.[0].Body as string);
  expect(envelope.Subject).toBe(subject);
  expect(envelope.Message).toBe(
    [
      `Prompt cache weekly review over 3 targets, ${week}`,
      '',
      'Caching saved $6.54 net over 2 targets (45.1% of the cost without cache): cost with cache $7.96, without $14.50, hit ratio 90.9%.',
      `No data (no token in the window, not $0 of savings): ${TEAM_B} us-west-1.`,
      '',
      'PER TARGET',
      `  ${MONITORING} us-east-2: saved $5.10 net; cost with cache $6.60, without $11.70; hit ratio 83.3%; 1 model`,
      `  ${TEAM_B} us-east-2: saved $1.44 net; cost with cache $1.36, without $2.80; hit ratio 100.0%; 1 model`,
      `  ${TEAM_B} us-west-1: no data`,
      '  TOTAL: saved $6.54 net; cost with cache $7.96, without $14.50; hit ratio 90.9%; 2 models',
      '',
      'TOP MODELS PER TARGET (by dollars at stake)',
      `  ${MONITORING} us-east-2`,
      '    support-bot [optimized]: saved $5.10, hit ratio 83.3%, 3.5 M tokens',
      `  ${TEAM_B} us-east-2`,
      '    team-b-bot [optimized]: saved $1.44, hit ratio 100.0%, 3.1 M tokens',
      '',
      'MODEL IDS',
      `  support-bot: ${SONNET}`,
      `  team-b-bot: ${HAIKU}`,
      '',
    ].join('\n'),
  );
  for (const c of [...made, sns, sqs]) c.destroy();
});

test('DIGEST_FLEET_TARGETS: read as the fleet mode, every problem named once', () => {
  const base = { DIGEST_TOPIC_ARN: 'arn:aws:sns:us-east-2:510987654321:t', PROMPT_CACHE_CONFIG: '{}' };
  expect(readDigestEnv({ ...base, DIGEST_FLEET_TARGETS: JSON.stringify(TARGETS) }).fleetTargets).toEqual(TARGETS);
  expect(readDigestEnv(base).fleetTargets).toBeUndefined();
  expect(() => readDigestEnv({ ...base, DIGEST_FLEET_TARGETS: '[{"account":"5","region":"us-east-2","linked":true}]' })).toThrow(
    'digest environment is invalid: DIGEST_FLEET_TARGETS must be a non-empty list of {"account": 12 digits, "region": an AWS region, "linked": true|false}',
  );
  expect(() => readDigestEnv({ ...base, DIGEST_FLEET_TARGETS: '[' })).toThrow(
    'digest environment is invalid: DIGEST_FLEET_TARGETS is not JSON (',
  );
});
