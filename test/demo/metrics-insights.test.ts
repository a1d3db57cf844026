import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import {
  datumSeries,
  parseInsightsQuery,
  readInsightsSeries,
  runInsightsQuery,
  type InsightsQuery,
  type InsightsResult,
  type MetricSeries,
} from './metrics-insights';

const FLEET =
  'SELECT MIN(AlarmHitRatioMarginPoints) FROM SCHEMA("BedrockPromptCache", ModelId) GROUP BY ModelId ORDER BY MIN() ASC LIMIT 500';

describe('parsing the Metrics Insights subset', () => {
  test.each<[string, string, InsightsQuery]>([
    [
      'the fleet alarm query',
      FLEET,
      {
        aggregate: 'MIN',
        metricName: 'AlarmHitRatioMarginPoints',
        namespace: 'BedrockPromptCache',
        schema: ['ModelId'],
        groupBy: ['ModelId'],
        orderBy: { aggregate: 'MIN', descending: false },
        limit: 500,
      },
    ],
    [
      'keywords in any case, a quoted metric name, FROM a namespace',
      'select avg("Cache.Ratio") from "AWS/Bedrock"',
      { aggregate: 'AVG', metricName: 'Cache.Ratio', namespace: 'AWS/Bedrock', groupBy: [] },
    ],
    [
      'SCHEMA with the namespace only: dimensionless series',
      'SELECT COUNT(M) FROM SCHEMA(NS)',
      { aggregate: 'COUNT', metricName: 'M', namespace: 'NS', schema: [], groupBy: [] },
    ],
    [
      'WHERE: = and != joined by AND, before OR',
      "SELECT SUM(M) FROM NS WHERE ModelId = 'a' AND Region != 'b' OR ModelId <> 'c'",
      {
        aggregate: 'SUM',
        metricName: 'M',
        namespace: 'NS',
        where: {
          kind: 'or',
          conditions: [
            {
              kind: 'and',
              conditions: [
                { kind: 'compare', dimension: 'ModelId', op: '=', value: 'a' },
                { kind: 'compare', dimension: 'Region', op: '!=', value: 'b' },
              ],
            },
            { kind: 'compare', dimension: 'ModelId', op: '!=', value: 'c' },
          ],
        },
        groupBy: [],
      },
    ],
    [
      'WHERE with parentheses and an escaped quote',
      "SELECT MAX(M) FROM NS WHERE (A = 'x' OR A = 'y') AND \"B\" = 'it\\'s'",
      {
        aggregate: 'MAX',
        metricName: 'M',
        namespace: 'NS',
        where: {
          kind: 'and',
          conditions: [
            {
              kind: 'or',
              conditions: [
                { kind: 'compare', dimension: 'A', op: '=', value: 'x' },
                { kind: 'compare', dimension: 'A', op: '=', value: 'y' },
              ],
            },
            { kind: 'compare', dimension: 'B', op: '=', value: "it's" },
          ],
        },
        groupBy: [],
      },
    ],
    [
      'GROUP BY a list, ORDER BY another function DESC, no LIMIT',
      'SELECT SUM(M) FROM NS GROUP BY ModelId, Region ORDER BY COUNT() DESC',
      {
        aggregate: 'SUM',
        metricName: 'M',
        namespace: 'NS',
        groupBy: ['ModelId', 'Region'],
        orderBy: { aggregate: 'COUNT', descending: true },
      },
    ],
    [
      'ORDER BY without a direction is ASC',
      'SELECT MAX(M) FROM NS GROUP BY ModelId ORDER BY MAX() LIMIT 3',
      {
        aggregate: 'MAX',
        metricName: 'M',
        namespace: 'NS',
        groupBy: ['ModelId'],
        orderBy: { aggregate: 'MAX', descending: false },
        limit: 3,
      },
    ],
  ])('%s', (_name, text, want) => {
    expect(parseInsightsQuery(text)).toEqual(want);
  });

  test.each([
    ['SELECT P90(Latency) FROM "AWS/Bedrock"', 'function P90 is not supported by the replay (only MIN, MAX, SUM, AVG, COUNT)'],
    ["SELECT MIN(M) FROM NS WHERE ModelId LIKE 'anthropic%'", 'operator LIKE is not supported by the replay (only =, != and <>)'],
    ["SELECT MIN(M) FROM NS WHERE ModelId IN ('a', 'b')", 'operator IN is not supported by the replay (only =, != and <>)'],
    ["SELECT MIN(M) FROM NS WHERE NOT ModelId = 'a'", 'operator NOT is not supported by the replay (only =, != and <>)'],
    ['SELECT MIN(M) FROM NS WHERE ModelId = a', 'expected a value in single quotes, found "a"'],
    ['SELECT MIN(M) FROM NS WHERE ModelId', 'expected an operator, found the end'],
    ['SELECT MIN(M) FROM NS GROUP BY ModelId HAVING MIN() < 0', 'HAVING is not supported by the replay'],
    [
      'SELECT MIN(M) FROM NS GROUP BY ModelId ORDER BY ModelId',
      'ORDER BY "ModelId" is not supported by the replay (only ORDER BY <function>())',
    ],
    ['SELECT MIN(M) FROM NS LIMIT 0', 'LIMIT takes a positive whole number, found "0"'],
    ['SELECT * FROM NS', 'expected a function, found "*"'],
    ['SELECT MIN(M) FROM NS; DROP', 'cannot read "; DROP"'],
  ])('unsupported or malformed: %s', (text, part) => {
    expect(() => parseInsightsQuery(text)).toThrow(new Error(`metrics insights: ${part} in ${JSON.stringify(text)}`));
  });

  test('the message names the query as written', () => {
    expect(() => parseInsightsQuery("SELECT MIN(M) FROM NS WHERE ModelId LIKE 'a%'")).toThrow(
      new Error(
        `metrics insights: operator LIKE is not supported by the replay (only =, != and <>) in "SELECT MIN(M) FROM NS WHERE ModelId LIKE 'a%'"`,
      ),
    );
  });
});

const P = 3_600_000;
const T0 = Date.UTC(2026, 10, 27, 9);
const at = (bucket: number, minute = 0) => T0 + bucket * P + minute * 60_000;
const series = (dimensions: Record<string, string>, datums: [number, number][], namespace = 'NS', metricName = 'M'): MetricSeries =>
  datumSeries({ namespace, metricName, dimensions }, datums);

// Three hourly buckets from T0. Model a: three datums in bucket 0, one in bucket 1; b: bucket 0 and a low in bucket 2.
const DATA: MetricSeries[] = [
  series({ ModelId: 'a' }, [
    [at(0, 5), 5],
    [at(0, 30), 3],
    [at(0, 50), -2],
    [at(1, 10), 3],
  ]),
  series({ ModelId: 'b' }, [
    [at(0, 0), 1],
    [at(2, 30), -10],
  ]),
  series({ ModelId: 'a', Region: 'x' }, [[at(0, 1), -7]]),
  series({}, [[at(1, 0), 100]]),
  series({ ModelId: 'a' }, [[at(0, 0), -99]], 'OtherNamespace'),
  series({ ModelId: 'a' }, [[at(0, 0), -99]], 'NS', 'OtherMetric'),
  series({ ModelId: 'a' }, [
    [at(-1, 59), -50],
    [at(3), -50],
  ]),
];
const run = (text: string, endMs = at(3)) => runInsightsQuery(parseInsightsQuery(text), DATA, T0, endMs, P);
const table = (r: InsightsResult) => r.series.map((s) => [s.label, [...s.values].map(([t, v]) => [(t - T0) / P, v])]);

describe('evaluating a query per bucket', () => {
  test('SCHEMA(ns, ModelId) GROUP BY ModelId: per bucket the MIN of every datum of the group; other dimension sets, namespaces, metrics and times left out', () => {
    expect(table(run('SELECT MIN(M) FROM SCHEMA("NS", ModelId) GROUP BY ModelId'))).toEqual([
      [
        'a',
        [
          [0, -2],
          [1, 3],
        ],
      ],
      [
        'b',
        [
          [0, 1],
          [2, -10],
        ],
      ],
    ]);
  });

  test.each([
    ['MIN', -2],
    ['MAX', 5],
    ['SUM', 6],
    ['AVG', 2],
    ['COUNT', 3],
  ])('%s of model a in bucket 0', (agg, want) => {
    expect(run(`SELECT ${agg}(M) FROM SCHEMA("NS", ModelId) GROUP BY ModelId`).series[0].values.get(T0)).toBe(want);
  });

  test('ORDER BY ranks over the whole queried range, not bucket by bucket; LIMIT keeps the first', () => {
    // b's bucket-0 value (1) is above a's (-2), but its lowest over the range (-10) comes first.
    expect(run('SELECT MIN(M) FROM SCHEMA("NS", ModelId) GROUP BY ModelId ORDER BY MIN() ASC').series.map((s) => s.label)).toEqual([
      'b',
      'a',
    ]);
    expect(table(run('SELECT MIN(M) FROM SCHEMA("NS", ModelId) GROUP BY ModelId ORDER BY MIN() ASC LIMIT 1'))).toEqual([
      [
        'b',
        [
          [0, 1],
          [2, -10],
        ],
      ],
    ]);
    // Over the first two buckets only, a's -2 is the lowest.
    expect(
      run('SELECT MIN(M) FROM SCHEMA("NS", ModelId) GROUP BY ModelId ORDER BY MIN() ASC LIMIT 1', at(2)).series.map((s) => s.label),
    ).toEqual(['a']);
    expect(run('SELECT SUM(M) FROM SCHEMA("NS", ModelId) GROUP BY ModelId ORDER BY COUNT() DESC').series.map((s) => s.label)).toEqual([
      'a',
      'b',
    ]);
  });

  test('FROM a namespace: every dimension set, the ones without ModelId in group Other; GROUP BY a list', () => {
    expect(table(run('SELECT MIN(M) FROM NS GROUP BY ModelId'))).toEqual([
      ['Other', [[1, 100]]],
      [
        'a',
        [
          [0, -7],
          [1, 3],
        ],
      ],
      [
        'b',
        [
          [0, 1],
          [2, -10],
        ],
      ],
    ]);
    expect(run('SELECT COUNT(M) FROM NS GROUP BY ModelId, Region').series.map((s) => [s.label, s.attributes])).toEqual([
      ['Other, Other', { ModelId: 'Other', Region: 'Other' }],
      ['a, Other', { ModelId: 'a', Region: 'Other' }],
      ['a, x', { ModelId: 'a', Region: 'x' }],
      ['b, Other', { ModelId: 'b', Region: 'Other' }],
    ]);
  });

  test('WHERE filters series; a series without the dimension matches neither = nor !=; no GROUP BY is one series', () => {
    expect(table(run("SELECT MIN(M) FROM NS WHERE ModelId != 'a' GROUP BY ModelId"))).toEqual([
      [
        'b',
        [
          [0, 1],
          [2, -10],
        ],
      ],
    ]);
    expect(table(run("SELECT SUM(M) FROM NS WHERE Region = 'x' OR ModelId = 'b'"))).toEqual([
      [
        '',
        [
          [0, -6],
          [2, -10],
        ],
      ],
    ]);
  });

  test('above 500 result series: the first 500, partial', () => {
    const many = Array.from({ length: 501 }, (_, k) => series({ ModelId: `m${String(k).padStart(3, '0')}` }, [[T0, k]]));
    const query = parseInsightsQuery('SELECT MAX(M) FROM SCHEMA(NS, ModelId) GROUP BY ModelId ORDER BY MAX() DESC');
    const result = runInsightsQuery(query, many, T0, at(1), P);
    expect([result.partial, result.series.length, result.series[0].label, result.series[499].label]).toEqual([true, 500, 'm500', 'm001']);
    expect(runInsightsQuery(query, many.slice(1), T0, at(1), P).partial).toBe(false);
  });
});

describe('reading the series of a query from the emulator', () => {
  const cw = new CloudWatchClient({ region: 'mx-central-1' });
  afterAll(() => cw.destroy());
  // Timestamps must be within CloudWatch's 14 days: hours before the current one.
  const base = Math.floor(Date.now() / P) * P - 5 * P;

  test('ListMetrics finds the series, the four statistics per period make every aggregate exact', async () => {
    const d = (modelId: string | undefined, offsetMs: number, value: number) => ({
      MetricName: 'AlarmHitRatioMarginPoints',
      Dimensions: modelId === undefined ? [] : [{ Name: 'ModelId', Value: modelId }],
      Timestamp: new Date(base + offsetMs),
      Value: value,
    });
    await cw.send(
      new PutMetricDataCommand({
        Namespace: 'BedrockPromptCache',
        MetricData: [d('a', 60_000, 5), d('a', 120_000, -2), d('b', P + 60_000, 7), d(undefined, P, 100)],
      }),
    );
    const query = parseInsightsQuery(FLEET);
    const data = await readInsightsSeries(cw, query, base, base + 3 * P, P);
    expect(data.map((s) => [s.dimensions, [...s.points].map(([t, v]) => [(t - base) / P, v])])).toEqual([
      [{ ModelId: 'a' }, [[0, { sampleCount: 2, sum: 3, minimum: -2, maximum: 5 }]]],
      [{ ModelId: 'b' }, [[1, { sampleCount: 1, sum: 7, minimum: 7, maximum: 7 }]]],
    ]);
    const result = runInsightsQuery(query, data, base, base + 3 * P, P);
    expect(result.series.map((s) => [s.label, [...s.values].map(([t, v]) => [(t - base) / P, v])])).toEqual([
      ['a', [[0, -2]]],
      ['b', [[1, 7]]],
    ]);
    await expect(
      readInsightsSeries(cw, parseInsightsQuery('SELECT MIN(AlarmHitRatioMarginPoints) FROM BedrockPromptCache'), base, base + 3 * P, P),
    ).rejects.toThrow(
      new Error(
        'readInsightsSeries: AlarmHitRatioMarginPoints {} cannot be read apart from the emulator (only ModelId-only series, or one dimensionless series alone)',
      ),
    );
  });
});
