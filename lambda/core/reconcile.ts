/**
 * The bill beside the computed cost (`prompt-cache reconcile`). Pure: the Cost Explorer lines (daily, by usage type and
 * region) and the AWS/Bedrock token Sums of the same days come in; per model (its catalog base id, region and routing)
 * the billed tokens and dollars, the CloudWatch tokens, the cost computed from them with the catalog, the drift and the
 * effective price per token class the bill implies come out; usage types it cannot map are listed, never dropped.
 *
 * A Bedrock usage type reads `<region prefix>-<billing model name>-<token class>[-cross-region-global|-geo]`, e.g.
 * `USE1-Claude4.5Sonnet-cache-read-input-token-count-cross-region-global` (known from third-party code and price
 * tables, not from AWS documentation: every name the parser does not know is listed as unmapped, and
 * `reconcile.usageTypes` in the config maps any usage type by hand, the 1-hour cache write's too).
 */
import { TOKEN_FIELDS, ZERO_TOKENS, addTokens, type TokenCounts } from './contract';
import type { PromptCacheConfig } from './config';
import { BUILT_IN_PRICES, baseModelId, resolveModelPrice, type PriceCatalogData, type TokenClass } from './prices';
import { dollarsPico, picoToUsd } from './savings';

/** How a model id reaches the model: in its region, through a geographic profile (`us.`, `eu.`, …) or a global one. */
export type Routing = 'in-region' | 'geo' | 'global';

/** One Cost Explorer group of one day: a usage type in a region, its quantity and its unblended cost. */
export interface BilledLine {
  readonly day: string;
  readonly usageType: string;
  /** Cost Explorer's REGION dimension (`us-east-1`); the usage type's prefix decides when absent. */
  readonly region?: string;
  /** UsageQuantity, in the usage type's unit. */
  readonly quantity: number;
  /** UnblendedCost, as Cost Explorer writes it (a decimal string). */
  readonly cost: string;
}

/** What a usage type bills. */
export interface UsageTypeMeaning {
  readonly region: string;
  /** The catalog's base model id (or the id a `reconcile.usageTypes` entry names). */
  readonly model: string;
  readonly tokenClass: TokenClass;
  /** A cache write's TTL: `5m` unless the bill separates the 1-hour write. */
  readonly ttl?: '5m' | '1h';
  readonly routing: Routing;
}

/** A hand mapping of one usage type (config `reconcile.usageTypes`). */
export interface UsageTypeOverride {
  readonly model: string;
  readonly tokenClass: TokenClass;
  readonly ttl?: '5m' | '1h';
  readonly routing?: Routing;
  readonly region?: string;
}

const CLASS_SUFFIXES: readonly (readonly [string, TokenClass])[] = [
  ['-cache-read-input-token-count', 'cacheRead'],
  ['-cache-write-input-token-count', 'cacheWrite'],
  ['-input-tokens', 'input'],
  ['-output-tokens', 'output'],
];
const ROUTING_SUFFIXES: readonly (readonly [string, Routing])[] = [
  ['-cross-region-global', 'global'],
  ['-cross-region-geo', 'geo'],
];

/**
 * The meaning of a usage type, or why it has none: the config's mapping first, then the pattern (region prefix from
 * the catalog's regions, the longest billing model name of the catalog's models, a token class, a routing suffix).
 */
export function parseUsageType(
  usageType: string,
  overrides: Readonly<Record<string, UsageTypeOverride>> = {},
  catalog: PriceCatalogData = BUILT_IN_PRICES,
): UsageTypeMeaning | { readonly unmapped: string } {
  const prefix = usageType.slice(0, Math.max(0, usageType.indexOf('-')));
  const prefixRegion = catalog.regions.find((r) => r.usageTypePrefix === prefix)?.region;
  const override = Object.prototype.hasOwnProperty.call(overrides, usageType) ? overrides[usageType] : undefined;
  if (override) {
    const region = override.region ?? prefixRegion;
    if (region === undefined)
      return { unmapped: `reconcile.usageTypes names no region and the prefix ${JSON.stringify(prefix)} is unknown` };
    return {
      region,
      model: override.model,
      tokenClass: override.tokenClass,
      ...(override.tokenClass === 'cacheWrite' ? { ttl: override.ttl ?? '5m' } : {}),
      routing: override.routing ?? 'in-region',
    };
  }
  if (prefixRegion === undefined) return { unmapped: `region prefix ${JSON.stringify(prefix)} is not in the catalog` };
  let rest = usageType.slice(prefix.length + 1);
  const model = [...catalog.models]
    .sort((a, b) => b.usageTypeModel.length - a.usageTypeModel.length)
    .find((m) => rest.startsWith(`${m.usageTypeModel}-`));
  if (!model) return { unmapped: 'no catalog model bills under this name' };
  rest = rest.slice(model.usageTypeModel.length);
  let routing: Routing = 'in-region';
  for (const [suffix, r] of ROUTING_SUFFIXES) {
    if (rest.endsWith(suffix)) {
      routing = r;
      rest = rest.slice(0, rest.length - suffix.length);
    }
  }
  const cls = CLASS_SUFFIXES.find(([suffix]) => rest === suffix);
  if (!cls) return { unmapped: `not a token class the catalog prices (${rest.slice(1)})` };
  return {
    region: prefixRegion,
    model: model.model,
    tokenClass: cls[1],
    ...(cls[1] === 'cacheWrite' ? { ttl: '5m' as const } : {}),
    routing,
  };
}

/** The routing of a CloudWatch ModelId: `global.` → global, another profile prefix → geo, else in-region. */
export function routingOf(modelId: string): Routing {
  if (modelId.startsWith('global.')) return 'global';
  return baseModelId(modelId) !== modelId ? 'geo' : 'in-region';
}

/** One region's token Sums over the window, per CloudWatch ModelId. */
export interface RegionUsage {
  readonly region: string;
  readonly models: readonly { readonly modelId: string; readonly tokens: TokenCounts }[];
}

/** Token counts by class (a cache write split by TTL where the bill separates it). */
export interface ClassTokens {
  readonly input: number;
  readonly output: number;
  readonly cacheRead: number;
  readonly cacheWrite: number;
}

export interface ReconcileRow {
  readonly model: string;
  readonly name: string | null;
  readonly region: string;
  readonly routing: Routing;
  /** The CloudWatch ModelIds counted here. */
  readonly modelIds: readonly string[];
  readonly billedTokens: ClassTokens;
  readonly cloudWatchTokens: ClassTokens;
  readonly billedCostUSD: number;
  /** The catalog's (or the config's) price × the CloudWatch tokens; null when a model id here has no price. */
  readonly computedCostUSD: number | null;
  /** billed − computed. */
  readonly driftUSD: number | null;
  /** Of billed; null when nothing was billed. */
  readonly driftPercent: number | null;
  /** Billed dollars per million billed tokens, per class (null without billed tokens of that class). */
  readonly effectivePricePerMTok: { readonly [K in keyof ClassTokens]: number | null };
  /** The billed cache-write tokens by TTL: a shift to 1-hour writes raises cost. */
  readonly cacheWriteTtlMix: { readonly fiveMinuteTokens: number; readonly oneHourTokens: number };
}

export interface UnmappedLine {
  readonly usageType: string;
  readonly quantity: number;
  readonly costUSD: number;
  readonly reason: string;
}

export interface Reconciliation {
  readonly window: { readonly start: string; readonly end: string };
  readonly tokensPerUsageUnit: number;
  readonly models: readonly ReconcileRow[];
  readonly unmapped: readonly UnmappedLine[];
  readonly totals: {
    readonly computedCostUSD: number;
    /** Every Bedrock line of the bill, the unmapped ones included. */
    readonly billedCostUSD: number;
    readonly driftUSD: number;
    readonly driftPercent: number | null;
  };
}

const PICO = 10n ** 12n;
/** A Cost Explorer amount (`"0.0101516483"`, `"-1.2E-7"`) as exact picodollars (rounded half away from zero past 12 digits). */
export function amountPico(amount: string): bigint {
  const n = Number(amount);
  if (!Number.isFinite(n)) throw new Error(`not an amount: ${JSON.stringify(amount)}`);
  const plain = /e/i.test(amount) ? n.toFixed(12) : amount.trim();
  const m = /^(-?)(\d*)(?:\.(\d*))?$/.exec(plain);
  if (!m) throw new Error(`not an amount: ${JSON.stringify(amount)}`);
  const digits = (m[3] ?? '').padEnd(13, '0');
  let pico = BigInt(m[2] || '0') * PICO + BigInt(digits.slice(0, 12));
  if (Number(digits[12]) >= 5) pico += 1n;
  return m[1] === '-' ? -pico : pico;
}
const usd = picoToUsd;

const CLASS_FIELD: { readonly [K in keyof ClassTokens]: keyof TokenCounts } = {
  input: 'inputTokens',
  output: 'outputTokens',
  cacheRead: 'cacheReadInputTokens',
  cacheWrite: 'cacheWriteInputTokens',
};
const classTokens = (t: TokenCounts): ClassTokens => ({
  input: t[CLASS_FIELD.input],
  output: t[CLASS_FIELD.output],
  cacheRead: t[CLASS_FIELD.cacheRead],
  cacheWrite: t[CLASS_FIELD.cacheWrite],
});

/** What a CloudWatch ModelId is on the bill: its catalog base id (priceAs, which a profile's route fills in, else the id's base). */
function billedModelOf(modelId: string, config: PromptCacheConfig): { model: string; routing: Routing } {
  const target = config.models.find((m) => m.modelId === modelId)?.priceAs ?? modelId;
  return { model: baseModelId(target), routing: routingOf(target) };
}

export interface ReconcileInput {
  readonly window: { readonly start: string; readonly end: string };
  readonly lines: readonly BilledLine[];
  readonly usage: readonly RegionUsage[];
  /** With the application inference profiles' routes as their priceAs (pricedWithProfiles). */
  readonly config: PromptCacheConfig;
  /** Tokens per unit of UsageQuantity (Bedrock's price unit is 1K tokens: 1,000). */
  readonly tokensPerUsageUnit: number;
  readonly overrides?: Readonly<Record<string, UsageTypeOverride>>;
  readonly catalog?: PriceCatalogData;
}

interface Acc {
  model: string;
  region: string;
  routing: Routing;
  modelIds: Set<string>;
  billed: Record<keyof ClassTokens, number>;
  billedPico: Record<keyof ClassTokens, bigint>;
  oneHour: number;
  cloudWatch: TokenCounts;
  computedPico: bigint;
  unpriced: boolean;
}

/** The reconciliation of one window: rows sorted by billed cost (largest first), then by model, region, routing. */
export function reconcile(input: ReconcileInput): Reconciliation {
  const catalog = input.catalog ?? BUILT_IN_PRICES;
  const rows = new Map<string, Acc>();
  const acc = (model: string, region: string, routing: Routing): Acc => {
    const key = `${model}|${region}|${routing}`;
    let a = rows.get(key);
    if (!a) {
      const zero = { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 };
      a = {
        model,
        region,
        routing,
        modelIds: new Set(),
        billed: { ...zero },
        billedPico: { input: 0n, output: 0n, cacheRead: 0n, cacheWrite: 0n },
        oneHour: 0,
        cloudWatch: ZERO_TOKENS,
        computedPico: 0n,
        unpriced: false,
      };
      rows.set(key, a);
    }
    return a;
  };

  let billedTotal = 0n;
  const unmapped = new Map<string, { quantity: number; pico: bigint; reason: string }>();
  for (const line of input.lines) {
    const pico = amountPico(line.cost);
    billedTotal += pico;
    const meaning = parseUsageType(line.usageType, input.overrides, catalog);
    if ('unmapped' in meaning) {
      const u = unmapped.get(line.usageType) ?? { quantity: 0, pico: 0n, reason: meaning.unmapped };
      unmapped.set(line.usageType, { ...u, quantity: u.quantity + line.quantity, pico: u.pico + pico });
      continue;
    }
    const a = acc(meaning.model, line.region && line.region !== 'NoRegion' ? line.region : meaning.region, meaning.routing);
    const tokens = line.quantity * input.tokensPerUsageUnit;
    a.billed[meaning.tokenClass] += tokens;
    a.billedPico[meaning.tokenClass] += pico;
    if (meaning.ttl === '1h') a.oneHour += tokens;
  }

  let computedTotal = 0n;
  for (const { region, models } of input.usage) {
    for (const { modelId, tokens } of models) {
      if (TOKEN_FIELDS.every((f) => tokens[f] === 0)) continue;
      const { model, routing } = billedModelOf(modelId, input.config);
      const a = acc(model, region, routing);
      a.modelIds.add(modelId);
      a.cloudWatch = addTokens(a.cloudWatch, tokens);
      const configured = input.config.models.find((m) => m.modelId === modelId);
      const price = resolveModelPrice(configured, modelId, input.config, region);
      if (!price) {
        a.unpriced = true;
        continue;
      }
      const pico = dollarsPico(tokens, price).costWithCache;
      a.computedPico += pico;
      computedTotal += pico;
    }
  }

  const perMTok = (pico: bigint, tokens: number) => (tokens > 0 ? usd(pico) / (tokens / 1e6) : null);
  const out: ReconcileRow[] = [...rows.values()].map((a) => {
    const billedPico = a.billedPico.input + a.billedPico.output + a.billedPico.cacheRead + a.billedPico.cacheWrite;
    const computed = a.unpriced ? null : a.computedPico;
    const drift = computed === null ? null : billedPico - computed;
    return {
      model: a.model,
      name: catalog.models.find((m) => m.model === a.model)?.name ?? null,
      region: a.region,
      routing: a.routing,
      modelIds: [...a.modelIds].sort(),
      billedTokens: { ...a.billed },
      cloudWatchTokens: classTokens(a.cloudWatch),
      billedCostUSD: usd(billedPico),
      computedCostUSD: computed === null ? null : usd(computed),
      driftUSD: drift === null ? null : usd(drift),
      driftPercent: drift === null || billedPico === 0n ? null : (100 * Number(drift)) / Number(billedPico),
      effectivePricePerMTok: {
        input: perMTok(a.billedPico.input, a.billed.input),
        output: perMTok(a.billedPico.output, a.billed.output),
        cacheRead: perMTok(a.billedPico.cacheRead, a.billed.cacheRead),
        cacheWrite: perMTok(a.billedPico.cacheWrite, a.billed.cacheWrite),
      },
      cacheWriteTtlMix: { fiveMinuteTokens: a.billed.cacheWrite - a.oneHour, oneHourTokens: a.oneHour },
    };
  });
  out.sort(
    (x, y) =>
      y.billedCostUSD - x.billedCostUSD ||
      x.model.localeCompare(y.model) ||
      x.region.localeCompare(y.region) ||
      x.routing.localeCompare(y.routing),
  );
  const drift = billedTotal - computedTotal;
  return {
    window: input.window,
    tokensPerUsageUnit: input.tokensPerUsageUnit,
    models: out,
    unmapped: [...unmapped.entries()]
      .map(([usageType, u]) => ({ usageType, quantity: u.quantity, costUSD: usd(u.pico), reason: u.reason }))
      .sort((a, b) => b.costUSD - a.costUSD || a.usageType.localeCompare(b.usageType)),
    totals: {
      computedCostUSD: usd(computedTotal),
      billedCostUSD: usd(billedTotal),
      driftUSD: usd(drift),
      driftPercent: billedTotal === 0n ? null : (100 * Number(drift)) / Number(billedTotal),
    },
  };
}

/**
 * Tokens per unit of UsageQuantity when the config says `auto`: the unit that brings the billed input tokens nearest the
 * CloudWatch ones over the mapped rows (1 or 1,000; Bedrock's price unit is 1K tokens, UNCONFIRMED for UsageQuantity).
 * 1,000 when there is nothing to compare.
 */
export function detectTokensPerUsageUnit(
  lines: readonly BilledLine[],
  usage: readonly RegionUsage[],
  overrides?: Readonly<Record<string, UsageTypeOverride>>,
): number {
  let billed = 0;
  for (const l of lines) {
    const m = parseUsageType(l.usageType, overrides);
    if (!('unmapped' in m)) billed += l.quantity;
  }
  const watched = usage.flatMap((u) => u.models).reduce((n, m) => n + TOKEN_FIELDS.reduce((k, f) => k + m.tokens[f], 0), 0);
  if (billed <= 0 || watched <= 0) return 1000;
  // On a log scale, which of 1 and 1,000 is nearer the ratio.
  return Math.abs(Math.log10(watched / billed)) < Math.abs(Math.log10(watched / billed) - 3) ? 1 : 1000;
}

/** The weekly review's "billed vs computed" line: one region's bill beside the cost computed from its tokens. */
export type BillComparison =
  | {
      readonly region: string;
      readonly billedCostUSD: number;
      readonly computedCostUSD: number;
      readonly driftUSD: number;
      readonly driftPercent: number | null;
      /** Billed in the region under usage types the catalog does not map (in billedCostUSD too). */
      readonly unmappedCostUSD: number;
    }
  | { readonly region: string; readonly unavailable: string };

/** The reconciliation of one region: the bill's lines of `region` (Cost Explorer's REGION, else the usage type's prefix) against its tokens. */
export function reconcileRegion(
  lines: readonly BilledLine[],
  region: string,
  models: RegionUsage['models'],
  config: PromptCacheConfig,
  window: { readonly start: string; readonly end: string },
): Reconciliation {
  const overrides = config.reconcile.usageTypes;
  const inRegion = lines.filter((l) => {
    if (l.region && l.region !== 'NoRegion') return l.region === region;
    const m = parseUsageType(l.usageType, overrides);
    return !('unmapped' in m) && m.region === region;
  });
  const usage = [{ region, models }];
  const unit = config.reconcile.tokensPerUsageUnit;
  return reconcile({
    window,
    lines: inRegion,
    usage,
    config,
    tokensPerUsageUnit: unit === 'auto' ? detectTokensPerUsageUnit(inRegion, usage, overrides) : unit,
    overrides,
  });
}

/** The weekly review's line: {@link reconcileRegion}'s totals. */
export function compareWithBill(
  lines: readonly BilledLine[],
  region: string,
  models: RegionUsage['models'],
  config: PromptCacheConfig,
  window: { readonly start: string; readonly end: string },
): BillComparison {
  const r = reconcileRegion(lines, region, models, config, window);
  return {
    region,
    billedCostUSD: r.totals.billedCostUSD,
    computedCostUSD: r.totals.computedCostUSD,
    driftUSD: r.totals.driftUSD,
    driftPercent: r.totals.driftPercent,
    unmappedCostUSD: r.unmapped.reduce((n, u) => n + u.costUSD, 0),
  };
}
