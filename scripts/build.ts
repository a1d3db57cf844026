/**
 * The package's build (`npm run build`, run by `prepack`): the library, the CLI and their declarations compiled into
 * dist/, and each Lambda handler bundled by esbuild into dist/bundles/NAME with the construct's own settings, minus the
 * config, which the construct writes beside the bundle at synth. An app that embeds the package then needs neither
 * esbuild nor Docker.
 */
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { BUNDLE, handlerEntry, prebundledDir, type HandlerName } from '../lib/prompt-cache-function';

const ROOT = join(__dirname, '..');
const DIST = join(ROOT, 'dist');
export const HANDLERS: readonly HandlerName[] = ['publisher', 'digest', 'notifier', 'bill'];

/** Bundles one handler as NodejsFunction does in PromptCacheFunction (same entry and settings), without the config. */
export async function bundleHandler(name: HandlerName, outdir: string): Promise<void> {
  await build({
    entryPoints: [handlerEntry(name)],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: BUNDLE.target,
    mainFields: [...BUNDLE.mainFields],
    minify: BUNDLE.minify,
    sourcemap: BUNDLE.sourceMap,
    outfile: join(outdir, 'index.js'),
    logLevel: 'warning',
  });
}

async function main(): Promise<void> {
  // From scratch: no file of an earlier build (a renamed module, a removed handler) ships.
  rmSync(DIST, { recursive: true, force: true });
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', join(ROOT, 'tsconfig.build.json')], { stdio: 'inherit' });
  for (const name of HANDLERS) await bundleHandler(name, prebundledDir(name, join(DIST, 'lib')));
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
