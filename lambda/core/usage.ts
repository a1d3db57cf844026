/**
 * Usage files for `prompt-cache report --usage FILE` (README "Operator CLI"): either aggregate JSON
 * `{"models":[{"modelId","inputTokens","cacheReadInputTokens","cacheWriteInputTokens","outputTokens"}]}`, or JSON Lines of
 * `{"modelId": "...", "usage": {...}}` with a Bedrock usage block in InvokeModel (snake_case) or Converse (camelCase)
 * form, summed per model. Pure: text in, usage out, or a UsageFileError naming the file, the line or field and the fix.
 */
// Named imports: `z` drags every zod locale into the Lambda bundle (444 KB instead of ~95 KB).
import { array, looseObject, number, record, strictObject, string, unknown } from 'zod';
import type { z } from 'zod';
import { formatPath } from './config';
import type { TokenCounts } from './contract';
import type { ModelUsage } from './report';

export class UsageFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageFileError';
  }
}

const tokenCount = number({ error: 'must be a number of tokens' }).refine((n) => Number.isSafeInteger(n) && n >= 0, {
  error: 'must be a non-negative whole number of tokens',
});
const modelId = string({ error: 'must be a model id string' }).min(1, { error: 'must be a non-empty model id' });

const aggregateSchema = strictObject({
  models: array(
    strictObject({
      modelId,
      inputTokens: tokenCount,
      cacheReadInputTokens: tokenCount,
      cacheWriteInputTokens: tokenCount,
      outputTokens: tokenCount,
    }),
    { error: 'must be an array of model rows' },
  ),
});

/**
 * Bedrock's usage field names per API: InvokeModel (Anthropic) and Converse. Input and output are always there, the
 * cache fields only when caching is used. Bedrock adds fields over time (totalTokens, cacheDetails, cache_creation,
 * service_tier, …): unknown keys pass.
 */
const USAGE_FORMS = [
  { input: 'input_tokens', output: 'output_tokens', write: 'cache_creation_input_tokens', read: 'cache_read_input_tokens' },
  { input: 'inputTokens', output: 'outputTokens', write: 'cacheWriteInputTokens', read: 'cacheReadInputTokens' },
].map((names) => ({
  names,
  schema: looseObject({
    [names.input]: tokenCount,
    [names.output]: tokenCount,
    [names.write]: tokenCount.optional(),
    [names.read]: tokenCount.optional(),
  }),
}));
const lineSchema = looseObject({ modelId, usage: record(string(), unknown(), { error: 'must be a usage object' }) });

function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  const path = formatPath(issue.path);
  const got = issue.input === undefined ? 'missing' : `got ${JSON.stringify(issue.input)}`;
  return `${path}: ${issue.message} (${got})`;
}

function parseUsageBlock(usage: Record<string, unknown>): TokenCounts | string {
  const form = USAGE_FORMS.find(({ names }) => names.input in usage || names.output in usage);
  if (form) {
    const r = form.schema.safeParse(usage, { reportInput: true });
    if (!r.success) return `usage.${firstIssue(r.error)}`;
    const value = (name: string) => (r.data as Record<string, number | undefined>)[name] ?? 0;
    const { names } = form;
    return {
      inputTokens: value(names.input),
      cacheReadInputTokens: value(names.read),
      cacheWriteInputTokens: value(names.write),
      outputTokens: value(names.output),
    };
  }
  return 'usage: is neither an InvokeModel usage block (input_tokens, output_tokens, cache_…) nor a Converse one (inputTokens, outputTokens, cache…)';
}

function parseLines(text: string, file: string): ModelUsage[] {
  const out: ModelUsage[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    const where = `${file}: line ${i + 1}`;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (err) {
      throw new UsageFileError(
        `${where}: not valid JSON (${(err as Error).message}); each line must be one {"modelId": ..., "usage": {...}} object`,
      );
    }
    const r = lineSchema.safeParse(value, { reportInput: true });
    if (!r.success) throw new UsageFileError(`${where}: ${firstIssue(r.error)}`);
    const tokens = parseUsageBlock(r.data.usage);
    if (typeof tokens === 'string') throw new UsageFileError(`${where}: ${tokens}`);
    out.push({ modelId: r.data.modelId, tokens });
  });
  if (out.length === 0)
    throw new UsageFileError(`${file}: no usage records; expected aggregate JSON {"models":[...]} or JSON Lines of {"modelId","usage"}`);
  return out;
}

function parseAggregate(value: unknown, file: string): ModelUsage[] {
  const r = aggregateSchema.safeParse(value, { reportInput: true });
  if (!r.success) {
    const issue = r.error.issues[0];
    if (issue.code === 'unrecognized_keys') {
      throw new UsageFileError(
        `${file}: ${formatPath([...issue.path, issue.keys[0]])}: unknown field; expected modelId, inputTokens, cacheReadInputTokens, cacheWriteInputTokens, outputTokens`,
      );
    }
    throw new UsageFileError(`${file}: ${firstIssue(r.error)}`);
  }
  const seen = new Map<string, number>();
  return r.data.models.map((m, i) => {
    const first = seen.get(m.modelId);
    if (first !== undefined)
      throw new UsageFileError(
        `${file}: models[${i}].modelId: duplicates models[${first}].modelId; list each model once (got ${JSON.stringify(m.modelId)})`,
      );
    seen.set(m.modelId, i);
    const { modelId: id, ...tokens } = m;
    return { modelId: id, tokens };
  });
}

/** Parses a usage file's text; `file` is how errors name it. Throws UsageFileError on the first problem. */
export function parseUsageFile(text: string, file: string): ModelUsage[] {
  const trimmed = text.trim();
  if (trimmed === '')
    throw new UsageFileError(`${file}: the file is empty; expected aggregate JSON {"models":[...]} or JSON Lines of {"modelId","usage"}`);
  let whole: unknown;
  try {
    whole = JSON.parse(trimmed);
  } catch {
    // Not one JSON document: JSON Lines (a single-line JSONL file also parses whole and is handled below).
    return parseLines(text, file);
  }
  if (whole !== null && typeof whole === 'object' && !Array.isArray(whole) && 'models' in whole) return parseAggregate(whole, file);
  if (whole !== null && typeof whole === 'object' && !Array.isArray(whole) && ('modelId' in whole || 'usage' in whole))
    return parseLines(text, file);
  throw new UsageFileError(`${file}: unknown format; expected aggregate JSON {"models":[...]} or JSON Lines of {"modelId","usage"}`);
}
