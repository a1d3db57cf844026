/**
 * The request shapes of doctor's cross-account reads, with stub clients (pure unit tests of the adapter; the CLI runs
 * them against moto in test/cli/doctor-targets.test.ts): ListMetrics with IncludeLinkedAccounts and OwningAccount on
 * every page (moto ignores both), the stack's DescribeStacks and every ListStackResources page by stack name (moto
 * lists AWS::Oam::* resources blank), and GetCallerIdentity.
 */
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { STSClient } from '@aws-sdk/client-sts';
import { callerAccount, linkedSeries, oamStack } from '../../lambda/aws/doctor-oam-probe';

interface Sent {
  readonly command: string;
  readonly input: object;
}

/** A client whose `send` records each command and answers from `answer` (an Error is thrown). */
function stub<C>(answer: (command: string, input: Record<string, unknown>) => object | Error): { client: C; sent: Sent[] } {
  const sent: Sent[] = [];
  const client = {
    send: async (cmd: { constructor: { name: string }; input: Record<string, unknown> }) => {
      const command = cmd.constructor.name;
      sent.push({ command, input: cmd.input });
      const out = answer(command, cmd.input);
      if (out instanceof Error) throw out;
      return out;
    },
  } as unknown as C;
  return { client, sent };
}

describe('linkedSeries', () => {
  test('ListMetrics of the namespace with IncludeLinkedAccounts and OwningAccount, every page; counts series and names', async () => {
    const { client, sent } = stub<CloudWatchClient>((_c, input) =>
      input.NextToken === undefined
        ? {
            Metrics: [
              { Namespace: 'BedrockPromptCache', MetricName: 'PublishedPeriods', Dimensions: [] },
              { Namespace: 'BedrockPromptCache', MetricName: 'CacheHitRatio', Dimensions: [{ Name: 'ModelId', Value: 'm1' }] },
            ],
            NextToken: 't2',
          }
        : { Metrics: [{ Namespace: 'BedrockPromptCache', MetricName: 'CacheHitRatio', Dimensions: [{ Name: 'ModelId', Value: 'm2' }] }] },
    );
    expect(await linkedSeries(client, 'BedrockPromptCache', '620987654321')).toEqual({
      series: 3,
      metricNames: ['CacheHitRatio', 'PublishedPeriods'],
    });
    expect(sent).toEqual([
      {
        command: 'ListMetricsCommand',
        input: { Namespace: 'BedrockPromptCache', IncludeLinkedAccounts: true, OwningAccount: '620987654321', NextToken: undefined },
      },
      {
        command: 'ListMetricsCommand',
        input: { Namespace: 'BedrockPromptCache', IncludeLinkedAccounts: true, OwningAccount: '620987654321', NextToken: 't2' },
      },
    ]);
  });

  test("where the page names each metric's owning account, only the target's count", async () => {
    const { client } = stub<CloudWatchClient>(() => ({
      Metrics: [
        { MetricName: 'PublishedPeriods', Dimensions: [] },
        { MetricName: 'LostPeriods', Dimensions: [] },
        { MetricName: 'CacheHitRatio', Dimensions: [] },
      ],
      OwningAccounts: ['620987654321', '610987654321', '620987654321'],
    }));
    expect(await linkedSeries(client, 'BedrockPromptCache', '620987654321')).toEqual({
      series: 2,
      metricNames: ['CacheHitRatio', 'PublishedPeriods'],
    });
  });

  test('none: zero series', async () => {
    const { client } = stub<CloudWatchClient>(() => ({ Metrics: [] }));
    expect(await linkedSeries(client, 'N', '620987654321')).toEqual({ series: 0, metricNames: [] });
  });
});

describe('oamStack', () => {
  const summary = (logical: string, type: string, status: string, physical?: string, reason?: string) => ({
    LogicalResourceId: logical,
    ResourceType: type,
    ResourceStatus: status,
    ...(physical ? { PhysicalResourceId: physical } : {}),
    ...(reason ? { ResourceStatusReason: reason } : {}),
  });

  test('DescribeStacks, then ListStackResources by stack name, every page; keeps the resources of the type asked, sorted', async () => {
    const { client, sent } = stub<CloudFormationClient>((command, input) => {
      if (command === 'GetTemplateCommand')
        return {
          TemplateBody: JSON.stringify({
            Resources: {
              LinkA: { Type: 'AWS::Oam::Link', Properties: { SinkIdentifier: 'arn:aws:oam:ca-central-1:610987654321:sink/s' } },
            },
          }),
        };
      if (command === 'DescribeStacksCommand')
        return {
          Stacks: [
            {
              StackName: 'P-620987654321-ca-central-1',
              StackStatus: 'UPDATE_COMPLETE',
              Outputs: [{ OutputKey: 'LedgerTableName', OutputValue: 'L' }, { OutputKey: 'NoValue' }],
            },
          ],
        };
      return input.NextToken === undefined
        ? {
            StackResourceSummaries: [
              summary('Topic', 'AWS::SNS::Topic', 'CREATE_COMPLETE', 'arn:aws:sns:ca-central-1:620987654321:t'),
              summary('LinkZ', 'AWS::Oam::Link', 'UPDATE_FAILED', undefined, 'denied'),
            ],
            NextToken: 'p2',
          }
        : {
            StackResourceSummaries: [
              summary('LinkA', 'AWS::Oam::Link', 'CREATE_COMPLETE', 'arn:aws:oam:ca-central-1:620987654321:link/abc'),
            ],
          };
    });
    expect(await oamStack(client, 'P-620987654321-ca-central-1', 'AWS::Oam::Link')).toEqual({
      exists: true,
      status: 'UPDATE_COMPLETE',
      outputs: { LedgerTableName: 'L' },
      resources: [
        {
          logicalId: 'LinkA',
          physicalId: 'arn:aws:oam:ca-central-1:620987654321:link/abc',
          status: 'CREATE_COMPLETE',
          sinkIdentifier: 'arn:aws:oam:ca-central-1:610987654321:sink/s',
        },
        { logicalId: 'LinkZ', status: 'UPDATE_FAILED', reason: 'denied' },
      ],
    });
    expect(sent).toEqual([
      { command: 'DescribeStacksCommand', input: { StackName: 'P-620987654321-ca-central-1' } },
      { command: 'ListStackResourcesCommand', input: { StackName: 'P-620987654321-ca-central-1', NextToken: undefined } },
      { command: 'ListStackResourcesCommand', input: { StackName: 'P-620987654321-ca-central-1', NextToken: 'p2' } },
      { command: 'GetTemplateCommand', input: { StackName: 'P-620987654321-ca-central-1', TemplateStage: 'Original' } },
    ]);
  });

  test('a stack that does not exist (ValidationError): exists false, nothing more asked', async () => {
    const missing = Object.assign(new Error('Stack with id P-Rollup does not exist'), { name: 'ValidationError' });
    const { client, sent } = stub<CloudFormationClient>(() => missing);
    expect(await oamStack(client, 'P-Rollup', 'AWS::Oam::Sink')).toEqual({ exists: false });
    expect(sent.map((s) => s.command)).toEqual(['DescribeStacksCommand']);
  });

  test('any other error goes up', async () => {
    const denied = Object.assign(new Error('not authorized to perform: cloudformation:DescribeStacks'), { name: 'AccessDenied' });
    const { client } = stub<CloudFormationClient>(() => denied);
    await expect(oamStack(client, 'P-Rollup', 'AWS::Oam::Sink')).rejects.toThrow(
      'not authorized to perform: cloudformation:DescribeStacks',
    );
  });
});

test('callerAccount: GetCallerIdentity, its Account', async () => {
  const { client, sent } = stub<STSClient>(() => ({ Account: '610987654321', Arn: 'arn:aws:iam::610987654321:user/ops' }));
  expect(await callerAccount(client)).toBe('610987654321');
  expect(sent).toEqual([{ command: 'GetCallerIdentityCommand', input: {} }]);
});
