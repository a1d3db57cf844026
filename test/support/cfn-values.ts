/**
 * The one resolver of CloudFormation values in a synthesized template (tests, the alarm replay of the demo, the bench):
 * `Fn::Join`, `Fn::Sub`, `Fn::FindInMap` and `Ref` / `Fn::GetAtt` to a string, with fixed stand-ins for what only a
 * deploy knows (region, account, partition).
 */

export interface CfnTemplate {
  readonly Resources?: Readonly<Record<string, { readonly Type: string; readonly Properties?: Readonly<Record<string, unknown>> }>>;
  readonly Mappings?: Readonly<Record<string, Readonly<Record<string, Readonly<Record<string, string>>>>>>;
}

/** The pseudo parameters' stand-ins. */
export const PSEUDO: Readonly<Record<string, string>> = {
  'AWS::Region': 'eu-west-1',
  'AWS::AccountId': '111122223333',
  'AWS::Partition': 'aws',
};

export interface CfnValueOptions {
  /** Resources (a dashboard's Ref is its name, an alarm's GetAtt Arn its ARN) and Mappings (FindInMap). */
  readonly template?: CfnTemplate;
  /** The pseudo parameters' values; a Ref to one not listed is unresolved. @default PSEUDO */
  readonly pseudo?: Readonly<Record<string, string>>;
  /**
   * How an unresolved Ref shows: `<Name>`, or, for a resource of the template, its bare logical id (a function's Ref
   * in a dashboard metric, say, so that a test can match it). @default 'placeholder'
   */
  readonly refs?: 'placeholder' | 'logical-id';
  /**
   * Anything else unresolved (a GetAtt other than an alarm's Arn, a mapping key not there, another intrinsic): an error
   * by default; with `lenient`, a GetAtt shows as `<Id.Attribute>` and the rest as its JSON.
   */
  readonly lenient?: boolean;
}

/** The string a CloudFormation value resolves to (see CfnValueOptions for what cannot be resolved). */
export function cfnValue(value: unknown, options: CfnValueOptions = {}): string {
  const pseudo = options.pseudo ?? PSEUDO;
  const resources = options.template?.Resources ?? {};
  const self = (v: unknown) => cfnValue(v, options);
  const unresolved = (fallback: string): string => {
    if (options.lenient) return fallback;
    throw new Error(`cannot resolve ${JSON.stringify(value)}`);
  };
  const ref = (name: string): string => {
    if (name in pseudo) return pseudo[name];
    const dashboardName = resources[name]?.Properties?.DashboardName;
    if (dashboardName !== undefined) return self(dashboardName);
    return options.refs === 'logical-id' && name in resources ? name : `<${name}>`;
  };
  const getAtt = (id: string, attribute: string): string => {
    const name = resources[id]?.Properties?.AlarmName;
    if (attribute === 'Arn' && typeof name === 'string')
      return `arn:${pseudo['AWS::Partition'] ?? 'aws'}:cloudwatch:${pseudo['AWS::Region']}:${pseudo['AWS::AccountId']}:alarm:${name}`;
    return unresolved(`<${id}.${attribute}>`);
  };

  if (typeof value === 'string') return value;
  if (typeof value !== 'object' || value === null) return unresolved(JSON.stringify(value));
  const o = value as Record<string, unknown>;
  if (typeof o.Ref === 'string') return ref(o.Ref);
  if ('Fn::Join' in o) {
    const [sep, parts] = o['Fn::Join'] as [string, unknown[]];
    return parts.map(self).join(sep);
  }
  if ('Fn::GetAtt' in o) {
    const [id, attribute] = o['Fn::GetAtt'] as [string, string];
    return getAtt(id, attribute);
  }
  if ('Fn::FindInMap' in o) {
    const [map, k1, k2] = (o['Fn::FindInMap'] as unknown[]).map(self);
    return options.template?.Mappings?.[map]?.[k1]?.[k2] ?? unresolved(JSON.stringify(value));
  }
  if ('Fn::Sub' in o) {
    const sub = o['Fn::Sub'];
    const [text, vars] = typeof sub === 'string' ? [sub, {}] : (sub as [string, Record<string, unknown>]);
    // ${Name} is a Ref (or a variable), ${Id.Attribute} a GetAtt; ${!Literal} stays as ${Literal}.
    return text.replace(/\$\{(!?)([^}]+)\}/g, (_m, bang: string, name: string) => {
      if (bang) return `\${${name}}`;
      if (name in vars) return self(vars[name]);
      const dot = name.indexOf('.');
      return dot < 0 ? ref(name) : getAtt(name.slice(0, dot), name.slice(dot + 1));
    });
  }
  return unresolved(JSON.stringify(value));
}

/** A console URL as the stack writes it: the partition's host from the ConsoleHost mapping, the region, then `tail`. */
export function consoleUrlJoin(...tail: unknown[]): object {
  return {
    'Fn::Join': [
      '',
      [
        'https://',
        { 'Fn::FindInMap': ['ConsoleHost', { Ref: 'AWS::Partition' }, 'host'] },
        '/cloudwatch/home?region=',
        { Ref: 'AWS::Region' },
        ...tail,
      ],
    ],
  };
}
