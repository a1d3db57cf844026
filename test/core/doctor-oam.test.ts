/** doctor's cross-account checks, table-driven on plain observations (no AWS, no mocks): oam-link, oam-sink, target-metrics-visible. */
import { parseConfig, type ConfigInput } from '../../lambda/core/config';
import { doctorExitCode, renderDoctorText, type Check } from '../../lambda/core/doctor';
import {
  findTarget,
  oamLinkCheck,
  runTargetChecks,
  sinkArnOutput,
  targetRegions,
  withOamLink,
  type OamLinkObservation,
  type OamStackObservation,
  type SinkObservation,
  type StackResourceState,
  type TargetRef,
} from '../../lambda/core/doctor-oam';

const MON = '111111111111';
const A = '222222222222';
const B = '333333333333';
const SINK_US = 'arn:aws:oam:us-east-1:111111111111:sink/aaaa-1111';
const SINK_EU = 'arn:aws:oam:eu-west-1:111111111111:sink/bbbb-2222';
const LINK_ARN = 'arn:aws:oam:us-east-1:222222222222:link/cccc-3333';

function config(sinks: Record<string, string> = { 'us-east-1': SINK_US }, more: Partial<ConfigInput> = {}) {
  return parseConfig(
    {
      monitoring: { account: MON, region: 'us-east-1', sinks },
      targets: [
        { account: A, region: 'us-east-1' },
        { account: A, region: 'eu-west-1' },
        { account: MON, region: 'us-east-1' },
        { account: B, region: 'us-east-1', stackName: 'TeamB' },
      ],
      ...more,
    },
    'test',
  );
}

const stackWith = (resources: StackResourceState[], outputs: Record<string, string> = {}): OamStackObservation => ({
  exists: true,
  status: 'UPDATE_COMPLETE',
  outputs,
  resources,
});
const link = (status: string, reason?: string): StackResourceState => ({
  logicalId: 'LinkLink0A1B2C3D',
  physicalId: LINK_ARN,
  status,
  ...(reason ? { reason } : {}),
});
const TARGET_A: TargetRef = { account: A, region: 'us-east-1', stackName: 'P-222222222222-us-east-1' };
const linkObs = (stack: OamStackObservation, target: TargetRef = TARGET_A): OamLinkObservation => ({
  target,
  sinkStackName: 'P-Rollup',
  stack,
});

describe('oam-link', () => {
  const monitoring = config().monitoring;
  const cases: [string, Parameters<typeof oamLinkCheck>[0], OamLinkObservation, Check['status'], string, string | null][] = [
    [
      'no monitoring: skip',
      undefined,
      linkObs(stackWith([])),
      'skip',
      'no `monitoring` in the config: no cross-account link to check',
      null,
    ],
    [
      'the monitoring account itself: skip',
      monitoring,
      linkObs(stackWith([]), { account: MON, region: 'us-east-1', stackName: 'P-111111111111-us-east-1' }),
      'skip',
      'account 111111111111 is the monitoring account: its metrics are there already, no link',
      null,
    ],
    [
      'no sink ARN for the region yet: warn with the set-up step',
      config({}).monitoring,
      linkObs(stackWith([])),
      'warn',
      'no sink ARN for us-east-1 in monitoring.sinks: stack P-222222222222-us-east-1 is built without a link, so the monitoring account sees none of its metrics',
      `Set-up step (README "Many accounts and regions"): deploy the monitoring account's P-Rollup (in 111111111111: npx cdk deploy P-Rollup), copy its SinkArn output into monitoring.sinks.us-east-1 in the config, then redeploy this target (npx cdk deploy P-222222222222-us-east-1).`,
    ],
    [
      'no stack: fail',
      monitoring,
      linkObs({ exists: false }),
      'fail',
      'stack P-222222222222-us-east-1 not found in us-east-1: no link',
      `Deploy it with npx cdk deploy P-222222222222-us-east-1 (monitoring.sinks.us-east-1 is set, so it links to ${SINK_US}), or check --region and --stack.`,
    ],
    [
      'a stack without the link: fail',
      monitoring,
      linkObs(stackWith([])),
      'fail',
      'stack P-222222222222-us-east-1 (UPDATE_COMPLETE) has no AWS::Oam::Link resource: deployed before monitoring.sinks.us-east-1 was set',
      'Redeploy it with the sink ARN in the config: npx cdk deploy P-222222222222-us-east-1.',
    ],
    [
      'a failed link: fail with its reason',
      monitoring,
      linkObs(stackWith([link('CREATE_FAILED', 'Resource handler returned message: "AccessDenied"')])),
      'fail',
      'the link LinkLink0A1B2C3D of stack P-222222222222-us-east-1 is CREATE_FAILED (Resource handler returned message: "AccessDenied")',
      "The sink's policy must name account 222222222222 (P-Rollup lists the accounts of the targets in us-east-1: redeploy it after adding the target, npx cdk deploy P-Rollup), and monitoring.sinks.us-east-1 must be that sink's SinkArn output; then redeploy npx cdk deploy P-222222222222-us-east-1.",
    ],
    [
      'a deleted link: fail',
      monitoring,
      linkObs(stackWith([link('DELETE_COMPLETE')])),
      'fail',
      'the link LinkLink0A1B2C3D of stack P-222222222222-us-east-1 is DELETE_COMPLETE',
      "The sink's policy must name account 222222222222 (P-Rollup lists the accounts of the targets in us-east-1: redeploy it after adding the target, npx cdk deploy P-Rollup), and monitoring.sinks.us-east-1 must be that sink's SinkArn output; then redeploy npx cdk deploy P-222222222222-us-east-1.",
    ],
    [
      'a link being created: warn',
      monitoring,
      linkObs(stackWith([link('CREATE_IN_PROGRESS')])),
      'warn',
      'the link LinkLink0A1B2C3D of stack P-222222222222-us-east-1 is CREATE_IN_PROGRESS: a deploy is running',
      'Rerun doctor when the deploy has finished.',
    ],
    [
      'CREATE_COMPLETE: pass',
      monitoring,
      linkObs(stackWith([link('CREATE_COMPLETE')])),
      'pass',
      `the link LinkLink0A1B2C3D of stack P-222222222222-us-east-1 is CREATE_COMPLETE (${LINK_ARN}); monitoring.sinks.us-east-1 is ${SINK_US}`,
      null,
    ],
    [
      'UPDATE_COMPLETE: pass',
      monitoring,
      linkObs(stackWith([link('UPDATE_COMPLETE')])),
      'pass',
      `the link LinkLink0A1B2C3D of stack P-222222222222-us-east-1 is UPDATE_COMPLETE (${LINK_ARN}); monitoring.sinks.us-east-1 is ${SINK_US}`,
      null,
    ],
  ];
  test.each(cases)('%s', (_name, mon, obs, status, summary, fix) => {
    const c = oamLinkCheck(mon, obs);
    expect([c.id, c.status, c.summary, c.fix]).toEqual(['oam-link', status, summary, fix]);
  });

  test('details: the target, the monitoring account, the sink ARN and the link with its state', () => {
    expect(oamLinkCheck(monitoring, linkObs(stackWith([link('CREATE_FAILED', 'denied')]))).details).toEqual({
      account: A,
      region: 'us-east-1',
      stack: 'P-222222222222-us-east-1',
      monitoringAccount: MON,
      sinkArn: SINK_US,
      exists: true,
      links: [{ logicalId: 'LinkLink0A1B2C3D', arn: LINK_ARN, status: 'CREATE_FAILED', reason: 'denied', sink: null }],
    });
    expect(oamLinkCheck(config({}).monitoring, linkObs(stackWith([]))).details).toEqual({
      account: A,
      region: 'us-east-1',
      stack: 'P-222222222222-us-east-1',
      monitoringAccount: MON,
      sinkArn: null,
    });
  });

  test('a link deployed with another sink ARN than monitoring.sinks names: a fail that says to redeploy', () => {
    const stale = { ...link('CREATE_COMPLETE'), sinkIdentifier: `arn:aws:oam:us-east-1:${MON}:sink/old-0000` };
    const c = oamLinkCheck(monitoring, linkObs(stackWith([stale])));
    expect([c.status, c.summary, c.fix]).toEqual([
      'fail',
      `the link LinkLink0A1B2C3D of stack P-222222222222-us-east-1 links to arn:aws:oam:us-east-1:${MON}:sink/old-0000, but monitoring.sinks.us-east-1 is ${SINK_US}: the stack was deployed with another sink ARN`,
      `Redeploy it with this config (npx cdk deploy P-222222222222-us-east-1) if ${SINK_US} is the P-Rollup stack's SinkArn output; else set monitoring.sinks.us-east-1 to that output first.`,
    ]);
    const current = { ...link('CREATE_COMPLETE'), sinkIdentifier: SINK_US };
    expect(oamLinkCheck(monitoring, linkObs(stackWith([current]))).status).toBe('pass');
  });

  test('withOamLink: the account checks, then oam-link, and which target; exit 1 only on its fail', () => {
    const report = { region: 'us-east-1', checks: [] };
    const failed = withOamLink(report, monitoring, linkObs(stackWith([])));
    expect([failed.target, failed.checks.map((c) => [c.id, c.status]), doctorExitCode(failed)]).toEqual([
      TARGET_A,
      [['oam-link', 'fail']],
      1,
    ]);
    expect(doctorExitCode(withOamLink(report, monitoring, linkObs(stackWith([link('CREATE_COMPLETE')]))))).toBe(0);
  });
});

describe('findTarget: the caller account and region, else the one target of the region without an account', () => {
  const targets = [
    { region: 'us-east-1', account: A },
    { region: 'eu-west-1' },
    { region: 'us-east-1', account: B },
    { region: 'ap-south-1' },
    { region: 'ap-south-1' },
  ];
  test.each<[string, string, number | undefined]>([
    ['us-east-1', A, 0],
    ['us-east-1', B, 2],
    ['us-east-1', MON, undefined],
    ['eu-west-1', MON, 1],
    ['ap-south-1', A, undefined],
    ['sa-east-1', A, undefined],
  ])('%s as %s → %s', (region, account, index) => {
    expect(findTarget(targets, region, account)?.index).toBe(index);
  });
});

test.each<[Record<string, string>, string | undefined]>([
  [{ SinkSinkArn3C4C7330: SINK_US, FleetDashboardUrl: 'https://x' }, SINK_US],
  [{ SinkArn: SINK_EU }, SINK_EU],
  [{ FleetDashboardUrl: 'https://x', OtherSinkArn: SINK_US }, undefined],
])('sinkArnOutput %#', (outputs, arn) => {
  expect(sinkArnOutput(outputs)).toBe(arn);
});

test('targetRegions: each once, sorted', () => {
  expect(targetRegions(config().targets ?? [])).toEqual(['eu-west-1', 'us-east-1']);
});

describe('doctor --targets: oam-sink per region, target-metrics-visible per target', () => {
  const refs: TargetRef[] = [
    { account: A, region: 'us-east-1', stackName: 'P-222222222222-us-east-1' },
    { account: A, region: 'eu-west-1', stackName: 'P-222222222222-eu-west-1' },
    { account: MON, region: 'us-east-1', stackName: 'P-111111111111-us-east-1' },
    { account: B, region: 'us-east-1', stackName: 'TeamB' },
  ];
  const sink = (status: string, arn: string) => ({ logicalId: 'SinkSink1A2B3C4D', physicalId: arn, status });
  const usSink = (stack?: OamStackObservation): SinkObservation => ({
    region: 'us-east-1',
    stackName: 'P-Rollup',
    ...(stack ? { stack } : {}),
  });
  const euOk: SinkObservation = {
    region: 'eu-west-1',
    stackName: 'P-Sink-eu-west-1',
    stack: stackWith([sink('CREATE_COMPLETE', SINK_EU)], { SinkSinkArn3C4C7330: SINK_EU }),
  };
  const series = (counts: [number, number, number, number]) =>
    refs.map((target, i) => ({ target, series: counts[i], metricNames: counts[i] > 0 ? ['CacheHitRatio', 'PublishedPeriods'] : [] }));
  const run = (sinks: Record<string, string>, us: SinkObservation, counts: [number, number, number, number] = [3, 2, 1, 0]) =>
    runTargetChecks(config(sinks), { region: 'us-east-1', targets: refs, sinks: [euOk, us], series: series(counts) });
  const both = { 'us-east-1': SINK_US, 'eu-west-1': SINK_EU };
  const deployUs = 'npx cdk deploy P-222222222222-us-east-1 TeamB';

  const sinkCases: [string, Record<string, string>, SinkObservation, Check['status'], string, string | null][] = [
    [
      'the sink is there and is the configured one: pass',
      both,
      usSink(stackWith([sink('CREATE_COMPLETE', SINK_US)], { SinkSinkArn3C4C7330: SINK_US })),
      'pass',
      `us-east-1: the sink of stack P-Rollup is CREATE_COMPLETE and is monitoring.sinks.us-east-1 (${SINK_US}); accounts 222222222222, 333333333333 may link`,
      null,
    ],
    [
      'another ARN in the config: fail, the fix names the value to set',
      { ...both, 'us-east-1': 'arn:aws:oam:us-east-1:111111111111:sink/old-0000' },
      usSink(stackWith([sink('UPDATE_COMPLETE', SINK_US)], { SinkSinkArn3C4C7330: SINK_US })),
      'fail',
      `us-east-1: monitoring.sinks.us-east-1 is arn:aws:oam:us-east-1:111111111111:sink/old-0000, but stack P-Rollup's SinkArn is ${SINK_US}: the targets link to another sink, or fail to`,
      `Set monitoring.sinks.us-east-1 to "${SINK_US}" in the config, then deploy the targets of us-east-1 (${deployUs}): their links move to this sink.`,
    ],
    [
      'not in the config yet: warn with the value',
      { 'eu-west-1': SINK_EU },
      usSink(stackWith([sink('CREATE_COMPLETE', SINK_US)], { SinkSinkArn3C4C7330: SINK_US })),
      'warn',
      `us-east-1: the sink is CREATE_COMPLETE (${SINK_US}) but monitoring.sinks.us-east-1 is not set: the targets there deploy without a link`,
      `Set monitoring.sinks.us-east-1 to "${SINK_US}" in the config, then deploy the targets of us-east-1 (${deployUs}).`,
    ],
    [
      'no SinkArn output: the sink physical id (its ARN) stands in',
      both,
      usSink(stackWith([sink('CREATE_COMPLETE', SINK_US)])),
      'pass',
      `us-east-1: the sink of stack P-Rollup is CREATE_COMPLETE and is monitoring.sinks.us-east-1 (${SINK_US}); accounts 222222222222, 333333333333 may link`,
      null,
    ],
    [
      'no stack: fail',
      both,
      usSink({ exists: false }),
      'fail',
      'us-east-1: stack P-Rollup not found in the monitoring account 111111111111: no sink for 222222222222, 333333333333 to link to',
      `Deploy it in 111111111111: npx cdk deploy P-Rollup; set monitoring.sinks.us-east-1 to its SinkArn output; then deploy the targets of us-east-1 (${deployUs}).`,
    ],
    [
      'a stack without a sink: fail',
      both,
      usSink(stackWith([])),
      'fail',
      'us-east-1: stack P-Rollup (UPDATE_COMPLETE) has no AWS::Oam::Sink resource',
      'Redeploy it with the config that lists the targets of us-east-1: npx cdk deploy P-Rollup.',
    ],
    [
      'a failed sink: fail',
      both,
      usSink(stackWith([{ logicalId: 'SinkSink1A2B3C4D', status: 'CREATE_FAILED', reason: 'quota' }])),
      'fail',
      'us-east-1: the sink SinkSink1A2B3C4D of stack P-Rollup is CREATE_FAILED (quota)',
      "See the stack's events (the execution role needs oam:CreateSink and oam:PutSinkPolicy), then redeploy: npx cdk deploy P-Rollup.",
    ],
    [
      'a sink being updated: warn',
      both,
      usSink(stackWith([sink('UPDATE_IN_PROGRESS', SINK_US)])),
      'warn',
      'us-east-1: the sink SinkSink1A2B3C4D of stack P-Rollup is UPDATE_IN_PROGRESS',
      'Rerun doctor when the deploy has finished.',
    ],
  ];
  test.each(sinkCases)('%s', (_name, sinks, us, status, summary, fix) => {
    const c = run(sinks, us).checks[2];
    expect([c.id, c.status, c.summary, c.fix]).toEqual(['oam-sink', status, summary, fix]);
  });

  test('a region whose targets are all in the monitoring account: skip, nothing looked up', () => {
    const cfg = parseConfig(
      { monitoring: { account: MON, region: 'us-east-1' }, targets: [{ account: MON, region: 'us-east-1' }] },
      'test',
    );
    const target = { account: MON, region: 'us-east-1', stackName: 'P-111111111111-us-east-1' };
    const report = runTargetChecks(cfg, {
      region: 'us-east-1',
      targets: [target],
      sinks: [usSink()],
      series: [{ target, series: 4, metricNames: ['PublishedPeriods'] }],
    });
    expect(report.checks).toEqual([
      {
        id: 'oam-sink',
        status: 'skip',
        summary:
          "us-east-1: every target there is in the monitoring account 111111111111: no sink needed (its metrics are the account's own)",
        fix: null,
        details: { account: MON, region: 'us-east-1', stack: 'P-Rollup', linkedAccounts: [], configuredSinkArn: null },
      },
      {
        id: 'target-metrics-visible',
        status: 'pass',
        summary: "111111111111 us-east-1: 4 BedrockPromptCache series of the monitoring account's own (PublishedPeriods)",
        fix: null,
        details: {
          account: MON,
          region: 'us-east-1',
          stack: 'P-111111111111-us-east-1',
          namespace: 'BedrockPromptCache',
          series: 4,
          metricNames: ['PublishedPeriods'],
        },
      },
    ]);
  });

  test('the whole report: each region (sorted) with its targets in config order; the series pass with the count or fail', () => {
    const report = run(both, usSink(stackWith([sink('CREATE_COMPLETE', SINK_US)], { SinkSinkArn3C4C7330: SINK_US })), [3, 2, 0, 0]);
    expect([report.region, report.targets]).toEqual(['us-east-1', refs]);
    expect(report.checks.map((c) => [c.id, c.status, c.details.account, c.details.region])).toEqual([
      ['oam-sink', 'pass', MON, 'eu-west-1'],
      ['target-metrics-visible', 'pass', A, 'eu-west-1'],
      ['oam-sink', 'pass', MON, 'us-east-1'],
      ['target-metrics-visible', 'pass', A, 'us-east-1'],
      ['target-metrics-visible', 'fail', MON, 'us-east-1'],
      ['target-metrics-visible', 'fail', B, 'us-east-1'],
    ]);
    expect(doctorExitCode(report)).toBe(1);
    expect(renderDoctorText({ region: report.region, checks: report.checks.slice(3) })).toBe(
      [
        'PASS  target-metrics-visible  222222222222 us-east-1: 3 BedrockPromptCache series visible in the monitoring account (CacheHitRatio, PublishedPeriods)',
        "FAIL  target-metrics-visible  111111111111 us-east-1: no BedrockPromptCache series in the monitoring account's own target: its publisher has sent nothing yet",
        '      fix: Deploy it (npx cdk deploy P-111111111111-us-east-1) and see publisher-freshness of doctor --region us-east-1 in this account.',
        "FAIL  target-metrics-visible  333333333333 us-east-1: no BedrockPromptCache series from account 333333333333 in us-east-1: the target's link shares nothing yet",
        '      fix: Deploy the target with the sink ARN (monitoring.sinks.us-east-1 set; in 333333333333: npx cdk deploy TeamB) and check it there with doctor --region us-east-1 (oam-link); OAM shares no history, only what the publisher sends after the link exists.',
        '',
      ].join('\n'),
    );
    expect(report.checks[2].details).toEqual({
      account: MON,
      region: 'us-east-1',
      stack: 'P-Rollup',
      linkedAccounts: [A, B],
      configuredSinkArn: SINK_US,
      exists: true,
      sinks: [{ logicalId: 'SinkSink1A2B3C4D', arn: SINK_US, status: 'CREATE_COMPLETE', reason: null }],
      sinkArn: SINK_US,
    });
  });

  test('a config namespace of its own is the one counted', () => {
    const cfg = config(both, { namespace: 'TeamCache' });
    const report = runTargetChecks(cfg, {
      region: 'us-east-1',
      targets: refs.slice(0, 1),
      sinks: [usSink()],
      series: series([5, 0, 0, 0]).slice(0, 1),
    });
    expect(report.checks[1].summary).toBe(
      '222222222222 us-east-1: 5 TeamCache series visible in the monitoring account (CacheHitRatio, PublishedPeriods)',
    );
  });
});
