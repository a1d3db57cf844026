/**
 * The demo's 14 days of AWS/Bedrock traffic for the example config's three models, at 5-minute resolution:
 * - support-bot (Claude 3.7 Sonnet via us.): healthy, hit ratio about 85% all along;
 * - code-review (Claude Sonnet 4.5 via global., 1-hour cache): healthy until a "prefix change" mid-week, then about 10%,
 *   with cache writes spiking;
 * - claims-triage (an application inference profile priced as Haiku 4.5): writes on every call, never a read.
 * Deterministic (no randomness): a daily traffic curve, quieter at night.
 */
import type { SeedPoint } from '../support/bedrock-seed';

export const FIVE_MINUTES_MS = 300_000;
export const DEMO_DAYS = 14;

export interface DemoModels {
  readonly healthy: string;
  readonly regressing: string;
  readonly misconfigured: string;
}

/** Traffic of one 5-minute slot: requests through the day, busiest at 14:00 UTC, never zero. */
function requests(slotStartMs: number): number {
  const hour = new Date(slotStartMs).getUTCHours() + new Date(slotStartMs).getUTCMinutes() / 60;
  return Math.round(6 + 14 * Math.max(0, Math.cos(((hour - 14) / 24) * 2 * Math.PI)));
}

/**
 * Points for [endMs − 14 days, endMs), one per model per metric per 5 minutes; `changeAtMs` is when code-review's
 * prompt prefix changes.
 */
export function demoTraffic(models: DemoModels, endMs: number, changeAtMs: number): SeedPoint[] {
  const points: SeedPoint[] = [];
  for (let t = endMs - DEMO_DAYS * 86_400_000; t < endMs; t += FIVE_MINUTES_MS) {
    const n = requests(t);
    // 3,000-token cached prefix per request: 85% of requests hit it (reads), 15% rebuild it (writes).
    points.push({
      modelId: models.healthy,
      periodStartMs: t,
      tokens: {
        inputTokens: 120 * n,
        cacheReadInputTokens: Math.round(0.85 * n) * 3000,
        cacheWriteInputTokens: (n - Math.round(0.85 * n)) * 3000,
        outputTokens: 250 * n,
      },
    });
    const broken = t >= changeAtMs;
    const hits = broken ? Math.round(0.1 * n) : Math.round(0.8 * n);
    points.push({
      modelId: models.regressing,
      periodStartMs: t,
      tokens: { inputTokens: 80 * n, cacheReadInputTokens: hits * 6000, cacheWriteInputTokens: (n - hits) * 6000, outputTokens: 400 * n },
    });
    points.push({
      modelId: models.misconfigured,
      periodStartMs: t,
      tokens: { inputTokens: 60 * n, cacheReadInputTokens: 0, cacheWriteInputTokens: 2 * n * 4500, outputTokens: 150 * n },
    });
  }
  return points;
}
