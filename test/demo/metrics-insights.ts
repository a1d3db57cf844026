/**
 * CloudWatch Metrics Insights for the demo's alarm replay (the emulator runs no query): a parser and a per-period
 * evaluator of the query subset the fleet alarms use, and a reader of the series a query needs from the emulator.
 *
 *   SELECT MIN|MAX|SUM|AVG|COUNT(<metric>)
 *   FROM SCHEMA("<namespace>"[, <dimension>, ...]) | "<namespace>"
 *   [WHERE <dimension> = '<value>' | <dimension> != '<value>' (or <>), joined by AND / OR, with parentheses]
 *   [GROUP BY <dimension>[, <dimension>, ...]]
 *   [ORDER BY MIN|MAX|SUM|AVG|COUNT() [ASC|DESC]]
 *   [LIMIT <n>]
 *
 * Anything else (another function, LIKE / IN / NOT, HAVING, ORDER BY a dimension, ...) is an error naming that part.
 * Semantics, after the CloudWatch user guide (query syntax, SQL inference, troubleshooting pages):
 * - keywords in any case; metric, namespace and dimension names case-sensitive, bare (letters, digits, `_`) or in
 *   double quotes; values in single quotes (`\'` and `\\` escape);
 * - `SCHEMA("ns", A, B)` matches only series whose dimension set is exactly {A, B}; `FROM "ns"` every series of the metric;
 * - WHERE: a series without the dimension matches neither `=` nor `!=` (SQL's NULL rule; an assumption, the guide does
 *   not say);
 * - GROUP BY: one result series per distinct tuple of values; a series without a GROUP BY dimension falls in the group
 *   `Other`. Without GROUP BY, one series of everything matched;
 * - time buckets of `periodMs` from `startMs`, each valued at its start: the aggregate of every observation of the
 *   group's series in [start, start + period);
 * - ORDER BY is a global aggregation: it ranks the result series by the function over all their observations in the
 *   queried range (not bucket by bucket), then LIMIT keeps the first n. Ties and queries without ORDER BY go by label;
 * - at most 500 result series; more than 500, or more than 10,000 metrics matched, makes the result `partial`.
 */
import { CloudWatchClient, ListMetricsCommand } from '@aws-sdk/client-cloudwatch';
import { MODEL_ID_DIMENSION } from '../../lambda/core/contract';
import { readSeries } from '../support/bedrock-seed';

export type Aggregate = 'MIN' | 'MAX' | 'SUM' | 'AVG' | 'COUNT';
const AGGREGATES: readonly Aggregate[] = ['MIN', 'MAX', 'SUM', 'AVG', 'COUNT'];

export type InsightsCondition =
  | { readonly kind: 'compare'; readonly dimension: string; readonly op: '=' | '!='; readonly value: string }
  | { readonly kind: 'and' | 'or'; readonly conditions: readonly InsightsCondition[] };

export interface InsightsQuery {
  readonly aggregate: Aggregate;
  readonly metricName: string;
  readonly namespace: string;
  /** SCHEMA's dimension names: only series with exactly these dimensions. Absent for `FROM "<namespace>"`. */
  readonly schema?: readonly string[];
  readonly where?: InsightsCondition;
  /** Empty without GROUP BY. */
  readonly groupBy: readonly string[];
  readonly orderBy?: { readonly aggregate: Aggregate; readonly descending: boolean };
  readonly limit?: number;
}

/** Whether a metric-math expression is a Metrics Insights query instead. */
export const isInsightsQuery = (expression: string): boolean => /^\s*SELECT\b/i.test(expression);

type Token = { readonly kind: 'word' | 'quoted' | 'string' | 'number' | 'op'; readonly text: string };

const TOKEN = /\s*(?:([A-Za-z_][A-Za-z0-9_]*)|"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'|(\d+(?:\.\d+)?)|(!=|<>|<=|>=|[=<>(),*]))/y;

function tokenize(text: string, fail: (message: string) => never): Token[] {
  const tokens: Token[] = [];
  TOKEN.lastIndex = 0;
  while (!/^\s*$/.test(text.slice(TOKEN.lastIndex))) {
    const at = TOKEN.lastIndex;
    const m = TOKEN.exec(text);
    if (!m) fail(`cannot read ${JSON.stringify(text.slice(at).trimStart().slice(0, 20))}`);
    const unescape = (s: string) => s.replace(/\\(.)/g, '$1');
    if (m[1] !== undefined) tokens.push({ kind: 'word', text: m[1] });
    else if (m[2] !== undefined) tokens.push({ kind: 'quoted', text: unescape(m[2]) });
    else if (m[3] !== undefined) tokens.push({ kind: 'string', text: unescape(m[3]) });
    else if (m[4] !== undefined) tokens.push({ kind: 'number', text: m[4] });
    else tokens.push({ kind: 'op', text: m[5] });
  }
  return tokens;
}

/** Parses a query of the subset above; throws `metrics insights: <what> in "<query>"` for anything else. */
export function parseInsightsQuery(text: string): InsightsQuery {
  const fail = (message: string): never => {
    throw new Error(`metrics insights: ${message} in ${JSON.stringify(text)}`);
  };
  const tokens = tokenize(text, fail);
  let i = 0;
  const show = (t: Token | undefined) => (t === undefined ? 'the end' : t.kind === 'string' ? `'${t.text}'` : JSON.stringify(t.text));
  const isWord = (word: string, t = tokens[i]) => t?.kind === 'word' && t.text.toUpperCase() === word;
  const isOp = (op: string, t = tokens[i]) => t?.kind === 'op' && t.text === op;
  const keyword = (word: string) => {
    if (!isWord(word)) fail(`expected ${word}, found ${show(tokens[i])}`);
    i++;
  };
  const op = (o: string) => {
    if (!isOp(o)) fail(`expected ${JSON.stringify(o)}, found ${show(tokens[i])}`);
    i++;
  };
  const name = (what: string): string => {
    const t = tokens[i];
    if (t?.kind !== 'word' && t?.kind !== 'quoted') fail(`expected ${what}, found ${show(t)}`);
    i++;
    return (t as Token).text;
  };
  const names = (what: string): string[] => {
    const out = [name(what)];
    while (isOp(',')) {
      i++;
      out.push(name(what));
    }
    return out;
  };
  const aggregate = (): Aggregate => {
    const t = tokens[i];
    if (t?.kind !== 'word') fail(`expected a function, found ${show(t)}`);
    const upper = (t as Token).text.toUpperCase();
    if (!AGGREGATES.includes(upper as Aggregate))
      fail(`function ${(t as Token).text} is not supported by the replay (only ${AGGREGATES.join(', ')})`);
    i++;
    return upper as Aggregate;
  };
  const condition = (): InsightsCondition => {
    const any = (kind: 'and' | 'or', word: string, next: () => InsightsCondition): InsightsCondition => {
      const conditions = [next()];
      while (isWord(word)) {
        i++;
        conditions.push(next());
      }
      return conditions.length === 1 ? conditions[0] : { kind, conditions };
    };
    const compare = (): InsightsCondition => {
      if (isOp('(')) {
        i++;
        const inner = condition();
        op(')');
        return inner;
      }
      if (isWord('NOT')) fail('operator NOT is not supported by the replay (only =, != and <>)');
      const dimension = name('a dimension name');
      const t = tokens[i];
      if (t === undefined) fail('expected an operator, found the end');
      if (!isOp('=') && !isOp('!=') && !isOp('<>'))
        fail(`operator ${t.text.toUpperCase()} is not supported by the replay (only =, != and <>)`);
      i++;
      const value = tokens[i];
      if (value?.kind !== 'string') fail(`expected a value in single quotes, found ${show(value)}`);
      i++;
      return { kind: 'compare', dimension, op: (t as Token).text === '=' ? '=' : '!=', value: (value as Token).text };
    };
    return any('or', 'OR', () => any('and', 'AND', compare));
  };

  keyword('SELECT');
  const agg = aggregate();
  op('(');
  const metricName = name('a metric name');
  op(')');
  keyword('FROM');
  let namespace: string;
  let schema: string[] | undefined;
  if (isWord('SCHEMA') && isOp('(', tokens[i + 1])) {
    i += 2;
    namespace = name('a namespace');
    schema = [];
    while (isOp(',')) {
      i++;
      schema.push(name('a dimension name'));
    }
    op(')');
  } else {
    namespace = name('a namespace or SCHEMA(...)');
  }
  let where: InsightsCondition | undefined;
  if (isWord('WHERE')) {
    i++;
    where = condition();
  }
  let groupBy: string[] = [];
  if (isWord('GROUP')) {
    i++;
    keyword('BY');
    groupBy = names('a dimension name');
  }
  let orderBy: InsightsQuery['orderBy'];
  if (isWord('ORDER')) {
    i++;
    keyword('BY');
    const t = tokens[i];
    if (t?.kind !== 'word' || !isOp('(', tokens[i + 1]))
      fail(`ORDER BY ${show(t)} is not supported by the replay (only ORDER BY <function>())`);
    const by = aggregate();
    op('(');
    op(')');
    let descending = false;
    if (isWord('ASC') || isWord('DESC')) descending = tokens[i++].text.toUpperCase() === 'DESC';
    orderBy = { aggregate: by, descending };
  }
  let limit: number | undefined;
  if (isWord('LIMIT')) {
    i++;
    const t = tokens[i];
    if (t?.kind !== 'number' || !/^\d+$/.test(t.text) || Number(t.text) < 1) fail(`LIMIT takes a positive whole number, found ${show(t)}`);
    limit = Number((t as Token).text);
    i++;
  }
  if (i < tokens.length) {
    const t = tokens[i];
    fail(t.kind === 'word' ? `${t.text.toUpperCase()} is not supported by the replay` : `unexpected ${show(t)}`);
  }
  return {
    aggregate: agg,
    metricName,
    namespace,
    ...(schema ? { schema } : {}),
    ...(where ? { where } : {}),
    groupBy,
    ...(orderBy ? { orderBy } : {}),
    ...(limit !== undefined ? { limit } : {}),
  };
}

/** What CloudWatch knows of the observations in a time slice: PutMetricData's StatisticValues, or one datum as a set of 1. */
export interface StatisticSet {
  readonly sampleCount: number;
  readonly sum: number;
  readonly minimum: number;
  readonly maximum: number;
}

export interface SeriesKey {
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Readonly<Record<string, string>>;
}

export interface MetricSeries extends SeriesKey {
  /**
   * Time → the statistics of the observations at it: raw datums (see `datumSeries`) or GetMetricData's per-period
   * statistics keyed by period start (as `readInsightsSeries` gives); either rolls up into the query's buckets.
   */
  readonly points: ReadonlyMap<number, StatisticSet>;
}

/** A series from raw datums `[timeMs, value]` (several at one time allowed). */
export function datumSeries(key: SeriesKey, datums: readonly (readonly [number, number])[]): MetricSeries {
  const points = new Map<number, StatisticSet>();
  for (const [t, v] of datums) points.set(t, merge(points.get(t), { sampleCount: 1, sum: v, minimum: v, maximum: v }));
  return { ...key, points };
}

function merge(a: StatisticSet | undefined, b: StatisticSet): StatisticSet {
  if (!a) return b;
  return {
    sampleCount: a.sampleCount + b.sampleCount,
    sum: a.sum + b.sum,
    minimum: Math.min(a.minimum, b.minimum),
    maximum: Math.max(a.maximum, b.maximum),
  };
}

function valueOf(aggregate: Aggregate, s: StatisticSet): number {
  switch (aggregate) {
    case 'MIN':
      return s.minimum;
    case 'MAX':
      return s.maximum;
    case 'SUM':
      return s.sum;
    case 'COUNT':
      return s.sampleCount;
    case 'AVG':
      return s.sum / s.sampleCount;
  }
}

function holds(c: InsightsCondition, dimensions: Readonly<Record<string, string>>): boolean {
  if (c.kind !== 'compare')
    return c.kind === 'and' ? c.conditions.every((x) => holds(x, dimensions)) : c.conditions.some((x) => holds(x, dimensions));
  const v = dimensions[c.dimension];
  return v !== undefined && (c.op === '=' ? v === c.value : v !== c.value);
}

/** Whether the query reads this series (namespace, metric, SCHEMA's exact dimension set, WHERE). */
export function selects(query: InsightsQuery, series: SeriesKey): boolean {
  if (series.namespace !== query.namespace || series.metricName !== query.metricName) return false;
  const keys = Object.keys(series.dimensions);
  if (query.schema && (keys.length !== query.schema.length || !query.schema.every((d) => d in series.dimensions))) return false;
  return query.where === undefined || holds(query.where, series.dimensions);
}

export interface InsightsSeries {
  /** The GROUP BY dimensions' values, `Other` where a series lacks one; `{}` without GROUP BY. */
  readonly attributes: Readonly<Record<string, string>>;
  /** The values joined by ", " (the ModelId for `GROUP BY ModelId`); "" without GROUP BY. */
  readonly label: string;
  /** Bucket start → the aggregate; a bucket without observations is absent. */
  readonly values: ReadonlyMap<number, number>;
}

export interface InsightsResult {
  /** In ORDER BY order, LIMIT applied; only series with an observation in the range. */
  readonly series: readonly InsightsSeries[];
  /** More than 500 result series or 10,000 metrics matched: CloudWatch would return a partial result. */
  readonly partial: boolean;
}

export const MAX_RESULT_SERIES = 500;
export const MAX_METRICS_SCANNED = 10_000;

/** Runs the query over [startMs, endMs) in buckets of `periodMs` from `startMs`. */
export function runInsightsQuery(
  query: InsightsQuery,
  data: readonly MetricSeries[],
  startMs: number,
  endMs: number,
  periodMs: number,
): InsightsResult {
  const matched = data.filter((s) => selects(query, s));
  const groups = new Map<string, { attributes: Record<string, string>; buckets: Map<number, StatisticSet>; all?: StatisticSet }>();
  for (const s of matched) {
    const attributes = Object.fromEntries(query.groupBy.map((d) => [d, s.dimensions[d] ?? 'Other']));
    const label = query.groupBy.map((d) => attributes[d]).join(', ');
    for (const [t, stats] of s.points) {
      if (t < startMs || t >= endMs) continue;
      const bucket = startMs + Math.floor((t - startMs) / periodMs) * periodMs;
      const g = groups.get(label) ?? { attributes, buckets: new Map<number, StatisticSet>() };
      groups.set(label, g);
      g.buckets.set(bucket, merge(g.buckets.get(bucket), stats));
      g.all = merge(g.all, stats);
    }
  }
  const order = query.orderBy;
  const rank = (g: { all?: StatisticSet }) => (order ? valueOf(order.aggregate, g.all as StatisticSet) : 0);
  const ranked = [...groups].sort(
    ([la, a], [lb, b]) => (order ? (rank(a) - rank(b)) * (order.descending ? -1 : 1) : 0) || (la < lb ? -1 : la > lb ? 1 : 0),
  );
  const kept = ranked.slice(0, Math.min(query.limit ?? MAX_RESULT_SERIES, MAX_RESULT_SERIES));
  return {
    series: kept.map(([label, g]) => ({
      attributes: g.attributes,
      label,
      values: new Map([...g.buckets].sort(([a], [b]) => a - b).map(([t, stats]) => [t, valueOf(query.aggregate, stats)])),
    })),
    partial: groups.size > MAX_RESULT_SERIES || matched.length > MAX_METRICS_SCANNED,
  };
}

/**
 * Reads from the emulator the series a query needs over [startMs, endMs): ListMetrics (every page) for the metric in
 * the namespace, the series the query selects, then Sum, SampleCount, Minimum and Maximum per period through
 * `readSeries` (GetMetricData MetricStat), so that every aggregate and ORDER BY is exact. The emulator reads a query
 * without dimensions as the sum of every dimension set and ignores the namespace of a query with dimensions, so only
 * ModelId-only series are read, and a dimensionless series only when it is the only one selected; anything else is an
 * error naming the series.
 */
export async function readInsightsSeries(
  cw: CloudWatchClient,
  query: InsightsQuery,
  startMs: number,
  endMs: number,
  periodMs: number,
): Promise<MetricSeries[]> {
  const keys = new Map<string, SeriesKey>();
  let nextToken: string | undefined;
  do {
    const page = await cw.send(new ListMetricsCommand({ Namespace: query.namespace, MetricName: query.metricName, NextToken: nextToken }));
    for (const m of page.Metrics ?? []) {
      const dimensions = Object.fromEntries((m.Dimensions ?? []).map((d) => [d.Name ?? '', d.Value ?? '']));
      const key = { namespace: query.namespace, metricName: query.metricName, dimensions };
      if (selects(query, key)) keys.set(JSON.stringify(Object.entries(dimensions).sort()), key);
    }
    nextToken = page.NextToken;
  } while (nextToken);
  const selected = [...keys.values()];
  for (const s of selected) {
    const names = Object.keys(s.dimensions);
    const readable = names.length === 0 ? selected.length === 1 : names.length === 1 && names[0] === MODEL_ID_DIMENSION;
    if (!readable)
      throw new Error(
        `readInsightsSeries: ${query.metricName} ${JSON.stringify(s.dimensions)} cannot be read apart from the emulator (only ${MODEL_ID_DIMENSION}-only series, or one dimensionless series alone)`,
      );
  }
  const stats = ['Sum', 'SampleCount', 'Minimum', 'Maximum'] as const;
  const read = await readSeries(
    cw,
    selected.flatMap((s) =>
      stats.map((stat) => ({ namespace: s.namespace, metricName: s.metricName, modelId: s.dimensions.ModelId, stat })),
    ),
    startMs,
    endMs,
    periodMs,
  );
  return selected.map((key, i) => {
    const [sum, sampleCount, minimum, maximum] = read.slice(i * stats.length, (i + 1) * stats.length);
    const points = new Map<number, StatisticSet>();
    for (const [t, s] of sum) {
      const [c, lo, hi] = [sampleCount.get(t), minimum.get(t), maximum.get(t)];
      if (c !== undefined && lo !== undefined && hi !== undefined && c > 0)
        points.set(t, { sampleCount: c, sum: s, minimum: lo, maximum: hi });
    }
    return { ...key, points };
  });
}
