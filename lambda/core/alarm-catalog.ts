/**
 * The alarms as the notifier and the demo know them: each alarm's family, how urgent it is (a page wakes someone, a
 * ticket waits for working hours) and whether it is a fleet alarm (one contributor per model) or a single one. The CDK
 * names the alarms with these functions and hands the list to the notifier, so both agree on every name. Pure.
 */

/** The alarm families: three on the cache (per model), two on the savings publisher. */
export const CACHE_FAMILY_KEYS = ['lowHitRatio', 'writesWithoutReads', 'cachingCostsMoney'] as const;
export const PIPELINE_FAMILY_KEYS = ['publisherErrors', 'heartbeat'] as const;
export type CacheFamilyKey = (typeof CACHE_FAMILY_KEYS)[number];
export type PipelineFamilyKey = (typeof PIPELINE_FAMILY_KEYS)[number];
export type AlarmFamilyKey = CacheFamilyKey | PipelineFamilyKey;

/** page: the paging (on-call) topic; ticket: the ticket topic. */
export type Severity = 'page' | 'ticket';

/**
 * fleet: a Metrics Insights alarm grouped by ModelId (each model a contributor with its own state); precise: one
 * model's metric-math alarm on the raw AWS/Bedrock Sums (`models[].alarms.mode: "precise"`); pipeline: the publisher's.
 */
export type AlarmKind = 'fleet' | 'precise' | 'pipeline';

export interface CatalogAlarm {
  /** The CloudWatch alarm name. */
  readonly name: string;
  readonly family: AlarmFamilyKey;
  readonly severity: Severity;
  readonly kind: AlarmKind;
  /** The model a precise alarm watches. */
  readonly modelId?: string;
  /** The anomaly-band variant of a precise low-hit-ratio alarm. */
  readonly anomalyBand?: boolean;
}

/** Family name as it appears in alarm names and construct ids. */
export const FAMILY_NAMES: { readonly [K in AlarmFamilyKey]: string } = {
  lowHitRatio: 'LowHitRatio',
  writesWithoutReads: 'WritesWithoutReads',
  cachingCostsMoney: 'CachingCostsMoney',
  publisherErrors: 'PublisherErrors',
  heartbeat: 'PublisherHeartbeat',
};

/** Family name as a person reads it (page subjects, runbook headings). */
export const FAMILY_TITLES: { readonly [K in AlarmFamilyKey]: string } = {
  lowHitRatio: 'low hit ratio',
  writesWithoutReads: 'writes without reads',
  cachingCostsMoney: 'caching costs money',
  publisherErrors: 'savings publisher errors',
  heartbeat: 'savings pipeline silent',
};

/** `<prefix>-Fleet-LowHitRatio`; the paging variant of caching-costs-money ends in `-Page`. */
export function fleetAlarmName(prefix: string, family: CacheFamilyKey, severity: Severity): string {
  return `${prefix}-Fleet-${FAMILY_NAMES[family]}${severity === 'page' ? '-Page' : ''}`;
}

/** The fleet alarms, in the order they are built and listed: each cache family's ticket alarm, then the money page. */
export function fleetAlarms(prefix: string, families: readonly CacheFamilyKey[] = CACHE_FAMILY_KEYS): CatalogAlarm[] {
  const out: CatalogAlarm[] = families.map((family) => ({
    name: fleetAlarmName(prefix, family, 'ticket'),
    family,
    severity: 'ticket',
    kind: 'fleet',
  }));
  if (families.includes('cachingCostsMoney'))
    out.push({ name: fleetAlarmName(prefix, 'cachingCostsMoney', 'page'), family: 'cachingCostsMoney', severity: 'page', kind: 'fleet' });
  return out;
}

/** Severity of a pipeline family: a silent pipeline pages (nothing is watched meanwhile); a failed run that the next one repairs is a ticket. */
export const PIPELINE_SEVERITY: { readonly [K in PipelineFamilyKey]: Severity } = { publisherErrors: 'ticket', heartbeat: 'page' };

/** Severity of a precise model alarm: money lost fast pages; the rest are tickets. */
export function preciseSeverity(family: CacheFamilyKey): Severity {
  return family === 'cachingCostsMoney' ? 'page' : 'ticket';
}
