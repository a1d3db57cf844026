/**
 * The runbook of every alarm family in night order — symptom, how bad (dollars per hour where it is money), do first,
 * checks, can it wait, when it clears — written once for both readers: the page of one model (its TTL, price,
 * break-even, thresholds and the live figures) and the alarm's own description (a fleet alarm's for any model, a
 * precise or pipeline alarm's for its one subject). Pure.
 */
import type { CatalogAlarm, Severity } from '../alarm-catalog';
import type { ModelAlarmSettings, PromptCacheConfig } from '../config';
import { modelAlarmSettings } from '../config';
import { formatCount, formatMultiple, formatPercent, formatPricePerMTok, formatUsd, formatUsdPerHour, formatUtc } from './format';
import type { BreachingRun, ModelReading, SeriesPoint } from './figures';
import { claudeBreakEvens, type ModelFacts } from './model';
import { alarmWindow, clearsWhen, heartbeatPeriods, lagThresholdMinutes, onePeriod, type EvalWindow } from './windows';

/** Hours until working hours, for "can it wait": a night. */
export const NIGHT_HOURS = 8;
/** The heartbeat fills a period without a lag report with this value (lib/alarms LAG_FILL_MINUTES). */
export const LAG_FILL_MINUTES = 99_999;

export interface RunbookSections {
  readonly severity: Severity;
  /** What is wrong, one clause (the page puts the model and the family before it). */
  readonly symptom: string;
  readonly howBad: string;
  readonly doFirst: string;
  readonly checks: readonly string[];
  readonly canWait: string;
  readonly clears: string;
}

/** What a page knows beyond the config (none in a description). */
export interface LiveView {
  /** When the alarm changed state. */
  readonly atMs: number;
  /** The model's newest published figures (model alarms). */
  readonly reading?: ModelReading;
  /** The current run of breaching periods of the alarm's own series. */
  readonly run?: BreachingRun;
  /** Pipeline alarms: the newest lag report and the newest one within the threshold. */
  readonly lag?: { readonly latest?: SeriesPoint; readonly lastGood?: SeriesPoint };
  /** Bill alarms: the newest day's drift (all models) and that day's bill, USD. */
  readonly bill?: { readonly latest?: SeriesPoint; readonly billedUSD?: number };
  /** The alarm's own datapoint from the event (its metric's unit). */
  readonly value?: number;
  /** Writes without reads: the write premium of the newest period's unread writes, USD per hour. */
  readonly wastedUsdPerHour?: number;
  /** Why there are no figures, when they could not be read. */
  readonly unavailable?: string;
}

export interface RunbookInput {
  readonly alarm: CatalogAlarm;
  readonly config: PromptCacheConfig;
  /** The model of a page or of a precise alarm; undefined for a fleet alarm's description (any model). */
  readonly model?: ModelFacts;
  readonly live?: LiveView;
  readonly publisherTimeoutMinutes: number;
}

const TONIGHT_NOTHING = 'nothing tonight: it can wait for working hours.';

/** The model's name in a page, "the model" in a fleet description. */
const who = (model: ModelFacts | undefined): string => model?.label ?? 'the model';

const claude = () => {
  const be = claudeBreakEvens();
  return `this model's break-even (5-minute Claude cache ${formatPercent(be.fiveMinute)}, 1-hour ${formatPercent(be.oneHour)})`;
};

/** `break-even 52.6%`, `break-even unknown (no price)`, or the Claude pair for any model. */
function breakEven(model: ModelFacts | undefined): string {
  if (!model) return claude();
  return model.breakEvenPercent === undefined
    ? 'break-even unknown (no price known)'
    : `break-even ${formatPercent(model.breakEvenPercent)}`;
}

/** `62.6% (break-even 52.6% + 10 points)`, `50% (alarms.lowHitRatio.thresholdPercent)`, or the rule for any model. */
function lowHitThreshold(model: ModelFacts | undefined, s: ModelAlarmSettings['lowHitRatio']): string {
  if (!model)
    return `the larger of ${formatPercent(s.thresholdPercent)} and ${claude()} + ${formatPercent(s.breakEvenMarginPoints).replace('%', '')} points`;
  const be = model.breakEvenPercent;
  if (be !== undefined && model.lowHitThresholdPercent > s.thresholdPercent)
    return `${formatPercent(model.lowHitThresholdPercent)} (break-even ${formatPercent(be)} + ${formatPercent(s.breakEvenMarginPoints).replace('%', '')} points)`;
  return `${formatPercent(model.lowHitThresholdPercent)} (the configured threshold)`;
}

/** The TTL advice: what misses with this TTL, and when the other one pays. */
function ttlCheck(model: ModelFacts | undefined): string {
  if (!model) {
    const be = claudeBreakEvens();
    return `TTL: 5-minute misses calls over 5 min apart; 1-hour writes at 2x input (break-even ${formatPercent(be.oneHour)})`;
  }
  const other = model.otherTtlBreakEvenPercent;
  // Shown only where writes cost more than input (Nova's catalog row bills no premium).
  const p = model.price;
  const write = p && p.cacheWriteMicro > p.inputMicro ? formatMultiple(p.cacheWriteMicro, p.inputMicro) : undefined;
  if (model.ttl === '1h') {
    const cheaper =
      other === undefined
        ? ''
        : `; with calls under 5 min apart the 5-minute cache (break-even ${formatPercent(other)}) is cheaper: cacheWriteTtl "5m" and the request's ttl`;
    return `1-hour cache${write ? ` (writes at ${write} input)` : ''}: calls over an hour apart miss${cheaper}`;
  }
  const longer =
    other === undefined ? '' : `; with regular gaps of 5 to 60 min the 1-hour cache (break-even ${formatPercent(other)}) may pay`;
  return `5-minute cache${write ? ` (writes at ${write} input)` : ''}: calls over 5 min apart miss and write again${longer}`;
}

/** ` in the published hour from 02:00 UTC`: the period of the reading (the publisher's series, whatever the alarm reads). */
function periodFrom(live: LiveView | undefined, publisherMinutes: number): string {
  const start = live?.reading?.periodStartMs;
  const noun = publisherMinutes === 60 ? 'published hour' : `published ${publisherMinutes}-minute period`;
  return start === undefined ? '' : ` in the ${noun} from ${formatUtc(start, live?.atMs)}`;
}

/** What a night of this loss costs: `the 8 hours to working hours cost $22.80 at $2.85/h`. */
const night = (usdPerHour: number, verb = 'cost') =>
  `the ${NIGHT_HOURS} hours to working hours ${verb} ${formatUsd(usdPerHour * NIGHT_HOURS)} at ${formatUsdPerHour(usdPerHour)}`;

/** The write premium per million tokens (micro-USD): write price over input. */
const premiumMicro = (model: ModelFacts) => (model.price ? model.price.cacheWriteMicro - model.price.inputMicro : undefined);

/** USD per hour that `tokens` write tokens a period of `periodMinutes` waste at the premium (micro-USD per MTok). */
const wastedPerHour = (tokens: number, micro: number, periodMinutes: number) => ((tokens * micro) / 1e12) * (60 / periodMinutes);

/** What the unread writes of a published period cost in write premium, per hour; undefined without a price or writes. */
export function wastedUsdPerHour(model: ModelFacts | undefined, tokens: number | undefined, publisherMinutes: number): number | undefined {
  const micro = model ? premiumMicro(model) : undefined;
  return micro === undefined || tokens === undefined || tokens <= 0 ? undefined : wastedPerHour(tokens, micro, publisherMinutes);
}

function lowHitRatio(input: RunbookInput, s: ModelAlarmSettings, w: EvalWindow): Omit<RunbookSections, 'severity' | 'doFirst'> {
  const { model, live } = input;
  const f = s.lowHitRatio;
  const threshold = lowHitThreshold(model, f);
  const t = model ? formatPercent(model.lowHitThresholdPercent) : 'its threshold';
  const be = model?.breakEvenPercent;
  const r = live?.reading;
  const band = input.alarm.anomalyBand
    ? `, or under the band CloudWatch learned from its history (${f.anomalyBandStdDevs} standard deviations)`
    : '';
  let howBad: string;
  if (r?.hitPercent !== undefined || r?.netUsdPerHour !== undefined) {
    const parts = [
      ...(r.hitPercent === undefined ? [] : [`hit ratio ${formatPercent(r.hitPercent)}`]),
      ...(r.netUsdPerHour === undefined ? [] : [`net savings ${formatUsdPerHour(r.netUsdPerHour)}`]),
    ];
    const verdict =
      r.netUsdPerHour === undefined
        ? be === undefined
          ? ''
          : `: caching loses money under the ${formatPercent(be)} break-even`
        : r.netUsdPerHour < 0
          ? `: caching loses money${be === undefined ? '' : ` (under the ${formatPercent(be)} break-even)`}`
          : `: still saving, less than it should${be === undefined ? '' : ` (it loses money under ${formatPercent(be)})`}`;
    howBad = `${parts.join(' and ')}${periodFrom(live, input.config.publisher.periodMinutes)}${verdict}.`;
  } else if (be !== undefined) {
    howBad = `under its ${formatPercent(be)} break-even caching loses money; between ${formatPercent(be)} and ${t} it still saves, less than it should.`;
  } else if (model) {
    howBad = 'no price known, so no dollars: a falling hit ratio means more writes paid at the write premium.';
  } else {
    howBad = 'under its break-even caching loses money; above, it saves less than it could.';
  }
  const loss = r?.netUsdPerHour !== undefined && r.netUsdPerHour < 0 ? `${night(-r.netUsdPerHour)}; ` : '';
  return {
    symptom: `hit ratio read/(read+write) under ${threshold}${band}`,
    howBad,
    checks: [
      'the hit ratio on the dashboard: since when; what changed then (deploy, system prompt, tools or their order, model)',
      'diff the prefixes of two consecutive requests (a timestamp, id or user data before the checkpoint)',
      ttlCheck(model),
      'a proxy dropping cachePoint / cache_control; cross-region routing',
    ],
    canWait: `yes: ${loss}a loss over ${formatUsdPerHour(input.config.alarms.pageAboveUsdPerHour)} pages (caching costs money).`,
    clears: `${clearsWhen(
      w,
      `has a hit ratio ≥ ${model ? threshold : 'its threshold'} or traffic below ${formatCount(f.minCacheTokens)} cache tokens`,
      `with ≥ ${formatCount(f.minCacheTokens)} cache tokens are under ${t}`,
    )}.`,
  };
}

function writesWithoutReads(input: RunbookInput, s: ModelAlarmSettings, w: EvalWindow): Omit<RunbookSections, 'severity' | 'doFirst'> {
  const { model, live } = input;
  const f = s.writesWithoutReads;
  const micro = model ? premiumMicro(model) : undefined;
  const tokens = live?.reading?.writesWithoutReadsTokens;
  const minimum = `${formatCount(f.minWriteTokens)} write tokens ${onePeriod(w).replace(/^a /, 'per ')}`;
  let howBad: string;
  const perHour = live?.wastedUsdPerHour;
  if (micro !== undefined && tokens !== undefined && perHour !== undefined) {
    howBad = `${formatUsdPerHour(perHour)} wasted: ${formatCount(tokens)} cache write tokens and no read${periodFrom(live, input.config.publisher.periodMinutes)}, each at the ${formatPricePerMTok(micro)} write premium over input.`;
  } else if (micro !== undefined) {
    howBad = `at least ${formatUsdPerHour(wastedPerHour(f.minWriteTokens, micro, w.periodMinutes))} wasted (${minimum}, the alarm's minimum, at the ${formatPricePerMTok(micro)} write premium over input).`;
  } else if (model) {
    howBad = 'every write pays the write premium over input and is never read back (no price known, so no dollars).';
  } else {
    howBad = 'every write pays the write premium (Claude: 1.25x input for 5 minutes, 2x for 1 hour) and is never read back.';
  }
  return {
    symptom: `cache writes and not one read back (≥ ${minimum})`,
    howBad,
    checks: [
      'diff the prefixes of two consecutive requests: what before the checkpoint changes per call (timestamp, id, user data, tool order)',
      `time between calls vs the ${ttlCheck(model)}`,
      'a proxy rewriting the prompt; cross-region routing',
    ],
    canWait: perHour === undefined ? 'yes: it is a ticket.' : `yes: ${night(perHour, 'waste')}.`,
    clears: `${clearsWhen(w, `has a cache read or fewer than ${formatCount(f.minWriteTokens)} write tokens`, `have ≥ ${formatCount(f.minWriteTokens)} write tokens and no read`)}.`,
  };
}

function cachingCostsMoney(input: RunbookInput, s: ModelAlarmSettings, w: EvalWindow): Omit<RunbookSections, 'severity' | 'doFirst'> {
  const { model, live, alarm, config } = input;
  const f = s.cachingCostsMoney;
  const page = alarm.severity === 'page';
  // The pages (the fleet's -Page alarm, a precise model's alarm) fire below -pageAboveUsdPerHour; the fleet ticket below $0.
  const limit = page ? config.alarms.pageAboveUsdPerHour : 0;
  const limitText = formatUsdPerHour(-limit);
  const be = breakEven(model);
  const r = live?.reading;
  // The event's datapoint is the alarm-ready USD per hour for a fleet alarm (a precise one's is USD per window).
  const fromEvent = alarm.kind === 'fleet' && live?.value !== undefined ? live.value : undefined;
  const perHour = r?.netUsdPerHour ?? fromEvent;
  let howBad: string;
  if (perHour !== undefined && perHour < 0) {
    const hit = r?.hitPercent === undefined ? '' : `; hit ratio ${formatPercent(r.hitPercent)}, ${be}`;
    const where = r?.netUsdPerHour === undefined ? " (the alarm's datapoint)" : periodFrom(live, input.config.publisher.periodMinutes);
    howBad = `losing ${formatUsdPerHour(-perHour)}${where}, ${formatUsd(-perHour * 24)} a day if it goes on${hit}.`;
  } else if (!model) {
    howBad =
      limit > 0
        ? `over ${formatUsd(limit * NIGHT_HOURS)} a night, ${formatUsd(limit * 60)} a weekend.`
        : `the hit ratio is under ${claude()}.`;
  } else {
    howBad =
      limit > 0
        ? `losing more than ${formatUsdPerHour(limit)}: over ${formatUsd(limit * NIGHT_HOURS)} by morning; hit ratio far under the ${be}.`
        : `losing money: the hit ratio is under the ${be}.`;
  }
  const threshold =
    limit > 0
      ? `losing more than ${formatUsdPerHour(limit)} (net savings under ${limitText}, alarms.pageAboveUsdPerHour)`
      : 'the write premium exceeds the read discount (net savings under $0)';
  const canWait = page
    ? perHour !== undefined && perHour < 0
      ? `no: ${night(-perHour)}.`
      : limit > 0
        ? `no: more than ${formatUsdPerHour(limit)}, over ${formatUsd(limit * NIGHT_HOURS)} by morning.`
        : 'no: it loses money every hour until it is fixed.'
    : perHour !== undefined && perHour < 0
      ? `yes: ${night(-perHour)}; over ${formatUsdPerHour(config.alarms.pageAboveUsdPerHour)} it pages.`
      : `yes: over ${formatUsdPerHour(config.alarms.pageAboveUsdPerHour)} it pages.`;
  const good = limit > 0 ? `loses at most ${formatUsdPerHour(limit)} (net ≥ ${limitText})` : `nets ≥ $0${w.published ? '/h' : ''}`;
  return {
    symptom: threshold,
    howBad,
    checks: [
      `the hit ratio vs ${model ? be : 'its break-even'} on the dashboard: since when; what changed then`,
      ttlCheck(model),
      'checkpoints after per-request content: stop caching prefixes never reused',
    ],
    canWait,
    clears: `${clearsWhen(w, `${good} or has fewer than ${formatCount(f.minCacheTokens)} cache tokens`, `with ≥ ${formatCount(f.minCacheTokens)} cache tokens lose money`, w.published ? 'period' : 'window')}.`,
  };
}

function publisherErrors(input: RunbookInput, w: EvalWindow): Omit<RunbookSections, 'severity' | 'doFirst'> {
  const { live, config } = input;
  const errors =
    live?.value !== undefined && live.value >= 1
      ? ` (${formatCount(live.value)} error${live.value === 1 ? '' : 's'} in ${w.periodMinutes} min)`
      : '';
  const lag = live?.lag?.latest ? ` (lag now ${formatCount(live.lag.latest.value)} min)` : '';
  const silentAfter = heartbeatPeriods(config.alarms.pipeline.missingPeriods, config.publisher.periodMinutes);
  return {
    symptom: `its Lambda failed${errors || ` (≥ 1 error in a ${w.periodMinutes}-minute period)`}`,
    howBad: `no money at stake: savings metrics and the fleet alarms' series are late${lag}; the next good run back-fills every missed period (up to 14 days), never twice.`,
    checks: [
      "the publisher's log group: the error and the run summary",
      "the publisher's failed-runs queue",
      '`prompt-cache publish` locally against the ledger, or `prompt-cache doctor`',
    ],
    canWait: `yes: if every run fails, the savings-pipeline-silent alarm pages after ${silentAfter} periods.`,
    clears: `when a ${w.periodMinutes}-minute period passes without an error (the next good run).`,
  };
}

function heartbeat(input: RunbookInput, w: EvalWindow): Omit<RunbookSections, 'severity' | 'doFirst'> {
  const { live, config } = input;
  const threshold = lagThresholdMinutes(config, input.publisherTimeoutMinutes);
  const latest = live?.lag?.latest;
  const lastGood = live?.lag?.lastGood;
  let state = '';
  if (latest && latest.value > threshold && latest.value < LAG_FILL_MINUTES)
    state = `lag ${formatCount(latest.value)} min in the period from ${formatUtc(latest.startMs, live?.atMs)}: the watermark is stuck. `;
  else if (lastGood)
    state = `last good report in the period from ${formatUtc(lastGood.startMs, live?.atMs)} (lag ${formatCount(lastGood.value)} min). `;
  else if (live && live.unavailable === undefined) state = 'no good report in the periods read. ';
  else if (live?.value !== undefined)
    state = live.value >= LAG_FILL_MINUTES ? 'no report in the evaluated periods. ' : `lag ${formatCount(live.value)} min. `;
  return {
    symptom: `no PublisherLagMinutes report, or a lag over ${threshold} min, ${w.evaluationPeriods} periods of ${w.periodMinutes} min in a row`,
    howBad: `${state}The fleet alarms read the publisher's series: while it is silent no model can alarm, and the dollars stop. Nothing is lost yet: the next good run back-fills up to 14 days.`,
    checks: [
      "the publisher function's invocations, errors and throttles",
      "the publisher's log group: run summaries ('busy': another run holds the lease)",
      '`prompt-cache doctor`: publisher-freshness',
    ],
    canWait: 'no: the fleet alarms are blind until it runs (a model losing money now would not page).',
    clears: `when a run reports a lag of at most ${threshold} min again (the next run that publishes).`,
  };
}

function costDrift(input: RunbookInput, w: EvalWindow): Omit<RunbookSections, 'severity' | 'doFirst'> {
  const { live, config } = input;
  const d = config.alarms.costDrift;
  const latest = live?.bill?.latest;
  const billed = live?.bill?.billedUSD;
  const now = latest
    ? `the newest day published, ${new Date(latest.startMs).toISOString().slice(0, 10)}: drift ${latest.value > 0 ? '+' : ''}${formatPercent(latest.value)}${billed === undefined ? '' : ` of ${formatUsd(billed)} billed`}. `
    : '';
  return {
    symptom: `billed and computed cost differ by over ${formatPercent(d.thresholdPercent)} of the bill, either way, on ${w.datapointsToAlarm} of the last ${w.evaluationPeriods} days (days billed ≥ ${formatUsd(d.minBilledUsdPerDay)}, each read ${config.reconcile.daily.billDelayDays} days after it ends)`,
    howBad: `${now}The drift loses no money itself (the bill is what you pay); the dashboards' and alarms' dollars are off by about that much.`,
    checks: [
      '`prompt-cache reconcile --days 7`: which model drifts, its effective prices, unmapped usage types',
      'bill below computed: a discount (set `pricing`) or a price cut (`prompt-cache prices --refresh`, `pricesFile`)',
      'bill above: a new model or usage type (`reconcile.usageTypes`, `pricing`), or tokens CloudWatch lacks (`prompt-cache doctor`)',
    ],
    canWait: "yes: the bill is what it is; at stake is trust in the dashboards' dollars.",
    clears: `${clearsWhen(w, `drifts at most ${formatPercent(d.thresholdPercent)}`, `drift over ${formatPercent(d.thresholdPercent)}`)}.`,
  };
}

function billCheckErrors(input: RunbookInput): Omit<RunbookSections, 'severity' | 'doFirst'> {
  return {
    symptom: 'its Lambda failed (≥ 1 error in a day)',
    howBad: `no money at stake: BilledCostUSD and CostDriftPercent are late, and the bill-drift alarm cannot fire meanwhile; the next good run back-fills every day missed (up to 14 days), never twice.`,
    checks: [
      "the bill check's log group: AccessDenied or DataUnavailable means Cost Explorer is not enabled, or not readable from this account",
      '`prompt-cache reconcile --days 3` with the same account: does Cost Explorer answer?',
      'an account that cannot read its bill: set `reconcile.daily.enabled: false`',
    ],
    canWait: `yes: it runs once a day, at ${String(input.config.reconcile.daily.hourUtc).padStart(2, '0')}:00 UTC.`,
    clears: 'when a day passes without an error (the next good run).',
  };
}

function doFirst(input: RunbookInput, severity: Severity): string {
  if (severity === 'ticket') return TONIGHT_NOTHING;
  const { alarm, model, live, config } = input;
  if (alarm.family === 'heartbeat')
    return `read the last run summary or error in the publisher's log group; enable its schedule rule if disabled; a crashed run's ledger lease blocks the next runs for up to ${config.publisher.leaseMinutes} min.`;
  const when = live ? ` around ${formatUtc(live.run?.startMs ?? live.atMs, live.atMs)}` : ' around the time the page gives';
  return `roll back what changed for ${who(model)}${when} (deploy, system prompt, tools, model). Nothing changed, or no better? Stop caching for it (remove cachePoint / cache_control): uncached it costs the input price, no more.`;
}

/** The runbook of `input.alarm` for its model (a page, a precise alarm) or for any model (a fleet alarm's description). */
export function runbookSections(input: RunbookInput): RunbookSections {
  const { alarm, config, model } = input;
  const settings = model?.settings ?? modelAlarmSettings(config.alarms);
  const w = alarmWindow(alarm, settings, config);
  const body =
    alarm.family === 'lowHitRatio'
      ? lowHitRatio(input, settings, w)
      : alarm.family === 'writesWithoutReads'
        ? writesWithoutReads(input, settings, w)
        : alarm.family === 'cachingCostsMoney'
          ? cachingCostsMoney(input, settings, w)
          : alarm.family === 'publisherErrors'
            ? publisherErrors(input, w)
            : alarm.family === 'heartbeat'
              ? heartbeat(input, w)
              : alarm.family === 'costDrift'
                ? costDrift(input, w)
                : billCheckErrors(input);
  return { severity: alarm.severity, ...body, doFirst: doFirst(input, alarm.severity) };
}
