/**
 * The Bedrock token reader's request shape and its handling of odd datapoints, with a stub client (no network):
 * GetMetricData batches of at most 500 queries, NextToken followed, NaN / negative / fractional values cleaned and logged.
 */
import type { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { parseConfig } from '../../lambda/core/config';
import { HOUR_MS } from '../../lambda/core/periods';
import type { RunLog } from '../../lambda/core/publish-run';
import { BedrockTokenSource } from '../../lambda/aws/bedrock-token-source';

const T0 = Date.UTC(2026, 10, 25, 0);
const names = parseConfig({}, 'x').bedrockMetricNames;

function stub(values: (id: string) => number[]) {
  const calls: { queries: number; nextToken?: string }[] = [];
  const client = {
    send: async (cmd: GetMetricDataCommand) => {
      const input = cmd.input;
      calls.push({ queries: input.MetricDataQueries?.length ?? 0, ...(input.NextToken ? { nextToken: input.NextToken } : {}) });
      // The first page of each batch asks for a second one.
      const first = input.NextToken === undefined;
      return {
        MetricDataResults: first ? (input.MetricDataQueries ?? []).map((q) => ({ Id: q.Id, Timestamps: [new Date(T0)], Values: values(q.Id as string) })) : [],
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
