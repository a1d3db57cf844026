import { alarmDatapoints, readAlarms, replayAlarm, replayComposite, type AlarmDefinition, type AlarmState } from './alarm-replay';
import type { Value } from './metric-math';

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
