/**
 * The Price List adapter's requests (the emulator has no Price List API: a stub answers with the recorded pages):
 * each service code, every page, the region filter, and the products parsed from the API's JSON strings.
 */
import { readBedrockProducts } from '../../lambda/aws/price-list';
import { PRICE_LIST_ITEMS, stubPricing } from '../support/price-list-stub';

test('every page of both service codes, aws_v1, 100 a page; the products parsed', async () => {
  const { client, inputs } = stubPricing();
  const read = await readBedrockProducts(client);
  expect(inputs).toEqual([
    { ServiceCode: 'AmazonBedrock', FormatVersion: 'aws_v1', MaxResults: 100 },
    { ServiceCode: 'AmazonBedrock', FormatVersion: 'aws_v1', MaxResults: 100, NextToken: 'page-2' },
    { ServiceCode: 'AmazonBedrockFoundationModels', FormatVersion: 'aws_v1', MaxResults: 100 },
  ]);
  expect([read.requests, read.items]).toEqual([3, PRICE_LIST_ITEMS]);
  expect(read.items.length).toBe(11);
});

test('--region: a TERM_MATCH filter on regionCode', async () => {
  const { client, inputs } = stubPricing();
  await readBedrockProducts(client, 'eu-west-1');
  expect(inputs[0]).toEqual({
    ServiceCode: 'AmazonBedrock',
    FormatVersion: 'aws_v1',
    MaxResults: 100,
    Filters: [{ Type: 'TERM_MATCH', Field: 'regionCode', Value: 'eu-west-1' }],
  });
});
