/** Application inference profile ARNs and the route GetInferenceProfile's `models[]` describes: table-driven, no mocks. */
import { parseConfig, type PromptCacheConfig } from '../../lambda/core/config';
import {
  isApplicationInferenceProfileArn,
  modelIdFromModelArn,
  profilesToResolve,
  routeOf,
  withProfileRoutes,
} from '../../lambda/core/inference-profiles';
import { resolveModelPrice } from '../../lambda/core/prices';

const HAIKU = 'anthropic.claude-haiku-4-5-20251001-v1:0';
const fm = (region: string, id = HAIKU) => `arn:aws:bedrock:${region}::foundation-model/${id}`;

test.each<[string, boolean]>([
  ['arn:aws:bedrock:us-east-1:111122223333:application-inference-profile/a1b2c3d4e5f6', true],
  ['arn:aws-us-gov:bedrock:us-gov-west-1:111122223333:application-inference-profile/abc123', true],
  ['arn:aws:bedrock:us-east-1:111122223333:inference-profile/us.anthropic.claude-3-7-sonnet-20250219-v1:0', false],
  [fm('us-east-1'), false],
  ['us.anthropic.claude-3-7-sonnet-20250219-v1:0', false],
  ['arn:aws:bedrock:us-east-1:1111:application-inference-profile/a1b2', false],
])('isApplicationInferenceProfileArn(%s) = %s', (id, expected) => {
  expect(isApplicationInferenceProfileArn(id)).toBe(expected);
});

test.each<[string, string | undefined]>([
  [fm('us-east-1'), HAIKU],
  [fm('eu-west-3', 'amazon.nova-pro-v1:0'), 'amazon.nova-pro-v1:0'],
  [
    'arn:aws:bedrock:us-east-1:111122223333:inference-profile/us.anthropic.claude-3-7-sonnet-20250219-v1:0',
    'us.anthropic.claude-3-7-sonnet-20250219-v1:0',
  ],
  ['arn:aws:bedrock:us-east-1:111122223333:application-inference-profile/a1b2c3d4e5f6', undefined],
  ['arn:aws:bedrock:us-east-1:111122223333:foundation-model/anthropic.x', undefined],
  ['anthropic.claude-haiku-4-5-20251001-v1:0', undefined],
  ['', undefined],
])('modelIdFromModelArn(%s) = %s', (arn, expected) => {
  expect(modelIdFromModelArn(arn)).toBe(expected);
});

test.each<[string, { modelArn?: string }[], object]>([
  ['one region', [{ modelArn: fm('us-east-1') }], { modelId: HAIKU, regions: ['us-east-1'] }],
  [
    'three regions, sorted, each once',
    [{ modelArn: fm('us-west-2') }, { modelArn: fm('us-east-1') }, { modelArn: fm('us-east-2') }, { modelArn: fm('us-east-1') }],
    { modelId: HAIKU, regions: ['us-east-1', 'us-east-2', 'us-west-2'] },
  ],
  [
    'two models',
    [{ modelArn: fm('us-east-1') }, { modelArn: fm('us-west-2', 'amazon.nova-pro-v1:0') }],
    {
      problem: `the profile routes to different models (amazon.nova-pro-v1:0, ${HAIKU}): it cannot be priced automatically; set priceAs by hand`,
      modelIds: ['amazon.nova-pro-v1:0', HAIKU],
      regions: ['us-east-1', 'us-west-2'],
    },
  ],
  ['no model', [], { problem: 'the profile lists no model; set priceAs by hand', modelIds: [], regions: [] }],
  [
    'an ARN it cannot read',
    [{ modelArn: 'arn:aws:s3:::bucket' }, {}],
    {
      problem: 'not a foundation-model or inference-profile ARN: "arn:aws:s3:::bucket", ""; set priceAs by hand',
      modelIds: [],
      regions: [],
    },
  ],
])('routeOf: %s', (_name, models, expected) => {
  expect(routeOf(models)).toEqual(expected);
});

describe('withProfileRoutes: a routed profile is priced as its model unless the config says otherwise', () => {
  const ARN = 'arn:aws:bedrock:us-east-1:111122223333:application-inference-profile/abc123';
  const OTHER = 'arn:aws:bedrock:us-east-1:111122223333:application-inference-profile/zzz999';
  const routes = new Map([
    [ARN, { modelId: HAIKU, regions: ['us-east-1'] }],
    [OTHER, { modelId: 'anthropic.claude-3-7-sonnet-20250219-v1:0', regions: ['us-east-1', 'us-west-2'] }],
  ]);
  test.each<[string, object, (c: PromptCacheConfig) => unknown, unknown]>([
    [
      'a configured profile without priceAs gets the routed model',
      { models: [{ modelId: ARN, displayName: 'triage' }] },
      (c) => c.models.map((m) => [m.modelId, m.priceAs, m.displayName]),
      [
        [ARN, HAIKU, 'triage'],
        [OTHER, 'anthropic.claude-3-7-sonnet-20250219-v1:0', undefined],
      ],
    ],
    [
      'a configured priceAs is the override',
      { models: [{ modelId: ARN, priceAs: 'anthropic.claude-sonnet-4-20250514-v1:0' }] },
      (c) => c.models[0].priceAs,
      'anthropic.claude-sonnet-4-20250514-v1:0',
    ],
    [
      'a pricing entry still wins in resolution',
      { pricing: { [ARN]: { inputPerMTok: 1, outputPerMTok: 1, cacheWritePerMTok: 1, cacheReadPerMTok: 1 } } },
      (c) =>
        resolveModelPrice(
          c.models.find((m) => m.modelId === ARN),
          ARN,
          c,
        )?.source,
      `pricing:${ARN}`,
    ],
    [
      'an unconfigured routed profile is priced from the catalog, with the regional rate of an in-region id',
      {},
      (c) =>
        resolveModelPrice(
          c.models.find((m) => m.modelId === ARN),
          ARN,
          c,
        )?.source,
      `catalog:${HAIKU} (regional +10%)`,
    ],
  ])('%s', (_name, input, read, want) => {
    expect(read(withProfileRoutes(parseConfig(input, 't'), routes))).toEqual(want);
  });

  test('no routes: the same config object', () => {
    const config = parseConfig({}, 't');
    expect(withProfileRoutes(config, new Map())).toBe(config);
  });
});

test('only unpriced application profile ARNs are worth a GetInferenceProfile call', () => {
  const arn = (s: string) => `arn:aws:bedrock:us-east-1:111122223333:application-inference-profile/${s}`;
  const config = parseConfig(
    {
      models: [{ modelId: arn('withpriceas'), priceAs: 'anthropic.claude-haiku-4-5-20251001-v1:0' }, { modelId: arn('configured') }],
      pricing: { [arn('priced')]: { inputPerMTok: 1, outputPerMTok: 1, cacheWritePerMTok: 1, cacheReadPerMTok: 1 } },
    },
    't',
  );
  expect(
    profilesToResolve(config, [
      arn('withpriceas'),
      arn('configured'),
      arn('priced'),
      arn('discovered'),
      'us.anthropic.claude-3-7-sonnet-20250219-v1:0',
    ]),
  ).toEqual([arn('configured'), arn('discovered')]);
});
