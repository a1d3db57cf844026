/** doctor's checks, table-driven on plain observations (no AWS, no mocks): each check in pass and in warn/fail. */
import { parseConfig, type ConfigInput } from '../../lambda/core/config';
import {
  alarmSeverity,
  firstNotifierRecord,
  isMetricsInsightsQuery,
  parseNotifierRecord,
  pickTestAlarm,
  renderDoctorText,
  runChecks,
  type Check,
  type DoctorObservations,
  type ListedMetric,
  type NotificationObservation,
  type NotifierRecord,
  type StackAlarm,
  type StackObservation,
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
const fleet = (name: string, state: StackAlarm['state'] = 'OK'): StackAlarm => ({
  name,
  type: 'MetricAlarm',
  state,
  metricsInsights: true,
});
const PAGE_ARN = 'arn:aws:sns:us-east-1:111122223333:S-OnCall';
const TICKET_ARN = 'arn:aws:sns:us-east-1:111122223333:S-Tickets';
const NOTIFIER = {
  logGroup: 'S-NotifierLogs-1',
  functionName: 'S-NotifierFn-1',
  roleName: 'S-NotifierRole-1',
  ruleName: 'S-NotifierRule-1',
};
const FLEET_STACK = [
  fleet('S-Fleet-CachingCostsMoney'),
  fleet('S-Fleet-LowHitRatio'),
  alarm('S-PublisherErrors', 'OK'),
  alarm('S-PublisherHeartbeat', 'OK'),
];
/** The current version's stack with these alarms and this many Metrics Insights alarms in the region. */
const stackOf = (alarms: StackAlarm[], metricsInsightsAlarmsInRegion: number): Extract<StackObservation, { exists: true }> => ({
  exists: true,
  status: 'CREATE_COMPLETE',
  outputs: { LedgerTableName: 'L', OnCallTopicArn: PAGE_ARN, TicketTopicArn: TICKET_ARN },
  alarms,
  notifier: NOTIFIER,
  metricsInsightsAlarmsInRegion,
});
/** A notification test that set S-PublisherErrors (a ticket) at NOW. */
const tested = (more: Partial<Extract<NotificationObservation, { attempted: true }>>): NotificationObservation => ({
  attempted: true,
  alarmName: 'S-PublisherErrors',
  topic: 'ticket',
  topicArn: TICKET_ARN,
  notifier: NOTIFIER,
  setAtMs: NOW,
  ...more,
});
const sent = (topic: string, messageId: string): NotifierRecord => ({
  kind: 'sent',
  atMs: NOW + 4_000,
  alarmName: 'S-PublisherErrors',
  topic,
  messageId,
});

const base: DoctorObservations = {
  region: 'us-east-1',
  nowMs: NOW,
  stackName: 'S',
  bedrockMetrics: [...DEFAULT_NAMES.map((n) => perModel(n, SONNET)), { metricName: 'InputTokenCount', dimensions: [] }],
  profiles: new Map(),
  stack: stackOf(FLEET_STACK, 2),
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
    [
      'pass',
      'stack S (CREATE_COMPLETE): 4 alarms (2 Metrics Insights): 4 OK, 0 ALARM, 0 INSUFFICIENT_DATA; 2 of the default 200 Metrics Insights alarms in use in us-east-1',
      null,
    ],
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
    { stack: { ...stackOf([alarm('S-PublisherErrors'), fleet('S-Fleet-LowHitRatio')], 1), status: 'UPDATE_COMPLETE' } },
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
    { stack: stackOf([alarm('S-B', 'INSUFFICIENT_DATA'), alarm('S-A', 'INSUFFICIENT_DATA'), alarm('S-C', 'ALARM')], 0) },
    undefined,
    [
      'warn',
      '2 alarms in INSUFFICIENT_DATA (0 OK, 1 ALARM, 2 INSUFFICIENT_DATA): S-A, S-B',
      'A new stack\'s alarms start in INSUFFICIENT_DATA until data arrives; if one stays there past a day, check bedrock-metric-names and the publisher (README "When the publisher is silent").',
    ],
  ],
  [
    'stack: 179 Metrics Insights alarms in the region, one under the warning line',
    'stack-alarms',
    { stack: stackOf(FLEET_STACK, 179) },
    undefined,
    [
      'pass',
      'stack S (CREATE_COMPLETE): 4 alarms (2 Metrics Insights): 4 OK, 0 ALARM, 0 INSUFFICIENT_DATA; 179 of the default 200 Metrics Insights alarms in use in us-east-1',
      null,
    ],
  ],
  [
    'stack: 180 Metrics Insights alarms in the region, 90 % of the default quota',
    'stack-alarms',
    { stack: stackOf(FLEET_STACK, 180) },
    undefined,
    [
      'warn',
      "180 alarms in us-east-1 use a Metrics Insights query, near CloudWatch's default quota of 200 per account and region (known from AWS's documentation; 2 of them this stack's)",
      'Request a quota increase for Metrics Insights alarms in us-east-1 (Service Quotas, Amazon CloudWatch), or delete the Metrics Insights alarms you no longer use, before this stack or anything else needs more.',
    ],
  ],
  [
    'stack: insufficient data and the quota full',
    'stack-alarms',
    { stack: stackOf([fleet('S-Fleet-LowHitRatio', 'INSUFFICIENT_DATA'), alarm('S-PublisherErrors', 'OK')], 200) },
    undefined,
    [
      'warn',
      "1 alarm in INSUFFICIENT_DATA (1 OK, 0 ALARM, 1 INSUFFICIENT_DATA): S-Fleet-LowHitRatio; 200 alarms in us-east-1 use a Metrics Insights query, near CloudWatch's default quota of 200 per account and region (known from AWS's documentation; 1 of them this stack's)",
      'A new stack\'s alarms start in INSUFFICIENT_DATA until data arrives; if one stays there past a day, check bedrock-metric-names and the publisher (README "When the publisher is silent"). Request a quota increase for Metrics Insights alarms in us-east-1 (Service Quotas, Amazon CloudWatch), or delete the Metrics Insights alarms you no longer use, before this stack or anything else needs more.',
    ],
  ],
  [
    'stack: an older deploy with a roll-up',
    'stack-alarms',
    {
      stack: {
        ...stackOf(
          [alarm('S-PublisherErrors', 'OK'), alarm('S-PublisherHeartbeat', 'OK'), alarm('S-SavingsPipeline', 'OK', 'CompositeAlarm')],
          0,
        ),
        status: 'UPDATE_COMPLETE',
      },
    },
    undefined,
    [
      'pass',
      'stack S (UPDATE_COMPLETE): 3 alarms (0 Metrics Insights, 1 composite): 3 OK, 0 ALARM, 0 INSUFFICIENT_DATA; 0 of the default 200 Metrics Insights alarms in use in us-east-1',
      null,
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
    [
      'skip',
      'not tested: it sets one alarm to ALARM, and the notifier sends one real notification for it',
      'Rerun with --test-notification.',
    ],
  ],
  [
    'notification: no stack',
    'notification-delivery',
    { notification: { attempted: false, reason: 'no-stack' } },
    undefined,
    ['skip', 'stack S not found: no alarm to test', null],
  ],
  [
    'notification: an older deploy without the notifier',
    'notification-delivery',
    { notification: { attempted: false, reason: 'no-notifier' } },
    undefined,
    [
      'skip',
      'stack S has no alarm notifier: an older version, whose roll-ups notify by themselves',
      'Deploy the current version (npx cdk deploy), then rerun with --test-notification.',
    ],
  ],
  [
    'notification: no metric alarm',
    'notification-delivery',
    { notification: { attempted: false, reason: 'no-alarm' } },
    undefined,
    ['skip', 'stack S has no metric alarm in CloudWatch that the notifier would notify for', null],
  ],
  [
    'notification: the alarm is already in ALARM',
    'notification-delivery',
    { notification: { attempted: false, reason: 'already-in-alarm', alarmName: 'S-PublisherErrors' } },
    undefined,
    ['skip', 'S-PublisherErrors is already in ALARM: a test would send nothing new; rerun when it is OK', null],
  ],
  [
    'notification: sent to the ticket topic',
    'notification-delivery',
    { notification: tested({ record: sent('ticket', 'm-1') }) },
    undefined,
    ['pass', `S-PublisherErrors set to ALARM; the notifier sent it to the ticket topic (${TICKET_ARN}), message id m-1`, null],
  ],
  [
    'notification: sent, to another topic than its name says',
    'notification-delivery',
    { notification: tested({ record: sent('page', 'm-2') }) },
    undefined,
    ['pass', 'S-PublisherErrors set to ALARM; the notifier sent it to the paging (on-call) topic, message id m-2', null],
  ],
  [
    'notification: refused by the key',
    'notification-delivery',
    {
      notification: tested({
        record: {
          kind: 'failed',
          atMs: NOW + 3_000,
          alarmName: 'S-PublisherErrors',
          error: 'KMSAccessDeniedException: User: arn:aws:sts::1:assumed-role/r is not authorized to perform: kms:GenerateDataKey',
        },
      }),
    },
    undefined,
    [
      'fail',
      'S-PublisherErrors set to ALARM; the notifier could not send it: KMSAccessDeniedException: User: arn:aws:sts::1:assumed-role/r is not authorized to perform: kms:GenerateDataKey',
      `Check that the KMS key policy of the ticket topic (${TICKET_ARN}) lets the notifier's role S-NotifierRole-1 use the key (kms:Decrypt, kms:GenerateDataKey*), and that the role may sns:Publish to the topic; npx cdk deploy restores both for the topics the stack creates (an imported topic's key policy is yours to grant). Then rerun with --test-notification.`,
    ],
  ],
  [
    'notification: failed, the role and the topic ARN unknown',
    'notification-delivery',
    {
      notification: tested({
        topicArn: undefined,
        notifier: { logGroup: '/aws/lambda/S-NotifierFn-1' },
        record: { kind: 'failed', atMs: NOW + 3_000, alarmName: 'S-PublisherErrors', error: 'AuthorizationError: denied' },
      }),
    },
    undefined,
    [
      'fail',
      'S-PublisherErrors set to ALARM; the notifier could not send it: AuthorizationError: denied',
      "Check that the KMS key policy of the ticket topic lets the notifier's role use the key (kms:Decrypt, kms:GenerateDataKey*), and that the role may sns:Publish to the topic; npx cdk deploy restores both for the topics the stack creates (an imported topic's key policy is yours to grant). Then rerun with --test-notification.",
    ],
  ],
  [
    'notification: a failure line that names no alarm, as the handler logs it',
    'notification-delivery',
    {
      notification: tested({
        record: { kind: 'failed', atMs: NOW + 12_400, error: 'AuthorizationError: not authorized to perform: SNS:Publish' },
      }),
    },
    undefined,
    [
      'fail',
      'S-PublisherErrors set to ALARM; the notifier failed 12 s later, in a line that names no alarm (the first since the test): AuthorizationError: not authorized to perform: SNS:Publish',
      `Check that the KMS key policy of the ticket topic (${TICKET_ARN}) lets the notifier's role S-NotifierRole-1 use the key (kms:Decrypt, kms:GenerateDataKey*), and that the role may sns:Publish to the topic; npx cdk deploy restores both for the topics the stack creates (an imported topic's key policy is yours to grant). Then rerun with --test-notification.`,
    ],
  ],
  [
    'notification: the event ignored',
    'notification-delivery',
    {
      notification: tested({
        record: { kind: 'ignored', atMs: NOW + 3_000, alarmName: 'S-PublisherErrors', reason: 'not an alarm of the catalog' },
      }),
    },
    undefined,
    [
      'warn',
      'S-PublisherErrors set to ALARM; the notifier ignored the event: not an alarm of the catalog',
      'The notifier sent nothing for S-PublisherErrors; its log group S-NotifierLogs-1 has the event. If the alarm should notify, deploy the current version (npx cdk deploy) and rerun with --test-notification.',
    ],
  ],
  [
    'notification: the log group could not be read',
    'notification-delivery',
    { notification: tested({ readError: 'AccessDeniedException: no' }) },
    undefined,
    [
      'warn',
      "S-PublisherErrors set to ALARM; the notifier's log group S-NotifierLogs-1 could not be read: AccessDeniedException: no",
      'Allow logs:FilterLogEvents on S-NotifierLogs-1 to the identity running doctor (README "Doctor: check the account"), then rerun with --test-notification.',
    ],
  ],
  [
    'notification: nothing in time',
    'notification-delivery',
    { notification: tested({}) },
    undefined,
    [
      'warn',
      'S-PublisherErrors set to ALARM; no notifier record within 2 minutes',
      'Check that the EventBridge rule S-NotifierRule-1 is enabled and targets the notifier, and the Errors of the notifier function S-NotifierFn-1 (its dead-letter queue keeps failed events); then look in S-NotifierLogs-1 for a line about S-PublisherErrors and rerun with --test-notification.',
    ],
  ],
  [
    'notification: nothing in time, the rule and the function unnamed',
    'notification-delivery',
    { notification: tested({ notifier: { logGroup: 'S-NotifierLogs-1' } }) },
    undefined,
    [
      'warn',
      'S-PublisherErrors set to ALARM; no notifier record within 2 minutes',
      "Check that the stack's EventBridge rule is enabled and targets the notifier, and the Errors of the notifier function (its dead-letter queue keeps failed events); then look in S-NotifierLogs-1 for a line about S-PublisherErrors and rerun with --test-notification.",
    ],
  ],
])('%s', (_name, id, o, config, expected) => {
  test(id, () => {
    expect(one(id, o, config)).toEqual(expected);
  });
});

test('stack-alarms details: the counts, the fleet alarms with their states, the region count', () => {
  const stack = stackOf([fleet('S-Fleet-WritesWithoutReads', 'ALARM'), fleet('S-Fleet-LowHitRatio'), alarm('S-PublisherErrors', 'OK')], 37);
  const c = runChecks(parseConfig({}, 'test'), { ...base, stack }).checks.find((x) => x.id === 'stack-alarms') as Check;
  expect(c).toEqual({
    id: 'stack-alarms',
    status: 'pass',
    summary:
      'stack S (CREATE_COMPLETE): 3 alarms (2 Metrics Insights): 2 OK, 1 ALARM, 0 INSUFFICIENT_DATA; 37 of the default 200 Metrics Insights alarms in use in us-east-1',
    fix: null,
    details: {
      stack: 'S',
      exists: true,
      status: 'CREATE_COMPLETE',
      alarms: 3,
      composites: 0,
      counts: { OK: 2, ALARM: 1, INSUFFICIENT_DATA: 0 },
      missing: [],
      insufficientData: [],
      fleetAlarms: [
        { name: 'S-Fleet-LowHitRatio', state: 'OK' },
        { name: 'S-Fleet-WritesWithoutReads', state: 'ALARM' },
      ],
      metricsInsightsAlarmsInRegion: 37,
    },
  });
});

test('notification-delivery details: the alarm, its topic, the log group, when it was set and the record', () => {
  const record = sent('ticket', 'm-1');
  const c = runChecks(parseConfig({}, 'test'), { ...base, notification: tested({ record }) }).checks.find(
    (x) => x.id === 'notification-delivery',
  ) as Check;
  expect(c.details).toEqual({
    alarm: 'S-PublisherErrors',
    topic: 'ticket',
    topicArn: TICKET_ARN,
    logGroup: 'S-NotifierLogs-1',
    setAt: '2026-11-25T12:25:00.000Z',
    record,
    readError: null,
  });
});

const powertools = (fields: object) =>
  JSON.stringify({ level: 'INFO', timestamp: '2026-11-25T12:25:04.000Z', service: 'prompt-cache-notifier', ...fields });

test.each<[string, string, NotifierRecord | undefined]>([
  [
    'sent',
    powertools({ message: 'notification sent', alarmName: 'S-PublisherErrors', topic: 'ticket', messageId: 'm-1', eventId: 'e' }),
    { kind: 'sent', atMs: 7, alarmName: 'S-PublisherErrors', topic: 'ticket', messageId: 'm-1' },
  ],
  [
    'failed, the error a string',
    powertools({ level: 'ERROR', message: 'notification failed', alarmName: 'S-A', error: 'AuthorizationError: denied' }),
    { kind: 'failed', atMs: 7, alarmName: 'S-A', error: 'AuthorizationError: denied' },
  ],
  [
    'failed, the error as Powertools logs an Error',
    powertools({
      message: 'notification failed',
      alarmName: 'S-A',
      error: { name: 'KMSAccessDeniedException', location: 'x', message: 'not authorized to perform: kms:GenerateDataKey', stack: 's' },
    }),
    { kind: 'failed', atMs: 7, alarmName: 'S-A', error: 'KMSAccessDeniedException: not authorized to perform: kms:GenerateDataKey' },
  ],
  [
    'ignored',
    powertools({ message: 'event ignored', alarmName: 'S-A', reason: 'OK to OK' }),
    { kind: 'ignored', atMs: 7, alarmName: 'S-A', reason: 'OK to OK' },
  ],
  [
    'behind a runtime prefix',
    `2026-11-25T12:25:04.000Z\tf00d\tINFO\t${powertools({ message: 'event ignored', alarmName: 'S-A', reason: 'r' })}`,
    { kind: 'ignored', atMs: 7, alarmName: 'S-A', reason: 'r' },
  ],
  [
    'ignored, as the handler logs it (alarm event ignored, the reason in "ignored")',
    powertools({ message: 'alarm event ignored', sent: false, eventId: 'e', ignored: 'not in the alarm catalog', alarmName: 'S-A' }),
    { kind: 'ignored', atMs: 7, alarmName: 'S-A', reason: 'not in the alarm catalog' },
  ],
  [
    'failed, as the handler logs it (no alarm name, the error an Error)',
    powertools({
      level: 'ERROR',
      message: 'notification failed: the event goes to the dead-letter queue',
      eventId: 'e',
      error: { name: 'AuthorizationError', location: 'x', message: 'not authorized', stack: 's' },
    }),
    { kind: 'failed', atMs: 7, error: 'AuthorizationError: not authorized' },
  ],
  [
    'ignored without an alarm name',
    powertools({ message: 'alarm event ignored', ignored: 'not a CloudWatch alarm state change' }),
    undefined,
  ],
  ['another message', powertools({ message: 'figures unavailable: sending without them', alarmName: 'S-A' }), undefined],
  ['no alarm name', powertools({ message: 'notification sent', topic: 'page', messageId: 'm' }), undefined],
  ['not JSON', 'START RequestId: f00d Version: $LATEST S-A {', undefined],
  ['no JSON at all', 'REPORT RequestId: f00d Duration: 12.3 ms', undefined],
])('parseNotifierRecord: %s', (_name, message, expected) => {
  expect(parseNotifierRecord(message, 7)).toEqual(expected);
});

test('firstNotifierRecord: the oldest line about that alarm (its return to OK comes later), or of a failure naming none', () => {
  const at = (atMs: number, alarmName = 'S-A'): NotifierRecord => ({ kind: 'ignored', atMs, alarmName, reason: String(atMs) });
  const failed = (atMs: number, alarmName?: string): NotifierRecord => ({
    kind: 'failed',
    atMs,
    ...(alarmName ? { alarmName } : {}),
    error: 'e',
  });
  expect(firstNotifierRecord([at(30), at(10, 'S-B'), at(20), at(25)], 'S-A')).toEqual(at(20));
  expect(firstNotifierRecord([at(10, 'S-B'), failed(5, 'S-B')], 'S-A')).toBeUndefined();
  expect(firstNotifierRecord([at(30), failed(15), failed(5, 'S-B'), at(20)], 'S-A')).toEqual(failed(15));
});

test.each<[string, string]>([
  ['S-PublisherErrors', 'ticket'],
  ['S-PublisherHeartbeat', 'page'],
  ['S-Fleet-LowHitRatio', 'ticket'],
  ['S-Fleet-WritesWithoutReads', 'ticket'],
  ['S-Fleet-CachingCostsMoney', 'ticket'],
  ['S-Fleet-CachingCostsMoney-Page', 'page'],
  ['S-support-bot-1a2b3c4d-CachingCostsMoney', 'page'],
  ['S-support-bot-1a2b3c4d-LowHitRatio', 'ticket'],
  ['S-support-bot-1a2b3c4d-LowHitRatioAnomaly', 'ticket'],
])('alarmSeverity(S, %s) = %s', (name, expected) => {
  expect(alarmSeverity('S', name)).toBe(expected);
});

test.each<[string, StackAlarm[], string | undefined]>([
  [
    'PublisherErrors first, whatever the order',
    [fleet('S-Fleet-LowHitRatio'), alarm('S-PublisherErrors', 'ALARM'), alarm('S-A', 'OK')],
    'S-PublisherErrors',
  ],
  [
    'no publisher: the first metric alarm by name',
    [alarm('S-b-1a2b3c4d-LowHitRatio', 'OK'), alarm('S-a-5e6f7a8b-WritesWithoutReads', 'INSUFFICIENT_DATA')],
    'S-a-5e6f7a8b-WritesWithoutReads',
  ],
  [
    'neither a composite nor an alarm CloudWatch lacks',
    [alarm('S-A', 'OK', 'CompositeAlarm'), alarm('S-B'), alarm('S-PublisherErrors'), alarm('S-C', 'OK')],
    'S-C',
  ],
  [
    'neither NotifierFailing (it pages by its own action) nor a fleet alarm (its contributors notify)',
    [
      alarm('S-NotifierFailing', 'OK'),
      fleet('S-Fleet-CachingCostsMoney'),
      alarm('S-PublisherHeartbeat', 'OK'),
      alarm('S-support-bot-1a2b3c4d-LowHitRatio', 'OK'),
    ],
    'S-PublisherHeartbeat',
  ],
  [
    'nothing to set',
    [alarm('S-A', 'OK', 'CompositeAlarm'), alarm('S-B'), alarm('S-NotifierFailing', 'OK'), fleet('S-Fleet-LowHitRatio')],
    undefined,
  ],
])('pickTestAlarm: %s', (_name, alarms, expected) => {
  expect(pickTestAlarm('S', alarms)?.name).toBe(expected);
});

test.each<[string | undefined, boolean]>([
  ['SELECT MAX(AlarmHitRatioMarginPoints) FROM SCHEMA("BedrockPromptCache", ModelId) GROUP BY ModelId', true],
  ['\n  select avg(CPUUtilization) FROM "AWS/EC2"', true],
  ["SUM(SEARCH('{AWS/Bedrock,ModelId} SELECT', 'Sum', 300))", false],
  ['SELECTED', false],
  ['m1 / m2 * 100', false],
  [undefined, false],
])('isMetricsInsightsQuery(%j) = %s', (expression, expected) => {
  expect(isMetricsInsightsQuery(expression)).toBe(expected);
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
      'SKIP  notification-delivery  not tested: it sets one alarm to ALARM, and the notifier sends one real notification for it',
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
