/**
 * The roll-up's notifier (the monitoring account's) against moto: a cross-account fleet contributor (AWS.AccountId and
 * ModelId) pages once, naming the source account and its stack, with the figures read with that account's AccountId;
 * a source account's heartbeat pages for that account. The emulator has no cross-account observability: it takes the
 * AccountId field and serves the series seeded in the one account it has (the queries' AccountId is asserted on the
 * request itself). This file's own region and namespace.
 */
import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { catalogLookup, fleetAlarms, type CatalogAlarm } from '../../lambda/core/alarm-catalog';
import { parseConfig } from '../../lambda/core/config';
import { CUSTOM_METRICS, MODEL_ID_DIMENSION } from '../../lambda/core/contract';
import { contributorAccount, figuresQuery, isIgnored, readAlarmEvent } from '../../lambda/core/pages';
import { HOUR_MS } from '../../lambda/core/periods';
import type { RunLog } from '../../lambda/core/publish-run';
import { metricDataQueries } from '../../lambda/aws/alarm-figures';
import { notify, type NotifierDeps } from '../../lambda/handlers/notifier';
import { drain, topicWithQueue } from '../support/sns-inbox';
import { contributorEvent, stateEvent } from '../support/alarm-events';

const REGION = 'ap-northeast-2'; // this file's own moto region
const PREFIX = 'PromptCache-Rollup';
const TEAM_A = '222222222222';
const TEAM_B = '333333333333';
const CODE = 'global.anthropic.claude-sonnet-4-5-20250929-v1:0';
const NOW = Math.floor(Date.now() / HOUR_MS) * HOUR_MS + 42 * 60_000;
const HOUR = NOW - (NOW % HOUR_MS);
const config = parseConfig(
  { namespace: 'RollupNotifierTest', models: [{ modelId: CODE, displayName: 'code-review', cacheWriteTtl: '1h' }] },
  'test',
);
const catalog: CatalogAlarm[] = [
  ...fleetAlarms(PREFIX).map((a) => ({ ...a, crossAccount: true })),
  { name: `${PREFIX}-${TEAM_B}-PublisherHeartbeat`, family: 'heartbeat', severity: 'page', kind: 'pipeline', accountId: TEAM_B },
];
const LABELS = { [TEAM_A]: 'Prompts-222222222222-ap-northeast-2', [TEAM_B]: 'TeamB' };

const cw = new CloudWatchClient({ region: REGION });
const sns = new SNSClient({ region: REGION, maxAttempts: 1 });
const sqs = new SQSClient({ region: REGION });
const log: RunLog = { info: () => undefined, warn: () => undefined };
let queues: { page: string; ticket: string };
let deps: NotifierDeps;

beforeAll(async () => {
  const page = await topicWithQueue(sns, sqs, 'rollup-oncall');
  const ticket = await topicWithQueue(sns, sqs, 'rollup-tickets');
  queues = { page: page.queue, ticket: ticket.queue };
  // code-review in TEAM_A: losing $2.85/h at a 9% hit ratio for the last two published hours.
  const series: [string, number[]][] = [
    [CUSTOM_METRICS.cacheHitRatio.name, [61, 9, 9]],
    [CUSTOM_METRICS.netSavingsUsd.name, [0.4, -2.85, -2.85]],
    [CUSTOM_METRICS.alarmNetSavingsUsdPerHour.name, [0.4, -2.85, -2.85]],
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
    pageTopicArn: page.topic,
    ticketTopicArn: ticket.topic,
    dashboardUrl: `https://console.aws.amazon.com/cloudwatch/home?region=us-east-1#dashboards/dashboard/${PREFIX}-Fleet`,
    accountLabels: LABELS,
    cloudWatch: cw,
    sns,
    log,
  };
});
afterAll(() => [cw, sns, sqs].forEach((c) => c.destroy()));

const hhmm = (ms: number) => new Date(ms).toISOString().slice(11, 16);

test("a contributor's account is read from AWS.AccountId (AccountId too); only 12 digits count", () => {
  expect(
    [{ 'AWS.AccountId': TEAM_A }, { AccountId: TEAM_B }, { 'AWS.AccountId': 'team-a' }, {}].map((a) => contributorAccount(a) ?? null),
  ).toEqual([TEAM_A, TEAM_B, null, null]);
});

test('the figures of a cross-account notice are read with its AccountId, every series', () => {
  const notice = readAlarmEvent(
    contributorEvent({ alarmName: `${PREFIX}-Fleet-LowHitRatio`, modelId: CODE, accountId: TEAM_A, state: 'ALARM', atMs: NOW }),
    catalogLookup(catalog),
  );
  if (isIgnored(notice)) throw new Error(notice.ignored);
  expect(notice.accountId).toBe(TEAM_A);
  const queries = metricDataQueries(figuresQuery(notice, config));
  expect(queries.map((q) => [q.Id, q.AccountId])).toEqual([
    ['hit', TEAM_A],
    ['net', TEAM_A],
    ['margin', TEAM_A],
    ['wwr', TEAM_A],
    ['netPerHour', TEAM_A],
  ]);
});

test('a cross-account money page: once, on the paging topic, naming the account and its stack, with the figures', async () => {
  const outcome = await notify(
    contributorEvent({
      alarmName: `${PREFIX}-Fleet-CachingCostsMoney-Page`,
      modelId: CODE,
      accountId: TEAM_A,
      state: 'ALARM',
      datapoint: -2.85,
      atMs: NOW,
      region: REGION,
    }),
    deps,
  );
  const [paged, ticketed] = [await drain(sqs, queues.page), await drain(sqs, queues.ticket)];
  expect([paged.length, ticketed.length, (outcome as { figures?: string }).figures]).toEqual([1, 0, 'read']);
  expect(paged[0].Subject).toBe('PAGE 222222222222 code-review: caching losing $2.85/h (hit 9%, break-even 52.6%)');
  const lines = paged[0].Message.split('\n');
  expect(lines.slice(0, 4)).toEqual([
    'PAGE 222222222222 code-review: caching costs money: losing more than $1.00/h (net savings under -$1.00/h, alarms.pageAboveUsdPerHour).',
    `Account: ${TEAM_A} (stack Prompts-222222222222-ap-northeast-2), region ${REGION}: sign in there to act (its own on-call dashboard, \`prompt-cache doctor\`)`,
    `Model: ${CODE}, 1-hour cache, break-even 52.6%, priced by catalog:anthropic.claude-sonnet-4-5-20250929-v1:0 (1h write)`,
    `Alarm: ${PREFIX}-Fleet-CachingCostsMoney-Page (contributor AWS.AccountId=${TEAM_A}, ModelId=${CODE})`,
  ]);
  expect(lines.filter((l) => /^(Since|On-call dashboard):/.test(l))).toEqual([
    `Since: ${hhmm(HOUR - 2 * HOUR_MS)} UTC (2 published hours in a row); alarm at ${hhmm(NOW)} UTC.`,
    `On-call dashboard: https://console.aws.amazon.com/cloudwatch/home?region=us-east-1#dashboards/dashboard/${PREFIX}-Fleet`,
  ]);
});

test("a source account's heartbeat pages for that account; a contributor without its account still pages, saying so", async () => {
  await notify(
    stateEvent({ alarmName: `${PREFIX}-${TEAM_B}-PublisherHeartbeat`, state: 'ALARM', previous: 'OK', atMs: NOW, datapoint: 99999 }),
    deps,
  );
  await notify(contributorEvent({ alarmName: `${PREFIX}-Fleet-LowHitRatio`, modelId: CODE, state: 'ALARM', atMs: NOW }), deps);
  const [paged, ticketed] = [await drain(sqs, queues.page), await drain(sqs, queues.ticket)];
  expect([paged.length, ticketed.length]).toEqual([1, 1]);
  expect(paged[0].Subject.startsWith('PAGE 333333333333 savings pipeline: ')).toBe(true);
  expect(paged[0].Message.split('\n')[1]).toBe(
    `Account: ${TEAM_B} (stack TeamB), region us-east-1: sign in there to act (its own on-call dashboard, \`prompt-cache doctor\`)`,
  );
  expect(ticketed[0].Subject.startsWith('TICKET account ? code-review: ')).toBe(true);
  expect(ticketed[0].Message.split('\n')[1]).toBe(
    'Account: unknown (the event named none); find the model on the fleet dashboard, one line per target',
  );
});
