/**
 * The demo's 14 days of AWS/Bedrock traffic, at 5-minute resolution, for the example config's three models (cdk.json)
 * and one model that is in no config:
 * - support-bot (Claude 3.7 Sonnet via us.): healthy, hit ratio about 85% all along;
 * - code-review (Claude Sonnet 4.5 via global., 1-hour cache): healthy until a "prefix change" mid-week at 09:00 UTC,
 *   then about 10% to the end, with cache writes spiking: it loses more than $1/h in the busy hours (a page), less at
 *   night;
 * - claims-triage (an application inference profile priced as Haiku 4.5): writes on every call, never a read, all
 *   along: a standing misconfiguration worth tickets, never a page;
 * - {@link UNCONFIGURED_MODEL_ID} (Claude Sonnet 4 via us., priced by the catalog, the `alarms` section's settings):
 *   a batch job nobody configured, with twice the traffic, healthy (90%) until the day after code-review's change,
 *   when a bad deploy at 11:00 UTC drops it to about 10% (more than $1/h lost at its peak) until it is rolled back at
 *   17:00 UTC.
 * Deterministic (no randomness): a daily traffic curve, quieter at night.
 */
import { DAY_MS, HOUR_MS } from '../../lambda/core/periods';
import type { SeedPoint } from '../support/bedrock-seed';

export const FIVE_MINUTES_MS = 300_000;
export const DEMO_DAYS = 14;

/** A model id the built-in catalog prices (Claude Sonnet 4, through a US geographic profile) and no config lists. */
export const UNCONFIGURED_MODEL_ID = 'us.anthropic.claude-sonnet-4-20250514-v1:0';

export interface DemoModels {
  readonly healthy: string;
  readonly regressing: string;
  readonly misconfigured: string;
  /** In no config: found by the publisher from AWS/Bedrock, shown by its id. */
  readonly unconfigured: string;
}

export interface DemoTimes {
  /** When code-review's prompt prefix changes: mid-week in the last 7 days, at 09:00 UTC. */
  readonly changeAtMs: number;
  /** When the unconfigured model's bad deploy goes out: the next day, at 11:00 UTC. */
  readonly unconfiguredBreaksAtMs: number;
  /** When it is rolled back: the same day, at 17:00 UTC. */
  readonly unconfiguredFixedAtMs: number;
}

/** The scenario's times for a window ending at `endMs`. */
export function demoTimes(endMs: number): DemoTimes {
  const changeAtMs = Math.floor((endMs - 3.5 * DAY_MS) / DAY_MS) * DAY_MS + 9 * HOUR_MS;
  const unconfiguredBreaksAtMs = changeAtMs + DAY_MS + 2 * HOUR_MS;
  return { changeAtMs, unconfiguredBreaksAtMs, unconfiguredFixedAtMs: unconfiguredBreaksAtMs + 6 * HOUR_MS };
}

/** Traffic of one 5-minute slot: requests through the day, busiest at 14:00 UTC, never zero. */
export function requests(slotStartMs: number): number {
  const hour = new Date(slotStartMs).getUTCHours() + new Date(slotStartMs).getUTCMinutes() / 60;
  return Math.round(6 + 14 * Math.max(0, Math.cos(((hour - 14) / 24) * 2 * Math.PI)));
}

/** Points for [endMs − 14 days, endMs), one per model per metric per 5 minutes. */
export function demoTraffic(models: DemoModels, endMs: number, times: DemoTimes): SeedPoint[] {
  const points: SeedPoint[] = [];
  for (let t = endMs - DEMO_DAYS * DAY_MS; t < endMs; t += FIVE_MINUTES_MS) {
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
    const broken = t >= times.changeAtMs;
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
    // Twice the traffic, an 8,000-token prefix: 90% hits, about 10% (never none) while the bad deploy is out.
    const batch = 2 * n;
    const deployed = t >= times.unconfiguredBreaksAtMs && t < times.unconfiguredFixedAtMs;
    const batchHits = deployed ? Math.round(0.1 * batch) : Math.round(0.9 * batch);
    points.push({
      modelId: models.unconfigured,
      periodStartMs: t,
      tokens: {
        inputTokens: 100 * batch,
        cacheReadInputTokens: batchHits * 8000,
        cacheWriteInputTokens: (batch - batchHits) * 8000,
        outputTokens: 300 * batch,
      },
    });
  }
  return points;
}
