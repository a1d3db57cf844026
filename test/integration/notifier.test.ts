/**
 * The notifier against moto with the real SDK clients: two SNS topics (paging, ticket), each subscribed by an SQS queue;
 * the model's custom series seeded in CloudWatch; one event in, exactly one message out, on the topic of the alarm's
 * severity, with the figures. Figures that cannot be read do not lose the page; a Publish whose outcome is unknown is
 * not retried (one message, not two). Then the deployable bundle, with its environment, does the same. This file's own
 * region; its own namespace.
 */
import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { catalogLookup, listedAlarms } from '../../lambda/core/alarm-catalog';
import { parseConfig } from '../../lambda/core/config';
import { CUSTOM_METRICS, MODEL_ID_DIMENSION } from '../../lambda/core/contract';
import { HOUR_MS } from '../../lambda/core/periods';
import type { RunLog } from '../../lambda/core/publish-run';
import { notify, type NotifierDeps } from '../../lambda/handlers/notifier';
import { drain, topicWithQueue } from '../support/sns-inbox';
import { contributorEvent, PREFIX, sampleCatalog, stateEvent } from '../support/alarm-events';
import { bundleWithConfig } from '../support/bundle-run';
import { startFaultProxy } from '../support/fault-proxy';

const REGION = 'mx-central-1'; // this file's own moto region
const MOTO = process.env.AWS_ENDPOINT_URL as string;
const CODE = 'global.anthropic.claude-sonnet-4-5-20250929-v1:0';
const QUIET = 'us.anthropic.claude-3-7-sonnet-20250219-v1:0'; // no series seeded
const NOW = Math.floor(Date.now() / HOUR_MS) * HOUR_MS + 42 * 60_000;
const HOUR = NOW - (NOW % HOUR_MS);
const config = parseConfig(
  { namespace: 'NotifierTest', models: [{ modelId: CODE, displayName: 'code-review', cacheWriteTtl: '1h' }] },
  'test',
);
const catalog = sampleCatalog();

const cw = new CloudWatchClient({ region: REGION });
const sns = new SNSClient({ region: REGION, maxAttempts: 1 });
const sqs = new SQSClient({ region: REGION });
const logged: { level: string; message: string; data?: Record<string, unknown> }[] = [];
const log: RunLog = {
  info: (message, data) => logged.push({ level: 'info', message, data }),
  warn: (message, data) => logged.push({ level: 'warn', message, data }),
};
let topics: { page: string; ticket: string };
let queues: { page: string; ticket: string };
let deps: NotifierDeps;

beforeAll(async () => {
  const page = await topicWithQueue(sns, sqs, 'oncall');
  const ticket = await topicWithQueue(sns, sqs, 'tickets');
  topics = { page: page.topic, ticket: ticket.topic };
  queues = { page: page.queue, ticket: ticket.queue };
  // code-review over the last 4 published hours: fine, then losing $2.85/h at a 9% hit ratio for three hours.
  const series: [string, number[]][] = [
    [CUSTOM_METRICS.cacheHitRatio.name, [61, 9, 9, 9]],
    [CUSTOM_METRICS.netSavingsUsd.name, [0.4, -2.85, -2.85, -2.85]],
    [CUSTOM_METRICS.alarmNetSavingsUsdPerHour.name, [0.4, -2.85, -2.85, -2.85]],
    [CUSTOM_METRICS.alarmHitRatioMarginPoints.name, [-1.6, -53.6, -53.6, -53.6]],
  ];
  await cw.send(
    new PutMetricDataCommand({
      Namespace: config.namespace,
      MetricData: series.flatMap(([name, values]) =>
        values.map((v, i) => ({
          MetricName: name,
          Dimensions: [{ Name: MODEL_ID_DIMENSION, Value: CODE }],
          Timestamp: new Date(HOUR - (values.length - i) * HOUR_MS),
          Value: v,
        })),
      ),
    }),
  );
  deps = {
    config,
    catalog,
    findAlarm: catalogLookup(catalog),
    namePrefix: PREFIX,
    pageTopicArn: topics.page,
    ticketTopicArn: topics.ticket,
    dashboardUrl: 'https://console.aws.amazon.com/cloudwatch/home?region=mx-central-1#dashboards/dashboard/N-OnCall',
    runbookUrl: 'https://github.com/example/prompt-cache',
    cloudWatch: cw,
    sns,
    log,
  };
});
afterAll(() => [cw, sns, sqs].forEach((c) => c.destroy()));
afterEach(async () => {
  logged.length = 0;
  await drain(sqs, queues.page);
  await drain(sqs, queues.ticket);
});

const atNow = (ms = NOW) => new Date(ms).toISOString().slice(11, 16);

test('a contributor ALARM of the money page: exactly one message, on the paging topic, with the figures read from CloudWatch', async () => {
  const event = contributorEvent({
    alarmName: `${PREFIX}-Fleet-CachingCostsMoney-Page`,
    modelId: CODE,
    state: 'ALARM',
    datapoint: -2.85,
    atMs: NOW,
    region: REGION,
  });
  const outcome = await notify(event, deps);
  const [paged, ticketed] = [await drain(sqs, queues.page), await drain(sqs, queues.ticket)];
  expect([paged.length, ticketed.length]).toEqual([1, 0]);
  expect([paged[0].TopicArn, paged[0].Subject]).toEqual([
    topics.page,
    'PAGE code-review: caching losing $2.85/h (hit 9%, break-even 52.6%)',
  ]);
  const lines = paged[0].Message.split('\n');
  expect(lines.filter((l) => /^(How bad|Since|Console):/.test(l))).toEqual([
    `How bad: losing $2.85/h in the published hour from ${atNow(HOUR - HOUR_MS)} UTC, $68.40 a day if it goes on; hit ratio 9%, break-even 52.6%.`,
    `Since: ${atNow(HOUR - 3 * HOUR_MS)} UTC (3 published hours in a row); alarm at ${atNow()} UTC.`,
    `Console: https://console.aws.amazon.com/cloudwatch/home?region=${REGION}#alarmsV2:alarm/${PREFIX}-Fleet-CachingCostsMoney-Page`,
  ]);
  expect({ ...outcome, messageId: typeof (outcome as { messageId?: unknown }).messageId }).toEqual({
    sent: true,
    eventId: '6d226bbc-07f0-9a31-3359-1736968f8ded',
    alarmName: `${PREFIX}-Fleet-CachingCostsMoney-Page`,
    modelId: CODE,
    transition: 'alarm',
    topic: 'page',
    subject: 'PAGE code-review: caching losing $2.85/h (hit 9%, break-even 52.6%)',
    messageId: 'string',
    figures: 'read',
  });
  expect(logged.map((l) => [l.level, l.message])).toEqual([['info', 'notification sent']]);
});

test('a ticket (low hit ratio) goes to the ticket topic only; a second model’s incident notifies while the first is open', async () => {
  await notify(
    contributorEvent({ alarmName: `${PREFIX}-Fleet-LowHitRatio`, modelId: CODE, state: 'ALARM', atMs: NOW, region: REGION }),
    deps,
  );
  await notify(
    contributorEvent({ alarmName: `${PREFIX}-Fleet-LowHitRatio`, modelId: QUIET, state: 'ALARM', atMs: NOW, region: REGION }),
    deps,
  );
  const [paged, ticketed] = [await drain(sqs, queues.page), await drain(sqs, queues.ticket)];
  expect([paged.length, ticketed.map((m) => m.Subject).sort()]).toEqual([
    0,
    ['TICKET code-review: hit ratio 9% under 62.6% (losing $2.85/h)', 'TICKET us.claude-3-7-sonnet-20250219: low hit ratio (under 50%)'],
  ]);
});

test('figures that cannot be read (GetMetricData throttled) do not lose the page: sent without them, and it says so', async () => {
  const proxy = await startFaultProxy(MOTO, 7, (op) => (op === 'GetMetricData' ? 'throttle' : undefined));
  const throttled = new CloudWatchClient({ region: REGION, endpoint: proxy.endpoint, maxAttempts: 1 });
  try {
    const event = contributorEvent({
      alarmName: `${PREFIX}-Fleet-CachingCostsMoney-Page`,
      modelId: CODE,
      state: 'ALARM',
      datapoint: -2.85,
      atMs: NOW,
      region: REGION,
    });
    const outcome = await notify(event, { ...deps, cloudWatch: throttled });
    const paged = await drain(sqs, queues.page);
    expect([paged.length, paged[0].Subject, (outcome as { figures: string }).figures, proxy.faults]).toEqual([
      1,
      'PAGE code-review: caching losing $2.85/h (break-even 52.6%)',
      'unavailable',
      { 'throttle:GetMetricData': 1 },
    ]);
    expect(paged[0].Message.split('\n').filter((l) => /^(Figures|How bad):/.test(l))).toEqual([
      'Figures: unavailable (GetMetricData failed: Throttling: Rate exceeded); sent without them.',
      "How bad: losing $2.85/h (the alarm's datapoint), $68.40 a day if it goes on.",
    ]);
    expect(logged.map((l) => [l.level, l.message])).toEqual([
      ['warn', 'figures unavailable: sending without them'],
      ['info', 'notification sent'],
    ]);
  } finally {
    throttled.destroy();
    await proxy.close();
  }
});

test('a Publish whose answer is lost is not retried: the invocation fails (to the dead-letter queue) and the page arrives once', async () => {
  const proxy = await startFaultProxy(MOTO, 7, (op) => (op.startsWith('POST') ? 'drop-after' : undefined));
  const lossy = new SNSClient({ region: REGION, endpoint: proxy.endpoint, maxAttempts: 1 });
  try {
    const event = stateEvent({ alarmName: `${PREFIX}-PublisherHeartbeat`, state: 'ALARM', previous: 'OK', atMs: NOW, datapoint: 99999 });
    await expect(notify(event, { ...deps, sns: lossy })).rejects.toThrow();
    const paged = await drain(sqs, queues.page);
    expect([paged.length, paged[0]?.Subject.startsWith('PAGE savings pipeline: '), proxy.faults]).toEqual([
      1,
      true,
      { 'drop-after:POST /': 1 },
    ]);
  } finally {
    lossy.destroy();
    await proxy.close();
  }
});

test('ignored events send nothing: a fleet alarm’s own transition, a first evaluation', async () => {
  const outcomes = [
    await notify(stateEvent({ alarmName: `${PREFIX}-Fleet-CachingCostsMoney-Page`, state: 'ALARM', previous: 'OK', atMs: NOW }), deps),
    await notify(stateEvent({ alarmName: `${PREFIX}-PublisherHeartbeat`, state: 'OK', previous: 'INSUFFICIENT_DATA', atMs: NOW }), deps),
  ];
  expect(outcomes.map((o) => (o.sent ? 'sent' : o.ignored))).toEqual([
    "a fleet alarm's own transition (its contributors notify, one per model)",
    'INSUFFICIENT_DATA → OK is no recovery (only OK after ALARM is)',
  ]);
  expect([(await drain(sqs, queues.page)).length, (await drain(sqs, queues.ticket)).length]).toEqual([0, 0]);
});

test('the deployable bundle, with the environment the construct gives it: the recovery of the money page arrives on the paging topic', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'notifier-bundle-'));
  try {
    const outfile = join(dir, 'index.js');
    await bundleWithConfig('notifier', config, outfile);
    const event = contributorEvent({
      alarmName: `${PREFIX}-Fleet-CachingCostsMoney-Page`,
      modelId: CODE,
      state: 'OK',
      datapoint: 0.3,
      atMs: NOW,
      region: REGION,
    });
    const result = join(dir, 'result.json');
    writeFileSync(
      join(dir, 'invoke.js'),
      `require(${JSON.stringify(outfile)}).handler(${JSON.stringify(event)}).then((r) => require('fs').writeFileSync(${JSON.stringify(result)}, JSON.stringify(r)), (e) => { console.error(e); process.exit(1); });`,
    );
    const stdout = execFileSync(process.execPath, [join(dir, 'invoke.js')], {
      encoding: 'utf8',
      env: {
        ...process.env,
        AWS_REGION: REGION,
        PROMPT_CACHE_CONFIG: '',
        PAGE_TOPIC_ARN: topics.page,
        TICKET_TOPIC_ARN: topics.ticket,
        ALARM_NAME_PREFIX: PREFIX,
        ALARM_CATALOG: JSON.stringify(listedAlarms(catalog)),
        DASHBOARD_URL: 'https://console.aws.amazon.com/cloudwatch/home?region=mx-central-1#dashboards/dashboard/N-OnCall',
        RUNBOOK_URL: 'https://github.com/example/prompt-cache',
      },
    });
    const line = JSON.parse(stdout.trim().split('\n').pop() as string);
    expect([line.level, line.message, line.service, line.subject]).toEqual([
      'INFO',
      'notification sent',
      'prompt-cache-notifier',
      'OK code-review: caching no longer losing over $1.00/h',
    ]);
    expect(JSON.parse(readFileSync(result, 'utf8')).topic).toBe('page');
    const paged = await drain(sqs, queues.page);
    expect(paged.map((m) => m.Subject)).toEqual(['OK code-review: caching no longer losing over $1.00/h']);
    expect(paged[0].Message.split('\n').slice(-1)).toEqual(['Runbook: https://github.com/example/prompt-cache#caching-costs-money']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
