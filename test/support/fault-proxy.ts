/**
 * A loopback HTTP proxy in front of moto that injects faults, to prove retries, exactly-once and no loss:
 * - `throttle`: answers 400 Throttling (CloudWatch) / ThrottlingException (DynamoDB) without forwarding;
 * - `drop-before`: closes the connection without forwarding (nothing happened);
 * - `drop-after`: forwards, lets moto apply the call, then closes the connection without a reply (it happened, but
 *   the client cannot know).
 * A policy decides per request from its operation (`X-Amz-Target`, e.g. `PutMetricData`, `PutItem`) and a seeded
 * random number, so every run injects the same faults.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export type Fault = 'throttle' | 'drop-before' | 'drop-after' | undefined;
export type FaultPolicy = (operation: string, random: number, seen: number) => Fault;

export interface FaultProxy {
  readonly endpoint: string;
  /** Requests seen, by operation, and faults injected, by `<fault>:<operation>`. */
  readonly requests: Record<string, number>;
  readonly faults: Record<string, number>;
  setPolicy(policy: FaultPolicy): void;
  close(): Promise<void>;
}

/** mulberry32: a small seeded PRNG, enough for reproducible fault injection. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function throttleReply(res: http.ServerResponse, target: string): void {
  const dynamo = target.startsWith('DynamoDB');
  const body = dynamo
    ? { __type: 'com.amazonaws.dynamodb.v20120810#ThrottlingException', message: 'Rate of requests exceeds the allowed throughput.' }
    : { __type: 'Throttling', message: 'Rate exceeded' };
  res.writeHead(400, {
    'content-type': 'application/x-amz-json-1.0',
    'x-amzn-requestid': 'fault-proxy',
    ...(dynamo ? {} : { 'x-amzn-query-error': 'Throttling;Sender' }),
  });
  res.end(JSON.stringify(body));
}

export async function startFaultProxy(upstream: string, seed = 42, policy: FaultPolicy = () => undefined): Promise<FaultProxy> {
  const target = new URL(upstream);
  const random = seededRandom(seed);
  const requests: Record<string, number> = {};
  const faults: Record<string, number> = {};
  let current = policy;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const amzTarget = String(req.headers['x-amz-target'] ?? '');
      const operation = amzTarget.split('.').pop() || `${req.method} ${req.url}`;
      requests[operation] = (requests[operation] ?? 0) + 1;
      const fault = current(operation, random(), requests[operation]);
      if (fault) faults[`${fault}:${operation}`] = (faults[`${fault}:${operation}`] ?? 0) + 1;
      if (fault === 'throttle') {
        throttleReply(res, amzTarget);
        return;
      }
      if (fault === 'drop-before') {
        req.socket.destroy();
        return;
      }
      const upstreamReq = http.request(
        { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host } },
        (up) => {
          const body: Buffer[] = [];
          up.on('data', (c: Buffer) => body.push(c));
          up.on('end', () => {
            if (fault === 'drop-after') {
              req.socket.destroy();
              return;
            }
            res.writeHead(up.statusCode ?? 502, up.headers);
            res.end(Buffer.concat(body));
          });
        },
      );
      upstreamReq.on('error', () => req.socket.destroy());
      upstreamReq.end(Buffer.concat(chunks));
    });
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    faults,
    setPolicy: (p) => {
      current = p;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
