/**
 * Cost Explorer in moto: it answers GetCostAndUsage with results queued through its API, in order, to whichever
 * request comes first in that account. Each test file's bill lives in a moto account of its own (the
 * `x-moto-account-id` header), so no other file's request can take its queued answers.
 */
import { DAY_MS } from '../../lambda/core/periods';
import type { BilledLine } from '../../lambda/core/reconcile';

interface MiddlewareClient {
  middlewareStack: {
    add(m: (next: (args: unknown) => Promise<unknown>) => (args: unknown) => Promise<unknown>, o: { step: 'build'; name: string }): void;
  };
}

/** Sends every request of `client` as moto account `account`. */
export function inMotoAccount<T>(client: T, account: string): T {
  (client as unknown as MiddlewareClient).middlewareStack.add(
    (next) => (args) => {
      (args as { request: { headers: Record<string, string> } }).request.headers['x-moto-account-id'] = account;
      return next(args);
    },
    { step: 'build', name: 'motoAccount' },
  );
  return client;
}

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** A GetCostAndUsage answer: the lines grouped by day, each group keyed by usage type and region. */
export function costAndUsagePage(lines: readonly BilledLine[], nextPageToken?: string) {
  const days = [...new Set(lines.map((l) => l.day))].sort();
  return {
    ResultsByTime: days.map((d) => ({
      TimePeriod: { Start: d, End: day(Date.parse(d) + DAY_MS) },
      Total: {},
      Groups: lines
        .filter((l) => l.day === d)
        .map((l) => ({
          Keys: [l.usageType, l.region],
          Metrics: { UnblendedCost: { Amount: l.cost, Unit: 'USD' }, UsageQuantity: { Amount: String(l.quantity), Unit: 'N/A' } },
        })),
      Estimated: false,
    })),
    DimensionValueAttributes: [],
    ...(nextPageToken ? { NextPageToken: nextPageToken } : {}),
  };
}

/** Queues `pages` as the next GetCostAndUsage answers of `account`. */
export async function queueCostAndUsage(account: string, pages: readonly object[]): Promise<void> {
  const res = await fetch(`${process.env.AWS_ENDPOINT_URL}/moto-api/static/ce/cost-and-usage-results`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ account_id: account, results: pages }),
  });
  if (res.status !== 201) throw new Error(`moto refused the Cost Explorer results: HTTP ${res.status}`);
}
