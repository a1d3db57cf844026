/**
 * Every kind of synth-time warning the constructs emit, each with its own acknowledgeable id
 * (`Annotations.of(scope).acknowledgeWarning('prompt-cache:<kind>')`), so a user can accept one kind and keep the others.
 */
import { Annotations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/** Kind → what it warns about (the README's table of ids lists the same). */
export const SYNTH_WARNING_KINDS = {
  'unpriced-model': 'an alarmed model has no known price: its caching-costs-money alarm is left out',
  'no-write-premium': 'cache writes of a model cost no more than uncached input: caching never costs money, no cost alarm',
  'threshold-never-fires': 'a low-hit-ratio threshold of 0 %: the alarm could never fire and is left out',
  'pipeline-window-capped': "alarms.pipeline.missingPeriods spans more than CloudWatch's one day: fewer periods are evaluated",
  'notifications-unused': 'alarms are off, so the configured e-mails or on-call topic are never notified',
  'tickets-unrouted': 'pages have a destination but tickets (what can wait for working hours) reach nobody',
  'topic-region': 'the on-call topic is in another region than the stack: CloudWatch notifies topics of its own region only',
  'cost-review-topic-unused': 'a costReviewTopic is given but digest.enabled is false: nothing sends to it',
} as const;

export type SynthWarningKind = keyof typeof SYNTH_WARNING_KINDS;

/** A warning and its kind, before it is attached to a construct. */
export interface SynthWarning {
  readonly kind: SynthWarningKind;
  readonly message: string;
}

/** The id a warning of `kind` carries: `prompt-cache:<kind>`. */
export function synthWarningId(kind: SynthWarningKind): string {
  return `prompt-cache:${kind}`;
}

export function addSynthWarning(scope: IConstruct, warning: SynthWarning): void {
  Annotations.of(scope).addWarningV2(synthWarningId(warning.kind), warning.message);
}
