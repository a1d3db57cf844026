/** The stack `bin/app.ts` deploys: it only composes the {@link PromptCacheMonitoring} construct. */
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { ConfigInput } from '../lambda/core/config';
import { PromptCacheMonitoring } from './prompt-cache-monitoring';
import { dashboardUrl } from './console-url';
import { ObservabilityLink } from './cross-account';

/** The stack's name unless `--context stackName=...` (bin/app.ts) says otherwise; also the alarm name prefix. */
export const DEFAULT_STACK_NAME = 'BedrockPromptCacheMonitoring';
/** CloudFormation's rule for stack names. */
export const STACK_NAME_PATTERN = /^[A-Za-z][A-Za-z0-9-]{0,127}$/;

export interface PromptCacheMonitoringStackProps extends StackProps {
  /** The config as written (validated by the construct), or one `loadConfigFromContext` already validated. */
  readonly config: ConfigInput;
  /**
   * Name of the on-call dashboard.
   * @default `<stack name>-OnCall-<region>`
   */
  readonly dashboardName?: string;
  /**
   * The monitoring account's sink of this stack's region (config `monitoring.sinks`): the stack links to it, sharing
   * the metrics of the config's namespace.
   * @default - no link
   */
  readonly sinkArn?: string;
  /**
   * `false`: no alarm or topic in this stack; the monitoring account's roll-up pages for it (config
   * `targets[].onCall: "rollup"`). @default true
   */
  readonly ownAlarms?: boolean;
}

export class PromptCacheMonitoringStack extends Stack {
  readonly monitoring: PromptCacheMonitoring;
  /** The link to the monitoring account's sink, with `sinkArn`. */
  readonly link?: ObservabilityLink;

  constructor(scope: Construct, id: string, props: PromptCacheMonitoringStackProps) {
    super(scope, id, {
      description: 'Amazon Bedrock prompt-cache monitoring: dashboards over the AWS/Bedrock token metrics and the savings publisher',
      // Three alarms per model, each with a runbook: an unindented template is a fifth smaller (README, "Alarms and runbooks").
      suppressTemplateIndentation: true,
      ...props,
    });
    this.monitoring = new PromptCacheMonitoring(this, 'PromptCacheMonitoring', {
      config: props.config,
      dashboardName: props.dashboardName,
      ...(props.ownAlarms === false ? { ownAlarms: false } : {}),
    });
    if (props.sinkArn !== undefined) {
      this.link = new ObservabilityLink(this, 'MonitoringAccountLink', {
        sinkArn: props.sinkArn,
        namespace: this.monitoring.config.namespace,
      });
    }
    new CfnOutput(this, 'OnCallDashboardUrl', {
      description: 'The on-call dashboard',
      value: dashboardUrl(this, this.monitoring.onCallDashboard.dashboardName),
    });
    const publisher = this.monitoring.publisher;
    if (publisher) {
      new CfnOutput(this, 'LedgerTableName', {
        description: 'Publisher ledger (prompt-cache publish --ledger-table)',
        value: publisher.ledgerTable.tableName,
      });
      new CfnOutput(this, 'PublisherFunctionName', { description: 'The savings publisher Lambda', value: publisher.function.functionName });
      new CfnOutput(this, 'FailedRunsQueueUrl', { description: 'Failed publisher invocations', value: publisher.failureQueue.queueUrl });
    }
    new CfnOutput(this, 'CostReviewDashboardUrl', {
      description: 'The cost-review dashboard (7 days, 1-day periods)',
      value: dashboardUrl(this, this.monitoring.costReviewDashboard.dashboardName),
    });
    const alarms = this.monitoring.alarms;
    if (alarms.topic) {
      new CfnOutput(this, 'OnCallTopicArn', {
        description: 'On-call topic: pages (caching losing money fast, the savings pipeline silent); subscribe your pager here',
        value: alarms.topic.topicArn,
      });
    }
    if (alarms.ticketTopic) {
      new CfnOutput(this, 'TicketTopicArn', {
        description: 'Ticket topic: everything that can wait for working hours; subscribe e-mail or chat here',
        value: alarms.ticketTopic.topicArn,
      });
    }
    if (this.monitoring.digest) {
      new CfnOutput(this, 'CostReviewTopicArn', {
        description: 'Weekly digest topic: subscribe the cost meeting here',
        value: this.monitoring.digest.topic.topicArn,
      });
    }
  }
}
