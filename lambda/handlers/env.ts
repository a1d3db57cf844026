/** Environment checks shared by the Lambda handlers: each collects its problems and fails once, naming them all. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { array, boolean, record, enum as zodEnum, strictObject, string } from 'zod';
import {
  alarmLookup,
  BILL_FAMILY_KEYS,
  CACHE_FAMILY_KEYS,
  PIPELINE_FAMILY_KEYS,
  type AlarmLookup,
  type CatalogAlarm,
} from '../core/alarm-catalog';
import { parseConfig, type PromptCacheConfig } from '../core/config';

/**
 * The file the CDK construct writes beside a pre-bundled handler (the packaged library's Lambda code), named by the
 * function's PROMPT_CACHE_CONFIG_FILE: a file, not an environment variable, because a config with many models exceeds
 * Lambda's 4 KB environment limit.
 */
export const CONFIG_FILE_NAME = 'prompt-cache-config.json';

/**
 * The validated config: PROMPT_CACHE_CONFIG (which the CDK construct inlines into a bundle it builds from source), else
 * the file PROMPT_CACHE_CONFIG_FILE names (relative to the bundle's directory); problems are appended.
 */
export function inlinedConfig(env: NodeJS.ProcessEnv, problems: string[]): PromptCacheConfig | undefined {
  if (!env.PROMPT_CACHE_CONFIG && env.PROMPT_CACHE_CONFIG_FILE) return configFromFile(env.PROMPT_CACHE_CONFIG_FILE, problems);
  if (!env.PROMPT_CACHE_CONFIG) {
    problems.push('PROMPT_CACHE_CONFIG is not set (the CDK construct inlines it into the bundle)');
    return undefined;
  }
  return parsedConfig(env.PROMPT_CACHE_CONFIG, 'PROMPT_CACHE_CONFIG', problems);
}

function configFromFile(name: string, problems: string[]): PromptCacheConfig | undefined {
  // In a bundle, __dirname is the bundle's directory (the function's code root), where the construct wrote the file.
  const file = resolve(__dirname, name);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    problems.push(`PROMPT_CACHE_CONFIG_FILE ${file} cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    return undefined;
  }
  return parsedConfig(text, file, problems);
}

function parsedConfig(text: string, source: string, problems: string[]): PromptCacheConfig | undefined {
  try {
    return parseConfig(JSON.parse(text), source);
  } catch (err) {
    problems.push(err instanceof SyntaxError ? `${source} is not valid JSON (${err.message})` : (err as Error).message);
    return undefined;
  }
}

/** Throws one error naming every problem, if there are any. */
export function failOnProblems(what: string, problems: readonly string[]): void {
  if (problems.length > 0) throw new Error(`${what} environment is invalid: ${problems.join('; ')}`);
}

const catalogSchema = array(
  strictObject({
    name: string().min(1),
    family: zodEnum([...CACHE_FAMILY_KEYS, ...PIPELINE_FAMILY_KEYS, ...BILL_FAMILY_KEYS]),
    severity: zodEnum(['page', 'ticket']),
    kind: zodEnum(['fleet', 'precise', 'pipeline', 'bill']),
    modelId: string().min(1).optional(),
    anomalyBand: boolean().optional(),
    crossAccount: boolean().optional(),
    accountId: string()
      .regex(/^\d{12}$/)
      .optional(),
  }),
);

/** The listed alarms of `ALARM_CATALOG` (JSON of CatalogAlarm[]: the fleet and pipeline alarms); problems are appended. */
export function alarmCatalog(text: string | undefined, problems: string[]): CatalogAlarm[] {
  if (!text) {
    problems.push('ALARM_CATALOG is not set (the JSON list of the alarms the notifier serves)');
    return [];
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    problems.push(`ALARM_CATALOG is not JSON (${(err as Error).message})`);
    return [];
  }
  const parsed = catalogSchema.safeParse(json);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    const where = first.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
    problems.push(`ALARM_CATALOG${where}: ${first.message}`);
    return [];
  }
  return parsed.data;
}

export interface NotifierEnv {
  readonly config: PromptCacheConfig;
  /** The listed (fleet and pipeline) alarms. */
  readonly catalog: readonly CatalogAlarm[];
  /** Every alarm of the stack by name: the listed ones and the configured models' precise alarms. */
  readonly findAlarm: AlarmLookup;
  /** ALARM_NAME_PREFIX: every alarm name starts with it and `-`. */
  readonly namePrefix: string;
  readonly pageTopicArn: string;
  readonly ticketTopicArn: string;
  readonly dashboardUrl?: string;
  readonly runbookUrl?: string;
  readonly publisherTimeoutMinutes?: number;
  /** SOURCE_ACCOUNTS (a roll-up's notifier): how pages name each source account (its target's stack). */
  readonly accountLabels?: Readonly<Record<string, string>>;
}

const accountLabelsSchema = record(string().regex(/^\d{12}$/), string().min(1));

/**
 * The notifier's environment: PAGE_TOPIC_ARN, TICKET_TOPIC_ARN, ALARM_NAME_PREFIX, ALARM_CATALOG, DASHBOARD_URL and
 * RUNBOOK_URL (optional), PUBLISHER_TIMEOUT_MINUTES (optional), SOURCE_ACCOUNTS (optional) and the config as the other handlers read it.
 */
export function readNotifierEnv(env: NodeJS.ProcessEnv): NotifierEnv {
  const problems: string[] = [];
  const topic = (name: string) => {
    const arn = env[name] ?? '';
    if (!/^arn:aws[a-z-]*:sns:/.test(arn)) problems.push(`${name} must be an SNS topic ARN (got ${JSON.stringify(arn)})`);
    return arn;
  };
  const pageTopicArn = topic('PAGE_TOPIC_ARN');
  const ticketTopicArn = topic('TICKET_TOPIC_ARN');
  const namePrefix = env.ALARM_NAME_PREFIX ?? '';
  if (namePrefix === '') problems.push('ALARM_NAME_PREFIX is not set (the prefix of every alarm name, before its "-")');
  const catalog = alarmCatalog(env.ALARM_CATALOG, problems);
  const url = (name: string) => {
    const value = env[name];
    if (value === undefined || value === '') return undefined;
    if (!value.startsWith('https://')) problems.push(`${name} must be an https:// URL (got ${JSON.stringify(value)})`);
    return value;
  };
  const dashboardUrl = url('DASHBOARD_URL');
  const runbookUrl = url('RUNBOOK_URL');
  const timeout = env.PUBLISHER_TIMEOUT_MINUTES;
  const publisherTimeoutMinutes = timeout === undefined || timeout === '' ? undefined : Number(timeout);
  if (publisherTimeoutMinutes !== undefined && !(Number.isInteger(publisherTimeoutMinutes) && publisherTimeoutMinutes > 0))
    problems.push(`PUBLISHER_TIMEOUT_MINUTES must be a whole number of minutes (got ${JSON.stringify(timeout)})`);
  let accountLabels: Record<string, string> | undefined;
  if (env.SOURCE_ACCOUNTS) {
    let json: unknown;
    try {
      json = JSON.parse(env.SOURCE_ACCOUNTS);
    } catch (err) {
      problems.push(`SOURCE_ACCOUNTS is not JSON (${(err as Error).message})`);
    }
    const parsed = accountLabelsSchema.safeParse(json);
    if (parsed.success) accountLabels = parsed.data;
    else if (json !== undefined) problems.push('SOURCE_ACCOUNTS must map 12-digit account ids to stack names');
  }
  const config = inlinedConfig(env, problems);
  failOnProblems('notifier', problems);
  return {
    config: config as PromptCacheConfig,
    catalog,
    findAlarm: alarmLookup(catalog, namePrefix, (config as PromptCacheConfig).models),
    namePrefix,
    pageTopicArn,
    ticketTopicArn,
    ...(dashboardUrl ? { dashboardUrl } : {}),
    ...(runbookUrl ? { runbookUrl } : {}),
    ...(publisherTimeoutMinutes === undefined ? {} : { publisherTimeoutMinutes }),
    ...(accountLabels ? { accountLabels } : {}),
  };
}
