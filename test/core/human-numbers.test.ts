import {
  isoDay,
  netChange,
  percent,
  percentChange,
  points,
  savedOrLost,
  savingOrLosing,
  shortDay,
  shortModelId,
  signedPercent,
  signedUsd,
  tokens,
  usd,
} from '../../lambda/core/human-numbers';

describe('human numbers: exact strings', () => {
  test.each<[number | null, string]>([
    [21.17, '$21.17'],
    [1016.345, '$1,016.35'],
    [1, '$1.00'],
    [0.995, '$1.00'],
    [0.9949, '$0.99'],
    [0.162337, '$0.16'],
    [0.5, '$0.50'],
    [0.0089, '$0.0089'],
    [0.04694415, '$0.047'],
    [-0.891, '-$0.89'],
    [-63.53, '-$63.53'],
    [0, '$0.00'],
    [-0, '$0.00'],
    [null, 'n/a'],
  ])('usd(%p) → %s', (v, want) => expect(usd(v)).toBe(want));

  test.each<[number | null, string]>([
    [3.67, '+$3.67'],
    [-261.36, '-$261.36'],
    [0.0012, '+$0.0012'],
    [0, '$0.00'],
    [-0, '$0.00'],
  ])('signedUsd(%p) → %s', (v, want) => expect(signedUsd(v)).toBe(want));

  test.each<[(v: number | null) => string, number | null, string]>([
    [percent, 84.44, '84.4%'],
    [percent, -0.04, '0.0%'],
    [percent, 0, '0.0%'],
    [percent, null, 'n/a'],
    [signedPercent, 2.84, '+2.8%'],
    [signedPercent, -92.43, '-92.4%'],
    [signedPercent, -0.04, '0.0%'],
    [points, 40, '+40.0 pts'],
    [points, -37.04, '-37.0 pts'],
    [points, -0.0001, '0.0 pts'],
    [points, 0, '0.0 pts'],
  ])('%p(%p) → %s', (f, v, want) => expect(f(v)).toBe(want));

  test.each<[number, string]>([
    [0, '0'],
    [999, '999'],
    [1000, '1 k'],
    [3850, '3.9 k'],
    [45_300, '45 k'],
    [108_990_000, '109 M'],
    [190_008_000, '190 M'],
    [1_500_000_000, '1.5 B'],
  ])('tokens(%p) → %s', (v, want) => expect(tokens(v)).toBe(want));

  test.each<[number, string, string]>([
    [21.17, 'saved $21.17', 'saving $21.17'],
    [-0.891, 'lost $0.89', 'losing $0.89'],
    [0, 'broke even', 'breaking even'],
  ])('savedOrLost / savingOrLosing(%p)', (v, saved, saving) => expect([savedOrLost(v), savingOrLosing(v)]).toEqual([saved, saving]));

  test.each<[number | null, number | null, string, number | null]>([
    [132.29, 135.96, '+$3.67 (+2.8%)', (100 * 3.67) / 132.29],
    [197.83, -63.53, 'from saving $197.83 to losing $63.53', null],
    [-52.25, 10, 'from losing $52.25 to saving $10.00', null],
    [-50.82, -52.25, '-$1.43 (-2.8%)', (-100 * 1.43) / 50.82],
    [0, 5, '+$5.00 (from $0.00)', null],
    [3, 0, '-$3.00 (-100.0%)', -100],
    [null, 5, 'n/a', null],
  ])('netChange(%p, %p) → %s', (before, now, want, pct) => {
    expect(netChange(before, now)).toBe(want);
    const got = percentChange(before, now);
    expect(got === null ? null : Number(got.toFixed(9))).toBe(pct === null ? null : Number(pct.toFixed(9)));
  });

  test('netChange with a unit: per day across a sign change', () => {
    expect(netChange(41.2, -29.4, ' a day')).toBe('from saving $41.20 a day to losing $29.40 a day');
  });

  test.each<[string, string]>([
    ['us.anthropic.claude-3-7-sonnet-20250219-v1:0', 'us.claude-3-7-sonnet'],
    ['global.anthropic.claude-sonnet-4-5-20250929-v1:0', 'global.claude-sonnet-4-5'],
    ['anthropic.claude-3-5-haiku-20241022-v1:0', 'claude-3-5-haiku'],
    ['anthropic.claude-3-sonnet-20240229-v1:0:200k', 'claude-3-sonnet'],
    ['amazon.nova-pro-v1:0', 'nova-pro'],
    ['us.meta.llama3-3-70b-instruct-v1:0', 'us.llama3-3-70b-instruct'],
    ['arn:aws:bedrock:us-east-1:111122223333:application-inference-profile/a1b2c3d4e5f6', 'profile/a1b2c3d4e5f6'],
    ['arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-5-haiku-20241022-v1:0', 'claude-3-5-haiku'],
    ['plainid', 'plainid'],
  ])('shortModelId(%s) → %s', (id, want) => expect(shortModelId(id)).toBe(want));

  test('days: MM-DD and ISO, UTC', () => {
    expect([shortDay(Date.UTC(2026, 10, 27, 23)), isoDay(Date.UTC(2026, 10, 27, 23))]).toEqual(['11-27', '2026-11-27']);
  });
});
