/**
 * The package as a new user gets it: `npm pack` (which builds dist/), the tarball installed into a fresh app under the
 * OS temp dir (nowhere to resolve this repository's node_modules from; no esbuild installed; Docker made unusable), the
 * construct synthesized from a TypeScript app type-checked with `cdk init`'s own tsconfig and compiled, and from a plain
 * JavaScript app that also runs cdk-nag as bin/app.ts does. Then the local-path install that copies (--install-links).
 * npm's cache is warm after `npm ci`: every install is --prefer-offline.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { PromptCacheMonitoring } from '../../lib';

const ROOT = join(__dirname, '..', '..');
const PACKAGE = 'bedrock-prompt-cache-monitoring';
const MODEL = 'us.anthropic.claude-3-7-sonnet-20250219-v1:0';
const devDependencies = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> })
  .devDependencies;
// The peers at the versions we test with, and the types cdk init's tsconfig names; cdk-nag for the JavaScript app.
const APP_DEPENDENCIES = ['aws-cdk-lib', 'constructs', '@types/node', '@types/jest', 'cdk-nag'].map(
  (name) => `${name}@${devDependencies[name]}`,
);

/** The environment of a user's shell: none of npm's variables of the `npm test` that runs jest, nor jest's own. */
function userEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(
      ([key]) => !/^(npm_|jest_)/i.test(key) && !['NODE_ENV', 'INIT_CWD', 'CDK_CONTEXT_JSON', 'CDK_OUTDIR'].includes(key),
    ),
  );
  return { ...env, ...extra };
}

function npm(cwd: string, ...args: string[]): string {
  return execFileSync('npm', [...args, '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], {
    cwd,
    env: userEnv(),
    encoding: 'utf8',
    stdio: 'pipe',
    timeout: 180_000,
  });
}

/** A synth as `cdk synth` runs the app: CDK_OUTDIR set; Docker, if anything tried it, fails. */
function synth(app: string, script: string, outdir: string): void {
  execFileSync(process.execPath, [script], {
    cwd: app,
    env: userEnv({ CDK_OUTDIR: outdir, CDK_DOCKER: join(app, 'no-docker-here') }),
    encoding: 'utf8',
    stdio: 'pipe',
    timeout: 120_000,
  });
}

interface Resource {
  Type: string;
  Properties: {
    Handler?: string;
    Runtime?: string;
    Architectures?: string[];
    Code?: { S3Key: string };
    Environment?: { Variables: Record<string, unknown> };
  };
}

/** The pre-bundled handler (dist/bundles/<handler>) of each function, by its service name. */
const HANDLER_OF_SERVICE: Record<string, string> = {
  'prompt-cache-publisher': 'publisher',
  'prompt-cache-bill-check': 'bill',
  'prompt-cache-digest': 'digest',
  'prompt-cache-notifier': 'notifier',
};

/** Each Lambda function of a synthesized stack: how it runs, and what its asset directory holds. */
function functions(app: string, outdir: string, stack: string) {
  const template = JSON.parse(readFileSync(join(outdir, `${stack}.template.json`), 'utf8')) as { Resources: Record<string, Resource> };
  return Object.values(template.Resources)
    .filter((r) => r.Type === 'AWS::Lambda::Function')
    .map((r) => {
      const vars = r.Properties.Environment?.Variables ?? {};
      const service = String(vars.POWERTOOLS_SERVICE_NAME);
      const asset = join(outdir, `asset.${r.Properties.Code?.S3Key.replace(/\.zip$/, '')}`);
      const packaged = join(app, 'node_modules', PACKAGE, 'dist', 'bundles', HANDLER_OF_SERVICE[service] ?? service, 'index.js');
      const config = JSON.parse(readFileSync(join(asset, 'prompt-cache-config.json'), 'utf8')) as {
        namespace: string;
        models: Array<{ modelId: string }>;
      };
      return {
        service,
        handler: r.Properties.Handler,
        runtime: r.Properties.Runtime,
        architectures: r.Properties.Architectures,
        configFile: vars.PROMPT_CACHE_CONFIG_FILE,
        inlinedConfig: vars.PROMPT_CACHE_CONFIG,
        files: readdirSync(asset).sort(),
        config: [config.namespace, config.models.map((m) => m.modelId)],
        // The code that deploys is the bundle that shipped, byte for byte.
        shippedBundle: readFileSync(join(asset, 'index.js')).equals(readFileSync(packaged)),
      };
    });
}

const EXPECTED_FUNCTIONS = ['prompt-cache-publisher', 'prompt-cache-bill-check', 'prompt-cache-digest', 'prompt-cache-notifier'].map(
  (service) => ({
    service,
    handler: 'index.handler',
    runtime: 'nodejs24.x',
    architectures: ['arm64'],
    configFile: 'prompt-cache-config.json',
    inlinedConfig: undefined,
    files: ['index.js', 'index.js.map', 'prompt-cache-config.json'],
    config: ['BedrockPromptCache', [MODEL]],
    shippedBundle: true,
  }),
);

const TS_APP = `#!/usr/bin/env node
import { App, Stack } from 'aws-cdk-lib';
import { PromptCacheMonitoring } from '${PACKAGE}';

const app = new App();
const stack = new Stack(app, 'TsApp');
new PromptCacheMonitoring(stack, 'PromptCache', { config: { models: [{ modelId: '${MODEL}' }] } });
`;

const JS_APP = `const { App, Stack, Validations } = require('aws-cdk-lib');
const { AwsSolutionsChecks } = require('cdk-nag');
const { PromptCacheMonitoring } = require('${PACKAGE}');

const app = new App();
new PromptCacheMonitoring(new Stack(app, 'JsApp'), 'PromptCache', { config: { models: [{ modelId: '${MODEL}' }] } });
Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
`;

let root: string;
let app: string;
let packed: { filename: string; size: number; entryCount: number; files: Array<{ path: string }> };

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'prompt-cache-embed-'));
  packed = (JSON.parse(npm(ROOT, 'pack', '--json', '--pack-destination', root)) as Array<typeof packed>)[0];
  app = join(root, 'app');
  mkdirSync(join(app, 'bin'), { recursive: true });
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'embed-app', version: '0.0.0', private: true }));
  npm(app, 'install', join(root, packed.filename), ...APP_DEPENDENCIES);
  // cdk init's own tsconfig, from the CDK CLI we pin, as `cdk init app --language typescript` writes it.
  copyFileSync(
    join(ROOT, 'node_modules', 'aws-cdk', 'lib', 'init-templates', 'app', 'typescript', 'tsconfig.json'),
    join(app, 'tsconfig.json'),
  );
  writeFileSync(join(app, 'bin', 'ts-app.ts'), TS_APP);
  writeFileSync(join(app, 'bin', 'js-app.js'), JS_APP);
}, 240_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

test('the tarball holds compiled JavaScript with declarations, the CLI and the pre-bundled handlers; no source, no test', () => {
  const files = packed.files.map((f) => f.path).sort();
  expect(files.filter((f) => !/^dist\/(lib|lambda)\//.test(f))).toEqual([
    'README.md',
    'dist/bin/prompt-cache.d.ts',
    'dist/bin/prompt-cache.js',
    'dist/bundles/bill/index.js',
    'dist/bundles/bill/index.js.map',
    'dist/bundles/digest/index.js',
    'dist/bundles/digest/index.js.map',
    'dist/bundles/notifier/index.js',
    'dist/bundles/notifier/index.js.map',
    'dist/bundles/publisher/index.js',
    'dist/bundles/publisher/index.js.map',
    'package.json',
  ]);
  // Every module of lib/ and lambda/ as .js and .d.ts, the data they import (the price catalog), and nothing else.
  const sources = (dir: string): string[] =>
    readdirSync(join(ROOT, dir), { recursive: true, encoding: 'utf8' }).flatMap((f) =>
      f.endsWith('.ts')
        ? [`dist/${dir}/${f.replace(/\.ts$/, '.d.ts')}`, `dist/${dir}/${f.replace(/\.ts$/, '.js')}`]
        : f.endsWith('.json')
          ? [`dist/${dir}/${f}`]
          : [],
    );
  expect(files.filter((f) => /^dist\/(lib|lambda)\//.test(f))).toEqual([...sources('lib'), ...sources('lambda')].sort());
  expect(packed.entryCount).toBe(files.length);
});

test('the app resolves the package as a copy with its peers from the app; esbuild is nowhere to be found', () => {
  // Node's own resolution, from the app's folder, as the app's code resolves.
  const probe = `console.log(JSON.stringify(process.argv.slice(1).map((r) => { try { return require('fs').realpathSync(require.resolve(r)); } catch (e) { return e.code; } })))`;
  const resolved = JSON.parse(
    execFileSync(process.execPath, ['-e', probe, PACKAGE, 'aws-cdk-lib', 'constructs', 'esbuild'], {
      cwd: app,
      env: userEnv(),
      encoding: 'utf8',
    }),
  );
  const real = realpathSync(app);
  expect(resolved).toEqual([
    join(real, 'node_modules', PACKAGE, 'dist', 'lib', 'index.js'),
    join(real, 'node_modules', 'aws-cdk-lib', 'index.js'),
    join(real, 'node_modules', 'constructs', 'lib', 'index.js'),
    'MODULE_NOT_FOUND',
  ]);
  expect(lstatSync(join(app, 'node_modules', PACKAGE)).isSymbolicLink()).toBe(false);
  // The CLI is linked as a bin.
  expect(
    execFileSync(join(app, 'node_modules', '.bin', 'prompt-cache'), ['--help'], { env: userEnv(), encoding: 'utf8' }).split('\n')[0],
  ).toBe('Usage: prompt-cache [options] [command]');
});

test('a TypeScript app (cdk init tsconfig) type-checks, compiles and synthesizes the construct with the shipped bundles', () => {
  const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  // The default tsconfig only type-checks (noEmit): the same settings compile, with no diagnostic, for a compiled-JS run.
  expect(
    execFileSync(process.execPath, [tsc, '-p', 'tsconfig.json', '--noEmit', 'false', '--rootDir', '.', '--outDir', 'build'], {
      cwd: app,
      encoding: 'utf8',
    }),
  ).toBe('');
  const outdir = join(root, 'ts-out');
  synth(app, join('build', 'bin', 'ts-app.js'), outdir);
  expect(functions(app, outdir, 'TsApp')).toEqual(EXPECTED_FUNCTIONS);

  // The same stack from this repository's source (NodejsFunction, config inlined) differs only in the code's asset
  // and the config file's name: what cdk-nag, checkov and cfn-lint check on the source holds for the package.
  const sourceOut = join(root, 'source-out');
  const source = new App({ outdir: sourceOut, context: { 'aws:cdk:bundling-stacks': [] } });
  new PromptCacheMonitoring(new Stack(source, 'TsApp'), 'PromptCache', { config: { models: [{ modelId: MODEL }] } });
  source.synth();
  const normalized = (dir: string) =>
    readFileSync(join(dir, 'TsApp.template.json'), 'utf8')
      .replace(/"S3Key": "[0-9a-f]{64}\.zip"/g, '"S3Key": "ASSET.zip"')
      .replace(/,\s*"PROMPT_CACHE_CONFIG_FILE": "prompt-cache-config.json"/g, '');
  expect(normalized(outdir)).toBe(normalized(sourceOut));
});

test('a JavaScript app synthesizes it too, with no unacknowledged cdk-nag finding', () => {
  const outdir = join(root, 'js-out');
  synth(app, join('bin', 'js-app.js'), outdir);
  expect(functions(app, outdir, 'JsApp')).toEqual(EXPECTED_FUNCTIONS);
  const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')) as {
    pluginReports: Array<{ pluginName: string; conclusion: string; violations: unknown[] }>;
  };
  expect(report.pluginReports.map((p) => [p.pluginName, p.conclusion, p.violations])).toEqual([['AwsSolutions', 'success', []]]);
});

test('a local-path install with --install-links copies the package (a plain `npm install ../path` links it)', () => {
  // Inside the first app, whose peers it shares (as in a monorepo), so that only the package and its dependencies install.
  const linked = join(app, 'linked');
  mkdirSync(join(linked, 'bin'), { recursive: true });
  writeFileSync(join(linked, 'package.json'), JSON.stringify({ name: 'linked-app', version: '0.0.0', private: true }));
  npm(linked, 'install', '--install-links', '--legacy-peer-deps', ROOT);
  expect(lstatSync(join(linked, 'node_modules', PACKAGE)).isSymbolicLink()).toBe(false);
  writeFileSync(join(linked, 'bin', 'js-app.js'), JS_APP);
  const outdir = join(root, 'linked-out');
  synth(linked, join('bin', 'js-app.js'), outdir);
  expect(functions(linked, outdir, 'JsApp')).toEqual(EXPECTED_FUNCTIONS);
});
