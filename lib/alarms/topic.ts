/**
 * An SNS topic the notifier sends to, pages or tickets: created here (a customer-managed key, SSL only, publishable
 * by this stack's alarms only: the notifier's own failure alarm notifies it directly), imported by ARN (config
 * `alarms.topicArn`, `alarms.tickets.topicArn`), or a topic of the user's app.
 */
import { Aws, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
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
  /** What it carries: pages (the on-call topic) or tickets. @default 'pages' */
  readonly purpose?: 'pages' | 'tickets';
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
      this.warnOtherRegion(props.topic.env.region, props.purpose === 'tickets' ? 'ticketTopic' : 'onCallTopic');
    } else if (props.topicArn !== undefined) {
      this.topic = sns.Topic.fromTopicArn(this, props.purpose === 'tickets' ? 'TicketTopic' : 'OnCallTopic', props.topicArn);
      this.warnOtherRegion(props.topicArn.split(':')[3], props.purpose === 'tickets' ? 'alarms.tickets.topicArn' : 'alarms.topicArn');
    } else {
      const { topic, key } = this.create(props.namePrefix, props.purpose ?? 'pages');
      this.topic = topic;
      this.key = key;
    }
    for (const email of props.emails ?? []) this.topic.addSubscription(new subs.EmailSubscription(email));
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

  private create(prefix: string, purpose: 'pages' | 'tickets'): { topic: sns.Topic; key: kms.Key } {
    // The ids of the on-call topic are the ones it had before tickets existed, so updates keep it (and its subscriptions).
    const name = purpose === 'pages' ? 'OnCallTopic' : 'TicketTopic';
    // Only our alarms may publish: their names start with the prefix (topic policy only, see the key).
    const fromOurAlarms = {
      StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
      ArnLike: { 'aws:SourceArn': `arn:${Aws.PARTITION}:cloudwatch:${Aws.REGION}:${Aws.ACCOUNT_ID}:alarm:${prefix}-*` },
    };
    // CloudWatch cannot use the AWS-managed alias/aws/sns key: a customer-managed one, rotated, usable by CloudWatch.
    const key = new kms.Key(this, `${name}Key`, {
      description: `Encrypts the prompt-cache ${purpose === 'pages' ? 'on-call' : 'ticket'} topic of ${prefix}`,
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
    const topic = new sns.Topic(this, name, {
      displayName: purpose === 'pages' ? 'Bedrock prompt cache on-call' : 'Bedrock prompt cache tickets',
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
