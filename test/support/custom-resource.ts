/** The CloudFormation side of the deploy-time run's custom resource: its request, and a stand-in for the response URL. */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CustomResourceEvent } from '../../lambda/handlers/deploy-run';

/** A stand-in for the pre-signed S3 URL: records each PUT's headers and body. */
export async function responseServer(): Promise<{
  url: string;
  received: { method?: string; contentType?: string; body: unknown }[];
  close: () => Promise<void>;
}> {
  const received: { method?: string; contentType?: string; body: unknown }[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      received.push({ method: req.method, contentType: req.headers['content-type'], body: JSON.parse(body) });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/presigned?X-Amz-Signature=abc`,
    received,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** A custom-resource request of the deploy-time run, answered to `url`. */
export const deployEvent = (url: string, requestType: CustomResourceEvent['RequestType'] = 'Create'): CustomResourceEvent => ({
  RequestType: requestType,
  ResponseURL: url,
  StackId: 'arn:aws:cloudformation:me-south-1:111122223333:stack/BedrockPromptCacheMonitoring/1',
  RequestId: 'req-1',
  LogicalResourceId: 'FirstRun',
  ResourceProperties: { Namespace: 'BedrockPromptCache' },
});
