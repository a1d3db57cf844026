/**
 * What `cdk deploy --all` deploys for a config: without `targets`, the one environment-agnostic monitoring stack (as
 * ever); with them, a monitoring stack per target (its account and region, its own sections, a link to the sink of
 * its region when `monitoring.sinks` names one), and with `monitoring`, the roll-up stack in the monitoring account
 * and a sink stack in each other region that has targets.
 */
import type { App } from 'aws-cdk-lib';
import { targetConfig, type PromptCacheConfig } from '../lambda/core/config';
import { PromptCacheMonitoringStack } from './prompt-cache-monitoring-stack';
import { PromptCacheRollupStack, PromptCacheSinkStack, type RollupAlarmTarget } from './prompt-cache-rollup-stack';

export interface PromptCacheStacks {
  readonly targets: PromptCacheMonitoringStack[];
  readonly rollup?: PromptCacheRollupStack;
  /** The monitoring account's sink stacks of the regions other than its own. */
  readonly sinks: PromptCacheSinkStack[];
}

/** A target's stack name: its own, else `<base>-<account>-<region>` (`<base>-<region>` without an account). */
export function targetStackName(
  base: string,
  target: { readonly account?: string; readonly region: string; readonly stackName?: string },
): string {
  return target.stackName ?? [base, ...(target.account ? [target.account] : []), target.region].join('-');
}

/** The monitoring account's stack holding the sink of `region`: the roll-up in its own region, else `<base>-Sink-<region>`. */
export function sinkStackName(base: string, monitoringRegion: string, region: string): string {
  return region === monitoringRegion ? `${base}-Rollup` : `${base}-Sink-${region}`;
}

/**
 * The config of the roll-up's alarms: `monitoring.alarms` (else the `alarms` section) with the config's namespace,
 * publisher timing, models (display names and prices in pages) and pricing; without `targets` and `monitoring`.
 */
export function rollupAlarmsConfig(config: PromptCacheConfig, region?: string): PromptCacheConfig {
  const { targets: _targets, monitoring, ...rest } = config;
  const alarms = monitoring?.alarms ?? config.alarms;
  // An existing topic serves the stacks of its own region; the others create theirs (alarms notify in-region topics).
  const here = (arn: string | undefined): arn is string => arn !== undefined && (region === undefined || arn.split(':')[3] === region);
  const { topicArn, tickets, ...others } = alarms;
  const { topicArn: ticketArn, ...ticketRest } = tickets;
  return {
    ...rest,
    alarms: {
      ...others,
      ...(here(topicArn) ? { topicArn } : {}),
      tickets: { ...ticketRest, ...(here(ticketArn) ? { topicArn: ticketArn } : {}) },
    },
  };
}

/**
 * Adds the stacks of `config` to `app`. `defaultAccount` is the deploying account (CDK_DEFAULT_ACCOUNT), for targets
 * that name none.
 */
export function addPromptCacheStacks(app: App, config: PromptCacheConfig, baseName: string, defaultAccount?: string): PromptCacheStacks {
  if (!config.targets) return { targets: [new PromptCacheMonitoringStack(app, baseName, { config })], sinks: [] };
  const monitoring = config.monitoring;
  const refs: RollupAlarmTarget[] = [];
  const targets = config.targets.map((t, i) => {
    const stackName = targetStackName(baseName, t);
    const account = t.account ?? defaultAccount;
    // Its own account's metrics are the monitoring account's already: no link.
    const sinkArn = monitoring && account !== monitoring.account ? monitoring.sinks[t.region] : undefined;
    if (account) refs.push({ account, region: t.region, stackName, onCall: t.onCall });
    return new PromptCacheMonitoringStack(app, stackName, {
      config: targetConfig(config, i),
      env: { ...(account ? { account } : {}), region: t.region },
      ...(sinkArn ? { sinkArn } : {}),
      ...(t.onCall === 'rollup' ? { ownAlarms: false } : {}),
    });
  });
  if (!monitoring) return { targets, sinks: [] };
  const accountsIn = (region: string) =>
    [...new Set(refs.filter((r) => r.region === region && r.account !== monitoring.account).map((r) => r.account))].sort();
  const regions = [...new Set(refs.map((r) => r.region))].sort();
  const linkedRegions = Object.keys(monitoring.sinks).sort();
  const env = (region: string) => ({ account: monitoring.account, region });
  const alarmsIn = (region: string) => {
    const here = refs.filter((r) => r.region === region);
    const alarmsConfig = rollupAlarmsConfig(config, region);
    return alarmsConfig.alarms.enabled && here.length > 0 ? { alarms: { config: alarmsConfig, targets: here } } : {};
  };
  const rollupName = sinkStackName(baseName, monitoring.region, monitoring.region);
  const rollup = new PromptCacheRollupStack(app, rollupName, {
    env: env(monitoring.region),
    namespace: config.namespace,
    sourceAccounts: accountsIn(monitoring.region),
    targets: refs,
    linkedRegions,
    ...alarmsIn(monitoring.region),
    digestConfig: config,
  });
  const fleetDashboard = { name: rollup.fleetDashboard.dashboard.dashboardName, region: monitoring.region };
  // A region's stack when other accounts link there, or a target there has nobody but the roll-up to page.
  const needsStack = (r: string) => accountsIn(r).length > 0 || refs.some((t) => t.region === r && t.onCall === 'rollup');
  const sinks = regions
    .filter((r) => r !== monitoring.region && needsStack(r))
    .map(
      (r) =>
        new PromptCacheSinkStack(app, sinkStackName(baseName, monitoring.region, r), {
          env: env(r),
          sourceAccounts: accountsIn(r),
          fleetDashboard,
          ...alarmsIn(r),
        }),
    );
  return { targets, rollup, sinks };
}
