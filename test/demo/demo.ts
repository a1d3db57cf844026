/**
 * `npm run demo`: the whole pipeline on the local AWS emulator, in under two minutes.
 * 1. starts moto server (stopped again on exit, Ctrl-C or failure);
 * 2. synthesizes the stack from cdk.json's example config and creates its resources in the emulator's CloudFormation,
 *    saying which it had to leave out (the Lambda functions: their code is a CDK asset and moto runs Lambda in Docker,
 *    which is not here; the demo runs the same handler code in-process instead);
 * 3. seeds 14 days of AWS/Bedrock metrics for three models (healthy, regressing mid-week, misconfigured);
 * 4. runs the publisher over the whole window (a backfill), with a progress bar;
 * 5. replays the synthesized alarms over the data (moto evaluates no metric math) and prints a timeline;
 * 6. prints the weekly review and writes it, its chart and the timeline under demo-output/;
 * 7. prints the monitoring's own monthly cost next to the week's net savings.
 */
import { CloudFormationClient, CreateStackCommand, DescribeStackResourcesCommand } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { App } from 'aws-cdk-lib';
import { SingleBar } from 'cli-progress';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { main as cli } from '../../bin/prompt-cache';
import { parseConfig, type PromptCacheConfig } from '../../lambda/core/config';
import { DAY_MS, HOUR_MS, MINUTE_MS } from '../../lambda/core/periods';
import type { RunLog } from '../../lambda/core/publish-run';
import { createClients } from '../../lambda/aws/clients';
import { publishOnce, type PublishSummary } from '../../lambda/handlers/publisher';
import { PromptCacheMonitoringStack } from '../../lib/prompt-cache-monitoring-stack';
import { readSeries, seedBedrock } from '../support/bedrock-seed';
import { startMoto } from '../support/moto';
import { alarmDatapoints, readAlarms, replayAlarm, replayComposite, type AlarmState, type Transition } from './alarm-replay';
import { demoTraffic, DEMO_DAYS, type DemoModels } from './scenario';

const ROOT = resolve(__dirname, '../..');
export const DEMO_STACK = 'PromptCacheDemo';

export interface DemoOptions {
  readonly region: string;
  readonly outDir: string;
  /** The clock: the demo's 14 days end at the last full hour before it. */
  readonly nowMs: number;
  readonly print: (line: string) => void;
  readonly progressBar: boolean;
}

export interface DemoResult {
  readonly created: string[];
  readonly leftOut: { logicalId: string; type: string; why: string }[];
  readonly models: DemoModels;
  readonly changeAtMs: number;
  readonly publish: PublishSummary;
  readonly transitions: (Transition & { modelId?: string })[];
  readonly weeklyNetSavingsUSD: number;
  readonly monitoringMonthlyUSD: number;
}

type Template = {
  Resources: Record<string, { Type: string; Properties?: Record<string, unknown>; DependsOn?: string[] | string; Metadata?: unknown }>;
  [k: string]: unknown;
};

function exampleConfig(): PromptCacheConfig {
  const cdkJson = JSON.parse(readFileSync(join(ROOT, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> };
  return parseConfig(cdkJson.context.promptCacheMonitoring, 'cdk.json context "promptCacheMonitoring"');
}

function synthesize(config: PromptCacheConfig): Template {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  new PromptCacheMonitoringStack(app, DEMO_STACK, { config });
  return JSON.parse(JSON.stringify(app.synth({ validateOnSynthesis: false }).getStackByName(DEMO_STACK).template)) as Template;
}

/** The template the emulator can create: no Lambda functions, nor what only exists for them. */
function emulatorTemplate(template: Template): { body: Template; leftOut: DemoResult['leftOut'] } {
  const body: Template = { Resources: { ...template.Resources } };
  const why = new Map<string, string>();
  for (const [id, r] of Object.entries(body.Resources)) {
    if (r.Type === 'AWS::Lambda::Function')
      why.set(id, 'code is a CDK asset and moto runs Lambda in Docker; the demo runs this handler in-process');
  }
  for (let changed = true; changed;) {
    changed = false;
    for (const [id, r] of Object.entries(body.Resources)) {
      if (why.has(id)) continue;
      const text = JSON.stringify(r.Properties ?? {});
      const on = [...why.keys()].find((gone) => text.includes(`"${gone}"`));
      if (on) {
        why.set(id, `refers to ${on}, left out`);
        changed = true;
      }
    }
  }
  for (const id of why.keys()) delete body.Resources[id];
  for (const r of Object.values(body.Resources)) {
    delete r.Metadata;
    if (Array.isArray(r.DependsOn)) r.DependsOn = r.DependsOn.filter((d) => !why.has(d));
  }
  return { body, leftOut: [...why].map(([logicalId, reason]) => ({ logicalId, type: template.Resources[logicalId].Type, why: reason })) };
}

const day = (ms: number) => new Date(ms).toISOString().replace('T', ' ').slice(0, 16);

export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const { region, outDir } = options;
  const t0 = Date.now();
  const print = (line: string) => options.print(/^\d\/\d /.test(line) ? `${line}  [${((Date.now() - t0) / 1000).toFixed(0)} s]` : line);
  mkdirSync(outDir, { recursive: true });
  const config = exampleConfig();
  const [healthy, regressing, misconfigured] = config.models.map((m) => m.modelId);
  const models: DemoModels = { healthy, regressing, misconfigured };
  const label = (id: string | undefined) => config.models.find((m) => m.modelId === id)?.displayName ?? id ?? 'all models';

  print('1/6 Synthesizing the stack from cdk.json and creating it in the emulator');
  const template = synthesize(config);
  const { body, leftOut } = emulatorTemplate(template);
  const cfn = new CloudFormationClient({ region });
  await cfn.send(new CreateStackCommand({ StackName: DEMO_STACK, TemplateBody: JSON.stringify(body), Capabilities: ['CAPABILITY_IAM'] }));
  const resources = (await cfn.send(new DescribeStackResourcesCommand({ StackName: DEMO_STACK }))).StackResources ?? [];
  const created = resources.map((r) => `${r.ResourceType} ${r.LogicalResourceId}`);
  print(
    `    created through the emulator's CloudFormation: ${resources.length} resources (${[...new Set(resources.map((r) => r.ResourceType).filter((t) => t !== undefined))].sort().join(', ')})`,
  );
  for (const l of leftOut) print(`    left out: ${l.type} ${l.logicalId}: ${l.why}`);
  const ledgerTable = resources.find((r) => r.ResourceType === 'AWS::DynamoDB::Table')?.PhysicalResourceId as string;

  print(`2/6 Seeding ${DEMO_DAYS} days of AWS/Bedrock metrics (5-minute datapoints) for ${config.models.length} models`);
  // The window ends at the last settled hour, so the result does not depend on the minute the demo runs at.
  const end = Math.floor((options.nowMs - config.publisher.settleDelayMinutes * MINUTE_MS) / HOUR_MS) * HOUR_MS;
  const start = end - DEMO_DAYS * DAY_MS;
  // CloudWatch takes datapoints up to 14 days old, less the publisher's 1-hour margin, counted from now (up to 70
  // minutes after `end`): the first 3 hours of the seeded window may already be out of reach, so the backfill and the
  // replay start after them.
  const firstPublishable = start + 3 * HOUR_MS;
  // Mid-week in the last 7 days, at 09:00 UTC: code-review's prompt prefix changes.
  const changeAtMs = Math.floor((end - 3.5 * DAY_MS) / DAY_MS) * DAY_MS + 9 * HOUR_MS;
  const cw = new CloudWatchClient({ region });
  const seeded = await seedBedrock(cw, demoTraffic(models, end, changeAtMs));
  print(`    ${seeded.toLocaleString('en-US')} datapoints; ${label(regressing)}'s prompt prefix changes at ${day(changeAtMs)} UTC`);

  print('3/6 Publishing savings for the whole window (a backfill)');
  const bar = options.progressBar
    ? new SingleBar({ format: '    {bar} {percentage}% | {value}/{total} datums', hideCursor: true })
    : undefined;
  let started = false;
  const quiet: RunLog = { info: () => undefined, warn: (m) => print(`    warning: ${m}`) };
  const publish = await publishOnce({
    config,
    tableName: ledgerTable,
    nowMs: options.nowMs,
    sinceMs: firstPublishable,
    clients: createClients({ region }),
    log: quiet,
    onProgress: (done, total) => {
      if (!bar) return;
      if (!started) bar.start(total, 0);
      started = true;
      bar.update(done);
    },
  });
  bar?.stop();
  print(
    `    ${publish.periodsPublished} hourly periods, ${publish.datumsPut.toLocaleString('en-US')} datums, ${publish.calls.PutMetricData} PutMetricData and ${publish.calls.GetMetricData} GetMetricData calls`,
  );

  print('4/6 Replaying the alarms of the synthesized template over the seeded and published data');
  const { alarms, composites } = readAlarms(template);
  const transitions: DemoResult['transitions'] = [];
  const states = new Map<string, Map<number, AlarmState>>();
  const replayFrom = firstPublishable;
  const replayTo = publish.watermark ? Date.parse(publish.watermark) : end;
  for (const alarm of alarms) {
    const ids = Object.keys(alarm.metrics);
    const data = await readSeries(
      cw,
      ids.map((id) => ({
        namespace: alarm.metrics[id].namespace,
        metricName: alarm.metrics[id].metricName,
        modelId: alarm.metrics[id].dimensions.ModelId,
        stat: alarm.metrics[id].stat as 'Sum',
      })),
      replayFrom,
      replayTo,
      alarm.periodSeconds * 1000,
    );
    const series = Object.fromEntries(ids.map((id, i) => [id, data[i]]));
    const name = alarm.name.replace('<AWS::StackName>', DEMO_STACK);
    const replay = replayAlarm({ ...alarm, name }, alarmDatapoints(alarm, series, replayFrom, replayTo));
    states.set(alarm.logicalId, replay.states);
    states.set(name, replay.states);
    const modelId = Object.values(alarm.metrics).find((m) => m.dimensions.ModelId)?.dimensions.ModelId;
    transitions.push(
      ...replay.transitions
        .filter((t) => t.from !== 'INSUFFICIENT_DATA' || t.to === 'ALARM')
        .map((t) => ({ ...t, ...(modelId ? { modelId } : {}) })),
    );
  }
  for (const c of composites)
    transitions.push(
      ...replayComposite({ ...c, name: c.name.replace('<AWS::StackName>', DEMO_STACK) }, states).filter(
        (t) => t.from !== 'INSUFFICIENT_DATA' || t.to === 'ALARM',
      ),
    );
  transitions.sort((a, b) => a.atMs - b.atMs || a.alarm.localeCompare(b.alarm));
  const timeline = transitions.map(
    (t) =>
      `${day(t.atMs)}  ${t.to.padEnd(5)}  ${t.alarm}${t.modelId ? ` (${label(t.modelId)})` : ''}${t.value === null ? '' : `  value ${Number(t.value.toFixed(2))}`}`,
  );
  print(`    ${alarms.length} alarms and ${composites.length} composite over ${day(replayFrom)} to ${day(replayTo)} UTC:`);
  for (const line of timeline.length ? timeline : ['(no alarm would have fired)']) print(`    ${line}`);
  writeFileSync(join(outDir, 'alarm-timeline.txt'), `${timeline.join('\n')}\n`);

  print('5/6 The weekly review (written to demo-output/weekly-review.md, chart in weekly-review.svg)');
  const configFile = join(outDir, 'config.json');
  writeFileSync(configFile, JSON.stringify(config, null, 2));
  const endIso = new Date(end).toISOString();
  const io = { out: '', err: '' };
  const capture = { stdout: (t: string) => (io.out += t), stderr: (t: string) => (io.err += t) };
  if (
    (await cli(
      [
        'report',
        '--region',
        region,
        '--config',
        configFile,
        '--end',
        endIso,
        '--out',
        join(outDir, 'weekly-review.md'),
        '--chart',
        join(outDir, 'weekly-review.svg'),
      ],
      capture,
    )) !== 0
  )
    throw new Error(`report failed: ${io.err}`);
  io.out = '';
  await cli(['report', '--region', region, '--config', configFile, '--end', endIso, '--format', 'json'], capture);
  const weekly = JSON.parse(io.out) as { totals: { netSavingsUSD: number } };
  print(
    readFileSync(join(outDir, 'weekly-review.md'), 'utf8')
      .split('\n')
      .map((l) => `    ${l}`)
      .join('\n'),
  );

  print('6/6 What the monitoring itself costs');
  io.out = '';
  await cli(['cost', '--config', configFile, '--format', 'json'], capture);
  const monthly = (JSON.parse(io.out) as { monthlyUSD: number }).monthlyUSD;
  const weeklyCost = (monthly * 12) / 52;
  print(
    `    about $${monthly.toFixed(2)} a month ($${weeklyCost.toFixed(2)} a week); caching saved $${weekly.totals.netSavingsUSD.toFixed(2)} net this week: ${(weekly.totals.netSavingsUSD / weeklyCost).toFixed(1)}x what the monitoring costs`,
  );
  cw.destroy();
  cfn.destroy();
  return {
    created,
    leftOut,
    models,
    changeAtMs,
    publish,
    transitions,
    weeklyNetSavingsUSD: weekly.totals.netSavingsUSD,
    monitoringMonthlyUSD: monthly,
  };
}

async function main(): Promise<void> {
  const started = Date.now();
  const moto = await startMoto();
  const stop = () => void moto.stop().finally(() => process.exit(130));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: moto.endpoint,
    AWS_ACCESS_KEY_ID: 'demo',
    AWS_SECRET_ACCESS_KEY: 'demo',
    AWS_REGION: 'us-east-1',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  });
  console.log(`moto server on ${moto.endpoint}`);
  try {
    await runDemo({
      region: 'us-east-1',
      outDir: join(ROOT, 'demo-output'),
      nowMs: Date.now(),
      print: (l) => console.log(l),
      progressBar: process.stdout.isTTY === true,
    });
    console.log(`done in ${((Date.now() - started) / 1000).toFixed(0)} s; outputs in demo-output/`);
  } finally {
    await moto.stop();
  }
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(`demo failed: ${(err as Error).stack ?? String(err)}`);
    process.exitCode = 1;
  });
}
