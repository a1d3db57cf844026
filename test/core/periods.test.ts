import { DAY_MS, HOUR_MS, MINUTE_MS, periodWindow, type PeriodWindowInput } from '../../lambda/core/periods';

const T0 = Date.UTC(2026, 10, 25, 12, 0, 0); // 2026-11-25T12:00:00Z
const base: PeriodWindowInput = {
  nowMs: T0 + 7 * MINUTE_MS,
  periodMs: HOUR_MS,
  settleMs: 10 * MINUTE_MS,
  watermarkMs: undefined,
  initialLookbackMs: 3 * HOUR_MS,
  maxAgeMs: 14 * DAY_MS - HOUR_MS,
};
const iso = (ms: readonly number[]) => ms.map((t) => new Date(t).toISOString().slice(5, 16));

describe('periodWindow', () => {
  test.each<[string, Partial<PeriodWindowInput>, string[], string[]]>([
    ['first run at 12:07: the 11:00 period is not settled yet (settle 10 min)', {}, ['11-25T08:00', '11-25T09:00', '11-25T10:00'], []],
    [
      'first run at 12:10 exactly: 11:00 is closed and settled',
      { nowMs: T0 + 10 * MINUTE_MS },
      ['11-25T09:00', '11-25T10:00', '11-25T11:00'],
      [],
    ],
    ['from the watermark', { watermarkMs: T0 - 2 * HOUR_MS, nowMs: T0 + 10 * MINUTE_MS }, ['11-25T10:00', '11-25T11:00'], []],
    ['watermark at the end: nothing to do', { watermarkMs: T0 - HOUR_MS }, [], []],
    ['an unaligned watermark is aligned down', { watermarkMs: T0 - 2 * HOUR_MS + 5 * MINUTE_MS }, ['11-25T10:00'], []],
    [
      '15-minute periods',
      { periodMs: 15 * MINUTE_MS, settleMs: 0, initialLookbackMs: 45 * MINUTE_MS },
      ['11-25T11:15', '11-25T11:30', '11-25T11:45'],
      [],
    ],
  ])('%s', (_name, over, periods, lost) => {
    const w = periodWindow({ ...base, ...over });
    expect(iso(w.periods)).toEqual(periods);
    expect(iso(w.lost)).toEqual(lost);
  });

  test('periods older than the 14-day window less 1 h are lost, oldest first', () => {
    const w = periodWindow({ ...base, watermarkMs: T0 - 14 * DAY_MS - HOUR_MS, nowMs: T0 + 10 * MINUTE_MS });
    // now − (14 d − 1 h) = 11-11T13:10: 11:00, 12:00 and 13:00 can no longer be put; 14:00 up to 11-25T11:00 can.
    expect(iso(w.lost)).toEqual(['11-11T11:00', '11-11T12:00', '11-11T13:00']);
    expect(iso(w.periods.slice(0, 2))).toEqual(['11-11T14:00', '11-11T15:00']);
    expect(w.periods.length).toBe(14 * 24 - 2);
  });

  test('a 20-day outage: the 14-day window (less the margin) is published, the rest counted lost', () => {
    const w = periodWindow({ ...base, watermarkMs: T0 - 20 * DAY_MS, nowMs: T0 + 10 * MINUTE_MS });
    expect(w.periods.length + w.lost.length).toBe(20 * 24);
    // now − (14 d − 1 h) = 11-11T13:10, so the first publishable period starts at 14:00.
    expect(w.lost.length).toBe(6 * 24 + 2);
    expect(w.periods[0]).toBe(T0 - 14 * DAY_MS + 2 * HOUR_MS);
    expect(w.endMs).toBe(T0);
  });
});
