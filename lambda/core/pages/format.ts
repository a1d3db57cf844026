/** How the pages and alarm descriptions write numbers, money and times. Pure. */
import { HOUR_MS, MINUTE_MS } from '../periods';

/** `$0.015`, `$2.85`, `$1,234.50`: 2 decimals, up to 4 below a dollar; `-$0.40` for a loss. */
export function formatUsd(usd: number): string {
  const abs = Math.abs(usd);
  const text = abs.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: abs < 1 ? 4 : 2 });
  return `${usd < 0 && text !== '0.00' ? '-' : ''}$${text}`;
}

/** `$2.85/h` (a rate, sign kept: `-$0.40/h`). */
export const formatUsdPerHour = (usd: number): string => `${formatUsd(usd)}/h`;

/** `21.7%`: one decimal, none when whole. */
export const formatPercent = (v: number): string => `${(Math.round(v * 10) / 10).toString()}%`;

/** `50,000`. */
export const formatCount = (v: number): string => Math.round(v).toLocaleString('en-US');

/** `$3.00` per million tokens, from micro-USD per million tokens. */
export const formatPricePerMTok = (micro: number): string =>
  `$${(micro / 1e6).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 6 })}/MTok`;

/** `2x`, `1.25x`: a price as a multiple of another. */
export const formatMultiple = (of: number, base: number): string => `${(Math.round((of / base) * 100) / 100).toString()}x`;

const pad = (n: number) => String(n).padStart(2, '0');

/** `02:00 UTC`, or `2025-11-30 23:00 UTC` when it is not the UTC day of `refMs`. */
export function formatUtc(ms: number, refMs: number = ms): string {
  const d = new Date(ms);
  const sameDay = Math.floor(ms / (24 * HOUR_MS)) === Math.floor(refMs / (24 * HOUR_MS));
  const time = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())} UTC`;
  return sameDay ? time : `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${time}`;
}

/** `2 h 5 min`, `45 min`, `3 h`. */
export function formatDuration(ms: number): string {
  const minutes = Math.max(0, Math.round(ms / MINUTE_MS));
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  if (h === 0) return `${m} min`;
  return m === 0 ? `${h} h` : `${h} h ${m} min`;
}

/** `a published hour`, `a published 15-minute period`. */
export function publishedPeriod(minutes: number): string {
  return minutes === 60 ? 'a published hour' : `a published ${minutes}-minute period`;
}

/** `published hours`, `published 15-minute periods`. */
export function publishedPeriods(minutes: number): string {
  return minutes === 60 ? 'published hours' : `published ${minutes}-minute periods`;
}

/** `1 published hour`, `3 published 15-minute periods`. */
export function countPublished(n: number, minutes: number): string {
  if (n === 1) return `1 ${publishedPeriod(minutes).replace(/^a /, '')}`;
  return `${n} ${publishedPeriods(minutes)}`;
}
