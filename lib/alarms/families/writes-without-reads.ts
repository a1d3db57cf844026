/**
 * Writes without reads: cache writes of at least a minimum in periods with no cache read, N periods in a row: the
 * cached prefix never matches. From the publisher's `WritesWithoutReadsTokens` (settled, whole periods); raw Sums only
 * without the publisher.
 */
import { ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { ModelAlarmSettings } from '../../../lambda/core/config';
import type { ModelAlarmPlan } from '../plan-types';
import { formatCount, formatPrice, formatUsd, perMTok, type Runbook } from '../runbooks';
import { publisherWindow, type CacheAlarmFamily } from './family';

export function writesWithoutReadsRunbook(m: ModelAlarmPlan | undefined, s: ModelAlarmSettings['writesWithoutReads']): Runbook {
  let means = 'every write (1.25-2x the input price) is wasted: nothing is read back.';
  if (m?.price) {
    const premium = m.price.cacheWriteMicro - m.price.inputMicro;
    const perPeriod = (s.minWriteTokens * perMTok(premium)) / 1e6;
    means = `${formatPrice(premium)}/MTok over input wasted: at least ${formatUsd(perPeriod)} a period, ${formatUsd((perPeriod * 1440) / s.periodMinutes)} a day.`;
  }
  return {
    subject: m ? m.label : 'All models',
    what: `>= ${formatCount(s.minWriteTokens)} cache tokens written and none read in ${s.evaluationPeriods === 1 ? `a ${s.periodMinutes}-min period` : `${s.evaluationPeriods} ${s.periodMinutes}-min periods in a row`}: the prefix never matches.`,
    means,
    causes: [
      'timestamp, request id or user data before the checkpoint',
      'tools or their order differing per call',
      'calls further apart than the TTL',
      'a proxy rewriting the prompt',
      'cross-region routing',
    ],
    checks: [
      'diff the prefixes of two consecutive requests',
      'invocations vs cache reads and writes on the dashboard',
      'time between calls vs the TTL (5 min or 1 h)',
    ],
  };
}

export const writesWithoutReads: CacheAlarmFamily<'writesWithoutReads'> = {
  key: 'writesWithoutReads',
  name: 'WritesWithoutReads',
  title: 'writes-without-reads',

  planModel({ settings, cacheMetrics, publisher }) {
    if (!settings.writesWithoutReads.enabled) return undefined;
    return publisher ? 1 : cacheMetrics;
  },

  planAllModels({ section }) {
    return section.writesWithoutReads.enabled ? 1 : undefined;
  },

  alarm({ model: m, settings, publisher, bedrock, custom }) {
    const f = settings.writesWithoutReads;
    // The legend of the alarm's graph (and of the model's alarm widget) names the model.
    const who = m ? `${m.label}: ` : 'all models: ';
    if (!publisher) {
      // Raw Sums: the newest period may still be partial, so this reads them only without the publisher.
      return {
        metric: bedrock(f.periodMinutes).writesWithoutReads({ modelId: m?.modelId, compactInputs: true, label: `${who}writes w/o reads` }),
        threshold: f.minWriteTokens,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: f.evaluationPeriods,
        datapointsToAlarm: f.evaluationPeriods,
        treatMissingData: TreatMissingData.NOT_BREACHING,
        runbook: writesWithoutReadsRunbook(m, f),
      };
    }
    // The publisher's series: whole, settled periods only, so a period whose reads have not arrived yet never pages.
    const w = publisherWindow(f.periodMinutes, f.evaluationPeriods, f.evaluationPeriods, publisher.periodMinutes);
    return {
      metric: custom(w.periodMinutes).metric('writesWithoutReadsTokens', {
        modelId: m?.modelId,
        label: `${who}writes w/o reads (publisher)`,
      }),
      threshold: f.minWriteTokens,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: w.evaluationPeriods,
      datapointsToAlarm: w.datapointsToAlarm,
      // The newest period is missing until the publisher's next run: neither clear nor raise on that.
      treatMissingData: TreatMissingData.NOT_BREACHING,
      runbook: writesWithoutReadsRunbook(m, { ...f, periodMinutes: w.periodMinutes, evaluationPeriods: w.evaluationPeriods }),
    };
  },
};
