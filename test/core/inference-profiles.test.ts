/** Application inference profile ARNs and the route GetInferenceProfile's `models[]` describes: table-driven, no mocks. */
import { isApplicationInferenceProfileArn, modelIdFromModelArn, routeOf } from '../../lambda/core/inference-profiles';

const HAIKU = 'anthropic.claude-haiku-4-5-20251001-v1:0';
const fm = (region: string, id = HAIKU) => `arn:aws:bedrock:${region}::foundation-model/${id}`;

test.each<[string, boolean]>([
  ['arn:aws:bedrock:us-east-1:111122223333:application-inference-profile/a1b2c3d4e5f6', true],
  ['arn:aws-us-gov:bedrock:us-gov-west-1:111122223333:application-inference-profile/abc123', true],
  ['arn:aws:bedrock:us-east-1:111122223333:inference-profile/us.anthropic.claude-3-7-sonnet-20250219-v1:0', false],
  [fm('us-east-1'), false],
  ['us.anthropic.claude-3-7-sonnet-20250219-v1:0', false],
  ['arn:aws:bedrock:us-east-1:1111:application-inference-profile/a1b2', false],
])('isApplicationInferenceProfileArn(%s) = %s', (id, expected) => {
  expect(isApplicationInferenceProfileArn(id)).toBe(expected);
});

test.each<[string, string | undefined]>([
  [fm('us-east-1'), HAIKU],
  [fm('eu-west-3', 'amazon.nova-pro-v1:0'), 'amazon.nova-pro-v1:0'],
  ['arn:aws:bedrock:us-east-1:111122223333:inference-profile/us.anthropic.claude-3-7-sonnet-20250219-v1:0', 'us.anthropic.claude-3-7-sonnet-20250219-v1:0'],
  ['arn:aws:bedrock:us-east-1:111122223333:application-inference-profile/a1b2c3d4e5f6', undefined],
  ['arn:aws:bedrock:us-east-1:111122223333:foundation-model/anthropic.x', undefined],
  ['anthropic.claude-haiku-4-5-20251001-v1:0', undefined],
  ['', undefined],
])('modelIdFromModelArn(%s) = %s', (arn, expected) => {
  expect(modelIdFromModelArn(arn)).toBe(expected);
});

test.each<[string, { modelArn?: string }[], object]>([
  ['one region', [{ modelArn: fm('us-east-1') }], { modelId: HAIKU, regions: ['us-east-1'] }],
  ['three regions, sorted, each once', [{ modelArn: fm('us-west-2') }, { modelArn: fm('us-east-1') }, { modelArn: fm('us-east-2') }, { modelArn: fm('us-east-1') }], { modelId: HAIKU, regions: ['us-east-1', 'us-east-2', 'us-west-2'] }],
  [
    'two models',
    [{ modelArn: fm('us-east-1') }, { modelArn: fm('us-west-2', 'amazon.nova-pro-v1:0') }],
    { problem: `the profile routes to different models (amazon.nova-pro-v1:0, ${HAIKU}): it cannot be priced automatically; set priceAs by hand`, modelIds: ['amazon.nova-pro-v1:0', HAIKU], regions: ['us-east-1', 'us-west-2'] },
  ],
  ['no model', [], { problem: 'the profile lists no model; set priceAs by hand', modelIds: [], regions: [] }],
  ['an ARN it cannot read', [{ modelArn: 'arn:aws:s3:::bucket' }, {}], { problem: 'not a foundation-model or inference-profile ARN: "arn:aws:s3:::bucket", ""; set priceAs by hand', modelIds: [], regions: [] }],
])('routeOf: %s', (_name, models, expected) => {
  expect(routeOf(models)).toEqual(expected);
});
