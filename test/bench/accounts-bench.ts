/**
 * Many accounts: 50 accounts × 3 regions (150 targets) and a monitoring account, synthesized as `cdk synth` would
 * (in-process, bundling skipped, built-in validation off): the number of stacks, the synth time against the target
 * (under a minute), the largest template and resource count against CloudFormation's limits, and the roll-up's
 * resources at 3 and at 1,000 models (they must not grow with the models).
 */
import { App } from 'aws-cdk-lib';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../lambda/core/config';
import { addPromptCacheStacks } from '../../lib/prompt-cache-app';
import { benchConfig } from '../support/configs';

export const ACCOUNTS_TARGETS = { synthMs: 60_000, templateBytes: 1_000_000, resources: 500 } as const;
const REGIONS = ['us-east-1', 'eu-west-1', 'ap-northeast-1'] as const;
const MONITORING = '100000000000';

interface AccountsFigures {
  readonly stacks: number;
  readonly synthMs: number;
  readonly largestTemplateBytes: number;
  readonly mostResources: number;
  readonly rollupResources: number;
}

function synthAccounts(models: number): AccountsFigures {
  const previous = process.env.CDK_VALIDATION;
  process.env.CDK_VALIDATION = 'false';
  const outdir = mkdtempSync(join(tmpdir(), 'accounts-bench-'));
  try {
    const started = performance.now();
    const app = new App({ outdir, context: { 'aws:cdk:bundling-stacks': [] } });
    const accounts = Array.from({ length: 50 }, (_, i) => String(200000000000 + i));
    const config = parseConfig(
      {
        ...benchConfig(models),
        monitoring: {
          account: MONITORING,
          region: 'us-east-1',
          sinks: Object.fromEntries(REGIONS.map((r) => [r, `arn:aws:oam:${r}:${MONITORING}:sink/bench-${r}`])),
        },
        targets: accounts.flatMap((account) => REGIONS.map((region) => ({ account, region }))),
      },
      'bench',
    );
    const stacks = addPromptCacheStacks(app, config, 'PromptCache');
    const assembly = app.synth();
    const synthMs = performance.now() - started;
    const all = [...stacks.targets, ...(stacks.rollup ? [stacks.rollup] : []), ...stacks.sinks];
    const figures = all.map((s) => {
      const text = readFileSync(join(outdir, assembly.getStackByName(s.stackName).templateFile), 'utf8');
      return {
        name: s.stackName,
        bytes: Buffer.byteLength(text),
        resources: Object.keys((JSON.parse(text) as { Resources: object }).Resources).length,
      };
    });
    return {
      stacks: all.length,
      synthMs,
      largestTemplateBytes: Math.max(...figures.map((f) => f.bytes)),
      mostResources: Math.max(...figures.map((f) => f.resources)),
      rollupResources: figures.find((f) => f.name === 'PromptCache-Rollup')?.resources ?? 0,
    };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
    if (previous === undefined) delete process.env.CDK_VALIDATION;
    else process.env.CDK_VALIDATION = previous;
  }
}

export function accountsBench(): { text: string; missed: string[] } {
  const small = synthAccounts(3);
  const large = synthAccounts(1000);
  const missed: string[] = [];
  for (const f of [small, large]) {
    if (f.synthMs > ACCOUNTS_TARGETS.synthMs) missed.push(`synth ${f.synthMs.toFixed(0)} ms (target <= ${ACCOUNTS_TARGETS.synthMs})`);
    if (f.largestTemplateBytes > ACCOUNTS_TARGETS.templateBytes) missed.push(`a template of ${f.largestTemplateBytes} bytes`);
    if (f.mostResources > ACCOUNTS_TARGETS.resources) missed.push(`a stack of ${f.mostResources} resources`);
  }
  if (small.rollupResources !== large.rollupResources)
    missed.push(`the roll-up grows with the models: ${small.rollupResources} resources at 3, ${large.rollupResources} at 1,000`);
  const row = (models: number, f: AccountsFigures) =>
    `| ${models} | ${f.stacks} | ${(f.synthMs / 1000).toFixed(1)} | ${(f.largestTemplateBytes / 1024).toFixed(1)} | ${f.mostResources} | ${f.rollupResources} |`;
  return {
    text: [
      '## Many accounts: 50 accounts x 3 regions and a monitoring account (in-process, bundling skipped, built-in validation off)',
      '',
      '| models | stacks | synth s | largest template KB | most resources | roll-up resources |',
      '| ---: | ---: | ---: | ---: | ---: | ---: |',
      row(3, small),
      row(1000, large),
      '',
      `- ${missed.length === 0 ? `every target met (synth <= 60 s; every template <= 1 MB and 500 resources; the roll-up the same at 3 and 1,000 models)` : `missed: ${missed.join('; ')}`}`,
    ].join('\n'),
    missed,
  };
}
