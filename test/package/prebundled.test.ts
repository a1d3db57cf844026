/**
 * The packaged library's Lambda code: the handler bundled as `npm pack` bundles it (no config inside), staged as the
 * construct stages it (the config written beside the bundle), loaded in a fresh Node process and invoked as Lambda
 * would, against moto. Plus how the handlers read that file (PROMPT_CACHE_CONFIG_FILE) and what they say when it fails.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../lambda/core/config';
import { readDigestEnv } from '../../lambda/handlers/digest';
import { CONFIG_FILE_NAME } from '../../lambda/handlers/env';
import { readEnv } from '../../lambda/handlers/publisher';
import { stagePrebundled } from '../../lib/prompt-cache-function';
import { bundleHandler } from '../../scripts/build';
import { BUNDLE_MODEL, expectOneRunPublished, runPublisherBundle } from '../support/bundle-run';

const REGION = 'ap-southeast-7'; // this file's own moto region
const MODEL = BUNDLE_MODEL;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'prompt-cache-prebundled-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('the pre-bundled publisher, staged with its config file, runs the handler and publishes', async () => {
  const bundle = join(dir, 'bundle');
  await bundleHandler('publisher', bundle);
  // Built without a config: the expression the source build replaces is still there, so it reads the environment.
  expect(readFileSync(join(bundle, 'index.js'), 'utf8')).toContain('process.env.PROMPT_CACHE_CONFIG');
  const code = join(dir, 'code');
  mkdirSync(code);
  const config = parseConfig(
    { namespace: 'PrebundledTest', models: [{ modelId: MODEL }], publisher: { initialLookbackHours: 2, settleDelayMinutes: 0 } },
    'test',
  );
  stagePrebundled(bundle, code, config);
  expect(readdirSync(code).sort()).toEqual(['index.js', 'index.js.map', 'prompt-cache-config.json']);
  expect(JSON.parse(readFileSync(join(code, CONFIG_FILE_NAME), 'utf8'))).toEqual(config);

  // The function's environment as the construct sets it: the file's name, no config; run from elsewhere, so the file
  // is found beside the bundle, not in the working directory.
  const env = { PROMPT_CACHE_CONFIG: '', PROMPT_CACHE_CONFIG_FILE: CONFIG_FILE_NAME };
  expectOneRunPublished(
    await runPublisherBundle({ entry: join(code, 'index.js'), dir, region: REGION, table: 'prebundled-ledger', env, cwd: tmpdir() }),
  );
});

describe('PROMPT_CACHE_CONFIG_FILE', () => {
  test('names the config file the handlers read when PROMPT_CACHE_CONFIG is unset (both handlers)', () => {
    const file = join(dir, 'config.json');
    writeFileSync(file, JSON.stringify({ namespace: 'Team/Cache', digest: { days: 14 } }));
    expect(readEnv({ LEDGER_TABLE_NAME: 'ledger', PROMPT_CACHE_CONFIG_FILE: file }).config.namespace).toBe('Team/Cache');
    expect(readDigestEnv({ DIGEST_TOPIC_ARN: 'arn:aws:sns:us-east-1:1:t', PROMPT_CACHE_CONFIG_FILE: file }).config.digest.days).toBe(14);
  });

  test('an inlined PROMPT_CACHE_CONFIG wins over the file', () => {
    const file = join(dir, 'other.json');
    writeFileSync(file, '{"namespace":"FromFile"}');
    expect(
      readEnv({ LEDGER_TABLE_NAME: 'l', PROMPT_CACHE_CONFIG: '{"namespace":"Inlined"}', PROMPT_CACHE_CONFIG_FILE: file }).config.namespace,
    ).toBe('Inlined');
  });

  test.each([
    ['a missing file', undefined, (f: string) => `publisher environment is invalid: PROMPT_CACHE_CONFIG_FILE ${f} cannot be read (ENOENT)`],
    [
      'a file not JSON',
      '{models',
      (f: string) => `publisher environment is invalid: ${f} is not valid JSON (Expected property name or '}' in JSON at position 1`,
    ],
    [
      'an invalid config',
      '{"namespace":"AWS/x"}',
      (f: string) =>
        `publisher environment is invalid: invalid config in ${f}:\n  - namespace: must not start with "AWS/" (reserved for AWS services) (got "AWS/x")`,
    ],
  ])('%s fails with its path and the reason', (name, content, message) => {
    const file = join(dir, `${name.replace(/ /g, '-')}.json`);
    if (content !== undefined) writeFileSync(file, content);
    expect(() => readEnv({ LEDGER_TABLE_NAME: 't', PROMPT_CACHE_CONFIG_FILE: file })).toThrow(message(file));
  });
});
