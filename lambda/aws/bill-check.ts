/**
 * The daily bill check's adapters: its ledger item (`bill#<namespace>` in the publisher's table) and its source, one
 * Cost Explorer read (every page) and one AWS/Bedrock read for all the days a run does.
 */
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { CostExplorerClient } from '@aws-sdk/client-cost-explorer';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  billLedgerKey,
  reconcileDays,
  type BillLedger,
  type BillLedgerFields,
  type BillLedgerState,
  type BillSource,
} from '../core/bill-check';
import type { PromptCacheConfig } from '../core/config';
import { isoDay } from '../core/human-numbers';
import type { InferenceProfileRoutes } from '../core/inference-profiles';
import { DAY_MS } from '../core/periods';
import type { RunLog } from '../core/ports';
import type { Reconciliation } from '../core/reconcile';
import { readBedrockBill } from './cost-explorer';
import { numberAttributes, numberFields, VersionedItem } from './ledger';
import { readDailyUsage } from './weekly-source';

const FIELDS = ['publishedThroughMs', 'pendingFromMs', 'pendingToMs', 'pendingPutAtMs'] as const;

export class DynamoDbBillLedger implements BillLedger {
  private readonly item: VersionedItem;

  constructor(client: DynamoDBClient, tableName: string, namespace: string) {
    this.item = new VersionedItem(client, tableName, billLedgerKey(namespace));
  }

  async read(): Promise<BillLedgerState> {
    const { version, item } = await this.item.read();
    return { version, ...numberFields(item, FIELDS) };
  }

  async write(expectedVersion: number, next: BillLedgerFields): Promise<BillLedgerState> {
    return { ...next, version: await this.item.write(expectedVersion, numberAttributes(next)) };
  }
}

/** What a run reads, and how many Cost Explorer requests it made ($0.01 each). */
export class CostExplorerBillSource implements BillSource {
  costExplorerRequests = 0;

  constructor(
    private readonly ce: CostExplorerClient,
    private readonly cloudWatch: CloudWatchClient,
    private readonly config: PromptCacheConfig,
    private readonly log: RunLog,
    private readonly profiles?: InferenceProfileRoutes,
  ) {}

  async reconcile(days: readonly number[]): Promise<ReadonlyMap<number, Reconciliation>> {
    if (days.length === 0) return new Map();
    const startMs = Math.min(...days);
    const endMs = Math.max(...days) + DAY_MS;
    const bill = await readBedrockBill(this.ce, { start: isoDay(startMs), end: isoDay(endMs) }, this.config.reconcile.services);
    this.costExplorerRequests += bill.requests;
    const window = { startMs, endMs, days: Math.round((endMs - startMs) / DAY_MS) };
    const usage = await readDailyUsage(
      this.cloudWatch,
      this.config,
      { current: window, previous: window },
      this.log,
      undefined,
      this.profiles,
    );
    return reconcileDays(days, bill.lines, usage.daily, await this.cloudWatch.config.region(), usage.config);
  }
}
