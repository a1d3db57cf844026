/**
 * `prompt-cache doctor` against moto with real SDK clients (CloudWatch, CloudWatch Logs, CloudFormation, DynamoDB),
 * in-process with the clock, sleep and the inference-profile lookups swapped in (moto has no GetInferenceProfile; the
 * resolver's request shape is tested with stub clients in test/aws). The alarm notifier is played by the fake sleep: it
 * writes the notifier's line to the stack's notifier log group while doctor waits. Each test keeps to its own region
 * (ap-southeast-1, ap-northeast-3, eu-south-2: this file's), so none sees another's data.
 */
import { CloudWatchClient, DeleteAlarmsCommand, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { main, type CliDeps } from '../../bin/prompt-cache';
import type { ProfileLookup } from '../../lambda/core/inference-profiles';
import { HOUR_MS, MINUTE_MS } from '../../lambda/core/periods';
import { seedBedrock } from '../support/bedrock-seed';
import { createDoctorStack, writeNotifierLine, writeWatermark } from '../support/doctor-stack';

const root = resolve(__dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'prompt-cache-doctor-'));
const NOW = Math.floor(Date.now() / HOUR_MS) * HOUR_MS - HOUR_MS + 25 * MINUTE_MS;
const SONNET = 'us.anthropic.claude-3-7-sonnet-20250219-v1:0';
const HAIKU = 'anthropic.claude-haiku-4-5-20251001-v1:0';
const PROFILE = 'arn:aws:bedrock:us-east-1:111122223333:application-inference-profile/a1b2c3d4e5f6';

function configFile(config: object): string {
  const file = join(dir, `${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify(config));
  return file;
}

/** Fake time: the probe's clock starts at NOW and moves only when it sleeps; `onSleep` runs at each sleep, before it. */
function deps(
  profiles: Record<string, ProfileLookup>,
  onSleep: (t: number) => Promise<void> = async () => undefined,
): CliDeps & { sleeps: number[] } {
  let t = NOW;
  const sleeps: number[] = [];
  return {
    sleeps,
    doctor: {
      profiles: { lookup: async (ids) => new Map(ids.filter((id) => profiles[id]).map((id) => [id, profiles[id]])) },
      clock: () => t,
      sleep: async (ms) => {
        sleeps.push(ms);
        await onSleep(t);
        t += ms;
      },
    },
  };
}

async function run(argv: string[], d: CliDeps = {}) {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: (x) => (stdout += x), stderr: (x) => (stderr += x) }, d);
  return { code, stdout, stderr };
}

async function putLag(region: string, atMs: number, minutes: number) {
  const cw = new CloudWatchClient({ region });
  await cw.send(
    new PutMetricDataCommand({
      Namespace: 'BedrockPromptCache',
      MetricData: [{ MetricName: 'PublisherLagMinutes', Timestamp: new Date(atMs), Value: minutes }],
    }),
  );
  cw.destroy();
}

const tokens = { inputTokens: 100, cacheReadInputTokens: 800, cacheWriteInputTokens: 200, outputTokens: 50 };

describe('bad arguments exit 2 with one line naming the option', () => {
  test.each<[string, string[], string]>([
    ['no --region', [], 'error: --region is required: the region where you call Bedrock and deployed the stack, e.g. --region us-east-1\n'],
    ['a bad --region', ['--region', 'mars-1'], 'error: --region: not an AWS region (got "mars-1"); e.g. us-east-1\n'],
    [
      'an unknown --format',
      ['--region', 'us-east-1', '--format', 'yaml'],
      "error: option '--format <format>' argument 'yaml' is invalid. Allowed choices are text, json.\n",
    ],
    [
      'a bad --stack',
      ['--region', 'us-east-1', '--stack', '1stack'],
      'error: --stack: not a CloudFormation stack name (got "1stack"); letters, digits and "-", starting with a letter, e.g. BedrockPromptCacheMonitoring\n',
    ],
    [
      'a missing --config file',
      ['--region', 'us-east-1', '--config', '/nonexistent/cfg.json'],
      'error: invalid config in /nonexistent/cfg.json: file not found; check the path\n',
    ],
  ])('%s', async (_name, argv, stderr) => {
    expect(await run(['doctor', ...argv])).toEqual({ code: 2, stdout: '', stderr });
  });

  test('a bad config names the file and the field', async () => {
    const bad = configFile({ bedrockMetricNames: { cacheReadInputTokens: 'has:colon' } });
    expect(await run(['doctor', '--region', 'us-east-1', '--config', bad])).toEqual({
      code: 2,
      stdout: '',
      stderr: `error: invalid config in ${bad}: bedrockMetricNames.cacheReadInputTokens: must be a CloudWatch metric name (got "has:colon")\n`,
    });
  });
});

const iso = (ms: number) => new Date(ms).toISOString();

test('a healthy account: every check passes and the notifier sent the test ticket (exact JSON, then the text of a run without the test)', async () => {
  const region = 'ap-southeast-1';
  const stack = await createDoctorStack(region, 'Healthy');
  await writeWatermark(region, stack.ledgerTable, 'BedrockPromptCache', NOW - 85 * MINUTE_MS);
  await putLag(region, NOW - 15 * MINUTE_MS, 75);
  const cw = new CloudWatchClient({ region });
  await seedBedrock(
    cw,
    [SONNET, PROFILE].map((modelId) => ({ modelId, periodStartMs: NOW - 3 * HOUR_MS, tokens })),
  );
  await cw.send(new PutMetricDataCommand({ Namespace: 'AWS/Bedrock', MetricData: [{ MetricName: 'InputTokenCount', Value: 200 }] }));
  cw.destroy();
  const config = configFile({
    models: [
      { modelId: SONNET, displayName: 'support-bot' },
      { modelId: PROFILE, displayName: 'claims-triage', priceAs: HAIKU },
    ],
  });
  const profiles = { [PROFILE]: { status: 'routed', route: { modelId: HAIKU, regions: ['us-east-1', 'us-east-2'] } } } as const;
  const messageId = '5f1c2a9e-0b7d-4c39-9e55-1d2f3a4b5c6d';
  const lg = stack.notifier!.logGroup;
  // The notifier answers during doctor's first wait, 6 s after the alarm was set.
  const d = deps(profiles, async (t) => {
    if (t === NOW)
      await writeNotifierLine(region, lg, NOW + 6_000, 'notification sent', {
        alarmName: 'Healthy-PublisherErrors',
        topic: 'ticket',
        messageId,
      });
  });
  const out = await run(
    ['doctor', '--region', region, '--config', config, '--stack', 'Healthy', '--test-notification', '--format', 'json'],
    d,
  );
  expect([out.code, out.stderr]).toEqual([
    0,
    'notification-delivery: setting Healthy-PublisherErrors to ALARM with SetAlarmState; the alarm notifier WILL send a test ticket to the ticket topic (arn:aws:sns:ap-southeast-1:123456789012:Healthy-Tickets).\n' +
      'notification-delivery: the alarm returns to its real state at its next evaluation (and the notifier then sends its recovery).\n' +
      `notification-delivery: the notifier's line about Healthy-PublisherErrors: "notification sent", 6 s after it was set.\n`,
  ]);
  expect(d.sleeps).toEqual([10_000]);
  const names = ['CacheReadInputTokenCount', 'CacheWriteInputTokenCount', 'InputTokenCount', 'OutputTokenCount'];
  expect(JSON.parse(out.stdout)).toEqual({
    region,
    checks: [
      {
        id: 'bedrock-metric-names',
        status: 'pass',
        summary: `ap-southeast-1 reports ${names.join(', ')}; every spelling is read (nothing pinned)`,
        fix: null,
        details: { found: names, pinned: {} },
      },
      {
        id: 'all-models-series',
        status: 'pass',
        summary: 'dimensionless AWS/Bedrock series present: InputTokenCount',
        fix: null,
        details: { dimensionless: ['InputTokenCount'] },
      },
      {
        id: 'models-unconfigured',
        status: 'pass',
        summary: 'every model with traffic (2) is in models[]',
        fix: null,
        details: { unconfigured: [], withTraffic: 2 },
      },
      {
        id: 'models-unpriced',
        status: 'pass',
        summary: 'every model with traffic (2) has a price',
        fix: null,
        details: {
          unpriced: [],
          priced: { [PROFILE]: `catalog:${HAIKU} (regional +10%)`, [SONNET]: 'catalog:anthropic.claude-3-7-sonnet-20250219-v1:0' },
        },
      },
      {
        id: 'inference-profiles',
        status: 'pass',
        summary: `1 application inference profile resolved: a1b2c3d4e5f6 → ${HAIKU} (us-east-1, us-east-2)`,
        fix: null,
        details: {
          profiles: [
            { arn: PROFILE, routesTo: HAIKU, regions: ['us-east-1', 'us-east-2'], suggestedPriceAs: HAIKU, configuredPriceAs: HAIKU },
          ],
        },
      },
      {
        id: 'stack-alarms',
        status: 'pass',
        summary:
          'stack Healthy (CREATE_COMPLETE): 7 alarms (4 Metrics Insights): 7 OK, 0 ALARM, 0 INSUFFICIENT_DATA; 4 of the default 200 Metrics Insights alarms in use in ap-southeast-1',
        fix: null,
        details: {
          stack: 'Healthy',
          exists: true,
          status: 'CREATE_COMPLETE',
          alarms: 7,
          composites: 0,
          counts: { OK: 7, ALARM: 0, INSUFFICIENT_DATA: 0 },
          missing: [],
          insufficientData: [],
          fleetAlarms: stack.alarms.fleet.map((name) => ({ name, state: 'OK' })),
          metricsInsightsAlarmsInRegion: 4,
        },
      },
      {
        id: 'publisher-freshness',
        status: 'pass',
        summary: `watermark ${iso(NOW - 85 * MINUTE_MS)}, 85 min behind (at most 130); last PublisherLagMinutes 75 at ${iso(NOW - 15 * MINUTE_MS)}`,
        fix: null,
        details: {
          ledgerTable: 'Healthy-ledger',
          watermark: iso(NOW - 85 * MINUTE_MS),
          minutesBehind: 85,
          maxMinutesBehind: 130,
          lastLagAt: iso(NOW - 15 * MINUTE_MS),
          lastLagMinutes: 75,
          periodsAwaitingSettlement: 0,
          settlementDueAt: null,
        },
      },
      {
        id: 'notification-delivery',
        status: 'pass',
        summary: `Healthy-PublisherErrors set to ALARM; the notifier sent it to the ticket topic (${stack.ticketTopicArn}), message id ${messageId}`,
        fix: null,
        details: {
          alarm: 'Healthy-PublisherErrors',
          topic: 'ticket',
          topicArn: stack.ticketTopicArn,
          logGroup: lg,
          setAt: iso(NOW),
          record: { kind: 'sent', atMs: NOW + 6_000, alarmName: 'Healthy-PublisherErrors', topic: 'ticket', messageId },
          readError: null,
        },
      },
    ],
  });

  // The test left PublisherErrors in ALARM (until its next evaluation); a run without the test sees it, read-only.
  const text = await run(['doctor', '--region', region, '--config', config, '--stack', 'Healthy'], deps(profiles));
  expect(text).toEqual({
    code: 0,
    stderr: '',
    stdout: [
      `PASS  bedrock-metric-names  ap-southeast-1 reports ${names.join(', ')}; every spelling is read (nothing pinned)`,
      'PASS  all-models-series  dimensionless AWS/Bedrock series present: InputTokenCount',
      'PASS  models-unconfigured  every model with traffic (2) is in models[]',
      'PASS  models-unpriced  every model with traffic (2) has a price',
      `PASS  inference-profiles  1 application inference profile resolved: a1b2c3d4e5f6 → ${HAIKU} (us-east-1, us-east-2)`,
      'PASS  stack-alarms  stack Healthy (CREATE_COMPLETE): 7 alarms (4 Metrics Insights): 6 OK, 1 ALARM, 0 INSUFFICIENT_DATA; 4 of the default 200 Metrics Insights alarms in use in ap-southeast-1',
      `PASS  publisher-freshness  watermark ${iso(NOW - 85 * MINUTE_MS)}, 85 min behind (at most 130); last PublisherLagMinutes 75 at ${iso(NOW - 15 * MINUTE_MS)}`,
      'SKIP  notification-delivery  not tested: it sets one alarm to ALARM, and the notifier sends one real notification for it',
      '      fix: Rerun with --test-notification.',
      '',
    ].join('\n'),
  });
});

test('a broken account: the other spelling against a pinned name, an unpriced model, a wrong priceAs, a deleted alarm, a stale watermark, a refused test ticket (exit 1)', async () => {
  const region = 'ap-northeast-3';
  const stack = await createDoctorStack(region, 'Broken');
  const cw = new CloudWatchClient({ region });
  await cw.send(new DeleteAlarmsCommand({ AlarmNames: [stack.alarms.heartbeat] }));
  await writeWatermark(region, stack.ledgerTable, 'BedrockPromptCache', NOW - 10 * HOUR_MS);
  const userGuideNames = {
    inputTokens: 'InputTokenCount',
    outputTokens: 'OutputTokenCount',
    cacheReadInputTokens: 'CacheReadInputTokens',
    cacheWriteInputTokens: 'CacheWriteInputTokens',
  };
  await seedBedrock(
    cw,
    [SONNET, PROFILE, 'us.acme.unknown-model-v1'].map((modelId) => ({ modelId, periodStartMs: NOW - 2 * HOUR_MS, tokens })),
    userGuideNames,
  );
  cw.destroy();
  const config = configFile({
    models: [{ modelId: SONNET }, { modelId: PROFILE, priceAs: 'us.anthropic.claude-3-7-sonnet-20250219-v1:0' }],
    bedrockMetricNames: { cacheReadInputTokens: 'CacheReadInputTokenCount' },
  });
  const profiles = { [PROFILE]: { status: 'routed', route: { modelId: HAIKU, regions: ['us-east-1'] } } } as const;
  const error =
    'KMSAccessDeniedException: User: arn:aws:sts::123456789012:assumed-role/notifier is not authorized to perform: kms:GenerateDataKey';
  const d = deps(profiles, async (t) => {
    if (t === NOW + 20_000)
      await writeNotifierLine(region, stack.notifier!.logGroup, t + 1_000, 'notification failed', {
        alarmName: 'Broken-PublisherErrors',
        error,
      });
  });
  const out = await run(
    ['doctor', '--region', region, '--config', config, '--stack', 'Broken', '--test-notification', '--format', 'json'],
    d,
  );
  expect(out.code).toBe(1);
  expect(out.stderr.split('\n')[2]).toBe(
    `notification-delivery: the notifier's line about Broken-PublisherErrors: "notification failed", 21 s after it was set.`,
  );
  expect(d.sleeps).toEqual([10_000, 10_000, 10_000]);
  const checks = (JSON.parse(out.stdout) as { checks: { id: string; status: string; summary: string; fix: string | null }[] }).checks;
  expect(checks.map((c) => [c.id, c.status])).toEqual([
    ['bedrock-metric-names', 'fail'],
    ['all-models-series', 'warn'],
    ['models-unconfigured', 'warn'],
    ['models-unpriced', 'fail'],
    ['inference-profiles', 'warn'],
    ['stack-alarms', 'fail'],
    ['publisher-freshness', 'fail'],
    ['notification-delivery', 'fail'],
  ]);
  const [names, , unconfigured, unpriced, profile, alarms, freshness, notification] = checks;
  expect([names.summary, names.fix]).toEqual([
    'bedrockMetricNames.cacheReadInputTokens is pinned to CacheReadInputTokenCount, which ap-northeast-3 does not have; it has CacheReadInputTokens',
    'Set bedrockMetricNames.cacheReadInputTokens to "CacheReadInputTokens" in cdk.json (or remove the key: unset reads every spelling).',
  ]);
  expect(unconfigured.summary).toBe(
    "1 model with traffic not in models[] (on the dashboards and in the publisher's metrics, but no per-model alarm or display name): us.acme.unknown-model-v1",
  );
  expect([unpriced.summary, unpriced.fix]).toEqual([
    '1 model with traffic and no price (tokens reported, dollars not): us.acme.unknown-model-v1',
    'In cdk.json, add pricing["us.acme.unknown-model-v1"] = {"inputPerMTok", "outputPerMTok", "cacheWritePerMTok", "cacheReadPerMTok"} (USD per million tokens), or set its models[].priceAs to a catalog model id (README "Prices and how a model id is priced").',
  ]);
  expect([profile.summary, profile.fix]).toEqual([
    `a1b2c3d4e5f6: priceAs is us.anthropic.claude-3-7-sonnet-20250219-v1:0 but the profile routes to ${HAIKU}`,
    `Set models[].priceAs of ${PROFILE} to "${HAIKU}" in cdk.json.`,
  ]);
  expect([alarms.summary, alarms.fix]).toEqual([
    '1 alarm of stack Broken missing from CloudWatch: Broken-PublisherHeartbeat',
    'Run npx cdk deploy to recreate them (they were deleted outside CloudFormation; drift detection shows what else changed).',
  ]);
  expect([freshness.summary, freshness.fix]).toEqual([
    'watermark 600 min behind (at most 130 expected); no PublisherLagMinutes datum in 6 hours (expected within 120 min)',
    'See README "When the publisher is silent"; back-fill by hand with npm run -s prompt-cache -- publish --config FILE --ledger-table Broken-ledger --region ap-northeast-3.',
  ]);
  expect([notification.summary, notification.fix]).toEqual([
    `Broken-PublisherErrors set to ALARM; the notifier could not send it: ${error}`,
    `Check that the KMS key policy of the ticket topic (${stack.ticketTopicArn}) lets the notifier's role ${stack.notifier!.roleName} use the key (kms:Decrypt, kms:GenerateDataKey*), and that the role may sns:Publish to the topic; npx cdk deploy restores both for the topics the stack creates (an imported topic's key policy is yours to grant). Then rerun with --test-notification.`,
  ]);
});

test('as an operator runs it: no stack and no Bedrock traffic in the region, exact JSON, exit 1', () => {
  const config = configFile({});
  const r = spawnSync(
    'npm',
    ['run', '-s', 'prompt-cache', '--', 'doctor', '--region', 'eu-south-2', '--config', config, '--format', 'json'],
    { cwd: root, encoding: 'utf8', timeout: 120_000 },
  );
  expect([r.status, r.stderr]).toEqual([1, '']);
  expect(JSON.parse(r.stdout)).toEqual({
    region: 'eu-south-2',
    checks: [
      {
        id: 'bedrock-metric-names',
        status: 'warn',
        summary: 'no AWS/Bedrock token metric in eu-south-2 in the last 14 days: no Bedrock traffic, nothing to check',
        fix: 'Call Bedrock in eu-south-2, or check --region (the region where your application calls Bedrock).',
        details: { found: [], pinned: {} },
      },
      {
        id: 'all-models-series',
        status: 'skip',
        summary: 'no AWS/Bedrock token metric to look at',
        fix: null,
        details: { dimensionless: [] },
      },
      {
        id: 'models-unconfigured',
        status: 'pass',
        summary: 'every model with traffic (0) is in models[]',
        fix: null,
        details: { unconfigured: [], withTraffic: 0 },
      },
      {
        id: 'models-unpriced',
        status: 'pass',
        summary: 'every model with traffic (0) has a price',
        fix: null,
        details: { unpriced: [], priced: {} },
      },
      {
        id: 'inference-profiles',
        status: 'skip',
        summary: 'no application inference profile ARN in the traffic or the config',
        fix: null,
        details: { profiles: [] },
      },
      {
        id: 'stack-alarms',
        status: 'fail',
        summary: 'stack BedrockPromptCacheMonitoring not found in eu-south-2',
        fix: 'Deploy it with npx cdk deploy (README "First deploy"), or check --stack and --region.',
        details: { stack: 'BedrockPromptCacheMonitoring', exists: false },
      },
      {
        id: 'publisher-freshness',
        status: 'skip',
        summary: 'stack BedrockPromptCacheMonitoring has no publisher (no LedgerTableName output)',
        fix: null,
        details: {},
      },
      {
        id: 'notification-delivery',
        status: 'skip',
        summary: 'not tested: it sets one alarm to ALARM, and the notifier sends one real notification for it',
        fix: 'Rerun with --test-notification.',
        details: {},
      },
    ],
  });
  // The emulator is shared with the whole suite (the demo loads it): time for the spawned run and the tsx start.
}, 150_000);
