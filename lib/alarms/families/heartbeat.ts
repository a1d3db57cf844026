/**
 * The pipeline alarm (`PublisherHeartbeat`) on `PublisherLagMinutes`: silent publisher periods filled as breaching,
 * or a lag past the settle delay, a period and the timeout (the watermark is stuck), `missingPeriods` in a row.
 */
import { Duration } from 'aws-cdk-lib';
import { ComparisonOperator, MathExpression, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { PromptCacheConfig } from '../../../lambda/core/config';
import { heartbeatPeriods } from '../../../lambda/core/pages';
import { SavingsMetrics } from '../../savings-metrics';
import type { AlarmPlan } from '../plan-types';
import type { AlarmSpec, PipelineAlarmFamily, PublisherTiming } from './family';

/** Value of a period with no `PublisherLagMinutes` report: above any threshold, so silence breaches. */
export const LAG_FILL_MINUTES = 99_999;

/** The lag (minutes) above which the watermark is stuck: the settle delay, one period and the Lambda timeout. */
export function lagThresholdMinutes(timing: PublisherTiming): number {
  return timing.settleDelayMinutes + timing.periodMinutes + timing.timeoutMinutes;
}

export { heartbeatPeriods };

/**
 * The pipeline alarm's metric: the largest lag reported per publisher period, silent periods filled with
 * {@link LAG_FILL_MINUTES}. The lag datum is timestamped at the run's own time (not a period start), so a silent
 * period is seen as soon as it ends, and FILL keeps CloudWatch from skipping missing periods (it evaluates the most
 * recent existing datapoints when enough exist in its evaluation range, which made a missing-data heartbeat hours late).
 */
export function lagExpression(
  config: Pick<PromptCacheConfig, 'namespace' | 'publisher'>,
  thresholdMinutes: number,
  periodMinutes: number = config.publisher.periodMinutes,
  /** A source account's publisher, watched from the monitoring account. @default - this stack's */
  account?: string,
): MathExpression {
  return new MathExpression({
    expression: `FILL(lag, ${LAG_FILL_MINUTES})`,
    usingMetrics: {
      lag: SavingsMetrics.fromConfig(config, Duration.minutes(periodMinutes)).metric('publisherLagMinutes', {
        unlabelled: true,
        ...(account === undefined ? {} : { account }),
      }),
    },
    label: `Publisher lag (min, ${LAG_FILL_MINUTES} = no report); alarm > ${thresholdMinutes}`,
    period: Duration.minutes(periodMinutes),
  });
}

export const heartbeat: PipelineAlarmFamily<'heartbeat'> = {
  key: 'heartbeat',
  name: 'PublisherHeartbeat',

  planPipeline({ config, publisher, warn }) {
    const missing = config.alarms.pipeline.missingPeriods;
    const periods = heartbeatPeriods(missing, publisher.periodMinutes);
    if (periods !== missing) {
      warn({
        kind: 'pipeline-window-capped',
        message: `alarms.pipeline.missingPeriods: ${missing} periods of ${publisher.periodMinutes} minutes exceed CloudWatch's one-day evaluation limit; the pipeline alarm evaluates ${periods} periods instead`,
      });
    }
    return 1;
  },

  alarm({ config, plan, publisher }) {
    return heartbeatSpec(config, plan, publisher.periodMinutes);
  },
};

/**
 * The heartbeat alarm of a publisher: this stack's, or with `account` a source account's, watched from the
 * monitoring account (a cross-account metric-math alarm: its metric carries the AccountId).
 */
export function heartbeatSpec(
  config: Pick<PromptCacheConfig, 'namespace' | 'publisher'>,
  plan: Pick<AlarmPlan, 'lagThresholdMinutes' | 'heartbeatPeriods'>,
  periodMinutes: number,
  account?: string,
): AlarmSpec {
  return {
    metric: lagExpression(config, plan.lagThresholdMinutes, periodMinutes, account),
    threshold: plan.lagThresholdMinutes,
    comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
    evaluationPeriods: plan.heartbeatPeriods,
    datapointsToAlarm: plan.heartbeatPeriods,
    // FILL gives every silent period a breaching value; no datum in the whole range (never ran) breaches too.
    treatMissingData: TreatMissingData.BREACHING,
  };
}
