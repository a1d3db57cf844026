/** The publisher handler's environment (lambda/handlers/publisher.ts); its runs against moto are test/integration. */
import { readEnv } from '../../lambda/handlers/publisher';

describe('the Lambda handler reads its environment once, with a clear error', () => {
  test.each<[string, NodeJS.ProcessEnv, string]>([
    [
      'nothing set',
      {},
      'publisher environment is invalid: LEDGER_TABLE_NAME is not set; PROMPT_CACHE_CONFIG is not set (the CDK construct inlines it into the bundle)',
    ],
    // The parser's own words differ between Node versions after this point.
    [
      'config not JSON',
      { LEDGER_TABLE_NAME: 't', PROMPT_CACHE_CONFIG: '{models' },
      "publisher environment is invalid: PROMPT_CACHE_CONFIG is not valid JSON (Expected property name or '}' in JSON at position 1",
    ],
    [
      'config invalid',
      { LEDGER_TABLE_NAME: 't', PROMPT_CACHE_CONFIG: '{"namespace":"AWS/x"}' },
      'publisher environment is invalid: invalid config in PROMPT_CACHE_CONFIG:\n  - namespace: must not start with "AWS/" (reserved for AWS services) (got "AWS/x")',
    ],
  ])('%s', (_name, env, message) => {
    expect(() => readEnv(env)).toThrow(message);
  });

  test('a good environment gives the validated config with its defaults', () => {
    const env = readEnv({ LEDGER_TABLE_NAME: 'ledger', PROMPT_CACHE_CONFIG: '{"namespace":"Team/Cache"}' });
    expect([env.tableName, env.config.namespace, env.config.publisher.periodMinutes]).toEqual(['ledger', 'Team/Cache', 60]);
  });
});
