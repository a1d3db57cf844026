/**
 * readDailyUsage reading a linked source account from the monitoring account: the request shape, with a stub client
 * (no network). With `account`, ListMetrics asks with IncludeLinkedAccounts and OwningAccount and every MetricStat
 * query carries AccountId; a listed metric of another owner is left out; without it, the requests are as ever.
 */
import { GetMetricDataCommand, ListMetricsCommand, type CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { parseConfig } from '../../lambda/core/config';
import { DAY_MS } from '../../lambda/core/periods';
import type { RunLog } from '../../lambda/core/publish-run';
import { reviewWindows } from '../../lambda/core/weekly';
import { readDailyUsage } from '../../lambda/aws/weekly-source';

const SOURCE = '222222222222';
const OTHER = '333333333333';
const END = Date.UTC(2026, 10, 30);
const quiet: RunLog = { info: () => undefined, warn: () => undefined };
/** One spelling per kind: one ListMetrics and one query per kind and model. */
const config = parseConfig(
  {
    models: [{ modelId: 'us.configured' }],
    bedrockMetricNames: { cacheReadInputTokens: 'CacheReadInputTokenCount', cacheWriteInputTokens: 'CacheWriteInputTokenCount' },
  },
  'test',
);

function stub() {
  const lists: ListMetricsCommand['input'][] = [];
  const reads: GetMetricDataCommand['input'][] = [];
  const client = {
    send: async (cmd: ListMetricsCommand | GetMetricDataCommand) => {
      if (cmd instanceof ListMetricsCommand) {
        lists.push(cmd.input);
        // The asked account's model, and one of another account (a monitoring account sees every linked one).
        const linked = cmd.input.IncludeLinkedAccounts === true;
        return {
          Metrics: [
            { Namespace: 'AWS/Bedrock', MetricName: cmd.input.MetricName, Dimensions: [{ Name: 'ModelId', Value: 'us.listed' }] },
            ...(linked
              ? [{ Namespace: 'AWS/Bedrock', MetricName: cmd.input.MetricName, Dimensions: [{ Name: 'ModelId', Value: 'us.other' }] }]
              : []),
          ],
          ...(linked ? { OwningAccounts: [SOURCE, OTHER] } : {}),
        };
      }
      reads.push(cmd.input);
      return {
        MetricDataResults: (cmd.input.MetricDataQueries ?? []).map((q) => ({
          Id: q.Id,
          Timestamps: [new Date(END - DAY_MS)],
          Values: [q.MetricStat?.Metric?.Dimensions?.[0]?.Value === 'us.listed' ? 7 : 0],
        })),
      };
    },
  };
  return { client: client as unknown as CloudWatchClient, lists, reads };
}

const windows = reviewWindows(END, 7);
const NAMES = ['InputTokenCount', 'CacheReadInputTokenCount', 'CacheWriteInputTokenCount', 'OutputTokenCount'];

test('with an account: ListMetrics with IncludeLinkedAccounts and OwningAccount, every query with AccountId', async () => {
  const { client, lists, reads } = stub();
  const read = await readDailyUsage(client, config, windows, quiet, undefined, undefined, SOURCE);
  expect(lists).toEqual(
    NAMES.map((MetricName) => ({
      Namespace: 'AWS/Bedrock',
      MetricName,
      Dimensions: [{ Name: 'ModelId' }],
      NextToken: undefined,
      IncludeLinkedAccounts: true,
      OwningAccount: SOURCE,
    })),
  );
  // Another owner's metric in the answer is not the asked account's: left out.
  expect(read.modelIds).toEqual(['us.configured', 'us.listed']);
  expect(reads).toHaveLength(1);
  const queries = reads[0].MetricDataQueries ?? [];
  expect(queries.map((q) => [q.Id, q.AccountId, q.MetricStat?.Metric?.MetricName, q.MetricStat?.Metric?.Dimensions?.[0]?.Value])).toEqual([
    ...NAMES.map((n, i) => [`q${i}`, SOURCE, n, 'us.configured']),
    ...NAMES.map((n, i) => [`q${i + 4}`, SOURCE, n, 'us.listed']),
  ]);
  // The configured model is read too (its Sums 0 here), then the listed one.
  expect(read.daily.map((d) => [d.modelId, d.dayStartMs, d.tokens.inputTokens, d.tokens.outputTokens])).toEqual([
    ['us.configured', END - DAY_MS, 0, 0],
    ['us.listed', END - DAY_MS, 7, 7],
  ]);
});

test('without an account: the requests as ever (no IncludeLinkedAccounts, OwningAccount or AccountId)', async () => {
  const { client, lists, reads } = stub();
  const read = await readDailyUsage(client, config, windows, quiet);
  expect(lists).toEqual(
    NAMES.map((MetricName) => ({ Namespace: 'AWS/Bedrock', MetricName, Dimensions: [{ Name: 'ModelId' }], NextToken: undefined })),
  );
  expect(read.modelIds).toEqual(['us.configured', 'us.listed']);
  const queries = reads[0].MetricDataQueries ?? [];
  expect(queries.map((q) => Object.keys(q).sort())).toEqual(Array.from({ length: 8 }, () => ['Id', 'MetricStat', 'ReturnData']));
  expect(reads.map((r) => Object.keys(r).sort())).toEqual([['EndTime', 'MetricDataQueries', 'NextToken', 'ScanBy', 'StartTime']]);
});
