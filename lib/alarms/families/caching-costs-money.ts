/**
 * Caching costs money: net savings = read × (p_in − p_read) − write × (p_write − p_in) below zero. Fleet: the
 * publisher's `AlarmNetSavingsUSDPerHour` below 0 (a ticket) and below −alarms.pageAboveUsdPerHour (a page). Precise:
 * metric math over the raw Sums with the model's resolved price constants, paging above the same loss rate.
 */
import { ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { modelRef } from '../names';
import { fleetWindow, publisherWindow, type CacheAlarmFamily } from './family';

/** Micro-dollars per million tokens as dollars per million tokens (the metric math's constants). */
const perMTok = (micro: number) => micro / 1e6;

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

  fleet({ config, section, publisher }) {
    const f = section.cachingCostsMoney;
    if (!f.enabled) return [];
    const w = fleetWindow(publisherWindow(f.windowMinutes, f.evaluationPeriods, f.evaluationPeriods, publisher.periodMinutes), publisher);
    const window = { ...w, datapointsToAlarm: w.evaluationPeriods };
    const page = config.alarms.pageAboveUsdPerHour;
    const spec = (severity: 'ticket' | 'page', lossUsdPerHour: number) => ({
      severity,
      // Net savings per hour of each priced model, only in periods above its volume minimum (the publisher's guard).
      series: 'alarmNetSavingsUsdPerHour' as const,
      threshold: -lossUsdPerHour,
      comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
      window,
    });
    // Any loss is a ticket; a loss above alarms.pageAboveUsdPerHour pages.
    return [spec('ticket', 0), spec('page', page)];
  },

  alarm({ config, model: m, settings, bedrock }) {
    const f = settings.cachingCostsMoney;
    if (!m.price) throw new Error(`the caching-costs-money alarm of ${m.label} needs its price`);
    // Precise mode pages: the loss over a window above alarms.pageAboveUsdPerHour × the window.
    const lossUsdPerHour = config.alarms.pageAboveUsdPerHour;
    return {
      metric: bedrock(f.windowMinutes).netSavingsUsd({
        modelId: m.modelId,
        readDiscountPerMTok: perMTok(m.price.inputMicro - m.price.cacheReadMicro),
        writePremiumPerMTok: perMTok(m.price.cacheWriteMicro - m.price.inputMicro),
        minCacheTokens: f.minCacheTokens,
        compactInputs: true,
        label: `${m.label}: net savings USD`,
      }),
      threshold: -(lossUsdPerHour * f.windowMinutes) / 60,
      comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: f.evaluationPeriods,
      datapointsToAlarm: f.evaluationPeriods,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    };
  },
};
