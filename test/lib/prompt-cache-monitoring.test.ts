/**
 * Construct tests of PromptCacheMonitoring / PromptCacheMonitoringStack with aws-cdk-lib/assertions. The built-in
 * template validation is off here for speed; cdk-nag.test.ts and cfn-lint.test.ts synth with it on.
 */
process.env.CDK_VALIDATION = 'false';

import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { PromptCacheMonitoring, PromptCacheMonitoringStack, type PromptCacheConfig } from '../../lib';
import { EXAMPLE_STACK_RESOURCE_TYPES, configWithModels, dashboardBodies, exampleConfig } from './template-helpers';

/** The message of the error `fn` throws (fails the test if it does not throw). */
function thrownMessage(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('expected an error');
}

function synthStack(config: PromptCacheConfig, stackName = 'TestMonitoring') {
  // No stack is bundled: the publisher's code is a placeholder here (savings-publisher.test.ts and cfn-lint.test.ts bundle it).
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new PromptCacheMonitoringStack(app, stackName, { config });
  return Template.fromStack(stack);
}

/** Both documented spellings of the cache metrics, matched by one SEARCH (the config pins neither). */
const SEARCH_READ = `SEARCH('{AWS/Bedrock,ModelId} (MetricName="CacheReadInputTokenCount" OR MetricName="CacheReadInputTokens")', 'Sum', 300)`;
const SEARCH_WRITE = `SEARCH('{AWS/Bedrock,ModelId} (MetricName="CacheWriteInputTokenCount" OR MetricName="CacheWriteInputTokens")', 'Sum', 300)`;
const SEARCH_INPUT = `SEARCH('{AWS/Bedrock,ModelId} MetricName="InputTokenCount"', 'Sum', 300)`;
const HIT_RATIO =
  'IF((FILL(cacheRead, 0) + FILL(cacheWrite, 0)) > 0, 100 * FILL(cacheRead, 0) / (FILL(cacheRead, 0) + FILL(cacheWrite, 0)))';
const CACHED_SHARE =
  'IF((FILL(input, 0) + FILL(cacheRead, 0) + FILL(cacheWrite, 0)) > 0, ' +
  '100 * FILL(cacheRead, 0) / (FILL(input, 0) + FILL(cacheRead, 0) + FILL(cacheWrite, 0)))';
/** All models: the sum of the per-model series (no dimensionless AWS/Bedrock series is read). */
const READ_ALL = [{ label: 'Cache read tokens, all models', expression: `SUM(${SEARCH_READ})` }];
const WRITE_ALL = [{ label: 'Cache write tokens, all models', expression: `SUM(${SEARCH_WRITE})` }];
/**
 * Bodies without their alarm widgets, 1 configured model (fixed: they must not depend on the model count). Both spellings'
 * OR, the top-N SORTs with their rest lines, SUM(SEARCH) all-models inputs and the RUNNING_SUM range figures took them
 * from 7,933 and 4,445 bytes to these; only the two publisher widgets (unpriced tokens, publisher health) and the
 * cost-review text kept their size.
 */
const ONE_MODEL_ON_CALL_BYTES = 10283;
const ONE_MODEL_COST_REVIEW_BYTES = 5834;

describe('PromptCacheMonitoringStack with the example config of cdk.json', () => {
  const template = synthStack(exampleConfig());
  // The on-call dashboard comes first; test/lib/dashboards.test.ts covers both dashboards in full.
  const [{ body, text }] = dashboardBodies(template.toJSON());
  const widget = (title: string) => {
    const found = body.widgets.filter((w) => w.properties.title === title);
    expect(found).toHaveLength(1);
    return found[0];
  };

  test('two dashboards, the alarms with their topic, the savings publisher and the weekly digest', () => {
    expect(Object.values(template.toJSON().Resources).map((r) => (r as { Type: string }).Type).sort()).toEqual(EXAMPLE_STACK_RESOURCE_TYPES);
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 2);
  });

  test('dashboard name derived from the stack name and the deploy region', () => {
    template.hasResourceProperties('AWS::CloudWatch::Dashboard', {
      DashboardName: { 'Fn::Join': ['', ['TestMonitoring-OnCall-', { Ref: 'AWS::Region' }]] },
    });
  });

  test('layout: alarm status first, then the text; 3-hour default range, periods inherited', () => {
    expect(body.start).toBe('-PT3H');
    expect(body.periodOverride).toBe('inherit');
    expect(body.widgets.slice(0, 2).map((w) => [w.type, w.x, w.y, w.width])).toEqual([
      ['alarm', 0, 0, 24],
      ['text', 0, 5, 24],
    ]);
    for (const w of body.widgets.filter((x) => x.type === 'metric')) expect(w.properties.region).toBe('eu-west-1');
  });

  test('the text explains both ratio definitions, labelled, with both spellings of the cache metrics and the top-N rule', () => {
    const markdown = body.widgets[1].properties.markdown ?? '';
    const lines = markdown.split('\n');
    expect(lines[0]).toBe('## Bedrock prompt cache: on-call');
    expect(lines.filter((l) => l.startsWith('* **'))).toEqual([
      '* **Cache hit ratio** (efficiency) = read / (read + write), from `CacheReadInputTokenCount` or `CacheReadInputTokens` and `CacheWriteInputTokenCount` or `CacheWriteInputTokens`. ' +
        'Low while writes go on = the cached prefix keeps being rebuilt (prefix changed, TTL expired, checkpoint below the model minimum).',
      '* **Cached input share** (coverage) = read / (input + read + write); `InputTokenCount` excludes cached tokens. ' +
        'All-models lines sum the per-model series; per-model graphs show the top 10 models and sum the rest.',
    ]);
    expect(lines).toContain('* A period without cache traffic has no point (undefined, not 0 %).');
  });

  test('per-model graph: read and write SEARCH expressions of both spellings, the 10 largest models and the rest, stacked', () => {
    const w = widget('Cache read vs write tokens, the 10 largest models and the rest (stacked)').properties;
    expect(w.stacked).toBe(true);
    expect(w.metrics).toEqual([
      [{ label: "Cache read tokens | ${PROP('Dim.ModelId')}", expression: `SORT(${SEARCH_READ}, SUM, DESC, 10)` }],
      [{ label: 'Cache read tokens | all other models', expression: `SUM(${SEARCH_READ}) - SUM(SORT(${SEARCH_READ}, SUM, DESC, 10))` }],
      [{ label: "Cache write tokens | ${PROP('Dim.ModelId')}", expression: `SORT(${SEARCH_WRITE}, SUM, DESC, 10)` }],
      [{ label: 'Cache write tokens | all other models', expression: `SUM(${SEARCH_WRITE}) - SUM(SORT(${SEARCH_WRITE}, SUM, DESC, 10))` }],
    ]);
  });

  test('all-models graph: SUM(SEARCH) of read and of write, not stacked', () => {
    expect(widget('Cache read vs write tokens, all models').properties.metrics).toEqual([READ_ALL, WRITE_ALL]);
    expect('stacked' in widget('Cache read vs write tokens, all models').properties).toBe(false);
  });

  test('ratio graph: both definitions, labelled, over hidden SUM(SEARCH) inputs, 0-100 %', () => {
    const w = widget('Cache hit ratio and cached input share, all models (%)').properties;
    expect(w.metrics).toEqual([
      [{ label: 'Cache hit ratio % = read / (read + write)', expression: HIT_RATIO }],
      [{ label: 'Cache read tokens, all models', visible: false, expression: `SUM(${SEARCH_READ})`, id: 'cacheRead' }],
      [{ label: 'Cache write tokens, all models', visible: false, expression: `SUM(${SEARCH_WRITE})`, id: 'cacheWrite' }],
      [{ label: 'Cached input share % = read / (input + read + write)', expression: CACHED_SHARE }],
      [{ label: 'Input tokens (uncached), all models', visible: false, expression: `SUM(${SEARCH_INPUT})`, id: 'input' }],
    ]);
    expect(w.yAxis).toEqual({ left: { min: 0, max: 100, label: '%', showUnits: false } });
  });

  test('pie: read vs write over the whole time range, the last value of RUNNING_SUM (no setPeriodToTimeRange)', () => {
    const w = widget('Read vs write share of cached tokens, whole time range').properties;
    expect(w.view).toBe('pie');
    expect('setPeriodToTimeRange' in w).toBe(false);
    expect(w.metrics).toEqual([
      [{ label: 'Cache read tokens', expression: 'RUNNING_SUM(r)' }],
      [{ ...READ_ALL[0], visible: false, id: 'r' }],
      [{ label: 'Cache write tokens', expression: 'RUNNING_SUM(w)' }],
      [{ ...WRITE_ALL[0], visible: false, id: 'w' }],
    ]);
  });

  test('no model id is written into the body (SEARCH finds them)', () => {
    for (const m of exampleConfig().models) expect(text.includes(m.modelId)).toBe(false);
  });
});

describe('dashboard body size', () => {
  test('1 and 10 configured models: the same bodies but for the per-model alarm widgets and alarm status entries', () => {
    // Alarm widgets (status lists and per-model alarm graphs) are the only part that may grow with the models.
    const withoutAlarms = (n: number) =>
      dashboardBodies(synthStack(configWithModels(n)).toJSON()).map(({ body }) =>
        JSON.stringify(body.widgets.filter((w) => w.type !== 'alarm' && !(w.properties.annotations as { alarms?: unknown } | undefined)?.alarms).map((w) => w.properties)),
      );
    const one = withoutAlarms(1);
    expect(withoutAlarms(10)).toEqual(one);
    expect(one.map((b) => b.length)).toEqual([ONE_MODEL_ON_CALL_BYTES, ONE_MODEL_COST_REVIEW_BYTES]);
  });
});

describe('PromptCacheMonitoring embedded in a team stack', () => {
  test('dashboardName prop wins', () => {
    const stack = new Stack(new App(), 'TeamStack');
    const monitoring = new PromptCacheMonitoring(stack, 'Cache', { config: exampleConfig(), dashboardName: 'team-cache' });
    Template.fromStack(stack).hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: 'team-cache' });
    expect(monitoring.config.models.map((m) => m.displayName)).toEqual(['support-bot', 'code-review', 'claims-triage']);
    expect(monitoring.bedrockMetrics.candidates.cacheReadInputTokens).toEqual(['CacheReadInputTokenCount', 'CacheReadInputTokens']);
  });

  test('custom metric names reach the SEARCH expressions: a pinned name is the only one read', () => {
    const stack = new Stack(new App(), 'TeamStack');
    const config = {
      ...exampleConfig(),
      bedrockMetricNames: { ...exampleConfig().bedrockMetricNames, cacheReadInputTokens: 'CacheReadInputTokens', cacheWriteInputTokens: 'CacheWriteInputTokens' },
    };
    new PromptCacheMonitoring(stack, 'Cache', { config });
    const bodies = dashboardBodies(Template.fromStack(stack).toJSON());
    const [{ body }] = bodies;
    const read = `SEARCH('{AWS/Bedrock,ModelId} MetricName="CacheReadInputTokens"', 'Sum', 300)`;
    const write = `SEARCH('{AWS/Bedrock,ModelId} MetricName="CacheWriteInputTokens"', 'Sum', 300)`;
    expect(body.widgets.find((w) => w.properties.title === 'Cache read vs write tokens, the 10 largest models and the rest (stacked)')?.properties.metrics).toEqual([
      [{ label: "Cache read tokens | ${PROP('Dim.ModelId')}", expression: `SORT(${read}, SUM, DESC, 10)` }],
      [{ label: 'Cache read tokens | all other models', expression: `SUM(${read}) - SUM(SORT(${read}, SUM, DESC, 10))` }],
      [{ label: "Cache write tokens | ${PROP('Dim.ModelId')}", expression: `SORT(${write}, SUM, DESC, 10)` }],
      [{ label: 'Cache write tokens | all other models', expression: `SUM(${write}) - SUM(SORT(${write}, SUM, DESC, 10))` }],
    ]);
    // Every AWS/Bedrock metric name either body searches for: the pinned cache names only, the other spellings nowhere.
    const searched = (text: string) =>
      [...new Set([...text.matchAll(/SEARCH\('\{AWS\/Bedrock,ModelId\} ([^']*)'/g)].flatMap((m) => [...m[1].matchAll(/MetricName=\\"([^\\]*)\\"/g)].map((n) => n[1])))].sort();
    expect(bodies.map(({ text }) => searched(text))).toEqual([
      ['CacheReadInputTokens', 'CacheWriteInputTokens', 'InputTokenCount', 'InvocationLatency', 'InvocationThrottles', 'Invocations', 'TimeToFirstToken'],
      ['CacheReadInputTokens', 'CacheWriteInputTokens', 'InputTokenCount'],
    ]);
    for (const { text } of bodies) expect([text.includes('CacheReadInputTokenCount'), text.includes('CacheWriteInputTokenCount'), text.includes(' OR ')]).toEqual([false, false, false]);
    expect((body.widgets[1].properties.markdown ?? '').split('\n').filter((l) => l.startsWith('* **Cache hit ratio**'))).toEqual([
      '* **Cache hit ratio** (efficiency) = read / (read + write), from `CacheReadInputTokens` and `CacheWriteInputTokens`. ' +
        'Low while writes go on = the cached prefix keeps being rebuilt (prefix changed, TTL expired, checkpoint below the model minimum).',
    ]);
  });

  test('bad props: every problem at once, each naming its path', () => {
    const stack = new Stack(new App(), 'TeamStack');
    const good = exampleConfig();
    const config = {
      ...good,
      namespace: 'AWS/Mine',
      models: [{ ...good.models[0], cacheWriteTtl: '10m' }, good.models[0]],
      bedrockMetricNames: { ...good.bedrockMetricNames, cacheWriteInputTokens: 'Cache"Write' },
    } as unknown as PromptCacheConfig;
    expect(thrownMessage(() => new PromptCacheMonitoring(stack, 'Cache', { config, dashboardName: 'on call!' }))).toBe(
      [
        'invalid config in PromptCacheMonitoring TeamStack/Cache:',
        '  - config.namespace: must not start with "AWS/" (reserved for AWS services) (got "AWS/Mine")',
        '  - config.models[0].cacheWriteTtl: must be one of "5m", "1h" (got "10m")',
        '  - config.models[1].modelId: duplicates models[0].modelId; list each model once (got "us.anthropic.claude-3-7-sonnet-20250219-v1:0")',
        '  - config.bedrockMetricNames.cacheWriteInputTokens: must not contain quotes or backslashes ' +
          '(it is embedded in a CloudWatch SEARCH expression) (got "Cache\\"Write")',
        '  - dashboardName: must be 1 to 255 letters, digits, "-" or "_" (got "on call!")',
      ].join('\n'),
    );
  });

  test('a SEARCH-unsafe metric name of an otherwise valid config is reported', () => {
    const stack = new Stack(new App(), 'TeamStack');
    const good = exampleConfig();
    const config = { ...good, bedrockMetricNames: { ...good.bedrockMetricNames, cacheWriteInputTokens: 'Cache"Write' } };
    expect(thrownMessage(() => new PromptCacheMonitoring(stack, 'Cache', { config }))).toBe(
      'invalid config in PromptCacheMonitoring TeamStack/Cache:\n' +
        '  - config.bedrockMetricNames.cacheWriteInputTokens: must not contain quotes or backslashes ' +
        '(it is embedded in a CloudWatch SEARCH expression) (got "Cache\\"Write")',
    );
  });
});

test('a config that is not an object is named as `config`', () => {
  const stack = new Stack(new App(), 'TeamStack');
  const config = 'models.json' as unknown as PromptCacheConfig;
  expect(thrownMessage(() => new PromptCacheMonitoring(stack, 'Cache', { config }))).toBe(
    'invalid config in PromptCacheMonitoring TeamStack/Cache:\n  - config: must be an object (got "models.json")',
  );
});
