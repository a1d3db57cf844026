/**
 * Low hit ratio: read / (read + write) below each model's threshold (the larger of thresholdPercent and its break-even
 * plus a margin), evaluated only in periods whose cache traffic reaches a minimum (no pages at 3 requests an hour).
 * Fleet: the publisher's `AlarmHitRatioMarginPoints` below 0. Precise: metric math over the raw AWS/Bedrock Sums under
 * every spelling the config does not pin (the larger per period).
 */
import { ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { lowHitThresholdPercent } from '../../../lambda/core/config';
import { modelRef } from '../names';
import { fleetWindow, publisherWindow, type CacheAlarmFamily } from './family';

/** The usual causes of a hit-ratio drop, most likely first. */
export const HIT_RATIO_CAUSES = [
  'timestamp or request id in the prefix',
  'tools or their order changed',
  'system prompt edited',
  'model or inference profile switched',
  'checkpoint under the model minimum',
  'gaps longer than the TTL',
  'a proxy dropping cachePoint/cache_control',
  'cross-region routing under load',
];

export const lowHitRatio: CacheAlarmFamily<'lowHitRatio'> = {
  key: 'lowHitRatio',
  name: 'LowHitRatio',
  title: 'low-hit-ratio',

  planModel({ model, index, settings, cacheMetrics, warn }) {
    const f = settings.lowHitRatio;
    if (!f.enabled) return undefined;
    if (f.thresholdPercent <= 0 && f.breakEvenMarginPoints <= 0) {
      // A threshold the model inherits is reported once, at the section (planSection).
      if (model.alarms?.lowHitRatio?.thresholdPercent !== undefined) {
        warn({
          kind: 'threshold-never-fires',
          message: `models[${index}].alarms.lowHitRatio.thresholdPercent: a hit ratio is never below 0 %, so the low-hit-ratio alarm of ${modelRef(model, index)} could never fire and is left out; raise the threshold or set enabled: false`,
        });
      }
      return undefined;
    }
    return cacheMetrics;
  },

  planSection({ section, warn }) {
    const f = section.lowHitRatio;
    if (f.enabled && f.thresholdPercent <= 0 && f.breakEvenMarginPoints <= 0) {
      warn({
        kind: 'threshold-never-fires',
        message:
          'alarms.lowHitRatio.thresholdPercent: a hit ratio is never below 0 % (and breakEvenMarginPoints is 0), so the low-hit-ratio alarms could never fire and are left out; raise the threshold or set enabled: false',
      });
    }
  },

  fleet({ section, publisher }) {
    const f = section.lowHitRatio;
    if (!f.enabled || (f.thresholdPercent <= 0 && f.breakEvenMarginPoints <= 0)) return [];
    const window = fleetWindow(
      publisherWindow(f.periodMinutes, f.evaluationPeriods, f.datapointsToAlarm, publisher.periodMinutes),
      publisher,
    );
    return [
      {
        severity: 'ticket',
        // The publisher puts hit ratio minus each model's own threshold, only in periods above its volume minimum.
        series: 'alarmHitRatioMarginPoints',
        threshold: 0,
        comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
        window,
      },
    ];
  },

  alarm({ model: m, settings, bedrock }) {
    const f = settings.lowHitRatio;
    return {
      metric: bedrock(f.periodMinutes).cacheHitRatio({
        modelId: m.modelId,
        minCacheTokens: f.minCacheTokens,
        compactInputs: true,
        label: `${m.label}: hit ratio %`,
      }),
      threshold: lowHitThresholdPercent(f, m.breakEvenPercent),
      comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: f.evaluationPeriods,
      datapointsToAlarm: f.datapointsToAlarm,
      // A quiet period (below the minimum volume) has no datapoint: it is not a broken cache.
      treatMissingData: TreatMissingData.NOT_BREACHING,
    };
  },
};
