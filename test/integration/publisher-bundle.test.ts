/**
 * The deployable artefact: the publisher bundled by esbuild with the construct's own settings (the config inlined by
 * `define`), loaded in a fresh Node process and invoked as Lambda would, against moto.
 */
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../lambda/core/config';
import { BUNDLE_MODEL, bundleWithConfig, expectOneRunPublished, runPublisherBundle } from '../support/bundle-run';

const REGION = 'me-south-1'; // this file's own moto region

test('the esbuild bundle runs the handler with its inlined config and publishes', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'publisher-bundle-'));
  const outfile = join(dir, 'index.js');
  const config = parseConfig(
    {
      namespace: 'BundleTest',
      models: [{ modelId: BUNDLE_MODEL }],
      publisher: { initialLookbackHours: 2, settleDelayMinutes: 0 },
    },
    'test',
  );
  await bundleWithConfig('publisher', config, outfile);
  // Under 650 KB minified (the price catalog, data, is 17 KB of it); zipped it stays under 200 KB (npm run bench).
  expect(statSync(outfile).size).toBeLessThan(650 * 1024);

  // No PROMPT_CACHE_CONFIG in the environment: the bundle carries it. Powertools Logger: one JSON summary line on
  // stdout, as CloudWatch Logs receives it.
  expectOneRunPublished(
    await runPublisherBundle({ entry: outfile, dir, region: REGION, table: 'bundle-ledger', env: { PROMPT_CACHE_CONFIG: '' } }),
  );
});
