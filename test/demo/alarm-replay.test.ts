import {
  alarmDatapoints,
  readAlarms,
  replayAlarm,
  replayComposite,
  replayFleetAlarm,
  type AlarmDefinition,
  type AlarmState,
  type ContributorTransition,
  type Transition,
} from './alarm-replay';
import type { Value } from './metric-math';
import { datumSeries, parseInsightsQuery, type MetricSeries } from './metrics-insights';

const P = 900_000; // 15-minute periods
const base: AlarmDefinition = {
  logicalId: 'Low',
  name: 'low-hit-ratio',
  periodSeconds: 900,
  evaluationPeriods: 4,
  datapointsToAlarm: 3,
  threshold: 50,
  comparison: 'LessThanThreshold',
  treatMissingData: 'notBreaching',
  metrics: {},
  expression: 'm',
};
const points = (values: Value[]) => new Map(values.map((v, i) => [i * P, v]));
const states = (a: AlarmDefinition, values: Value[]) => [...replayAlarm(a, points(values)).states.values()];

describe('alarm replay: M of N, comparison, missing data', () => {
  test.each<[string, Partial<AlarmDefinition>, Value[], AlarmState[]]>([
    ['3 of 4 below 50% → ALARM at the third', {}, [90, 40, 40, 40, 90], ['OK', 'OK', 'OK', 'ALARM', 'ALARM']],
    ['two breaches in four never alarm', {}, [40, 90, 40, 90, 90], ['OK', 'OK', 'OK', 'OK', 'OK']],
    ['recovers once fewer than 3 of the last 4 breach', {}, [40, 40, 40, 90, 90, 90], ['OK', 'OK', 'ALARM', 'ALARM', 'OK', 'OK']],
    ['missing as notBreaching: quiet hours are fine', {}, [null, null, null, null], ['OK', 'OK', 'OK', 'OK']],
    [
      'missing as breaching: a silent heartbeat alarms',
      { treatMissingData: 'breaching', evaluationPeriods: 2, datapointsToAlarm: 2, comparison: 'LessThanThreshold', threshold: 1 },
      [1, null, null, 1],
      ['OK', 'OK', 'ALARM', 'OK'],
    ],
    [
      'missing as missing: INSUFFICIENT_DATA only when all are missing',
      { treatMissingData: 'missing' },
      [null, 40, 40, 40, null, null, null, null],
      ['INSUFFICIENT_DATA', 'OK', 'OK', 'ALARM', 'ALARM', 'OK', 'OK', 'INSUFFICIENT_DATA'],
    ],
    [
      'missing as ignore keeps the state',
      { treatMissingData: 'ignore', evaluationPeriods: 1, datapointsToAlarm: 1 },
      [40, null, 90, null],
      ['ALARM', 'ALARM', 'OK', 'OK'],
    ],
    [
      'GreaterThanOrEqualToThreshold',
      { comparison: 'GreaterThanOrEqualToThreshold', threshold: 1, evaluationPeriods: 1, datapointsToAlarm: 1 },
      [0, 1, 2],
      ['OK', 'ALARM', 'ALARM'],
    ],
  ])('%s', (_name, over, values, want) => {
    expect(states({ ...base, ...over }, values)).toEqual(want);
  });

  test('transitions carry the end of the period that changed the state and its value', () => {
    expect(replayAlarm(base, points([90, 40, 40, 40, 90, 90])).transitions).toEqual([
      { alarm: 'low-hit-ratio', atMs: P, from: 'INSUFFICIENT_DATA', to: 'OK', value: 90 },
      { alarm: 'low-hit-ratio', atMs: 4 * P, from: 'OK', to: 'ALARM', value: 40 },
      { alarm: 'low-hit-ratio', atMs: 6 * P, from: 'ALARM', to: 'OK', value: 90 },
    ]);
  });

  test('a math alarm is evaluated per period from its metrics', () => {
    const math = { ...base, expression: 'IF(r + w > 10, 100 * r / (r + w))' };
    const series = {
      r: new Map([
        [0, 90],
        [P, 1],
      ]),
      w: new Map([
        [0, 10],
        [P, 2],
      ]),
    };
    expect([...alarmDatapoints(math, series, 0, 3 * P)]).toEqual([
      [0, 90],
      [P, null],
      [2 * P, null],
    ]);
  });

  test('a composite alarm is in ALARM while any child is', () => {
    const children = new Map([
      [
        'A',
        new Map<number, AlarmState>([
          [1, 'OK'],
          [2, 'ALARM'],
          [3, 'ALARM'],
          [4, 'OK'],
        ]),
      ],
      [
        'B',
        new Map<number, AlarmState>([
          [1, 'OK'],
          [2, 'OK'],
          [3, 'ALARM'],
          [4, 'OK'],
        ]),
      ],
    ]);
    expect(replayComposite({ logicalId: 'C', name: 'page', rule: 'ALARM(A) OR ALARM(B)' }, children).map((t) => [t.atMs, t.to])).toEqual([
      [1, 'OK'],
      [2, 'ALARM'],
      [4, 'OK'],
    ]);
  });
});

describe('reading alarms from a template', () => {
  test('a math alarm and a plain alarm, with their settings', () => {
    const { alarms, composites } = readAlarms({
      Resources: {
        Low: {
          Type: 'AWS::CloudWatch::Alarm',
          Properties: {
            AlarmName: { 'Fn::Join': ['', [{ Ref: 'AWS::StackName' }, '-low']] },
            ComparisonOperator: 'LessThanThreshold',
            EvaluationPeriods: 4,
            DatapointsToAlarm: 3,
            Threshold: 50,
            TreatMissingData: 'notBreaching',
            Metrics: [
              {
                Id: 'r',
                ReturnData: false,
                MetricStat: {
                  Metric: {
                    Namespace: 'AWS/Bedrock',
                    MetricName: 'CacheReadInputTokenCount',
                    Dimensions: [{ Name: 'ModelId', Value: 'm1' }],
                  },
                  Period: 900,
                  Stat: 'Sum',
                },
              },
              { Id: 'e', Expression: 'r * 2', ReturnData: true },
            ],
          },
        },
        Beat: {
          Type: 'AWS::CloudWatch::Alarm',
          Properties: {
            Namespace: 'NS',
            MetricName: 'PublishedPeriods',
            Statistic: 'Sum',
            Period: 3600,
            EvaluationPeriods: 2,
            Threshold: 1,
            ComparisonOperator: 'LessThanThreshold',
            TreatMissingData: 'breaching',
          },
        },
        Page: {
          Type: 'AWS::CloudWatch::CompositeAlarm',
          Properties: {
            AlarmRule: {
              'Fn::Join': ['', ['ALARM("', { 'Fn::GetAtt': ['Low', 'Arn'] }, '") OR ALARM("', { 'Fn::GetAtt': ['Beat', 'Arn'] }, '")']],
            },
          },
        },
      },
    });
    expect(
      alarms.map((a) => [
        a.name,
        a.expression,
        a.periodSeconds,
        a.evaluationPeriods,
        a.datapointsToAlarm,
        a.treatMissingData,
        Object.keys(a.metrics),
      ]),
    ).toEqual([
      ['<AWS::StackName>-low', 'r * 2', 900, 4, 3, 'notBreaching', ['r']],
      ['Beat', 'm', 3600, 2, 2, 'breaching', ['m']],
    ]);
    expect(alarms[0].metrics.r).toEqual({
      namespace: 'AWS/Bedrock',
      metricName: 'CacheReadInputTokenCount',
      dimensions: { ModelId: 'm1' },
      stat: 'Sum',
      periodSeconds: 900,
    });
    expect(composites).toEqual([{ logicalId: 'Page', name: 'Page', rule: 'ALARM(Low) OR ALARM(Beat)' }]);
  });
});

const FLEET_QUERY =
  'SELECT MIN(AlarmHitRatioMarginPoints) FROM SCHEMA("BedrockPromptCache", ModelId) GROUP BY ModelId ORDER BY MIN() ASC LIMIT 500';

describe('reading a Metrics Insights fleet alarm', () => {
  const template = (expression: unknown) => ({
    Resources: {
      Margin: {
        Type: 'AWS::CloudWatch::Alarm',
        Properties: {
          AlarmName: { 'Fn::Join': ['', [{ Ref: 'AWS::StackName' }, '-HitRatioMargin']] },
          ComparisonOperator: 'LessThanThreshold',
          EvaluationPeriods: 3,
          DatapointsToAlarm: 2,
          Threshold: 0,
          TreatMissingData: 'notBreaching',
          Metrics: [{ Id: 'q', Expression: expression, Period: 3600, ReturnData: true }],
        },
      },
    },
  });

  test("the SELECT, built with Fn::Join, is rendered and parsed; its period is the expression's", () => {
    const [alarm] = readAlarms(
      template({
        'Fn::Join': [
          '',
          [
            'SELECT MIN(AlarmHitRatioMarginPoints) FROM SCHEMA("',
            'BedrockPromptCache',
            '", ModelId) GROUP BY ModelId ORDER BY MIN() ASC LIMIT 500',
          ],
        ],
      }),
    ).alarms;
    expect(alarm).toEqual({
      logicalId: 'Margin',
      name: '<AWS::StackName>-HitRatioMargin',
      periodSeconds: 3600,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      threshold: 0,
      comparison: 'LessThanThreshold',
      treatMissingData: 'notBreaching',
      metrics: {},
      expression: FLEET_QUERY,
      query: parseInsightsQuery(FLEET_QUERY),
    });
  });

  test('unsupported SQL fails naming the alarm and the part', () => {
    let message: string | undefined;
    try {
      readAlarms(template("SELECT MIN(M) FROM NS WHERE ModelId LIKE 'a%' GROUP BY ModelId"));
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toBe(
      `alarm Margin: metrics insights: operator LIKE is not supported by the replay (only =, != and <>) in "SELECT MIN(M) FROM NS WHERE ModelId LIKE 'a%' GROUP BY ModelId"`,
    );
  });
});

describe('replaying a fleet alarm per contributor', () => {
  const H = 3_600_000;
  const T0 = Date.UTC(2026, 10, 27, 9);
  const at = (hours: number) => T0 + hours * H;
  const fleet: AlarmDefinition = {
    logicalId: 'Margin',
    name: 'hit-ratio-margin',
    periodSeconds: 3600,
    evaluationPeriods: 3,
    datapointsToAlarm: 2,
    threshold: 0,
    comparison: 'LessThanThreshold',
    treatMissingData: 'notBreaching',
    metrics: {},
    expression: FLEET_QUERY,
    query: parseInsightsQuery(FLEET_QUERY),
  };
  /** One datum 10 minutes into each hour from T0; null: none that hour. */
  const hourly = (modelId: string, values: (number | null)[]): MetricSeries =>
    datumSeries(
      { namespace: 'BedrockPromptCache', metricName: 'AlarmHitRatioMarginPoints', dimensions: { ModelId: modelId } },
      values.flatMap((v, i) => (v === null ? [] : [[at(i) + 600_000, v] as const])),
    );
  const contributor = (atMs: number, modelId: string, from: string, to: string, value: Value): ContributorTransition =>
    ({ alarm: 'hit-ratio-margin', atMs, from, to, value, contributor: modelId, attributes: { ModelId: modelId } }) as ContributorTransition;
  const own = (atMs: number, from: AlarmState, to: AlarmState, value: Value): Transition => ({
    alarm: 'hit-ratio-margin',
    atMs,
    from,
    to,
    value,
  });

  test('one model regresses and recovers while another is already in ALARM: the alarm stays ALARM throughout', () => {
    const data = [
      hourly('healthy', [5, 5, 5, 5, 5, 5, 5]),
      hourly('regressing', [4, 4, 4, -2, -3.1, 3, 3]),
      hourly('misconfigured', [-5, -5, -5, -5, -5, -5, -5]),
    ];
    const replay = replayFleetAlarm(fleet, data, T0, at(7));
    expect(replay.contributorTransitions).toEqual([
      contributor(at(2), 'misconfigured', 'OK', 'ALARM', -5),
      contributor(at(5), 'regressing', 'OK', 'ALARM', -3.1),
      contributor(at(7), 'regressing', 'ALARM', 'OK', 3),
    ]);
    expect(replay.transitions).toEqual([own(at(1), 'INSUFFICIENT_DATA', 'OK', null), own(at(2), 'OK', 'ALARM', -5)]);
    expect([...replay.states].map(([t, s]) => [(t - T0) / H, s])).toEqual([
      [1, 'OK'],
      [2, 'ALARM'],
      [3, 'ALARM'],
      [4, 'ALARM'],
      [5, 'ALARM'],
      [6, 'ALARM'],
      [7, 'ALARM'],
    ]);
    expect(replay.partial).toBe(false);
  });

  test('at most 3 hours are looked back, whatever N: an older breach neither counts nor keeps a series alive', () => {
    const five = { ...fleet, evaluationPeriods: 5, datapointsToAlarm: 3 };
    // 3 breaches in the last 5 hours, but only 1 in the last 3: no alarm.
    expect(replayFleetAlarm(five, [hourly('m', [-1, -1, 1, 1, -1])], T0, at(5)).contributorTransitions).toEqual([]);
    // One breach at hour 0: in ALARM while hour 0 is within the 3 hours evaluated, gone (OK) after.
    expect(replayFleetAlarm({ ...five, datapointsToAlarm: 1 }, [hourly('m', [-1])], T0, at(6)).contributorTransitions).toEqual([
      contributor(at(1), 'm', 'OK', 'ALARM', -1),
      contributor(at(4), 'm', 'ALARM', 'OK', null),
    ]);
    // 15-minute periods: 5 of them fit in 3 hours, so N counts.
    const quarter = { ...five, periodSeconds: 900 };
    const q = datumSeries({ namespace: 'BedrockPromptCache', metricName: 'AlarmHitRatioMarginPoints', dimensions: { ModelId: 'm' } }, [
      [T0, -1],
      [T0 + 900_000, -1],
      [T0 + 4 * 900_000, -1],
    ]);
    expect(replayFleetAlarm(quarter, [q], T0, T0 + 5 * 900_000).contributorTransitions).toEqual([
      contributor(T0 + 5 * 900_000, 'm', 'OK', 'ALARM', -1),
    ]);
  });

  test('never INSUFFICIENT_DATA per contributor; the alarm only until the query first returns a series', () => {
    const one = { ...fleet, evaluationPeriods: 1, datapointsToAlarm: 1, treatMissingData: 'missing' };
    const replay = replayFleetAlarm(one, [hourly('m', [null, null, -1])], T0, at(5));
    expect(replay.contributorTransitions).toEqual([
      contributor(at(3), 'm', 'OK', 'ALARM', -1),
      contributor(at(4), 'm', 'ALARM', 'OK', null),
    ]);
    expect(replay.transitions).toEqual([own(at(3), 'INSUFFICIENT_DATA', 'ALARM', -1), own(at(4), 'ALARM', 'OK', null)]);
    expect([...replay.states.values()]).toEqual(['INSUFFICIENT_DATA', 'INSUFFICIENT_DATA', 'ALARM', 'OK', 'OK']);
  });

  test('missing as breaching counts the empty periods of a series still present; a vanished one is OK', () => {
    const replay = replayFleetAlarm({ ...fleet, treatMissingData: 'breaching' }, [hourly('m', [5])], T0, at(5));
    expect(replay.contributorTransitions).toEqual([
      contributor(at(3), 'm', 'OK', 'ALARM', null),
      contributor(at(4), 'm', 'ALARM', 'OK', null),
    ]);
  });

  test('a contributor cut by LIMIT goes back to OK', () => {
    const top1 = {
      ...fleet,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      query: parseInsightsQuery(FLEET_QUERY.replace('LIMIT 500', 'LIMIT 1')),
    };
    const replay = replayFleetAlarm(top1, [hourly('a', [-1, -1]), hourly('b', [-2, 1])], T0, at(2));
    expect(replay.contributorTransitions).toEqual([
      contributor(at(1), 'b', 'OK', 'ALARM', -2),
      contributor(at(2), 'a', 'OK', 'ALARM', -1),
      contributor(at(2), 'b', 'ALARM', 'OK', null),
    ]);
  });

  test.each<[string, Partial<AlarmDefinition>, string]>([
    ['not a SELECT', { query: undefined }, 'alarm replay: hit-ratio-margin is not a Metrics Insights alarm'],
    [
      'no GROUP BY',
      { query: parseInsightsQuery('SELECT MIN(M) FROM NS') },
      'alarm replay: hit-ratio-margin: a query without GROUP BY (one series) is not supported',
    ],
    [
      'a period over 3 hours',
      { periodSeconds: 4 * 3600 },
      'alarm replay: hit-ratio-margin: a period of 14400 s is longer than the 3 hours evaluated',
    ],
  ])('refused: %s', (_name, over, message) => {
    expect(() => replayFleetAlarm({ ...fleet, ...over }, [], T0, at(3))).toThrow(new Error(message));
  });
});
