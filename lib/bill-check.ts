/**
 * The daily bill check: a scheduled Lambda that publishes each settled day's Bedrock bill in the stack's region beside
 * the cost computed from its tokens (`BilledCostUSD`, `CostDriftPercent`; lambda/core/bill-check.ts), exactly once per
 * day, its ledger item in the publisher's table. The drift alarm that reads it is one of PromptCacheAlarms'.
 */
import { Duration } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { PromptCacheConfig } from '../lambda/core/config';
import { billLedgerKey } from '../lambda/core/bill-check';
import { PromptCacheFunction } from './prompt-cache-function';

/** What users tune on the bill check; whether it exists and when it runs is the config's `reconcile.daily`. */
export interface DailyBillCheckOptions {
  /** @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
  /** @default Duration.minutes(2) */
  readonly timeout?: Duration;
}

export interface DailyBillCheckProps extends DailyBillCheckOptions {
  readonly config: PromptCacheConfig;
  /** The savings publisher's ledger table: the check keeps its own item (`bill#<namespace>`) there. */
  readonly ledgerTable: dynamodb.ITable;
}

export class DailyBillCheck extends Construct {
  readonly function: lambda.Function;
  readonly schedule: events.Rule;

  constructor(scope: Construct, id: string, props: DailyBillCheckProps) {
    super(scope, id);
    const { config } = props;
    const fn = new PromptCacheFunction(this, 'Lambda', {
      handler: 'bill',
      config,
      timeout: props.timeout ?? Duration.minutes(2),
      memorySizeMb: 512,
      logRetention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      environment: { LEDGER_TABLE_NAME: props.ledgerTable.tableName, POWERTOOLS_SERVICE_NAME: 'prompt-cache-bill-check' },
      wildcardReason:
        'cloudwatch:GetMetricData, ListMetrics, PutMetricData and ce:GetCostAndUsage support no resource-level permissions; PutMetricData is limited to our namespace by the cloudwatch:namespace condition.',
      checkovSkips: [
        { id: 'CKV_AWS_115', comment: 'Runs once a day on a schedule; a reservation fails function creation in low-quota accounts.' },
        {
          id: 'CKV_AWS_116',
          comment:
            "Not retried and no dead-letter queue on purpose: the next day's run back-fills every day missed (up to 14 days), and a failure shows in the BillCheckErrors alarm.",
        },
      ],
    });
    this.function = fn.function;
    fn.allowMetricReads();
    fn.allowInferenceProfileReads();
    fn.allowBillReads();
    fn.allowPutIntoNamespace(config.namespace);
    // Its own ledger item only: the publisher's watermark is out of its reach.
    fn.allowLedgerItems(props.ledgerTable, 'BillLedgerItem', [billLedgerKey(config.namespace)]);
    this.function.configureAsyncInvoke({ retryAttempts: 0 });
    const hour = config.reconcile.daily.hourUtc;
    this.schedule = new events.Rule(this, 'Schedule', {
      description: `Checks the Bedrock bill against the computed cost every day at ${String(hour).padStart(2, '0')}:00 UTC`,
      schedule: events.Schedule.cron({ minute: '0', hour: String(hour) }),
      targets: [new targets.LambdaFunction(this.function, { retryAttempts: 0 })],
    });
  }
}
