/**
 * `npm run demo`: the whole pipeline on the local AWS emulator, in a few minutes.
 * 1. starts moto server (stopped again on exit, Ctrl-C or failure);
 * 2. synthesizes the stack from cdk.json's example config and creates its resources in the emulator's CloudFormation,
 *    saying which it had to leave out (the Lambda functions: their code is a CDK asset and moto runs Lambda in Docker,
 *    which is not here; the demo runs the same handler code in-process instead) and which the emulator accepted
 *    without creating them;
 * 3. seeds 14 days of AWS/Bedrock metrics for the three configured models (healthy, regressing mid-week,
 *    misconfigured) and one in no config (regressing for an afternoon), see scenario.ts;
 * 4. runs the publisher over the whole window (a backfill), with a progress bar;
 * 5. replays the synthesized alarms over the data (moto evaluates no alarm): the fleet alarms' Metrics Insights
 *    queries per contributor (model), the pipeline and any precise alarms by their metric math; prints the timeline of
 *    the notifications they would have sent, one line each, PAGE or TICKET (timeline.ts);
 * 6. prints the weekly review and writes it, its chart and the timeline under demo-output/;
 * 7. prints the monitoring's own monthly cost next to the week's net savings.
 */
import { CloudFormationClient, CreateStackCommand, DescribeStackResourcesCommand } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { App } from 'aws-cdk-lib';
import type { CatalogAlarm } from '../../lambda/core/alarm-catalog';
import { SingleBar } from 'cli-progress';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { main as cli } from '../../bin/prompt-cache';
import { parseConfig, type PromptCacheConfig } from '../../lambda/core/config';
import { DAY_MS, HOUR_MS, MINUTE_MS } from '../../lambda/core/periods';
import type { RunLog } from '../../lambda/core/publish-run';
import { readAlarmFigures } from '../../lambda/aws/alarm-figures';
import { createClients } from '../../lambda/aws/clients';
import { publishOnce, type PublishSummary } from '../../lambda/handlers/publisher';
import { PromptCacheMonitoringStack } from '../../lib/prompt-cache-monitoring-stack';
import { readSeries, seedBedrock } from '../support/bedrock-seed';
import { startMoto } from '../support/moto';
import { alarmDatapoints, readAlarms, replayAlarm, replayFleetAlarm, type AlarmState, type Transition } from './alarm-replay';
import { readInsightsSeries, type InsightsQuery, type MetricSeries } from './metrics-insights';
import { demoTimes, demoTraffic, DEMO_DAYS, UNCONFIGURED_MODEL_ID, type DemoModels, type DemoTimes } from './scenario';
import {
  figuresAt,
  routeChanges,
  sortEntries,
  timelineEntry,
  timelineLine,
  type Routed,
  type StateChange,
  type TimelineEntry,
} from './timeline';

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
  /** `<type> <logical id>` of every resource the emulator created. */
  readonly created: string[];
  /** Resources the demo took out of the template before creating it, and why. */
  readonly leftOut: { logicalId: string; type: string; why: string }[];
  /** Resources of the template it was sent that the emulator accepted but did not create. */
  readonly notCreated: { logicalId: string; type: string }[];
  readonly models: DemoModels;
  readonly times: DemoTimes;
  /** AWS/Bedrock datapoints seeded. */
  readonly seeded: number;
  /** The replayed window, on the publisher's period grid: [fromMs, toMs). */
  readonly replay: { readonly fromMs: number; readonly toMs: number; readonly alarms: number; readonly fleetAlarms: number };
  readonly publish: PublishSummary;
  /** What the notifier would have sent, in time order (timeline.ts). */
  readonly notifications: TimelineEntry[];
  /** The state changes the notifier ignores, with its reason (a fleet alarm's own, a first evaluation). */
  readonly ignored: Routed['ignored'];
  /** The timeline's lines, one per notification, as printed and written to alarm-timeline.txt. */
  readonly timeline: string[];
  /** Each fleet alarm's own state after each evaluation (period end), by alarm name. */
  readonly fleetStates: ReadonlyMap<string, ReadonlyMap<number, AlarmState>>;
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

/** The stack's template and its alarm catalog (every alarm with its family, severity and kind). */
function synthesize(config: PromptCacheConfig): { template: Template; catalog: readonly CatalogAlarm[] } {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new PromptCacheMonitoringStack(app, DEMO_STACK, { config });
  const template = JSON.parse(JSON.stringify(app.synth({ validateOnSynthesis: false }).getStackByName(DEMO_STACK).template)) as Template;
  return { template, catalog: stack.monitoring.alarms.catalog };
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

/**
 * The replay reads its series a day at a time: the emulator's GetMetricData scans every datapoint of the requested
 * range for each period of each query, so 14 one-day reads cost about a fourteenth of one 14-day read, with the same
 * buckets (a day is a whole number of alarm periods from the period-aligned start).
 */
const READ_CHUNK_MS = 24 * HOUR_MS;

function chunks(fromMs: number, toMs: number, periodMs: number): [number, number][] {
  const step = Math.max(periodMs, Math.floor(READ_CHUNK_MS / periodMs) * periodMs);
  const out: [number, number][] = [];
  for (let a = fromMs; a < toMs; a += step) out.push([a, Math.min(toMs, a + step)]);
  return out;
}

/** readInsightsSeries over [fromMs, toMs), read a day at a time and joined per series. */
async function readInsightsByDay(
  cw: CloudWatchClient,
  query: InsightsQuery,
  fromMs: number,
  toMs: number,
  periodMs: number,
): Promise<MetricSeries[]> {
  const joined = new Map<string, MetricSeries>();
  for (const [a, b] of chunks(fromMs, toMs, periodMs)) {
    for (const s of await readInsightsSeries(cw, query, a, b, periodMs)) {
      const key = JSON.stringify(Object.entries(s.dimensions).sort());
      const seen = joined.get(key);
      joined.set(key, seen ? { ...seen, points: new Map([...seen.points, ...s.points]) } : s);
    }
  }
  return [...joined.values()];
}

/** readSeries over [fromMs, toMs), read a day at a time. */
async function readSeriesByDay(
  cw: CloudWatchClient,
  queries: Parameters<typeof readSeries>[1],
  fromMs: number,
  toMs: number,
  periodMs: number,
): Promise<Map<number, number>[]> {
  const joined: Map<number, number>[] = queries.map(() => new Map());
  for (const [a, b] of chunks(fromMs, toMs, periodMs)) {
    (await readSeries(cw, queries, a, b, periodMs)).forEach((m, i) => {
      for (const [t, v] of m) joined[i].set(t, v);
    });
  }
  return joined;
}

const day = (ms: number) => new Date(ms).toISOString().replace('T', ' ').slice(0, 16);

export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const { region, outDir } = options;
  const t0 = Date.now();
  const print = (line: string) => options.print(/^\d\/\d /.test(line) ? `${line}  [${((Date.now() - t0) / 1000).toFixed(0)} s]` : line);
  mkdirSync(outDir, { recursive: true });
  const config = exampleConfig();
  if (config.models.some((m) => m.modelId === UNCONFIGURED_MODEL_ID))
    throw new Error(`the demo's unconfigured model ${UNCONFIGURED_MODEL_ID} is in cdk.json's models: pick another id in scenario.ts`);
  const [healthy, regressing, misconfigured] = config.models.map((m) => m.modelId);
  const models: DemoModels = { healthy, regressing, misconfigured, unconfigured: UNCONFIGURED_MODEL_ID };
  const label = (id: string) => config.models.find((m) => m.modelId === id)?.displayName ?? id;

  print('1/6 Synthesizing the stack from cdk.json and creating it in the emulator');
  const { template, catalog } = synthesize(config);
  const { body, leftOut } = emulatorTemplate(template);
  const cfn = new CloudFormationClient({ region });
  await cfn.send(new CreateStackCommand({ StackName: DEMO_STACK, TemplateBody: JSON.stringify(body), Capabilities: ['CAPABILITY_IAM'] }));
  const resources = (await cfn.send(new DescribeStackResourcesCommand({ StackName: DEMO_STACK }))).StackResources ?? [];
  const created = resources.map((r) => `${r.ResourceType} ${r.LogicalResourceId}`);
  const createdIds = new Set(resources.map((r) => r.LogicalResourceId));
  const notCreated = Object.entries(body.Resources)
    .filter(([id]) => !createdIds.has(id))
    .map(([logicalId, r]) => ({ logicalId, type: r.Type }));
  print(
    `    created through the emulator's CloudFormation: ${resources.length} resources (${[...new Set(resources.map((r) => r.ResourceType).filter((t) => t !== undefined))].sort().join(', ')})`,
  );
  for (const l of leftOut) print(`    left out: ${l.type} ${l.logicalId}: ${l.why}`);
  for (const n of notCreated) print(`    accepted but not created by the emulator: ${n.type} ${n.logicalId}`);
  const ledgerTable = resources.find((r) => r.ResourceType === 'AWS::DynamoDB::Table')?.PhysicalResourceId as string;

  print(
    `2/6 Seeding ${DEMO_DAYS} days of AWS/Bedrock metrics (5-minute datapoints) for ${config.models.length + 1} models (${config.models.length} configured, 1 in no config)`,
  );
  // The window ends at the last settled hour, so the result does not depend on the minute the demo runs at.
  const end = Math.floor((options.nowMs - config.publisher.settleDelayMinutes * MINUTE_MS) / HOUR_MS) * HOUR_MS;
  const start = end - DEMO_DAYS * DAY_MS;
  // CloudWatch takes datapoints up to 14 days old, less the publisher's 1-hour margin, counted from now (up to 70
  // minutes after `end`): the first 3 hours of the seeded window may already be out of reach, so the backfill and the
  // replay start after them.
  const firstPublishable = start + 3 * HOUR_MS;
  const times = demoTimes(end);
  const cw = new CloudWatchClient({ region });
  const seeded = await seedBedrock(cw, demoTraffic(models, end, times));
  print(`    ${seeded.toLocaleString('en-US')} datapoints; ${label(regressing)}'s prompt prefix changes at ${day(times.changeAtMs)} UTC;`);
  print(
    `    ${models.unconfigured} (in no config) regresses at ${day(times.unconfiguredBreaksAtMs)} UTC and is rolled back at ${day(times.unconfiguredFixedAtMs)} UTC`,
  );

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
  // The alarms have no composites any more; a template with one would need its replay back (replayComposite).
  if (composites.length > 0)
    throw new Error(`the demo replays no composite alarm, but the template has ${composites.map((c) => c.name).join(', ')}`);
  const changes: StateChange[] = [];
  const fleetStates = new Map<string, Map<number, AlarmState>>();
  // The two caching-costs-money alarms (ticket and page) run one query: read its series once.
  const insights = new Map<string, Promise<MetricSeries[]>>();
  const replayFrom = firstPublishable;
  const replayTo = publish.watermark ? Date.parse(publish.watermark) : end;
  // An alarm's own changes, each with when its previous state began (the event's previousState timestamp).
  const own = (name: string, ts: readonly Transition[]) =>
    ts.map((t, i): StateChange => ({
      alarm: name,
      atMs: t.atMs,
      from: t.from,
      to: t.to,
      value: t.value,
      sinceMs: i === 0 ? replayFrom : ts[i - 1].atMs,
    }));
  for (const alarm of alarms) {
    const periodMs = alarm.periodSeconds * 1000;
    if (alarm.query) {
      // A fleet alarm: its Metrics Insights query, one contributor per ModelId, each with its own state.
      const key = JSON.stringify([alarm.query, periodMs]);
      if (!insights.has(key)) insights.set(key, readInsightsByDay(cw, alarm.query, replayFrom, replayTo, periodMs));
      const data = await (insights.get(key) as Promise<MetricSeries[]>);
      const replay = replayFleetAlarm(alarm, data, replayFrom, replayTo);
      if (replay.partial)
        print(`    warning: ${alarm.name}: more than 500 series or 10,000 metrics, CloudWatch would evaluate part of them`);
      fleetStates.set(alarm.name, replay.states);
      changes.push(...own(alarm.name, replay.transitions));
      changes.push(
        ...replay.contributorTransitions.map((t): StateChange => ({
          alarm: alarm.name,
          atMs: t.atMs,
          from: t.from,
          to: t.to,
          value: t.value,
          contributor: t.contributor,
        })),
      );
      continue;
    }
    const ids = Object.keys(alarm.metrics);
    const data = await readSeriesByDay(
      cw,
      ids.map((id) => ({
        namespace: alarm.metrics[id].namespace,
        metricName: alarm.metrics[id].metricName,
        modelId: alarm.metrics[id].dimensions.ModelId,
        stat: alarm.metrics[id].stat as 'Sum',
      })),
      replayFrom,
      replayTo,
      periodMs,
    );
    const series = Object.fromEntries(ids.map((id, i) => [id, data[i]]));
    changes.push(...own(alarm.name, replayAlarm(alarm, alarmDatapoints(alarm, series, replayFrom, replayTo)).transitions));
  }
  // Each change as the EventBridge event CloudWatch sends, through the notifier's reader: what notifies, and where.
  const routed = routeChanges(changes, catalog, region);
  // An alarm outside the catalog (the notifier's own NotifierFailing) notifies by an action of its own, which the
  // timeline does not show: it must stay quiet here.
  const unrouted = routed.ignored.filter((i) => i.reason === 'not in the alarm catalog' && i.change.to === 'ALARM');
  if (unrouted.length > 0)
    throw new Error(`the timeline cannot show ${unrouted.map((i) => i.change.alarm).join(', ')}: not in the alarm catalog`);
  const entries: TimelineEntry[] = [];
  for (const { change, notice } of routed.notices) {
    // The figures the notifier reads for its page: one GetMetricData call, the periods published by then.
    const figures = await readAlarmFigures(cw, figuresAt(notice, config));
    entries.push(timelineEntry(change, notice, figures, config));
  }
  const sorted = sortEntries(entries, catalog);
  const timeline = sorted.map(timelineLine);
  const pages = sorted.filter((e) => e.notification.topic === 'page').length;
  const why = new Map<string, number>();
  for (const i of routed.ignored) why.set(i.reason, (why.get(i.reason) ?? 0) + 1);
  print(
    `    ${alarms.length} alarms (${fleetStates.size} fleet alarms, one contributor per model) over ${day(replayFrom)} to ${day(replayTo)} UTC: ${changes.length} state changes, ${sorted.length} notifications, ${pages} to the paging topic (PAGE), ${sorted.length - pages} to the ticket topic (TICKET); the notifier ignores ${[...why].map(([reason, n]) => `${n} (${reason})`).join(', ')}:`,
  );
  for (const line of timeline.length ? timeline : ['(nothing would have been sent)']) print(`    ${line}`);
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
    notCreated,
    models,
    times,
    seeded,
    replay: { fromMs: replayFrom, toMs: replayTo, alarms: alarms.length, fleetAlarms: fleetStates.size },
    publish,
    notifications: sorted,
    ignored: routed.ignored,
    timeline,
    fleetStates,
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
