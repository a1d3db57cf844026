/**
 * Resolves application inference profile ARNs to the model they route to, with bedrock:GetInferenceProfile: only for
 * application-profile ARNs, once per ARN per resolver (cached, concurrent callers share the call), one call at a time.
 * Never throws: AccessDenied, ResourceNotFound or any other error leaves that ARN unresolved and is logged.
 */
import { GetInferenceProfileCommand, type BedrockClient } from '@aws-sdk/client-bedrock';
import {
  isApplicationInferenceProfileArn,
  isProfileRoute,
  routeOf,
  type InferenceProfileRoutes,
  type ProfileLookup,
  type ProfileRoute,
} from '../core/inference-profiles';
import type { RunLog } from '../core/publish-run';

export type { InferenceProfileRoutes, ProfileLookup, ProfileRoute } from '../core/inference-profiles';

/** The one method used, so tests can pass a stub `send` that records commands. */
export type BedrockSender = Pick<BedrockClient, 'send'>;

export class InferenceProfileResolver implements InferenceProfileRoutes {
  private readonly cache = new Map<string, Promise<ProfileLookup>>();
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly bedrock: BedrockSender,
    private readonly log: RunLog,
  ) {}

  async resolve(modelIds: readonly string[]): Promise<ReadonlyMap<string, ProfileRoute>> {
    const lookups = await this.lookup(modelIds);
    const routes = new Map<string, ProfileRoute>();
    for (const [arn, l] of lookups) if (l.status === 'routed') routes.set(arn, l.route);
    return routes;
  }

  /** Every application-profile ARN among `modelIds` with its route or the reason it has none (doctor reports both). */
  async lookup(modelIds: readonly string[]): Promise<ReadonlyMap<string, ProfileLookup>> {
    const arns = [...new Set(modelIds.filter(isApplicationInferenceProfileArn))];
    const out = new Map<string, ProfileLookup>();
    for (const arn of arns) out.set(arn, await this.lookupOne(arn));
    return out;
  }

  private lookupOne(arn: string): Promise<ProfileLookup> {
    let pending = this.cache.get(arn);
    if (!pending) {
      // Sequential: a resolver serves a handful of profiles, and Bedrock's control-plane quotas are low.
      pending = this.queue.then(() => this.fetch(arn));
      this.queue = pending;
      this.cache.set(arn, pending);
    }
    return pending;
  }

  private async fetch(arn: string): Promise<ProfileLookup> {
    let lookup: ProfileLookup;
    try {
      const out = await this.bedrock.send(new GetInferenceProfileCommand({ inferenceProfileIdentifier: arn }));
      const route = routeOf(out.models ?? []);
      lookup = isProfileRoute(route)
        ? { status: 'routed', route }
        : { status: 'unresolved', reason: 'no-single-model', message: route.problem };
    } catch (err) {
      const e = err as Error;
      const reason = e.name === 'AccessDeniedException' ? 'access-denied' : e.name === 'ResourceNotFoundException' ? 'not-found' : 'error';
      lookup = { status: 'unresolved', reason, message: `${e.name}: ${e.message}` };
    }
    if (lookup.status === 'unresolved') {
      this.log.warn('application inference profile not resolved; it is priced only through priceAs or pricing', {
        arn,
        reason: lookup.reason,
        error: lookup.message,
      });
    }
    return lookup;
  }
}
