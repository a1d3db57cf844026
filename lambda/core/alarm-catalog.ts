/**
 * The alarms as the notifier and the demo know them: each alarm's family, how urgent it is (a page wakes someone, a
 * ticket waits for working hours) and whether it is a fleet alarm (one contributor per model) or a single one. The CDK
 * names the alarms with these functions; the notifier gets the fleet and pipeline alarms as a list and recognizes a precise
 * alarm by its name (the configured model's key and the family), so both agree on every name and the notifier's
 * environment does not grow with the models in precise mode. Pure.
 */
import { createHash } from 'node:crypto';

/** The alarm families: three on the cache (per model), two on the savings publisher, two on the daily bill check. */
export const CACHE_FAMILY_KEYS = ['lowHitRatio', 'writesWithoutReads', 'cachingCostsMoney'] as const;
export const PIPELINE_FAMILY_KEYS = ['publisherErrors', 'heartbeat'] as const;
export const BILL_FAMILY_KEYS = ['costDrift', 'billCheckErrors'] as const;
export type CacheFamilyKey = (typeof CACHE_FAMILY_KEYS)[number];
export type PipelineFamilyKey = (typeof PIPELINE_FAMILY_KEYS)[number];
export type BillFamilyKey = (typeof BILL_FAMILY_KEYS)[number];
export type AlarmFamilyKey = CacheFamilyKey | PipelineFamilyKey | BillFamilyKey;

/** page: the paging (on-call) topic; ticket: the ticket topic. */
export type Severity = 'page' | 'ticket';

/**
 * fleet: a Metrics Insights alarm grouped by ModelId (each model a contributor with its own state); precise: one
 * model's metric-math alarm on the raw AWS/Bedrock Sums (`models[].alarms.mode: "precise"`); pipeline: the publisher's;
 * bill: the daily bill check's (one day a period).
 */
export type AlarmKind = 'fleet' | 'precise' | 'pipeline' | 'bill';

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
  /**
   * A fleet alarm of the monitoring account (the roll-up): its query groups by `AWS.AccountId` and ModelId, so each
   * contributor is one model in one source account.
   */
  readonly crossAccount?: boolean;
  /** A roll-up's heartbeat alarm: the source account whose publisher it watches. */
  readonly accountId?: string;
}

/** Family name as it appears in alarm names and construct ids. */
export const FAMILY_NAMES: { readonly [K in AlarmFamilyKey]: string } = {
  lowHitRatio: 'LowHitRatio',
  writesWithoutReads: 'WritesWithoutReads',
  cachingCostsMoney: 'CachingCostsMoney',
  publisherErrors: 'PublisherErrors',
  heartbeat: 'PublisherHeartbeat',
  costDrift: 'CostDrift',
  billCheckErrors: 'BillCheckErrors',
};

/** Family name as a person reads it (page subjects, runbook headings). */
export const FAMILY_TITLES: { readonly [K in AlarmFamilyKey]: string } = {
  lowHitRatio: 'low hit ratio',
  writesWithoutReads: 'writes without reads',
  cachingCostsMoney: 'caching costs money',
  publisherErrors: 'savings publisher errors',
  heartbeat: 'savings pipeline silent',
  costDrift: 'bill drift',
  billCheckErrors: 'bill check errors',
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

/** The bill check's alarms are tickets: a wrong price costs cents a day, and the bill is a day late anyway. */
export const BILL_SEVERITY: { readonly [K in BillFamilyKey]: Severity } = { costDrift: 'ticket', billCheckErrors: 'ticket' };

/** `<prefix>-CostDrift`, `<prefix>-BillCheckErrors`. */
export function billAlarms(prefix: string, families: readonly BillFamilyKey[] = BILL_FAMILY_KEYS): CatalogAlarm[] {
  return families.map((family) => ({ name: `${prefix}-${FAMILY_NAMES[family]}`, family, severity: BILL_SEVERITY[family], kind: 'bill' }));
}

/** Severity of a precise model alarm: money lost fast pages; the rest are tickets. */
export function preciseSeverity(family: CacheFamilyKey): Severity {
  return family === 'cachingCostsMoney' ? 'page' : 'ticket';
}

/** 8 hex characters of SHA-256: stable per input, short enough for alarm names and logical ids. */
export function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 8);
}

/** What names a configured model: its id and its display name. */
export interface NamedModel {
  readonly modelId: string;
  readonly displayName?: string;
}

/** A name part from the display name or the model id (an ARN's last segment): letters, digits, `.`, `_`, `-`. */
export function slug(model: NamedModel): string {
  const base = model.displayName ?? (model.modelId.startsWith('arn:') ? (model.modelId.split('/').pop() ?? model.modelId) : model.modelId);
  const s = base
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 48);
  return s === '' ? 'model' : s;
}

/** `<slug>-<hash of the model id>`: a configured model's part of its precise alarms' names. */
export function modelAlarmKey(model: NamedModel): string {
  return `${slug(model)}-${shortHash(model.modelId)}`;
}

const ANOMALY_SUFFIX = 'Anomaly';

/** `<prefix>-<model key>-LowHitRatio`; the anomaly-band variant ends in `-LowHitRatioAnomaly`. */
export function preciseAlarmName(prefix: string, model: NamedModel, family: CacheFamilyKey, anomalyBand = false): string {
  return `${prefix}-${modelAlarmKey(model)}-${FAMILY_NAMES[family]}${anomalyBand ? ANOMALY_SUFFIX : ''}`;
}

/** The catalog entry of an alarm name, or undefined when it is not one of the stack's. */
export type AlarmLookup = (name: string) => CatalogAlarm | undefined;

/** The alarms the notifier's environment lists: all but the precise ones, which it recognizes by name. */
export function listedAlarms(catalog: readonly CatalogAlarm[]): CatalogAlarm[] {
  return catalog.filter((a) => a.kind !== 'precise');
}

/** A lookup over a full list (the CDK's catalog, the demo's). */
export function catalogLookup(catalog: readonly CatalogAlarm[]): AlarmLookup {
  const byName = new Map(catalog.map((a) => [a.name, a]));
  return (name) => byName.get(name);
}

/**
 * The notifier's lookup: the listed (fleet and pipeline) alarms by name, and a precise alarm of any configured model by
 * its name (`preciseAlarmName`), whatever the model's mode: an alarm that does not exist raises no event.
 */
export function alarmLookup(listed: readonly CatalogAlarm[], prefix: string, models: readonly NamedModel[]): AlarmLookup {
  const byName = catalogLookup(listed);
  const byKey = new Map(models.map((m) => [`${prefix}-${modelAlarmKey(m)}-`, m.modelId]));
  const suffixes = CACHE_FAMILY_KEYS.flatMap((family) => [
    { suffix: `-${FAMILY_NAMES[family]}`, family, anomalyBand: false },
    ...(family === 'lowHitRatio' ? [{ suffix: `-${FAMILY_NAMES[family]}${ANOMALY_SUFFIX}`, family, anomalyBand: true }] : []),
  ]);
  return (name) => {
    const listedAlarm = byName(name);
    if (listedAlarm) return listedAlarm;
    for (const { suffix, family, anomalyBand } of suffixes) {
      if (!name.endsWith(suffix)) continue;
      const modelId = byKey.get(name.slice(0, name.length - suffix.length + 1));
      if (modelId === undefined) continue;
      return {
        name,
        family,
        severity: preciseSeverity(family),
        kind: 'precise',
        modelId,
        ...(anomalyBand ? { anomalyBand: true } : {}),
      };
    }
    return undefined;
  };
}
