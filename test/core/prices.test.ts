import { parseConfig } from '../../lambda/core/config';
import {
  baseModelId,
  BUILT_IN_PRICES,
  parsePriceCatalog,
  PRICE_CATALOG,
  regionGroup,
  resolvePrice,
  type PriceQuery,
} from '../../lambda/core/prices';

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
      { modelId: 'global.anthropic.claude-sonnet-4-5-20250929-v1:0', cacheWriteTtl: '1h' },
      {
        inputMicro: 3e6,
        outputMicro: 15e6,
        cacheWriteMicro: 6e6,
        cacheReadMicro: 0.3e6,
        source: 'catalog:anthropic.claude-sonnet-4-5-20250929-v1:0 (1h write)',
      },
    ],
    [
      'no 1-hour price where Bedrock offers no 1-hour cache (Sonnet 4)',
      { modelId: 'anthropic.claude-sonnet-4-20250514-v1:0', cacheWriteTtl: '1h' },
      undefined,
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
      'Claude Sonnet 4.6',
      'Claude Haiku 4.5',
      'Claude Opus 4',
      'Claude Opus 4.1',
      'Claude Opus 4.5',
      'Claude Opus 4.6',
      'Claude Opus 4.7',
      'Amazon Nova Pro',
      'Amazon Nova Lite',
      'Amazon Nova Micro',
      'Amazon Nova 2 Lite',
      'Amazon Nova Premier',
    ]);
    // The 1-hour cache only where Bedrock offers it.
    expect(
      Object.entries(PRICE_CATALOG)
        .filter(([, e]) => e.cacheWrite1hPerMTok !== undefined)
        .map(([id]) => id),
    ).toEqual([
      'anthropic.claude-sonnet-4-5-20250929-v1:0',
      'anthropic.claude-sonnet-4-6',
      'anthropic.claude-haiku-4-5-20251001-v1:0',
      'anthropic.claude-opus-4-5-20251101-v1:0',
      'anthropic.claude-opus-4-6-v1',
      'anthropic.claude-opus-4-7',
    ]);
  });

  test('a configured 1h TTL with no 1h catalog price fails at config time, naming the fix', () => {
    expect(() => parseConfig({ models: [{ modelId: 'amazon.nova-pro-v1:0', cacheWriteTtl: '1h' }] }, 'c.json')).toThrow(
      'invalid config in c.json:\n  - models[0].cacheWriteTtl: the catalog has no 1-hour cache write price for "amazon.nova-pro-v1:0"; use "5m" or add pricing["amazon.nova-pro-v1:0"] (got "1h")',
    );
  });
});

describe('prices by region', () => {
  const sonnet37 = 'anthropic.claude-3-7-sonnet-20250219-v1:0';
  test.each<[string, PriceQuery, object | undefined]>([
    [
      'Claude in GovCloud: 120% of the US rate',
      { modelId: `us-gov.${sonnet37}`, region: 'us-gov-west-1' },
      {
        inputMicro: 3.6e6,
        outputMicro: 18e6,
        cacheWriteMicro: 4.5e6,
        cacheReadMicro: 0.36e6,
        source: `catalog:${sonnet37} (us-gov: 120% of the US rate)`,
      },
    ],
    [
      'a 4.5 geo profile in GovCloud: the geo premium, then the factor',
      { modelId: 'us-gov.anthropic.claude-sonnet-4-5-20250929-v1:0', region: 'us-gov-east-1' },
      {
        inputMicro: 3.96e6,
        outputMicro: 19.8e6,
        cacheWriteMicro: 4.95e6,
        cacheReadMicro: 0.396e6,
        source: 'catalog:anthropic.claude-sonnet-4-5-20250929-v1:0 (regional +10%) (us-gov: 120% of the US rate)',
      },
    ],
    [
      'Nova in the EU: 130%',
      { modelId: 'eu.amazon.nova-pro-v1:0', region: 'eu-west-1' },
      {
        inputMicro: 1.04e6,
        outputMicro: 4.16e6,
        cacheWriteMicro: 0,
        cacheReadMicro: 0.26e6,
        source: 'catalog:amazon.nova-pro-v1:0 (eu: 130% of the US rate)',
      },
    ],
    [
      'Nova in Asia Pacific: 105%, rounded to the micro-dollar',
      { modelId: 'apac.amazon.nova-micro-v1:0', region: 'ap-northeast-1' },
      {
        inputMicro: 36750,
        outputMicro: 147000,
        cacheWriteMicro: 0,
        cacheReadMicro: 9188,
        source: 'catalog:amazon.nova-micro-v1:0 (apac: 105% of the US rate)',
      },
    ],
    [
      'Claude in the EU: the US rate (no factor for Anthropic there)',
      { modelId: `eu.${sonnet37}`, region: 'eu-central-1' },
      { inputMicro: 3e6, outputMicro: 15e6, cacheWriteMicro: 3.75e6, cacheReadMicro: 0.3e6, source: `catalog:${sonnet37}` },
    ],
    [
      'a region the catalog does not know: the US rate, said in the source',
      { modelId: sonnet37, region: 'xx-east-9' },
      {
        inputMicro: 3e6,
        outputMicro: 15e6,
        cacheWriteMicro: 3.75e6,
        cacheReadMicro: 0.3e6,
        source: `catalog:${sonnet37} (US rate: no price for xx-east-9)`,
        regionFallback: 'xx-east-9',
      },
    ],
    [
      'Sonnet 4.6, global: the listed price',
      { modelId: 'global.anthropic.claude-sonnet-4-6', cacheWriteTtl: '1h' },
      {
        inputMicro: 3e6,
        outputMicro: 15e6,
        cacheWriteMicro: 6e6,
        cacheReadMicro: 0.3e6,
        source: 'catalog:anthropic.claude-sonnet-4-6 (1h write)',
      },
    ],
    [
      'Nova 2 Lite, geo: +10%',
      { modelId: 'us.amazon.nova-2-lite-v1:0', region: 'us-east-1' },
      {
        inputMicro: 0.33e6,
        outputMicro: 2.75e6,
        cacheWriteMicro: 0,
        cacheReadMicro: 82500,
        source: 'catalog:amazon.nova-2-lite-v1:0 (regional +10%)',
      },
    ],
    [
      'an override ignores the region',
      { modelId: 'my.custom-model', region: 'us-gov-west-1' },
      { ...overrideMicro, source: 'pricing:my.custom-model' },
    ],
  ])('%s', (_name, query, want) => {
    expect(resolvePrice(query, { 'my.custom-model': override })).toEqual(want);
  });

  test("a region's own rows (a price file): the geo rate as given, a global profile less the geo premium", () => {
    const haiku = 'anthropic.claude-haiku-4-5-20251001-v1:0';
    const data = {
      ...BUILT_IN_PRICES,
      prices: [
        ...BUILT_IN_PRICES.prices,
        ...(
          [
            ['input', undefined, 1.21],
            ['output', undefined, 6.05],
            ['cacheWrite', '5m', 1.5125],
            ['cacheRead', undefined, 0.121],
          ] as const
        ).map(([tokenClass, ttl, usdPerMTok]) => ({
          model: haiku,
          region: 'eu-west-1',
          tokenClass,
          ...(ttl ? { ttl } : {}),
          usdPerMTok,
          source: 'anthropic',
          checked: '2026-12-01',
        })),
      ],
    };
    const catalog = parsePriceCatalog(data, 'test');
    expect([
      resolvePrice({ modelId: `eu.${haiku}`, region: 'eu-west-1' }, {}, catalog),
      resolvePrice({ modelId: `global.${haiku}`, region: 'eu-west-1' }, {}, catalog),
      resolvePrice({ modelId: `eu.${haiku}`, region: 'eu-west-2' }, {}, catalog)?.inputMicro,
    ]).toEqual([
      {
        inputMicro: 1.21e6,
        outputMicro: 6.05e6,
        cacheWriteMicro: 1.5125e6,
        cacheReadMicro: 0.121e6,
        source: `catalog:${haiku} (eu-west-1 rows)`,
      },
      {
        inputMicro: 1.1e6,
        outputMicro: 5.5e6,
        cacheWriteMicro: 1.375e6,
        cacheReadMicro: 0.11e6,
        source: `catalog:${haiku} (eu-west-1 rows)`,
      },
      1.1e6,
    ]);
  });

  test('region groups; a broken catalog names each problem', () => {
    expect(['us-east-1', 'us-gov-west-1', 'eu-west-1', 'ap-southeast-2', 'xx-east-9'].map((r) => regionGroup(r))).toEqual([
      'us',
      'us-gov',
      'eu',
      'apac',
      undefined,
    ]);
    const row = BUILT_IN_PRICES.prices[0];
    expect(() =>
      parsePriceCatalog(
        {
          ...BUILT_IN_PRICES,
          prices: [
            ...BUILT_IN_PRICES.prices.filter((r) => !(r.model === row.model && r.tokenClass === 'output')),
            { ...row, source: 'nowhere' },
            { ...row, tokenClass: 'cacheWrite' },
          ],
        },
        'prices.json',
      ),
    ).toThrow(
      `prices.json: prices[${BUILT_IN_PRICES.prices.length - 1}].source: "nowhere" is not a key of sources; prices[${BUILT_IN_PRICES.prices.length - 1}]: a second row for ${row.model} * input; prices[${BUILT_IN_PRICES.prices.length}].ttl: a cacheWrite row names its TTL ("5m" or "1h"), other rows none; models: ${row.model} has no "*" output price`,
    );
    expect(() => parsePriceCatalog({ ...BUILT_IN_PRICES, prices: [{ ...row, usdPerMTok: -1 }] }, 'p.json')).toThrow(
      'p.json: .prices[0].usdPerMTok: Too small: expected number to be >=0',
    );
  });
});
