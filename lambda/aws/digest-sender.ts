/** Publishes the weekly digest to the cost-review SNS topic (the SNS client is injected). */
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';

export async function publishDigest(sns: SNSClient, topicArn: string, subject: string, message: string): Promise<string | undefined> {
  const out = await sns.send(new PublishCommand({ TopicArn: topicArn, Subject: subject, Message: message }));
  return out.MessageId;
}
