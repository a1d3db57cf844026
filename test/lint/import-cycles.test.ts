/**
 * No import cycle in lambda/ or lib/, type-only imports included: a cycle makes load order matter and ties modules
 * that should stand alone (the config and the prices once imported each other). Built on the TypeScript compiler
 * already installed, so the check needs no extra tool.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import ts from 'typescript';

const REPO = resolve(__dirname, '../..');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(path);
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [path] : [];
  });
}

/**
 * Cycles among the files under `dirs` (at least one wherever there is any), each as the paths around it relative to
 * `root`, the first file again at the end.
 */
function importCycles(root: string, dirs: readonly string[]): string[][] {
  const files = dirs.flatMap((d) => sourceFiles(join(root, d))).sort();
  const inScope = new Set(files);
  const options: ts.CompilerOptions = { module: ts.ModuleKind.CommonJS, moduleResolution: ts.ModuleResolutionKind.Node10 };
  const edges = new Map<string, string[]>();
  for (const file of files) {
    // preProcessFile lists `import`, `import type`, `export … from` and `import()` alike.
    const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    const targets = importedFiles
      .map((f) => ts.resolveModuleName(f.fileName, file, options, ts.sys).resolvedModule?.resolvedFileName)
      .filter((t): t is string => t !== undefined && inScope.has(t));
    edges.set(file, [...new Set(targets)].sort());
  }
  // Depth-first search; a back edge to a file on the current path closes a cycle.
  const cycles: string[][] = [];
  const done = new Set<string>();
  const path: string[] = [];
  const visit = (file: string) => {
    path.push(file);
    for (const next of edges.get(file) ?? []) {
      const at = path.indexOf(next);
      if (at >= 0) cycles.push([...path.slice(at), next].map((f) => relative(root, f)));
      else if (!done.has(next)) visit(next);
    }
    path.pop();
    done.add(file);
  };
  for (const file of files) if (!done.has(file)) visit(file);
  return cycles;
}

test('lambda/ and lib/ have no import cycle', () => {
  expect(importCycles(REPO, ['lambda', 'lib'])).toEqual([]);
});

test('the check finds a cycle, type-only and through an index, when there is one', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cycles-'));
  try {
    writeFileSync(join(dir, 'a.ts'), "import { b } from './b';\nexport const a = b;\n");
    writeFileSync(join(dir, 'b.ts'), "import type { C } from './c';\nexport const b: C = 1;\n");
    mkdirSync(join(dir, 'c'));
    writeFileSync(join(dir, 'c', 'index.ts'), "export { a as C2 } from '../a';\nexport type C = number;\n");
    writeFileSync(join(dir, 'd.ts'), "import { a } from './a';\nexport const d = a;\n");
    expect(importCycles(dir, ['.'])).toEqual([['a.ts', 'b.ts', 'c/index.ts', 'a.ts']]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
