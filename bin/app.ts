#!/usr/bin/env node
/**
 * The CDK app (`cdk synth` / `cdk deploy`, see cdk.json): load and validate the config, add its stacks (the one
 * monitoring stack, environment-agnostic; or one per target and the monitoring account's, lib/prompt-cache-app.ts), and run cdk-nag's AwsSolutions pack as a policy-validation plugin (cdk-nag 3.x) next to
 * aws-cdk-lib's built-in template validation.
 *
 * Context: `promptCacheMonitoring` (inline config) or `promptCacheConfig` (path of a JSON config file),
 * `stackName` (default BedrockPromptCacheMonitoring). A bad config prints every problem, one per line, and exits 1.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ConfigError, loadConfigFromContext } from '../lib/config';
import { addPromptCacheStacks } from '../lib/prompt-cache-app';
import { DEFAULT_STACK_NAME, STACK_NAME_PATTERN } from '../lib/prompt-cache-monitoring-stack';

function stackNameFrom(app: App): string {
  const raw: unknown = app.node.tryGetContext('stackName');
  if (raw === undefined) return DEFAULT_STACK_NAME;
  if (typeof raw === 'string' && STACK_NAME_PATTERN.test(raw)) return raw;
  throw new ConfigError('cdk context "stackName"', [
    `stackName: must be 1 to 128 letters, digits or "-", starting with a letter (got ${JSON.stringify(raw)})`,
  ]);
}

const app = new App();
try {
  // Parsed here, though the construct takes the raw config too: so a problem names the file or context key it is in.
  const config = loadConfigFromContext(app.node);
  const stackName = stackNameFrom(app);
  // Without `targets`, no `env`: one template deployable to any account and region.
  addPromptCacheStacks(app, config, stackName, process.env.CDK_DEFAULT_ACCOUNT);
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  // What users see on a bad config: the problems only, no stack trace. process.exit skips the App's auto-synth.
  process.stderr.write(`${err.message}\n`);
  process.exit(1);
}
// Findings are printed by synth (error-level ones fail it) and written to cdk.out/validation-report.json; acknowledge one with
// `Validations.of(construct).acknowledge({ id: 'AwsSolutions-XYZ', reason })`. cdk-nag drops acknowledged findings from
// the report, so writeSuppressionsToCloudFormation keeps the audit trail (id + reason) in each resource's Metadata.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true, writeSuppressionsToCloudFormation: true }));
