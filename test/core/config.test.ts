import {
  ALARM_DEFAULTS,
  ConfigError,
  configProblems,
  lowHitThresholdPercent,
  modelAlarmSettings,
  parseConfig,
} from '../../lambda/core/config';

const sonnet = 'us.anthropic.claude-3-7-sonnet-20250219-v1:0';
const price = { inputPerMTok: 3, outputPerMTok: 15, cacheWritePerMTok: 3.75, cacheReadPerMTok: 0.3 };

function problems(raw: unknown): readonly string[] {
  try {
    parseConfig(raw, 'cfg.json');
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error('expected the config to be rejected');
}

describe('config: defaults', () => {
  test('an empty config gets every default', () => {
    expect(parseConfig({}, 'x')).toEqual({
      namespace: 'BedrockPromptCache',
      models: [],
      pricing: {},
      // Nothing pinned: every documented spelling is read (contract.ts bedrockMetricCandidates).
      bedrockMetricNames: {},
      publisher: { periodMinutes: 60, settleDelayMinutes: 10, initialLookbackHours: 24, leaseMinutes: 15, oldDatapointVisibilityHours: 48 },
      dashboards: { topModels: 10 },
      monitoringPrices: {},
      digest: { enabled: true, weekDay: 'MON', hourUtc: 8, days: 7, emails: [] },
      report: { minHitRatioPercent: 50, hitRatioDropPoints: 10, moneyLeftOnTableMinUSD: 1 },
      reconcile: {
        services: ['Amazon Bedrock'],
        tokensPerUsageUnit: 'auto',
        usageTypes: {},
        daily: { enabled: true, hourUtc: 6, billDelayDays: 2 },
      },
      alarms: {
        enabled: true,
        pageAboveUsdPerHour: 1,
        tickets: {},
        emails: [],
        lowHitRatio: {
          enabled: true,
          thresholdPercent: 50,
          breakEvenMarginPoints: 10,
          anomalyBandStdDevs: 0,
          periodMinutes: 15,
          evaluationPeriods: 4,
          datapointsToAlarm: 3,
          minCacheTokens: 50000,
        },
        writesWithoutReads: { enabled: true, periodMinutes: 15, evaluationPeriods: 3, minWriteTokens: 20000 },
        cachingCostsMoney: { enabled: true, windowMinutes: 60, evaluationPeriods: 3, minCacheTokens: 50000 },
        pipeline: { enabled: true, missingPeriods: 2 },
        costDrift: { enabled: true, thresholdPercent: 5, days: 3, minBilledUsdPerDay: 1 },
      },
    });
    expect(parseConfig(undefined, 'x').namespace).toBe('BedrockPromptCache');
  });

  test('the fixed config keys are accepted as the README writes them', () => {
    const cfg = parseConfig(
      {
        namespace: 'BedrockPromptCache',
        models: [
          { modelId: sonnet, cacheWriteTtl: '5m', displayName: 'support-bot', priceAs: 'anthropic.claude-3-7-sonnet-20250219-v1:0' },
        ],
        pricing: { [sonnet]: price },
      },
      'x',
    );
    expect(cfg.models).toEqual([
      { modelId: sonnet, cacheWriteTtl: '5m', displayName: 'support-bot', priceAs: 'anthropic.claude-3-7-sonnet-20250219-v1:0' },
    ]);
    expect(cfg.pricing).toEqual({ [sonnet]: price });
  });

  test('cacheWriteTtl defaults to 5m', () => {
    expect(parseConfig({ models: [{ modelId: sonnet }] }, 'x').models[0].cacheWriteTtl).toBe('5m');
  });
});

describe('config: every bad input names its path, the value and what is allowed', () => {
  test.each<[string, unknown, string[]]>([
    ['unknown top-level key', { modles: [] }, ['modles: unknown key; remove it or fix its spelling']],
    ['unknown model key', { models: [{ modelId: sonnet, ttl: '5m' }] }, ['models[0].ttl: unknown key; remove it or fix its spelling']],
    [
      'negative price',
      { pricing: { [sonnet]: { ...price, cacheReadPerMTok: -0.3 } } },
      [`pricing["${sonnet}"].cacheReadPerMTok: must be a price in USD per million tokens, 0 or more (got -0.3)`],
    ],
    ['price as a string', { pricing: { x: { ...price, inputPerMTok: '3' } } }, ['pricing.x.inputPerMTok: must be a number (got "3")']],
    [
      'price with too many decimals',
      { pricing: { x: { ...price, outputPerMTok: 15.0000001 } } },
      ['pricing.x.outputPerMTok: must have at most 6 decimals (USD per million tokens) (got 15.0000001)'],
    ],
    [
      'missing price field',
      { pricing: { x: { inputPerMTok: 1, outputPerMTok: 1, cacheWritePerMTok: 1 } } },
      ['pricing.x.cacheReadPerMTok: is required (a number)'],
    ],
    [
      'ratio above 100',
      { report: { minHitRatioPercent: 120 } },
      ['report.minHitRatioPercent: must be a percentage from 0 to 100 (got 120)'],
    ],
    [
      'negative per-model ratio',
      { models: [{ modelId: sonnet, minHitRatioPercent: -5 }] },
      ['models[0].minHitRatioPercent: must be a percentage from 0 to 100 (got -5)'],
    ],
    [
      'bad TTL',
      { models: [{ modelId: sonnet }, { modelId: 'b', cacheWriteTtl: '10m' }] },
      ['models[1].cacheWriteTtl: must be one of "5m", "1h" (got "10m")'],
    ],
    [
      'duplicate model ids',
      { models: [{ modelId: sonnet }, { modelId: 'b' }, { modelId: sonnet }] },
      [`models[2].modelId: duplicates models[0].modelId; list each model once (got "${sonnet}")`],
    ],
    ['empty model id', { models: [{ modelId: '' }] }, ['models[0].modelId: must be a non-empty model id (got "")']],
    ['model id with spaces', { models: [{ modelId: ' us.x ' }] }, ['models[0].modelId: must be a model id without spaces (got " us.x ")']],
    ['missing model id', { models: [{ displayName: 'bot' }] }, ['models[0].modelId: is required (a string)']],
    [
      'models not an array',
      { models: { modelId: sonnet } },
      ['models: must be an array (got {"modelId":"us.anthropic.claude-3-7-sonnet-20250219-v1:0"})'],
    ],
    ['config not an object', [1, 2], ['(top level): must be an object (got [1,2])']],
    [
      'namespace reserved for AWS',
      { namespace: 'AWS/Bedrock' },
      ['namespace: must not start with "AWS/" (reserved for AWS services) (got "AWS/Bedrock")'],
    ],
    [
      'display name too long',
      { models: [{ modelId: sonnet, displayName: 'x'.repeat(65) }] },
      [`models[0].displayName: must be at most 64 characters (got "${'x'.repeat(56)}...)`],
    ],
    [
      'priceAs naming nothing known',
      { models: [{ modelId: 'arn:aws:bedrock:us-east-1:1:application-inference-profile/a', priceAs: 'anthropic.claude-9' }] },
      [
        'models[0].priceAs: no price known for "anthropic.claude-9"; name a catalog model id or add it to pricing (got "anthropic.claude-9")',
      ],
    ],
    [
      '1h TTL where the catalog has none',
      { models: [{ modelId: 'us.amazon.nova-lite-v1:0', cacheWriteTtl: '1h' }] },
      [
        'models[0].cacheWriteTtl: the catalog has no 1-hour cache write price for "us.amazon.nova-lite-v1:0"; use "5m" or add pricing["us.amazon.nova-lite-v1:0"] (got "1h")',
      ],
    ],
    ['empty pricing key', { pricing: { '': price } }, ['pricing[""]: must be a non-empty model id (got "")']],
    [
      'period not in the schedule list',
      { publisher: { periodMinutes: 7 } },
      ['publisher.periodMinutes: must be one of 5, 10, 15, 30, 60 (got 7)'],
    ],
    [
      'fractional settle delay',
      { publisher: { settleDelayMinutes: 1.5 } },
      ['publisher.settleDelayMinutes: must be a whole number (got 1.5)'],
    ],
    [
      'lookback beyond 14 days',
      { publisher: { initialLookbackHours: 400 } },
      ['publisher.initialLookbackHours: must be 1 to 335 hours (under 14 days) (got 400)'],
    ],
    [
      'digest e-mail not an address',
      { digest: { emails: ['ops@example.com', 'finance'] } },
      ['digest.emails[1]: must be an e-mail address (got "finance")'],
    ],
    ['digest hour past 23', { digest: { hourUtc: 24 } }, ['digest.hourUtc: must be an hour from 0 to 23 (UTC) (got 24)']],
    [
      'a monitoring price below zero and a misspelt one',
      { monitoringPrices: { alarmMetricMonth: -1, dashboard: 3 } },
      [
        'monitoringPrices.alarmMetricMonth: must be a price in US dollars, 0 or more (got -1)',
        'monitoringPrices.dashboard: unknown key; remove it or fix its spelling',
      ],
    ],
    [
      'metric name with a colon',
      { bedrockMetricNames: { cacheReadInputTokens: 'Cache:Read' } },
      ['bedrockMetricNames.cacheReadInputTokens: must be a CloudWatch metric name (got "Cache:Read")'],
    ],
  ])('%s', (_name, raw, want) => {
    expect(problems(raw)).toEqual(want);
  });

  // CloudWatch's rule (API reference: 1-255 characters, pattern [^:].*, ASCII without control characters, AWS/ reserved;
  // PutMetricData refuses spaces only), plus no quote or backslash, which SEARCH expressions cannot hold.
  const PRINTABLE =
    'must be 1 to 255 printable ASCII characters (letters, digits, punctuation, spaces; no control or non-ASCII characters)';
  test.each<[string, unknown, string[]]>([
    ['empty', '', [`namespace: ${PRINTABLE} (got "")`]],
    ['256 characters', 'x'.repeat(256), [`namespace: ${PRINTABLE} (got "${'x'.repeat(56)}...)`]],
    ['a control character', 'Bedrock\tCache', [`namespace: ${PRINTABLE} (got "Bedrock\\tCache")`]],
    ['non-ASCII', 'Bédrock', [`namespace: ${PRINTABLE} (got "Bédrock")`]],
    [
      'a leading colon',
      ':Bedrock',
      ['namespace: must not start with ":" (CloudWatch refuses it); remove the leading colon (got ":Bedrock")'],
    ],
    ['a colon alone', ':', ['namespace: must not start with ":" (CloudWatch refuses it); remove the leading colon (got ":")']],
    ['one space', ' ', ['namespace: must not be only spaces; name it, e.g. "BedrockPromptCache" (got " ")']],
    ['only spaces', '   ', ['namespace: must not be only spaces; name it, e.g. "BedrockPromptCache" (got "   ")']],
    ['reserved for AWS', 'AWS/Bedrock', ['namespace: must not start with "AWS/" (reserved for AWS services) (got "AWS/Bedrock")']],
    [
      'a double quote',
      'Bedrock"Cache',
      ['namespace: must not contain quotes or backslashes (it is embedded in a CloudWatch SEARCH expression) (got "Bedrock\\"Cache")'],
    ],
    [
      'a backslash',
      'Bedrock\\Cache',
      ['namespace: must not contain quotes or backslashes (it is embedded in a CloudWatch SEARCH expression) (got "Bedrock\\\\Cache")'],
    ],
    ['not a string', 42, ['namespace: must be a string (got 42)']],
  ])('namespace: %s is refused', (_name, namespace, want) => {
    expect(problems({ namespace })).toEqual(want);
  });

  test.each<[string]>([
    ['BedrockPromptCache'],
    ['Team/Prompt Cache'],
    ['a:b'],
    ['Bedrock*Cache'],
    [' leading space'],
    ['aws/lowercase'],
    ['x'],
    ['y'.repeat(255)],
    ['~!@#$%^&*()_+-={}[]|;<>?,./`'],
  ])('namespace %j is accepted as CloudWatch accepts it', (namespace) => {
    expect(parseConfig({ namespace }, 'x').namespace).toBe(namespace);
  });

  test('all problems are reported at once, in one error naming the source', () => {
    const raw = {
      namespace: 'AWS/x',
      extra: true,
      models: [{ modelId: sonnet, cacheWriteTtl: '2h' }, { modelId: sonnet }],
      pricing: { [sonnet]: { ...price, inputPerMTok: -1 } },
      report: { minHitRatioPercent: 101 },
    };
    expect(() => parseConfig(raw, 'cfg.json')).toThrow(
      [
        'invalid config in cfg.json:',
        '  - namespace: must not start with "AWS/" (reserved for AWS services) (got "AWS/x")',
        '  - models[0].cacheWriteTtl: must be one of "5m", "1h" (got "2h")',
        `  - pricing["${sonnet}"].inputPerMTok: must be a price in USD per million tokens, 0 or more (got -1)`,
        '  - report.minHitRatioPercent: must be a percentage from 0 to 100 (got 101)',
        '  - extra: unknown key; remove it or fix its spelling',
        `  - models[1].modelId: duplicates models[0].modelId; list each model once (got "${sonnet}")`,
      ].join('\n'),
    );
  });
});

describe('config: alarms', () => {
  test.each<[string, unknown, string[]]>([
    [
      'threshold above 100',
      { alarms: { lowHitRatio: { thresholdPercent: 120 } } },
      ['alarms.lowHitRatio.thresholdPercent: must be a percentage from 0 to 100 (got 120)'],
    ],
    [
      'fractional period',
      { alarms: { lowHitRatio: { periodMinutes: 7.5 } } },
      ['alarms.lowHitRatio.periodMinutes: must be a whole number (got 7.5)'],
    ],
    [
      'period over a day',
      { alarms: { writesWithoutReads: { periodMinutes: 1441 } } },
      ['alarms.writesWithoutReads.periodMinutes: must be 1 to 1440 minutes (one day) (got 1441)'],
    ],
    [
      'zero minimum volume',
      { alarms: { cachingCostsMoney: { minCacheTokens: 0 } } },
      ['alarms.cachingCostsMoney.minCacheTokens: must be 1 or more tokens (got 0)'],
    ],
    [
      'more datapoints than periods',
      { alarms: { lowHitRatio: { datapointsToAlarm: 5 } } },
      [
        'alarms.lowHitRatio.datapointsToAlarm: datapointsToAlarm must be at most evaluationPeriods; lower datapointsToAlarm or raise evaluationPeriods (got 5 of 4)',
      ],
    ],
    [
      'evaluation over a day',
      { alarms: { cachingCostsMoney: { windowMinutes: 720 } } },
      [
        "alarms.cachingCostsMoney.evaluationPeriods: windowMinutes × evaluationPeriods must be at most 1440 minutes (one day, CloudWatch's limit); shorten the period or evaluate fewer periods (got 720 × 3)",
      ],
    ],
    [
      'a model override breaking a section rule',
      { models: [{ modelId: sonnet, alarms: { lowHitRatio: { evaluationPeriods: 2 } } }] },
      [
        'models[0].alarms.lowHitRatio.evaluationPeriods: datapointsToAlarm must be at most evaluationPeriods; lower datapointsToAlarm or raise evaluationPeriods (got 3 of 2)',
      ],
    ],
    [
      'unknown family in a model override',
      { models: [{ modelId: sonnet, alarms: { lowHitRate: {} } }] },
      ['models[0].alarms.lowHitRate: unknown key; remove it or fix its spelling'],
    ],
    [
      'a FIFO or malformed topic ARN',
      { alarms: { topicArn: 'arn:aws:sns:us-east-1:111122223333:pager.fifo' } },
      [
        'alarms.topicArn: must be the ARN of a standard SNS topic, arn:<partition>:sns:<region>:<12-digit account>:<name> (FIFO topics cannot take alarm actions) (got "arn:aws:sns:us-east-1:111122223333:pager.fifo")',
      ],
    ],
    ['not an e-mail', { alarms: { emails: ['oncall'] } }, ['alarms.emails[0]: must be an e-mail address (got "oncall")']],
    [
      'the same e-mail twice',
      { alarms: { emails: ['a@example.com', 'A@example.com'] } },
      ['alarms.emails[1]: duplicates alarms.emails[0]; list each address once (got "A@example.com")'],
    ],
    [
      'runbook link not https',
      { alarms: { runbookUrl: 'http://wiki/runbook' } },
      ['alarms.runbookUrl: must be an https:// URL (got "http://wiki/runbook")'],
    ],
    [
      'heartbeat periods out of range',
      { alarms: { pipeline: { missingPeriods: 0 } } },
      ['alarms.pipeline.missingPeriods: must be 1 to 24 periods (got 0)'],
    ],
  ])('%s', (_name, raw, want) => {
    expect(problems(raw)).toEqual(want);
  });

  test('each family is declared once: the section defaults, the per-model overrides and the merge agree', () => {
    expect(ALARM_DEFAULTS).toEqual({
      lowHitRatio: {
        enabled: true,
        thresholdPercent: 50,
        breakEvenMarginPoints: 10,
        anomalyBandStdDevs: 0,
        periodMinutes: 15,
        evaluationPeriods: 4,
        datapointsToAlarm: 3,
        minCacheTokens: 50000,
      },
      writesWithoutReads: { enabled: true, periodMinutes: 15, evaluationPeriods: 3, minWriteTokens: 20000 },
      cachingCostsMoney: { enabled: true, windowMinutes: 60, evaluationPeriods: 3, minCacheTokens: 50000 },
      pipeline: { enabled: true, missingPeriods: 2 },
      costDrift: { enabled: true, thresholdPercent: 5, days: 3, minBilledUsdPerDay: 1 },
    });
    const { alarms } = parseConfig({}, 'x');
    expect({
      lowHitRatio: alarms.lowHitRatio,
      writesWithoutReads: alarms.writesWithoutReads,
      cachingCostsMoney: alarms.cachingCostsMoney,
      pipeline: alarms.pipeline,
      costDrift: alarms.costDrift,
    }).toEqual(ALARM_DEFAULTS);
    // Every field of every family but pipeline and costDrift can be overridden per model, and the override wins.
    const overrides = {
      lowHitRatio: {
        enabled: false,
        thresholdPercent: 60,
        breakEvenMarginPoints: 0,
        anomalyBandStdDevs: 2,
        periodMinutes: 5,
        evaluationPeriods: 6,
        datapointsToAlarm: 5,
        minCacheTokens: 1,
      },
      writesWithoutReads: { enabled: false, periodMinutes: 30, evaluationPeriods: 2, minWriteTokens: 7 },
      cachingCostsMoney: { enabled: false, windowMinutes: 120, evaluationPeriods: 4, minCacheTokens: 9 },
    };
    const cfg = parseConfig({ models: [{ modelId: sonnet, alarms: overrides }] }, 'x');
    expect(modelAlarmSettings(cfg.alarms, cfg.models[0])).toEqual({ enabled: true, mode: 'fleet', ...overrides });
    const precise = parseConfig({ models: [{ modelId: sonnet, alarms: { mode: 'precise' } }] }, 'x');
    expect(modelAlarmSettings(precise.alarms, precise.models[0]).mode).toBe('precise');
    expect(problems({ models: [{ modelId: sonnet, alarms: { mode: 'exact' } }] })).toEqual([
      'models[0].alarms.mode: must be one of "fleet", "precise" (got "exact")',
    ]);
    expect(problems({ models: [{ modelId: sonnet, alarms: { pipeline: {} } }] })).toEqual([
      'models[0].alarms.pipeline: unknown key; remove it or fix its spelling',
    ]);
    // An override is held to the section's rule, in the section's words.
    expect(
      problems({
        models: [{ modelId: sonnet, alarms: { cachingCostsMoney: { minCacheTokens: 0 }, writesWithoutReads: { periodMinutes: 1441 } } }],
      }),
    ).toEqual([
      'models[0].alarms.writesWithoutReads.periodMinutes: must be 1 to 1440 minutes (one day) (got 1441)',
      'models[0].alarms.cachingCostsMoney.minCacheTokens: must be 1 or more tokens (got 0)',
    ]);
  });

  test('a model inherits the section and overrides only what it sets', () => {
    const cfg = parseConfig(
      {
        alarms: { lowHitRatio: { thresholdPercent: 40 } },
        models: [
          { modelId: sonnet, alarms: { lowHitRatio: { periodMinutes: 5 }, cachingCostsMoney: { enabled: false } } },
          { modelId: 'b' },
        ],
      },
      'x',
    );
    expect(modelAlarmSettings(cfg.alarms, cfg.models[0])).toEqual({
      enabled: true,
      mode: 'fleet',
      lowHitRatio: {
        enabled: true,
        thresholdPercent: 40,
        breakEvenMarginPoints: 10,
        anomalyBandStdDevs: 0,
        periodMinutes: 5,
        evaluationPeriods: 4,
        datapointsToAlarm: 3,
        minCacheTokens: 50000,
      },
      writesWithoutReads: { enabled: true, periodMinutes: 15, evaluationPeriods: 3, minWriteTokens: 20000 },
      cachingCostsMoney: { enabled: false, windowMinutes: 60, evaluationPeriods: 3, minCacheTokens: 50000 },
    });
    expect(modelAlarmSettings(cfg.alarms, cfg.models[1]).lowHitRatio.thresholdPercent).toBe(40);
    expect(modelAlarmSettings({ ...cfg.alarms, enabled: false }, cfg.models[0]).enabled).toBe(false);
  });

  test.each([
    ['5-minute Claude (break-even 21.7%): the 50% floor', 50, 10, 21.7391304347826, 50],
    ['1-hour Claude (break-even 52.6%): break-even + 10 points', 50, 10, 52.63157894736842, 62.63157894736842],
    ['unpriced: the threshold alone', 50, 10, undefined, 50],
    ['margin 0 and a low floor: the break-even itself', 30, 0, 52.63157894736842, 52.63157894736842],
    ['capped at 100', 50, 60, 52.63157894736842, 100],
  ])('the low-hit threshold: %s', (_what, thresholdPercent, breakEvenMarginPoints, breakEven, want) => {
    expect(lowHitThresholdPercent({ thresholdPercent, breakEvenMarginPoints }, breakEven)).toBeCloseTo(want, 9);
  });
});

describe('config: configProblems, the same lines without throwing', () => {
  const raw = { namespace: 'AWS/x', extra: true, models: [{ modelId: sonnet, cacheWriteTtl: '2h' }, { modelId: sonnet }] };
  const lines = [
    'namespace: must not start with "AWS/" (reserved for AWS services) (got "AWS/x")',
    'models[0].cacheWriteTtl: must be one of "5m", "1h" (got "2h")',
    'extra: unknown key; remove it or fix its spelling',
    `models[1].modelId: duplicates models[0].modelId; list each model once (got "${sonnet}")`,
  ];

  test('a bad config gives the lines ConfigError carries', () => {
    expect(configProblems(raw)).toEqual(lines);
    expect(problems(raw)).toEqual(lines);
  });

  test('a valid config gives none, rules across fields included', () => {
    expect(configProblems({ models: [{ modelId: sonnet }] })).toEqual([]);
    expect(configProblems(undefined)).toEqual([]);
    expect(configProblems({ alarms: { lowHitRatio: { datapointsToAlarm: 5 } } })).toEqual([
      'alarms.lowHitRatio.datapointsToAlarm: datapointsToAlarm must be at most evaluationPeriods; lower datapointsToAlarm or raise evaluationPeriods (got 5 of 4)',
    ]);
  });

  test('a root prefixes every path, and stands for the top level', () => {
    expect(configProblems(raw, 'config')).toEqual([
      'config.namespace: must not start with "AWS/" (reserved for AWS services) (got "AWS/x")',
      'config.models[0].cacheWriteTtl: must be one of "5m", "1h" (got "2h")',
      'config.extra: unknown key; remove it or fix its spelling',
      `config.models[1].modelId: duplicates models[0].modelId; list each model once (got "${sonnet}")`,
    ]);
    expect(configProblems([1, 2], 'config')).toEqual(['config: must be an object (got [1,2])']);
    expect(configProblems({ 'a b': 1 }, 'config')).toEqual(['config["a b"]: unknown key; remove it or fix its spelling']);
    expect(configProblems({ 'a b': 1 })).toEqual(['["a b"]: unknown key; remove it or fix its spelling']);
  });
});
