/**
 * The weekly digest: a scheduled Lambda that sends the weekly cost review as plain text to a cost-review SNS topic
 * (separate from on-call), KMS-encrypted, SSL-only, with e-mail subscriptions from the config; or to a topic of the
 * user's app. In fleet mode (the monitoring account's roll-up stack) one digest over every target instead, totalled.
 */
import { Duration, Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import type { PromptCacheConfig } from '../lambda/core/config';
import { PromptCacheFunction } from './prompt-cache-function';

/** What users tune on the digest; the schedule, window and e-mails come from the config's `digest` section. */
export interface WeeklyDigestOptions {
  /** @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
  /** @default Duration.minutes(2) */
  readonly timeout?: Duration;
}

/** A target of the fleet digest: its account and region, and whether it is a linked source account (not the stack's own). */
export interface FleetDigestTarget {
  readonly account: string;
  readonly region: string;
  readonly linked: boolean;
}

export interface WeeklyDigestProps extends WeeklyDigestOptions {
  readonly config: PromptCacheConfig;
  /**
   * A topic of your app to send the digest to (its ARN may be a token); `digest.emails` are subscribed to it. The
   * function may publish to it (and use its key, if it has one).
   * @default - a topic created here, with its own rotating key
   */
  readonly topic?: sns.ITopic;
  /**
   * The cost-review dashboard's console URL (lib/console-url.ts `dashboardUrl`), linked under the digest's headline.
   * @default - no link
   */
  readonly costReviewDashboardUrl?: string;
  /**
   * Fleet mode: one digest over these targets (each read in its region, a linked one through CloudWatch cross-account
   * observability), the total first, a line per account and region, each target's top models. Its role reads metrics
   * and publishes to its topic only: no bill line, no inference-profile lookups (a profile needs its `priceAs`).
   * @default - the digest of this stack's account and region
   */
  readonly fleetTargets?: readonly FleetDigestTarget[];
}

export class WeeklyDigest extends Construct {
  readonly function: lambda.Function;
  readonly topic: sns.ITopic;
  /** The created topic's key; undefined with a given `topic`. */
  readonly key?: kms.Key;
  readonly schedule: events.Rule;

  constructor(scope: Construct, id: string, props: WeeklyDigestProps) {
    super(scope, id);
    const { config } = props;
    const fleet = props.fleetTargets;
    if (props.topic) {
      this.topic = props.topic;
    } else {
      this.key = new kms.Key(this, 'TopicKey', { description: 'Encrypts the prompt-cache cost-review topic', enableKeyRotation: true });
      this.topic = new sns.Topic(this, 'CostReviewTopic', {
        displayName: fleet ? 'Prompt cache weekly cost review over every target' : 'Prompt cache weekly cost review',
        masterKey: this.key,
        enforceSSL: true,
      });
    }
    for (const email of config.digest.emails) this.topic.addSubscription(new subscriptions.EmailSubscription(email));

    const fn = new PromptCacheFunction(this, 'Lambda', {
      handler: 'digest',
      config,
      // The fleet digest reads every target one after another.
      timeout: props.timeout ?? Duration.minutes(fleet ? 5 : 2),
      memorySizeMb: 512,
      logRetention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      environment: {
        DIGEST_TOPIC_ARN: this.topic.topicArn,
        ...(props.costReviewDashboardUrl ? { COST_REVIEW_DASHBOARD_URL: props.costReviewDashboardUrl } : {}),
        ...(fleet ? { DIGEST_FLEET_TARGETS: JSON.stringify(fleet) } : {}),
        POWERTOOLS_SERVICE_NAME: fleet ? 'prompt-cache-fleet-digest' : 'prompt-cache-digest',
      },
      wildcardReason: fleet
        ? 'cloudwatch:GetMetricData and ListMetrics support no resource-level permissions (nor a condition on the source account); the fleet digest only reads metrics.'
        : 'cloudwatch:GetMetricData, ListMetrics and ce:GetCostAndUsage support no resource-level permissions; the digest only reads metrics and the bill.',
      checkovSkips: [
        { id: 'CKV_AWS_115', comment: 'Runs once a week on a schedule; a reservation fails function creation in low-quota accounts.' },
        {
          id: 'CKV_AWS_116',
          comment:
            'Not retried on purpose (a retry would send the e-mail twice); a failed run shows in the Errors metric, and next week sends the next review.',
        },
        ...(fleet
          ? [
              {
                id: 'CKV_AWS_45',
                comment:
                  "DIGEST_FLEET_TARGETS lists the targets' account ids and regions from the config (what the roll-up reads), no secret.",
              },
            ]
          : []),
      ],
    });
    this.function = fn.function;
    fn.allowMetricReads();
    if (!fleet) {
      // The "billed vs computed" line: the week's Bedrock lines of the bill (Cost Explorer; a refusal only drops the line).
      fn.allowBillReads();
      fn.allowInferenceProfileReads();
    }
    // sns:Publish on this topic only, and the key's GenerateDataKey/Decrypt to encrypt the message.
    this.topic.grantPublish(this.function);
    if (this.topic.masterKey) {
      Validations.of(fn.role.node.findChild('DefaultPolicy')).acknowledge({
        id: 'AwsSolutions::AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
        reason:
          "aws-cdk-lib's grantPublish on an encrypted topic: GenerateDataKey and its WithoutPlaintext variant, on this topic's own key only.",
      });
    }
    // A retry would send the e-mail twice; a missed digest is visible in the function's Errors metric.
    this.function.configureAsyncInvoke({ retryAttempts: 0 });

    this.schedule = new events.Rule(this, 'Schedule', {
      description: `Sends the prompt-cache ${fleet ? 'fleet ' : ''}cost review every ${config.digest.weekDay} at ${String(config.digest.hourUtc).padStart(2, '0')}:00 UTC`,
      schedule: events.Schedule.cron({ minute: '0', hour: String(config.digest.hourUtc), weekDay: config.digest.weekDay }),
      targets: [new targets.LambdaFunction(this.function, { retryAttempts: 0 })],
    });
  }
}
