/**
 * Low hit ratio: read / (read + write) below the threshold, evaluated only in periods whose cache traffic reaches a
 * minimum (no pages at 3 requests an hour). Per model, metric math over the raw AWS/Bedrock Sums under every spelling
 * the config does not pin (the larger per period); all models, the publisher's `CacheReadTokens` / `CacheWriteTokens`.
 */
import { Duration } from 'aws-cdk-lib';
import { ComparisonOperator, MathExpression, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { ModelAlarmSettings } from '../../../lambda/core/config';
import { gatedHitRatioExpression } from '../../bedrock-metrics';
import { modelRef } from '../names';
import type { ModelAlarmPlan } from '../plan-types';
import { formatCount, formatPercent, formatPrice, type Runbook } from '../runbooks';
import { publisherWindow, type CacheAlarmFamily } from './family';

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

export function lowHitRatioRunbook(m: ModelAlarmPlan | undefined, s: ModelAlarmSettings['lowHitRatio']): Runbook {
  const p = m?.price;
  return {
    subject: m ? m.label : 'All models',
    what: `hit ratio read/(read+write) < ${s.thresholdPercent}% in ${s.datapointsToAlarm} of ${s.evaluationPeriods} ${s.periodMinutes}-min periods with >= ${formatCount(s.minCacheTokens)} cache tokens.`,
    means: p
      ? `writes cost ${formatPrice(p.cacheWriteMicro)}/MTok, reads ${formatPrice(p.cacheReadMicro)}, input ${formatPrice(p.inputMicro)}: under ${formatPercent(m?.breakEvenPercent ?? 0)} caching loses money.`
      : 'writes cost 1.25-2x input, reads 0.1x: under the break-even (21.7% for a 5-min Claude cache, 52.6% for 1 h) caching loses money.',
    causes: HIT_RATIO_CAUSES,
    checks: [
      "this model's read vs write on the dashboard: since when?",
      'deploys, prompt, tool or model changes then',
      'diff the prefixes of two consecutive requests',
    ],
  };
}

export const lowHitRatio: CacheAlarmFamily<'lowHitRatio'> = {
  key: 'lowHitRatio',
  name: 'LowHitRatio',
  title: 'low-hit-ratio',

  planModel({ model, index, settings, cacheMetrics, warn }) {
    const f = settings.lowHitRatio;
    if (!f.enabled) return undefined;
    if (f.thresholdPercent <= 0) {
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
    if (section.lowHitRatio.enabled && section.lowHitRatio.thresholdPercent <= 0) {
      warn({
        kind: 'threshold-never-fires',
        message:
          'alarms.lowHitRatio.thresholdPercent: a hit ratio is never below 0 %, so the low-hit-ratio alarms could never fire and are left out; raise the threshold or set enabled: false',
      });
    }
  },

  planAllModels({ section }) {
    return section.lowHitRatio.enabled && section.lowHitRatio.thresholdPercent > 0 ? 2 : undefined;
  },

  alarm({ model: m, settings, publisher, bedrock, custom }) {
    const f = settings.lowHitRatio;
    if (m) {
      return {
        metric: bedrock(f.periodMinutes).cacheHitRatio({
          modelId: m.modelId,
          minCacheTokens: f.minCacheTokens,
          compactInputs: true,
          label: `${m.label}: hit ratio %`,
        }),
        threshold: f.thresholdPercent,
        comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
        evaluationPeriods: f.evaluationPeriods,
        datapointsToAlarm: f.datapointsToAlarm,
        // A quiet period (below the minimum volume) has no datapoint: it is not a broken cache.
        treatMissingData: TreatMissingData.NOT_BREACHING,
        runbook: lowHitRatioRunbook(m, f),
      };
    }
    // All models: the publisher's totals of settled periods (no dimensionless AWS/Bedrock series is documented).
    if (!publisher) throw new Error("the all-models low-hit-ratio alarm reads the publisher's series");
    const w = publisherWindow(f.periodMinutes, f.evaluationPeriods, f.datapointsToAlarm, publisher.periodMinutes);
    const series = custom(w.periodMinutes);
    return {
      metric: new MathExpression({
        expression: gatedHitRatioExpression('r', 'w', f.minCacheTokens),
        usingMetrics: {
          r: series.metric('cacheReadTokens', { unlabelled: true }),
          w: series.metric('cacheWriteTokens', { unlabelled: true }),
        },
        label: 'all models: hit ratio % (publisher)',
        period: Duration.minutes(w.periodMinutes),
      }),
      threshold: f.thresholdPercent,
      comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: w.evaluationPeriods,
      datapointsToAlarm: w.datapointsToAlarm,
      treatMissingData: TreatMissingData.NOT_BREACHING,
      runbook: lowHitRatioRunbook(undefined, {
        ...f,
        periodMinutes: w.periodMinutes,
        evaluationPeriods: w.evaluationPeriods,
        datapointsToAlarm: w.datapointsToAlarm,
      }),
    };
  },
};
