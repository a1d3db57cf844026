/**
 * CloudWatch's EventBridge alarm events as AWS documents them (the contributor example of the CloudWatch user guide,
 * with our ModelId attribute), for the notifier's tests, and the catalog of a stack named `BedrockPromptCache`.
 */
import { fleetAlarms, preciseAlarmName, type CacheFamilyKey, type CatalogAlarm, type NamedModel } from '../../lambda/core/alarm-catalog';

export const PREFIX = 'BedrockPromptCache';
export const ACCOUNT = '123456789012';

/** The precise model of the sample catalog: claude-haiku as "triage". */
export const TRIAGE_MODEL = { modelId: 'global.anthropic.claude-haiku-4-5-20251001-v1:0', displayName: 'triage' } as const;

/** A precise alarm's name of the sample stack: `BedrockPromptCache-triage-<hash>-LowHitRatio`. */
export const preciseName = (family: CacheFamilyKey, anomalyBand = false, model: NamedModel = TRIAGE_MODEL) =>
  preciseAlarmName(PREFIX, model, family, anomalyBand);

/** The fleet alarms, the two pipeline alarms and one precise model's three alarms. */
export function sampleCatalog(model: NamedModel = TRIAGE_MODEL): CatalogAlarm[] {
  const precise = (family: CacheFamilyKey, severity: CatalogAlarm['severity']): CatalogAlarm => ({
    name: preciseName(family, false, model),
    family,
    severity,
    kind: 'precise',
    modelId: model.modelId,
  });
  return [
    ...fleetAlarms(PREFIX),
    { name: `${PREFIX}-PublisherErrors`, family: 'publisherErrors', severity: 'ticket', kind: 'pipeline' },
    { name: `${PREFIX}-PublisherHeartbeat`, family: 'heartbeat', severity: 'page', kind: 'pipeline' },
    precise('lowHitRatio', 'ticket'),
    precise('writesWithoutReads', 'ticket'),
    precise('cachingCostsMoney', 'page'),
  ];
}

const iso = (ms: number) => new Date(ms).toISOString();
/** CloudWatch writes state timestamps as `2025-12-01T03:42:04.919+0000`. */
const cwTime = (ms: number) => iso(ms).replace('Z', '+0000');

export interface ContributorEventOptions {
  readonly alarmName: string;
  readonly modelId?: string;
  readonly state: 'ALARM' | 'OK' | 'INSUFFICIENT_DATA';
  /** The datapoint the reason quotes. */
  readonly datapoint?: number;
  readonly atMs: number;
  readonly region?: string;
  readonly partition?: string;
  readonly id?: string;
  /** A cross-account contributor's source account, under Metrics Insights' `AWS.AccountId` key. */
  readonly accountId?: string;
}

/** A `CloudWatch Alarm Contributor State Change` event, shaped as AWS's documented example. */
export function contributorEvent(o: ContributorEventOptions): Record<string, unknown> {
  const region = o.region ?? 'us-east-1';
  return {
    version: '0',
    id: o.id ?? '6d226bbc-07f0-9a31-3359-1736968f8ded',
    'detail-type': 'CloudWatch Alarm Contributor State Change',
    source: 'aws.cloudwatch',
    account: ACCOUNT,
    time: iso(o.atMs).replace(/\.\d{3}Z$/, 'Z'),
    region,
    resources: [`arn:${o.partition ?? 'aws'}:cloudwatch:${region}:${ACCOUNT}:alarm:${o.alarmName}`],
    detail: {
      alarmName: o.alarmName,
      alarmContributor: {
        id: '6d442278dba546f6',
        attributes: {
          ...(o.accountId === undefined ? {} : { 'AWS.AccountId': o.accountId }),
          ...(o.modelId === undefined ? {} : { ModelId: o.modelId }),
        },
      },
      state: {
        value: o.state,
        reason:
          o.datapoint === undefined
            ? 'Threshold Crossed: no datapoints were received for 1 period.'
            : `Threshold Crossed: 1 datapoint was less than the threshold (0.0). The most recent datapoint which crossed the threshold: [${o.datapoint} (01/12/25 02:00:00)].`,
        timestamp: cwTime(o.atMs),
      },
      configuration: {
        metrics: [{ id: 'm1', expression: 'SELECT AVG(X) FROM "BedrockPromptCache" GROUP BY ModelId', returnData: true, period: 3600 }],
        description: 'Metrics Insights alarm',
      },
    },
  };
}

export interface StateEventOptions {
  readonly alarmName: string;
  readonly state: 'ALARM' | 'OK' | 'INSUFFICIENT_DATA';
  readonly previous: 'ALARM' | 'OK' | 'INSUFFICIENT_DATA';
  readonly atMs: number;
  /** When the previous state began. */
  readonly previousAtMs?: number;
  /** The evaluated datapoint in reasonData. */
  readonly datapoint?: number;
  readonly id?: string;
}

/** A `CloudWatch Alarm State Change` event of a single (or a fleet parent) alarm. */
export function stateEvent(o: StateEventOptions): Record<string, unknown> {
  const reasonData =
    o.datapoint === undefined
      ? undefined
      : JSON.stringify({
          version: '1.0',
          queryDate: cwTime(o.atMs),
          period: 3600,
          recentDatapoints: [o.datapoint],
          threshold: 1,
          evaluatedDatapoints: [{ timestamp: cwTime(o.atMs - 3_600_000), value: o.datapoint }],
        });
  return {
    version: '0',
    id: o.id ?? 'c4c1c1c9-6542-e61b-6ef0-8c4d36933a92',
    'detail-type': 'CloudWatch Alarm State Change',
    source: 'aws.cloudwatch',
    account: ACCOUNT,
    time: iso(o.atMs).replace(/\.\d{3}Z$/, 'Z'),
    region: 'us-east-1',
    resources: [`arn:aws:cloudwatch:us-east-1:${ACCOUNT}:alarm:${o.alarmName}`],
    detail: {
      alarmName: o.alarmName,
      state: {
        value: o.state,
        reason:
          o.state === 'ALARM'
            ? 'Threshold Crossed: 1 out of the last 1 datapoints was greater than or equal to the threshold (1.0).'
            : 'Threshold Crossed',
        ...(reasonData === undefined ? {} : { reasonData }),
        timestamp: cwTime(o.atMs),
      },
      previousState: { value: o.previous, reason: 'before', timestamp: cwTime(o.previousAtMs ?? o.atMs - 3_600_000) },
      configuration: { description: 'runbook', metrics: [] },
    },
  };
}
