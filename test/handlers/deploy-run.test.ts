/** The deploy-time run's answer to CloudFormation (lambda/handlers/deploy-run.ts), with a stand-in run and response URL. */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { answerDeployRun, putResponse } from '../../lambda/handlers/deploy-run';
import { deployEvent as event, responseServer } from '../support/custom-resource';

describe('the deploy-time run', () => {
  test('a failed run, a Delete, and an approaching timeout are all answered SUCCESS (a deploy never fails or hangs on it)', async () => {
    const server = await responseServer();
    try {
      const failing = await answerDeployRun(event(server.url), {
        run: () => Promise.reject(new Error('AccessDenied')),
        remainingMs: () => 300_000,
        log: () => undefined,
      });
      const deleted = await answerDeployRun(event(server.url, 'Delete'), {
        run: () => Promise.reject(new Error('not called')),
        remainingMs: () => 300_000,
        log: () => undefined,
      });
      // 20 s before the timeout the answer goes out, whatever the run is doing.
      const slow = await answerDeployRun(event(server.url), {
        run: () => new Promise(() => undefined),
        remainingMs: () => 20_050,
        log: () => undefined,
      });
      expect([failing, deleted, slow]).toEqual([
        { outcome: 'failed: AccessDenied', lagVisible: false },
        { outcome: 'skipped (Delete)', lagVisible: false },
        { outcome: 'timed out', lagVisible: false },
      ]);
      expect(server.received.map((r) => [(r.body as { Status: string }).Status, (r.body as { Reason: string }).Reason])).toEqual([
        ['SUCCESS', 'first publisher run: failed: AccessDenied'],
        ['SUCCESS', 'first publisher run: skipped (Delete)'],
        ['SUCCESS', 'first publisher run: timed out'],
      ]);
    } finally {
      await server.close();
    }
  });

  test('a response URL that refuses the answer is an error the invocation reports', async () => {
    const server = http.createServer((_req, res) => res.writeHead(403).end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      await expect(putResponse(`http://127.0.0.1:${port}/x`, '{}')).rejects.toThrow('response URL answered HTTP 403');
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
