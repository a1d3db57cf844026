/**
 * Synth scale bench: the monitoring stack with 3, 100 and 1,000 configured models (each priced) in fleet mode (the
 * default: the fleet alarms watch them all, so nothing grows with the model count), checked against the targets
 * (resources the same and at most 60; on-call widgets the same, at most 30, body at most 30 KB; synth at most 1.5 s at
 * 1,000); and 1, 10 and 100 models in precise mode (three alarms of its own per model), also with application
 * inference profile ARNs (the longest model ids) as model ids. Prints synth time, template size (as written to
 * cdk.out, indented as `cdk synth` writes it), each dashboard's widget count and body size, the resource and alarm
 * counts and the alarms' monthly cost.
 *
 * In-process synth with bundling skipped (the Lambda bundle does not depend on the model count) and aws-cdk-lib's
 * built-in template validation off (a constant ~3 s that `cdk synth` adds; cfn-lint.test.ts runs it on the full stack).
 */
import { App } from 'aws-cdk-lib';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { plannedResources } from '../../lib/alarms';
import { PromptCacheMonitoringStack } from '../../lib/prompt-cache-monitoring-stack';
import { dashboardBodies } from '../lib/template-helpers';
import { allPrecise, benchConfig } from '../support/configs';

/** CloudFormation's template size limit as aws-cdk-lib checks it (bytes); the bench's bar is half of it. */
export const TEMPLATE_LIMIT_BYTES = 1_000_000;

export interface SynthFigures {
  readonly models: number;
  readonly precise: boolean;
  readonly synthMs: number;
  readonly templateBytes: number;
  readonly onCallBodyBytes: number;
  readonly onCallWidgets: number;
  readonly costReviewBodyBytes: number;
  readonly costReviewWidgets: number;
  readonly resources: number;
  readonly alarms: number;
  /** Precise and pipeline alarms; the fleet alarms add {@link fleetAlarmUsdPerModel} per model they see. */
  readonly monthlyAlarmCostUSD: number;
  readonly fleetAlarmUsdPerModel: number;
}

/** One synth of the full stack with `n` models (`long`: ARNs as model ids; `precise`: every model in precise mode). */
export function synthFigures(n: number, long = false, precise = false): SynthFigures {
  const previous = process.env.CDK_VALIDATION;
  process.env.CDK_VALIDATION = 'false';
  const outdir = mkdtempSync(join(tmpdir(), 'synth-bench-'));
  try {
    const started = performance.now();
    const app = new App({ outdir, context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new PromptCacheMonitoringStack(app, 'BedrockPromptCacheMonitoring', {
      config: precise ? allPrecise(benchConfig(n, long)) : benchConfig(n, long),
    });
    const assembly = app.synth();
    const synthMs = performance.now() - started;
    const artifact = assembly.getStackByName(stack.stackName);
    const text = readFileSync(join(outdir, artifact.templateFile), 'utf8');
    const template = JSON.parse(text) as { Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }> };
    const bodies = dashboardBodies(template);
    const bodyOf = (title: string) => bodies.find((b) => b.text.includes(title));
    const onCall = bodyOf('## Paged? start here');
    const costReview = bodyOf('## Bedrock prompt cache: cost review');
    const planned = plannedResources(stack.monitoring.alarms.plan);
    return {
      models: n,
      precise,
      synthMs,
      templateBytes: Buffer.byteLength(text),
      onCallBodyBytes: Buffer.byteLength(onCall?.text ?? ''),
      onCallWidgets: onCall?.body.widgets.length ?? 0,
      costReviewBodyBytes: Buffer.byteLength(costReview?.text ?? ''),
      costReviewWidgets: costReview?.body.widgets.length ?? 0,
      resources: Object.keys(template.Resources).length,
      alarms: planned.metricAlarms,
      monthlyAlarmCostUSD: planned.monthlyAlarmCostUSD,
      fleetAlarmUsdPerModel: planned.fleetAlarmUsdPerModel,
    };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
    if (previous === undefined) delete process.env.CDK_VALIDATION;
    else process.env.CDK_VALIDATION = previous;
  }
}

const kb = (bytes: number) => (bytes / 1024).toFixed(1);

/** The targets of fleet mode (README "Scale"): what stays the same from 3 to 1,000 models, and its bounds. */
export const FLEET_TARGETS = { resources: 60, onCallWidgets: 30, onCallBodyBytes: 30 * 1024, synthMsAt1000: 1500 } as const;

/** Bytes a dashboard body may grow from 3 to 1,000 models: the digits of the break-even line's count of other models. */
export const COUNT_DIGITS_SLACK = 3;

/** Each target the fleet rows miss, as a sentence (empty when all are met). */
export function missedTargets(fleet: readonly SynthFigures[]): string[] {
  const missed: string[] = [];
  // Bodies may differ by the digits of one count ("workload-000, workload-001 and 998 more" in the break-even line).
  const same = (key: 'resources' | 'onCallWidgets' | 'onCallBodyBytes' | 'costReviewWidgets' | 'costReviewBodyBytes', slack = 0) => {
    const values = fleet.map((r) => r[key]);
    if (Math.max(...values) - Math.min(...values) > slack)
      missed.push(`${key} differ: ${fleet.map((r) => `${r[key]} at ${r.models}`).join(', ')}`);
  };
  for (const key of ['resources', 'onCallWidgets', 'costReviewWidgets'] as const) same(key);
  for (const key of ['onCallBodyBytes', 'costReviewBodyBytes'] as const) same(key, COUNT_DIGITS_SLACK);
  for (const r of fleet) {
    if (r.resources > FLEET_TARGETS.resources)
      missed.push(`${r.resources} resources at ${r.models} models (target <= ${FLEET_TARGETS.resources})`);
    if (r.onCallWidgets > FLEET_TARGETS.onCallWidgets) missed.push(`${r.onCallWidgets} on-call widgets at ${r.models} models`);
    if (r.onCallBodyBytes > FLEET_TARGETS.onCallBodyBytes) missed.push(`on-call body ${r.onCallBodyBytes} bytes at ${r.models} models`);
  }
  const at1000 = fleet.find((r) => r.models === 1000);
  if (at1000 && at1000.synthMs > FLEET_TARGETS.synthMsAt1000)
    missed.push(`synth ${at1000.synthMs.toFixed(0)} ms at 1,000 models (target <= ${FLEET_TARGETS.synthMsAt1000})`);
  return missed;
}

/** The markdown table `npm run bench` prints, and the fleet targets missed. */
export async function synthBench(): Promise<{ text: string; missed: string[] }> {
  synthFigures(3); // warm-up: module loading is not synth time
  // The best of 3 synths at each size: the machine's other load is not synth time.
  const best = (n: number) => [0, 1, 2].map(() => synthFigures(n)).reduce((a, b) => (b.synthMs < a.synthMs ? b : a));
  const fleet = [3, 100, 1000].map(best);
  const precise = [1, 10, 100].map((n) => synthFigures(n, false, true));
  const lines = [
    '## Synth at scale (in-process, bundling skipped, built-in validation off)',
    '',
    '| models | mode | synth ms | template KB | on-call widgets / KB | cost-review widgets / KB | resources | alarms | alarm cost USD/month |',
    '| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...[...fleet, ...precise].map(
      (r) =>
        `| ${r.models} | ${r.precise ? 'precise' : 'fleet'} | ${r.synthMs.toFixed(0)} | ${kb(r.templateBytes)} | ${r.onCallWidgets} / ${kb(r.onCallBodyBytes)} | ${r.costReviewWidgets} / ${kb(r.costReviewBodyBytes)} | ${r.resources} | ${r.alarms} | ${r.monthlyAlarmCostUSD.toFixed(2)} + ${r.fleetAlarmUsdPerModel.toFixed(2)} per model seen |`,
    ),
  ];
  const at100 = precise[2];
  const arns = synthFigures(100, true, true);
  const missed = missedTargets(fleet);
  lines.push(
    '',
    `- fleet mode, 3 to 1,000 models: ${missed.length === 0 ? `every target met (resources the same, <= ${FLEET_TARGETS.resources}; on-call widgets the same, <= ${FLEET_TARGETS.onCallWidgets}; bodies the same but for the digits of one count, <= 30 KB; synth <= ${FLEET_TARGETS.synthMsAt1000} ms at 1,000)` : `missed: ${missed.join('; ')}`}`,
    `- template at 100 precise models: ${at100.templateBytes} bytes, ${((100 * at100.templateBytes) / TEMPLATE_LIMIT_BYTES).toFixed(1)}% of CloudFormation's ${TEMPLATE_LIMIT_BYTES}`,
    `- with application inference profile ARNs as model ids (93 characters, the longest): ${arns.templateBytes} bytes, ${((100 * arns.templateBytes) / TEMPLATE_LIMIT_BYTES).toFixed(1)}%`,
    `- on-call body per added precise model: ${((precise[2].onCallBodyBytes - precise[1].onCallBodyBytes) / 90).toFixed(0)} bytes (its status entries)`,
  );
  return { text: lines.join('\n'), missed };
}
