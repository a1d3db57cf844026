/** One `models[]` entry, and the rule across entries (each model listed once). */
import { string, strictObject } from 'zod';
import { modelAlarmsSchema } from './alarms';
import { nonBlank, percent } from './fields';
import { describeValue } from './issues';
import { cacheWriteTtlSchema } from './pricing';

export const modelSchema = strictObject({
  /** The id exactly as AWS/Bedrock reports it: a model id, a geo/global inference profile id or an application inference profile ARN. */
  modelId: nonBlank('model id'),
  /** Picks the catalog's 5-minute or 1-hour cache write price. */
  cacheWriteTtl: cacheWriteTtlSchema.default('5m'),
  /** Shown in dashboards and reports instead of the raw id. */
  displayName: string().min(1, { error: 'must be a non-empty name' }).max(64, { error: 'must be at most 64 characters' }).optional(),
  /** The model id whose prices apply (for application inference profiles, whose ARN names no model). */
  priceAs: nonBlank('model id').optional(),
  /** Overrides `report.minHitRatioPercent` for this model. */
  minHitRatioPercent: percent.optional(),
  /** Overrides of the `alarms` section for this model (unset fields inherit it). */
  alarms: modelAlarmsSchema.optional(),
});

/**
 * Cross-entry rule checked on the raw input, so it is reported together with the schema's own problems
 * (zod skips refinements of an object that already has issues).
 */
export function duplicateModelIds(raw: unknown): string[] {
  const models = (raw as { models?: unknown } | null)?.models;
  if (!Array.isArray(models)) return [];
  const firstIndex = new Map<string, number>();
  const problems: string[] = [];
  models.forEach((m, i) => {
    const id = (m as { modelId?: unknown } | null)?.modelId;
    if (typeof id !== 'string' || id === '') return;
    const seen = firstIndex.get(id);
    if (seen === undefined) firstIndex.set(id, i);
    else problems.push(`models[${i}].modelId: duplicates models[${seen}].modelId; list each model once (got ${describeValue(id)})`);
  });
  return problems;
}
