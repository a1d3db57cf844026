/**
 * Renders a reconciliation: JSON (the contract's fields, exact values), CSV (one row per model, the unmapped lines and
 * a TOTAL row) and markdown for the cost meeting (the answer first: does it match the bill). Pure.
 */
import { percent, signedPercent, signedUsd, tokens, usd } from './human-numbers';
import { csvField, type ReportFormat } from './report-format';
import type { ClassTokens, Reconciliation, ReconcileRow } from './reconcile';

/** Drift within this share of the bill reads as "matches". */
export const MATCH_PERCENT = 1;

const CLASSES: readonly (keyof ClassTokens)[] = ['input', 'output', 'cacheRead', 'cacheWrite'];
const CLASS_TITLES: { readonly [K in keyof ClassTokens]: string } = {
  input: 'input',
  output: 'output',
  cacheRead: 'cache read',
  cacheWrite: 'cache write',
};

export const RECONCILE_CSV_COLUMNS = [
  'kind',
  'model',
  'name',
  'region',
  'routing',
  'usageType',
  ...CLASSES.map((c) => `billed_${c}Tokens`),
  ...CLASSES.map((c) => `cloudWatch_${c}Tokens`),
  'billedCostUSD',
  'computedCostUSD',
  'driftUSD',
  'driftPercent',
  ...CLASSES.map((c) => `effective_${c}PerMTok`),
  'cacheWrite5mTokens',
  'cacheWrite1hTokens',
  'reason',
] as const;

function csv(r: Reconciliation): string {
  const row = (values: Partial<Record<(typeof RECONCILE_CSV_COLUMNS)[number], unknown>>) =>
    RECONCILE_CSV_COLUMNS.map((c) => csvField(values[c] ?? '')).join(',');
  const lines = [RECONCILE_CSV_COLUMNS.join(',')];
  for (const m of r.models) {
    lines.push(
      row({
        kind: 'model',
        model: m.model,
        name: m.name,
        region: m.region,
        routing: m.routing,
        ...Object.fromEntries(CLASSES.map((c) => [`billed_${c}Tokens`, m.billedTokens[c]])),
        ...Object.fromEntries(CLASSES.map((c) => [`cloudWatch_${c}Tokens`, m.cloudWatchTokens[c]])),
        billedCostUSD: m.billedCostUSD,
        computedCostUSD: m.computedCostUSD,
        driftUSD: m.driftUSD,
        driftPercent: m.driftPercent,
        ...Object.fromEntries(CLASSES.map((c) => [`effective_${c}PerMTok`, m.effectivePricePerMTok[c]])),
        cacheWrite5mTokens: m.cacheWriteTtlMix.fiveMinuteTokens,
        cacheWrite1hTokens: m.cacheWriteTtlMix.oneHourTokens,
      }),
    );
  }
  for (const u of r.unmapped) lines.push(row({ kind: 'unmapped', usageType: u.usageType, billedCostUSD: u.costUSD, reason: u.reason }));
  lines.push(
    row({
      kind: 'total',
      billedCostUSD: r.totals.billedCostUSD,
      computedCostUSD: r.totals.computedCostUSD,
      driftUSD: r.totals.driftUSD,
      driftPercent: r.totals.driftPercent,
    }),
  );
  return `${lines.join('\n')}\n`;
}

/** "matches the bill", "the bill is 6.9% lower", "the bill is 12% higher". */
export function driftVerdict(driftPercent: number | null): string {
  if (driftPercent === null) return 'nothing billed to compare with';
  if (Math.abs(driftPercent) <= MATCH_PERCENT) return `matches the bill (within ${MATCH_PERCENT}%)`;
  return `the bill is ${percent(Math.abs(driftPercent))} ${driftPercent < 0 ? 'lower' : 'higher'} than computed`;
}

const label = (m: ReconcileRow) => `${m.name ?? m.model} (${m.region}, ${m.routing})`;

function markdown(r: Reconciliation): string {
  const t = r.totals;
  const out = [
    `# Bedrock bill vs computed cost, ${r.window.start} to ${r.window.end} (exclusive)`,
    '',
    `**${driftVerdict(t.driftPercent)}**: billed ${usd(t.billedCostUSD)}, computed ${usd(t.computedCostUSD)}, drift ${signedUsd(t.driftUSD)}${t.driftPercent === null ? '' : ` (${signedPercent(t.driftPercent)})`}.`,
    '',
    '| model | billed | computed | drift | billed / CloudWatch tokens (in, out, read, write) | effective $/MTok (in, out, read, write) | 1-hour writes |',
    '| --- | ---: | ---: | ---: | --- | --- | ---: |',
    ...r.models.map((m) => {
      const toks = CLASSES.map((c) => `${tokens(m.billedTokens[c])} / ${tokens(m.cloudWatchTokens[c])}`).join(', ');
      const eff = CLASSES.map((c) => {
        const p = m.effectivePricePerMTok[c];
        return p === null ? '–' : usd(p);
      }).join(', ');
      const drift =
        m.driftUSD === null
          ? 'unpriced'
          : `${signedUsd(m.driftUSD)}${m.driftPercent === null ? '' : ` (${signedPercent(m.driftPercent)})`}`;
      const writes = m.cacheWriteTtlMix.fiveMinuteTokens + m.cacheWriteTtlMix.oneHourTokens;
      const oneHour = writes === 0 ? '–' : percent((100 * m.cacheWriteTtlMix.oneHourTokens) / writes);
      return `| ${label(m)} | ${usd(m.billedCostUSD)} | ${m.computedCostUSD === null ? '–' : usd(m.computedCostUSD)} | ${drift} | ${toks} | ${eff} | ${oneHour} |`;
    }),
  ];
  if (r.unmapped.length > 0) {
    out.push(
      '',
      `**Not mapped** (in the billed total, not in any model): ${r.unmapped.length} usage type${r.unmapped.length === 1 ? '' : 's'}.`,
      '',
    );
    out.push('| usage type | billed | why |', '| --- | ---: | --- |');
    for (const u of r.unmapped) out.push(`| ${u.usageType} | ${usd(u.costUSD)} | ${u.reason} |`);
  }
  out.push(
    '',
    `Token classes: ${CLASSES.map((c) => CLASS_TITLES[c]).join(', ')}. Billed tokens are UsageQuantity × ${r.tokensPerUsageUnit.toLocaleString('en-US')}. ` +
      'Drift = billed − computed, as a share of billed; an effective price below the catalog is a discount or private pricing, above it a regional rate or a price change.',
  );
  return `${out.join('\n')}\n`;
}

export function renderReconciliation(r: Reconciliation, format: ReportFormat): string {
  if (format === 'json') return `${JSON.stringify(r, null, 2)}\n`;
  if (format === 'csv') return csv(r);
  return markdown(r);
}
