/** The whole config: the sections put together, each filled with its defaults when absent. */
import { array, record, strictObject } from 'zod';
import type { z } from 'zod';
import { alarmsSchema } from './alarms';
import { monitoringSchema, targetSchema } from './targets';
import { nonBlank } from './fields';
import { modelSchema } from './model';
import { pricingEntrySchema } from './pricing';
import { priceFileSchema } from '../prices';
import {
  bedrockMetricNamesSchema,
  dashboardsSchema,
  digestSchema,
  monitoringPricesSchema,
  namespaceSchema,
  publisherSchema,
  reconcileSchema,
  reportSchema,
} from './sections';

export const configSchema = strictObject({
  namespace: namespaceSchema,
  models: array(modelSchema).default([]),
  pricing: record(nonBlank('model id'), pricingEntrySchema).default({}),
  /**
   * A price file (`prompt-cache prices --refresh --out FILE`) relative to the config file (cdk.json's folder for its
   * context): the config loaders read it into `priceFile`, whose rows are laid over the built-in catalog.
   */
  pricesFile: nonBlank('file name').optional(),
  /** The price file's contents (filled in from `pricesFile` by the loader; may be given inline). */
  priceFile: priceFileSchema.optional(),
  bedrockMetricNames: bedrockMetricNamesSchema.prefault({}),
  publisher: publisherSchema.prefault({}),
  dashboards: dashboardsSchema.prefault({}),
  monitoringPrices: monitoringPricesSchema.prefault({}),
  digest: digestSchema.prefault({}),
  report: reportSchema.prefault({}),
  /** `prompt-cache reconcile`: how the bill's usage types map to models and token classes. */
  reconcile: reconcileSchema.prefault({}),
  /** Alarm families, SNS topic and e-mails (lib/alarms/); per-model overrides in `models[].alarms`. */
  alarms: alarmsSchema.prefault({}),
  /** One monitoring stack per account and region (config/targets.ts). @default - one stack, where it is deployed */
  targets: array(targetSchema).min(1, { error: 'must list at least one target (or leave the key out)' }).optional(),
  /** The roll-up stack's account and region, and the sinks the targets link to. @default - no roll-up */
  monitoring: monitoringSchema.optional(),
});

export type ConfigInput = z.input<typeof configSchema>;
export type PromptCacheConfig = z.output<typeof configSchema>;
export type ModelConfig = PromptCacheConfig['models'][number];
