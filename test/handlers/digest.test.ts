/** The weekly digest handler's environment (lambda/handlers/digest.ts); its run against moto is test/integration/digest.test.ts. */
import { readDigestEnv } from '../../lambda/handlers/digest';

test('the digest environment is checked once, every problem named', () => {
  expect(() => readDigestEnv({ DIGEST_TOPIC_ARN: 'cost-review' })).toThrow(
    'digest environment is invalid: DIGEST_TOPIC_ARN must be an SNS topic ARN (got "cost-review"); PROMPT_CACHE_CONFIG is not set (the CDK construct inlines it into the bundle)',
  );
  expect(
    readDigestEnv({ DIGEST_TOPIC_ARN: 'arn:aws:sns:us-east-1:1:t', PROMPT_CACHE_CONFIG: '{"digest":{"days":14}}' }).config.digest.days,
  ).toBe(14);
});

test('the cost-review dashboard URL is optional, and an https:// link when given', () => {
  const base = { DIGEST_TOPIC_ARN: 'arn:aws:sns:us-east-1:1:t', PROMPT_CACHE_CONFIG: '{}' };
  expect([readDigestEnv(base).dashboardUrl, readDigestEnv({ ...base, COST_REVIEW_DASHBOARD_URL: '' }).dashboardUrl]).toEqual([
    undefined,
    undefined,
  ]);
  const url = 'https://console.aws.amazon.com/cloudwatch/home?region=us-east-1#dashboards/dashboard/PromptCache-CostReview';
  expect(readDigestEnv({ ...base, COST_REVIEW_DASHBOARD_URL: url }).dashboardUrl).toBe(url);
  expect(() => readDigestEnv({ ...base, COST_REVIEW_DASHBOARD_URL: 'http://example.com/x' })).toThrow(
    'digest environment is invalid: COST_REVIEW_DASHBOARD_URL must be an https:// URL (got "http://example.com/x")',
  );
});
