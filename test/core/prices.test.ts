import { parseConfig } from '../../lambda/core/config';
import { baseModelId, PRICE_CATALOG, resolvePrice, type PriceQuery } from '../../lambda/core/prices';

const override = { inputPerMTok: 2, outputPerMTok: 10, cacheWritePerMTok: 2.5, cacheReadPerMTok: 0.2 };
const overrideMicro = { inputMicro: 2e6, outputMicro: 10e6, cacheWriteMicro: 2.5e6, cacheReadMicro: 0.2e6 };

describe('model id resolution', () => {
  test.each([
    ['us.anthropic.claude-3-7-sonnet-20250219-v1:0', 'anthropic.claude-3-7-sonnet-20250219-v1:0'],
    ['us-gov.anthropic.claude-3-7-sonnet-20250219-v1:0', 'anthropic.claude-3-7-sonnet-20250219-v1:0'],
    ['global.anthropic.claude-sonnet-4-5-20250929-v1:0', 'anthropic.claude-sonnet-4-5-20250929-v1:0'],
    ['apac.amazon.nova-pro-v1:0', 'amazon.nova-pro-v1:0'],
    ['eu.x', 'x'],
    ['jp.x', 'x'],
    ['au.x', 'x'],
    ['ca.x', 'x'],
    ['anthropic.claude-3-7-sonnet-20250219-v1:0', 'anthropic.claude-3-7-sonnet-20250219-v1:0'],
    [
      'arn:aws:bedrock:us-east-1:111122223333:application-inference-profile/abc',
      'arn:aws:bedrock:us-east-1:111122223333:application-inference-profile/abc',
    ],
    ['usa.model', 'usa.model'],
  ])('base id of %s is %s', (id, base) => expect(baseModelId(id)).toBe(base));
});

describe('price resolution order (README)', () => {
  const pricing = {
    'us.anthropic.claude-3-7-sonnet-20250219-v1:0': override,
    'anthropic.claude-opus-4-20250514-v1:0': { ...override, inputPerMTok: 1 },
    'my.custom-model': { ...override, inputPerMTok: 7 },
  };
  test.each<[string, PriceQuery, object | undefined]>([
    [
      'exact id in pricing wins over the catalog',
      { modelId: 'us.anthropic.claude-3-7-sonnet-20250219-v1:0' },
      { ...overrideMicro, source: 'pricing:us.anthropic.claude-3-7-sonnet-20250219-v1:0' },
    ],
    [
      'priceAs in pricing',
      { modelId: 'arn:app/1', priceAs: 'my.custom-model' },
      { ...overrideMicro, inputMicro: 7e6, source: 'pricing:my.custom-model' },
    ],
    [
      'base id in pricing (profile prefix stripped)',
      { modelId: 'eu.anthropic.claude-opus-4-20250514-v1:0' },
      { ...overrideMicro, inputMicro: 1e6, source: 'pricing:anthropic.claude-opus-4-20250514-v1:0' },
    ],
    [
      'override write price applies whatever the TTL',
      { modelId: 'us.anthropic.claude-3-7-sonnet-20250219-v1:0', cacheWriteTtl: '1h' },
      { ...overrideMicro, source: 'pricing:us.anthropic.claude-3-7-sonnet-20250219-v1:0' },
    ],
    [
      'catalog via priceAs',
      { modelId: 'arn:app/2', priceAs: 'anthropic.claude-3-5-haiku-20241022-v1:0' },
      {
        inputMicro: 800000,
        outputMicro: 4e6,
        cacheWriteMicro: 1e6,
        cacheReadMicro: 80000,
        source: 'catalog:anthropic.claude-3-5-haiku-20241022-v1:0',
      },
    ],
    [
      'catalog base id of a geo profile (no premium before 4.5)',
      { modelId: 'eu.anthropic.claude-sonnet-4-20250514-v1:0' },
      {
        inputMicro: 3e6,
        outputMicro: 15e6,
        cacheWriteMicro: 3.75e6,
        cacheReadMicro: 0.3e6,
        source: 'catalog:anthropic.claude-sonnet-4-20250514-v1:0',
      },
    ],
    [
      'catalog 1-hour write price',
      { modelId: 'anthropic.claude-sonnet-4-20250514-v1:0', cacheWriteTtl: '1h' },
      {
        inputMicro: 3e6,
        outputMicro: 15e6,
        cacheWriteMicro: 6e6,
        cacheReadMicro: 0.3e6,
        source: 'catalog:anthropic.claude-sonnet-4-20250514-v1:0 (1h write)',
      },
    ],
    [
      'global profile of a 4.5 model: listed price',
      { modelId: 'global.anthropic.claude-haiku-4-5-20251001-v1:0' },
      {
        inputMicro: 1e6,
        outputMicro: 5e6,
        cacheWriteMicro: 1.25e6,
        cacheReadMicro: 0.1e6,
        source: 'catalog:anthropic.claude-haiku-4-5-20251001-v1:0',
      },
    ],
    [
      'geo profile of a 4.5 model: +10% (Bedrock Haiku 4.5 geo rate)',
      { modelId: 'us.anthropic.claude-haiku-4-5-20251001-v1:0' },
      {
        inputMicro: 1.1e6,
        outputMicro: 5.5e6,
        cacheWriteMicro: 1.375e6,
        cacheReadMicro: 0.11e6,
        source: 'catalog:anthropic.claude-haiku-4-5-20251001-v1:0 (regional +10%)',
      },
    ],
    [
      'priceAs a global profile id keeps the global price',
      { modelId: 'arn:app/3', priceAs: 'global.anthropic.claude-opus-4-5-20251101-v1:0', cacheWriteTtl: '1h' },
      {
        inputMicro: 5e6,
        outputMicro: 25e6,
        cacheWriteMicro: 10e6,
        cacheReadMicro: 0.5e6,
        source: 'catalog:anthropic.claude-opus-4-5-20251101-v1:0 (1h write)',
      },
    ],
    [
      'Nova: no write premium',
      { modelId: 'us.amazon.nova-micro-v1:0' },
      { inputMicro: 35000, outputMicro: 140000, cacheWriteMicro: 0, cacheReadMicro: 8750, source: 'catalog:amazon.nova-micro-v1:0' },
    ],
    ['Nova has no 1-hour cache', { modelId: 'amazon.nova-pro-v1:0', cacheWriteTtl: '1h' }, undefined],
    ['unknown model is unpriced', { modelId: 'us.meta.llama3-70b-instruct-v1:0' }, undefined],
    [
      'application profile ARN without priceAs is unpriced',
      { modelId: 'arn:aws:bedrock:us-east-1:1:application-inference-profile/x' },
      undefined,
    ],
  ])('%s', (_name, query, want) => {
    expect(resolvePrice(query, pricing)).toEqual(want);
  });

  test('every catalog entry carries a source and a check date, and the models the issue names', () => {
    for (const entry of Object.values(PRICE_CATALOG)) {
      expect(entry.source.length).toBeGreaterThan(10);
      expect(entry.checked).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    }
    expect(Object.values(PRICE_CATALOG).map((e) => e.name)).toEqual([
      'Claude 3.5 Haiku',
      'Claude 3.7 Sonnet',
      'Claude Sonnet 4',
      'Claude Sonnet 4.5',
      'Claude Haiku 4.5',
      'Claude Opus 4',
      'Claude Opus 4.1',
      'Claude Opus 4.5',
      'Amazon Nova Pro',
      'Amazon Nova Lite',
      'Amazon Nova Micro',
    ]);
  });

  test('a configured 1h TTL with no 1h catalog price fails at config time, naming the fix', () => {
    expect(() => parseConfig({ models: [{ modelId: 'amazon.nova-pro-v1:0', cacheWriteTtl: '1h' }] }, 'c.json')).toThrow(
      'invalid config in c.json:\n  - models[0].cacheWriteTtl: the catalog has no 1-hour cache write price for "amazon.nova-pro-v1:0"; use "5m" or add pricing["amazon.nova-pro-v1:0"] (got "1h")',
    );
  });
});
