/**
 * Alarm replay: reads the alarms of a synthesized template and evaluates them period by period over metric data
 * (the emulator stores metrics but evaluates no alarm): M of N datapoints, the comparison, missing-data treatment, and
 * composite alarms over their children. Simplifications: one evaluation per alarm period at its end; no
 * evaluation-range lookback beyond N periods; INSUFFICIENT_DATA only when every datapoint of the range is missing.
 *
 * Metrics Insights fleet alarms (an alarm whose one metric is a `SELECT ... GROUP BY ModelId` expression: `readAlarms`
 * sets `query`) are replayed per contributor by `replayFleetAlarm`:
 *
 *   const { alarms } = readAlarms(template);
 *   for (const alarm of alarms.filter((a) => a.query)) {
 *     const data = await readInsightsSeries(cw, alarm.query!, fromMs, toMs, alarm.periodSeconds * 1000); // metrics-insights.ts
 *     const { states, transitions, contributorTransitions } = replayFleetAlarm(alarm, data, fromMs, toMs);
 *     // states: the alarm's own state per period end, as replayAlarm's (a composite's children);
 *     // transitions: the alarm's own (Transition); contributorTransitions: per ModelId (ContributorTransition):
 *     for (const t of contributorTransitions)
 *       print(`${new Date(t.atMs).toISOString().slice(0, 16)}Z  ${t.alarm}  ${t.contributor}  ${t.from} -> ${t.to}  value ${t.value}`);
 *   }
 *
 * `fromMs` must be on the period grid (the emulator's buckets start at StartTime). See `replayFleetAlarm` for the rules.
 */
import { HOUR_MS } from '../../lambda/core/periods';
import { cfnValue } from '../support/cfn-values';
import { evaluate, parseMetricMath, type Value } from './metric-math';
import { isInsightsQuery, parseInsightsQuery, runInsightsQuery, type InsightsQuery, type MetricSeries } from './metrics-insights';

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
  /** Set when the returned expression is a Metrics Insights query (then `metrics` is empty): see replayFleetAlarm. */
  readonly query?: InsightsQuery;
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
          // A Metrics Insights query carries its period on the expression itself.
          if (m.Expression !== undefined && m.Period !== undefined) period = Number(m.Period);
          if (m.Expression !== undefined && m.ReturnData !== false) expression = cfnString(m.Expression);
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
      let query: InsightsQuery | undefined;
      try {
        query = isInsightsQuery(expression) ? parseInsightsQuery(expression) : undefined;
      } catch (e) {
        throw new Error(`alarm ${logicalId}: ${(e as Error).message}`, { cause: e });
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
        ...(query ? { query } : {}),
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

/** A contributor of a fleet alarm is never INSUFFICIENT_DATA: a series exists only when it has data. */
export type ContributorState = 'OK' | 'ALARM';

/** A contributor's transition, as CloudWatch's "CloudWatch Alarm Contributor State Change" event tells it. */
export interface ContributorTransition extends Transition {
  readonly from: ContributorState;
  readonly to: ContributorState;
  /** The GROUP BY values joined by ", ": the ModelId for `GROUP BY ModelId`. */
  readonly contributor: string;
  /** The event's `alarmContributor.attributes`, e.g. `{ ModelId: 'anthropic.claude-sonnet-4-6' }`. */
  readonly attributes: Readonly<Record<string, string>>;
}

export interface FleetReplay {
  /** The alarm's own state after each evaluation (period end), as replayAlarm's: a composite's child can be a fleet alarm. */
  readonly states: Map<number, AlarmState>;
  /** The alarm's own transitions ("CloudWatch Alarm State Change"). */
  readonly transitions: Transition[];
  /** Per contributor, in time order; within an evaluation in the query's order, then the vanished ones by label. */
  readonly contributorTransitions: ContributorTransition[];
  /** Some evaluation's query matched more than 500 series or 10,000 metrics: CloudWatch would have evaluated part of them. */
  readonly partial: boolean;
}

/** Metrics Insights alarms evaluate only the latest 3 hours of data. */
export const FLEET_LOOKBACK_MS = 3 * HOUR_MS;

/**
 * Replays a Metrics Insights fleet alarm (`alarm.query` set, with GROUP BY) over `data`: one evaluation at each period
 * end from `startMs + period` to `endMs`, each running the query over the latest min(N, 3 hours / period) whole periods
 * (never before `startMs`), so ORDER BY and LIMIT rank the series over that range.
 * - Each series the query returns is a contributor: ALARM when at least M of the range's periods breach (missing
 *   periods breach only with treatMissingData = breaching), else OK. It has a datapoint in the range by definition,
 *   so the missing/ignore treatments never apply to it as a whole, and it is never INSUFFICIENT_DATA.
 * - A contributor the query no longer returns (no datapoint in the range, or cut by LIMIT) goes back to OK (value
 *   null). This is an assumption from the CloudWatch guide's "a time series only exists when data is present".
 * - A contributor first seen in OK is no transition (OK is where every contributor starts).
 * - The alarm is ALARM while at least one contributor is, else OK; INSUFFICIENT_DATA (its state at creation) only
 *   until the query first returns a series.
 * - `value`: a contributor's aggregate in the evaluated (last) period, null if it has none there; the alarm's own
 *   transition carries the value of the first contributor transition of that evaluation towards the same state, else null.
 * Simplification: whole periods only (CloudWatch would also count the part of an older period inside the 3 hours).
 */
export function replayFleetAlarm(alarm: AlarmDefinition, data: readonly MetricSeries[], startMs: number, endMs: number): FleetReplay {
  const query = alarm.query;
  if (!query) throw new Error(`alarm replay: ${alarm.name} is not a Metrics Insights alarm`);
  if (query.groupBy.length === 0) throw new Error(`alarm replay: ${alarm.name}: a query without GROUP BY (one series) is not supported`);
  const breaches = COMPARE[alarm.comparison];
  if (!breaches) throw new Error(`alarm replay: comparison ${alarm.comparison} is not supported`);
  const step = alarm.periodSeconds * 1000;
  const periods = Math.min(alarm.evaluationPeriods, Math.floor(FLEET_LOOKBACK_MS / step));
  if (periods < 1)
    throw new Error(`alarm replay: ${alarm.name}: a period of ${alarm.periodSeconds} s is longer than the 3 hours evaluated`);

  const contributors = new Map<string, { readonly attributes: Readonly<Record<string, string>>; readonly state: ContributorState }>();
  const states = new Map<number, AlarmState>();
  const transitions: Transition[] = [];
  const contributorTransitions: ContributorTransition[] = [];
  let state: AlarmState = 'INSUFFICIENT_DATA';
  let partial = false;
  for (let end = startMs + step; end <= endMs; end += step) {
    const from = Math.max(startMs, end - periods * step);
    const result = runInsightsQuery(query, data, from, end, step);
    partial ||= result.partial;
    const changes: ContributorTransition[] = [];
    const change = (contributor: string, attributes: Readonly<Record<string, string>>, to: ContributorState, value: Value) => {
      const was = contributors.get(contributor)?.state ?? 'OK';
      contributors.set(contributor, { attributes, state: to });
      if (to !== was) changes.push({ alarm: alarm.name, atMs: end, from: was, to, value, contributor, attributes });
    };
    for (const s of result.series) {
      const window: Value[] = [];
      for (let t = from; t < end; t += step) window.push(s.values.get(t) ?? null);
      const present = window.filter((v): v is number => v !== null);
      const bad =
        present.filter((v) => breaches(v, alarm.threshold)).length +
        (alarm.treatMissingData === 'breaching' ? window.length - present.length : 0);
      change(s.label, s.attributes, bad >= alarm.datapointsToAlarm ? 'ALARM' : 'OK', window[window.length - 1]);
    }
    const returned = new Set(result.series.map((s) => s.label));
    for (const c of [...contributors.keys()].filter((k) => !returned.has(k)).sort()) {
      change(c, contributors.get(c)?.attributes ?? {}, 'OK', null);
      contributors.delete(c);
    }
    contributorTransitions.push(...changes);

    const next: AlarmState =
      state === 'INSUFFICIENT_DATA' && result.series.length === 0
        ? 'INSUFFICIENT_DATA'
        : [...contributors.values()].some((c) => c.state === 'ALARM')
          ? 'ALARM'
          : 'OK';
    if (next !== state)
      transitions.push({ alarm: alarm.name, atMs: end, from: state, to: next, value: changes.find((t) => t.to === next)?.value ?? null });
    state = next;
    states.set(end, state);
  }
  return { states, transitions, contributorTransitions, partial };
}
