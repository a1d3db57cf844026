/**
 * The demo's scenario, run as `npm run demo` runs it (its own moto region here): the expected alarms fire, and only
 * those: low hit ratio on the regressing model within the hour of its prefix change, writes-without-reads on the
 * misconfigured one, nothing on the healthy one.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HOUR_MS } from '../../lambda/core/periods';
import { runDemo, type DemoResult } from './demo';

let result: DemoResult;
const outDir = mkdtempSync(join(tmpdir(), 'demo-'));
const printed: string[] = [];

beforeAll(async () => {
  result = await runDemo({ region: 'eu-central-2', outDir, nowMs: Date.now(), print: (l) => printed.push(l), progressBar: false });
  // ~4 minutes on 2 cores: the 14-day backfill puts each period 24 hours or older in a PutMetricData call of its own.
}, 600_000);

const fired = (modelId: string | undefined, family: string) =>
  result.transitions.filter((t) => t.to === 'ALARM' && t.modelId === modelId && t.alarm.endsWith(`-${family}`));

test('the regressing model pages for a low hit ratio within the hour of its prefix change, not before', () => {
  const low = fired(result.models.regressing, 'LowHitRatio');
  expect(low).toHaveLength(1);
  expect(low[0].atMs - result.changeAtMs).toBeGreaterThan(0);
  expect(low[0].atMs - result.changeAtMs).toBeLessThanOrEqual(HOUR_MS);
});

test('the misconfigured model fires writes-without-reads', () => {
  expect(fired(result.models.misconfigured, 'WritesWithoutReads').map((t) => t.to)).toEqual(['ALARM']);
});

test('the healthy model fires nothing', () => {
  expect(result.transitions.filter((t) => t.modelId === result.models.healthy && t.to === 'ALARM')).toEqual([]);
});

test('the publisher backfilled the window: every hour from the first CloudWatch still takes, none lost', () => {
  // Whatever the minute it runs at: the window ends at the last settled hour and starts 3 hours into the 14 days.
  expect([result.publish.status, result.publish.periodsPublished, result.publish.periodsLost]).toEqual(['published', 14 * 24 - 3, 0]);
});

test('the emulator created every resource but the Lambda functions and what only exists for them', () => {
  // The publisher-errors alarm reads the function's Errors metric; the pipeline roll-up and the on-call dashboard show it;
  // the deploy-time run's service token is the function; the recovery rule watches the pipeline roll-up, and the on-call
  // topic's policy names that rule.
  expect([...new Set(result.leftOut.map((l) => l.type))].sort()).toEqual([
    'AWS::CloudWatch::Alarm',
    'AWS::CloudWatch::CompositeAlarm',
    'AWS::CloudWatch::Dashboard',
    'AWS::Events::Rule',
    'AWS::Lambda::EventInvokeConfig',
    'AWS::Lambda::Function',
    'AWS::Lambda::Permission',
    'AWS::SNS::TopicPolicy',
    'Custom::PromptCacheFirstRun',
  ]);
  expect(result.leftOut.filter((l) => l.type.startsWith('AWS::CloudWatch::')).map((l) => l.logicalId.replace(/[0-9A-F]{8}$/, ''))).toEqual([
    'PublisherErrors378f3d60',
    'PromptCacheMonitoringAlarmsSavingsPipeline',
    'PromptCacheMonitoringOnCallDashboard',
  ]);
  expect(result.created.some((c) => c.startsWith('AWS::DynamoDB::Table '))).toBe(true);
});

test('outputs: the weekly review, its chart, the alarm timeline; and the cost next to the savings', () => {
  expect(readFileSync(join(outDir, 'weekly-review.md'), 'utf8').split('\n')[0]).toMatch(
    /^# Prompt cache weekly review: \d{4}-\d{2}-\d{2} to \d{4}-\d{2}-\d{2}$/,
  );
  expect(readFileSync(join(outDir, 'weekly-review.svg'), 'utf8').startsWith('<svg')).toBe(true);
  expect(
    readFileSync(join(outDir, 'alarm-timeline.txt'), 'utf8')
      .split('\n')
      .filter((l) => l.includes('ALARM')).length,
  ).toBe(result.transitions.filter((t) => t.to === 'ALARM').length);
  expect(printed[printed.length - 1]).toBe(
    `    about $${result.monitoringMonthlyUSD.toFixed(2)} a month ($${((result.monitoringMonthlyUSD * 12) / 52).toFixed(2)} a week); caching saved $${result.weeklyNetSavingsUSD.toFixed(2)} net this week: ${(result.weeklyNetSavingsUSD / ((result.monitoringMonthlyUSD * 12) / 52)).toFixed(1)}x what the monitoring costs`,
  );
});
