/**
 * The demo's scenario, run as `npm run demo` runs it (its own moto region here): the notifications the fleet and
 * pipeline alarms would have sent, exactly, and nothing else. code-review's regression pages while claims-triage's
 * misconfiguration is still open; the model in no config pages under its id while code-review's page is open; the
 * healthy model sends nothing. Every time is relative to the scenario's (scenario.ts), every figure follows from its
 * traffic and the catalog's prices.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DAY_MS, HOUR_MS } from '../../lambda/core/periods';
import { runDemo, type DemoResult } from './demo';
import { FIVE_MINUTES_MS, requests } from './scenario';
import { minuteUtc, type TimelineEntry } from './timeline';

let result: DemoResult;
const outDir = mkdtempSync(join(tmpdir(), 'demo-'));
const printed: string[] = [];
const nowMs = Date.now();

beforeAll(async () => {
  result = await runDemo({ region: 'eu-central-2', outDir, nowMs, print: (l) => printed.push(l), progressBar: false });
  // ~5 minutes on 2 cores: the 14-day backfill puts each period 24 hours or older in a PutMetricData call of its own.
}, 600_000);

const H = HOUR_MS;
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** claims-triage's writes in the hour from `fromMs`: 2 writes of 4,500 tokens a request (scenario.ts). */
function claimsWrites(fromMs: number): number {
  let tokens = 0;
  for (let t = fromMs; t < fromMs + H; t += FIVE_MINUTES_MS) tokens += 2 * requests(t) * 4500;
  return tokens;
}

/** The timeline the scenario must give, in order; a RegExp where a figure is asserted on the notification instead. */
function expectedTimeline(r: DemoResult): (string | RegExp)[] {
  const { fromMs, toMs } = r.replay;
  const { changeAtMs: C, unconfiguredBreaksAtMs: U, unconfiguredFixedAtMs: F } = r.times;
  const u = r.models.unconfigured;
  const first = fromMs + H;
  // claims-triage's loss depends on the hour the replay starts at: its dollars are asserted on the notification.
  const claims = (text: string) => new RegExp(`^${escape(`${minuteUtc(first)}  TICKET  claims-triage  `)}${text}  OK -> ALARM$`);
  const usd = String.raw`\$0\.\d{2,4}/h`;
  const lines: [number, string | RegExp][] = [
    // claims-triage is misconfigured from the first hour replayed: three tickets, open to the end.
    [first, claims(`hit ratio 0% under 50% \\(losing ${usd}\\)`)],
    [first, claims(`cache writes never read, ${usd} wasted`)],
    [first, claims(`caching losing ${usd} \\(hit 0%, break-even 21\\.7%\\)`)],
    // The demo's publisher ran once, at the end: no lag report in the window, so the heartbeat pages after 2 periods.
    [fromMs + 2 * H, `${minuteUtc(fromMs + 2 * H)}  PAGE    savings pipeline  silent; cache alarms blind  OK -> ALARM`],
    // code-review's prefix change at 09:00: the 09:00-10:00 hour is evaluated at 10:00.
    [C + H, `${minuteUtc(C + H)}  TICKET  code-review  hit ratio 8.9% under 62.6% (losing $2.02/h)  OK -> ALARM`],
    [C + H, `${minuteUtc(C + H)}  TICKET  code-review  caching losing $2.02/h (hit 8.9%, break-even 52.6%)  OK -> ALARM`],
    [C + H, `${minuteUtc(C + H)}  PAGE    code-review  caching losing $2.02/h (hit 8.9%, break-even 52.6%)  OK -> ALARM`],
    // The model in no config: its bad deploy at 11:00 pages at 12:00, its rollback at 17:00 clears at 18:00.
    [U + H, `${minuteUtc(U + H)}  TICKET  ${u}  hit ratio 9.6% under 50% (losing $1.37/h)  OK -> ALARM`],
    [U + H, `${minuteUtc(U + H)}  TICKET  ${u}  caching losing $1.37/h (hit 9.6%, break-even 21.7%)  OK -> ALARM`],
    [U + H, `${minuteUtc(U + H)}  PAGE    ${u}  caching losing $1.37/h (hit 9.6%, break-even 21.7%)  OK -> ALARM`],
    [F + H, `${minuteUtc(F + H)}  TICKET  ${u}  hit ratio no longer low (89.8%)  ALARM -> OK`],
    [F + H, `${minuteUtc(F + H)}  TICKET  ${u}  caching no longer losing money  ALARM -> OK`],
    [F + H, `${minuteUtc(F + H)}  PAGE    ${u}  caching no longer losing over $1.00/h  ALARM -> OK`],
  ];
  // code-review loses under $1/h at night (20:00 to 08:00): its page clears at 21:00 and comes back at 09:00, every
  // day to the end, while its tickets stay open.
  for (let day = C - 9 * H; day < toMs; day += DAY_MS) {
    lines.push([day + 21 * H, `${minuteUtc(day + 21 * H)}  PAGE    code-review  caching no longer losing over $1.00/h  ALARM -> OK`]);
    const next = day + DAY_MS + 9 * H;
    lines.push([next, `${minuteUtc(next)}  PAGE    code-review  caching losing $1.25/h (hit 13%, break-even 52.6%)  OK -> ALARM`]);
  }
  return lines
    .filter(([at]) => at <= toMs)
    .sort((a, b) => a[0] - b[0])
    .map(([, line]) => line);
}

/** A contributor's (or single alarm's) state at `atMs` after the notifications up to then: OK before any. */
function stateAt(alarmSuffix: string, modelId: string | undefined, atMs: number): string {
  const mine = result.notifications.filter(
    (e) => e.notice.alarm.name.endsWith(alarmSuffix) && e.notice.modelId === modelId && e.change.atMs <= atMs,
  );
  return mine.length === 0 ? 'OK' : mine[mine.length - 1].change.to;
}

const firstPage = (modelId: string): TimelineEntry | undefined =>
  result.notifications.find((e) => e.notice.modelId === modelId && e.notification.topic === 'page' && e.change.to === 'ALARM');

test('the timeline is exactly the expected notifications, one line each', () => {
  const expected = expectedTimeline(result);
  expect(result.timeline.length).toBe(expected.length);
  result.timeline.forEach((line, i) => {
    const want = expected[i];
    if (typeof want === 'string') expect(line).toBe(want);
    else expect(line).toMatch(want);
  });
  expect(readFileSync(join(outDir, 'alarm-timeline.txt'), 'utf8')).toBe(`${result.timeline.join('\n')}\n`);
  // What each line printed says, after the replay's summary line.
  const at = printed.findIndex((l) => l.startsWith('4/6 '));
  expect(printed.slice(at + 2, at + 2 + result.timeline.length)).toEqual(result.timeline.map((l) => `    ${l}`));
});

test("no fleet alarm's own transition notifies, nor a first evaluation: the notifier ignores them", () => {
  const codeReviewPages = result.notifications.filter(
    (e) => e.notice.modelId === result.models.regressing && e.notification.topic === 'page',
  );
  const counts = new Map<string, number>();
  for (const i of result.ignored) counts.set(i.reason, (counts.get(i.reason) ?? 0) + 1);
  // The three ticket alarms go to ALARM once (claims-triage); the paging one starts OK, then follows code-review. The
  // pipeline's two alarms and the bill check's two (the demo runs no bill check: no datum, not breaching) start OK.
  expect([...counts]).toEqual([
    ["a fleet alarm's own transition (its contributors notify, one per model)", 3 + 1 + codeReviewPages.length],
    ['INSUFFICIENT_DATA → OK is no recovery (only OK after ALARM is)', 4],
    ['not in the alarm catalog', 1],
  ]);
  expect(result.ignored.filter((i) => i.reason === 'not in the alarm catalog').map((i) => [i.change.alarm, i.change.to])).toEqual([
    ['PromptCacheDemo-NotifierFailing', 'OK'],
  ]);
});

test("code-review's regression pages while claims-triage's misconfiguration is open", () => {
  const page = firstPage(result.models.regressing);
  // 09:00-10:00, about 10 requests every 5 minutes, 1 in 10 reading its 6,000-token prefix: $2.0196 lost.
  expect([page?.change.atMs, page?.notice.alarm.name, page?.label, page?.notice.value]).toEqual([
    result.times.changeAtMs + H,
    'PromptCacheDemo-Fleet-CachingCostsMoney-Page',
    'code-review',
    expect.closeTo(-2.0196, 9),
  ]);
  expect(page?.notification.subject).toBe('PAGE code-review: caching losing $2.02/h (hit 8.9%, break-even 52.6%)');
  const at = page?.change.atMs ?? 0;
  expect(
    ['-Fleet-LowHitRatio', '-Fleet-WritesWithoutReads', '-Fleet-CachingCostsMoney'].map((a) => stateAt(a, result.models.misconfigured, at)),
  ).toEqual(['ALARM', 'ALARM', 'ALARM']);
  // The ticket alarms were in ALARM already (for claims-triage) when code-review's tickets went out.
  expect(['Fleet-LowHitRatio', 'Fleet-CachingCostsMoney'].map((a) => result.fleetStates.get(`PromptCacheDemo-${a}`)?.get(at - H))).toEqual([
    'ALARM',
    'ALARM',
  ]);
});

test('the model in no config pages under its id, while the paging alarm is already in ALARM for code-review', () => {
  const u = result.models.unconfigured;
  expect(u).toBe('us.anthropic.claude-sonnet-4-20250514-v1:0');
  const page = firstPage(u);
  expect([page?.change.atMs, page?.label, page?.notice.value]).toEqual([
    result.times.unconfiguredBreaksAtMs + H,
    u,
    expect.closeTo(-1.3716, 9),
  ]);
  // The notifier's own subject shortens the id; the timeline names the model by its full id.
  expect(page?.notification.subject).toBe('PAGE us.claude-sonnet-4-20250514: caching losing $1.37/h (hit 9.6%, break-even 21.7%)');
  expect(result.timeline.filter((l) => l.includes('  PAGE    ') && l.includes(`  ${u}  `))).toHaveLength(2);
  const at = page?.change.atMs ?? 0;
  expect(stateAt('-Fleet-CachingCostsMoney-Page', result.models.regressing, at)).toBe('ALARM');
  // The alarm as a whole did not change (its own transition would notify nobody anyway): the contributor did.
  expect([at - H, at].map((t) => result.fleetStates.get('PromptCacheDemo-Fleet-CachingCostsMoney-Page')?.get(t))).toEqual([
    'ALARM',
    'ALARM',
  ]);
});

test('claims-triage sends tickets only, never a page: it loses under $1/h', () => {
  const mine = result.notifications.filter((e) => e.notice.modelId === result.models.misconfigured);
  expect(mine.map((e) => [e.notice.alarm.name, e.notification.topic, e.change.to])).toEqual([
    ['PromptCacheDemo-Fleet-LowHitRatio', 'ticket', 'ALARM'],
    ['PromptCacheDemo-Fleet-WritesWithoutReads', 'ticket', 'ALARM'],
    ['PromptCacheDemo-Fleet-CachingCostsMoney', 'ticket', 'ALARM'],
  ]);
  // Haiku 4.5 through a regional route: writes $1.375/MTok against input $1.10, $0.275/MTok wasted.
  const writes = claimsWrites(result.replay.fromMs);
  expect([mine[1].notice.value, mine[2].notice.value]).toEqual([writes, expect.closeTo(-(writes * 0.275) / 1e6, 9)]);
  const lines = result.timeline.filter((l) => l.includes('  claims-triage  '));
  expect([lines.length, lines.filter((l) => l.includes('  TICKET  ')).length, lines.filter((l) => /PAGE/i.test(l)).length]).toEqual([
    3, 3, 0,
  ]);
});

test('the healthy model sends nothing', () => {
  expect(result.notifications.filter((e) => e.notice.modelId === result.models.healthy)).toEqual([]);
  expect(result.timeline.filter((l) => l.includes('support-bot') || l.includes(result.models.healthy))).toEqual([]);
});

test('every line goes to exactly one topic: PAGE or TICKET, in its second column', () => {
  const topics = result.timeline.map((l) => (l.match(/\b(PAGE|TICKET)\b/gi) ?? []).join(','));
  expect(topics.filter((t) => t !== 'PAGE' && t !== 'TICKET')).toEqual([]);
  expect(result.timeline.map((l) => l.split(/\s+/)[1])).toEqual(
    result.notifications.map((e) => (e.notification.topic === 'page' ? 'PAGE' : 'TICKET')),
  );
  // Each line names the notification's model (or the pipeline) right after its topic.
  expect(result.timeline.map((l) => /^\S+ {2}(?:PAGE {2}|TICKET) {2}(.+?) {2}/.exec(l)?.[1])).toEqual(
    result.notifications.map((e) => e.label),
  );
  expect([...new Set(result.notifications.filter((e) => e.notification.topic === 'page').map((e) => e.label))]).toEqual([
    'savings pipeline',
    'code-review',
    result.models.unconfigured,
  ]);
});

test('the replay: 9 alarms, 4 of them fleet alarms, over the published window', () => {
  expect([result.replay.alarms, result.replay.fleetAlarms, result.replay.fromMs % H, result.replay.toMs - result.replay.fromMs]).toEqual([
    9,
    4,
    0,
    (14 * 24 - 3) * H,
  ]);
});

test('the publisher backfilled the window: every hour from the first CloudWatch still takes, none lost', () => {
  // Whatever the minute it runs at: the window ends at the last settled hour and starts 3 hours into the 14 days.
  const periods = 14 * 24 - 3;
  // Periods 24 hours old or older at the run go one a call; the recent ones (22 or 23) together; the lag report alone.
  let old = 0;
  for (let p = result.replay.fromMs; p < result.replay.toMs; p += H) if (nowMs - p >= DAY_MS) old++;
  expect([result.seeded, result.publish.status, result.publish.periodsPublished, result.publish.periodsLost]).toEqual([
    4032 * 4 * 4,
    'published',
    periods,
    0,
  ]);
  // Per period: 8 all-models datums, 7 per model (4 dollar and ratio series, 3 alarm-ready), the PublishedPeriods heartbeat.
  expect([result.publish.datumsPut, result.publish.calls.PutMetricData, result.publish.calls.GetMetricData]).toEqual([
    periods * (8 + 4 * 7 + 1),
    old + 2,
    1,
  ]);
});

test('the emulator created every resource but the Lambda functions and what only exists for them', () => {
  // The publisher-errors and bill-check-errors alarms read their function's Errors and the on-call dashboard shows the
  // publisher's; the deploy-time run's service token is the function; the schedules and the notifier's alarm-event rule
  // invoke the functions, and the notifier's dead-letter queue policy names that rule.
  expect([...new Set(result.leftOut.map((l) => l.type))].sort()).toEqual([
    'AWS::CloudWatch::Alarm',
    'AWS::CloudWatch::Dashboard',
    'AWS::Events::Rule',
    'AWS::Lambda::EventInvokeConfig',
    'AWS::Lambda::Function',
    'AWS::Lambda::Permission',
    'AWS::SQS::QueuePolicy',
    'Custom::PromptCacheFirstRun',
  ]);
  expect(result.leftOut.filter((l) => l.type === 'AWS::Lambda::Function').map((l) => l.logicalId.replace(/[0-9A-F]{8}$/, ''))).toEqual([
    'PromptCacheMonitoringSavingsPublisherLambdaFunction',
    'PromptCacheMonitoringBillCheckLambdaFunction',
    'PromptCacheMonitoringWeeklyDigestLambdaFunction',
    'PromptCacheMonitoringAlarmsNotifierLambdaFunction',
  ]);
  expect(result.leftOut.filter((l) => l.type.startsWith('AWS::CloudWatch::')).map((l) => l.logicalId.replace(/[0-9A-F]{8}$/, ''))).toEqual([
    'PublisherErrors378f3d60',
    'BillCheckErrorse964cd19',
    'PromptCacheMonitoringOnCallDashboard',
  ]);
  // moto 5.2.5's CloudFormation accepts these and creates nothing: it has no alarm, topic-policy or queue-policy
  // resource (the replay reads the alarms from the template, NotifierFailing included).
  expect(result.notCreated.map((n) => `${n.type} ${n.logicalId.replace(/[0-9A-F]{8}$/, '')}`).sort()).toEqual([
    'AWS::CloudWatch::Alarm CachingCostsMoney187e429c',
    'AWS::CloudWatch::Alarm CachingCostsMoneyPagebaa67abe',
    'AWS::CloudWatch::Alarm CostDriftb28caabb',
    'AWS::CloudWatch::Alarm LowHitRatio8b6a253d',
    'AWS::CloudWatch::Alarm PromptCacheMonitoringAlarmsNotifierFailing',
    'AWS::CloudWatch::Alarm PublisherHeartbeat3c3e248f',
    'AWS::CloudWatch::Alarm WritesWithoutReadsf44baa23',
    'AWS::SNS::TopicPolicy PromptCacheMonitoringAlarmsOnCallTopicPolicy',
    'AWS::SNS::TopicPolicy PromptCacheMonitoringAlarmsTicketsTicketTopicPolicy',
    'AWS::SNS::TopicPolicy PromptCacheMonitoringWeeklyDigestCostReviewTopicPolicy',
    'AWS::SQS::QueuePolicy PromptCacheMonitoringSavingsPublisherFailedRunsPolicy',
  ]);
  expect(result.created.filter((c) => c.startsWith('AWS::DynamoDB::Table '))).toHaveLength(1);
});

test('outputs: the weekly review, its chart; and the cost next to the savings', () => {
  expect(readFileSync(join(outDir, 'weekly-review.md'), 'utf8').split('\n')[0]).toMatch(
    /^# Prompt cache weekly review: \d{4}-\d{2}-\d{2} to \d{4}-\d{2}-\d{2}$/,
  );
  expect(readFileSync(join(outDir, 'weekly-review.svg'), 'utf8').startsWith('<svg')).toBe(true);
  expect(printed[printed.length - 1]).toBe(
    `    about $${result.monitoringMonthlyUSD.toFixed(2)} a month ($${((result.monitoringMonthlyUSD * 12) / 52).toFixed(2)} a week); caching saved $${result.weeklyNetSavingsUSD.toFixed(2)} net this week: ${(result.weeklyNetSavingsUSD / ((result.monitoringMonthlyUSD * 12) / 52)).toFixed(1)}x what the monitoring costs`,
  );
});
