/// <reference lib="es2023.intl" />
// signDisplay "negative" (never "-0.0"): ES2023 Intl, in Node since 20; the repo-wide lib is ES2022.
/**
 * Numbers as a person reads them in the weekly review, the digest and the report's markdown (JSON and CSV keep exact
 * values): dollars in cents from a dollar up and to two significant figures below it, no `-0.0` and no `-$0.00`, no
 * percent change across a sign change, "lost $X" rather than "saved -$X", tokens as `190 M` and `45 k`, short model
 * ids. Built on Intl.NumberFormat. Pure.
 */

const CENTS = new Intl.NumberFormat('en-US', {
  style: 'currency',
  currency: 'USD',
  minimumFractionDigits: 2,
  maximumFractionDigits: 2,
  signDisplay: 'negative',
});
const TWO_FIGURES = new Intl.NumberFormat('en-US', {
  style: 'currency',
  currency: 'USD',
  minimumSignificantDigits: 2,
  maximumSignificantDigits: 2,
  signDisplay: 'negative',
});
const ONE_DECIMAL = new Intl.NumberFormat('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1, signDisplay: 'negative' });
const ONE_DECIMAL_SIGNED = new Intl.NumberFormat('en-US', {
  minimumFractionDigits: 1,
  maximumFractionDigits: 1,
  signDisplay: 'exceptZero',
});
const COMPACT = new Intl.NumberFormat('en-US', { notation: 'compact' });

/** `$21.17`, `$1,016.35`, `-$63.53` from a dollar up; `$0.16`, `$0.0089`, `-$0.89` below; `$0.00` for zero; `n/a` for null. */
export function usd(value: number | null): string {
  if (value === null) return 'n/a';
  if (value === 0) return CENTS.format(0);
  // Below $0.995 two significant figures never round to a whole dollar's worth of cents; from there on, cents.
  return Math.abs(value) >= 0.995 ? CENTS.format(value) : TWO_FIGURES.format(value);
}

/** A change in dollars: `+$3.67`, `-$261.36`, `$0.00`. */
export function signedUsd(value: number | null): string {
  if (value === null) return 'n/a';
  return value > 0 ? `+${usd(value)}` : usd(value);
}

/** `84.4%`; never `-0.0%`; `n/a` for null. */
export function percent(value: number | null): string {
  return value === null ? 'n/a' : `${ONE_DECIMAL.format(value)}%`;
}

/** `+2.8%`, `-92.4%`, `0.0%`. */
export function signedPercent(value: number | null): string {
  return value === null ? 'n/a' : `${ONE_DECIMAL_SIGNED.format(value)}%`;
}

/** Percentage points: `+40.0 pts`, `-37.0 pts`, `0.0 pts` (never `-0.0 pts`). */
export function points(value: number | null): string {
  return value === null ? 'n/a' : `${ONE_DECIMAL_SIGNED.format(value)} pts`;
}

/** `999`, `3.9 k`, `45 k`, `190 M`, `1.5 B`. */
export function tokens(value: number): string {
  return COMPACT.formatToParts(value)
    .map((p) => (p.type === 'compact' ? ` ${p.value === 'K' ? 'k' : p.value}` : p.value))
    .join('');
}

/** `saved $21.17`, `lost $63.53`, `broke even`. */
export function savedOrLost(value: number): string {
  if (value > 0) return `saved ${usd(value)}`;
  if (value < 0) return `lost ${usd(-value)}`;
  return 'broke even';
}

/** `saving $41`, `losing $29`, `breaking even` (for "from saving $41 a day to losing $29 a day"). */
export function savingOrLosing(value: number): string {
  if (value > 0) return `saving ${usd(value)}`;
  if (value < 0) return `losing ${usd(-value)}`;
  return 'breaking even';
}

/** True when one value is a saving and the other a loss. */
export function signChanged(previous: number, current: number): boolean {
  return (previous > 0 && current < 0) || (previous < 0 && current > 0);
}

/** (current − previous) / |previous| × 100; null when previous is 0 or the sign changed (a percentage would mislead). */
export function percentChange(previous: number | null, current: number | null): number | null {
  if (previous === null || current === null || previous === 0 || signChanged(previous, current)) return null;
  return (100 * (current - previous)) / Math.abs(previous);
}

/**
 * The change of a net-savings figure: `+$3.67 (+2.8%)`; across a sign change `from saving $197.83 to losing $63.53`
 * (with `unit`, e.g. ` a day`, after each amount); from zero `+$5.00 (from $0.00)`; `n/a` when either is unknown.
 */
export function netChange(previous: number | null, current: number | null, unit = ''): string {
  if (previous === null || current === null) return 'n/a';
  if (signChanged(previous, current)) return `from ${savingOrLosing(previous)}${unit} to ${savingOrLosing(current)}${unit}`;
  const pct = percentChange(previous, current);
  return `${signedUsd(current - previous)}${unit} (${pct === null ? `from ${usd(previous)}` : signedPercent(pct)})`;
}

/** `11-27`: month and day, UTC. */
export function shortDay(ms: number): string {
  return new Date(ms).toISOString().slice(5, 10);
}

/** `2026-11-27`, UTC. */
export function isoDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

const GEO_PREFIX = /^((?:us-gov|us|eu|apac|jp|au|ca|global)\.)/;

/**
 * A short form of a model id for tables and sentences (the full id goes in a footnote): the provider, the release date
 * and the version dropped, a geographic prefix kept (`us.anthropic.claude-3-7-sonnet-20250219-v1:0` →
 * `us.claude-3-7-sonnet`); an ARN by its resource (`…:application-inference-profile/a1b2c3` → `profile/a1b2c3`,
 * `…:foundation-model/anthropic.claude-3-5-haiku-20241022-v1:0` → `claude-3-5-haiku`).
 */
export function shortModelId(id: string): string {
  if (id.startsWith('arn:')) {
    const resource = id.split(':').slice(5).join(':');
    const slash = resource.indexOf('/');
    if (slash < 0) return resource;
    const [type, name] = [resource.slice(0, slash), resource.slice(slash + 1)];
    if (type === 'application-inference-profile') return `profile/${name}`;
    return shortModelId(name);
  }
  const geo = GEO_PREFIX.exec(id)?.[1] ?? '';
  const rest = id.slice(geo.length);
  const dot = rest.indexOf('.');
  const name = (dot > 0 ? rest.slice(dot + 1) : rest).replace(/(-\d{8})?(-v\d+(:[0-9a-z]+)*)?$/, '');
  return name === '' ? id : `${geo}${name}`;
}
