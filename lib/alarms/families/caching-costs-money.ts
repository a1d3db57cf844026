/**
 * Caching costs money: net savings = read × (p_in − p_read) − write × (p_write − p_in) below zero. Fleet: the
 * publisher's `AlarmNetSavingsUSDPerHour` below 0 (a ticket) and below −alarms.pageAboveUsdPerHour (a page). Precise:
 * metric math over the raw Sums with the model's resolved price constants, paging above the same loss rate.
 */
import { ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { ModelAlarmSettings } from '../../../lambda/core/config';
import { modelRef } from '../names';
import type { ModelAlarmPlan } from '../plan-types';
import { formatCount, formatPercent, formatPrice, formatUsd, perMTok, type Runbook } from '../runbooks';
import { fleetWindow, publisherWindow, type CacheAlarmFamily } from './family';

export function cachingCostsMoneyRunbook(
  m: ModelAlarmPlan | undefined,
  s: ModelAlarmSettings['cachingCostsMoney'],
  windowMinutes: number,
  periods: number,
  lossUsdPerHour: number,
): Runbook {
  const loss = lossUsdPerHour > 0 ? `more than ${formatUsd(lossUsdPerHour)}/h` : 'money';
  if (!m || !m.price) {
    return {
      subject: 'Any model',
      what: `caching loses ${loss} (net savings per hour from the publisher) in ${periods} ${windowMinutes}-min period(s) in a row with >= ${formatCount(s.minCacheTokens)} cache tokens.`,
      means: 'for this model, cache write premiums exceed read discounts: caching costs more than it saves.',
      causes: [
        'any cause of a low hit ratio (a changed prefix)',
        'a 1-hour TTL (2x write) where 5 minutes would do',
        'checkpoints on content that changes per call',
      ],
      checks: [
        'its hit ratio vs its break-even on the dashboard',
        'deploys and prompt changes since then',
        '`prompt-cache report --region`',
      ],
    };
  }
  const p = m.price;
  const be = formatPercent(m.breakEvenPercent ?? 0);
  return {
    subject: m.label,
    what: `caching loses ${loss}: net savings = read x ${formatPrice(p.inputMicro - p.cacheReadMicro)} - write x ${formatPrice(p.cacheWriteMicro - p.inputMicro)} per MTok in ${s.evaluationPeriods} ${s.windowMinutes}-min windows in a row with >= ${formatCount(s.minCacheTokens)} cache tokens.`,
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
      runbook: cachingCostsMoneyRunbook(undefined, f, window.periodMinutes, window.evaluationPeriods, lossUsdPerHour),
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
      runbook: cachingCostsMoneyRunbook(m, f, f.windowMinutes, f.evaluationPeriods, lossUsdPerHour),
    };
  },
};
