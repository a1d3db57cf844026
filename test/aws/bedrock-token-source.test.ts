/**
 * The Bedrock token reader's request shape and its handling of odd datapoints, with a stub client (no network):
 * GetMetricData batches of at most 500 queries, NextToken followed, NaN / negative / fractional values cleaned and logged,
 * and both spellings of the cache metrics read without counting a token twice.
 */
import type { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { parseConfig } from '../../lambda/core/config';
import { HOUR_MS } from '../../lambda/core/periods';
import type { RunLog } from '../../lambda/core/publish-run';
import { BedrockTokenSource } from '../../lambda/aws/bedrock-token-source';

const T0 = Date.UTC(2026, 10, 25, 0);
/** Names pinned to one spelling each: four queries per model. */
const names = parseConfig(
  { bedrockMetricNames: { cacheReadInputTokens: 'CacheReadInputTokenCount', cacheWriteInputTokens: 'CacheWriteInputTokenCount' } },
  'x',
).bedrockMetricNames;
const unpinned = parseConfig({}, 'x').bedrockMetricNames;

function stub(values: (id: string) => number[]) {
  const calls: { queries: number; nextToken?: string }[] = [];
  const client = {
    send: async (cmd: GetMetricDataCommand) => {
      const input = cmd.input;
      calls.push({ queries: input.MetricDataQueries?.length ?? 0, ...(input.NextToken ? { nextToken: input.NextToken } : {}) });
      // The first page of each batch asks for a second one.
      const first = input.NextToken === undefined;
      return {
        MetricDataResults: first
          ? (input.MetricDataQueries ?? []).map((q) => ({ Id: q.Id, Timestamps: [new Date(T0)], Values: values(q.Id as string) }))
          : [],
        NextToken: first ? 'page-2' : undefined,
      };
    },
  };
  return { client: client as unknown as CloudWatchClient, calls };
}

test('1,000 queries (250 models) go out as 2 calls of 500, each following its NextToken', async () => {
  const { client, calls } = stub(() => [1]);
  const source = new BedrockTokenSource(client, names, { info: () => undefined, warn: () => undefined });
  const ids = Array.from({ length: 250 }, (_, i) => `m${i}`);
  const sums = await source.readTokenSums(ids, T0, T0 + HOUR_MS, HOUR_MS);
  expect(calls).toEqual([{ queries: 500 }, { queries: 500, nextToken: 'page-2' }, { queries: 500 }, { queries: 500, nextToken: 'page-2' }]);
  expect(sums.get('m249')?.get(T0)).toEqual({ inputTokens: 1, cacheReadInputTokens: 1, cacheWriteInputTokens: 1, outputTokens: 1 });
});

test('NaN and negative Sums count as 0, fractional ones are rounded; each is logged with its model and metric', async () => {
  // Query ids: q0 input, q1 cache read, q2 cache write, q3 output of the one model.
  const odd: Record<string, number> = { q0: NaN, q1: -50, q2: 2.6, q3: 10 };
  const { client } = stub((id) => [odd[id]]);
  const warnings: unknown[] = [];
  const log: RunLog = { info: () => undefined, warn: (message, data) => warnings.push([message, data?.metric, data?.value, data?.used]) };
  const sums = await new BedrockTokenSource(client, names, log).readTokenSums(['us.x'], T0, T0 + HOUR_MS, HOUR_MS);
  expect(sums.get('us.x')?.get(T0)).toEqual({ inputTokens: 0, cacheReadInputTokens: 0, cacheWriteInputTokens: 3, outputTokens: 10 });
  expect(warnings).toEqual([
    ['odd token datapoint from AWS/Bedrock; using a clean value', 'InputTokenCount', 'NaN', 0],
    ['odd token datapoint from AWS/Bedrock; using a clean value', 'CacheReadInputTokenCount', '-50', 0],
    ['odd token datapoint from AWS/Bedrock; using a clean value', 'CacheWriteInputTokenCount', '2.6', 3],
  ]);
});

/** A stub answering ListMetrics from `listed` (metric name → model ids) and GetMetricData from `value(metricName, modelId)`. */
function spellingStub(listed: Record<string, string[]>, value: (metricName: string, modelId: string) => number | undefined) {
  const asked: string[] = [];
  const client = {
    send: async (cmd: { input: Record<string, unknown> }) => {
      const input = cmd.input as {
        MetricName?: string;
        MetricDataQueries?: { Id: string; MetricStat: { Metric: { MetricName: string; Dimensions: { Value: string }[] } } }[];
      };
      if (input.MetricDataQueries === undefined) {
        return {
          Metrics: (listed[input.MetricName ?? ''] ?? []).map((id) => ({
            MetricName: input.MetricName,
            Dimensions: [{ Name: 'ModelId', Value: id }],
          })),
        };
      }
      return {
        MetricDataResults: input.MetricDataQueries.flatMap((q) => {
          const metric = q.MetricStat.Metric;
          asked.push(`${metric.MetricName}|${metric.Dimensions[0].Value}`);
          const v = value(metric.MetricName, metric.Dimensions[0].Value);
          return v === undefined ? [] : [{ Id: q.Id, Timestamps: [new Date(T0)], Values: [v] }];
        }),
      };
    },
  };
  return { client: client as unknown as CloudWatchClient, asked };
}
const quiet: RunLog = { info: () => undefined, warn: () => undefined };

describe('both spellings of the cache metrics (the name AWS/Bedrock uses is UNCONFIRMED)', () => {
  test('a model listed under the other spelling is read under that spelling only', async () => {
    const listed = {
      InputTokenCount: ['eu.m'],
      OutputTokenCount: ['eu.m'],
      CacheReadInputTokens: ['eu.m'],
      CacheWriteInputTokens: ['eu.m'],
    };
    const { client, asked } = spellingStub(
      listed,
      (name) => ({ InputTokenCount: 10, OutputTokenCount: 20, CacheReadInputTokens: 300, CacheWriteInputTokens: 4000 })[name],
    );
    const source = new BedrockTokenSource(client, unpinned, quiet);
    expect(await source.discoverModelIds()).toEqual(['eu.m']);
    const sums = await source.readTokenSums(['eu.m'], T0, T0 + HOUR_MS, HOUR_MS);
    expect(asked).toEqual(['InputTokenCount|eu.m', 'CacheReadInputTokens|eu.m', 'CacheWriteInputTokens|eu.m', 'OutputTokenCount|eu.m']);
    expect(sums.get('eu.m')?.get(T0)).toEqual({
      inputTokens: 10,
      cacheReadInputTokens: 300,
      cacheWriteInputTokens: 4000,
      outputTokens: 20,
    });
  });

  test('a model listed under both spellings is read under both and counted once (the larger Sum)', async () => {
    const both = ['us.m'];
    const listed = {
      InputTokenCount: both,
      CacheReadInputTokenCount: both,
      CacheReadInputTokens: both,
      CacheWriteInputTokenCount: both,
      CacheWriteInputTokens: both,
    };
    const { client, asked } = spellingStub(
      listed,
      (name) =>
        ({
          InputTokenCount: 1,
          CacheReadInputTokenCount: 500,
          CacheReadInputTokens: 500,
          CacheWriteInputTokenCount: 70,
          CacheWriteInputTokens: 69,
        })[name],
    );
    const source = new BedrockTokenSource(client, unpinned, quiet);
    await source.discoverModelIds();
    const sums = await source.readTokenSums(['us.m'], T0, T0 + HOUR_MS, HOUR_MS);
    expect(asked).toHaveLength(6);
    expect(sums.get('us.m')?.get(T0)).toEqual({ inputTokens: 1, cacheReadInputTokens: 500, cacheWriteInputTokens: 70, outputTokens: 0 });
  });

  test('a configured model ListMetrics does not show (no traffic yet, or a metric too new to be listed) is read under every spelling', async () => {
    const { client, asked } = spellingStub({}, (name) => (name === 'CacheWriteInputTokens' ? 2048 : undefined));
    const source = new BedrockTokenSource(client, unpinned, quiet);
    expect(await source.discoverModelIds()).toEqual([]);
    const sums = await source.readTokenSums(['new.m'], T0, T0 + HOUR_MS, HOUR_MS);
    expect(asked).toEqual([
      'InputTokenCount|new.m',
      'CacheReadInputTokenCount|new.m',
      'CacheReadInputTokens|new.m',
      'CacheWriteInputTokenCount|new.m',
      'CacheWriteInputTokens|new.m',
      'OutputTokenCount|new.m',
    ]);
    expect(sums.get('new.m')?.get(T0)).toEqual({ inputTokens: 0, cacheReadInputTokens: 0, cacheWriteInputTokens: 2048, outputTokens: 0 });
  });

  test('a pinned name is the only one listed and read', async () => {
    const listed = { CacheReadInputTokens: ['x.m'], CacheReadInputTokenCount: ['x.m'] };
    const { client, asked } = spellingStub(listed, () => 5);
    const pinned = parseConfig(
      { bedrockMetricNames: { cacheReadInputTokens: 'CacheReadInputTokens', cacheWriteInputTokens: 'CacheWriteInputTokens' } },
      'x',
    ).bedrockMetricNames;
    const source = new BedrockTokenSource(client, pinned, quiet);
    await source.discoverModelIds();
    await source.readTokenSums(['x.m'], T0, T0 + HOUR_MS, HOUR_MS);
    expect(asked).toEqual(['InputTokenCount|x.m', 'CacheReadInputTokens|x.m', 'CacheWriteInputTokens|x.m', 'OutputTokenCount|x.m']);
  });
});
