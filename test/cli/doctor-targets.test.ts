/**
 * `prompt-cache doctor` for many accounts against moto, in-process with real SDK clients: in a target account
 * (`--region R` with `targets` in the config: the caller's target, its stack name, oam-link) and in the monitoring
 * account (`--targets`: oam-sink, target-metrics-visible). Each account is a moto account of its own (the CLI's
 * doctorClients hand out a client per account, as test/support/oam-stack.ts makes them): 610987654321 is the
 * monitoring account, 620987654321 a target, both in ca-central-1, which no other test uses in these accounts.
 *
 * What moto cannot show, and what stands in: moto ignores ListMetrics' IncludeLinkedAccounts and OwningAccount (it lists
 * the caller's own series), so the target's series are seeded in the target's moto account and read with a client of
 * that account (the request shape is asserted with a stub in test/aws/doctor-oam-probe.test.ts); moto has no OAM, so
 * its CloudFormation lists the AWS::Oam::Link/Sink of a stack blank and the test's CloudFormation client fills the
 * blanks from the template (listingOamResources), and a sink stack's SinkArn output is a literal. STS
 * GetCallerIdentity, the stacks, their outputs, a stack without the link and ListMetrics are moto's.
 */
import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main, type CliDeps } from '../../bin/prompt-cache';
import { HOUR_MS } from '../../lambda/core/periods';
import { inMotoAccount } from '../support/cost-explorer-seed';
import { createOamStack, doctorClientsIn } from '../support/oam-stack';

const REGION = 'ca-central-1';
const MON = '610987654321';
const TARGET = '620987654321';
const SINK = 'arn:aws:oam:ca-central-1:610987654321:sink/5e1f0c3a-7b2d-4c1e-9a8b-2f3d4e5a6b7c';
const OLD_SINK = 'arn:aws:oam:ca-central-1:610987654321:sink/0ld00000-0000-4000-8000-000000000000';
const SONNET = 'us.anthropic.claude-3-7-sonnet-20250219-v1:0';
const NOW = Math.floor(Date.now() / HOUR_MS) * HOUR_MS;
const dir = mkdtempSync(join(tmpdir(), 'prompt-cache-doctor-targets-'));

function configFile(config: object): string {
  const file = join(dir, `${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify(config));
  return file;
}

const fleet = (sinks: Record<string, string> = { [REGION]: SINK }, more: object = {}) =>
  configFile({
    monitoring: { account: MON, region: REGION, sinks },
    targets: [
      { account: TARGET, region: REGION },
      { account: MON, region: REGION },
    ],
    ...more,
  });

/** Doctor as `account` (every client in its moto account), or with --targets each account's client in its own. */
function as(account: string): CliDeps {
  return {
    doctorClients: (region, read) => doctorClientsIn(region, read ?? account),
    doctor: { profiles: { lookup: async () => new Map() }, clock: () => NOW, sleep: async () => undefined },
  };
}

async function run(argv: string[], d: CliDeps) {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: (x) => (stdout += x), stderr: (x) => (stderr += x) }, d);
  return { code, stdout, stderr };
}

interface JsonCheck {
  id: string;
  status: string;
  summary: string;
  fix: string | null;
  details: Record<string, unknown>;
}

const topic = { Type: 'AWS::SNS::Topic' };
const linkResource = {
  Type: 'AWS::Oam::Link',
  Properties: {
    SinkIdentifier: SINK,
    ResourceTypes: ['AWS::CloudWatch::Metric'],
    LabelTemplate: '$AccountName',
    LinkConfiguration: { MetricConfiguration: { Filter: "Namespace IN ('BedrockPromptCache', 'AWS/Bedrock')" } },
  },
};
const sinkResource = { Type: 'AWS::Oam::Sink', Properties: { Name: 'prompt-cache' } };

beforeAll(async () => {
  // The target account: a stack with its link, one deployed before the sink ARN was set (no link); its publisher's series.
  await createOamStack(TARGET, REGION, `Fleet-${TARGET}-${REGION}`, { Topic: topic, LinkLink6A8B0C2D: linkResource });
  await createOamStack(TARGET, REGION, `Bare-${TARGET}-${REGION}`, { Topic: topic });
  const cw = inMotoAccount(new CloudWatchClient({ region: REGION }), TARGET);
  await cw.send(
    new PutMetricDataCommand({
      Namespace: 'BedrockPromptCache',
      MetricData: [
        { MetricName: 'PublishedPeriods', Value: 1, Timestamp: new Date(NOW - HOUR_MS) },
        { MetricName: 'CacheHitRatio', Value: 80, Dimensions: [{ Name: 'ModelId', Value: SONNET }], Timestamp: new Date(NOW - HOUR_MS) },
        { MetricName: 'NetSavingsUSD', Value: 0.25, Dimensions: [{ Name: 'ModelId', Value: SONNET }], Timestamp: new Date(NOW - HOUR_MS) },
      ],
    }),
  );
  cw.destroy();
  // The monitoring account: the roll-up with the sink of its region (its own target has published nothing).
  await createOamStack(MON, REGION, 'Fleet-Rollup', { SinkSinkD1E2F3A4: sinkResource }, { SinkSinkArn3C4C7330: SINK });
});

describe('in a target account: doctor --region R with targets in the config', () => {
  test("the caller's target: its stack name, its link CREATE_COMPLETE (exit 0)", async () => {
    const out = await run(['doctor', '--region', REGION, '--config', fleet(), '--stack', 'Fleet', '--format', 'json'], as(TARGET));
    expect([out.code, out.stderr]).toEqual([0, '']);
    const report = JSON.parse(out.stdout) as { region: string; target: object; checks: JsonCheck[] };
    expect([report.region, report.target]).toEqual([REGION, { account: TARGET, region: REGION, stackName: `Fleet-${TARGET}-${REGION}` }]);
    expect(report.checks.map((c) => [c.id, c.status])).toEqual([
      ['bedrock-metric-names', 'warn'],
      ['all-models-series', 'skip'],
      ['models-unconfigured', 'pass'],
      ['models-unpriced', 'pass'],
      ['inference-profiles', 'skip'],
      ['stack-alarms', 'pass'],
      ['publisher-freshness', 'skip'],
      ['notification-delivery', 'skip'],
      ['oam-link', 'pass'],
    ]);
    expect(report.checks[5].summary).toBe(
      `stack Fleet-${TARGET}-${REGION} (CREATE_COMPLETE): 0 alarms (0 Metrics Insights): 0 OK, 0 ALARM, 0 INSUFFICIENT_DATA; 0 of the default 200 Metrics Insights alarms in use in ${REGION}`,
    );
    expect(report.checks[8]).toEqual({
      id: 'oam-link',
      status: 'pass',
      summary: `the link LinkLink6A8B0C2D of stack Fleet-${TARGET}-${REGION} is CREATE_COMPLETE; monitoring.sinks.${REGION} is ${SINK}`,
      fix: null,
      details: {
        account: TARGET,
        region: REGION,
        stack: `Fleet-${TARGET}-${REGION}`,
        monitoringAccount: MON,
        sinkArn: SINK,
        exists: true,
        links: [{ logicalId: 'LinkLink6A8B0C2D', arn: null, status: 'CREATE_COMPLETE', reason: null, sink: SINK }],
      },
    });
  });

  test('a stack deployed before the sink ARN was set has no link: fail (exit 1), text', async () => {
    const out = await run(['doctor', '--region', REGION, '--config', fleet(), '--stack', 'Bare'], as(TARGET));
    expect([out.code, out.stderr]).toEqual([1, '']);
    expect(out.stdout.split('\n').slice(-3)).toEqual([
      `FAIL  oam-link  stack Bare-${TARGET}-${REGION} (CREATE_COMPLETE) has no AWS::Oam::Link resource: deployed before monitoring.sinks.${REGION} was set`,
      `      fix: Redeploy it with the sink ARN in the config: npx cdk deploy Bare-${TARGET}-${REGION}.`,
      '',
    ]);
  });

  test('no sink ARN for the region yet: warn with the set-up step', async () => {
    const out = await run(['doctor', '--region', REGION, '--config', fleet({}), '--stack', 'Fleet', '--format', 'json'], as(TARGET));
    const link = (JSON.parse(out.stdout) as { checks: JsonCheck[] }).checks[8];
    expect([out.code, link.id, link.status, link.summary, link.fix]).toEqual([
      0,
      'oam-link',
      'warn',
      `no sink ARN for ${REGION} in monitoring.sinks: stack Fleet-${TARGET}-${REGION} is built without a link, so the monitoring account sees none of its metrics`,
      `Set-up step (README "Many accounts and regions"): deploy the monitoring account's Fleet-Rollup (in ${MON}: npx cdk deploy Fleet-Rollup), copy its SinkArn output into monitoring.sinks.${REGION} in the config, then redeploy this target (npx cdk deploy Fleet-${TARGET}-${REGION}).`,
    ]);
  });

  test("the monitoring account's own target: oam-link skips", async () => {
    const out = await run(['doctor', '--region', REGION, '--config', fleet(), '--stack', 'Fleet', '--format', 'json'], as(MON));
    const report = JSON.parse(out.stdout) as { target: object; checks: JsonCheck[] };
    expect([report.target, report.checks[5].details.stack, report.checks[8].status, report.checks[8].summary]).toEqual([
      { account: MON, region: REGION, stackName: `Fleet-${MON}-${REGION}` },
      `Fleet-${MON}-${REGION}`,
      'skip',
      `account ${MON} is the monitoring account: its metrics are there already, no link`,
    ]);
  });

  test('an account with no target in the region: exit 2, one line', async () => {
    const only = configFile({ monitoring: { account: MON, region: REGION }, targets: [{ account: MON, region: REGION }] });
    expect(await run(['doctor', '--region', REGION, '--config', only], as(TARGET))).toEqual({
      code: 2,
      stdout: '',
      stderr: `error: --region: the config's targets have none in ${REGION} for account ${TARGET} (these credentials'; targets in ${REGION}: ${MON}); run doctor with a target account's credentials, or check --region and --config\n`,
    });
  });
});

describe('in the monitoring account: doctor --targets', () => {
  test("the sink of the region is the configured one; the target's series are visible, the own target's not (exit 1, exact JSON)", async () => {
    const out = await run(['doctor', '--targets', '--config', fleet(), '--stack', 'Fleet', '--format', 'json'], as(MON));
    expect([out.code, out.stderr]).toEqual([1, '']);
    expect(JSON.parse(out.stdout)).toEqual({
      region: REGION,
      targets: [
        { account: TARGET, region: REGION, stackName: `Fleet-${TARGET}-${REGION}` },
        { account: MON, region: REGION, stackName: `Fleet-${MON}-${REGION}` },
      ],
      checks: [
        {
          id: 'oam-sink',
          status: 'pass',
          summary: `${REGION}: the sink of stack Fleet-Rollup is CREATE_COMPLETE and is monitoring.sinks.${REGION} (${SINK}); account ${TARGET} may link`,
          fix: null,
          details: {
            account: MON,
            region: REGION,
            stack: 'Fleet-Rollup',
            linkedAccounts: [TARGET],
            configuredSinkArn: SINK,
            exists: true,
            sinks: [{ logicalId: 'SinkSinkD1E2F3A4', arn: null, status: 'CREATE_COMPLETE', reason: null }],
            sinkArn: SINK,
          },
        },
        {
          id: 'target-metrics-visible',
          status: 'pass',
          summary: `${TARGET} ${REGION}: 3 BedrockPromptCache series visible in the monitoring account (CacheHitRatio, NetSavingsUSD, PublishedPeriods)`,
          fix: null,
          details: {
            account: TARGET,
            region: REGION,
            stack: `Fleet-${TARGET}-${REGION}`,
            namespace: 'BedrockPromptCache',
            series: 3,
            metricNames: ['CacheHitRatio', 'NetSavingsUSD', 'PublishedPeriods'],
          },
        },
        {
          id: 'target-metrics-visible',
          status: 'fail',
          summary: `${MON} ${REGION}: no BedrockPromptCache series in the monitoring account's own target: its publisher has sent nothing yet`,
          fix: `Deploy it (npx cdk deploy Fleet-${MON}-${REGION}) and see publisher-freshness of doctor --region ${REGION} in this account.`,
          details: {
            account: MON,
            region: REGION,
            stack: `Fleet-${MON}-${REGION}`,
            namespace: 'BedrockPromptCache',
            series: 0,
            metricNames: [],
          },
        },
      ],
    });
  });

  test('a sink ARN in the config that is not the stack output: fail, the fix names the value to set (text)', async () => {
    const cfg = fleet({ [REGION]: OLD_SINK }, { targets: [{ account: TARGET, region: REGION }] });
    const out = await run(['doctor', '--targets', '--config', cfg, '--stack', 'Fleet'], as(MON));
    expect(out).toEqual({
      code: 1,
      stderr: '',
      stdout: [
        `FAIL  oam-sink  ${REGION}: monitoring.sinks.${REGION} is ${OLD_SINK}, but stack Fleet-Rollup's SinkArn is ${SINK}: the targets link to another sink, or fail to`,
        `      fix: Set monitoring.sinks.${REGION} to "${SINK}" in the config, then deploy the targets of ${REGION} (npx cdk deploy Fleet-${TARGET}-${REGION}): their links move to this sink.`,
        `PASS  target-metrics-visible  ${TARGET} ${REGION}: 3 BedrockPromptCache series visible in the monitoring account (CacheHitRatio, NetSavingsUSD, PublishedPeriods)`,
        '',
      ].join('\n'),
    });
  });

  test('no roll-up under that stack name: oam-sink fails', async () => {
    const out = await run(['doctor', '--targets', '--config', fleet(), '--stack', 'Other', '--format', 'json'], as(MON));
    const sink = (JSON.parse(out.stdout) as { checks: JsonCheck[] }).checks[0];
    expect([out.code, sink.status, sink.summary]).toEqual([
      1,
      'fail',
      `${REGION}: stack Other-Rollup not found in the monitoring account ${MON}: no sink for ${TARGET} to link to`,
    ]);
  });

  test.each<[string, string[], () => string, string]>([
    [
      'with --region',
      ['--region', REGION],
      () => fleet(),
      'error: --targets goes without --region: it checks every region that has targets, from the monitoring account (in a target account, run --region R for its target)\n',
    ],
    [
      'without monitoring in the config',
      [],
      () => configFile({ targets: [{ account: TARGET, region: REGION }] }),
      'error: --targets needs `targets` and `monitoring` in the config (it has no `monitoring`); see README "Many accounts and regions", or run doctor --region R for one account\n',
    ],
    [
      'without targets or monitoring',
      [],
      () => configFile({}),
      'error: --targets needs `targets` and `monitoring` in the config (it has neither); see README "Many accounts and regions", or run doctor --region R for one account\n',
    ],
    [
      'with --test-notification',
      ['--test-notification'],
      () => fleet(),
      'error: --test-notification goes with --region R (one target, in its account), not with --targets\n',
    ],
  ])('bad input %s: exit 2, one line', async (_name, more, cfg, stderr) => {
    expect(await run(['doctor', '--targets', '--config', cfg(), ...more], as(MON))).toEqual({ code: 2, stdout: '', stderr });
  });

  test("a target account's credentials: exit 2, one line", async () => {
    expect(
      await run(['doctor', '--targets', '--config', fleet()], { ...as(MON), doctorClients: (r) => doctorClientsIn(r, TARGET) }),
    ).toEqual({
      code: 2,
      stdout: '',
      stderr: `error: --targets: these credentials are of account ${TARGET}, not of the monitoring account ${MON} (monitoring.account); run it with the monitoring account's credentials\n`,
    });
  });
});
