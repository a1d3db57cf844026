/** The eslint rule that keeps lambda/core pure (eslint.config.mjs): one probe file, linted as if in the core and elsewhere. */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

const REPO = resolve(__dirname, '../..');
const WHY = 'lambda/core is pure (no AWS, no I/O, no clock, no env): do this in lambda/aws or a handler and pass the result in.';

const PROBE = [
  "import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';",
  "import type { Duration } from 'aws-cdk-lib';",
  "import { Construct } from 'constructs';",
  "import { readFileSync } from 'node:fs';",
  "import { readFile } from 'fs/promises';",
  "import { execFileSync } from 'node:child_process';",
  "export { request } from 'node:https';",
  'export const a = [CloudWatchClient, Construct, readFileSync, readFile, execFileSync] as unknown as Duration;',
  'export const env = process.env.PROMPT_CACHE_CONFIG;',
  'export const now = [Date.now(), new Date(), Date(), new Date(0)];',
  "export const lazy = import('node:net');",
  '',
].join('\n');

/** `line:column rule message` for each problem eslint reports on PROBE as the file `path`. */
function lint(path: string): string[] {
  const run = spawnSync(process.execPath, ['node_modules/eslint/bin/eslint.js', '--stdin', '--stdin-filename', path, '--format', 'json'], {
    cwd: REPO,
    input: PROBE,
    encoding: 'utf8',
  });
  const [result] = JSON.parse(run.stdout) as { messages: { line: number; column: number; ruleId: string; message: string }[] }[];
  return result.messages.map((m) => `${m.line}:${m.column} ${m.ruleId} ${m.message}`);
}

test('AWS, CDK, node I/O, dynamic imports, process.env and the clock are refused in lambda/core, saying why', () => {
  const want = [
    `1:1 no-restricted-imports '@aws-sdk/client-cloudwatch' import is restricted from being used by a pattern. ${WHY}`,
    `2:1 no-restricted-imports 'aws-cdk-lib' import is restricted from being used. ${WHY}`,
    `3:1 no-restricted-imports 'constructs' import is restricted from being used. ${WHY}`,
    `4:1 no-restricted-imports 'node:fs' import is restricted from being used. ${WHY}`,
    `5:1 no-restricted-imports 'fs/promises' import is restricted from being used. ${WHY}`,
    `6:1 no-restricted-imports 'node:child_process' import is restricted from being used. ${WHY}`,
    `7:1 no-restricted-imports 'node:https' import is restricted from being used. ${WHY}`,
    `9:20 no-restricted-properties 'process.env' is restricted from being used. ${WHY}`,
    `10:21 no-restricted-properties 'Date.now' is restricted from being used. ${WHY}`,
    // new Date() and Date(); new Date(0) is a value, not the clock, and passes.
    `10:33 no-restricted-syntax ${WHY}`,
    `10:45 no-restricted-syntax ${WHY}`,
    `11:21 no-restricted-syntax ${WHY}`,
  ];
  expect(lint('lambda/core/probe.ts')).toEqual(want);
  expect(lint('lambda/core/config/probe.ts')).toEqual(want);
});

test('the adapters and handlers may do all of it', () => {
  expect(lint('lambda/aws/probe.ts')).toEqual([]);
  expect(lint('lambda/handlers/probe.ts')).toEqual([]);
});
