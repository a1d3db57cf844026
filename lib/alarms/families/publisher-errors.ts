/** Publisher errors: at least one error of the savings publisher's function in a publisher period. */
import { Duration } from 'aws-cdk-lib';
import { ComparisonOperator, Stats, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { Runbook } from '../runbooks';
import type { PipelineAlarmFamily } from './family';

export function publisherErrorsRunbook(periodMinutes: number): Runbook {
  return {
    subject: 'Savings publisher',
    what: `>= 1 Lambda error in a period of ${periodMinutes} min.`,
    means: 'savings metrics are late; the next good run back-fills every missed period (up to 14 days), never twice.',
    causes: ['throttled or failing CloudWatch or DynamoDB calls', 'a Lambda timeout', 'a rejected config', 'missing IAM permissions'],
    checks: [
      "the publisher's log group: the error and the run summary",
      'the failed-runs queue',
      '`prompt-cache publish` locally against the ledger',
    ],
  };
}

export const publisherErrors: PipelineAlarmFamily<'publisherErrors'> = {
  key: 'publisherErrors',
  name: 'PublisherErrors',

  planPipeline() {
    return 1;
  },

  alarm({ publisher }) {
    return {
      metric: publisher.function.metricErrors({
        period: Duration.minutes(publisher.periodMinutes),
        statistic: Stats.SUM,
        label: 'Publisher errors',
      }),
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      // No invocation, no Errors datum: silence is the heartbeat alarm's business.
      treatMissingData: TreatMissingData.NOT_BREACHING,
      runbook: publisherErrorsRunbook(publisher.periodMinutes),
    };
  },
};
