/**
 * The report over many targets as markdown (the answer first, then a row per target, then the models), CSV (a row
 * per target and the total) or JSON (`{"targets", "models", "totals"}`: the report's model and totals fields, each
 * model row naming its region and account). Pure.
 */
import type { FleetReport, TargetRow } from './fleet-report';
import { percent, savedOrLost, tokens, usd } from './human-numbers';
import { csvField, MODEL_CSV_COLUMNS, modelName, type ReportFormat } from './report-format';
import { totalTokenCount } from './report';

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
