/**
 * Runbooks: every alarm description says what fired, what it means in tokens or dollars, the usual causes (README
 * "Alarms and runbooks"), the first three checks and the on-call dashboard's URL, within 1,024 characters. The text of
 * each family's runbook lives with the family (families/); this is the shape, the length rule and the formatting.
 */
import { ALARM_DESCRIPTION_MAX, resolvedLengthBound } from './limits';

export interface Runbook {
  /** What the alarm is about: a model's display name (or id), `All models`, the roll-up. */
  readonly subject: string;
  /** What fired (follows `<subject>: `). */
  readonly what: string;
  readonly means: string;
  /** Most likely first; the tail is dropped if the description would exceed 1,024 characters. */
  readonly causes: readonly string[];
  readonly checks: readonly [string, string, string];
}

/**
 * The description, as the alarm-specific `head` (what fired, what it means) and the `tail` its family shares (causes,
 * checks, dashboard URL); causes are cut from the end until the whole fits in 1,024 characters.
 */
export function runbookParts(r: Runbook, dashboardUrl: string): { head: string; tail: string } {
  const head = `${r.subject}: ${r.what}\nMeans: ${r.means}`;
  const render = (causes: readonly string[]) =>
    [
      '',
      ...(causes.length > 0 ? [`Causes: ${causes.join('; ')}.`] : []),
      `Check: 1) ${r.checks[0]} 2) ${r.checks[1]} 3) ${r.checks[2]}`,
      `On-call dashboard: ${dashboardUrl}`,
    ].join('\n');
  let causes = [...r.causes];
  let tail = render(causes);
  while (resolvedLengthBound(head + tail) > ALARM_DESCRIPTION_MAX && causes.length > 0) {
    causes = causes.slice(0, -1);
    tail = render(causes);
  }
  if (resolvedLengthBound(head + tail) > ALARM_DESCRIPTION_MAX) {
    throw new Error(
      `alarm description of ${resolvedLengthBound(head + tail)} characters exceeds CloudWatch's ${ALARM_DESCRIPTION_MAX}: use a shorter dashboard name or display name`,
    );
  }
  return { head, tail };
}

/** The whole description text (see {@link runbookParts}). */
export function runbookText(r: Runbook, dashboardUrl: string): string {
  const { head, tail } = runbookParts(r, dashboardUrl);
  return head + tail;
}

/** `$0.015`, `$0.0055`, `$1.44`, `$1,234.50`: 2 decimals, up to 4 below a dollar. */
export function formatUsd(usd: number): string {
  const abs = Math.abs(usd);
  const text = abs.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: abs < 1 ? 4 : 2 });
  return `${usd < 0 ? '-' : ''}$${text}`;
}

/** A price in USD per million tokens: `$3.00`, `$0.30`, `$1.375`. */
export function formatPrice(micro: number): string {
  return `$${(micro / 1e6).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 6 })}`;
}

/** Micro-dollars per million tokens as dollars per million tokens (the metric math's constants). */
export const perMTok = (micro: number) => micro / 1e6;
/** `50,000`. */
export const formatCount = (v: number) => v.toLocaleString('en-US');
/** `21.7%`. */
export const formatPercent = (v: number) => `${(Math.round(v * 10) / 10).toString()}%`;
