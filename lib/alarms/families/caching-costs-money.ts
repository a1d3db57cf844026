/**
 * Caching costs money: net savings = read × (p_in − p_read) − write × (p_write − p_in) < 0, metric math over the raw
 * Sums with the model's resolved price constants; all models mix prices, so the publisher's `NetSavingsUSD`.
 */
import { ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { ModelAlarmSettings } from '../../../lambda/core/config';
import { modelRef } from '../names';
import type { ModelAlarmPlan } from '../plan-types';
import { formatCount, formatPercent, formatPrice, perMTok, type Runbook } from '../runbooks';
import type { CacheAlarmFamily } from './family';

export function cachingCostsMoneyRunbook(
  m: ModelAlarmPlan | undefined,
  s: ModelAlarmSettings['cachingCostsMoney'],
  windowMinutes: number,
  periods: number,
): Runbook {
  if (!m || !m.price) {
    return {
      subject: 'All models',
      what: `net savings (the publisher's NetSavingsUSD) < $0 in ${periods} ${windowMinutes}-min windows in a row.`,
      means: 'across models, cache write premiums exceed read discounts: caching costs more than it saves.',
      causes: [
        'a model with a low hit ratio (see its alarms)',
        'a 1-hour TTL (2x write) where 5 minutes would do',
        'checkpoints on content that changes per call',
      ],
      checks: [
        'net savings per model on the dashboard',
        'the model with the lowest hit ratio',
        '`prompt-cache report --region` for the window',
      ],
    };
  }
  const p = m.price;
  const be = formatPercent(m.breakEvenPercent ?? 0);
  return {
    subject: m.label,
    what: `net savings = read x ${formatPrice(p.inputMicro - p.cacheReadMicro)} - write x ${formatPrice(p.cacheWriteMicro - p.inputMicro)} per MTok < $0 in ${s.evaluationPeriods} ${s.windowMinutes}-min windows in a row with >= ${formatCount(s.minCacheTokens)} cache tokens.`,
    means: `the write premium beats the read discount: hit ratio under the ${be} break-even (${p.source}).`,
    causes: [
      'any cause of a low hit ratio',
      'a 1-hour TTL (2x write) where 5 minutes would do',
      'checkpoints on content that changes per call',
    ],
    checks: [
      `hit ratio vs ${be} on the dashboard`,
      'cacheWriteTtl and checkpoint placement',
      'stop caching prefixes that are never reused',
    ],
  };
}

/** The all-models alarm's window: the config's, rounded up to whole publisher periods, and its periods within one day. */
export function allModelsCostWindow(
  s: ModelAlarmSettings['cachingCostsMoney'],
  publisherMinutes: number,
): { windowMinutes: number; periods: number } {
  const windowMinutes = publisherMinutes * Math.max(1, Math.ceil(s.windowMinutes / publisherMinutes));
  return { windowMinutes, periods: Math.max(1, Math.min(s.evaluationPeriods, Math.floor(1440 / windowMinutes))) };
}

export const cachingCostsMoney: CacheAlarmFamily<'cachingCostsMoney'> = {
  key: 'cachingCostsMoney',
  name: 'CachingCostsMoney',
  title: 'caching-costs-money',

  planModel({ model, index, settings, price, breakEvenPercent, cacheMetrics, warn }) {
    if (!settings.cachingCostsMoney.enabled) return undefined;
    if (!price) {
      warn({
        kind: 'unpriced-model',
        message: `${modelRef(model, index)}: no price known, so its caching-costs-money alarm is left out; add pricing[${JSON.stringify(model.modelId)}] or set priceAs`,
      });
      return undefined;
    }
    if (breakEvenPercent === 0) {
      warn({
        kind: 'no-write-premium',
        message: `${modelRef(model, index)}: cache writes cost no more than uncached input (${price.source}), so caching never costs money and its caching-costs-money alarm could never fire; it is left out`,
      });
      return undefined;
    }
    return cacheMetrics;
  },

  planAllModels({ section }) {
    return section.cachingCostsMoney.enabled ? 1 : undefined;
  },

  alarm({ model: m, settings, publisher, bedrock, custom }) {
    const f = settings.cachingCostsMoney;
    if (m?.price) {
      return {
        metric: bedrock(f.windowMinutes).netSavingsUsd({
          modelId: m.modelId,
          readDiscountPerMTok: perMTok(m.price.inputMicro - m.price.cacheReadMicro),
          writePremiumPerMTok: perMTok(m.price.cacheWriteMicro - m.price.inputMicro),
          minCacheTokens: f.minCacheTokens,
          compactInputs: true,
          label: `${m.label}: net savings USD`,
        }),
        threshold: 0,
        comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
        evaluationPeriods: f.evaluationPeriods,
        datapointsToAlarm: f.evaluationPeriods,
        treatMissingData: TreatMissingData.NOT_BREACHING,
        runbook: cachingCostsMoneyRunbook(m, f, f.windowMinutes, f.evaluationPeriods),
      };
    }
    // All models: prices differ per model, so the publisher's dollars; they arrive a settle delay late.
    if (!publisher) throw new Error("the all-models caching-costs-money alarm reads the publisher's series");
    const { windowMinutes, periods } = allModelsCostWindow(f, publisher.periodMinutes);
    return {
      metric: custom(windowMinutes).metric('netSavingsUsd', { label: 'Net savings USD, all models (publisher)' }),
      threshold: 0,
      comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: periods,
      datapointsToAlarm: periods,
      // The newest window is missing until the publisher's next run: neither clear nor raise on that.
      treatMissingData: TreatMissingData.IGNORE,
      runbook: cachingCostsMoneyRunbook(undefined, f, windowMinutes, periods),
    };
  },
};
