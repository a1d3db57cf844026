/**
 * GetMetricData limits (CloudWatch quotas): at most 500 queries per call and 100,800 datapoints per call. Pure.
 */
export const MAX_QUERIES_PER_CALL = 500;
export const MAX_DATAPOINTS_PER_CALL = 100_800;
export const MAX_DATUMS_PER_PUT = 1000;

/** How many queries of `pointsPerQuery` datapoints each fit in one GetMetricData call. */
export function queriesPerCall(pointsPerQuery: number): number {
  return Math.max(1, Math.min(MAX_QUERIES_PER_CALL, Math.floor(MAX_DATAPOINTS_PER_CALL / Math.max(1, pointsPerQuery))));
}

/** The fewest GetMetricData calls that can read `queries` queries of `pointsPerQuery` datapoints. */
export function getMetricDataLowerBound(queries: number, pointsPerQuery: number): number {
  return Math.ceil(queries / queriesPerCall(pointsPerQuery));
}
