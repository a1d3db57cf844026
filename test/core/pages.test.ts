/**
 * The notifier's pure core (lambda/core/pages): which events notify, the exact page of each family from a sample event
 * and figures, a recovery, the subject within SNS's 100 characters for the longest names, the TTL-specific advice, and
 * every alarm description within 1,024 characters. The constants it shares with lib/ are checked equal to lib's.
 */
import { alarmLookup, catalogLookup, fleetAlarms, listedAlarms, type CatalogAlarm } from '../../lambda/core/alarm-catalog';
import { parseConfig } from '../../lambda/core/config';
import { HOUR_MS, MINUTE_MS } from '../../lambda/core/periods';
import {
  alarmDescription,
  breachingRun,
  CONSOLE_HOSTS,
  DEFAULT_PUBLISHER_TIMEOUT_MINUTES,
  figuresQuery,
  fitSubject,
  heartbeatPeriods,
  isIgnored,
  LAG_FILL_MINUTES,
  modelFacts,
  modelReading,
  notificationFor,
  coveringWindow,
  readAlarmEvent,
  shortModelId,
  type AlarmNotice,
  type FigureSeries,
  type LiveFigures,
} from '../../lambda/core/pages';
import { CONSOLE_HOSTS as LIB_CONSOLE_HOSTS } from '../../lib/console-url';
import { publisherWindow } from '../../lib/alarms/families/family';
import { heartbeatPeriods as libHeartbeatPeriods, LAG_FILL_MINUTES as LIB_LAG_FILL } from '../../lib/alarms/families/heartbeat';
import { DEFAULT_PUBLISHER_TIMEOUT_MINUTES as LIB_TIMEOUT } from '../../lib/alarms/plan';
import { contributorEvent, PREFIX, preciseName, sampleCatalog, stateEvent, TRIAGE_MODEL } from '../support/alarm-events';

const CODE = 'global.anthropic.claude-sonnet-4-5-20250929-v1:0';
const TRIAGE = 'global.anthropic.claude-haiku-4-5-20251001-v1:0';
const config = parseConfig(
  {
    models: [
      { modelId: CODE, displayName: 'code-review', cacheWriteTtl: '1h' },
      { modelId: TRIAGE, displayName: 'triage', alarms: { mode: 'precise' } },
    ],
  },
  'test',
);
const catalog = sampleCatalog();
const T = Date.UTC(2025, 11, 1, 3, 42, 4);
const HOUR = T - (T % HOUR_MS);
/** One point per hour, the last one in the hour before the event's; null: no datapoint that hour. */
const hours = (vals: (number | null)[]) =>
  vals.flatMap((v, i) => (v === null ? [] : [{ startMs: HOUR - (vals.length - i) * HOUR_MS, value: v }]));
const read = (series: FigureSeries): LiveFigures => ({ read: true, series });
const LINKS = {
  dashboardUrl: 'https://console.aws.amazon.com/cloudwatch/home?region=us-east-1#dashboards/dashboard/BedrockPromptCache-OnCall',
  runbookUrl: 'https://github.com/example/prompt-cache#alarms-and-runbooks',
};

function notice(event: unknown, cat: readonly CatalogAlarm[] = catalog): AlarmNotice {
  const n = readAlarmEvent(event, catalogLookup(cat));
  if (isIgnored(n)) throw new Error(`ignored: ${n.ignored}`);
  return n;
}
function page(event: unknown, figures: LiveFigures, cfg = config) {
  const o = notificationFor(notice(event), { config: cfg, ...LINKS, figures });
  return { topic: o.topic, subject: o.subject, lines: o.message.split('\n') };
}

const cases: Record<string, [unknown, LiveFigures]> = {
  page: [
    contributorEvent({ alarmName: `${PREFIX}-Fleet-CachingCostsMoney-Page`, modelId: CODE, state: 'ALARM', datapoint: -2.85, atMs: T }),
    read({
      hit: hours([61, 40, 9, 9, 9]),
      net: hours([0.4, -0.3, -2.85, -2.85, -2.85]),
      netPerHour: hours([0.4, -0.3, -2.85, -2.85, -2.85]),
      margin: hours([-1.6, -22.6, -53.6, -53.6, -53.6]),
    }),
  ],
  costTicket: [
    contributorEvent({ alarmName: `${PREFIX}-Fleet-CachingCostsMoney`, modelId: CODE, state: 'ALARM', datapoint: -0.45, atMs: T }),
    read({ hit: hours([60, 45]), net: hours([0.2, -0.45]), netPerHour: hours([0.2, -0.45]), margin: hours([-2.6, -17.6]) }),
  ],
  lowHit: [
    contributorEvent({ alarmName: `${PREFIX}-Fleet-LowHitRatio`, modelId: CODE, state: 'ALARM', datapoint: -31.6, atMs: T }),
    read({ hit: hours([70, 31]), net: hours([0.9, 0.12]), margin: hours([7.4, -31.6]) }),
  ],
  wwr: [
    contributorEvent({ alarmName: `${PREFIX}-Fleet-WritesWithoutReads`, modelId: CODE, state: 'ALARM', datapoint: 80000, atMs: T }),
    read({ hit: hours([0, 0]), wwr: hours([60000, 80000]), net: hours([-0.18, -0.24]) }),
  ],
  errors: [
    stateEvent({ alarmName: `${PREFIX}-PublisherErrors`, state: 'ALARM', previous: 'OK', atMs: T, datapoint: 2 }),
    read({ lag: hours([70, 71, 72, 131]) }),
  ],
  heartbeat: [
    stateEvent({ alarmName: `${PREFIX}-PublisherHeartbeat`, state: 'ALARM', previous: 'OK', atMs: T, datapoint: 99999 }),
    read({ lag: hours([70, 71, null, null]) }),
  ],
  recovery: [
    contributorEvent({ alarmName: `${PREFIX}-Fleet-CachingCostsMoney-Page`, modelId: CODE, state: 'OK', datapoint: 0.3, atMs: T }),
    read({ hit: hours([9, 58]), netPerHour: hours([-2.85, 0.3]) }),
  ],
  stillLosing: [
    contributorEvent({ alarmName: `${PREFIX}-Fleet-CachingCostsMoney-Page`, modelId: CODE, state: 'OK', datapoint: -0.4, atMs: T }),
    read({ hit: hours([9, 41]), netPerHour: hours([-2.85, -0.4]) }),
  ],
  heartbeatRecovery: [
    stateEvent({
      alarmName: `${PREFIX}-PublisherHeartbeat`,
      state: 'OK',
      previous: 'ALARM',
      atMs: T,
      previousAtMs: T - 150 * MINUTE_MS,
      datapoint: 12,
    }),
    read({ lag: hours([null, null, 12]) }),
  ],
  unavailable: [
    contributorEvent({ alarmName: `${PREFIX}-Fleet-CachingCostsMoney-Page`, modelId: CODE, state: 'ALARM', datapoint: -2.85, atMs: T }),
    { read: false, reason: 'GetMetricData failed: Throttling: Rate exceeded' },
  ],
};

/** The exact pages (reviewed line by line): the night order of each family. */
const GOLDEN: Record<string, ReturnType<typeof page>> = {
  page: {
    topic: 'page',
    subject: 'PAGE code-review: caching losing $2.85/h (hit 9%, break-even 52.6%)',
    lines: [
      'PAGE code-review: caching costs money: losing more than $1.00/h (net savings under -$1.00/h, alarms.pageAboveUsdPerHour).',
      'Model: global.anthropic.claude-sonnet-4-5-20250929-v1:0, 1-hour cache, break-even 52.6%, priced by catalog:anthropic.claude-sonnet-4-5-20250929-v1:0 (1h write)',
      'Alarm: BedrockPromptCache-Fleet-CachingCostsMoney-Page (contributor ModelId=global.anthropic.claude-sonnet-4-5-20250929-v1:0)',
      '',
      'How bad: losing $2.85/h in the published hour from 02:00 UTC, $68.40 a day if it goes on; hit ratio 9%, break-even 52.6%.',
      'Do first: roll back what changed for code-review around 00:00 UTC (deploy, system prompt, tools, model). Nothing changed, or no better? Stop caching for it (remove cachePoint / cache_control): uncached it costs the input price, no more.',
      'Checks:',
      '1. the hit ratio vs break-even 52.6% on the dashboard: since when; what changed then',
      '2. 1-hour cache (writes at 2x input): calls over an hour apart miss; with calls under 5 min apart the 5-minute cache (break-even 21.7%) is cheaper: cacheWriteTtl "5m" and the request\'s ttl',
      '3. checkpoints after per-request content: stop caching prefixes never reused',
      'Can it wait: no: the 8 hours to working hours cost $22.80 at $2.85/h.',
      'Clears: when a published hour loses at most $1.00/h (net ≥ -$1.00/h) or has fewer than 50,000 cache tokens.',
      'Since: 00:00 UTC (3 published hours in a row); alarm at 03:42 UTC.',
      '',
      'Console: https://console.aws.amazon.com/cloudwatch/home?region=us-east-1#alarmsV2:alarm/BedrockPromptCache-Fleet-CachingCostsMoney-Page',
      'On-call dashboard: https://console.aws.amazon.com/cloudwatch/home?region=us-east-1#dashboards/dashboard/BedrockPromptCache-OnCall',
      'Runbook: https://github.com/example/prompt-cache#caching-costs-money',
    ],
  },
  costTicket: {
    topic: 'ticket',
    subject: 'TICKET code-review: caching losing $0.45/h (hit 45%, break-even 52.6%)',
    lines: [
      'TICKET code-review: caching costs money: the write premium exceeds the read discount (net savings under $0).',
      'Model: global.anthropic.claude-sonnet-4-5-20250929-v1:0, 1-hour cache, break-even 52.6%, priced by catalog:anthropic.claude-sonnet-4-5-20250929-v1:0 (1h write)',
      'Alarm: BedrockPromptCache-Fleet-CachingCostsMoney (contributor ModelId=global.anthropic.claude-sonnet-4-5-20250929-v1:0)',
      '',
      'How bad: losing $0.45/h in the published hour from 02:00 UTC, $10.80 a day if it goes on; hit ratio 45%, break-even 52.6%.',
      'Do first: nothing tonight: it can wait for working hours.',
      'Checks:',
      '1. the hit ratio vs break-even 52.6% on the dashboard: since when; what changed then',
      '2. 1-hour cache (writes at 2x input): calls over an hour apart miss; with calls under 5 min apart the 5-minute cache (break-even 21.7%) is cheaper: cacheWriteTtl "5m" and the request\'s ttl',
      '3. checkpoints after per-request content: stop caching prefixes never reused',
      'Can it wait: yes: the 8 hours to working hours cost $3.60 at $0.45/h; over $1.00/h it pages.',
      'Clears: when a published hour nets ≥ $0/h or has fewer than 50,000 cache tokens.',
      'Since: 02:00 UTC (1 published hour); alarm at 03:42 UTC.',
      '',
      'Console: https://console.aws.amazon.com/cloudwatch/home?region=us-east-1#alarmsV2:alarm/BedrockPromptCache-Fleet-CachingCostsMoney',
      'On-call dashboard: https://console.aws.amazon.com/cloudwatch/home?region=us-east-1#dashboards/dashboard/BedrockPromptCache-OnCall',
      'Runbook: https://github.com/example/prompt-cache#caching-costs-money',
    ],
  },
  lowHit: {
    topic: 'ticket',
    subject: 'TICKET code-review: hit ratio 31% under 62.6% (saving $0.12/h)',
    lines: [
      'TICKET code-review: low hit ratio: hit ratio read/(read+write) under 62.6% (break-even 52.6% + 10 points).',
      'Model: global.anthropic.claude-sonnet-4-5-20250929-v1:0, 1-hour cache, break-even 52.6%, priced by catalog:anthropic.claude-sonnet-4-5-20250929-v1:0 (1h write)',
      'Alarm: BedrockPromptCache-Fleet-LowHitRatio (contributor ModelId=global.anthropic.claude-sonnet-4-5-20250929-v1:0)',
      '',
      'How bad: hit ratio 31% and net savings $0.12/h in the published hour from 02:00 UTC: still saving, less than it should (it loses money under 52.6%).',
      'Do first: nothing tonight: it can wait for working hours.',
      'Checks:',
      '1. the hit ratio on the dashboard: since when; what changed then (deploy, system prompt, tools or their order, model)',
      '2. diff the prefixes of two consecutive requests (a timestamp, id or user data before the checkpoint)',
      '3. 1-hour cache (writes at 2x input): calls over an hour apart miss; with calls under 5 min apart the 5-minute cache (break-even 21.7%) is cheaper: cacheWriteTtl "5m" and the request\'s ttl',
      '4. a proxy dropping cachePoint / cache_control; cross-region routing',
      'Can it wait: yes: a loss over $1.00/h pages (caching costs money).',
      'Clears: when a published hour has a hit ratio ≥ 62.6% (break-even 52.6% + 10 points) or traffic below 50,000 cache tokens.',
      'Since: 02:00 UTC (1 published hour); alarm at 03:42 UTC.',
      '',
      'Console: https://console.aws.amazon.com/cloudwatch/home?region=us-east-1#alarmsV2:alarm/BedrockPromptCache-Fleet-LowHitRatio',
      'On-call dashboard: https://console.aws.amazon.com/cloudwatch/home?region=us-east-1#dashboards/dashboard/BedrockPromptCache-OnCall',
      'Runbook: https://github.com/example/prompt-cache#low-hit-ratio',
    ],
  },
  wwr: {
    topic: 'ticket',
    subject: 'TICKET code-review: cache writes never read, $0.24/h wasted',
    lines: [
      'TICKET code-review: writes without reads: cache writes and not one read back (≥ 20,000 write tokens per published hour).',
      'Model: global.anthropic.claude-sonnet-4-5-20250929-v1:0, 1-hour cache, break-even 52.6%, priced by catalog:anthropic.claude-sonnet-4-5-20250929-v1:0 (1h write)',
      'Alarm: BedrockPromptCache-Fleet-WritesWithoutReads (contributor ModelId=global.anthropic.claude-sonnet-4-5-20250929-v1:0)',
      '',
      'How bad: $0.24/h wasted: 80,000 cache write tokens and no read in the published hour from 02:00 UTC, each at the $3.00/MTok write premium over input.',
      'Do first: nothing tonight: it can wait for working hours.',
      'Checks:',
      '1. diff the prefixes of two consecutive requests: what before the checkpoint changes per call (timestamp, id, user data, tool order)',
      '2. time between calls vs the 1-hour cache (writes at 2x input): calls over an hour apart miss; with calls under 5 min apart the 5-minute cache (break-even 21.7%) is cheaper: cacheWriteTtl "5m" and the request\'s ttl',
      '3. a proxy rewriting the prompt; cross-region routing',
      'Can it wait: yes: the 8 hours to working hours waste $1.92 at $0.24/h.',
      'Clears: when a published hour has a cache read or fewer than 20,000 write tokens.',
      'Since: 01:00 UTC (2 published hours in a row); alarm at 03:42 UTC.',
      '',
      'Console: https://console.aws.amazon.com/cloudwatch/home?region=us-east-1#alarmsV2:alarm/BedrockPromptCache-Fleet-WritesWithoutReads',
      'On-call dashboard: https://console.aws.amazon.com/cloudwatch/home?region=us-east-1#dashboards/dashboard/BedrockPromptCache-OnCall',
      'Runbook: https://github.com/example/prompt-cache#writes-without-reads',
    ],
  },
  errors: {
    topic: 'ticket',
    subject: 'TICKET savings publisher: run failed (2 errors), savings metrics late',
    lines: [
      'TICKET savings publisher errors: its Lambda failed (2 errors in 60 min).',
      'Alarm: BedrockPromptCache-PublisherErrors',
      '',
      "How bad: no money at stake: savings metrics and the fleet alarms' series are late (lag now 131 min); the next good run back-fills every missed period (up to 14 days), never twice.",
      'Do first: nothing tonight: it can wait for working hours.',
      'Checks:',
      "1. the publisher's log group: the error and the run summary",
      "2. the publisher's failed-runs queue",
      '3. `prompt-cache publish` locally against the ledger, or `prompt-cache doctor`',
      'Can it wait: yes: if every run fails, the savings-pipeline-silent alarm pages after 2 periods.',
      'Clears: when a 60-minute period passes without an error (the next good run).',
      'Since: alarm at 03:42 UTC.',
      '',
      'Console: https://console.aws.amazon.com/cloudwatch/home?region=us-east-1#alarmsV2:alarm/BedrockPromptCache-PublisherErrors',
      'On-call dashboard: https://console.aws.amazon.com/cloudwatch/home?region=us-east-1#dashboards/dashboard/BedrockPromptCache-OnCall',
      'Runbook: https://github.com/example/prompt-cache#savings-publisher-errors',
    ],
  },
  heartbeat: {
    topic: 'page',
    subject: 'PAGE savings pipeline: silent since 01:00 UTC; cache alarms blind',
    lines: [
      'PAGE savings pipeline silent: no PublisherLagMinutes report, or a lag over 75 min, 2 periods of 60 min in a row.',
      'Alarm: BedrockPromptCache-PublisherHeartbeat',
      '',
      "How bad: last good report in the period from 00:00 UTC (lag 71 min). The fleet alarms read the publisher's series: while it is silent no model can alarm, and the dollars stop. Nothing is lost yet: the next good run back-fills up to 14 days.",
      "Do first: read the last run summary or error in the publisher's log group; enable its schedule rule if disabled; a crashed run's ledger lease blocks the next runs for up to 15 min.",
      'Checks:',
      "1. the publisher function's invocations, errors and throttles",
      "2. the publisher's log group: run summaries ('busy': another run holds the lease)",
      '3. `prompt-cache doctor`: publisher-freshness',
      'Can it wait: no: the fleet alarms are blind until it runs (a model losing money now would not page).',
      'Clears: when a run reports a lag of at most 75 min again (the next run that publishes).',
      'Since: silent since 01:00 UTC; alarm at 03:42 UTC.',
      '',
      'Console: https://console.aws.amazon.com/cloudwatch/home?region=us-east-1#alarmsV2:alarm/BedrockPromptCache-PublisherHeartbeat',
      'On-call dashboard: https://console.aws.amazon.com/cloudwatch/home?region=us-east-1#dashboards/dashboard/BedrockPromptCache-OnCall',
      'Runbook: https://github.com/example/prompt-cache#savings-pipeline-silent',
    ],
  },
  recovery: {
    topic: 'page',
    subject: 'OK code-review: caching no longer losing over $1.00/h',
    lines: [
      'OK code-review: caching costs money cleared (was a page) at 03:42 UTC.',
      'Model: global.anthropic.claude-sonnet-4-5-20250929-v1:0, 1-hour cache, break-even 52.6%, priced by catalog:anthropic.claude-sonnet-4-5-20250929-v1:0 (1h write)',
      'Alarm: BedrockPromptCache-Fleet-CachingCostsMoney-Page (contributor ModelId=global.anthropic.claude-sonnet-4-5-20250929-v1:0)',
      '',
      'Now: hit ratio 58%, net savings $0.30/h (the period from 02:00 UTC).',
      'Rule met: a published hour loses at most $1.00/h (net ≥ -$1.00/h) or has fewer than 50,000 cache tokens.',
      'Next: nothing to do now; if the cause is not known yet, find it in working hours (runbook below).',
      '',
      'Console: https://console.aws.amazon.com/cloudwatch/home?region=us-east-1#alarmsV2:alarm/BedrockPromptCache-Fleet-CachingCostsMoney-Page',
      'On-call dashboard: https://console.aws.amazon.com/cloudwatch/home?region=us-east-1#dashboards/dashboard/BedrockPromptCache-OnCall',
      'Runbook: https://github.com/example/prompt-cache#caching-costs-money',
    ],
  },
  stillLosing: {
    topic: 'page',
    subject: 'OK code-review: caching no longer losing over $1.00/h',
    lines: [
      'OK code-review: caching costs money cleared (was a page) at 03:42 UTC.',
      'Model: global.anthropic.claude-sonnet-4-5-20250929-v1:0, 1-hour cache, break-even 52.6%, priced by catalog:anthropic.claude-sonnet-4-5-20250929-v1:0 (1h write)',
      'Alarm: BedrockPromptCache-Fleet-CachingCostsMoney-Page (contributor ModelId=global.anthropic.claude-sonnet-4-5-20250929-v1:0)',
      '',
      'Now: hit ratio 41%, net savings -$0.40/h (the period from 02:00 UTC).',
      'Rule met: a published hour loses at most $1.00/h (net ≥ -$1.00/h) or has fewer than 50,000 cache tokens.',
      "Next: still losing $0.40/h, under the page's $1.00/h: the ticket (caching costs money) stays open, and this pages again when the loss passes $1.00/h (traffic picking up in the morning). Find the cause in working hours (runbook below).",
      '',
      'Console: https://console.aws.amazon.com/cloudwatch/home?region=us-east-1#alarmsV2:alarm/BedrockPromptCache-Fleet-CachingCostsMoney-Page',
      'On-call dashboard: https://console.aws.amazon.com/cloudwatch/home?region=us-east-1#dashboards/dashboard/BedrockPromptCache-OnCall',
      'Runbook: https://github.com/example/prompt-cache#caching-costs-money',
    ],
  },
  heartbeatRecovery: {
    topic: 'page',
    subject: 'OK savings pipeline: reporting again',
    lines: [
      'OK savings pipeline silent cleared (was a page) at 03:42 UTC.',
      'Alarm: BedrockPromptCache-PublisherHeartbeat',
      '',
      'Now: lag 12 min (the period from 02:00 UTC).',
      'Rule met: a run reports a lag of at most 75 min again (the next run that publishes).',
      'In ALARM: from 01:12 UTC to 03:42 UTC (2 h 30 min).',
      'Next: nothing to do now; if the cause is not known yet, find it in working hours (runbook below).',
      '',
      'Console: https://console.aws.amazon.com/cloudwatch/home?region=us-east-1#alarmsV2:alarm/BedrockPromptCache-PublisherHeartbeat',
      'On-call dashboard: https://console.aws.amazon.com/cloudwatch/home?region=us-east-1#dashboards/dashboard/BedrockPromptCache-OnCall',
      'Runbook: https://github.com/example/prompt-cache#savings-pipeline-silent',
    ],
  },
  unavailable: {
    topic: 'page',
    subject: 'PAGE code-review: caching losing $2.85/h (break-even 52.6%)',
    lines: [
      'PAGE code-review: caching costs money: losing more than $1.00/h (net savings under -$1.00/h, alarms.pageAboveUsdPerHour).',
      'Model: global.anthropic.claude-sonnet-4-5-20250929-v1:0, 1-hour cache, break-even 52.6%, priced by catalog:anthropic.claude-sonnet-4-5-20250929-v1:0 (1h write)',
      'Alarm: BedrockPromptCache-Fleet-CachingCostsMoney-Page (contributor ModelId=global.anthropic.claude-sonnet-4-5-20250929-v1:0)',
      '',
      'Figures: unavailable (GetMetricData failed: Throttling: Rate exceeded); sent without them.',
      "How bad: losing $2.85/h (the alarm's datapoint), $68.40 a day if it goes on.",
      'Do first: roll back what changed for code-review around 03:42 UTC (deploy, system prompt, tools, model). Nothing changed, or no better? Stop caching for it (remove cachePoint / cache_control): uncached it costs the input price, no more.',
      'Checks:',
      '1. the hit ratio vs break-even 52.6% on the dashboard: since when; what changed then',
      '2. 1-hour cache (writes at 2x input): calls over an hour apart miss; with calls under 5 min apart the 5-minute cache (break-even 21.7%) is cheaper: cacheWriteTtl "5m" and the request\'s ttl',
      '3. checkpoints after per-request content: stop caching prefixes never reused',
      'Can it wait: no: the 8 hours to working hours cost $22.80 at $2.85/h.',
      'Clears: when a published hour loses at most $1.00/h (net ≥ -$1.00/h) or has fewer than 50,000 cache tokens.',
      'Since: alarm at 03:42 UTC.',
      '',
      'Console: https://console.aws.amazon.com/cloudwatch/home?region=us-east-1#alarmsV2:alarm/BedrockPromptCache-Fleet-CachingCostsMoney-Page',
      'On-call dashboard: https://console.aws.amazon.com/cloudwatch/home?region=us-east-1#dashboards/dashboard/BedrockPromptCache-OnCall',
      'Runbook: https://github.com/example/prompt-cache#caching-costs-money',
    ],
  },
};

describe('the page of each family, exactly', () => {
  test.each(Object.keys(GOLDEN))('%s', (name) => {
    const [event, figures] = cases[name];
    expect(page(event, figures)).toEqual(GOLDEN[name]);
  });
});

describe('which events notify', () => {
  const fleetPage = `${PREFIX}-Fleet-CachingCostsMoney-Page`;
  test.each<[string, unknown, string]>([
    [
      'a fleet alarm’s own transition',
      stateEvent({ alarmName: fleetPage, state: 'ALARM', previous: 'OK', atMs: T }),
      "a fleet alarm's own transition (its contributors notify, one per model)",
    ],
    [
      'a first evaluation (INSUFFICIENT_DATA → OK)',
      stateEvent({ alarmName: `${PREFIX}-PublisherErrors`, state: 'OK', previous: 'INSUFFICIENT_DATA', atMs: T }),
      'INSUFFICIENT_DATA → OK is no recovery (only OK after ALARM is)',
    ],
    [
      'ALARM → INSUFFICIENT_DATA',
      stateEvent({ alarmName: `${PREFIX}-PublisherHeartbeat`, state: 'INSUFFICIENT_DATA', previous: 'ALARM', atMs: T }),
      'ALARM → INSUFFICIENT_DATA is neither an incident nor a recovery',
    ],
    [
      'an alarm not in the catalog',
      stateEvent({ alarmName: `${PREFIX}-CacheHealth`, state: 'ALARM', previous: 'OK', atMs: T }),
      'not in the alarm catalog',
    ],
    [
      'a contributor without a ModelId',
      contributorEvent({ alarmName: fleetPage, state: 'ALARM', atMs: T }),
      'a contributor without a ModelId',
    ],
    [
      'a contributor of a single alarm',
      contributorEvent({ alarmName: `${PREFIX}-PublisherErrors`, modelId: CODE, state: 'ALARM', atMs: T }),
      'a contributor event of a pipeline alarm',
    ],
    [
      'a contributor in INSUFFICIENT_DATA',
      contributorEvent({ alarmName: fleetPage, modelId: CODE, state: 'INSUFFICIENT_DATA', atMs: T }),
      'a contributor state INSUFFICIENT_DATA',
    ],
    [
      'another source',
      { source: 'aws.ec2', 'detail-type': 'EC2 Instance State-change Notification', detail: {} },
      'not a CloudWatch alarm state change (source aws.ec2, detail-type EC2 Instance State-change Notification)',
    ],
  ])('ignored: %s', (_name, event, reason) => {
    const n = readAlarmEvent(event, catalogLookup(catalog));
    expect(isIgnored(n) ? n.ignored : 'notified').toBe(reason);
  });

  test("AWS's documented contributor event, with our ModelId: an ALARM of that model, at the state's timestamp, its datapoint read from the reason", () => {
    const n = notice(
      contributorEvent({
        alarmName: fleetPage,
        modelId: CODE,
        state: 'ALARM',
        datapoint: -2.85,
        atMs: T,
        region: 'cn-north-1',
        partition: 'aws-cn',
      }),
    );
    expect([n.eventId, n.alarm.name, n.transition, n.modelId, new Date(n.atMs).toISOString(), n.value, n.partition, n.region]).toEqual([
      '6d226bbc-07f0-9a31-3359-1736968f8ded',
      fleetPage,
      'alarm',
      CODE,
      '2025-12-01T03:42:04.000Z',
      -2.85,
      'aws-cn',
      'cn-north-1',
    ]);
    // A contributor's OK is its recovery (contributor events carry no previous state).
    expect(notice(contributorEvent({ alarmName: fleetPage, modelId: CODE, state: 'OK', atMs: T })).transition).toBe('recovery');
  });

  test('a single alarm: ALARM from OK or INSUFFICIENT_DATA notifies; OK after ALARM is a recovery that knows since when; a precise alarm names its model', () => {
    const alarm = stateEvent({
      alarmName: preciseName('cachingCostsMoney'),
      state: 'ALARM',
      previous: 'INSUFFICIENT_DATA',
      atMs: T,
      datapoint: -0.8,
    });
    const ok = stateEvent({ alarmName: `${PREFIX}-PublisherErrors`, state: 'OK', previous: 'ALARM', atMs: T, previousAtMs: T - HOUR_MS });
    expect([notice(alarm).transition, notice(alarm).modelId, notice(alarm).value]).toEqual(['alarm', TRIAGE, -0.8]);
    expect([notice(ok).transition, notice(ok).alarmSinceMs]).toEqual(['recovery', T - HOUR_MS]);
  });
});

describe('the notifier knows a precise alarm by its name, not by a list', () => {
  const find = alarmLookup(listedAlarms(sampleCatalog()), PREFIX, [{ modelId: CODE, displayName: 'code-review' }, TRIAGE_MODEL]);

  test('every alarm of the sample catalog resolves to its own entry, the precise ones from the listed five and the models', () => {
    expect(listedAlarms(sampleCatalog()).map((a) => a.kind)).toEqual(['fleet', 'fleet', 'fleet', 'fleet', 'pipeline', 'pipeline']);
    expect(sampleCatalog().map((a) => find(a.name))).toEqual(sampleCatalog());
  });

  test("a precise name: the model's key and the family suffix; the anomaly band; names of no configured model or family", () => {
    expect(preciseName('lowHitRatio')).toBe('BedrockPromptCache-triage-86c33cf1-LowHitRatio');
    expect(find(preciseName('lowHitRatio', true))).toEqual({
      name: preciseName('lowHitRatio', true),
      family: 'lowHitRatio',
      severity: 'ticket',
      kind: 'precise',
      modelId: TRIAGE_MODEL.modelId,
      anomalyBand: true,
    });
    const code = { modelId: CODE, displayName: 'code-review' };
    expect([
      find(preciseName('cachingCostsMoney', false, code))?.modelId,
      find(preciseName('cachingCostsMoney', false, code))?.severity,
    ]).toEqual([CODE, 'page']);
    expect(
      [
        preciseName('lowHitRatio', false, { modelId: 'us.amazon.nova-pro-v1:0' }),
        `${PREFIX}-triage-00000000-LowHitRatio`,
        `${PREFIX}-triage-86c33cf1-CpuHigh`,
        `Other-triage-86c33cf1-LowHitRatio`,
      ].map(find),
    ).toEqual([undefined, undefined, undefined, undefined]);
  });
});

describe('subjects: within 100 characters, the model and the dollars first', () => {
  const LONG_NAME = 'x'.repeat(50) + '-workload-name'; // 64 characters, the config's maximum
  const LONG_ID = `arn:aws-us-gov:bedrock:us-gov-west-1:123456789012:application-inference-profile/${'p'.repeat(64)}`;
  const longConfig = parseConfig(
    {
      models: [{ modelId: CODE, displayName: LONG_NAME, cacheWriteTtl: '1h' }],
      pricing: { [LONG_ID]: { inputPerMTok: 3, outputPerMTok: 15, cacheWritePerMTok: 6, cacheReadPerMTok: 0.3 } },
    },
    'test',
  );
  const figures = read({
    hit: hours([9]),
    net: hours([-1234.56]),
    netPerHour: hours([-1234.56]),
    margin: hours([-53.6]),
    wwr: hours([123456789]),
  });

  const subjects = (modelId: string) =>
    fleetAlarms(PREFIX).flatMap((a) =>
      (['ALARM', 'OK'] as const).map(
        (state) => page(contributorEvent({ alarmName: a.name, modelId, state, atMs: T }), figures, longConfig).subject,
      ),
    );

  test('the longest display name (64 characters): every fleet family, ALARM and OK, at most 100', () => {
    expect(subjects(CODE).map((s) => s.length)).toEqual([100, 97, 100, 97, 100, 99, 100, 100]);
  });

  test('a long model id (an application inference profile ARN): cut, the figures whole', () => {
    expect(subjects(LONG_ID)).toEqual([
      'TICKET profile/ppppppppppppppppppppppppppppppppppp...: hit ratio 9% under 62.6% (losing $1,234.56/h)',
      'OK profile/pppppppppppppppppppppppppppppppppppppppppppppppppppppppp...: hit ratio no longer low (9%)',
      'TICKET profile/ppppppppppppppppppppppppppppppppppppppp...: cache writes never read, $370.37/h wasted',
      'OK profile/pppppppppppppppppppppppppppppppppppppppppppppppppppppppp...: no more writes without reads',
      'TICKET profile/ppppppppppppppppppppppppppp...: caching losing $1,234.56/h (hit 9%, break-even 52.6%)',
      'OK profile/pppppppppppppppppppppppppppppppppppppppppppppppppppppp...: caching no longer losing money',
      'PAGE profile/ppppppppppppppppppppppppppppp...: caching losing $1,234.56/h (hit 9%, break-even 52.6%)',
      'OK profile/ppppppppppppppppppppppppppppppppppppppppppppppp...: caching no longer losing over $1.00/h',
    ]);
  });

  test('a cut label keeps the dollars whole: exactly', () => {
    expect(
      page(
        contributorEvent({ alarmName: `${PREFIX}-Fleet-CachingCostsMoney-Page`, modelId: CODE, state: 'ALARM', atMs: T }),
        figures,
        longConfig,
      ).subject,
    ).toBe(`PAGE ${'x'.repeat(37)}...: caching losing $1,234.56/h (hit 9%, break-even 52.6%)`);
    expect(shortModelId(LONG_ID)).toBe(`profile/${'p'.repeat(64)}`);
  });

  test('fitSubject: line breaks out, a surrogate pair never split, a tail too long cut at 100', () => {
    expect(fitSubject('OK', 'two\nlines', 'fine')).toBe('OK two lines: fine');
    const emoji = fitSubject('PAGE', '😀'.repeat(60), 'caching losing $2.85/h');
    expect([emoji.length, emoji.endsWith('😀...: caching losing $2.85/h')]).toEqual([100, true]);
    expect(fitSubject('PAGE', 'm', 'y'.repeat(120))).toBe(`PAGE m: ${'y'.repeat(89)}...`);
  });
});

describe('model facts and the TTL advice', () => {
  test.each([
    ['us.anthropic.claude-sonnet-4-20250514-v1:0', 'us.claude-sonnet-4-20250514'],
    ['amazon.nova-pro-v1:0', 'nova-pro'],
    ['anthropic.claude-3-5-sonnet-20241022-v2:0', 'claude-3-5-sonnet-20241022'],
    ['arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc123', 'profile/abc123'],
    ['arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-v2', 'anthropic.claude-v2'],
  ])('shortModelId(%s) = %s', (id, short) => {
    expect(shortModelId(id)).toBe(short);
  });

  test("a model's facts: display name, TTL, break-even of both TTLs, its low-hit threshold", () => {
    const f = modelFacts(config, CODE);
    const g = modelFacts(config, 'amazon.nova-pro-v1:0');
    expect([
      f.label,
      f.ttl,
      f.breakEvenPercent?.toFixed(2),
      f.otherTtlBreakEvenPercent?.toFixed(2),
      f.lowHitThresholdPercent.toFixed(2),
    ]).toEqual(['code-review', '1h', '52.63', '21.74', '62.63']);
    expect([g.label, g.breakEvenPercent, g.otherTtlBreakEvenPercent, g.lowHitThresholdPercent]).toEqual(['nova-pro', 0, undefined, 50]);
  });

  test('5-minute advice for a 5-minute model, 1-hour advice for a 1-hour one, none of the other TTL for Nova', () => {
    const ttlLine = (modelId: string) =>
      page(contributorEvent({ alarmName: `${PREFIX}-Fleet-LowHitRatio`, modelId, state: 'ALARM', atMs: T }), read({})).lines.find((l) =>
        l.startsWith('3. '),
      );
    expect([ttlLine(CODE), ttlLine(TRIAGE), ttlLine('amazon.nova-pro-v1:0')]).toEqual([
      '3. 1-hour cache (writes at 2x input): calls over an hour apart miss; with calls under 5 min apart the 5-minute cache (break-even 21.7%) is cheaper: cacheWriteTtl "5m" and the request\'s ttl',
      '3. 5-minute cache (writes at 1.25x input): calls over 5 min apart miss and write again; with regular gaps of 5 to 60 min the 1-hour cache (break-even 52.6%) may pay',
      '3. 5-minute cache: calls over 5 min apart miss and write again',
    ]);
  });
});

describe('alarm descriptions: the same runbook, at most 1,024 characters', () => {
  const ONCALL = 'https://console.aws.amazon.com/cloudwatch/home?region=us-east-1#dashboards/dashboard/BedrockPromptCache-OnCall-us-east-1';
  const triageConfig = parseConfig({ models: [{ modelId: TRIAGE, displayName: 'triage', alarms: { mode: 'precise' } }] }, 'test');
  const checksKept = (d: string) => (d.match(/\d\) /g) ?? []).length;

  test('the fleet low-hit-ratio description, exactly: model-agnostic, the break-evens of both Claude TTLs', () => {
    expect(alarmDescription(catalog[0], { config: triageConfig, dashboardUrl: ONCALL, runbookUrl: LINKS.runbookUrl }).split('\n')).toEqual([
      "TICKET. Low hit ratio, per model (contributor ModelId): hit ratio read/(read+write) under the larger of 50% and this model's break-even (5-minute Claude cache 21.7%, 1-hour 52.6%) + 10 points.",
      'How bad: under its break-even caching loses money; above, it saves less than it could.',
      'Do first: nothing tonight: it can wait for working hours.',
      'Checks: 1) the hit ratio on the dashboard: since when; what changed then (deploy, system prompt, tools or their order, model) 2) diff the prefixes of two consecutive requests (a timestamp, id or user data before the checkpoint) 3) TTL: 5-minute misses calls over 5 min apart; 1-hour writes at 2x input (break-even 52.6%)',
      'Can it wait: yes: a loss over $1.00/h pages (caching costs money).',
      'Clears: when a published hour has a hit ratio ≥ its threshold or traffic below 50,000 cache tokens.',
      `Dashboard: ${ONCALL}`,
      'Runbook: https://github.com/example/prompt-cache#low-hit-ratio',
    ]);
  });

  test("a precise model's description: its own break-even, TTL and window", () => {
    const d = alarmDescription(catalog[8], { config: triageConfig, dashboardUrl: ONCALL, runbookUrl: LINKS.runbookUrl }).split('\n');
    expect([d[0], d[1], d[4], d[5]]).toEqual([
      'PAGE. triage: caching costs money: losing more than $1.00/h (net savings under -$1.00/h, alarms.pageAboveUsdPerHour).',
      'How bad: losing more than $1.00/h: over $8.00 by morning; hit ratio far under the break-even 21.7%.',
      'Can it wait: no: more than $1.00/h, over $8.00 by morning.',
      'Clears: when a 60-minute window loses at most $1.00/h (net ≥ -$1.00/h) or has fewer than 50,000 cache tokens.',
    ]);
  });

  test('every family, the example links: lengths and the checks kept', () => {
    const d = catalog.map((a) => alarmDescription(a, { config: triageConfig, dashboardUrl: ONCALL, runbookUrl: LINKS.runbookUrl }));
    expect(d.map((t) => [t.length, checksKept(t)])).toEqual([
      [1020, 3],
      [950, 3],
      [872, 3],
      [990, 2],
      [868, 3],
      [1021, 2],
      [860, 2],
      [1024, 3],
      [926, 1],
    ]);
  });

  test('the longest: a 64-character display name, a 128-character stack name in its us-gov dashboard URL, a long runbook URL', () => {
    const config = parseConfig(
      { models: [{ modelId: TRIAGE, displayName: 'n'.repeat(64), alarms: { mode: 'precise', lowHitRatio: { anomalyBandStdDevs: 2 } } }] },
      'test',
    );
    const dashboardUrl = `https://console.amazonaws-us-gov.com/cloudwatch/home?region=${'r'.repeat(16)}#dashboards/dashboard/${'S'.repeat(128)}-OnCall-${'r'.repeat(16)}`;
    const runbookUrl = `https://${'w'.repeat(60)}.example.com/prompt-cache/README.md#alarms`;
    const band: CatalogAlarm = {
      name: preciseName('lowHitRatio', true),
      family: 'lowHitRatio',
      severity: 'ticket',
      kind: 'precise',
      modelId: TRIAGE,
      anomalyBand: true,
    };
    const d = [...catalog, band].map((a) => alarmDescription(a, { config, dashboardUrl, runbookUrl }));
    // The first check outlives the dashboard line (one click away from the alarm in the console).
    expect(d.map((t) => [t.length <= 1024, checksKept(t), t.includes(dashboardUrl)])).toEqual([
      [true, 1, true],
      [true, 1, true],
      [true, 2, true],
      [true, 1, false],
      [true, 2, true],
      [true, 1, false],
      [true, 1, true],
      [true, 1, false],
      [true, 1, false],
      [true, 1, false],
    ]);
  });

  test('lengthOf: what the caller counts (a deploy-time token as its longest value) decides what gives way; beyond, a clear error', () => {
    const ctx = { config: triageConfig, dashboardUrl: ONCALL, runbookUrl: LINKS.runbookUrl };
    expect(checksKept(alarmDescription(catalog[0], { ...ctx, lengthOf: (t) => t.length + 200 }))).toBe(1);
    expect(() => alarmDescription(catalog[0], { ...ctx, runbookUrl: `https://example.com/${'x'.repeat(700)}` })).toThrow(
      `the description of ${PREFIX}-Fleet-LowHitRatio is 1248 characters without its checks and dashboard link, over CloudWatch's 1024: shorten the runbook URL or the display name`,
    );
  });
});

describe('figures: the query, the newest reading, since when', () => {
  test('one query of the five model series per publisher period, ending with the event’s period', () => {
    const n = notice(contributorEvent({ alarmName: `${PREFIX}-Fleet-LowHitRatio`, modelId: CODE, state: 'ALARM', atMs: T }));
    const q = figuresQuery(n, config);
    expect([new Date(q.startMs).toISOString(), new Date(q.endMs).toISOString(), q.periodMinutes, q.namespace]).toEqual([
      '2025-11-30T21:00:00.000Z',
      '2025-12-01T04:00:00.000Z',
      60,
      'BedrockPromptCache',
    ]);
    expect(q.series.map((s) => `${s.id} ${s.metricName} ${s.stat} ${s.modelId}`)).toEqual([
      `hit CacheHitRatio Average ${CODE}`,
      `net NetSavingsUSD Sum ${CODE}`,
      `margin AlarmHitRatioMarginPoints Average ${CODE}`,
      `wwr WritesWithoutReadsTokens Sum ${CODE}`,
      `netPerHour AlarmNetSavingsUSDPerHour Average ${CODE}`,
    ]);
    const pipeline = figuresQuery(
      notice(stateEvent({ alarmName: `${PREFIX}-PublisherHeartbeat`, state: 'ALARM', previous: 'OK', atMs: T })),
      config,
    );
    expect(pipeline.series).toEqual([{ id: 'lag', metricName: 'PublisherLagMinutes', stat: 'Maximum' }]);
  });

  test('the newest period of any series; NetSavingsUSD per hour of a 15-minute period when there is no alarm-ready value', () => {
    const q = (v: number[]) => v.map((value, i) => ({ startMs: HOUR - (v.length - i) * 15 * MINUTE_MS, value }));
    expect(modelReading({ hit: q([50, 40]), net: q([0.1, -0.2]) }, 15)).toEqual({
      periodStartMs: HOUR - 15 * MINUTE_MS,
      hitPercent: 40,
      netUsdPerHour: -0.8,
    });
    expect(modelReading({}, 60)).toEqual({});
  });

  test('breachingRun: the run that ends with the newest point; a gap ends it; none if the newest is fine', () => {
    const neg = (v: number) => v < 0;
    const start = HOUR - 6 * HOUR_MS;
    expect(breachingRun(hours([1, -1, -2, -3]), HOUR_MS, neg, start)).toEqual({ startMs: HOUR - 3 * HOUR_MS, periods: 3, atLeast: false });
    expect(breachingRun(hours([-1, null, -2]), HOUR_MS, neg, start)).toEqual({ startMs: HOUR - HOUR_MS, periods: 1, atLeast: false });
    expect(breachingRun(hours([-1, -1, -1, -1, -1, -1]), HOUR_MS, neg, start)).toEqual({ startMs: start, periods: 6, atLeast: true });
    expect(breachingRun(hours([-1, 2]), HOUR_MS, neg, start)).toBeUndefined();
  });
});

describe('what the core restates from lib/ (it may not import the CDK) is equal to it', () => {
  test('console hosts, the lag fill value, the default publisher timeout', () => {
    expect([CONSOLE_HOSTS, LAG_FILL_MINUTES, DEFAULT_PUBLISHER_TIMEOUT_MINUTES]).toEqual([LIB_CONSOLE_HOSTS, LIB_LAG_FILL, LIB_TIMEOUT]);
  });

  test('the published window and the heartbeat periods, over a grid of settings', () => {
    const mine: unknown[] = [];
    const lib: unknown[] = [];
    for (const publisher of [5, 15, 60])
      for (const [p, n, m] of [
        [15, 4, 3],
        [15, 3, 3],
        [60, 3, 3],
        [5, 12, 9],
        [1440, 1, 1],
      ]) {
        const { published: _p, ...w } = coveringWindow(p, n, m, publisher);
        mine.push(w);
        lib.push(publisherWindow(p, n, m, publisher));
      }
    expect(mine).toEqual(lib);
    expect([1, 2, 24].map((k) => heartbeatPeriods(k, 60))).toEqual([1, 2, 24].map((k) => libHeartbeatPeriods(k, 60)));
  });
});
