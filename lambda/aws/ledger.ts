/**
 * The publisher's ledger in DynamoDB: one item per namespace holding the watermark, the uncertain range (with when it was
 * put and its oldest period), the deferred ranges (`deferred`, JSON) and the lease,
 * changed only by conditional writes on a version number (optimistic concurrency), plus one run record per run with a
 * TTL. A write whose reply was lost and that the SDK retried fails its condition; it is recognised by its write id.
 */
import {
  ConditionalCheckFailedException,
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  ResourceNotFoundException,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
  type AttributeValue,
} from '@aws-sdk/client-dynamodb';
import { randomUUID } from 'node:crypto';
import { LEDGER_KEY, LEDGER_TTL } from '../core/contract';
import { LedgerConflict, type DeferredRange, type Ledger, type LedgerFields, type LedgerState } from '../core/ports';

const FIELDS = [
  'watermarkMs',
  'uncertainFromMs',
  'uncertainToMs',
  'uncertainPutAtMs',
  'uncertainOldestMs',
  'uncertainLostPeriods',
  'leaseUntilMs',
] as const;

/** `deferred` is stored as a JSON string (at most 10 small ranges); an item without it has none. */
function parseDeferred(json: string): DeferredRange[] {
  const parsed = JSON.parse(json) as unknown;
  if (!Array.isArray(parsed)) throw new Error('ledger item: deferred is not a list');
  return parsed.map((r: Record<string, unknown>) => {
    if (typeof r.fromMs !== 'number' || typeof r.toMs !== 'number')
      throw new Error(`ledger item: a deferred range without fromMs/toMs: ${JSON.stringify(r)}`);
    return {
      fromMs: r.fromMs,
      toMs: r.toMs,
      ...(typeof r.putAtMs === 'number' ? { putAtMs: r.putAtMs } : {}),
      ...(typeof r.oldestMs === 'number' ? { oldestMs: r.oldestMs } : {}),
      ...(typeof r.lostPeriods === 'number' ? { lostPeriods: r.lostPeriods } : {}),
    };
  });
}

/**
 * One ledger item changed only by conditional writes on its version number. A write whose reply was lost and that the
 * SDK retried fails its condition; it is recognised by its write id and counts as done.
 */
export class VersionedItem {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
    private readonly key: string,
  ) {}

  /** The item's attributes and version (0 without an item). */
  async read(): Promise<{ version: number; item: Record<string, AttributeValue> }> {
    const out = await this.client.send(
      new GetItemCommand({ TableName: this.tableName, Key: { [LEDGER_KEY]: { S: this.key } }, ConsistentRead: true }),
    );
    const item = out.Item;
    return item ? { version: Number(item.version.N), item } : { version: 0, item: {} };
  }

  /** Replaces the item with `attributes` if it is still at `expectedVersion`; throws LedgerConflict otherwise. */
  async write(expectedVersion: number, attributes: Record<string, AttributeValue>): Promise<number> {
    const writeId = randomUUID();
    const item: Record<string, AttributeValue> = {
      ...attributes,
      [LEDGER_KEY]: { S: this.key },
      version: { N: String(expectedVersion + 1) },
      writeId: { S: writeId },
      updatedAt: { S: new Date().toISOString() },
    };
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: item,
          ConditionExpression: expectedVersion === 0 ? 'attribute_not_exists(#pk)' : '#v = :v',
          ExpressionAttributeNames: expectedVersion === 0 ? { '#pk': LEDGER_KEY } : { '#v': 'version' },
          ...(expectedVersion === 0 ? {} : { ExpressionAttributeValues: { ':v': { N: String(expectedVersion) } } }),
        }),
      );
    } catch (err) {
      if (!(err instanceof ConditionalCheckFailedException)) throw err;
      // Our own earlier attempt may have landed before its reply was lost.
      const now = await this.read();
      if (now.item.writeId?.S !== writeId)
        throw new LedgerConflict(`ledger changed by another run (version ${now.version}, expected ${expectedVersion})`);
    }
    return expectedVersion + 1;
  }
}

/** Number attributes of an item, by name (absent ones left out). */
export function numberFields<K extends string>(item: Record<string, AttributeValue>, names: readonly K[]): Partial<Record<K, number>> {
  const out: Partial<Record<K, number>> = {};
  for (const f of names) if (item[f]?.N !== undefined) out[f] = Number(item[f].N);
  return out;
}

/** The defined numbers of `fields` as attributes. */
export function numberAttributes(fields: object): Record<string, AttributeValue> {
  return Object.fromEntries(
    Object.entries(fields)
      .filter(([, v]) => typeof v === 'number')
      .map(([k, v]) => [k, { N: String(v) }]),
  );
}

export class DynamoDbLedger implements Ledger {
  private readonly item: VersionedItem;

  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
    namespace: string,
  ) {
    this.item = new VersionedItem(client, tableName, `publisher#${namespace}`);
  }

  async read(): Promise<LedgerState> {
    const { version, item } = await this.item.read();
    if (version === 0) return { version: 0 };
    return {
      version,
      ...numberFields(item, FIELDS),
      ...(item.owner?.S !== undefined ? { owner: item.owner.S } : {}),
      ...(item.deferred?.S !== undefined ? { deferred: parseDeferred(item.deferred.S) } : {}),
    };
  }

  async write(expectedVersion: number, next: LedgerFields): Promise<LedgerState> {
    const attributes = numberAttributes(Object.fromEntries(FIELDS.map((f) => [f, next[f]])));
    if (next.owner !== undefined) attributes.owner = { S: next.owner };
    if (next.deferred !== undefined && next.deferred.length > 0) attributes.deferred = { S: JSON.stringify(next.deferred) };
    return { ...next, version: await this.item.write(expectedVersion, attributes) };
  }

  /** One record per run, kept `retentionDays` (TTL), for the audit trail of what each run did. */
  async recordRun(runId: string, summary: Record<string, unknown>, nowMs: number, retentionDays = 30): Promise<void> {
    await this.client.send(
      new PutItemCommand({
        TableName: this.tableName,
        Item: {
          [LEDGER_KEY]: { S: `run#${new Date(nowMs).toISOString()}#${runId}` },
          summary: { S: JSON.stringify(summary) },
          [LEDGER_TTL]: { N: String(Math.floor(nowMs / 1000) + retentionDays * 86400) },
        },
      }),
    );
  }
}

/** For local use (`publish --create-ledger`): creates the table as the CDK construct does, if it does not exist. */
export async function ensureLedgerTable(client: DynamoDBClient, tableName: string): Promise<'created' | 'exists'> {
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
    return 'exists';
  } catch (err) {
    if (!(err instanceof ResourceNotFoundException)) throw err;
  }
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: LEDGER_KEY, AttributeType: 'S' }],
      KeySchema: [{ AttributeName: LEDGER_KEY, KeyType: 'HASH' }],
    }),
  );
  await waitUntilTableExists({ client, maxWaitTime: 60 }, { TableName: tableName });
  await client.send(
    new UpdateTimeToLiveCommand({ TableName: tableName, TimeToLiveSpecification: { Enabled: true, AttributeName: LEDGER_TTL } }),
  );
  return 'created';
}
