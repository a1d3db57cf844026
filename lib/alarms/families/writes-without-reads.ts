/**
 * Writes without reads: cache writes of at least a minimum in periods with no cache read, N periods in a row: the
 * cached prefix never matches. Fleet: the publisher's per-model `WritesWithoutReadsTokens` (settled, whole periods,
 * only periods above the model's write minimum) above 0. Precise: the raw Sums.
 */
import { ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { ModelAlarmSettings } from '../../../lambda/core/config';
import type { ModelAlarmPlan } from '../plan-types';
import { formatCount, formatPrice, formatUsd, perMTok, type Runbook } from '../runbooks';
import { fleetWindow, publisherWindow, type CacheAlarmFamily } from './family';

export function writesWithoutReadsRunbook(m: ModelAlarmPlan | undefined, s: ModelAlarmSettings['writesWithoutReads']): Runbook {
  let means = 'every write (1.25-2x the input price) is wasted: nothing is read back.';
  if (m?.price) {
    const premium = m.price.cacheWriteMicro - m.price.inputMicro;
    const perPeriod = (s.minWriteTokens * perMTok(premium)) / 1e6;
    means = `${formatPrice(premium)}/MTok over input wasted: at least ${formatUsd(perPeriod)} a period, ${formatUsd((perPeriod * 1440) / s.periodMinutes)} a day.`;
  }
  return {
    subject: m ? m.label : 'Any model',
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
        runbook: writesWithoutReadsRunbook(undefined, {
          ...f,
          periodMinutes: window.periodMinutes,
          evaluationPeriods: window.evaluationPeriods,
        }),
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
      runbook: writesWithoutReadsRunbook(m, f),
    };
  },
};
