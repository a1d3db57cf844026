import { parseConfig } from '../../lambda/core/config';
import { priceFileFromPriceList } from '../../lambda/core/price-list';
import { priceFileProblems, resolveModelPrice, withPriceFile } from '../../lambda/core/prices';
import { PRICE_LIST_ITEMS } from '../support/price-list-stub';

const TODAY = '2026-12-01';
const read = priceFileFromPriceList(PRICE_LIST_ITEMS, TODAY);

test('the Price List products as a price file: only the prices that differ from the catalog, in-region before geo', () => {
  expect(read.file).toEqual({
    generated: TODAY,
    sources: { 'aws-price-list': 'AWS Price List API (GetProducts: AmazonBedrock, AmazonBedrockFoundationModels), read 2026-12-01' },
    prices: [
      {
        model: 'amazon.nova-premier-v1:0',
        region: 'us-east-1',
        tokenClass: 'output',
        usdPerMTok: 12.5,
        source: 'aws-price-list',
        checked: TODAY,
      },
      {
        model: 'amazon.nova-pro-v1:0',
        region: 'eu-west-1',
        tokenClass: 'input',
        usdPerMTok: 1.05,
        source: 'aws-price-list',
        checked: TODAY,
      },
      {
        model: 'anthropic.claude-3-7-sonnet-20250219-v1:0',
        region: 'us-gov-west-1',
        tokenClass: 'cacheRead',
        usdPerMTok: 0.33,
        source: 'aws-price-list',
        checked: TODAY,
      },
    ],
  });
  expect([read.priced, read.skipped]).toEqual([
    8,
    [
      {
        usageType: 'USE1-Claude4.5Sonnet-input-tokens-cross-region-global',
        reason: "a global rate: the catalog derives it from the region's rate",
      },
      { usageType: 'USE1-Claude4.6Sonnet-input-tokens-batch', reason: 'not a token class the catalog prices (input-tokens-batch)' },
      { usageType: 'USE1-NovaCanvas-images', reason: 'no catalog model bills under this name' },
    ],
  ]);
});

test('a config with the price file: its rows win where they exist, the catalog elsewhere; a bad file names its row', () => {
  const config = parseConfig({ priceFile: read.file }, 'test');
  const price = (modelId: string, region: string) => resolveModelPrice(undefined, modelId, config, region);
  expect(price('us-gov.anthropic.claude-3-7-sonnet-20250219-v1:0', 'us-gov-west-1')).toEqual({
    inputMicro: 3.6e6,
    outputMicro: 18e6,
    cacheWriteMicro: 4.5e6,
    cacheReadMicro: 0.33e6,
    source: 'catalog:anthropic.claude-3-7-sonnet-20250219-v1:0 (us-gov-west-1 rows) (us-gov: 120% of the US rate)',
  });
  // A geo id pays the region's own row; a global one that less the model's geo premium.
  expect([
    price('us.amazon.nova-premier-v1:0', 'us-east-1')?.outputMicro,
    price('global.amazon.nova-premier-v1:0', 'us-east-1')?.outputMicro,
  ]).toEqual([12.5e6, 11363636]);
  expect(withPriceFile(config.priceFile).sources['file:aws-price-list']).toBe(read.file.sources['aws-price-list']);
  const bad = { ...read.file, prices: [...read.file.prices, { ...read.file.prices[0], model: 'acme.model-v1' }, read.file.prices[1]] };
  expect(priceFileProblems(bad)).toEqual([
    'prices[4]: a second row for amazon.nova-pro-v1:0 eu-west-1 input',
    'prices[3].model: "acme.model-v1" is not a catalog model (price it with the config\'s pricing)',
  ]);
  expect(() => parseConfig({ priceFile: bad }, 'c.json')).toThrow(
    'invalid config in c.json:\n  - priceFile.prices[4]: a second row for amazon.nova-pro-v1:0 eu-west-1 input\n  - priceFile.prices[3].model: "acme.model-v1" is not a catalog model (price it with the config\'s pricing)',
  );
});
