/**
 * The alarm notifier: an EventBridge rule for the state changes of this stack's alarms (their own and their fleet
 * contributors', by the alarm-name prefix, so its size does not grow with the alarms), a Lambda that turns each one a
 * person should hear about into a runbook in night order with the model's live figures, and the two SNS topics it
 * publishes to by severity (pages, tickets). No alarm has an action of its own: every notification comes from here.
 *
 * Nothing is retried blindly (a retry could page twice): the rule's target and the function's async invocations take no
 * retry, and what fails lands in an encrypted dead-letter queue with the event.
 */
import { Duration, Token, Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { alarmLookup, listedAlarms, type CatalogAlarm } from '../../lambda/core/alarm-catalog';
import type { PromptCacheConfig } from '../../lambda/core/config';
import { ALARM_STATE_CHANGE, CONTRIBUTOR_STATE_CHANGE, DEFAULT_PUBLISHER_TIMEOUT_MINUTES } from '../../lambda/core/pages';
import { deadLetterQueue, PromptCacheFunction } from '../prompt-cache-function';

export interface AlarmNotifierProps {
  /** The validated config: the function reads it as the publisher does (models, prices, thresholds, namespace). */
  readonly config: PromptCacheConfig;
  /** Every alarm name starts with `<namePrefix>-`; the rule matches exactly those alarms' events. */
  readonly namePrefix: string;
  /**
   * The alarms served (lambda/core/alarm-catalog.ts): each one's family, severity (the topic) and kind. The fleet and
   * pipeline alarms are listed in the function's environment; a precise alarm is recognized by its name (the model's
   * key and the family, `preciseAlarmName`), so the environment stays the same size whatever the number of models.
   */
  readonly catalog: readonly CatalogAlarm[];
  /** Where pages go: the on-call topic. */
  readonly pageTopic: sns.ITopic;
  /** Where tickets go (what can wait for working hours). */
  readonly ticketTopic: sns.ITopic;
  /** The paging topic's KMS key, which the function must use to publish. @default - the topic's `masterKey`, if any */
  readonly pageTopicKey?: kms.IKey;
  /** The ticket topic's KMS key. @default - the topic's `masterKey`, if any */
  readonly ticketTopicKey?: kms.IKey;
  /** The on-call dashboard's console URL (lib/console-url.ts `dashboardUrl`), linked from every page. */
  readonly dashboardUrl: string;
  /**
   * This README (or wherever it is hosted): each page links its family's section of "When you are paged"
   * (`#low-hit-ratio`, …), the URL's own fragment replaced. @default - `config.alarms.runbookUrl`; without it, no runbook link
   */
  readonly runbookUrl?: string;
  /** The savings publisher's Lambda timeout: part of the heartbeat's lag threshold. @default Duration.minutes(5) */
  readonly publisherTimeout?: Duration;
  /** @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
  /** A roll-up's notifier: how its pages name each source account (its target's stack). @default - none */
  readonly accountLabels?: Readonly<Record<string, string>>;
}

export class AlarmNotifier extends Construct {
  readonly function: lambda.Function;
  readonly rule: events.Rule;
  /** Events the rule could not deliver and invocations that failed (the event and the error), 14 days. */
  readonly deadLetterQueue: sqs.Queue;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: AlarmNotifierProps) {
    super(scope, id);
    const { config, namePrefix, catalog } = props;
    const outside = catalog.filter((a) => !a.name.startsWith(`${namePrefix}-`)).map((a) => a.name);
    if (!Token.isUnresolved(namePrefix) && outside.length > 0) {
      throw new Error(`AlarmNotifier: ${outside.join(', ')} do not start with "${namePrefix}-", so the rule would never pass their events`);
    }
    const findAlarm = alarmLookup(listedAlarms(catalog), namePrefix, config.models);
    const same = (a: CatalogAlarm, b: CatalogAlarm | undefined) =>
      b !== undefined &&
      (['family', 'severity', 'kind', 'modelId', 'anomalyBand', 'crossAccount', 'accountId'] as const).every((k) => a[k] === b[k]);
    const unknown = catalog.filter((a) => !same(a, findAlarm(a.name))).map((a) => a.name);
    if (!Token.isUnresolved(namePrefix) && unknown.length > 0) {
      throw new Error(
        `AlarmNotifier: the notifier would not recognize ${unknown.join(', ')} (a precise alarm must be named by preciseAlarmName)`,
      );
    }

    this.deadLetterQueue = deadLetterQueue(this, 'DeadLetters', {
      isWhat: 'the dead-letter queue of the alarm notifier (its rule target and its async invocations)',
      holds: 'alarm events and errors',
    });

    const runbookUrl = props.runbookUrl ?? config.alarms.runbookUrl;
    const timeoutMinutes =
      props.publisherTimeout && !props.publisherTimeout.isUnresolved()
        ? Math.ceil(props.publisherTimeout.toMinutes({ integral: false }))
        : DEFAULT_PUBLISHER_TIMEOUT_MINUTES;
    const fn = new PromptCacheFunction(this, 'Lambda', {
      handler: 'notifier',
      config,
      timeout: Duration.seconds(30),
      memorySizeMb: 256,
      logRetention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      environment: {
        PAGE_TOPIC_ARN: props.pageTopic.topicArn,
        TICKET_TOPIC_ARN: props.ticketTopic.topicArn,
        ALARM_NAME_PREFIX: namePrefix,
        ALARM_CATALOG: JSON.stringify(listedAlarms(catalog)),
        DASHBOARD_URL: props.dashboardUrl,
        ...(runbookUrl ? { RUNBOOK_URL: runbookUrl } : {}),
        PUBLISHER_TIMEOUT_MINUTES: String(timeoutMinutes),
        ...(props.accountLabels ? { SOURCE_ACCOUNTS: JSON.stringify(props.accountLabels) } : {}),
        POWERTOOLS_SERVICE_NAME: 'prompt-cache-notifier',
      },
      wildcardReason:
        'cloudwatch:GetMetricData supports no resource-level permissions; the notifier only reads the figures of the page it sends.',
      checkovSkips: [
        {
          id: 'CKV_AWS_115',
          comment: 'Short invocations, one per alarm transition; a reservation fails function creation in low-quota accounts.',
        },
        {
          id: 'CKV_AWS_116',
          comment:
            'Failed async invocations go to the DeadLetters queue through an on-failure destination (EventInvokeConfig), which keeps the event and the error.',
        },
        ...(props.accountLabels
          ? [
              {
                id: 'CKV_AWS_45',
                comment:
                  "The roll-up's environment names its source accounts (12-digit ids) and their stacks for the pages; account ids are not secrets.",
              },
            ]
          : []),
      ],
    });
    this.function = fn.function;
    this.logGroup = fn.logGroup;

    fn.role.addToPolicy(new iam.PolicyStatement({ sid: 'ReadPageFigures', actions: ['cloudwatch:GetMetricData'], resources: ['*'] }));
    const topicArns = [...new Set([props.pageTopic.topicArn, props.ticketTopic.topicArn])];
    fn.role.addToPolicy(new iam.PolicyStatement({ sid: 'PublishPagesAndTickets', actions: ['sns:Publish'], resources: topicArns }));
    const keys = [props.pageTopicKey ?? props.pageTopic.masterKey, props.ticketTopicKey ?? props.ticketTopic.masterKey].filter(
      (k): k is kms.IKey => k !== undefined,
    );
    const keyArns = [...new Set(keys.map((k) => k.keyArn))];
    if (keyArns.length > 0) {
      // What SNS needs of a publisher to an encrypted topic, on these keys only.
      fn.role.addToPolicy(
        new iam.PolicyStatement({ sid: 'EncryptPagesAndTickets', actions: ['kms:Decrypt', 'kms:GenerateDataKey*'], resources: keyArns }),
      );
      Validations.of(fn.role.node.findChild('DefaultPolicy')).acknowledge({
        id: 'AwsSolutions::AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
        reason:
          "SNS's publisher permissions for an encrypted topic: GenerateDataKey and its WithoutPlaintext variant, on the two topics' keys only.",
      });
    }
    // A retry could page twice: none; a failed invocation keeps its event in the dead-letter queue. The destination is
    // bound by hand: aws-cdk-lib's SqsDestination would also grant GetQueueAttributes and GetQueueUrl, which it needs not.
    const queueArn = this.deadLetterQueue.queueArn;
    fn.role.addToPolicy(new iam.PolicyStatement({ sid: 'KeepFailedEvents', actions: ['sqs:SendMessage'], resources: [queueArn] }));
    const onFailure: lambda.IDestination = { bind: () => ({ destination: queueArn }) };
    this.function.configureAsyncInvoke({ retryAttempts: 0, onFailure });

    this.rule = new events.Rule(this, 'AlarmEvents', {
      description: `Passes the state changes of the ${namePrefix}-* alarms and their contributors to the alarm notifier`,
      eventPattern: {
        source: ['aws.cloudwatch'],
        detailType: [ALARM_STATE_CHANGE, CONTRIBUTOR_STATE_CHANGE],
        detail: { alarmName: events.Match.prefix(`${namePrefix}-`) },
      },
      targets: [new targets.LambdaFunction(this.function, { retryAttempts: 0, deadLetterQueue: this.deadLetterQueue })],
    });
  }
}
