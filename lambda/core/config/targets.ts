/**
 * Many accounts and regions: `targets` (one monitoring stack per account and region) and `monitoring` (the account
 * and region of the roll-up stack, which holds the CloudWatch cross-account observability sink the targets link to).
 * A target may replace whole sections of the config for itself (its own models, alarms, …); the rules across
 * targets (each account and region once, every target's account known when there is a roll-up) are checked here.
 */
import { array, record, strictObject, string, enum as zodEnum } from 'zod';
import type { z } from 'zod';
import { alarmsSchema } from './alarms';
import { describeValue } from './issues';
import { modelSchema } from './model';
import { pricingEntrySchema } from './pricing';
import { dashboardsSchema, digestSchema, publisherSchema, reconcileSchema } from './sections';
import { nonBlank } from './fields';

export const accountIdSchema = string().regex(/^\d{12}$/, { error: 'must be a 12-digit AWS account id, e.g. "123456789012"' });
export const regionSchema = string().regex(/^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/, {
  error: 'must be an AWS region code, e.g. "eu-west-1"',
});
const SINK_ARN = /^arn:aws[a-z-]*:oam:([a-z0-9-]+):(\d{12}):sink\/[A-Za-z0-9-]+$/;

/** The sections a target may replace for itself; every other key is the config's. */
export const TARGET_SECTIONS = ['models', 'pricing', 'alarms', 'publisher', 'digest', 'reconcile', 'dashboards'] as const;

/** Who is paged for a target: its own stack, or the roll-up in the monitoring account. */
export const ON_CALL_MODES = ['own', 'rollup'] as const;
export type OnCallMode = (typeof ON_CALL_MODES)[number];

export const targetSchema = strictObject({
  /** The account to deploy to. @default - the deploying account (the CLI's credentials) */
  account: accountIdSchema.optional(),
  region: regionSchema,
  /** The stack's name (also its alarm name prefix). @default `<stack name>-<account>-<region>` */
  stackName: string()
    .regex(/^[A-Za-z][A-Za-z0-9-]{0,127}$/, { error: 'must be 1 to 128 letters, digits or "-", starting with a letter' })
    .optional(),
  /**
   * Who is paged for this target: `own`, its stack's alarms, topics and notifier (its team; the roll-up's fleet alarms
   * see it too); `rollup`, no alarm or topic in its stack: the monitoring account's alarms page for it (fleet alarms by
   * account and model, and a heartbeat of its publisher), while its publisher still writes the alarm-ready series.
   * @default 'own'
   */
  onCall: zodEnum(ON_CALL_MODES, { error: `must be one of ${ON_CALL_MODES.join(', ')}` }).default('own'),
  models: array(modelSchema).optional(),
  pricing: record(nonBlank('model id'), pricingEntrySchema).optional(),
  alarms: alarmsSchema.optional(),
  publisher: publisherSchema.optional(),
  digest: digestSchema.optional(),
  reconcile: reconcileSchema.optional(),
  dashboards: dashboardsSchema.optional(),
});

export const monitoringSchema = strictObject({
  /** The monitoring account: the roll-up stack, and the sink every target in its region links to. */
  account: accountIdSchema,
  region: regionSchema,
  /**
   * The sinks the targets link to, by region: the roll-up stacks' `SinkArn` outputs after their first deploy (a sink's
   * ARN holds an id AWS chooses). A target in a region without one deploys without a link.
   */
  sinks: record(regionSchema, string()).default({}),
  /**
   * The roll-up's alarms (in each region with targets: fleet alarms over every source account, grouped by account and
   * model; a heartbeat per `onCall: "rollup"` target) and where they page: the `alarms` section's keys.
   * @default - the config's `alarms` section
   */
  alarms: alarmsSchema.optional(),
});

export type TargetConfig = z.output<typeof targetSchema>;

/** Where a target's stack is, once its account is known: how the roll-up, its dashboard and doctor name it. */
export interface TargetRef {
  readonly account: string;
  readonly region: string;
  /** Its stack's name (also its alarm name prefix, its dashboard line's label). */
  readonly stackName: string;
}
export type MonitoringConfig = z.output<typeof monitoringSchema>;

/**
 * The roll-up's alarms read every target's alarm-ready series at the config's publisher period (one alarm per region
 * for all of them): a target that publishes at another period would be judged on buckets it never fills.
 */
function rollupTimingProblems(t: TargetConfig, i: number, base: PublisherTiming | undefined): string[] {
  if (!t.publisher || !base || t.publisher.periodMinutes === base.periodMinutes) return [];
  return [
    `targets[${i}].publisher.periodMinutes: ${t.publisher.periodMinutes}, but the monitoring account's fleet alarms read every target at the config's publisher.periodMinutes (${base.periodMinutes}); give the targets one period`,
  ];
}

type PublisherTiming = { readonly periodMinutes: number };

/** Rules across targets and the monitoring account, on the parsed config. */
export function targetProblems(config: {
  readonly targets?: readonly TargetConfig[];
  readonly monitoring?: MonitoringConfig;
  readonly models?: readonly { readonly alarms?: { readonly mode?: string } }[];
  readonly publisher?: PublisherTiming;
}): string[] {
  const problems: string[] = [];
  const { targets, monitoring } = config;
  if (monitoring && !targets)
    problems.push(
      'monitoring: a roll-up needs targets to watch; list them in `targets` (one per account and region), or remove `monitoring`',
    );
  const seen = new Map<string, number>();
  const names = new Map<string, number>();
  (targets ?? []).forEach((t, i) => {
    const key = `${t.account ?? '(deploying account)'} ${t.region}`;
    const first = seen.get(key);
    if (first !== undefined)
      problems.push(
        `targets[${i}]: the same account and region as targets[${first}] (${key}); list each once (one stack per account and region)`,
      );
    else seen.set(key, i);
    if (t.stackName !== undefined) {
      const n = names.get(t.stackName);
      if (n !== undefined)
        problems.push(
          `targets[${i}].stackName: also the name of targets[${n}]; stack names must differ (got ${describeValue(t.stackName)})`,
        );
      else names.set(t.stackName, i);
    }
    if (monitoring && t.account === undefined)
      problems.push(
        `targets[${i}].account: required with \`monitoring\`: the sink's policy names each account that may link; set the target's 12-digit account id`,
      );
    if (t.onCall === 'rollup' && !monitoring)
      problems.push(
        `targets[${i}].onCall: "rollup" pages through the monitoring account's alarms, but there is no \`monitoring\`; add it, or set "own"`,
      );
    if (monitoring) problems.push(...rollupTimingProblems(t, i, config.publisher));
    if (t.onCall === 'rollup')
      (t.models ?? config.models ?? []).forEach((m, j) => {
        if (m.alarms?.mode === 'precise')
          problems.push(
            `targets[${i}].models[${j}].alarms.mode: "precise" alarms live in the target's own stack, which has none with onCall "rollup"; use "fleet" (the roll-up's fleet alarms watch it), or set targets[${i}].onCall to "own"`,
          );
      });
  });
  for (const [region, arn] of Object.entries(monitoring?.sinks ?? {})) {
    const m = SINK_ARN.exec(arn);
    if (!m) {
      problems.push(
        `monitoring.sinks.${region}: must be an OAM sink ARN, arn:aws:oam:<region>:<account>:sink/<id> (the roll-up stack's SinkArn output) (got ${describeValue(arn)})`,
      );
      continue;
    }
    if (m[1] !== region)
      problems.push(`monitoring.sinks.${region}: the ARN is of a sink in ${m[1]}; a link reaches a sink in its own region only`);
    if (monitoring && m[2] !== monitoring.account)
      problems.push(
        `monitoring.sinks.${region}: the ARN is of a sink in account ${m[2]}, not the monitoring account ${monitoring.account}`,
      );
  }
  return problems;
}
