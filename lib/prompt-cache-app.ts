/**
 * What `cdk deploy --all` deploys for a config: without `targets`, the one environment-agnostic monitoring stack (as
 * ever); with them, a monitoring stack per target (its account and region, its own sections, a link to the sink of
 * its region when `monitoring.sinks` names one), and with `monitoring`, the roll-up stack in the monitoring account
 * and a sink stack in each other region that has targets.
 */
import type { App } from 'aws-cdk-lib';
import { targetConfig, type PromptCacheConfig } from '../lambda/core/config';
import type { TargetRef } from './fleet-dashboard';
import { PromptCacheMonitoringStack } from './prompt-cache-monitoring-stack';
import { PromptCacheRollupStack, PromptCacheSinkStack } from './prompt-cache-rollup-stack';

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

/**
 * Adds the stacks of `config` to `app`. `defaultAccount` is the deploying account (CDK_DEFAULT_ACCOUNT), for targets
 * that name none.
 */
export function addPromptCacheStacks(app: App, config: PromptCacheConfig, baseName: string, defaultAccount?: string): PromptCacheStacks {
  if (!config.targets) return { targets: [new PromptCacheMonitoringStack(app, baseName, { config })], sinks: [] };
  const monitoring = config.monitoring;
  const refs: TargetRef[] = [];
  const targets = config.targets.map((t, i) => {
    const stackName = targetStackName(baseName, t);
    const account = t.account ?? defaultAccount;
    // Its own account's metrics are the monitoring account's already: no link.
    const sinkArn = monitoring && account !== monitoring.account ? monitoring.sinks[t.region] : undefined;
    if (account) refs.push({ account, region: t.region, stackName });
    return new PromptCacheMonitoringStack(app, stackName, {
      config: targetConfig(config, i),
      env: { ...(account ? { account } : {}), region: t.region },
      ...(sinkArn ? { sinkArn } : {}),
    });
  });
  if (!monitoring) return { targets, sinks: [] };
  const accountsIn = (region: string) =>
    [...new Set(refs.filter((r) => r.region === region && r.account !== monitoring.account).map((r) => r.account))].sort();
  const regions = [...new Set(refs.map((r) => r.region))].sort();
  const linkedRegions = Object.keys(monitoring.sinks).sort();
  const env = (region: string) => ({ account: monitoring.account, region });
  const rollup = new PromptCacheRollupStack(app, `${baseName}-Rollup`, {
    env: env(monitoring.region),
    namespace: config.namespace,
    sourceAccounts: accountsIn(monitoring.region),
    targets: refs,
    linkedRegions,
  });
  const sinks = regions
    .filter((r) => r !== monitoring.region && accountsIn(r).length > 0)
    .map((r) => new PromptCacheSinkStack(app, `${baseName}-Sink-${r}`, { env: env(r), sourceAccounts: accountsIn(r) }));
  return { targets, rollup, sinks };
}
