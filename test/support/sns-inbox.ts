/** An SNS topic with an SQS queue subscribed (its inbox), on the emulator: what a test reads notifications from. */
import { CreateTopicCommand, type SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';

/** A topic named `name` and its inbox queue `<name>-inbox`. */
export async function topicWithQueue(sns: SNSClient, sqs: SQSClient, name: string): Promise<{ topic: string; queue: string }> {
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: name }));
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: `${name}-inbox` }));
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
  await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: Attributes?.QueueArn }));
  return { topic: TopicArn as string, queue: QueueUrl as string };
}

/** Every message waiting in the queue (SNS envelopes), removed from view. */
export async function drain(sqs: SQSClient, queue: string): Promise<{ Subject: string; Message: string; TopicArn: string }[]> {
  const out: { Subject: string; Message: string; TopicArn: string }[] = [];
  for (;;) {
    const { Messages } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queue, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, VisibilityTimeout: 300 }),
    );
    if (!Messages || Messages.length === 0) return out;
    out.push(...Messages.map((m) => JSON.parse(m.Body as string)));
  }
}
