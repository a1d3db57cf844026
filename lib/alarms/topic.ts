/**
 * The on-call SNS topic the paging roll-ups notify: created here (a customer-managed key CloudWatch may use, SSL only,
 * publishable by this stack's alarms only), imported by ARN (config `alarms.topicArn`), or a topic of the user's app.
 */
import { Aws, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subs from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { addSynthWarning } from '../synth-warnings';

export interface OnCallTopicProps {
  /** Alarm names start with `<namePrefix>-`: a created topic lets CloudWatch publish for those alarms only. */
  readonly namePrefix: string;
  /** An existing standard topic, by ARN (config `alarms.topicArn`). @default - `topic`, else a topic is created */
  readonly topicArn?: string;
  /** A topic of the user's app (its ARN may be a token). @default - `topicArn`, else a topic is created */
  readonly topic?: sns.ITopic;
  /** Addresses subscribed to the topic (each confirms by e-mail). @default - none */
  readonly emails?: readonly string[];
}

export class OnCallTopic extends Construct {
  readonly topic: sns.ITopic;
  /** The topic's customer-managed key, when the topic is created here. */
  readonly key?: kms.Key;

  constructor(scope: Construct, id: string, props: OnCallTopicProps) {
    super(scope, id);
    if (props.topic && props.topicArn !== undefined) {
      throw new Error('OnCallTopic: give either topic or topicArn, not both');
    }
    if (props.topic) {
      this.topic = props.topic;
      this.warnOtherRegion(props.topic.env.region, 'onCallTopic');
    } else if (props.topicArn !== undefined) {
      this.topic = sns.Topic.fromTopicArn(this, 'OnCallTopic', props.topicArn);
      this.warnOtherRegion(props.topicArn.split(':')[3], 'alarms.topicArn');
    } else {
      const { topic, key } = this.create(props.namePrefix);
      this.topic = topic;
      this.key = key;
    }
    for (const email of props.emails ?? []) this.topic.addSubscription(new subs.EmailSubscription(email));
  }

  /**
   * Lets `rule` publish to the topic (the recovery notifications): AWS's documented key statement for
   * events.amazonaws.com, and a topic policy statement for this rule's ARN only (CDK's SnsTopic target would allow
   * every rule of EventBridge). Only a topic created here can take them.
   */
  allowRule(rule: events.IRule): void {
    if (!this.key) throw new Error('OnCallTopic.allowRule: only a topic created here can be granted to a rule');
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'EventBridgeEncryptRecoveries',
        principals: [new iam.ServicePrincipal('events.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
      }),
    );
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'RecoveryRulePublish',
        principals: [new iam.ServicePrincipal('events.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: { ArnEquals: { 'aws:SourceArn': rule.ruleArn } },
      }),
    );
  }

  private warnOtherRegion(topicRegion: string | undefined, source: string): void {
    const stack = Stack.of(this);
    if (topicRegion === undefined || Token.isUnresolved(topicRegion) || Token.isUnresolved(stack.region) || topicRegion === stack.region)
      return;
    addSynthWarning(this, {
      kind: 'topic-region',
      message: `${source}: the topic is in ${topicRegion} but the stack deploys to ${stack.region}; CloudWatch alarms notify topics of their own region only`,
    });
  }

  private create(prefix: string): { topic: sns.Topic; key: kms.Key } {
    // Only composites notify, and only ours: their names start with the prefix (topic policy only, see the key).
    const fromOurAlarms = {
      StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
      ArnLike: { 'aws:SourceArn': `arn:${Aws.PARTITION}:cloudwatch:${Aws.REGION}:${Aws.ACCOUNT_ID}:alarm:${prefix}-*` },
    };
    // CloudWatch cannot use the AWS-managed alias/aws/sns key: a customer-managed one, rotated, usable by CloudWatch.
    const key = new kms.Key(this, 'OnCallTopicKey', {
      description: `Encrypts the prompt-cache on-call topic of ${prefix}`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // AWS's documented key statement for alarms notifying an encrypted topic, without conditions: AWS documents
    // aws:SourceArn/aws:SourceAccount for the topic policy only, and if CloudWatch's KMS calls do not carry them,
    // every notification fails without a trace. The topic policy below keeps the conditions, so only our alarms
    // can publish; this key encrypts nothing but this topic.
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsEncryptNotifications',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
      }),
    );
    const topic = new sns.Topic(this, 'OnCallTopic', {
      displayName: 'Bedrock prompt cache on-call',
      masterKey: key,
      enforceSSL: true,
    });
    topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [topic.topicArn],
        conditions: fromOurAlarms,
      }),
    );
    return { topic, key };
  }
}
