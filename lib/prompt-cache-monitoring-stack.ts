/** The stack `bin/app.ts` deploys: it only composes the {@link PromptCacheMonitoring} construct. */
import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { PromptCacheConfig } from '../lambda/core/config';
import { PromptCacheMonitoring } from './prompt-cache-monitoring';

export interface PromptCacheMonitoringStackProps extends StackProps {
  /** The validated config (see `loadConfigFromContext`). */
  readonly config: PromptCacheConfig;
  /**
   * Name of the on-call dashboard.
   * @default `<stack name>-OnCall-<region>`
   */
  readonly dashboardName?: string;
}

export class PromptCacheMonitoringStack extends Stack {
  readonly monitoring: PromptCacheMonitoring;

  constructor(scope: Construct, id: string, props: PromptCacheMonitoringStackProps) {
    super(scope, id, {
      description: 'Amazon Bedrock prompt-cache monitoring: on-call dashboard over the AWS/Bedrock token metrics',
      ...props,
    });
    this.monitoring = new PromptCacheMonitoring(this, 'PromptCacheMonitoring', {
      config: props.config,
      dashboardName: props.dashboardName,
    });
  }
}
