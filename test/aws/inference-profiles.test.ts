/**
 * The inference-profile resolver's request shape, caching and error handling, with a stub Bedrock client (a `send` that
 * records commands): moto 5.2.5's bedrock backend has no GetInferenceProfile, so there is nothing to run it against.
 */
import {
  AccessDeniedException,
  ResourceNotFoundException,
  ThrottlingException,
  type GetInferenceProfileCommand,
} from '@aws-sdk/client-bedrock';
import { InferenceProfileResolver, type BedrockSender } from '../../lambda/aws/inference-profiles';

const HAIKU = 'anthropic.claude-haiku-4-5-20251001-v1:0';
const arn = (id: string) => `arn:aws:bedrock:us-east-1:111122223333:application-inference-profile/${id}`;
const fm = (region: string) => `arn:aws:bedrock:${region}::foundation-model/${HAIKU}`;
const meta = { $metadata: {} };

function stub(answers: Record<string, () => object>) {
  const sent: { command: string; input: object }[] = [];
  const client = {
    send: async (cmd: GetInferenceProfileCommand) => {
      sent.push({ command: cmd.constructor.name, input: cmd.input });
      return answers[cmd.input.inferenceProfileIdentifier as string]();
    },
  };
  return { client: client as unknown as BedrockSender, sent };
}

function recordingLog() {
  const warnings: [string, Record<string, unknown> | undefined][] = [];
  return { log: { info: () => undefined, warn: (m: string, d?: Record<string, unknown>) => warnings.push([m, d]) }, warnings };
}

const routed = () => ({
  inferenceProfileName: 'claims',
  type: 'APPLICATION',
  status: 'ACTIVE',
  models: [{ modelArn: fm('us-east-2') }, { modelArn: fm('us-east-1') }],
});

test('one GetInferenceProfile per application-profile ARN, none for other ids, cached across calls', async () => {
  const { client, sent } = stub({ [arn('a1')]: routed, [arn('b2')]: routed });
  const { log, warnings } = recordingLog();
  const resolver = new InferenceProfileResolver(client, log);
  const ids = [arn('a1'), 'us.anthropic.claude-3-7-sonnet-20250219-v1:0', arn('b2'), arn('a1'), HAIKU];
  const first = await resolver.resolve(ids);
  const second = await resolver.resolve([arn('b2'), arn('a1')]);
  expect(sent).toEqual([
    { command: 'GetInferenceProfileCommand', input: { inferenceProfileIdentifier: arn('a1') } },
    { command: 'GetInferenceProfileCommand', input: { inferenceProfileIdentifier: arn('b2') } },
  ]);
  const route = { modelId: HAIKU, regions: ['us-east-1', 'us-east-2'] };
  expect([...first]).toEqual([
    [arn('a1'), route],
    [arn('b2'), route],
  ]);
  expect([...second]).toEqual([
    [arn('b2'), route],
    [arn('a1'), route],
  ]);
  expect(warnings).toEqual([]);
});

test('concurrent callers share one call per ARN', async () => {
  const { client, sent } = stub({ [arn('a1')]: routed });
  const resolver = new InferenceProfileResolver(client, recordingLog().log);
  const [a, b] = await Promise.all([resolver.resolve([arn('a1')]), resolver.resolve([arn('a1')])]);
  expect([sent.length, a.get(arn('a1'))?.modelId, b.get(arn('a1'))?.modelId]).toEqual([1, HAIKU, HAIKU]);
});

test('AccessDenied, ResourceNotFound, any other error and a mixed route leave the ARN unresolved, logged, never thrown', async () => {
  const fail = (e: Error) => () => {
    throw e;
  };
  const { client, sent } = stub({
    [arn('denied')]: fail(new AccessDeniedException({ message: 'not authorized to perform: bedrock:GetInferenceProfile', ...meta })),
    [arn('gone')]: fail(new ResourceNotFoundException({ message: 'profile not found', ...meta })),
    [arn('slow')]: fail(new ThrottlingException({ message: 'rate exceeded', ...meta })),
    [arn('mixed')]: () => ({
      models: [{ modelArn: fm('us-east-1') }, { modelArn: 'arn:aws:bedrock:us-west-2::foundation-model/amazon.nova-pro-v1:0' }],
    }),
    [arn('ok')]: routed,
  });
  const { log, warnings } = recordingLog();
  const resolver = new InferenceProfileResolver(client, log);
  const ids = ['denied', 'gone', 'slow', 'mixed', 'ok'].map(arn);
  const routes = await resolver.resolve(ids);
  expect([...routes.keys()]).toEqual([arn('ok')]);
  expect(sent.length).toBe(5);
  const message = 'application inference profile not resolved; it is priced only through priceAs or pricing';
  expect(warnings).toEqual([
    [
      message,
      {
        arn: arn('denied'),
        reason: 'access-denied',
        error: 'AccessDeniedException: not authorized to perform: bedrock:GetInferenceProfile',
      },
    ],
    [message, { arn: arn('gone'), reason: 'not-found', error: 'ResourceNotFoundException: profile not found' }],
    [message, { arn: arn('slow'), reason: 'error', error: 'ThrottlingException: rate exceeded' }],
    [
      message,
      {
        arn: arn('mixed'),
        reason: 'no-single-model',
        error: `the profile routes to different models (amazon.nova-pro-v1:0, ${HAIKU}): it cannot be priced automatically; set priceAs by hand`,
      },
    ],
  ]);
  // A failure is cached too: asking again neither calls nor logs again.
  expect((await resolver.lookup([arn('denied')])).get(arn('denied'))).toEqual({
    status: 'unresolved',
    reason: 'access-denied',
    message: 'AccessDeniedException: not authorized to perform: bedrock:GetInferenceProfile',
  });
  expect([sent.length, warnings.length]).toEqual([5, 4]);
});
