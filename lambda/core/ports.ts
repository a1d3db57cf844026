/**
 * The publisher's ports: what runPublisher (publish-run.ts) needs from CloudWatch and DynamoDB, and its log. lambda/aws
 * implements them against AWS; the tests implement them in memory (test/support/in-memory-publisher.ts).
 */
import type { TokenCounts } from './contract';
import type { Datum } from './datums';

export type TokenSums = ReadonlyMap<string, ReadonlyMap<number, TokenCounts>>;

export interface TokenSource {
  /** Every ModelId AWS/Bedrock reports token metrics for (ListMetrics, all pages). */
  discoverModelIds(): Promise<string[]>;
  /** Token Sums per model per period over [startMs, endMs); a model or period with no datapoint is absent. */
  readTokenSums(modelIds: readonly string[], startMs: number, endMs: number, periodMs: number): Promise<TokenSums>;
}

/** CloudWatch refused the call as throttled: nothing was stored, a retry is safe. */
export class PutThrottled extends Error {}
/** The call may or may not have been stored (dropped connection, timeout, 5xx): settle by a presence check. */
export class PutOutcomeUnknown extends Error {}

export interface SavingsSink {
  /** Exactly one PutMetricData call, no automatic retries (a blind retry could double a Sum). */
  put(datums: readonly Datum[]): Promise<void>;
  /** The datumKeys of those datums CloudWatch already holds. */
  present(datums: readonly Datum[]): Promise<ReadonlySet<string>>;
}

/**
 * Periods (inclusive starts) that an uncertain put touched while its presence check could not be trusted yet: CloudWatch
 * may take 48 hours to show datums 24 hours old or older. They are neither re-put nor counted as published until then.
 */
export interface DeferredRange {
  readonly fromMs: number;
  readonly toMs: number;
  /** When the uncertain put was attempted; absent (an item from before this field): trust a presence check now. */
  readonly putAtMs?: number;
  /** The oldest period the put carried. @default fromMs */
  readonly oldestMs?: number;
  /** The value of the `LostPeriods` datum the put carried at `fromMs`, if it carried one (it cannot be recomputed). */
  readonly lostPeriods?: number;
}

export interface LedgerFields {
  /** Start of the first period not yet known to be fully published. */
  readonly watermarkMs?: number;
  /** Periods (inclusive starts) whose datums may be partly in CloudWatch. */
  readonly uncertainFromMs?: number;
  readonly uncertainToMs?: number;
  /** When the uncertain put was attempted (absent in items written before this field: trusted at once, as then). */
  readonly uncertainPutAtMs?: number;
  /** The oldest period the uncertain put carried. */
  readonly uncertainOldestMs?: number;
  /** The `LostPeriods` value the uncertain put carried at `uncertainFromMs`, if any. */
  readonly uncertainLostPeriods?: number;
  /** Uncertain ranges waiting for CloudWatch's visibility delay, oldest first; at most MAX_DEFERRED_RANGES. */
  readonly deferred?: readonly DeferredRange[];
  readonly owner?: string;
  readonly leaseUntilMs?: number;
}

export interface LedgerState extends LedgerFields {
  /** 0 when the ledger has no item yet. */
  readonly version: number;
}

/** The conditional write lost: another run changed the ledger first. */
export class LedgerConflict extends Error {}

export interface Ledger {
  read(): Promise<LedgerState>;
  /** Writes `next` if the item is still at `expectedVersion`; returns the new state or throws LedgerConflict. */
  write(expectedVersion: number, next: LedgerFields): Promise<LedgerState>;
}

export interface RunLog {
  info(message: string, data?: Record<string, unknown>): void;
  warn(message: string, data?: Record<string, unknown>): void;
}
