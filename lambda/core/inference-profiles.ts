/**
 * Application inference profiles: their ARN can be the `ModelId` of AWS/Bedrock metrics, and it names no model, so its
 * price comes from the model the profile routes to (bedrock:GetInferenceProfile lists one foundation-model ARN per
 * region it routes to). Pure: the adapter (lambda/aws/inference-profiles.ts) calls the API, these read its answer.
 */
import type { PromptCacheConfig } from './config';

/** `arn:aws:bedrock:us-east-1:111122223333:application-inference-profile/a1b2c3d4e5f6` (any partition). */
const APPLICATION_PROFILE_ARN = /^arn:aws[a-z-]*:bedrock:[a-z0-9-]+:\d{12}:application-inference-profile\/[A-Za-z0-9]+$/;
/** `arn:aws:bedrock:us-east-1::foundation-model/<model id>` or `arn:aws:bedrock:us-east-1:<account>:inference-profile/<profile id>`. */
const MODEL_ARN = /^arn:aws[a-z-]*:bedrock:([a-z0-9-]+):(\d{12})?:(foundation-model|inference-profile)\/([^/\s]+)$/;

export function isApplicationInferenceProfileArn(id: string): boolean {
  return APPLICATION_PROFILE_ARN.test(id);
}

/**
 * The model id a foundation-model ARN names (`anthropic.claude-haiku-4-5-20251001-v1:0`), or the profile id a system
 * inference-profile ARN names (`us.anthropic.claude-…`); undefined for anything else (an application profile included).
 */
export function modelIdFromModelArn(arn: string): string | undefined {
  const m = MODEL_ARN.exec(arn);
  if (!m) return undefined;
  // A foundation model has no account in its ARN; a system inference profile does.
  if (m[3] === 'foundation-model' && m[2] !== undefined) return undefined;
  return m[4];
}

function regionOf(arn: string): string | undefined {
  return MODEL_ARN.exec(arn)?.[1];
}

/** Where an application inference profile sends its requests: one model, in these regions (sorted). */
export interface ProfileRoute {
  readonly modelId: string;
  readonly regions: readonly string[];
}

/** The profile's models cannot be priced as one model. */
export interface ProfileRouteProblem {
  readonly problem: string;
  /** The model ids the ARNs name (sorted, each once). */
  readonly modelIds: readonly string[];
  readonly regions: readonly string[];
}

export function isProfileRoute(r: ProfileRoute | ProfileRouteProblem): r is ProfileRoute {
  return !('problem' in r);
}

/** GetInferenceProfile's `models[]` → the one model they name, or why there is not one. */
export function routeOf(models: readonly { readonly modelArn?: string }[]): ProfileRoute | ProfileRouteProblem {
  const arns = models.map((m) => m.modelArn ?? '');
  const ids = [...new Set(arns.map((a) => modelIdFromModelArn(a)).filter((id): id is string => id !== undefined))].sort();
  const regions = [...new Set(arns.map(regionOf).filter((r): r is string => r !== undefined))].sort();
  const unreadable = arns.filter((a) => modelIdFromModelArn(a) === undefined);
  if (unreadable.length > 0) {
    return {
      problem: `not a foundation-model or inference-profile ARN: ${unreadable.map((a) => JSON.stringify(a)).join(', ')}; set priceAs by hand`,
      modelIds: ids,
      regions,
    };
  }
  if (ids.length === 0) return { problem: 'the profile lists no model; set priceAs by hand', modelIds: [], regions: [] };
  if (ids.length > 1) {
    return {
      problem: `the profile routes to different models (${ids.join(', ')}): it cannot be priced automatically; set priceAs by hand`,
      modelIds: ids,
      regions,
    };
  }
  return { modelId: ids[0], regions };
}

/** What looking one profile up gave: its route, or why it has none (the API refused, or the answer names no one model). */
export type ProfileLookup =
  | { readonly status: 'routed'; readonly route: ProfileRoute }
  | {
      readonly status: 'unresolved';
      readonly reason: 'access-denied' | 'not-found' | 'no-single-model' | 'error';
      readonly message: string;
    };

/**
 * The port the publisher, the report and doctor take (lambda/aws/inference-profiles.ts implements it): routes of the
 * application inference profile ARNs among `modelIds`; other ids, and ARNs that cannot be resolved, are absent.
 */
export interface InferenceProfileRoutes {
  resolve(modelIds: readonly string[]): Promise<ReadonlyMap<string, ProfileRoute>>;
}

/**
 * The config with every routed application inference profile priced as the model it routes to: its `priceAs`, unless
 * the config sets one (the override) — `pricing` entries still win, as in every price resolution. A routed profile the
 * config does not list is added as a model with only that `priceAs`, for pricing; nothing else reads it.
 */
export function withProfileRoutes(config: PromptCacheConfig, routes: ReadonlyMap<string, ProfileRoute>): PromptCacheConfig {
  if (routes.size === 0) return config;
  const listed = new Set(config.models.map((m) => m.modelId));
  const models = config.models.map((m) =>
    m.priceAs === undefined && routes.has(m.modelId) ? { ...m, priceAs: routes.get(m.modelId)!.modelId } : m,
  );
  for (const [modelId, route] of routes) if (!listed.has(modelId)) models.push({ modelId, cacheWriteTtl: '5m', priceAs: route.modelId });
  return { ...config, models };
}

/**
 * The ids worth a GetInferenceProfile call: application inference profile ARNs that neither `pricing` nor a `priceAs`
 * prices already (those overrides win anyway), so a fleet of priced profiles costs no control-plane call.
 */
export function profilesToResolve(config: PromptCacheConfig, modelIds: readonly string[]): string[] {
  return modelIds.filter(
    (id) =>
      isApplicationInferenceProfileArn(id) &&
      !Object.prototype.hasOwnProperty.call(config.pricing, id) &&
      config.models.find((m) => m.modelId === id)?.priceAs === undefined,
  );
}

/** Resolves what {@link profilesToResolve} leaves and prices the config with it (no call when nothing is left). */
export async function pricedWithProfiles(
  config: PromptCacheConfig,
  modelIds: readonly string[],
  profiles: InferenceProfileRoutes | undefined,
): Promise<PromptCacheConfig> {
  const wanted = profiles ? profilesToResolve(config, modelIds) : [];
  return wanted.length === 0 ? config : withProfileRoutes(config, await profiles!.resolve(wanted));
}

/**
 * `config` with what one region's read priced by its profiles (`routed`, from pricedWithProfiles): a configured model
 * without a priceAs takes its route, a discovered profile is added. Reports over several regions gather each region's
 * routes this way; profile ARNs name their region, so two regions' routes never collide.
 */
export function withRegionRoutes(config: PromptCacheConfig, routed: PromptCacheConfig): PromptCacheConfig {
  const known = new Set(config.models.map((m) => m.modelId));
  return {
    ...config,
    models: [
      ...config.models.map((m) => (m.priceAs === undefined ? (routed.models.find((r) => r.modelId === m.modelId) ?? m) : m)),
      ...routed.models.filter((m) => !known.has(m.modelId)),
    ],
  };
}
