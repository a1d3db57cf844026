import { fleetAlarms, type CatalogAlarm } from '../../lambda/core/alarm-catalog';
import { parseConfig } from '../../lambda/core/config';
import type { ContributorTransition, Transition } from './alarm-replay';
import {
  alarmTitle,
  contributorNotifications,
  modelLabel,
  singleNotifications,
  sortNotifications,
  timelineLine,
  type Notification,
} from './timeline';

const config = parseConfig(
  {
    models: [
      { modelId: 'global.anthropic.claude-sonnet-4-5-20250929-v1:0', displayName: 'code-review', cacheWriteTtl: '1h' },
      { modelId: 'us.anthropic.claude-3-7-sonnet-20250219-v1:0' },
    ],
  },
  'test',
);
const [lowHit, wwr, costs, costsPage] = fleetAlarms('P');
const heartbeat: CatalogAlarm = { name: 'P-PublisherHeartbeat', family: 'heartbeat', severity: 'page', kind: 'pipeline' };
const errors: CatalogAlarm = { name: 'P-PublisherErrors', family: 'publisherErrors', severity: 'ticket', kind: 'pipeline' };
const precise: CatalogAlarm = {
  name: 'P-code-review-1a2b3c4d-CachingCostsMoney',
  family: 'cachingCostsMoney',
  severity: 'page',
  kind: 'precise',
  modelId: 'global.anthropic.claude-sonnet-4-5-20250929-v1:0',
};
const catalog = [lowHit, wwr, costs, costsPage, precise, errors, heartbeat];
const T = Date.parse('2026-11-28T10:00:00Z');
const H = 3_600_000;

const contributor = (
  alarm: string,
  contributorId: string,
  atMs: number,
  from: 'OK' | 'ALARM',
  to: 'OK' | 'ALARM',
  value: number | null,
): ContributorTransition => ({ alarm, atMs, from, to, value, contributor: contributorId, attributes: { ModelId: contributorId } });

describe('timeline: which transitions notify', () => {
  test('every contributor transition of a fleet alarm notifies, to its severity, naming the model', () => {
    const list = contributorNotifications(
      costsPage,
      [
        contributor(costsPage.name, 'global.anthropic.claude-sonnet-4-5-20250929-v1:0', T, 'OK', 'ALARM', -2.0196),
        contributor(costsPage.name, 'global.anthropic.claude-sonnet-4-5-20250929-v1:0', T + 11 * H, 'ALARM', 'OK', -0.8856),
      ],
      3600,
      config,
    );
    expect(list.map((n) => [n.topic, n.transition, n.label, n.modelId, n.from, n.to])).toEqual([
      ['page', 'alarm', 'code-review', 'global.anthropic.claude-sonnet-4-5-20250929-v1:0', 'OK', 'ALARM'],
      ['page', 'recovery', 'code-review', 'global.anthropic.claude-sonnet-4-5-20250929-v1:0', 'ALARM', 'OK'],
    ]);
  });

  test('a model in the config without a display name, and one in no config, are shown by their id', () => {
    expect(modelLabel(config, 'us.anthropic.claude-3-7-sonnet-20250219-v1:0')).toBe('us.anthropic.claude-3-7-sonnet-20250219-v1:0');
    expect(modelLabel(config, 'us.anthropic.claude-sonnet-4-20250514-v1:0')).toBe('us.anthropic.claude-sonnet-4-20250514-v1:0');
    expect(modelLabel(config, 'global.anthropic.claude-sonnet-4-5-20250929-v1:0')).toBe('code-review');
  });

  test('a single alarm notifies into ALARM and back from ALARM to OK, not its first evaluation nor INSUFFICIENT_DATA', () => {
    const t = (atMs: number, from: Transition['from'], to: Transition['to']): Transition => ({
      alarm: heartbeat.name,
      atMs,
      from,
      to,
      value: 99_999,
    });
    const list = singleNotifications(
      heartbeat,
      [
        t(T, 'INSUFFICIENT_DATA', 'OK'),
        t(T + H, 'OK', 'ALARM'),
        t(T + 2 * H, 'ALARM', 'INSUFFICIENT_DATA'),
        t(T + 3 * H, 'INSUFFICIENT_DATA', 'ALARM'),
        t(T + 4 * H, 'ALARM', 'OK'),
        t(T + 5 * H, 'OK', 'INSUFFICIENT_DATA'),
      ],
      3600,
      config,
    );
    expect(list.map((n) => [n.atMs - T, n.transition, n.topic, n.label])).toEqual([
      [H, 'alarm', 'page', 'pipeline'],
      [3 * H, 'alarm', 'page', 'pipeline'],
      [4 * H, 'recovery', 'page', 'pipeline'],
    ]);
  });

  test('a fleet alarm is never replayed as a single one, nor a single one as a fleet', () => {
    expect(() => singleNotifications(lowHit, [], 3600, config)).toThrow(
      'timeline: P-Fleet-LowHitRatio is a fleet alarm: its contributors notify, not the alarm',
    );
    expect(() => contributorNotifications(heartbeat, [], 3600, config)).toThrow(
      'timeline: P-PublisherHeartbeat is a pipeline alarm, it has no contributors',
    );
  });
});

describe('timeline: one line per notification', () => {
  const one = (alarm: CatalogAlarm, modelId: string, value: number | null, from: 'OK' | 'ALARM' = 'OK', to: 'OK' | 'ALARM' = 'ALARM') =>
    contributorNotifications(alarm, [contributor(alarm.name, modelId, T, from, to, value)], 3600, config)[0];
  const cr = 'global.anthropic.claude-sonnet-4-5-20250929-v1:0';

  test.each<[string, () => Notification, string]>([
    [
      'page of money lost fast, with the threshold and $/h',
      () => one(costsPage, cr, -2.0196),
      '2026-11-28T10:00Z  PAGE    code-review  caching costs money (over $1/h): OK -> ALARM  -2.02 $/h',
    ],
    [
      'its recovery goes to the same topic',
      () => one(costsPage, cr, -0.8856, 'ALARM', 'OK'),
      '2026-11-28T10:00Z  PAGE    code-review  caching costs money (over $1/h): ALARM -> OK  -0.89 $/h',
    ],
    [
      'the ticket of any loss',
      () => one(costs, 'us.anthropic.claude-sonnet-4-20250514-v1:0', -0.178),
      '2026-11-28T10:00Z  TICKET  us.anthropic.claude-sonnet-4-20250514-v1:0  caching costs money: OK -> ALARM  -0.18 $/h',
    ],
    [
      'low hit ratio: the margin shown as the hit ratio and the model threshold (1-hour cache: break-even 52.6% + 10)',
      () => one(lowHit, cr, 8.9 - (5000 / 95 + 10)),
      '2026-11-28T10:00Z  TICKET  code-review  low hit ratio: OK -> ALARM  hit ratio 8.9% (threshold 62.6%)',
    ],
    [
      'low hit ratio of a 5-minute model: the 50% floor',
      () => one(lowHit, 'us.anthropic.claude-3-7-sonnet-20250219-v1:0', -50),
      '2026-11-28T10:00Z  TICKET  us.anthropic.claude-3-7-sonnet-20250219-v1:0  low hit ratio: OK -> ALARM  hit ratio 0.0% (threshold 50.0%)',
    ],
    [
      'writes without reads in tokens',
      () => one(wwr, cr, 1_215_000),
      '2026-11-28T10:00Z  TICKET  code-review  writes without reads: OK -> ALARM  1,215,000 tokens written without a read',
    ],
    [
      'a contributor whose series stopped recovers without a value',
      () => one(wwr, cr, null, 'ALARM', 'OK'),
      '2026-11-28T10:00Z  TICKET  code-review  writes without reads: ALARM -> OK',
    ],
    [
      'a silent pipeline',
      () => singleNotifications(heartbeat, [{ alarm: heartbeat.name, atMs: T, from: 'OK', to: 'ALARM', value: 99_999 }], 3600, config)[0],
      '2026-11-28T10:00Z  PAGE    pipeline  savings pipeline silent: OK -> ALARM  no lag report',
    ],
    [
      'a stuck pipeline',
      () => singleNotifications(heartbeat, [{ alarm: heartbeat.name, atMs: T, from: 'OK', to: 'ALARM', value: 130 }], 3600, config)[0],
      '2026-11-28T10:00Z  PAGE    pipeline  savings pipeline silent: OK -> ALARM  lag 130 min',
    ],
    [
      'publisher errors',
      () =>
        singleNotifications(errors, [{ alarm: errors.name, atMs: T, from: 'INSUFFICIENT_DATA', to: 'ALARM', value: 1 }], 3600, config)[0],
      '2026-11-28T10:00Z  TICKET  pipeline  savings publisher errors: INSUFFICIENT_DATA -> ALARM  1 error',
    ],
    [
      "a precise alarm's loss over its 15-minute window, per hour",
      () => singleNotifications(precise, [{ alarm: precise.name, atMs: T, from: 'OK', to: 'ALARM', value: -0.5 }], 900, config)[0],
      '2026-11-28T10:00Z  PAGE    code-review  caching costs money: OK -> ALARM  -2 $/h',
    ],
  ])('%s', (_what, make, line) => {
    expect(timelineLine(make(), config)).toBe(line);
  });

  test('the paging threshold in the title follows alarms.pageAboveUsdPerHour', () => {
    expect(alarmTitle(costsPage, parseConfig({ alarms: { pageAboveUsdPerHour: 2.5 } }, 'test'))).toBe('caching costs money (over $2.5/h)');
    expect(alarmTitle(costs, config)).toBe('caching costs money');
  });

  test('in time order, then in catalog order, then by label', () => {
    const at = (alarm: CatalogAlarm, modelId: string, atMs: number) =>
      contributorNotifications(alarm, [contributor(alarm.name, modelId, atMs, 'OK', 'ALARM', -2)], 3600, config)[0];
    const list = sortNotifications([at(costsPage, cr, T), at(lowHit, 'z-model', T), at(lowHit, cr, T), at(wwr, cr, T - H)], catalog);
    expect(list.map((n) => `${n.atMs - T} ${n.alarm.name} ${n.label}`)).toEqual([
      `${-H} P-Fleet-WritesWithoutReads code-review`,
      '0 P-Fleet-LowHitRatio code-review',
      '0 P-Fleet-LowHitRatio z-model',
      '0 P-Fleet-CachingCostsMoney-Page code-review',
    ]);
  });
});
