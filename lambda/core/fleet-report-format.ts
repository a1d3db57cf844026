/**
 * The report over many targets as markdown (the answer first, then a row per target, then the models), CSV (a row
 * per target and the total) or JSON (`{"targets", "models", "totals"}`: the report's model and totals fields, each
 * model row naming its region and account). Pure.
 */
import type { FleetReport, TargetRow } from './fleet-report';
import { percent, savedOrLost, tokens, usd } from './human-numbers';
import { costShare, csvField, MODEL_CSV_COLUMNS, modelName, type ReportFormat } from './report-format';
import { totalTokenCount } from './report';
import { SNS_SUBJECT_MAX } from './weekly-format';

const target = (t: Pick<TargetRow, 'region' | 'account'>) => (t.account ? `${t.account} ${t.region}` : t.region);

/** A target's row: what it is, then the figure columns of a model row (tokens, ratios, dollars), then the unpriced tokens. */
const TARGET_CSV_COLUMNS = [
  'region',
  'account',
  'status',
  'modelsWithTokens',
  ...MODEL_CSV_COLUMNS.slice(MODEL_CSV_COLUMNS.indexOf('inputTokens')),
  'unpricedTokens',
] as const;

function markdown(r: FleetReport, title: string): string {
  const withData = r.targets.filter((t) => t.status === 'data');
  const without = r.targets.filter((t) => t.status === 'no-data');
  const t = r.totals;
  const head =
    withData.length === 0
      ? `**No target has Bedrock tokens in the window** (${r.targets.length} read).`
      : `**Prompt caching ${savedOrLost(t.netSavingsUSD)} net over ${withData.length} target${withData.length === 1 ? '' : 's'}**: cost with cache ${usd(t.costWithCacheUSD)}, without ${usd(t.costWithoutCacheUSD)}, hit ratio ${percent(t.cacheHitRatioPercent)}.`;
  const lines = [
    `# ${title}`,
    '',
    head,
    ...(without.length > 0 ? ['', `No data (no token in the window, not $0 of savings): ${without.map(target).join(', ')}.`] : []),
    '',
    '| target | models | hit ratio | cost with cache | cost without | net savings |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    ...r.targets.map((x) =>
      x.totals
        ? `| ${target(x)} | ${x.modelsWithTokens} | ${percent(x.totals.cacheHitRatioPercent)} | ${usd(x.totals.costWithCacheUSD)} | ${usd(x.totals.costWithoutCacheUSD)} | ${usd(x.totals.netSavingsUSD)} |`
        : `| ${target(x)} | 0 | no data | – | – | – |`,
    ),
    `| **total** | ${r.models.length} | ${percent(t.cacheHitRatioPercent)} | ${usd(t.costWithCacheUSD)} | ${usd(t.costWithoutCacheUSD)} | ${usd(t.netSavingsUSD)} |`,
  ];
  if (r.models.length > 0) {
    lines.push(
      '',
      '| model | target | tokens | hit ratio | net savings | status |',
      '| --- | --- | ---: | ---: | ---: | --- |',
      ...[...r.models]
        .sort((a, b) => (a.netSavingsUSD ?? 0) - (b.netSavingsUSD ?? 0) || a.modelId.localeCompare(b.modelId))
        .map(
          (m) =>
            `| ${modelName(m)} | ${target(m)} | ${tokens(totalTokenCount(m))} | ${percent(m.cacheHitRatioPercent)} | ${usd(m.netSavingsUSD)} | ${m.status} |`,
        ),
    );
  }
  if (t.unpricedTokens > 0) lines.push('', `Unpriced tokens (left out of the dollars): ${tokens(t.unpricedTokens)}.`);
  return `${lines.join('\n')}\n`;
}

function csv(r: FleetReport): string {
  const rows: Partial<Record<(typeof TARGET_CSV_COLUMNS)[number], unknown>>[] = [
    ...r.targets.map((t) => ({
      region: t.region,
      account: t.account,
      status: t.status,
      modelsWithTokens: t.modelsWithTokens,
      ...(t.totals ?? {}),
    })),
    { region: 'TOTAL', modelsWithTokens: r.models.length, ...r.totals },
  ];
  return `${[TARGET_CSV_COLUMNS.join(','), ...rows.map((x) => TARGET_CSV_COLUMNS.map((c) => csvField(x[c])).join(','))].join('\r\n')}\r\n`;
}

export function renderFleetReport(r: FleetReport, format: ReportFormat, title: string): string {
  switch (format) {
    case 'json':
      return `${JSON.stringify(r, null, 2)}\n`;
    case 'csv':
      return csv(r);
    case 'markdown':
      return markdown(r, title);
  }
}

/** Models a fleet digest shows per target: the ones with the most dollars at stake. */
export const FLEET_DIGEST_TOP_MODELS = 3;

/** A target's totals in one line of plain text. */
function targetFigures(t: NonNullable<TargetRow['totals']>): string {
  return `${savedOrLost(t.netSavingsUSD)} net; cost with cache ${usd(t.costWithCacheUSD)}, without ${usd(t.costWithoutCacheUSD)}; hit ratio ${percent(t.cacheHitRatioPercent)}`;
}

/**
 * The fleet digest (the monitoring account's weekly e-mail over every target), plain text: the total headline, a line
 * per target (account and region) and the total, then each target's top models by the dollars at stake (the size of
 * their net savings or loss), and the full ids of the names shown. A target without a token is "no data", never $0.
 */
export function renderFleetDigest(r: FleetReport, window: string, topModels = FLEET_DIGEST_TOP_MODELS): string {
  const withData = r.targets.filter((t) => t.status === 'data');
  const without = r.targets.filter((t) => t.status === 'no-data');
  const t = r.totals;
  const lines = [
    `Prompt cache weekly review over ${r.targets.length} target${r.targets.length === 1 ? '' : 's'}, ${window}`,
    '',
    withData.length === 0
      ? `No target has Bedrock tokens in the window (${r.targets.length} read).`
      : `Caching ${savedOrLost(t.netSavingsUSD)} net over ${withData.length} target${withData.length === 1 ? '' : 's'}${costShare(t.netSavingsUSD, t.costWithoutCacheUSD)}: cost with cache ${usd(t.costWithCacheUSD)}, without ${usd(t.costWithoutCacheUSD)}, hit ratio ${percent(t.cacheHitRatioPercent)}.`,
    ...(without.length > 0 ? [`No data (no token in the window, not $0 of savings): ${without.map(target).join(', ')}.`] : []),
    ...(t.unpricedTokens > 0 ? [`Unpriced tokens (left out of the dollars): ${tokens(t.unpricedTokens)}.`] : []),
    '',
    'PER TARGET',
    ...r.targets.map((x) =>
      x.totals
        ? `  ${target(x)}: ${targetFigures(x.totals)}; ${x.modelsWithTokens} model${x.modelsWithTokens === 1 ? '' : 's'}`
        : `  ${target(x)}: no data`,
    ),
    ...(withData.length > 0 ? [`  TOTAL: ${targetFigures(t)}; ${r.models.length} model${r.models.length === 1 ? '' : 's'}`] : []),
  ];
  const names = new Map<string, string>();
  if (r.models.length > 0) lines.push('', 'TOP MODELS PER TARGET (by dollars at stake)');
  for (const x of withData) {
    const own = r.models
      .filter((m) => m.region === x.region && m.account === x.account)
      .sort((a, b) => Math.abs(b.netSavingsUSD ?? 0) - Math.abs(a.netSavingsUSD ?? 0) || a.modelId.localeCompare(b.modelId));
    lines.push(`  ${target(x)}`);
    for (const m of own.slice(0, topModels)) {
      const name = modelName(m);
      if (name !== m.modelId) names.set(name, m.modelId);
      const net = m.netSavingsUSD === null ? 'unpriced' : savedOrLost(m.netSavingsUSD);
      lines.push(`    ${name} [${m.status}]: ${net}, hit ratio ${percent(m.cacheHitRatioPercent)}, ${tokens(totalTokenCount(m))} tokens`);
    }
    const rest = own.length - topModels;
    if (rest > 0) lines.push(`    and ${rest} more model${rest === 1 ? '' : 's'}`);
  }
  if (names.size > 0) lines.push('', 'MODEL IDS', ...[...names].map(([name, id]) => `  ${name}: ${id}`));
  return `${lines.join('\n')}\n`;
}

/** The fleet digest's subject: the total first; cut to SNS's limit and to printable ASCII. */
export function fleetDigestSubject(r: FleetReport, window: string): string {
  const withData = r.targets.filter((t) => t.status === 'data').length;
  const of = `${r.targets.length} target${r.targets.length === 1 ? '' : 's'}`;
  const text =
    withData === 0
      ? `Prompt caching: no Bedrock tokens in ${of}, ${window}`
      : `Prompt caching ${savedOrLost(r.totals.netSavingsUSD)} net over ${withData} of ${of}, ${window}`;
  const ascii = text.replace(/[^\x20-\x7e]/g, '');
  return ascii.length <= SNS_SUBJECT_MAX ? ascii : `${ascii.slice(0, SNS_SUBJECT_MAX - 3)}...`;
}
