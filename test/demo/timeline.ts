/**
 * The demo's notification timeline: each state change the replay found, sent through the notifier's own pure core
 * (lambda/core/pages) as the EventBridge event CloudWatch would send for it, so the notifier decides which notify,
 * where, and what the subject says. Pure, but for the figures, which the demo reads from the emulator as the notifier
 * would (lambda/aws/alarm-figures.ts) with {@link figuresAt}.
 *
 * What notifies (readAlarmEvent): every transition of a fleet alarm's contributor (a model going to ALARM, or back to
 * OK after ALARM), and of a single alarm (precise, pipeline) a change to ALARM and a return from ALARM to OK. A fleet
 * alarm's own transitions name no model and notify nobody; nor does a first evaluation (INSUFFICIENT_DATA → OK), nor an
 * alarm outside the catalog. Each goes to the topic of its alarm's severity, a recovery to the same topic as its alarm.
 *
 * One line each: the time, the topic (PAGE: the paging topic; TICKET: the ticket topic), the model (its display name,
 * else its full id; `savings pipeline` / `savings publisher` for the pipeline alarms), the notifier's subject after its
 * model, and the transition:
 *
 *   2026-11-28T10:00Z  PAGE    code-review  caching losing $2.02/h (hit 8.9%, break-even 52.6%)  OK -> ALARM
 */
import { catalogLookup, type CatalogAlarm } from '../../lambda/core/alarm-catalog';
import type { PromptCacheConfig } from '../../lambda/core/config';
import { alignDown, MINUTE_MS } from '../../lambda/core/periods';
import {
  figuresQuery,
  isIgnored,
  modelFacts,
  notificationFor,
  readAlarmEvent,
  type AlarmNotice,
  type FiguresQuery,
  type LiveFigures,
  type Notification,
} from '../../lambda/core/pages';
import { contributorEvent, stateEvent } from '../support/alarm-events';
import type { AlarmState } from './alarm-replay';

/** A state change the replay found: an alarm's own, or (with `contributor`) a fleet alarm contributor's. */
export interface StateChange {
  /** The alarm's name. */
  readonly alarm: string;
  /** When the state changed (the end of the evaluated period). */
  readonly atMs: number;
  readonly from: AlarmState;
  readonly to: AlarmState;
  /** The evaluated datapoint (null: none, e.g. a contributor whose series stopped). */
  readonly value: number | null;
  /** The contributor's ModelId. */
  readonly contributor?: string;
  /** When the alarm entered `from` (an alarm's own change only: the event's previous state timestamp). */
  readonly sinceMs?: number;
}

/** The EventBridge event CloudWatch sends for a change ("Contributor State Change" or "State Change"). */
export function changeEvent(c: StateChange, region: string): Record<string, unknown> {
  const datapoint = c.value === null ? {} : { datapoint: c.value };
  if (c.contributor !== undefined) {
    if (c.to === 'INSUFFICIENT_DATA') throw new Error(`timeline: a contributor of ${c.alarm} is never INSUFFICIENT_DATA`);
    return contributorEvent({ alarmName: c.alarm, modelId: c.contributor, state: c.to, atMs: c.atMs, region, ...datapoint });
  }
  return stateEvent({
    alarmName: c.alarm,
    state: c.to,
    previous: c.from,
    atMs: c.atMs,
    ...(c.sinceMs === undefined ? {} : { previousAtMs: c.sinceMs }),
    ...datapoint,
  });
}

export interface Routed {
  /** The changes that notify, with the notifier's notice. */
  readonly notices: { readonly change: StateChange; readonly notice: AlarmNotice }[];
  /** The rest, with the notifier's reason. */
  readonly ignored: { readonly change: StateChange; readonly reason: string }[];
}

/** Sends each change's event through the notifier's reader: which notify, which it ignores and why. */
export function routeChanges(changes: readonly StateChange[], catalog: readonly CatalogAlarm[], region: string): Routed {
  const notices: Routed['notices'][number][] = [];
  const ignored: Routed['ignored'][number][] = [];
  for (const change of changes) {
    const read = readAlarmEvent(changeEvent(change, region), catalogLookup(catalog));
    if (isIgnored(read)) ignored.push({ change, reason: read.ignored });
    else notices.push({ change, notice: read });
  }
  return { notices, ignored };
}

/**
 * The figures the notifier would read for a notice: its query, cut to the periods that ended by the notice. The demo's
 * data is backfilled, so later periods are in the emulator already; when the notifier runs (the settle delay after the
 * period the alarm judged) they are not published yet.
 */
export function figuresAt(notice: AlarmNotice, config: Pick<PromptCacheConfig, 'namespace' | 'publisher'>): FiguresQuery {
  const q = figuresQuery(notice, config);
  return { ...q, endMs: alignDown(notice.atMs, config.publisher.periodMinutes * MINUTE_MS) };
}

/** One notification the replay says would have been sent. */
export interface TimelineEntry {
  readonly change: StateChange;
  readonly notice: AlarmNotice;
  /** What the notifier sends: its topic (the alarm's severity), subject and message. */
  readonly notification: Notification;
  /** The model's display name, else its full id; the notifier's label for the pipeline alarms. */
  readonly label: string;
  /** The subject after its word (PAGE, TICKET or OK) and its model. */
  readonly summary: string;
}

/** The notifier's notification of a notice, with the figures it read; the line's model and summary. */
export function timelineEntry(
  change: StateChange,
  notice: AlarmNotice,
  figures: LiveFigures,
  config: PromptCacheConfig,
  publisherTimeoutMinutes?: number,
): TimelineEntry {
  const notification = notificationFor(notice, {
    config,
    figures,
    ...(publisherTimeoutMinutes === undefined ? {} : { publisherTimeoutMinutes }),
  });
  const subject = /^(?:PAGE|TICKET|OK) (.*)$/.exec(notification.subject)?.[1];
  if (subject === undefined) throw new Error(`timeline: a subject without its word: ${notification.subject}`);
  // The subject names the model by its display name, else a short id: the line by its display name, else its full id.
  const known = notice.modelId === undefined ? undefined : modelFacts(config, notice.modelId).label;
  const cut = known !== undefined && subject.startsWith(`${known}: `) ? known.length + 2 : subject.indexOf(': ') + 2;
  if (cut < 2) throw new Error(`timeline: a subject without its model: ${notification.subject}`);
  const label =
    notice.modelId === undefined
      ? subject.slice(0, cut - 2)
      : (config.models.find((m) => m.modelId === notice.modelId)?.displayName ?? notice.modelId);
  return { change, notice, notification, label, summary: subject.slice(cut) };
}

/** In time order; at one time in catalog order (fleet, precise, pipeline), then by label. */
export function sortEntries(list: readonly TimelineEntry[], catalog: readonly CatalogAlarm[]): TimelineEntry[] {
  const rank = (e: TimelineEntry) => catalog.findIndex((a) => a.name === e.notice.alarm.name);
  return [...list].sort((a, b) => a.change.atMs - b.change.atMs || rank(a) - rank(b) || a.label.localeCompare(b.label));
}

/** `2026-11-28T10:00Z`. */
export const minuteUtc = (ms: number): string => `${new Date(ms).toISOString().slice(0, 16)}Z`;

/** One line: time, topic (PAGE or TICKET), model, the subject's summary, transition. */
export function timelineLine(e: TimelineEntry): string {
  const topic = e.notification.topic === 'page' ? 'PAGE' : 'TICKET';
  return `${minuteUtc(e.change.atMs)}  ${topic.padEnd(6)}  ${e.label}  ${e.summary}  ${e.change.from} -> ${e.change.to}`;
}
