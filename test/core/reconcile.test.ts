import { parseConfig } from '../../lambda/core/config';
import { amountPico, compareWithBill, detectTokensPerUsageUnit, parseUsageType, reconcile, routingOf } from '../../lambda/core/reconcile';
import { billLine } from '../../lambda/core/weekly-format';
import {
  BILLED_LINES,
  billedLines,
  CLOUDWATCH_USAGE,
  CODE,
  ONE_HOUR_WRITES,
  RECONCILE_CONFIG,
  SUPPORT,
  TRIAGE,
  WINDOW,
} from '../support/reconcile-fixture';

const SONNET45 = 'anthropic.claude-sonnet-4-5-20250929-v1:0';
const config = parseConfig(RECONCILE_CONFIG, 'test');

describe('usage types', () => {
  test.each<[string, object]>([
    ['USE1-Claude4.5Sonnet-input-tokens', { region: 'us-east-1', model: SONNET45, tokenClass: 'input', routing: 'in-region' }],
    ['EU-Claude4.5Sonnet-output-tokens-cross-region-geo', { region: 'eu-west-1', model: SONNET45, tokenClass: 'output', routing: 'geo' }],
    [
      'UGW1-Claude3.7Sonnet-cache-write-input-token-count',
      {
        region: 'us-gov-west-1',
        model: 'anthropic.claude-3-7-sonnet-20250219-v1:0',
        tokenClass: 'cacheWrite',
        ttl: '5m',
        routing: 'in-region',
      },
    ],
    [
      'USE2-Claude4.6Sonnet-cache-read-input-token-count-cross-region-global',
      { region: 'us-east-2', model: 'anthropic.claude-sonnet-4-6', tokenClass: 'cacheRead', routing: 'global' },
    ],
    [
      'APN1-Nova2.0Lite-input-tokens',
      { region: 'ap-northeast-1', model: 'amazon.nova-2-lite-v1:0', tokenClass: 'input', routing: 'in-region' },
    ],
    ['USE1-Claude4.5Sonnet-input-tokens-priority', { unmapped: 'not a token class the catalog prices (input-tokens-priority)' }],
    ['XYZ9-Claude4.5Sonnet-input-tokens', { unmapped: 'region prefix "XYZ9" is not in the catalog' }],
    ['USE1-Llama3-70B-input-tokens', { unmapped: 'no catalog model bills under this name' }],
    [ONE_HOUR_WRITES, { unmapped: 'not a token class the catalog prices (cache-write-1h-input-token-count)' }],
  ])('%s', (usageType, meaning) => {
    expect(parseUsageType(usageType)).toEqual(meaning);
  });

  test("the config's mapping wins: the 1-hour write the bill separates", () => {
    expect(parseUsageType(ONE_HOUR_WRITES, config.reconcile.usageTypes)).toEqual({
      region: 'us-east-1',
      model: SONNET45,
      tokenClass: 'cacheWrite',
      ttl: '1h',
      routing: 'global',
    });
  });

  test.each([
    ['global.anthropic.claude-sonnet-4-5-20250929-v1:0', 'global'],
    ['eu.amazon.nova-pro-v1:0', 'geo'],
    ['anthropic.claude-3-7-sonnet-20250219-v1:0', 'in-region'],
  ])('routing of %s: %s', (id, routing) => expect(routingOf(id)).toBe(routing));

  test.each([
    ['0.0101516483', 10151648300n],
    ['1.2', 1200000000000n],
    ['3', 3000000000000n],
    ['0.0000000000005', 1n],
    ['-1.2E-7', -120000n],
  ])('amount %s is %d picodollars', (amount, pico) => expect(amountPico(amount)).toBe(pico));
});

describe('the seeded month', () => {
  const r = reconcile({
    window: WINDOW,
    lines: BILLED_LINES,
    usage: CLOUDWATCH_USAGE,
    config,
    tokensPerUsageUnit: 1000,
    overrides: config.reconcile.usageTypes,
  });

  test('per model: billed beside CloudWatch tokens and dollars, the drift, the effective prices, the TTL mix', () => {
    const { driftPercent, ...code } = r.models[0];
    expect(code).toEqual({
      model: SONNET45,
      name: 'Claude Sonnet 4.5',
      region: 'us-east-1',
      routing: 'global',
      modelIds: [CODE],
      billedTokens: { input: 2e6, output: 0.5e6, cacheRead: 20e6, cacheWrite: 2e6 },
      cloudWatchTokens: { input: 2e6, output: 0.5e6, cacheRead: 20e6, cacheWrite: 2e6 },
      billedCostUSD: 27.3375,
      computedCostUSD: 31.5,
      driftUSD: -4.1625,
      effectivePricePerMTok: { input: 2.7, output: 13.5, cacheRead: 0.27, cacheWrite: 4.89375 },
      cacheWriteTtlMix: { fiveMinuteTokens: 500000, oneHourTokens: 1500000 },
    });
    expect(driftPercent).toBeCloseTo((-100 * 4.1625) / 27.3375, 9);
    expect(
      r.models.slice(1).map((m) => [m.model, m.routing, m.modelIds, m.billedCostUSD, m.computedCostUSD, m.driftUSD, m.driftPercent]),
    ).toEqual([
      ['anthropic.claude-3-7-sonnet-20250219-v1:0', 'geo', [SUPPORT], 11.25, 11.25, 0, 0],
      ['anthropic.claude-haiku-4-5-20251001-v1:0', 'in-region', [TRIAGE], 9.9, 9.9, 0, 0],
    ]);
    expect(r.models[2].effectivePricePerMTok).toEqual({ input: 1.1, output: 5.5, cacheRead: null, cacheWrite: null });
  });

  test('the unmapped line is listed, not dropped, and in the billed total; the totals', () => {
    expect(r.unmapped).toEqual([
      {
        usageType: 'USE1-Claude4.5Sonnet-input-tokens-priority',
        quantity: 100,
        costUSD: 0.75,
        reason: 'not a token class the catalog prices (input-tokens-priority)',
      },
    ]);
    const { driftPercent, ...totals } = r.totals;
    expect(totals).toEqual({ computedCostUSD: 52.65, billedCostUSD: 49.2375, driftUSD: -3.4125 });
    expect(driftPercent).toBeCloseTo((-100 * 3.4125) / 49.2375, 9);
    expect([r.window, r.tokensPerUsageUnit]).toEqual([WINDOW, 1000]);
  });

  test('a model on the bill but not in CloudWatch, and one in CloudWatch but unpriced', () => {
    const only = reconcile({
      window: WINDOW,
      lines: [{ day: '2026-11-02', usageType: 'USE1-NovaPro-input-tokens', quantity: 10, cost: '0.008' }],
      usage: [
        {
          region: 'us-east-1',
          models: [
            {
              modelId: 'us.meta.llama3-70b-instruct-v1:0',
              tokens: { inputTokens: 5, outputTokens: 1, cacheReadInputTokens: 0, cacheWriteInputTokens: 0 },
            },
          ],
        },
      ],
      config: parseConfig({}, 'test'),
      tokensPerUsageUnit: 1000,
    });
    expect(only.models.map((m) => [m.model, m.billedCostUSD, m.computedCostUSD, m.driftUSD, m.driftPercent])).toEqual([
      ['amazon.nova-pro-v1:0', 0.008, 0, 0.008, 100],
      ['meta.llama3-70b-instruct-v1:0', 0, null, null, null],
    ]);
  });

  test('the usage unit detected: 1,000 for the seeded month, 1 when the bill counts tokens', () => {
    expect(detectTokensPerUsageUnit(BILLED_LINES, CLOUDWATCH_USAGE, config.reconcile.usageTypes)).toBe(1000);
    const inTokens = BILLED_LINES.map((l) => ({ ...l, quantity: l.quantity * 1000 }));
    expect(detectTokensPerUsageUnit(inTokens, CLOUDWATCH_USAGE, config.reconcile.usageTypes)).toBe(1);
    expect(detectTokensPerUsageUnit([], CLOUDWATCH_USAGE)).toBe(1000);
  });
});

describe("the weekly review's bill line", () => {
  test('the seeded month in us-east-1: billed, computed, the verdict and what is not mapped', () => {
    const bill = compareWithBill(BILLED_LINES, 'us-east-1', CLOUDWATCH_USAGE[0].models, config, WINDOW);
    expect(billLine(bill)).toBe(
      'Billed vs computed (Cost Explorer, us-east-1): billed $49.24, computed $52.65: the bill is 6.9% lower than computed; $0.75 of it under usage types not mapped to a model.',
    );
    // Another region's lines are not this region's bill.
    const other = compareWithBill(billedLines('eu-west-1', 'EU'), 'us-east-1', CLOUDWATCH_USAGE[0].models, config, WINDOW);
    expect(billLine(other)).toBe(
      'Billed vs computed (Cost Explorer, us-east-1): billed $0.00, computed $52.65: nothing billed to compare with.',
    );
    expect(billLine({ region: 'us-east-1', unavailable: 'AccessDeniedException: not authorized' })).toBe(
      'Billed vs computed (Cost Explorer, us-east-1): the bill could not be read (AccessDeniedException: not authorized).',
    );
  });
});
