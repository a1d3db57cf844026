/**
 * Proves the test ground's CloudWatch path: the real @aws-sdk/client-cloudwatch (JSON 1.0 protocol) against the moto
 * server that test/support/global-setup.ts started (endpoint from AWS_ENDPOINT_URL, fake credentials).
 *
 * moto's state is shared by every test file of a run. This file keeps to its own region (REGION below) so that
 * its AWS/Bedrock data points never mix with another file's, nor theirs with ours.
 */
import {
  CloudWatchClient,
  GetMetricDataCommand,
  ListMetricsCommand,
  MetricDataQuery,
  MetricDatum,
  PutMetricDataCommand,
} from '@aws-sdk/client-cloudwatch';

const REGION = 'ap-southeast-2';
const NAMESPACE = 'AWS/Bedrock';
const READ = 'CacheReadInputTokenCount';
const WRITE = 'CacheWriteInputTokenCount';
const SONNET_37 = 'us.anthropic.claude-3-7-sonnet-20250219-v1:0';
const SONNET_45 = 'global.anthropic.claude-sonnet-4-5-20250929-v1:0';

const HOUR_MS = 3_600_000;
const MIN_MS = 60_000;
// Recent (moto, like CloudWatch, keeps 14 days) and aligned to the hour: moto's buckets start at StartTime.
const H0 = Math.floor(Date.now() / HOUR_MS) * HOUR_MS - 4 * HOUR_MS;
const H1 = H0 + HOUR_MS;

const client = new CloudWatchClient({ region: REGION });
afterAll(() => client.destroy());

function datum(metric: string, modelId: string, at: number, value: number): MetricDatum {
  return {
    MetricName: metric,
    Dimensions: [{ Name: 'ModelId', Value: modelId }],
    Timestamp: new Date(at),
    Unit: 'Count',
    Value: value,
  };
}

function query(id: string, metric: string, modelId: string, stat: 'Sum' | 'SampleCount'): MetricDataQuery {
  return {
    Id: id,
    MetricStat: {
      Metric: { Namespace: NAMESPACE, MetricName: metric, Dimensions: [{ Name: 'ModelId', Value: modelId }] },
      Period: 3600,
      Stat: stat,
    },
    ReturnData: true,
  };
}

/** GetMetricData over [start, end) → { queryId: [[epochMs, value], ...] ascending }. */
async function getSeries(queries: MetricDataQuery[], start: number, end: number): Promise<Record<string, number[][]>> {
  const out = await client.send(
    new GetMetricDataCommand({
      MetricDataQueries: queries,
      StartTime: new Date(start),
      EndTime: new Date(end),
      ScanBy: 'TimestampAscending',
    }),
  );
  const series: Record<string, number[][]> = {};
  for (const r of out.MetricDataResults ?? []) {
    expect(r.StatusCode).toBe('Complete');
    const ts = (r.Timestamps ?? []).map((t) => t.getTime());
    const vs = r.Values ?? [];
    expect(ts.length).toBe(vs.length);
    series[r.Id ?? '?'] = ts.map((t, i) => [t, vs[i]]).sort((a, b) => a[0] - b[0]);
  }
  return series;
}

test('the SDK talks to the local moto server, not to AWS', async () => {
  expect(process.env.AWS_ENDPOINT_URL).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  expect(process.env.AWS_ACCESS_KEY_ID).toBe('testing');
  // Record where the request really goes (AWS_ENDPOINT_URL is applied by the SDK's endpoint resolution).
  const probe = new CloudWatchClient({ region: REGION });
  const seen: string[] = [];
  probe.middlewareStack.add(
    (next) => async (args) => {
      const req = args.request as { protocol?: string; hostname?: string; port?: number };
      seen.push(`${req.protocol}//${req.hostname}:${req.port}`);
      return next(args);
    },
    { step: 'finalizeRequest', name: 'recordEndpoint' },
  );
  const out = await probe.send(new ListMetricsCommand({ Namespace: 'ProbeOnly/NoSuchNamespace' }));
  probe.destroy();
  expect(seen).toEqual([process.env.AWS_ENDPOINT_URL]);
  expect(out.Metrics).toEqual([]);
});

test('PutMetricData of AWS/Bedrock cache tokens, then GetMetricData gives exact hourly Sum and SampleCount', async () => {
  const at = (hour: number, min: number) => hour + min * MIN_MS;
  const data: MetricDatum[] = [
    // Sonnet 3.7, reads: hour 0 → 1000 + 2500 + 500 = 4000 (3 samples); hour 1 → 700 + 300 = 1000 (2)
    datum(READ, SONNET_37, at(H0, 5), 1000),
    datum(READ, SONNET_37, at(H0, 20), 2500),
    datum(READ, SONNET_37, at(H0, 50), 500),
    datum(READ, SONNET_37, at(H1, 10), 700),
    datum(READ, SONNET_37, at(H1, 40), 300),
    // Sonnet 3.7, writes: hour 0 → 2048 (1); hour 1 → 1024 + 512 = 1536 (2)
    datum(WRITE, SONNET_37, at(H0, 5), 2048),
    datum(WRITE, SONNET_37, at(H1, 10), 1024),
    datum(WRITE, SONNET_37, at(H1, 40), 512),
    // Sonnet 4.5 (global profile), reads: hour 0 → 12000 + 8000 = 20000 (2); hour 1 → 100 at exactly H1 + 0 (1)
    datum(READ, SONNET_45, at(H0, 15), 12000),
    datum(READ, SONNET_45, at(H0, 30), 8000),
    datum(READ, SONNET_45, at(H1, 0), 100),
    // Sonnet 4.5, writes: hour 0 → 4096 (1); hour 1 → 333 at 59 min (1); a zero counts as a sample, adds nothing
    datum(WRITE, SONNET_45, at(H0, 15), 4096),
    datum(WRITE, SONNET_45, at(H0, 16), 0),
    datum(WRITE, SONNET_45, at(H1, 59), 333),
  ];
  await client.send(new PutMetricDataCommand({ Namespace: NAMESPACE, MetricData: data }));

  const series = await getSeries(
    [
      query('read37sum', READ, SONNET_37, 'Sum'),
      query('write37sum', WRITE, SONNET_37, 'Sum'),
      query('read45sum', READ, SONNET_45, 'Sum'),
      query('write45sum', WRITE, SONNET_45, 'Sum'),
      query('read37n', READ, SONNET_37, 'SampleCount'),
      query('write37n', WRITE, SONNET_37, 'SampleCount'),
      query('read45n', READ, SONNET_45, 'SampleCount'),
      query('write45n', WRITE, SONNET_45, 'SampleCount'),
    ],
    H0,
    H0 + 2 * HOUR_MS,
  );

  expect(series).toEqual({
    read37sum: [
      [H0, 4000],
      [H1, 1000],
    ],
    write37sum: [
      [H0, 2048],
      [H1, 1536],
    ],
    read45sum: [
      [H0, 20000],
      [H1, 100],
    ],
    write45sum: [
      [H0, 4096],
      [H1, 333],
    ],
    read37n: [
      [H0, 3],
      [H1, 2],
    ],
    write37n: [
      [H0, 1],
      [H1, 2],
    ],
    read45n: [
      [H0, 2],
      [H1, 1],
    ],
    write45n: [
      [H0, 2],
      [H1, 1],
    ],
  });

  // A one-hour window over hour 1 only: hour 0's points stay out.
  const hour1 = await getSeries([query('read37sum', READ, SONNET_37, 'Sum')], H1, H1 + HOUR_MS);
  expect(hour1).toEqual({ read37sum: [[H1, 1000]] });

  const listed = await client.send(new ListMetricsCommand({ Namespace: NAMESPACE }));
  const names = (listed.Metrics ?? [])
    .map((m) => `${m.MetricName} ${(m.Dimensions ?? []).map((d) => `${d.Name}=${d.Value}`).join(',')}`)
    .sort();
  expect(names).toEqual([
    `${READ} ModelId=${SONNET_45}`,
    `${READ} ModelId=${SONNET_37}`,
    `${WRITE} ModelId=${SONNET_45}`,
    `${WRITE} ModelId=${SONNET_37}`,
  ]);
});

test('the double-count trap: putting the same datum twice doubles Sum and SampleCount', async () => {
  // Its own hour (before the window above), so the first test's data stay out.
  const hour = H0 - 2 * HOUR_MS;
  const once = datum(READ, SONNET_37, hour + 7 * MIN_MS, 1234);
  await client.send(new PutMetricDataCommand({ Namespace: NAMESPACE, MetricData: [once] }));
  const q = [query('sum', READ, SONNET_37, 'Sum'), query('n', READ, SONNET_37, 'SampleCount')];
  expect(await getSeries(q, hour, hour + HOUR_MS)).toEqual({ sum: [[hour, 1234]], n: [[hour, 1]] });

  // A retried or re-run publish that is not deduplicated: CloudWatch (and moto) keep both copies.
  await client.send(new PutMetricDataCommand({ Namespace: NAMESPACE, MetricData: [once] }));
  expect(await getSeries(q, hour, hour + HOUR_MS)).toEqual({ sum: [[hour, 2468]], n: [[hour, 2]] });
});
