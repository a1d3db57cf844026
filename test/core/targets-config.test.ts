/**
 * The config's `targets` and `monitoring`: each rule names its path and the fix, a target's sections replace the
 * config's whole, and its own problems are reported at the target.
 */
import { configProblems, parseConfig, targetConfig } from '../../lambda/core/config';

const MONITORING = '111111111111';

test.each<[string, unknown, string[]]>([
  [
    'a roll-up without targets; sinks of the wrong region and account',
    { monitoring: { account: MONITORING, region: 'us-east-1', sinks: { 'eu-west-1': 'arn:aws:oam:us-east-1:222222222222:sink/abc' } } },
    [
      'monitoring: a roll-up needs targets to watch; list them in `targets` (one per account and region), or remove `monitoring`',
      'monitoring.sinks.eu-west-1: the ARN is of a sink in us-east-1; a link reaches a sink in its own region only',
      'monitoring.sinks.eu-west-1: the ARN is of a sink in account 222222222222, not the monitoring account 111111111111',
    ],
  ],
  [
    'a target twice, and targets without an account next to a roll-up',
    { targets: [{ region: 'us-east-1' }, { region: 'us-east-1' }], monitoring: { account: MONITORING, region: 'us-east-1' } },
    [
      "targets[0].account: required with `monitoring`: the sink's policy names each account that may link; set the target's 12-digit account id",
      'targets[1]: the same account and region as targets[0] ((deploying account) us-east-1); list each once (one stack per account and region)',
      "targets[1].account: required with `monitoring`: the sink's policy names each account that may link; set the target's 12-digit account id",
    ],
  ],
  [
    'malformed account and region',
    { targets: [{ account: '1', region: 'mars' }] },
    [
      'targets[0].account: must be a 12-digit AWS account id, e.g. "123456789012" (got "1")',
      'targets[0].region: must be an AWS region code, e.g. "eu-west-1" (got "mars")',
    ],
  ],
  [
    "a target's own alarms break a rule the config's do not",
    { targets: [{ account: '222222222222', region: 'eu-west-1', alarms: { costDrift: { days: 5 } } }] },
    [
      "targets[0].alarms.costDrift.days: days + reconcile.daily.billDelayDays must be at most 5: the alarm looks back days + delay + 2 daily periods (a day's bill is read delay + 1 days after it starts) and CloudWatch allows 7; lower one of them (got 5 + 2)",
    ],
  ],
  [
    'a sink that is no sink',
    {
      targets: [{ account: '222222222222', region: 'eu-west-1' }],
      monitoring: { account: MONITORING, region: 'eu-west-1', sinks: { 'eu-west-1': 'arn:aws:sns:eu-west-1:111111111111:topic' } },
    },
    [
      'monitoring.sinks.eu-west-1: must be an OAM sink ARN, arn:aws:oam:<region>:<account>:sink/<id> (the roll-up stack\'s SinkArn output) (got "arn:aws:sns:eu-west-1:111111111111:topic")',
    ],
  ],
])('%s', (_what, raw, problems) => {
  expect(configProblems(raw)).toEqual(problems);
});

test("a target's sections replace the config's whole; the rest is the config's; no targets or monitoring inside", () => {
  const c = parseConfig(
    {
      models: [{ modelId: 'a' }],
      namespace: 'Team',
      targets: [{ account: '222222222222', region: 'eu-west-1', models: [{ modelId: 'b' }] }, { region: 'us-east-1' }],
    },
    't',
  );
  const [eu, us] = [targetConfig(c, 0), targetConfig(c, 1)];
  expect([eu.models.map((m) => m.modelId), us.models.map((m) => m.modelId), eu.namespace, 'targets' in eu, 'monitoring' in eu]).toEqual([
    ['b'],
    ['a'],
    'Team',
    false,
    false,
  ]);
  expect(() => targetConfig(c, 2)).toThrow('no targets[2]');
});
