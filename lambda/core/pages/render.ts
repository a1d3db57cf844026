/**
 * The two renderings of a runbook: the notification a person gets (subject within SNS's 100 characters, leading with
 * the model and the dollars; the message in night order with the figures, since when and the links) and the alarm's
 * description (the same sections, at most 1,024 characters). Pure.
 */
import type { CatalogAlarm, Severity } from '../alarm-catalog';
import { FAMILY_TITLES } from '../alarm-catalog';
import type { PromptCacheConfig } from '../config';
import { MINUTE_MS } from '../periods';
import type { AlarmNotice } from './event';
import { breachingRun, figuresQuery, modelReading, type BreachingRun, type FigureSeries, type LiveFigures } from './figures';
import { formatCount, formatDuration, formatPercent, formatUsdPerHour, formatUtc } from './format';
import { alarmConsoleUrl, runbookLink } from './links';
import { modelFacts, type ModelFacts } from './model';
import { LAG_FILL_MINUTES, runbookSections, wastedUsdPerHour, type LiveView, type RunbookSections } from './runbook';
import { DEFAULT_PUBLISHER_TIMEOUT_MINUTES, lagThresholdMinutes } from './windows';

/** SNS: a subject of at most 100 characters, no line break or control character. */
export const SUBJECT_MAX = 100;
/** CloudFormation and CloudWatch: an alarm description of at most 1,024 characters. */
export const DESCRIPTION_MAX = 1024;

/** What goes out: the topic (by severity), the subject and the message. */
export interface Notification {
  readonly topic: Severity;
  readonly subject: string;
  readonly message: string;
}

/** Links and settings every page and description shares. */
export interface RunbookContext {
  readonly config: PromptCacheConfig;
  /** The on-call dashboard. @default - no dashboard line */
  readonly dashboardUrl?: string;
  /** The README (or wherever it is hosted); its fragment is replaced by the family's anchor. @default - no runbook line */
  readonly runbookUrl?: string;
  /** The publisher's Lambda timeout (the heartbeat's lag threshold). @default 5 */
  readonly publisherTimeoutMinutes?: number;
}

export interface DescriptionContext extends RunbookContext {
  /**
   * How the caller measures the text against 1,024 characters (lib/alarms counts a deploy-time token as its longest
   * value). @default - the string's length
   */
  readonly lengthOf?: (text: string) => number;
}

export interface PageContext extends RunbookContext {
  readonly figures: LiveFigures;
  /**
   * A cross-account alarm's source accounts by id: how pages name them (the target's stack, e.g.
   * `Prompts-111111111111-eu-west-1`). @default - the account id alone
   */
  readonly accountLabels?: Readonly<Record<string, string>>;
}

/** An alarm of the monitoring account about a source account: a roll-up fleet alarm or a roll-up heartbeat. */
const acrossAccounts = (alarm: CatalogAlarm) => alarm.crossAccount === true || alarm.accountId !== undefined;

/**
 * Where a cross-account contributor lives, as its page names it: `account 111111111111 (its stack)`; a contributor
 * whose account the event did not carry is named as unknown, so the reader knows to look in every target.
 */
function accountLine(notice: AlarmNotice, labels: Readonly<Record<string, string>> | undefined): string | undefined {
  if (!acrossAccounts(notice.alarm)) return undefined;
  if (notice.accountId === undefined)
    return 'Account: unknown (the event named none); find the model on the fleet dashboard, one line per target';
  const label = labels?.[notice.accountId];
  return `Account: ${notice.accountId}${label ? ` (stack ${label})` : ''}, region ${notice.region}: sign in there to act (its own on-call dashboard, \`prompt-cache doctor\`)`;
}

const PIPELINE_LABEL = {
  publisherErrors: 'savings publisher',
  heartbeat: 'savings pipeline',
  costDrift: 'Bedrock bill',
  billCheckErrors: 'bill check',
} as const;

/** Control characters and line breaks become spaces (SNS refuses them in a subject). */
// eslint-disable-next-line no-control-regex
const oneLine = (s: string) => s.replace(/[\u0000-\u001f\u007f]+/g, ' ');

/**
 * `<WORD> <label>: <tail>` within {@link SUBJECT_MAX}: a long label is cut (by whole code points, `...` marking the
 * cut) before the tail, which holds the dollars, is touched.
 */
export function fitSubject(word: string, label: string, tail: string): string {
  const cut = (s: string, max: number) => {
    if (s.length <= max) return s;
    let out = '';
    for (const ch of s) {
      if (out.length + ch.length > max - 3) break;
      out += ch;
    }
    return `${out}...`;
  };
  const head = `${word} `;
  const sep = tail === '' ? '' : ': ';
  const t = oneLine(tail);
  const room = SUBJECT_MAX - head.length - sep.length - t.length;
  if (room >= 8) return `${head}${cut(oneLine(label), room)}${sep}${t}`;
  return cut(`${head}${cut(oneLine(label), 24)}${sep}${t}`, SUBJECT_MAX);
}

function subjectTail(
  notice: AlarmNotice,
  model: ModelFacts | undefined,
  live: LiveView,
  config: PromptCacheConfig,
  timeout: number,
): string {
  const { alarm } = notice;
  const r = live.reading;
  const be = model?.breakEvenPercent === undefined ? undefined : `break-even ${formatPercent(model.breakEvenPercent)}`;
  const limit = alarm.severity === 'page' && alarm.kind === 'fleet' ? config.alarms.pageAboveUsdPerHour : 0;
  if (notice.transition === 'recovery') {
    switch (alarm.family) {
      case 'lowHitRatio':
        return `hit ratio no longer low${r?.hitPercent === undefined ? '' : ` (${formatPercent(r.hitPercent)})`}`;
      case 'writesWithoutReads':
        return 'no more writes without reads';
      case 'cachingCostsMoney':
        return limit > 0 ? `caching no longer losing over ${formatUsdPerHour(limit)}` : 'caching no longer losing money';
      case 'publisherErrors':
        return 'runs succeed again';
      case 'heartbeat':
        return 'reporting again';
      case 'costDrift':
        return `matches the computed cost again (within ${formatPercent(config.alarms.costDrift.thresholdPercent)})`;
      case 'billCheckErrors':
        return 'runs succeed again';
    }
  }
  switch (alarm.family) {
    case 'lowHitRatio': {
      const t = model ? formatPercent(model.lowHitThresholdPercent) : '';
      const net =
        r?.netUsdPerHour === undefined
          ? ''
          : ` (${r.netUsdPerHour < 0 ? 'losing' : 'saving'} ${formatUsdPerHour(Math.abs(r.netUsdPerHour))})`;
      return r?.hitPercent === undefined ? `low hit ratio (under ${t})${net}` : `hit ratio ${formatPercent(r.hitPercent)} under ${t}${net}`;
    }
    case 'writesWithoutReads':
      return live.wastedUsdPerHour === undefined
        ? 'cache writes never read (writes without reads)'
        : `cache writes never read, ${formatUsdPerHour(live.wastedUsdPerHour)} wasted`;
    case 'cachingCostsMoney': {
      const fromEvent = alarm.kind === 'fleet' ? live.value : undefined;
      const perHour = r?.netUsdPerHour ?? fromEvent;
      const detail = [...(r?.hitPercent === undefined ? [] : [`hit ${formatPercent(r.hitPercent)}`]), ...(be ? [be] : [])].join(', ');
      const paren = detail === '' ? '' : ` (${detail})`;
      if (perHour !== undefined && perHour < 0) return `caching losing ${formatUsdPerHour(-perHour)}${paren}`;
      return limit > 0 ? `caching losing over ${formatUsdPerHour(limit)}${paren}` : `caching costs money${paren}`;
    }
    case 'publisherErrors':
      return `run failed${live.value !== undefined && live.value >= 1 ? ` (${formatCount(live.value)} error${live.value === 1 ? '' : 's'})` : ''}, savings metrics late`;
    case 'heartbeat': {
      const threshold = lagThresholdMinutes(config, timeout);
      const latest = live.lag?.latest;
      const lag = latest ? (latest.value > threshold ? latest.value : undefined) : live.value;
      if (lag !== undefined && lag < LAG_FILL_MINUTES) return `stuck, lag ${formatCount(lag)} min; cache alarms blind`;
      const since = live.lag?.lastGood
        ? ` since ${formatUtc(live.lag.lastGood.startMs + config.publisher.periodMinutes * MINUTE_MS, live.atMs)}`
        : '';
      return `silent${since}; cache alarms blind`;
    }
    case 'costDrift': {
      const latest = live.bill?.latest;
      const drift = latest?.value;
      const t = formatPercent(config.alarms.costDrift.thresholdPercent);
      if (drift === undefined) return `differs from the computed cost by over ${t}`;
      return `${drift > 0 ? 'above' : 'below'} the computed cost by ${formatPercent(Math.abs(drift))} (over ${t})`;
    }
    case 'billCheckErrors':
      return 'run failed, BilledCostUSD and CostDriftPercent late';
  }
}

/** The live view of a notice: the figures read (or why not), the breaching run of the alarm's own series. */
function liveView(notice: AlarmNotice, model: ModelFacts | undefined, ctx: PageContext, timeout: number): LiveView {
  const { alarm } = notice;
  const base = { atMs: notice.atMs, ...(notice.value === undefined ? {} : { value: notice.value }) };
  if (!ctx.figures.read) return { ...base, unavailable: ctx.figures.reason };
  const series: FigureSeries = ctx.figures.series;
  const periodMinutes = ctx.config.publisher.periodMinutes;
  const periodMs = periodMinutes * MINUTE_MS;
  const windowStartMs = figuresQuery(notice, ctx.config).startMs;
  if (alarm.kind === 'bill') {
    const drift = [...(series.drift ?? [])].sort((a, b) => a.startMs - b.startMs);
    const latest = drift[drift.length - 1];
    const billedUSD = latest ? series.billed?.find((p) => p.startMs === latest.startMs)?.value : undefined;
    return { ...base, bill: { ...(latest ? { latest } : {}), ...(billedUSD === undefined ? {} : { billedUSD }) } };
  }
  if (alarm.kind === 'pipeline') {
    const threshold = lagThresholdMinutes(ctx.config, timeout);
    const lag = [...(series.lag ?? [])].sort((a, b) => a.startMs - b.startMs);
    const latest = lag[lag.length - 1];
    const good = lag.filter((p) => p.value <= threshold);
    const lastGood = good[good.length - 1];
    return { ...base, lag: { ...(latest ? { latest } : {}), ...(lastGood ? { lastGood } : {}) } };
  }
  const reading = modelReading(series, periodMinutes);
  let run: BreachingRun | undefined;
  const limit = alarm.severity === 'page' && alarm.kind === 'fleet' ? -ctx.config.alarms.pageAboveUsdPerHour : 0;
  const threshold = model?.lowHitThresholdPercent ?? 0;
  if (alarm.kind === 'fleet') {
    if (alarm.family === 'lowHitRatio') run = breachingRun(series.margin, periodMs, (v) => v < 0, windowStartMs);
    else if (alarm.family === 'writesWithoutReads') run = breachingRun(series.wwr, periodMs, (v) => v > 0, windowStartMs);
    else run = breachingRun(series.netPerHour, periodMs, (v) => v < limit, windowStartMs);
  } else if (alarm.family === 'lowHitRatio') run = breachingRun(series.hit, periodMs, (v) => v < threshold, windowStartMs);
  else if (alarm.family === 'writesWithoutReads') run = breachingRun(series.hit, periodMs, (v) => v === 0, windowStartMs);
  else run = breachingRun(series.net, periodMs, (v) => v < 0, windowStartMs);
  const wasted = wastedUsdPerHour(model, reading.writesWithoutReadsTokens, periodMinutes);
  return { ...base, reading, ...(run ? { run } : {}), ...(wasted === undefined ? {} : { wastedUsdPerHour: wasted }) };
}

function sinceLine(notice: AlarmNotice, live: LiveView, periodMinutes: number): string {
  const at = `alarm at ${formatUtc(notice.atMs)}`;
  const run = live.run;
  if (run) {
    const n = `${run.periods} ${periodMinutes === 60 ? 'published hour' : `published ${periodMinutes}-minute period`}${run.periods === 1 ? '' : 's in a row'}`;
    return `${run.atLeast ? 'at least since ' : ''}${formatUtc(run.startMs, notice.atMs)} (${n}); ${at}.`;
  }
  if (notice.alarm.family === 'heartbeat' && live.lag?.lastGood)
    return `silent since ${formatUtc(live.lag.lastGood.startMs + periodMinutes * MINUTE_MS, notice.atMs)}; ${at}.`;
  return `${at}.`;
}

function modelLine(model: ModelFacts): string {
  const ttl = model.ttl === '1h' ? '1-hour cache' : '5-minute cache';
  const price = model.price ? `priced by ${model.price.source}` : 'no price known';
  const be = model.breakEvenPercent === undefined ? '' : `, break-even ${formatPercent(model.breakEvenPercent)}`;
  return `Model: ${model.modelId}, ${ttl}${be}, ${price}`;
}

function links(notice: AlarmNotice, ctx: RunbookContext): string[] {
  return [
    `Console: ${alarmConsoleUrl(notice.partition, notice.region, notice.alarm.name)}`,
    ...(ctx.dashboardUrl ? [`On-call dashboard: ${ctx.dashboardUrl}`] : []),
    ...(ctx.runbookUrl ? [`Runbook: ${runbookLink(ctx.runbookUrl, notice.alarm.family)}`] : []),
  ];
}

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** The notification of one notice: to the topic of the alarm's severity. */
export function notificationFor(notice: AlarmNotice, ctx: PageContext): Notification {
  const { alarm } = notice;
  const timeout = ctx.publisherTimeoutMinutes ?? DEFAULT_PUBLISHER_TIMEOUT_MINUTES;
  const model = notice.modelId === undefined ? undefined : modelFacts(ctx.config, notice.modelId, notice.region || undefined);
  const live = liveView(notice, model, ctx, timeout);
  const modelLabel = model?.label ?? PIPELINE_LABEL[alarm.family as keyof typeof PIPELINE_LABEL] ?? alarm.name;
  // A cross-account page leads with the account: the same model may page from several targets.
  const label = acrossAccounts(alarm) ? `${notice.accountId ?? 'account ?'} ${modelLabel}` : modelLabel;
  const sections = runbookSections({ alarm, config: ctx.config, ...(model ? { model } : {}), live, publisherTimeoutMinutes: timeout });
  const word = notice.transition === 'recovery' ? 'OK' : alarm.severity === 'page' ? 'PAGE' : 'TICKET';
  const subject = fitSubject(word, label, subjectTail(notice, model, live, ctx.config, timeout));
  const contributor =
    alarm.kind !== 'fleet'
      ? ''
      : alarm.crossAccount
        ? ` (contributor AWS.AccountId=${notice.accountId ?? '?'}, ModelId=${notice.modelId})`
        : ` (contributor ModelId=${notice.modelId})`;
  const account = accountLine(notice, ctx.accountLabels);
  const about = [...(account ? [account] : []), ...(model ? [modelLine(model)] : []), `Alarm: ${alarm.name}${contributor}`];
  const unavailable = live.unavailable === undefined ? [] : [`Figures: unavailable (${live.unavailable}); sent without them.`];
  const message =
    notice.transition === 'recovery'
      ? recoveryMessage(notice, sections, model, live, ctx, about, unavailable)
      : [
          `${word} ${model ? `${label}: ` : ''}${FAMILY_TITLES[alarm.family]}: ${sections.symptom}.`,
          ...about,
          '',
          ...unavailable,
          `How bad: ${sections.howBad}`,
          `Do first: ${sections.doFirst}`,
          'Checks:',
          ...sections.checks.map((c, i) => `${i + 1}. ${c}`),
          `Can it wait: ${sections.canWait}`,
          `Clears: ${sections.clears}`,
          `Since: ${sinceLine(notice, live, ctx.config.publisher.periodMinutes)}`,
          '',
          ...links(notice, ctx),
        ].join('\n');
  return { topic: alarm.severity, subject, message };
}

function recoveryMessage(
  notice: AlarmNotice,
  sections: RunbookSections,
  model: ModelFacts | undefined,
  live: LiveView,
  ctx: PageContext,
  about: string[],
  unavailable: string[],
): string {
  const { alarm } = notice;
  const r = live.reading;
  const now = [
    ...(r?.hitPercent === undefined ? [] : [`hit ratio ${formatPercent(r.hitPercent)}`]),
    ...(r?.netUsdPerHour === undefined ? [] : [`net savings ${formatUsdPerHour(r.netUsdPerHour)}`]),
    ...(live.lag?.latest && live.lag.latest.value < LAG_FILL_MINUTES ? [`lag ${formatCount(live.lag.latest.value)} min`] : []),
  ];
  const period = r?.periodStartMs ?? live.lag?.latest?.startMs;
  const was =
    notice.alarmSinceMs === undefined
      ? []
      : [
          `In ALARM: from ${formatUtc(notice.alarmSinceMs, notice.atMs)} to ${formatUtc(notice.atMs)} (${formatDuration(notice.atMs - notice.alarmSinceMs)}).`,
        ];
  return [
    `OK ${model ? `${acrossAccounts(alarm) ? `${notice.accountId ?? 'account ?'} ` : ''}${model.label}: ` : ''}${FAMILY_TITLES[alarm.family]} cleared (was a ${alarm.severity}) at ${formatUtc(notice.atMs)}.`,
    ...about,
    '',
    ...unavailable,
    ...(now.length > 0
      ? [`Now: ${now.join(', ')}${period === undefined ? '' : ` (the period from ${formatUtc(period, notice.atMs)})`}.`]
      : []),
    `Rule met: ${sections.clears.replace(/^when /, '')}`,
    ...was,
    nextAfterRecovery(notice, r?.netUsdPerHour, ctx.config),
    '',
    ...links(notice, ctx),
  ].join('\n');
}

/**
 * What to do after a recovery. A money page that clears while the model still loses (under the page's rate, e.g. at
 * night when traffic is low) says so: its ticket stays open and the page returns when the loss passes the rate again.
 */
function nextAfterRecovery(notice: AlarmNotice, netUsdPerHour: number | undefined, config: PromptCacheConfig): string {
  const { alarm } = notice;
  const limit = config.alarms.pageAboveUsdPerHour;
  if (
    alarm.family === 'cachingCostsMoney' &&
    alarm.severity === 'page' &&
    alarm.kind === 'fleet' &&
    netUsdPerHour !== undefined &&
    netUsdPerHour < 0
  )
    return (
      `Next: still losing ${formatUsdPerHour(-netUsdPerHour)}, under the page's ${formatUsdPerHour(limit)}: the ticket (caching costs money) stays open, ` +
      `and this pages again when the loss passes ${formatUsdPerHour(limit)} (traffic picking up in the morning). Find the cause in working hours (runbook below).`
    );
  return 'Next: nothing to do now; if the cause is not known yet, find it in working hours (runbook below).';
}

/**
 * The alarm's description: the same runbook in night order, for any model of a fleet alarm, for its model of a precise
 * one; at most 1,024 characters: checks are dropped from the last, then the dashboard line, then the first check; then it throws.
 */
export function alarmDescription(alarm: CatalogAlarm, ctx: DescriptionContext): string {
  const timeout = ctx.publisherTimeoutMinutes ?? DEFAULT_PUBLISHER_TIMEOUT_MINUTES;
  const model = alarm.kind === 'precise' && alarm.modelId !== undefined ? modelFacts(ctx.config, alarm.modelId) : undefined;
  const s = runbookSections({ alarm, config: ctx.config, ...(model ? { model } : {}), publisherTimeoutMinutes: timeout });
  const lengthOf = ctx.lengthOf ?? ((t: string) => t.length);
  const subject = model
    ? `${model.label}: ${FAMILY_TITLES[alarm.family]}`
    : alarm.accountId !== undefined
      ? `${cap(FAMILY_TITLES[alarm.family])} in account ${alarm.accountId}`
      : `${cap(FAMILY_TITLES[alarm.family])}${alarm.kind !== 'fleet' ? '' : alarm.crossAccount ? ', per source account and model (contributor AWS.AccountId, ModelId)' : ', per model (contributor ModelId)'}`;
  const render = (checks: readonly string[], dashboard: boolean) =>
    [
      `${alarm.severity === 'page' ? 'PAGE' : 'TICKET'}. ${subject}: ${s.symptom}.`,
      `How bad: ${s.howBad}`,
      `Do first: ${s.doFirst}`,
      ...(checks.length > 0 ? [`Checks: ${checks.map((c, i) => `${i + 1}) ${c}`).join(' ')}`] : []),
      `Can it wait: ${s.canWait}`,
      `Clears: ${s.clears}`,
      ...(ctx.dashboardUrl && dashboard ? [`Dashboard: ${ctx.dashboardUrl}`] : []),
      ...(ctx.runbookUrl ? [`Runbook: ${runbookLink(ctx.runbookUrl, alarm.family)}`] : []),
    ].join('\n');
  // What gives way, in order: the checks from the last down to the first, then the dashboard line, then the first check.
  const tries: [number, boolean][] = [...s.checks.map((_c, i): [number, boolean] => [s.checks.length - i, true]), [1, false], [0, false]];
  const fits = tries.map(([n, dashboard]) => render(s.checks.slice(0, n), dashboard)).find((t) => lengthOf(t) <= DESCRIPTION_MAX);
  if (fits === undefined) {
    const shortest = render([], false);
    throw new Error(
      `the description of ${alarm.name} is ${lengthOf(shortest)} characters without its checks and dashboard link, over CloudWatch's ${DESCRIPTION_MAX}: shorten the runbook URL or the display name`,
    );
  }
  const text = fits;
  return text;
}
