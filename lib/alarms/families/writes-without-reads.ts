/**
 * Writes without reads: cache writes of at least a minimum in periods with no cache read, N periods in a row: the
 * cached prefix never matches. Fleet: the publisher's per-model `WritesWithoutReadsTokens` (settled, whole periods,
 * only periods above the model's write minimum) above 0. Precise: the raw Sums.
 */
import { ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { fleetWindow, publisherWindow, type CacheAlarmFamily } from './family';

export const writesWithoutReads: CacheAlarmFamily<'writesWithoutReads'> = {
  key: 'writesWithoutReads',
  name: 'WritesWithoutReads',
  title: 'writes-without-reads',

  planModel({ settings, cacheMetrics }) {
    return settings.writesWithoutReads.enabled ? cacheMetrics : undefined;
  },

  fleet({ section, publisher }) {
    const f = section.writesWithoutReads;
    if (!f.enabled) return [];
    const window = fleetWindow(
      publisherWindow(f.periodMinutes, f.evaluationPeriods, f.evaluationPeriods, publisher.periodMinutes),
      publisher,
    );
    return [
      {
        severity: 'ticket',
        // Per model only in periods that wrote at least the model's minWriteTokens: its writes if it read nothing, else 0.
        series: 'writesWithoutReadsTokens',
        threshold: 0,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        window: { ...window, datapointsToAlarm: window.evaluationPeriods },
      },
    ];
  },

  alarm({ model: m, settings, bedrock }) {
    const f = settings.writesWithoutReads;
    // Raw Sums, so a page within minutes; the newest period may still be partial (reads not yet arrived).
    return {
      metric: bedrock(f.periodMinutes).writesWithoutReads({
        modelId: m.modelId,
        compactInputs: true,
        label: `${m.label}: writes w/o reads`,
      }),
      threshold: f.minWriteTokens,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: f.evaluationPeriods,
      datapointsToAlarm: f.evaluationPeriods,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    };
  },
};
