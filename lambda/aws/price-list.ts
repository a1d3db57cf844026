/**
 * Reads Bedrock's products from the AWS Price List (GetProducts, every page, each service code of
 * PRICE_LIST_SERVICE_CODES, optionally one region's), parsed from the JSON strings the API returns. The Price List API
 * answers in us-east-1.
 */
import { GetProductsCommand, PricingClient } from '@aws-sdk/client-pricing';
import { PRICE_LIST_SERVICE_CODES } from '../core/price-list';

export const PRICE_LIST_REGION = 'us-east-1';

export function createPricingClient(): PricingClient {
  return new PricingClient({ region: PRICE_LIST_REGION, maxAttempts: 5 });
}

export interface ProductsRead {
  readonly items: unknown[];
  readonly requests: number;
}

export async function readBedrockProducts(pricing: PricingClient, region?: string): Promise<ProductsRead> {
  const items: unknown[] = [];
  let requests = 0;
  for (const serviceCode of PRICE_LIST_SERVICE_CODES) {
    let token: string | undefined;
    do {
      const page = await pricing.send(
        new GetProductsCommand({
          ServiceCode: serviceCode,
          FormatVersion: 'aws_v1',
          MaxResults: 100,
          ...(region ? { Filters: [{ Type: 'TERM_MATCH', Field: 'regionCode', Value: region }] } : {}),
          ...(token ? { NextToken: token } : {}),
        }),
      );
      requests++;
      const list = (page.PriceList ?? []) as unknown as readonly unknown[];
      for (const entry of list) items.push(typeof entry === 'string' ? (JSON.parse(entry) as unknown) : entry);
      token = page.NextToken;
    } while (token);
  }
  return { items, requests };
}
