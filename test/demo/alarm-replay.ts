/**
 * Alarm replay: reads the alarms of a synthesized template and evaluates them period by period over metric data
 * (the emulator stores metrics but evaluates no alarm): M of N datapoints, the comparison, missing-data treatment, and
 * composite alarms over their children. Simplifications: one evaluation per alarm period at its end; no
 * evaluation-range lookback beyond N periods; INSUFFICIENT_DATA only when every datapoint of the range is missing.
 */
import { cfnValue } from '../support/cfn-values';
import { evaluate, parseMetricMath, type Value } from './metric-math';

export type AlarmState = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

export interface MetricQuery {
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Readonly<Record<string, string>>;
  readonly stat: string;
  readonly periodSeconds: number;
}

export interface AlarmDefinition {
  readonly logicalId: string;
  /** The AlarmName with deploy-time tokens shown as <Ref>. */
  readonly name: string;
  readonly periodSeconds: number;
  readonly evaluationPeriods: number;
  readonly datapointsToAlarm: number;
  readonly threshold: number;
  readonly comparison: string;
  readonly treatMissingData: string;
  /** Metric ids to their queries; the returned expression (or the single metric, id "m"). */
  readonly metrics: Readonly<Record<string, MetricQuery>>;
  readonly expression: string;
}

export interface CompositeDefinition {
  readonly logicalId: string;
  readonly name: string;
  /** `ALARM(child)`-terms joined by OR/AND, children by logical id. */
  readonly rule: string;
}

type Json = unknown;

/** Renders a CloudFormation string value: literals kept, Ref/GetAtt shown as <Name> / <Id.Attribute>. */
const cfnString = (v: Json): string => cfnValue(v, { pseudo: {}, lenient: true });

function dims(list: Json): Record<string, string> {
  return Object.fromEntries(((list as { Name: string; Value: Json }[] | undefined) ?? []).map((d) => [d.Name, cfnString(d.Value)]));
}

export function readAlarms(template: { Resources?: Record<string, { Type: string; Properties?: Record<string, Json> }> }): {
  alarms: AlarmDefinition[];
  composites: CompositeDefinition[];
} {
  const alarms: AlarmDefinition[] = [];
  const composites: CompositeDefinition[] = [];
  for (const [logicalId, r] of Object.entries(template.Resources ?? {})) {
    const p = r.Properties ?? {};
    if (r.Type === 'AWS::CloudWatch::Alarm') {
      const metrics: Record<string, MetricQuery> = {};
      let expression = 'm';
      let period = Number(p.Period ?? 0);
      if (Array.isArray(p.Metrics)) {
        for (const m of p.Metrics as Record<string, Json>[]) {
          const stat = m.MetricStat as { Metric: Record<string, Json>; Period: number; Stat: string } | undefined;
          if (stat) {
            metrics[String(m.Id)] = {
              namespace: cfnString(stat.Metric.Namespace),
              metricName: cfnString(stat.Metric.MetricName),
              dimensions: dims(stat.Metric.Dimensions),
              stat: stat.Stat,
              periodSeconds: stat.Period,
            };
            period = stat.Period;
          }
          if (m.Expression !== undefined && m.ReturnData !== false) expression = String(m.Expression);
          else if (m.ReturnData === true && stat) expression = String(m.Id);
        }
      } else {
        metrics.m = {
          namespace: cfnString(p.Namespace),
          metricName: cfnString(p.MetricName),
          dimensions: dims(p.Dimensions),
          stat: String(p.Statistic ?? p.ExtendedStatistic),
          periodSeconds: Number(p.Period),
        };
      }
      alarms.push({
        logicalId,
        name: p.AlarmName === undefined ? logicalId : cfnString(p.AlarmName),
        periodSeconds: period,
        evaluationPeriods: Number(p.EvaluationPeriods),
        datapointsToAlarm: Number(p.DatapointsToAlarm ?? p.EvaluationPeriods),
        threshold: Number(p.Threshold),
        comparison: String(p.ComparisonOperator),
        treatMissingData: String(p.TreatMissingData ?? 'missing'),
        metrics,
        expression,
      });
    } else if (r.Type === 'AWS::CloudWatch::CompositeAlarm') {
      // Children appear as ALARM("<X.Arn>"); keep their logical ids.
      const rule = cfnString(p.AlarmRule)
        .replace(/<([A-Za-z0-9]+)\.Arn>/g, '$1')
        .replace(/"/g, '');
      composites.push({ logicalId, name: p.AlarmName === undefined ? logicalId : cfnString(p.AlarmName), rule });
    }
  }
  return { alarms, composites };
}

const COMPARE: Record<string, (v: number, t: number) => boolean> = {
  GreaterThanThreshold: (v, t) => v > t,
  GreaterThanOrEqualToThreshold: (v, t) => v >= t,
  LessThanThreshold: (v, t) => v < t,
  LessThanOrEqualToThreshold: (v, t) => v <= t,
};

/** The alarm's datapoint per period start over [startMs, endMs), from the metric series. */
export function alarmDatapoints(
  alarm: AlarmDefinition,
  series: Readonly<Record<string, ReadonlyMap<number, number>>>,
  startMs: number,
  endMs: number,
): Map<number, Value> {
  const tree = parseMetricMath(alarm.expression);
  const step = alarm.periodSeconds * 1000;
  const out = new Map<number, Value>();
  for (let t = startMs; t < endMs; t += step) {
    out.set(
      t,
      evaluate(tree, (id) => series[id]?.get(t) ?? null),
    );
  }
  return out;
}

export interface Transition {
  readonly alarm: string;
  /** End of the period whose evaluation changed the state. */
  readonly atMs: number;
  readonly from: AlarmState;
  readonly to: AlarmState;
  readonly value: Value;
}

/** Replays one alarm: its state after each period, and the transitions. Starts in INSUFFICIENT_DATA, as a new alarm. */
export function replayAlarm(
  alarm: AlarmDefinition,
  points: ReadonlyMap<number, Value>,
): { states: Map<number, AlarmState>; transitions: Transition[] } {
  const times = [...points.keys()].sort((a, b) => a - b);
  const breaches = COMPARE[alarm.comparison];
  if (!breaches) throw new Error(`alarm replay: comparison ${alarm.comparison} is not supported`);
  let state: AlarmState = 'INSUFFICIENT_DATA';
  const states = new Map<number, AlarmState>();
  const transitions: Transition[] = [];
  times.forEach((t, i) => {
    const window = times.slice(Math.max(0, i - alarm.evaluationPeriods + 1), i + 1).map((w) => points.get(w) ?? null);
    const present = window.filter((v): v is number => v !== null);
    const missing = window.length - present.length;
    let bad = present.filter((v) => breaches(v, alarm.threshold)).length;
    let next: AlarmState;
    if (alarm.treatMissingData === 'breaching') bad += missing;
    if (present.length === 0 && (alarm.treatMissingData === 'missing' || alarm.treatMissingData === 'ignore')) {
      next = alarm.treatMissingData === 'ignore' ? state : 'INSUFFICIENT_DATA';
    } else {
      next = bad >= alarm.datapointsToAlarm ? 'ALARM' : 'OK';
    }
    const end = t + alarm.periodSeconds * 1000;
    if (next !== state) transitions.push({ alarm: alarm.name, atMs: end, from: state, to: next, value: points.get(t) ?? null });
    state = next;
    states.set(end, state);
  });
  return { states, transitions };
}

/**
 * A composite alarm is in ALARM while its rule holds over its children's states (OR / AND of ALARM(x) / OK(x)); `children`
 * maps each child's logical id or alarm name to its states.
 */
export function replayComposite(
  composite: CompositeDefinition,
  children: ReadonlyMap<string, ReadonlyMap<number, AlarmState>>,
): Transition[] {
  const times = [...new Set([...children.values()].flatMap((m) => [...m.keys()]))].sort((a, b) => a - b);
  const stateAt = (id: string, t: number): AlarmState => {
    const m = children.get(id);
    let s: AlarmState = 'INSUFFICIENT_DATA';
    for (const [at, st] of m ?? []) if (at <= t) s = st;
    return s;
  };
  // Children are named by logical id or alarm name; each term becomes a variable of the expression.
  const terms: string[] = [];
  const rule = composite.rule.replace(
    /(ALARM|OK|INSUFFICIENT_DATA)\(\s*([^)]+?)\s*\)/g,
    (_m, want: string, id: string) => `S_${want}_${terms.push(id) - 1}`,
  );
  const transitions: Transition[] = [];
  let state: AlarmState = 'INSUFFICIENT_DATA';
  for (const t of times) {
    const value = evaluate(parseMetricMath(rule.replace(/\bTRUE\b/g, '1').replace(/\bFALSE\b/g, '0')), (term) => {
      const [, want, index] = /^S_(ALARM|OK|INSUFFICIENT_DATA)_(\d+)$/.exec(term) ?? [];
      return stateAt(terms[Number(index)], t) === want ? 1 : 0;
    });
    const next: AlarmState = value === 1 ? 'ALARM' : 'OK';
    if (next !== state) transitions.push({ alarm: composite.name, atMs: t, from: state, to: next, value });
    state = next;
  }
  return transitions;
}
