/**
 * The publisher's first run at deploy time, as a CloudFormation custom resource (its service token is the publisher
 * function itself). The pipeline alarm treats a missing `PublisherLagMinutes` report as breaching, so a stack whose
 * publisher has not run yet would page "savings pipeline down" at creation; CloudFormation creates the alarms after
 * this resource, once the first report is in CloudWatch.
 *
 * It never fails the deploy: every outcome (a failed run, no visible report in time, an approaching timeout) is answered
 * SUCCESS, with what happened in the response data and the log. The custom-resource protocol (the response to a
 * pre-signed S3 URL, an HTTP PUT with an empty content type) is AWS's documented one.
 */
import * as http from 'node:http';
import * as https from 'node:https';

export interface CustomResourceEvent {
  readonly RequestType: 'Create' | 'Update' | 'Delete';
  readonly ResponseURL: string;
  readonly StackId: string;
  readonly RequestId: string;
  readonly LogicalResourceId: string;
  readonly PhysicalResourceId?: string;
  readonly ResourceProperties?: Record<string, unknown>;
}

export function isCustomResourceEvent(event: unknown): event is CustomResourceEvent {
  const e = event as Partial<CustomResourceEvent> | null;
  return typeof e?.RequestType === 'string' && typeof e.ResponseURL === 'string' && typeof e.RequestId === 'string';
}

export interface DeployRunOutcome {
  /** `published`, `failed: <message>`, `timed out`, `skipped (Delete)`. */
  readonly outcome: string;
  /** Whether the run's PublisherLagMinutes report was seen in CloudWatch before answering. */
  readonly lagVisible: boolean;
}

export interface DeployRunDeps {
  /** One publisher run followed by a wait for its report; resolves with what happened. */
  readonly run: () => Promise<DeployRunOutcome>;
  /** Milliseconds the invocation has left (Lambda's context.getRemainingTimeInMillis). */
  readonly remainingMs: () => number;
  readonly log: (message: string, data: Record<string, unknown>) => void;
  /** Sends the response document; the default PUTs it to the ResponseURL. */
  readonly respond?: (url: string, body: string) => Promise<void>;
}

/** Answer this long before the invocation's own timeout, so CloudFormation is never left waiting an hour. */
export const ANSWER_MARGIN_MS = 20_000;

export async function answerDeployRun(event: CustomResourceEvent, deps: DeployRunDeps): Promise<DeployRunOutcome> {
  let outcome: DeployRunOutcome;
  if (event.RequestType === 'Delete') {
    outcome = { outcome: 'skipped (Delete)', lagVisible: false };
  } else {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<DeployRunOutcome>((resolve) => {
      timer = setTimeout(() => resolve({ outcome: 'timed out', lagVisible: false }), Math.max(0, deps.remainingMs() - ANSWER_MARGIN_MS));
    });
    try {
      outcome = await Promise.race([
        deps.run().catch((err: unknown) => ({ outcome: `failed: ${(err as Error).message}`, lagVisible: false })),
        deadline,
      ]);
    } finally {
      clearTimeout(timer);
    }
  }
  const body = JSON.stringify({
    Status: 'SUCCESS',
    Reason: `first publisher run: ${outcome.outcome}`.slice(0, 1000),
    PhysicalResourceId: event.PhysicalResourceId ?? `prompt-cache-first-run-${event.LogicalResourceId}`,
    StackId: event.StackId,
    RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId,
    Data: { Outcome: outcome.outcome, LagVisible: String(outcome.lagVisible) },
  });
  deps.log('answering CloudFormation for the deploy-time run', { requestType: event.RequestType, ...outcome });
  await (deps.respond ?? putResponse)(event.ResponseURL, body);
  return outcome;
}

/** PUT to the pre-signed URL: an empty Content-Type, as the S3 signature of a custom-resource response expects. */
export function putResponse(url: string, body: string): Promise<void> {
  const target = new URL(url);
  const send = target.protocol === 'http:' ? http.request : https.request;
  return new Promise((resolve, reject) => {
    const req = send(target, { method: 'PUT', headers: { 'content-type': '', 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.resume();
      res.on('end', () => ((res.statusCode ?? 500) < 300 ? resolve() : reject(new Error(`response URL answered HTTP ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end(body);
  });
}
