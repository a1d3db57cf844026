/**
 * The fleet digest's text and subject (lambda/core/fleet-report-format.ts), from fleet reports built by the pure core:
 * the total first, a line per target and the total, "no data" for a target without a token (never $0), each target's
 * top models by the dollars at stake, and the full ids of the names shown. Table-driven, no mocks.
 */
import { parseConfig } from '../../lambda/core/config';
import { buildFleetReport, type TargetUsage } from '../../lambda/core/fleet-report';
import { fleetDigestSubject, renderFleetDigest } from '../../lambda/core/fleet-report-format';

const SONNET = 'us.anthropic.claude-3-7-sonnet-20250219-v1:0';
const HAIKU = 'us.anthropic.claude-3-5-haiku-20241022-v1:0';
const A = '111111111111';
const B = '222222222222';
const WEEK = '2026-11-23 to 2026-11-29';
const config = parseConfig({ models: [{ modelId: SONNET, displayName: 'support-bot' }] }, 'test');
/** Team B's own models section: its display name. */
const teamB = parseConfig({ models: [{ modelId: SONNET, displayName: 'team-b-bot' }] }, 'test');
const tk = (input: number, read: number, write: number, output: number) => ({
  inputTokens: input,
  cacheReadInputTokens: read,
  cacheWriteInputTokens: write,
  outputTokens: output,
});
// Sonnet 3.7 in us-east-1: $3 input, $0.30 read, $3.75 write, $15 output per MTok. Haiku 3.5: $0.80 input.
// A: Sonnet 1 M in + 2 M read + 0.4 M write + 0.1 M out = $6.60 with cache, $11.70 without; Haiku 1 M input only = $0.80.
const saving: TargetUsage = {
  region: 'us-east-1',
  account: A,
  models: [
    { modelId: SONNET, tokens: tk(1_000_000, 2_000_000, 400_000, 100_000) },
    { modelId: HAIKU, tokens: tk(1_000_000, 0, 0, 0) },
  ],
};
// B: 0.5 M in + 1 M write + 50 k out = $6.00 with cache, $5.25 without: lost $0.75.
const losing: TargetUsage = {
  region: 'us-east-1',
  account: B,
  config: teamB,
  models: [{ modelId: SONNET, tokens: tk(500_000, 0, 1_000_000, 50_000) }],
};
const quiet: TargetUsage = { region: 'eu-west-1', account: B, models: [{ modelId: SONNET, tokens: tk(0, 0, 0, 0) }] };

test.each<[string, TargetUsage[], number, string[]]>([
  [
    'two targets with data and one without: the total, a line each, the top model of each (one shown, the rest counted)',
    [saving, losing, quiet],
    1,
    [
      `Prompt cache weekly review over 3 targets, ${WEEK}`,
      '',
      'Caching saved $4.35 net over 2 targets (24.5% of the cost without cache): cost with cache $13.40, without $17.75, hit ratio 58.8%.',
      `No data (no token in the window, not $0 of savings): ${B} eu-west-1.`,
      '',
      'PER TARGET',
      `  ${A} us-east-1: saved $5.10 net; cost with cache $7.40, without $12.50; hit ratio 83.3%; 2 models`,
      `  ${B} us-east-1: lost $0.75 net; cost with cache $6.00, without $5.25; hit ratio 0.0%; 1 model`,
      `  ${B} eu-west-1: no data`,
      '  TOTAL: saved $4.35 net; cost with cache $13.40, without $17.75; hit ratio 58.8%; 3 models',
      '',
      'TOP MODELS PER TARGET (by dollars at stake)',
      `  ${A} us-east-1`,
      '    support-bot [optimized]: saved $5.10, hit ratio 83.3%, 3.5 M tokens',
      '    and 1 more model',
      `  ${B} us-east-1`,
      '    team-b-bot [misconfigured]: lost $0.75, hit ratio 0.0%, 1.6 M tokens',
      '',
      'MODEL IDS',
      `  support-bot: ${SONNET}`,
      `  team-b-bot: ${SONNET}`,
      '',
    ],
  ],
  [
    'the default three models: the larger stake first, a model without a display name under its short id',
    [saving],
    3,
    [
      `Prompt cache weekly review over 1 target, ${WEEK}`,
      '',
      'Caching saved $5.10 net over 1 target (40.8% of the cost without cache): cost with cache $7.40, without $12.50, hit ratio 83.3%.',
      '',
      'PER TARGET',
      `  ${A} us-east-1: saved $5.10 net; cost with cache $7.40, without $12.50; hit ratio 83.3%; 2 models`,
      '  TOTAL: saved $5.10 net; cost with cache $7.40, without $12.50; hit ratio 83.3%; 2 models',
      '',
      'TOP MODELS PER TARGET (by dollars at stake)',
      `  ${A} us-east-1`,
      '    support-bot [optimized]: saved $5.10, hit ratio 83.3%, 3.5 M tokens',
      '    us.claude-3-5-haiku [not-enabled]: broke even, hit ratio n/a, 1 M tokens',
      '',
      'MODEL IDS',
      `  support-bot: ${SONNET}`,
      `  us.claude-3-5-haiku: ${HAIKU}`,
      '',
    ],
  ],
  [
    'no target with a token: said so, every target "no data", no total line, no models',
    [quiet, { region: 'us-east-1', account: A, models: [] }],
    3,
    [
      `Prompt cache weekly review over 2 targets, ${WEEK}`,
      '',
      'No target has Bedrock tokens in the window (2 read).',
      `No data (no token in the window, not $0 of savings): ${B} eu-west-1, ${A} us-east-1.`,
      '',
      'PER TARGET',
      `  ${B} eu-west-1: no data`,
      `  ${A} us-east-1: no data`,
      '',
    ],
  ],
])('%s', (_name, targets, top, lines) => {
  expect(renderFleetDigest(buildFleetReport(targets, config), WEEK, top)).toBe(lines.join('\n'));
});

test.each<[string, TargetUsage[], string]>([
  ['saved over some of the targets', [saving, losing, quiet], `Prompt caching saved $4.35 net over 2 of 3 targets, ${WEEK}`],
  ['lost over all', [losing], `Prompt caching lost $0.75 net over 1 of 1 target, ${WEEK}`],
  ['no data anywhere', [quiet], `Prompt caching: no Bedrock tokens in 1 target, ${WEEK}`],
])('subject: %s', (_name, targets, subject) => {
  expect(fleetDigestSubject(buildFleetReport(targets, config), WEEK)).toBe(subject);
});

test("the subject is cut to SNS's 100 characters, printable ASCII only", () => {
  const long = `${'x'.repeat(120)} \u2013`;
  const subject = fleetDigestSubject(buildFleetReport([saving], config), long);
  expect([subject.length, subject.endsWith('...'), /^[\x20-\x7e]+$/.test(subject)]).toEqual([100, true, true]);
});
