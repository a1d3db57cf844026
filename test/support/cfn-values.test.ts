/** The template value resolver the construct tests, the demo's alarm replay and the bench share. */
import { cfnValue, consoleUrlJoin, type CfnValueOptions } from './cfn-values';

const template = {
  Resources: {
    Board: { Type: 'AWS::CloudWatch::Dashboard', Properties: { DashboardName: { 'Fn::Join': ['-', ['OnCall', { Ref: 'AWS::Region' }]] } } },
    Low: { Type: 'AWS::CloudWatch::Alarm', Properties: { AlarmName: 'S-LowHitRatio' } },
    Fn: { Type: 'AWS::Lambda::Function' },
  },
  Mappings: { ConsoleHost: { aws: { host: 'console.aws.amazon.com' }, 'aws-cn': { host: 'console.amazonaws.cn' } } },
};
const url = consoleUrlJoin();

describe('cfnValue', () => {
  test.each<[string, unknown, CfnValueOptions, string]>([
    ['a literal', 'x', {}, 'x'],
    [
      'pseudo parameters in a Join',
      { 'Fn::Join': [':', [{ Ref: 'AWS::Partition' }, { Ref: 'AWS::Region' }, { Ref: 'AWS::AccountId' }]] },
      {},
      'aws:eu-west-1:111122223333',
    ],
    ['other pseudo values', { Ref: 'AWS::Region' }, { pseudo: { 'AWS::Region': 'cn-north-1' } }, 'cn-north-1'],
    ['a dashboard Ref: its name', { Ref: 'Board' }, { template }, 'OnCall-eu-west-1'],
    ['another Ref: a placeholder', { Ref: 'Fn' }, { template }, '<Fn>'],
    ['another Ref as its logical id', { Ref: 'Fn' }, { template, refs: 'logical-id' }, 'Fn'],
    ['a Ref to no resource stays a placeholder', { Ref: 'AWS::StackName' }, { template, refs: 'logical-id' }, '<AWS::StackName>'],
    ['an alarm ARN', { 'Fn::GetAtt': ['Low', 'Arn'] }, { template }, 'arn:aws:cloudwatch:eu-west-1:111122223333:alarm:S-LowHitRatio'],
    ['FindInMap by a resolved key', url, { template }, 'https://console.aws.amazon.com/cloudwatch/home?region=eu-west-1'],
    [
      'FindInMap in another partition',
      url,
      { template, pseudo: { 'AWS::Partition': 'aws-cn', 'AWS::Region': 'cn-north-1' } },
      'https://console.amazonaws.cn/cloudwatch/home?region=cn-north-1',
    ],
    [
      'Sub: Refs, GetAtts, variables, ${!literal}',
      { 'Fn::Sub': ['${AWS::Region}/${Low.Arn}/${v}/${!x}', { v: { Ref: 'Board' } }] },
      { template },
      'eu-west-1/arn:aws:cloudwatch:eu-west-1:111122223333:alarm:S-LowHitRatio/OnCall-eu-west-1/${x}',
    ],
    ['Sub of a string', { 'Fn::Sub': 'arn:${AWS::Partition}:sns:${AWS::Region}' }, {}, 'arn:aws:sns:eu-west-1'],
    [
      'lenient, no pseudo values: everything deploy-time as <Name>',
      { 'Fn::Join': ['', [{ Ref: 'AWS::StackName' }, '-', { 'Fn::GetAtt': ['Low', 'Arn'] }]] },
      { pseudo: {}, lenient: true },
      '<AWS::StackName>-<Low.Arn>',
    ],
    ['lenient: another intrinsic as its JSON', { 'Fn::Select': [0, ['a']] }, { lenient: true }, '{"Fn::Select":[0,["a"]]}'],
    ['lenient: a number as its JSON', 5, { lenient: true }, '5'],
  ])('%s', (_name, value, options, resolved) => {
    expect(cfnValue(value, options)).toBe(resolved);
  });

  test.each<[string, unknown]>([
    ['a GetAtt other than an alarm ARN', { 'Fn::GetAtt': ['Fn', 'Arn'] }],
    ['a mapping key not there', { 'Fn::FindInMap': ['ConsoleHost', 'aws-iso', 'host'] }],
    ['another intrinsic', { 'Fn::Select': [0, ['a']] }],
    ['a number', 5],
  ])('unresolved, not lenient: %s is an error', (_name, value) => {
    expect(() => cfnValue(value, { template })).toThrow(`cannot resolve ${JSON.stringify(value)}`);
  });
});
