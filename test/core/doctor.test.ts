/** doctor's checks, table-driven on plain observations (no AWS, no mocks): each check in pass and in warn/fail. */
import { parseConfig, type ConfigInput } from '../../lambda/core/config';
import {
  classifyActions,
  pickTestAlarm,
  renderDoctorText,
  runChecks,
  type Check,
  type DoctorObservations,
  type ListedMetric,
  type StackAlarm,
} from '../../lambda/core/doctor';
import type { ProfileLookup } from '../../lambda/core/inference-profiles';

const NOW = Date.UTC(2026, 10, 25, 12, 25);
const SONNET = 'us.anthropic.claude-3-7-sonnet-20250219-v1:0';
const HAIKU = 'anthropic.claude-haiku-4-5-20251001-v1:0';
const PROFILE = 'arn:aws:bedrock:us-east-1:111122223333:application-inference-profile/a1b2c3d4e5f6';
const perModel = (metricName: string, modelId: string): ListedMetric => ({ metricName, dimensions: [{ name: 'ModelId', value: modelId }] });
const DEFAULT_NAMES = ['InputTokenCount', 'OutputTokenCount', 'CacheReadInputTokenCount', 'CacheWriteInputTokenCount'];
const alarm = (name: string, state?: StackAlarm['state'], type: StackAlarm['type'] = 'MetricAlarm'): StackAlarm => ({
  name,
  type,
  ...(state ? { state } : {}),
});

const base: DoctorObservations = {
  region: 'us-east-1',
  nowMs: NOW,
  stackName: 'S',
  bedrockMetrics: [...DEFAULT_NAMES.map((n) => perModel(n, SONNET)), { metricName: 'InputTokenCount', dimensions: [] }],
  profiles: new Map(),
  stack: {
    exists: true,
    status: 'CREATE_COMPLETE',
    outputs: { LedgerTableName: 'L' },
    alarms: [alarm('S-PublisherErrors', 'OK'), alarm('S-SavingsPipeline', 'OK', 'CompositeAlarm')],
  },
  freshness: { ledgerTable: 'L', watermarkMs: NOW - 85 * 60_000, lastLag: { atMs: NOW - 15 * 60_000, minutes: 75 } },
};

function one(
  id: Check['id'],
  o: Partial<DoctorObservations>,
  config: ConfigInput = { models: [{ modelId: SONNET }] },
): [string, string, string | null] {
  const c = runChecks(parseConfig(config, 'test'), { ...base, ...o }).checks.find((x) => x.id === id) as Check;
  return [c.status, c.summary, c.fix];
}

const routed = (modelId: string): ProfileLookup => ({ status: 'routed', route: { modelId, regions: ['us-east-1'] } });

describe.each<[string, Check['id'], Partial<DoctorObservations>, ConfigInput | undefined, [string, string, string | null]]>([
  [
    'metric names: default spellings',
    'bedrock-metric-names',
    {},
    undefined,
    [
      'pass',
      'us-east-1 reports CacheReadInputTokenCount, CacheWriteInputTokenCount, InputTokenCount, OutputTokenCount; every spelling is read (nothing pinned)',
      null,
    ],
  ],
  [
    'metric names: the pinned write name absent, the other present',
    'bedrock-metric-names',
    { bedrockMetrics: [perModel('CacheWriteInputTokens', SONNET)] },
    { bedrockMetricNames: { cacheWriteInputTokens: 'CacheWriteInputTokenCount' } },
    [
      'fail',
      'bedrockMetricNames.cacheWriteInputTokens is pinned to CacheWriteInputTokenCount, which us-east-1 does not have; it has CacheWriteInputTokens',
      'Set bedrockMetricNames.cacheWriteInputTokens to "CacheWriteInputTokens" in cdk.json (or remove the key: unset reads every spelling).',
    ],
  ],
  [
    'metric names: both read spellings have data',
    'bedrock-metric-names',
    { bedrockMetrics: [perModel('CacheReadInputTokenCount', SONNET), perModel('CacheReadInputTokens', SONNET)] },
    undefined,
    [
      'warn',
      'both CacheReadInputTokenCount, CacheReadInputTokens have data: the dashboards and the publisher would sum both',
      'Pin one: set bedrockMetricNames.cacheReadInputTokens to "CacheReadInputTokenCount" in cdk.json.',
    ],
  ],
  [
    'metric names: a pinned name that is there',
    'bedrock-metric-names',
    { bedrockMetrics: [perModel('CacheReadInputTokens', SONNET)] },
    { bedrockMetricNames: { cacheReadInputTokens: 'CacheReadInputTokens' } },
    ['pass', 'us-east-1 reports CacheReadInputTokens; pinned: bedrockMetricNames.cacheReadInputTokens', null],
  ],
  [
    'metric names: no traffic',
    'bedrock-metric-names',
    { bedrockMetrics: [] },
    undefined,
    [
      'warn',
      'no AWS/Bedrock token metric in us-east-1 in the last 14 days: no Bedrock traffic, nothing to check',
      'Call Bedrock in us-east-1, or check --region (the region where your application calls Bedrock).',
    ],
  ],
  ['all-models: present', 'all-models-series', {}, undefined, ['pass', 'dimensionless AWS/Bedrock series present: InputTokenCount', null]],
  [
    'all-models: absent',
    'all-models-series',
    { bedrockMetrics: [perModel('InputTokenCount', SONNET)] },
    undefined,
    [
      'warn',
      "no dimensionless AWS/Bedrock token series: nothing in this project depends on them (the dashboards sum the per-model series, the all-models alarms read the publisher's own series), but AWS's sample Bedrock dashboards would be empty",
      null,
    ],
  ],
  ['unconfigured: none', 'models-unconfigured', {}, undefined, ['pass', 'every model with traffic (1) is in models[]', null]],
  [
    'unconfigured: one',
    'models-unconfigured',
    {},
    { models: [] },
    [
      'warn',
      `1 model with traffic not in models[] (on the dashboards and in the publisher's metrics, but no per-model alarm or display name): ${SONNET}`,
      `Add them to "models" in cdk.json (context.promptCacheMonitoring.models), e.g. {"modelId": "${SONNET}", "displayName": "..."}, then npx cdk deploy.`,
    ],
  ],
  [
    'unpriced: a profile priced through its route',
    'models-unpriced',
    { bedrockMetrics: [perModel('InputTokenCount', PROFILE)], profiles: new Map([[PROFILE, routed(HAIKU)]]) },
    { models: [] },
    ['pass', 'every model with traffic (1) has a price', null],
  ],
  [
    'unpriced: a profile that does not resolve',
    'models-unpriced',
    {
      bedrockMetrics: [perModel('InputTokenCount', PROFILE)],
      profiles: new Map([[PROFILE, { status: 'unresolved', reason: 'access-denied', message: 'AccessDeniedException: no' } as const]]),
    },
    { models: [] },
    [
      'fail',
      `1 model with traffic and no price (tokens reported, dollars not): ${PROFILE}`,
      `In cdk.json, add pricing["${PROFILE}"] = {"inputPerMTok", "outputPerMTok", "cacheWritePerMTok", "cacheReadPerMTok"} (USD per million tokens), or set its models[].priceAs to a catalog model id (README "Prices and how a model id is priced").`,
    ],
  ],
  [
    'profiles: none',
    'inference-profiles',
    {},
    undefined,
    ['skip', 'no application inference profile ARN in the traffic or the config', null],
  ],
  [
    'profiles: resolved, priceAs agrees (geo prefix ignored)',
    'inference-profiles',
    { profiles: new Map([[PROFILE, routed(HAIKU)]]) },
    { models: [{ modelId: PROFILE, priceAs: `us.${HAIKU}` }] },
    ['pass', `1 application inference profile resolved: a1b2c3d4e5f6 → ${HAIKU} (us-east-1)`, null],
  ],
  [
    'profiles: access denied',
    'inference-profiles',
    { profiles: new Map([[PROFILE, { status: 'unresolved', reason: 'access-denied', message: 'AccessDeniedException: no' } as const]]) },
    { models: [{ modelId: PROFILE }] },
    [
      'warn',
      'a1b2c3d4e5f6: not resolved (AccessDeniedException: no)',
      'Allow the IAM action bedrock:GetInferenceProfile (on the profile ARNs) to the identity running doctor and the publisher; until then set models[].priceAs by hand.',
    ],
  ],
  [
    'profiles: not found',
    'inference-profiles',
    { profiles: new Map([[PROFILE, { status: 'unresolved', reason: 'not-found', message: 'ResourceNotFoundException: gone' } as const]]) },
    { models: [{ modelId: PROFILE }] },
    [
      'warn',
      'a1b2c3d4e5f6: not resolved (ResourceNotFoundException: gone)',
      'The profile does not exist in us-east-1: check --region, or remove it from models in cdk.json.',
    ],
  ],
  [
    'profiles: priceAs differs from the route',
    'inference-profiles',
    { profiles: new Map([[PROFILE, routed(HAIKU)]]) },
    { models: [{ modelId: PROFILE, priceAs: SONNET }] },
    [
      'warn',
      `a1b2c3d4e5f6: priceAs is ${SONNET} but the profile routes to ${HAIKU}`,
      `Set models[].priceAs of ${PROFILE} to "${HAIKU}" in cdk.json.`,
    ],
  ],
  [
    'stack: all OK',
    'stack-alarms',
    {},
    undefined,
    ['pass', 'stack S (CREATE_COMPLETE): 2 alarms, 1 composite: 2 OK, 0 ALARM, 0 INSUFFICIENT_DATA', null],
  ],
  [
    'stack: missing',
    'stack-alarms',
    { stack: { exists: false } },
    undefined,
    ['fail', 'stack S not found in us-east-1', 'Deploy it with npx cdk deploy (README "First deploy"), or check --stack and --region.'],
  ],
  [
    'stack: an alarm deleted',
    'stack-alarms',
    {
      stack: {
        exists: true,
        status: 'UPDATE_COMPLETE',
        outputs: {},
        alarms: [alarm('S-PublisherErrors'), alarm('S-SavingsPipeline', 'OK', 'CompositeAlarm')],
      },
    },
    undefined,
    [
      'fail',
      '1 alarm of stack S missing from CloudWatch: S-PublisherErrors',
      'Run npx cdk deploy to recreate them (they were deleted outside CloudFormation; drift detection shows what else changed).',
    ],
  ],
  [
    'stack: insufficient data',
    'stack-alarms',
    {
      stack: {
        exists: true,
        status: 'CREATE_COMPLETE',
        outputs: {},
        alarms: [alarm('S-B', 'INSUFFICIENT_DATA'), alarm('S-A', 'INSUFFICIENT_DATA'), alarm('S-C', 'ALARM')],
      },
    },
    undefined,
    [
      'warn',
      '2 alarms in INSUFFICIENT_DATA (0 OK, 1 ALARM, 2 INSUFFICIENT_DATA): S-A, S-B',
      'A new stack\'s alarms start in INSUFFICIENT_DATA until data arrives; if one stays there past a day, check bedrock-metric-names and the publisher (README "When the publisher is silent").',
    ],
  ],
  [
    'freshness: fresh',
    'publisher-freshness',
    {},
    undefined,
    [
      'pass',
      'watermark 2026-11-25T11:00:00.000Z, 85 min behind (at most 130); last PublisherLagMinutes 75 at 2026-11-25T12:10:00.000Z',
      null,
    ],
  ],
  [
    'freshness: 1 minute past the limit',
    'publisher-freshness',
    { freshness: { ledgerTable: 'L', watermarkMs: NOW - 131 * 60_000, lastLag: { atMs: NOW - 15 * 60_000, minutes: 75 } } },
    undefined,
    [
      'fail',
      'watermark 131 min behind (at most 130 expected); last PublisherLagMinutes 75 at 2026-11-25T12:10:00.000Z',
      'See README "When the publisher is silent"; back-fill by hand with npm run -s prompt-cache -- publish --config FILE --ledger-table L --region us-east-1.',
    ],
  ],
  [
    'freshness: never ran, 5-minute periods',
    'publisher-freshness',
    { freshness: { ledgerTable: 'L', lastLag: { atMs: NOW - 11 * 60_000, minutes: 3 } } },
    { publisher: { periodMinutes: 5, settleDelayMinutes: 2 } },
    [
      'fail',
      'the ledger has no watermark: the publisher never committed a period; last PublisherLagMinutes 3 at 2026-11-25T12:14:00.000Z (expected within 10 min)',
      'See README "When the publisher is silent"; back-fill by hand with npm run -s prompt-cache -- publish --config FILE --ledger-table L --region us-east-1.',
    ],
  ],
  [
    'freshness: periods awaiting settlement (a crashed backfill)',
    'publisher-freshness',
    {
      freshness: {
        ledgerTable: 'L',
        watermarkMs: NOW - 85 * 60_000,
        lastLag: { atMs: NOW - 15 * 60_000, minutes: 75 },
        periodsAwaitingSettlement: 2,
        settlementDueAtMs: NOW + 40 * 3_600_000,
      },
    },
    undefined,
    [
      'pass',
      'watermark 2026-11-25T11:00:00.000Z, 85 min behind (at most 130); last PublisherLagMinutes 75 at 2026-11-25T12:10:00.000Z; 2 periods awaiting settlement (a put of old datums whose presence CloudWatch may show late), next due 2026-11-27T04:25:00.000Z',
      null,
    ],
  ],
  [
    'freshness: no publisher',
    'publisher-freshness',
    { freshness: undefined },
    undefined,
    ['skip', 'stack S has no publisher (no LedgerTableName output)', null],
  ],
  [
    'notification: not asked',
    'notification-delivery',
    {},
    undefined,
    ['skip', 'not tested: it pages the on-call topic once', 'Rerun with --test-notification.'],
  ],
  [
    'notification: delivered',
    'notification-delivery',
    {
      notification: {
        attempted: true,
        alarmName: 'S-PublisherErrors',
        compositeName: 'S-SavingsPipeline',
        topicArns: ['arn:t'],
        compositeReachedAlarm: true,
        actionSummaries: ['Successfully executed action arn:t'],
      },
    },
    undefined,
    ['pass', 'S-PublisherErrors set to ALARM; S-SavingsPipeline notified: Successfully executed action arn:t', null],
  ],
  [
    'notification: refused by the key',
    'notification-delivery',
    {
      notification: {
        attempted: true,
        alarmName: 'S-PublisherErrors',
        compositeName: 'S-SavingsPipeline',
        topicArns: ['arn:t'],
        compositeReachedAlarm: true,
        actionSummaries: [
          'Failed to execute action arn:t. Received error: "CloudWatch Alarms does not have authorization to access the SNS topic encryption key."',
        ],
      },
    },
    undefined,
    [
      'fail',
      'S-SavingsPipeline could not notify: Failed to execute action arn:t. Received error: "CloudWatch Alarms does not have authorization to access the SNS topic encryption key."',
      'Check that the topic\'s KMS key policy grants cloudwatch.amazonaws.com kms:Decrypt and kms:GenerateDataKey*, and that the topic policy lets cloudwatch.amazonaws.com publish (README "Alarms and runbooks", the topic).',
    ],
  ],
  [
    'notification: nothing in time',
    'notification-delivery',
    {
      notification: {
        attempted: true,
        alarmName: 'S-PublisherErrors',
        compositeName: 'S-SavingsPipeline',
        topicArns: ['arn:t'],
        compositeReachedAlarm: false,
        actionSummaries: [],
      },
    },
    undefined,
    [
      'warn',
      'S-PublisherErrors set to ALARM; S-SavingsPipeline did not go to ALARM and recorded no action within 2 minutes',
      'Look at the history of S-SavingsPipeline in the CloudWatch console in a few minutes; if it shows no action, check its alarm actions (npx cdk deploy) and rerun with --test-notification.',
    ],
  ],
])('%s', (_name, id, o, config, expected) => {
  test(id, () => {
    expect(one(id, o, config)).toEqual(expected);
  });
});

test.each<[string[], string]>([
  [['Successfully executed action arn:t'], 'succeeded'],
  [['Successfully executed action arn:a', 'Failed to execute action arn:b'], 'failed'],
  [['Alarm updated from OK to ALARM'], 'none'],
  [[], 'none'],
])('classifyActions(%j) = %s', (summaries, expected) => {
  expect(classifyActions(summaries)).toBe(expected);
});

test.each<[string, StackAlarm[], object | undefined]>([
  [
    'PublisherErrors under SavingsPipeline',
    [alarm('S-X', 'OK'), alarm('S-PublisherErrors', 'OK'), { ...alarm('S-SavingsPipeline', 'OK', 'CompositeAlarm'), actions: ['arn:t'] }],
    { alarm: 'S-PublisherErrors', composite: 'S-SavingsPipeline' },
  ],
  [
    'no pipeline: the first child a paging composite names (by ARN, as CDK writes the rule)',
    [
      alarm('S-b-LowHitRatio', 'OK'),
      alarm('S-a-LowHitRatio', 'OK'),
      {
        ...alarm('S-CacheHealth', 'OK', 'CompositeAlarm'),
        rule: 'ALARM("arn:aws:cloudwatch:us-east-1:1:alarm:S-b-LowHitRatio")',
        actions: ['arn:t'],
      },
    ],
    { alarm: 'S-b-LowHitRatio', composite: 'S-CacheHealth' },
  ],
  [
    'a roll-up without actions pages nobody',
    [alarm('S-PublisherErrors', 'OK'), { ...alarm('S-SavingsPipeline', 'OK', 'CompositeAlarm'), actions: [] }],
    undefined,
  ],
])('pickTestAlarm: %s', (_name, alarms, expected) => {
  const pick = pickTestAlarm('S', alarms);
  expect(pick === undefined ? undefined : { alarm: pick.alarm, composite: pick.composite.name }).toEqual(expected);
});

test('text: one line per check, the fix indented below', () => {
  const text = renderDoctorText(
    runChecks(parseConfig({ models: [] }, 'test'), { ...base, stack: { exists: false }, freshness: undefined }),
  );
  expect(text).toBe(
    [
      'PASS  bedrock-metric-names  us-east-1 reports CacheReadInputTokenCount, CacheWriteInputTokenCount, InputTokenCount, OutputTokenCount; every spelling is read (nothing pinned)',
      'PASS  all-models-series  dimensionless AWS/Bedrock series present: InputTokenCount',
      `WARN  models-unconfigured  1 model with traffic not in models[] (on the dashboards and in the publisher's metrics, but no per-model alarm or display name): ${SONNET}`,
      `      fix: Add them to "models" in cdk.json (context.promptCacheMonitoring.models), e.g. {"modelId": "${SONNET}", "displayName": "..."}, then npx cdk deploy.`,
      'PASS  models-unpriced  every model with traffic (1) has a price',
      'SKIP  inference-profiles  no application inference profile ARN in the traffic or the config',
      'FAIL  stack-alarms  stack S not found in us-east-1',
      '      fix: Deploy it with npx cdk deploy (README "First deploy"), or check --stack and --region.',
      'SKIP  publisher-freshness  stack S has no publisher (no LedgerTableName output)',
      'SKIP  notification-delivery  not tested: it pages the on-call topic once',
      '      fix: Rerun with --test-notification.',
      '',
    ].join('\n'),
  );
});

test('publisher-freshness details: the periods awaiting settlement and when the next is due (null without)', () => {
  const config = parseConfig({ models: [] }, 'test');
  const of = (obs: DoctorObservations) => runChecks(config, obs).checks.find((c) => c.id === 'publisher-freshness')?.details;
  expect(of(base)).toMatchObject({ periodsAwaitingSettlement: 0, settlementDueAt: null });
  const dueAt = NOW + 3_600_000;
  expect(of({ ...base, freshness: { ...base.freshness!, periodsAwaitingSettlement: 3, settlementDueAtMs: dueAt } })).toMatchObject({
    periodsAwaitingSettlement: 3,
    settlementDueAt: new Date(dueAt).toISOString(),
  });
});
