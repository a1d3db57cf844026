/**
 * The Price List API the emulator lacks: a PricingClient stand-in that answers GetProducts with the pages of
 * test/fixtures/price-list/get-products.json (products in the API's aws_v1 shape, prices from the public tables), by
 * service code and NextToken, and records each request's input.
 */
import type { GetProductsCommand, GetProductsCommandOutput, PricingClient } from '@aws-sdk/client-pricing';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export type Pages = Record<string, GetProductsCommandOutput[]>;

export const PRICE_LIST_PAGES: Pages = JSON.parse(
  readFileSync(join(__dirname, '..', 'fixtures', 'price-list', 'get-products.json'), 'utf8'),
) as Pages;

/** Every product of the fixture, parsed, in page order. */
export const PRICE_LIST_ITEMS: unknown[] = Object.values(PRICE_LIST_PAGES)
  .flat()
  .flatMap((p) => ((p.PriceList ?? []) as unknown as string[]).map((s) => JSON.parse(s) as unknown));

export function stubPricing(pages: Pages = PRICE_LIST_PAGES): { client: PricingClient; inputs: GetProductsCommand['input'][] } {
  const inputs: GetProductsCommand['input'][] = [];
  const client = {
    send: async (command: GetProductsCommand) => {
      inputs.push(command.input);
      const list = pages[command.input.ServiceCode ?? ''] ?? [];
      const index =
        command.input.NextToken === undefined ? 0 : list.findIndex((_p, i) => i > 0 && list[i - 1].NextToken === command.input.NextToken);
      return list[index] ?? { PriceList: [] };
    },
  } as unknown as PricingClient;
  return { client, inputs };
}
