import { evaluate, parseMetricMath, type Value } from './metric-math';

const run = (text: string, vars: Record<string, Value>) => evaluate(parseMetricMath(text), (id) => (id in vars ? vars[id] : null));
const HIT = 'IF((FILL(cacheRead, 0) + FILL(cacheWrite, 0)) > 0, 100 * FILL(cacheRead, 0) / (FILL(cacheRead, 0) + FILL(cacheWrite, 0)))';

describe('metric math replay', () => {
  test.each<[string, string, Record<string, Value>, Value]>([
    ['hit ratio', HIT, { cacheRead: 900, cacheWrite: 100 }, 90],
    ['hit ratio, reads only (write missing → FILL 0)', HIT, { cacheRead: 5 }, 100],
    ['hit ratio, no traffic: IF without else → no point', HIT, {}, null],
    ['precedence', '1 + 2 * 3 ^ 2', {}, 19],
    ['right-assoc power', '2 ^ 3 ^ 2', {}, 512],
    ['unary minus', '-a + 5', { a: 2 }, 3],
    ['comparison and AND', 'IF(w > 100 AND r == 0, 1, 0)', { w: 500, r: 0 }, 1],
    ['OR with NOT', 'IF(NOT a OR b, 7, 8)', { a: 1, b: 0 }, 8],
    ['missing propagates', 'a + 1', {}, null],
    ['division by zero → no point', 'a / b', { a: 1, b: 0 }, null],
    ['MAX ignores missing', 'MAX(a, b)', { b: 3 }, 3],
    ['ABS', 'ABS(a - 10)', { a: 4 }, 6],
    ['MAX of an array: the larger spelling per period, never the sum', 'MAX([FILL(r_0, 0), FILL(r_1, 0)])', { r_0: 500, r_1: 499 }, 500],
    ['MAX of an array, one spelling missing', 'MAX([FILL(r_0, 0), FILL(r_1, 0)]) + 1', { r_1: 41 }, 42],
    ['the lag alarm: a silent period is filled', 'FILL(lag, 99999)', {}, 99999],
  ])('%s', (_name, text, vars, want) => {
    expect(run(text, vars)).toBe(want);
  });

  test.each([
    ["SEARCH('{AWS/Bedrock}', 'Sum', 300)", "metric math: cannot read \"'{AWS/Bedrock}', 'Su\" in \"SEARCH('{AWS/Bedrock}', 'Sum', 300)\""],
    ['RATE(a)', 'metric math: function RATE is not supported by the replay'],
    ['(a + 1', 'metric math: expected ) at token 4 of "(a + 1"'],
    ['[a, 1] + 2', 'metric math: an array is only supported as the argument of MIN or MAX'],
  ])('unsupported or malformed: %s', (text, message) => {
    expect(() => run(text, { a: 1 })).toThrow(message);
  });
});
