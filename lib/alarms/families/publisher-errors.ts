/** Publisher errors: at least one error of the savings publisher's function in a publisher period. */
import { Duration } from 'aws-cdk-lib';
import { ComparisonOperator, Stats, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { PipelineAlarmFamily } from './family';

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
    };
  },
};
