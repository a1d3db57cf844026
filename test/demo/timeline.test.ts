import { fleetAlarms, type CatalogAlarm } from '../../lambda/core/alarm-catalog';
import { parseConfig } from '../../lambda/core/config';
import type { FigureSeries, LiveFigures } from '../../lambda/core/pages';
import { figuresAt, routeChanges, sortEntries, timelineEntry, timelineLine, type StateChange, type TimelineEntry } from './timeline';

const config = parseConfig(
  {
    models: [
      { modelId: 'global.anthropic.claude-sonnet-4-5-20250929-v1:0', displayName: 'code-review', cacheWriteTtl: '1h' },
      { modelId: 'us.anthropic.claude-3-7-sonnet-20250219-v1:0' },
    ],
  },
  'test',
);
const CR = 'global.anthropic.claude-sonnet-4-5-20250929-v1:0';
const SONNET4 = 'us.anthropic.claude-sonnet-4-20250514-v1:0';
const [lowHit, wwr, costs, costsPage] = fleetAlarms('P');
const heartbeat: CatalogAlarm = { name: 'P-PublisherHeartbeat', family: 'heartbeat', severity: 'page', kind: 'pipeline' };
const errors: CatalogAlarm = { name: 'P-PublisherErrors', family: 'publisherErrors', severity: 'ticket', kind: 'pipeline' };
const catalog = [lowHit, wwr, costs, costsPage, errors, heartbeat];
const T = Date.parse('2026-11-28T10:00:00Z');
const H = 3_600_000;

const contributor = (
  alarm: CatalogAlarm,
  modelId: string,
  from: 'OK' | 'ALARM',
  to: 'OK' | 'ALARM',
  value: number | null,
  atMs = T,
): StateChange => ({
  alarm: alarm.name,
  atMs,
  from,
  to,
  value,
  contributor: modelId,
});
const own = (alarm: CatalogAlarm, from: StateChange['from'], to: StateChange['to'], value: number | null, atMs = T): StateChange => ({
  alarm: alarm.name,
  atMs,
  from,
  to,
  value,
  sinceMs: atMs - 2 * H,
});

/** The figures of the hour before T (09:00-10:00), as the notifier reads them. */
const figures = (series: FigureSeries): LiveFigures => ({ read: true, series });
const hourBefore = (value: number) => [{ startMs: T - H, value }];

function entry(change: StateChange, live: LiveFigures = { read: false, reason: 'not read' }): TimelineEntry {
  const routed = routeChanges([change], catalog, 'eu-central-2');
  expect(routed.ignored).toEqual([]);
  return timelineEntry(change, routed.notices[0].notice, live, config);
}

describe('timeline: the notifier decides which changes notify', () => {
  test("a fleet alarm's own changes and first evaluations are ignored, each contributor change notifies", () => {
    const routed = routeChanges(
      [
        own(costsPage, 'INSUFFICIENT_DATA', 'OK', null, T - H),
        own(costsPage, 'OK', 'ALARM', -2.0196),
        contributor(costsPage, CR, 'OK', 'ALARM', -2.0196),
        own(heartbeat, 'INSUFFICIENT_DATA', 'OK', 99_999, T - H),
        own(heartbeat, 'OK', 'ALARM', 99_999),
        own(heartbeat, 'ALARM', 'INSUFFICIENT_DATA', null, T + H),
        { alarm: 'P-NotifierFailing', atMs: T, from: 'OK', to: 'ALARM', value: 1, sinceMs: T - H },
        contributor(costsPage, CR, 'ALARM', 'OK', -0.8856, T + 11 * H),
      ],
      catalog,
      'eu-central-2',
    );
    expect(routed.notices.map(({ change, notice }) => [change.alarm, notice.transition, notice.modelId, notice.value])).toEqual([
      ['P-Fleet-CachingCostsMoney-Page', 'alarm', CR, -2.0196],
      ['P-PublisherHeartbeat', 'alarm', undefined, 99_999],
      ['P-Fleet-CachingCostsMoney-Page', 'recovery', CR, -0.8856],
    ]);
    expect(routed.ignored.map((i) => i.reason)).toEqual([
      "a fleet alarm's own transition (its contributors notify, one per model)",
      "a fleet alarm's own transition (its contributors notify, one per model)",
      'INSUFFICIENT_DATA → OK is no recovery (only OK after ALARM is)',
      'ALARM → INSUFFICIENT_DATA is neither an incident nor a recovery',
      'not in the alarm catalog',
    ]);
  });

  test('a contributor is never INSUFFICIENT_DATA', () => {
    expect(() => routeChanges([{ ...contributor(lowHit, CR, 'OK', 'OK', null), to: 'INSUFFICIENT_DATA' }], catalog, 'x')).toThrow(
      'timeline: a contributor of P-Fleet-LowHitRatio is never INSUFFICIENT_DATA',
    );
  });

  test('the figures are those published by the notice: the periods that ended by then', () => {
    const routed = routeChanges([contributor(costsPage, CR, 'OK', 'ALARM', -2.0196)], catalog, 'x');
    const q = figuresAt(routed.notices[0].notice, config);
    expect([q.startMs - T, q.endMs - T, q.series.map((s) => s.id)]).toEqual([-6 * H, 0, ['hit', 'net', 'margin', 'wwr', 'netPerHour']]);
  });
});

describe('timeline: one line per notification, the subject after its model', () => {
  test.each<[string, () => TimelineEntry, string]>([
    [
      'page of money lost fast, with the figures read',
      () => entry(contributor(costsPage, CR, 'OK', 'ALARM', -2.0196), figures({ hit: hourBefore(8.9), netPerHour: hourBefore(-2.0196) })),
      '2026-11-28T10:00Z  PAGE    code-review  caching losing $2.02/h (hit 8.9%, break-even 52.6%)  OK -> ALARM',
    ],
    [
      'its recovery goes to the same topic',
      () => entry(contributor(costsPage, CR, 'ALARM', 'OK', -0.8856), figures({ netPerHour: hourBefore(-0.8856) })),
      '2026-11-28T10:00Z  PAGE    code-review  caching no longer losing over $1.00/h  ALARM -> OK',
    ],
    [
      'the ticket of any loss, for a model in no config: its full id on the line (the subject has a short one)',
      () => entry(contributor(costs, SONNET4, 'OK', 'ALARM', -0.178), figures({ netPerHour: hourBefore(-0.178) })),
      `2026-11-28T10:00Z  TICKET  ${SONNET4}  caching losing $0.178/h (break-even 21.7%)  OK -> ALARM`,
    ],
    [
      'a configured model without a display name: its id',
      () => entry(contributor(lowHit, 'us.anthropic.claude-3-7-sonnet-20250219-v1:0', 'OK', 'ALARM', -50), figures({ hit: hourBefore(0) })),
      '2026-11-28T10:00Z  TICKET  us.anthropic.claude-3-7-sonnet-20250219-v1:0  hit ratio 0% under 50%  OK -> ALARM',
    ],
    [
      'low hit ratio with the dollars',
      () => entry(contributor(lowHit, CR, 'OK', 'ALARM', -53.7), figures({ hit: hourBefore(8.9), netPerHour: hourBefore(-2.0196) })),
      '2026-11-28T10:00Z  TICKET  code-review  hit ratio 8.9% under 62.6% (losing $2.02/h)  OK -> ALARM',
    ],
    [
      'writes without reads, the waste per hour',
      () => entry(contributor(wwr, CR, 'OK', 'ALARM', 1_215_000), figures({ wwr: hourBefore(1_215_000) })),
      '2026-11-28T10:00Z  TICKET  code-review  cache writes never read, $3.65/h wasted  OK -> ALARM',
    ],
    [
      'figures not read: the subject says what it can',
      () => entry(contributor(wwr, CR, 'OK', 'ALARM', 1_215_000)),
      '2026-11-28T10:00Z  TICKET  code-review  cache writes never read (writes without reads)  OK -> ALARM',
    ],
    [
      'a silent pipeline',
      () => entry(own(heartbeat, 'OK', 'ALARM', 99_999), figures({ lag: [] })),
      '2026-11-28T10:00Z  PAGE    savings pipeline  silent; cache alarms blind  OK -> ALARM',
    ],
    [
      'publisher errors',
      () => entry(own(errors, 'INSUFFICIENT_DATA', 'ALARM', 1), figures({ lag: [] })),
      '2026-11-28T10:00Z  TICKET  savings publisher  run failed (1 error), savings metrics late  INSUFFICIENT_DATA -> ALARM',
    ],
  ])('%s', (_what, make, line) => {
    expect(timelineLine(make())).toBe(line);
  });

  test('in time order, then in catalog order, then by label', () => {
    const at = (alarm: CatalogAlarm, modelId: string, atMs: number) => entry(contributor(alarm, modelId, 'OK', 'ALARM', -2, atMs));
    const list = sortEntries([at(costsPage, CR, T), at(lowHit, SONNET4, T), at(lowHit, CR, T), at(wwr, CR, T - H)], catalog);
    expect(list.map((e) => `${e.change.atMs - T} ${e.notice.alarm.name} ${e.label}`)).toEqual([
      `${-H} P-Fleet-WritesWithoutReads code-review`,
      '0 P-Fleet-LowHitRatio code-review',
      `0 P-Fleet-LowHitRatio ${SONNET4}`,
      '0 P-Fleet-CachingCostsMoney-Page code-review',
    ]);
  });
});
