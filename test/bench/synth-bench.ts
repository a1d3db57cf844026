/**
 * Synth scale bench: the monitoring stack with 1, 10 and 100 configured models (each priced), in fleet mode (the
 * default: the fleet alarms watch them all, so nothing grows with the model count) and in precise mode (three alarms
 * of its own per model), the latter also with application inference profile ARNs (the longest model ids) as model ids.
 * Prints synth time, template size (as written to cdk.out, indented as `cdk synth` writes it), each dashboard body's
 * size, the resource and alarm counts and the alarms' monthly cost.
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
  readonly costReviewBodyBytes: number;
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
    const bodyOf = (title: string) => bodies.find((b) => b.text.includes(title))?.text.length ?? 0;
    const onCall = bodyOf('## Paged? start here');
    const costReview = bodyOf('## Bedrock prompt cache: cost review');
    const planned = plannedResources(stack.monitoring.alarms.plan);
    return {
      models: n,
      precise,
      synthMs,
      templateBytes: Buffer.byteLength(text),
      onCallBodyBytes: onCall,
      costReviewBodyBytes: costReview,
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

/** The markdown table `npm run bench` prints. */
export async function synthBench(): Promise<string> {
  synthFigures(1); // warm-up: module loading is not synth time
  const fleet = [1, 10, 100].map((n) => synthFigures(n));
  const precise = [1, 10, 100].map((n) => synthFigures(n, false, true));
  const lines = [
    '## Synth at scale (in-process, bundling skipped, built-in validation off)',
    '',
    '| models | mode | synth ms | template KB | on-call body KB | cost-review body KB | resources | alarms | alarm cost USD/month |',
    '| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...[...fleet, ...precise].map(
      (r) =>
        `| ${r.models} | ${r.precise ? 'precise' : 'fleet'} | ${r.synthMs.toFixed(0)} | ${kb(r.templateBytes)} | ${kb(r.onCallBodyBytes)} | ${kb(r.costReviewBodyBytes)} | ${r.resources} | ${r.alarms} | ${r.monthlyAlarmCostUSD.toFixed(2)} + ${r.fleetAlarmUsdPerModel.toFixed(2)} per model seen |`,
    ),
  ];
  const at100 = precise[2];
  const arns = synthFigures(100, true, true);
  const grows = (rows: SynthFigures[], key: 'onCallBodyBytes' | 'costReviewBodyBytes' | 'resources') =>
    rows[2][key] === rows[0][key] ? 'constant' : `${rows[2][key] - rows[0][key]} more from 1 to 100 models`;
  lines.push(
    '',
    `- fleet mode: resources ${grows(fleet, 'resources')}; on-call body ${grows(fleet, 'onCallBodyBytes')}; cost-review body ${grows(fleet, 'costReviewBodyBytes')}`,
    `- template at 100 precise models: ${at100.templateBytes} bytes, ${((100 * at100.templateBytes) / TEMPLATE_LIMIT_BYTES).toFixed(1)}% of CloudFormation's ${TEMPLATE_LIMIT_BYTES} (bar: under 50%)`,
    `- with application inference profile ARNs as model ids (93 characters, the longest): ${arns.templateBytes} bytes, ${((100 * arns.templateBytes) / TEMPLATE_LIMIT_BYTES).toFixed(1)}%`,
    `- on-call body per added precise model: ${((precise[2].onCallBodyBytes - precise[1].onCallBodyBytes) / 90).toFixed(0)} bytes (its status entries)`,
  );
  return lines.join('\n');
}
