/**
 * The bill check's alarms as the notifier and the alarm descriptions render them: the drift ticket with the newest
 * day's figures (read at 1-day periods), its recovery, the errors ticket, and the windows the runbook states.
 */
import { billAlarms, catalogLookup, type CatalogAlarm } from '../../lambda/core/alarm-catalog';
import { parseConfig } from '../../lambda/core/config';
import { DAY_MS } from '../../lambda/core/periods';
import {
  alarmDescription,
  alarmWindow,
  figuresQuery,
  isIgnored,
  notificationFor,
  readAlarmEvent,
  type LiveFigures,
} from '../../lambda/core/pages';
import { modelAlarmSettings } from '../../lambda/core/config';
import { PREFIX, stateEvent } from '../support/alarm-events';

const config = parseConfig({}, 'test');
const catalog: CatalogAlarm[] = billAlarms(PREFIX);
const T = Date.UTC(2026, 11, 3, 6, 4, 30);
const NOV_30 = Date.UTC(2026, 10, 30);
const LINKS = { dashboardUrl: 'https://console.aws.amazon.com/cloudwatch/home?region=us-east-1#dashboards/dashboard/X-OnCall' };

function notify(event: unknown, figures: LiveFigures) {
  const n = readAlarmEvent(event, catalogLookup(catalog));
  if (isIgnored(n)) throw new Error(`ignored: ${n.ignored}`);
  const o = notificationFor(n, { config, ...LINKS, figures });
  return { topic: o.topic, subject: o.subject, lines: o.message.split('\n') };
}

const driftDays: LiveFigures = {
  read: true,
  series: {
    drift: [0, 1, 2, 3].map((k) => ({ startMs: NOV_30 - (3 - k) * DAY_MS, value: [1.2, 7.5, 8.25, 9.0909][k] })),
    billed: [{ startMs: NOV_30, value: 7.26 }],
  },
};

test('the catalog: two tickets, named after the prefix, kind bill', () => {
  expect(catalog).toEqual([
    { name: `${PREFIX}-CostDrift`, family: 'costDrift', severity: 'ticket', kind: 'bill' },
    { name: `${PREFIX}-BillCheckErrors`, family: 'billCheckErrors', severity: 'ticket', kind: 'bill' },
  ]);
});

test('windows: drift 3 of 7 days (3 + 2-day delay + 2), errors 1 of 1 day', () => {
  const s = modelAlarmSettings(config.alarms);
  expect([alarmWindow(catalog[0], s, config), alarmWindow(catalog[1], s, config)]).toEqual([
    { periodMinutes: 1440, evaluationPeriods: 7, datapointsToAlarm: 3, published: false },
    { periodMinutes: 1440, evaluationPeriods: 1, datapointsToAlarm: 1, published: false },
  ]);
  const slow = parseConfig({ alarms: { costDrift: { days: 2 } }, reconcile: { daily: { billDelayDays: 3 } } }, 'test');
  expect(alarmWindow(catalog[0], s, slow)).toEqual({ periodMinutes: 1440, evaluationPeriods: 7, datapointsToAlarm: 2, published: false });
});

test("the figures a drift ticket reads: the week's all-models drift and bill, one datum a day", () => {
  const n = readAlarmEvent(
    stateEvent({ alarmName: `${PREFIX}-CostDrift`, state: 'ALARM', previous: 'OK', atMs: T, datapoint: 9.09 }),
    catalogLookup(catalog),
  );
  if (isIgnored(n)) throw new Error('ignored');
  expect(figuresQuery(n, config)).toEqual({
    namespace: 'BedrockPromptCache',
    periodMinutes: 1440,
    startMs: Date.UTC(2026, 10, 27),
    endMs: Date.UTC(2026, 11, 4),
    series: [
      { id: 'drift', metricName: 'CostDriftPercent', stat: 'Maximum' },
      { id: 'billed', metricName: 'BilledCostUSD', stat: 'Maximum' },
    ],
  });
});

test('the drift ticket: the subject says which way and by how much; the message the newest day and the checks', () => {
  const t = notify(stateEvent({ alarmName: `${PREFIX}-CostDrift`, state: 'ALARM', previous: 'OK', atMs: T, datapoint: 9.09 }), driftDays);
  expect(t.topic).toBe('ticket');
  expect(t.subject).toBe('TICKET Bedrock bill: above the computed cost by 9.1% (over 5%)');
  expect(t.lines.slice(0, 12)).toEqual([
    'TICKET bill drift: billed and computed cost differ by over 5% of the bill, either way, on 3 of the last 7 days (days billed ≥ $1.00, each read 2 days after it ends).',
    `Alarm: ${PREFIX}-CostDrift`,
    '',
    "How bad: the newest day published, 2026-11-30: drift +9.1% of $7.26 billed. The drift loses no money itself (the bill is what you pay); the dashboards' and alarms' dollars are off by about that much.",
    'Do first: nothing tonight: it can wait for working hours.',
    'Checks:',
    '1. `prompt-cache reconcile --days 7`: which model drifts, its effective prices, unmapped usage types',
    '2. bill below computed: a discount (set `pricing`) or a price cut (`prompt-cache prices --refresh`, `pricesFile`)',
    '3. bill above: a new model or usage type (`reconcile.usageTypes`, `pricing`), or tokens CloudWatch lacks (`prompt-cache doctor`)',
    "Can it wait: yes: the bill is what it is; at stake is trust in the dashboards' dollars.",
    'Clears: when fewer than 3 of the last 7 days drift over 5%.',
    'Since: alarm at 06:04 UTC.',
  ]);
});

test('a bill below the computed cost, and figures that could not be read', () => {
  const below: LiveFigures = { read: true, series: { drift: [{ startMs: NOV_30, value: -12.5 }] } };
  const event = stateEvent({ alarmName: `${PREFIX}-CostDrift`, state: 'ALARM', previous: 'OK', atMs: T, datapoint: 12.5 });
  expect(notify(event, below).subject).toBe('TICKET Bedrock bill: below the computed cost by 12.5% (over 5%)');
  const none = notify(event, { read: false, reason: 'GetMetricData failed: Throttling' });
  expect([none.subject, none.lines[3]]).toEqual([
    'TICKET Bedrock bill: differs from the computed cost by over 5%',
    'Figures: unavailable (GetMetricData failed: Throttling); sent without them.',
  ]);
});

test('recovery: OK with the rule it met', () => {
  const ok = notify(
    stateEvent({ alarmName: `${PREFIX}-CostDrift`, state: 'OK', previous: 'ALARM', atMs: T, previousAtMs: T - 2 * DAY_MS, datapoint: 1 }),
    driftDays,
  );
  expect([ok.topic, ok.subject, ok.lines[0], ok.lines[3]]).toEqual([
    'ticket',
    'OK Bedrock bill: matches the computed cost again (within 5%)',
    `OK bill drift cleared (was a ticket) at ${'06:04 UTC'}.`,
    'Rule met: fewer than 3 of the last 7 days drift over 5%.',
  ]);
});

test('the errors ticket names Cost Explorer access as the first suspect', () => {
  const t = notify(stateEvent({ alarmName: `${PREFIX}-BillCheckErrors`, state: 'ALARM', previous: 'OK', atMs: T, datapoint: 1 }), {
    read: true,
    series: {},
  });
  expect([t.subject, t.lines[0], t.lines[6], t.lines[9]]).toEqual([
    'TICKET bill check: run failed, BilledCostUSD and CostDriftPercent late',
    'TICKET bill check errors: its Lambda failed (≥ 1 error in a day).',
    "1. the bill check's log group: AccessDenied or DataUnavailable means Cost Explorer is not enabled, or not readable from this account",
    'Can it wait: yes: it runs once a day, at 06:00 UTC.',
  ]);
});

test.each(catalog.map((a) => [a.name, a] as const))('%s: its description fits 1,024 characters with all three checks', (_name, alarm) => {
  const text = alarmDescription(alarm, { config, ...LINKS });
  expect([text.length <= 1024, (text.match(/\d\) /g) ?? []).length]).toEqual([true, 3]);
});
