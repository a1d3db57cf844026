/**
 * CloudFormation's template limits: 1,000,000 bytes, and on the runbooks' shared texts at most 200 attributes
 * (top-level keys) per mapping and 200 mappings per template. Only precise models (`models[].alarms.mode: "precise"`)
 * have alarms of their own, so the worst case the synth-time checks admit is one of precise models; it is synthesized
 * and linted by cfn-lint (pinned in .venv); one more model, or a stack that would need more than 200 mappings, is
 * refused at synth.
 */
process.env.CDK_VALIDATION = 'false';

import { App, CfnMapping, Stack } from 'aws-cdk-lib';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PromptCacheMonitoring, PromptCacheMonitoringStack, parseConfig, type PromptCacheConfig } from '../../lib';
import { MAPPING_ATTRIBUTES_MAX } from '../../lib/alarms';
import { exampleConfig, ROOT } from './template-helpers';

const CFN_LINT = join(ROOT, '.venv', 'bin', 'cfn-lint');
const STACK = 'BedrockPromptCacheMonitoring';

/**
 * `n` precise models, each with a unique 64-character display name (stored once, shared by its alarms), priced in
 * pairs: a shared text needs two alarms with the same text, so two models per price make the most shared heads (what
 * fired, what it means) and cost tails (the break-even); one model per price would leave them inline. `families` off
 * are disabled for all models.
 */
function sharedTextHeavyConfig(n: number, perPrice: number, off: readonly string[] = []): PromptCacheConfig {
  const id = (i: number) => String(i).padStart(3, '0');
  const pricing: Record<string, unknown> = {};
  for (let k = 0; k * perPrice < n; k++) {
    // A distinct write price per group: distinct premiums and break-even ratios (0.1 % apart at least).
    pricing[`price-group-${k}`] = {
      inputPerMTok: 3,
      outputPerMTok: 15,
      cacheWritePerMTok: Math.round((3.5 + 0.01 * k) * 1e6) / 1e6,
      cacheReadPerMTok: 0.3,
    };
  }
  return parseConfig(
    {
      models: Array.from({ length: n }, (_, i) => ({
        modelId: `arn:aws:bedrock:us-east-1:111122223333:application-inference-profile/bench${id(i)}x7k2q9`,
        displayName: `workload-${id(i)}-`.padEnd(64, 'x'),
        priceAs: `price-group-${Math.floor(i / perPrice)}`,
        alarms: { mode: 'precise' },
      })),
      pricing,
      alarms: Object.fromEntries(off.map((f) => [f, { enabled: false }])),
    },
    'test',
  );
}

interface Synthesized {
  file: string;
  bytes: number;
  resources: number;
  mappings: Record<string, number>;
}

const outdirs: string[] = [];
afterAll(() => outdirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** The ready stack synthesized in-process (bundling skipped: the Lambda code does not matter here) into a temp dir. */
function synth(config: PromptCacheConfig): Synthesized {
  const outdir = mkdtempSync(join(tmpdir(), 'prompt-cache-limits-'));
  outdirs.push(outdir);
  const app = new App({ outdir, context: { 'aws:cdk:bundling-stacks': [] } });
  new PromptCacheMonitoringStack(app, STACK, { config });
  app.synth();
  const file = join(outdir, `${STACK}.template.json`);
  const text = readFileSync(file, 'utf8');
  const t = JSON.parse(text) as { Resources: object; Mappings?: Record<string, object> };
  return {
    file,
    bytes: Buffer.byteLength(text),
    resources: Object.keys(t.Resources).length,
    mappings: Object.fromEntries(Object.entries(t.Mappings ?? {}).map(([k, v]) => [k, Object.keys(v).length])),
  };
}

describe('the worst case admitted: precise models up to the template-size limit', () => {
  // Precise models are the only alarms that grow with the models (the notifier knows them by name, so its environment
  // does not): with 64-character names, priced in pairs, 112 fit CloudFormation's 1,000,000 bytes (the shared texts in
  // one mapping, far from its 200 keys and from 500 resources); the 113th is refused at synth, naming the fixes.
  const config = sharedTextHeavyConfig(112, 2);
  let s: Synthesized;
  beforeAll(() => {
    s = synth(config);
  }, 60_000);

  test('112 precise models: the shared texts fit one mapping; 997,309 bytes, under 1,000,000', () => {
    expect([s.mappings, s.resources, s.bytes]).toEqual([{ Runbooksb49000: 113, ConsoleHost: 3 }, 390, 997_309]);
    expect(Object.values(s.mappings).every((keys) => keys <= MAPPING_ATTRIBUTES_MAX)).toBe(true);
  });

  test('113 are refused at synth by the template-size check, with the fixes', () => {
    expect(() => synth(sharedTextHeavyConfig(113, 2))).toThrow(
      "models: the template of stack BedrockPromptCacheMonitoring would be 1,005,616 bytes with these 113 models, over CloudFormation's 1,000,000. Pin bedrockMetricNames.cacheReadInputTokens",
    );
  });

  test('cfn-lint: 0 errors, 0 warnings', () => {
    if (!existsSync(CFN_LINT)) throw new Error(`${CFN_LINT} missing: run \`npm run venv\` (test/support/provision-venv.sh)`);
    const r = spawnSync(CFN_LINT, [s.file], { cwd: ROOT, encoding: 'utf8', timeout: 240_000 });
    expect({ status: r.status, stdout: r.stdout, stderr: r.stderr }).toEqual({ status: 0, stdout: '', stderr: '' });
  }, 300_000);
});

describe('more than 200 mappings in the template is refused at synth, with the fix', () => {
  /**
   * A stack that already holds `n` mappings of its own, and the construct with the example config, its support-bot
   * priced as claims-triage's Haiku 4.5 so that their low-hit-ratio runbooks share a text (1 runbook mapping).
   */
  function withOwnMappings(n: number): Stack {
    const stack = new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Team');
    for (let i = 0; i < n; i++) new CfnMapping(stack, `Own${i}`, { mapping: { k: { v: String(i) } } });
    const example = exampleConfig();
    const config = parseConfig(
      { ...example, models: example.models.map((m, i) => (i === 0 ? { ...m, priceAs: 'anthropic.claude-haiku-4-5-20251001-v1:0' } : m)) },
      'test',
    );
    new PromptCacheMonitoring(stack, 'Cache', { config, publisher: false });
    return stack;
  }

  test('198 own mappings, the console host and the runbooks: 200, allowed', () => {
    expect(
      withOwnMappings(198)
        .node.findAll()
        .filter((c) => c instanceof CfnMapping).length,
    ).toBe(200);
  });

  test('199 own mappings: 201, refused', () => {
    expect(() => withOwnMappings(199)).toThrow(
      'invalid config in PromptCacheMonitoring Team/Cache:\n' +
        "  - models: the runbooks of 3 models share 2 texts, 1 template mappings of at most 200, and stack Team already has 200: over CloudFormation's limit of 200 mappings per template. " +
        'Give the models shorter display names (under 48 characters a name is not shared), turn alarm families off (alarms.<family>.enabled: false), remove mappings from the stack, or split the models across stacks.',
    );
  });
});
