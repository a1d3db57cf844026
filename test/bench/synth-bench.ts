/**
 * Synth scale bench: the monitoring stack with 1, 10 and 100 configured models (application inference profile ARNs,
 * the longest model ids, each priced, so every model gets all three alarm families). Prints synth time, template size
 * (as written to cdk.out, indented as `cdk synth` writes it), each dashboard body's size and the resource count.
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
import { benchConfig } from '../support/configs';

/** CloudFormation's template size limit as aws-cdk-lib checks it (bytes); the bench's bar is half of it. */
export const TEMPLATE_LIMIT_BYTES = 1_000_000;

export interface SynthFigures {
  readonly models: number;
  readonly synthMs: number;
  readonly templateBytes: number;
  readonly onCallBodyBytes: number;
  readonly costReviewBodyBytes: number;
  readonly resources: number;
  readonly alarms: number;
  readonly monthlyAlarmCostUSD: number;
}

/** One synth of the full stack with `n` models (`long`: ARNs as model ids). */
export function synthFigures(n: number, long = false): SynthFigures {
  const previous = process.env.CDK_VALIDATION;
  process.env.CDK_VALIDATION = 'false';
  const outdir = mkdtempSync(join(tmpdir(), 'synth-bench-'));
  try {
    const config = benchConfig(n, long);
    const started = performance.now();
    const app = new App({ outdir, context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new PromptCacheMonitoringStack(app, 'BedrockPromptCacheMonitoring', { config });
    const assembly = app.synth();
    const synthMs = performance.now() - started;
    const artifact = assembly.getStackByName(stack.stackName);
    const text = readFileSync(join(outdir, artifact.templateFile), 'utf8');
    const template = JSON.parse(text) as { Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }> };
    const bodies = dashboardBodies(template);
    const bodyOf = (title: string) => bodies.find((b) => b.text.includes(title))?.text.length ?? 0;
    const onCall = bodyOf('## Bedrock prompt cache: on-call');
    const costReview = bodyOf('## Bedrock prompt cache: cost review');
    const planned = plannedResources(stack.monitoring.alarms.plan);
    return {
      models: n,
      synthMs,
      templateBytes: Buffer.byteLength(text),
      onCallBodyBytes: onCall,
      costReviewBodyBytes: costReview,
      resources: Object.keys(template.Resources).length,
      alarms: planned.metricAlarms + planned.compositeAlarms,
      monthlyAlarmCostUSD: planned.monthlyAlarmCostUSD,
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
  const rows = [1, 10, 100].map((n) => synthFigures(n));
  const lines = [
    '## Synth at scale (in-process, bundling skipped, built-in validation off)',
    '',
    '| models | synth ms | template KB | on-call body KB | cost-review body KB | resources | alarms | alarm cost USD/month |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map(
      (r) =>
        `| ${r.models} | ${r.synthMs.toFixed(0)} | ${kb(r.templateBytes)} | ${kb(r.onCallBodyBytes)} | ${kb(r.costReviewBodyBytes)} | ${r.resources} | ${r.alarms} | ${r.monthlyAlarmCostUSD.toFixed(2)} |`,
    ),
  ];
  const at100 = rows[2];
  const arns = synthFigures(100, true);
  const perModelBody = (rows[2].onCallBodyBytes - rows[1].onCallBodyBytes) / 90;
  lines.push(
    '',
    `- template at 100 models: ${at100.templateBytes} bytes, ${((100 * at100.templateBytes) / TEMPLATE_LIMIT_BYTES).toFixed(1)}% of CloudFormation's ${TEMPLATE_LIMIT_BYTES} (bar: under 50%)`,
    `- with application inference profile ARNs as model ids (93 characters, the longest): ${arns.templateBytes} bytes, ${((100 * arns.templateBytes) / TEMPLATE_LIMIT_BYTES).toFixed(1)}%`,
    `- on-call body per added model: ${perModelBody.toFixed(0)} bytes (its alarm widget and status entries); cost-review body: ${rows[0].costReviewBodyBytes === rows[2].costReviewBodyBytes ? 'constant' : 'GROWS'}`,
  );
  return lines.join('\n');
}
