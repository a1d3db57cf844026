/** How a config problem reads: `<path>: <what is allowed> (got <value>)`, and the error that carries them all. */
import type { z } from 'zod';

/** `models[2].cacheWriteTtl`, `pricing["us.anthropic…"].inputPerMTok`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (typeof key === 'string' && /^[A-Za-z_$][\w$]*$/.test(key)) out += out ? `.${key}` : key;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out || '(top level)';
}

/** The value as a problem quotes it, cut to 60 characters. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** One line per problem: `<path>: <what is allowed> (got <value>)`. */
export function formatIssues(issues: readonly z.core.$ZodIssue[]): string[] {
  return issues.flatMap((issue) => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => `${formatPath([...issue.path, key])}: unknown key; remove it or fix its spelling`);
    }
    let message = issue.message;
    if (issue.code === 'invalid_key' && issue.issues.length > 0) message = issue.issues[0].message;
    if (issue.code === 'invalid_type') {
      const expected =
        issue.expected === 'int'
          ? 'a whole number'
          : issue.expected === 'array' || issue.expected === 'object'
            ? `an ${issue.expected}`
            : `a ${issue.expected}`;
      message = issue.input === undefined ? `is required (${expected})` : `must be ${expected}`;
      if (issue.input === undefined) return [`${formatPath(issue.path)}: ${message}`];
    }
    if (issue.code === 'invalid_value' && issue.values.length > 0) {
      message = `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    }
    return [`${formatPath(issue.path)}: ${message} (got ${describeValue(issue.input)})`];
  });
}

export class ConfigError extends Error {
  constructor(
    readonly source: string,
    readonly problems: readonly string[],
  ) {
    super(`invalid config in ${source}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}
