/**
 * The CloudWatch and CloudFormation limits the alarms must stay within, and the synth-time checks against them: the
 * stack's resource count, its template size and its mapping count. Each check returns problems (empty when within the
 * limit) so the caller decides whether to throw at once or report at validation.
 */
import { CfnMapping, CfnResource, Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { bedrockMetricCandidates } from '../../lambda/core/contract';
import type { PromptCacheConfig } from '../../lambda/core/config';
import { CONSOLE_HOST_HINT, LONGEST_CONSOLE_HOST } from '../console-url';

/** CloudWatch: at most 1,024 characters of alarm description. */
export const ALARM_DESCRIPTION_MAX = 1024;
/** CloudFormation's resource limit per stack (aws-cdk-lib's `@aws-cdk/core:stackResourceLimit` context overrides it). */
export const STACK_RESOURCE_LIMIT = 500;
/** CloudFormation's template size limit through S3 (bytes). */
export const TEMPLATE_BYTES_MAX = 1_000_000;
/** CloudFormation: at most 200 mappings per template and 200 attributes (top-level keys) per mapping. */
export const TEMPLATE_MAPPINGS_MAX = 200;
export const MAPPING_ATTRIBUTES_MAX = 200;
/** The longest region name a description's `${AWS::Region}` can resolve to, for the length check. */
export const LONGEST_REGION = 16;

/**
 * Length of a string with tokens: the console host's `${Token[ConsoleHost.…]}` counted as the longest console host,
 * any other `${Token[…]}` (the region) as the longest region name.
 */
export function resolvedLengthBound(text: string): number {
  return text.replace(/\$\{Token\[([^\]]*)\]\}/g, (_t, key: string) =>
    'x'.repeat(key.startsWith(`${CONSOLE_HOST_HINT}.`) ? LONGEST_CONSOLE_HOST : LONGEST_REGION),
  ).length;
}

/** What the limit checks say about the alarms being built: how many models, with up to how many alarms each. */
export interface LimitSubject {
  readonly models: number;
  readonly alarmsPerModel: number;
}

/**
 * The stack's resource count against CloudFormation's limit: everything the stack holds now, `planned` resources of
 * the alarms, `later` ones the caller adds afterwards and AWS::CDK::Metadata. `fit(others)` says how many models would fit.
 */
export function resourceLimitProblems(
  scope: IConstruct,
  subject: LimitSubject,
  planned: number,
  later: number,
  fit: (others: number, limit: number) => number,
): string[] {
  const stack = Stack.of(scope);
  const limitContext = scope.node.tryGetContext('@aws-cdk/core:stackResourceLimit');
  const limit = limitContext === undefined ? STACK_RESOURCE_LIMIT : Number(limitContext);
  if (!(limit > 0)) return [];
  const others = stack.node.findAll().filter((c) => CfnResource.isCfnResource(c)).length + later + 1;
  if (others + planned <= limit) return [];
  return [
    `models: ${subject.models} models with up to ${subject.alarmsPerModel} alarms each need ${others + planned} CloudFormation resources in stack ${stack.stackName}, over the limit of ${limit}: at most ${fit(others, limit)} of these models fit. ` +
      'Turn alarm families off (alarms.<family>.enabled: false), turn alarms off for some models (models[].alarms.enabled: false), or split the models across stacks.',
  ];
}

/**
 * CloudFormation refuses a template over 1,000,000 bytes (through S3, as `cdk deploy` uploads it) at deploy time;
 * aws-cdk-lib only warns. Measured as the stack will write it (indented unless `suppressTemplateIndentation`), so only
 * meaningful once the whole stack is built (a node validation).
 */
export function templateSizeProblems(
  scope: IConstruct,
  subject: LimitSubject,
  config: Pick<PromptCacheConfig, 'bedrockMetricNames'>,
): string[] {
  const stack = Stack.of(scope) as unknown as {
    _toCloudFormation?: () => unknown;
    _suppressTemplateIndentation?: boolean;
    stackName: string;
  };
  // aws-cdk-lib's own template rendering (what synth writes); skipped if a future version renames it.
  if (typeof stack._toCloudFormation !== 'function') return [];
  const bytes = Buffer.byteLength(JSON.stringify(stack._toCloudFormation(), undefined, stack._suppressTemplateIndentation ? undefined : 1));
  if (bytes <= TEMPLATE_BYTES_MAX) return [];
  const pinned = Object.values(bedrockMetricCandidates(config.bedrockMetricNames)).every((names) => names.length === 1);
  return [
    `models: the template of stack ${stack.stackName} would be ${bytes.toLocaleString('en-US')} bytes with these ${subject.models} models, over CloudFormation's ${TEMPLATE_BYTES_MAX.toLocaleString('en-US')}. ` +
      (pinned
        ? ''
        : "Pin bedrockMetricNames.cacheReadInputTokens and .cacheWriteInputTokens to the spelling `prompt-cache doctor` reports (halves the cache alarms' inputs), ") +
      (stack._suppressTemplateIndentation ? '' : 'set suppressTemplateIndentation: true on the stack, ') +
      'turn alarm families off (alarms.<family>.enabled: false), turn alarms off for some models (models[].alarms.enabled: false), or split the models across stacks.',
  ];
}

/**
 * The runbooks' shared texts take one mapping per 200 (`needed`); with the stack's other mappings they must stay within
 * CloudFormation's 200 per template. Checked once every description is known (the count depends on their text).
 */
export function mappingLimitProblems(
  scope: IConstruct,
  subject: LimitSubject,
  sharedRuns: number,
  needed: number,
  minSharedLength: number,
): string[] {
  const stack = Stack.of(scope);
  const others = stack.node.findAll().filter((c) => c instanceof CfnMapping).length;
  if (others + needed <= TEMPLATE_MAPPINGS_MAX) return [];
  return [
    `models: the runbooks of ${subject.models} models share ${sharedRuns} texts, ${needed} template mappings of at most ${MAPPING_ATTRIBUTES_MAX}, and stack ${stack.stackName} already has ${others}: over CloudFormation's limit of ${TEMPLATE_MAPPINGS_MAX} mappings per template. ` +
      `Give the models shorter display names (under ${minSharedLength} characters a name is not shared), turn alarm families off (alarms.<family>.enabled: false), remove mappings from the stack, or split the models across stacks.`,
  ];
}
