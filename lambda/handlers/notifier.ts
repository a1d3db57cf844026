/**
 * The alarm notifier: EventBridge passes every CloudWatch alarm (and fleet contributor) state change of this stack's
 * alarms here; each one that a person should hear about goes to the paging or the ticket SNS topic, by the alarm's
 * severity, as a runbook in night order with the model's live figures. Thin: reads env once, wires the adapters, calls
 * the core (lambda/core/pages), logs one line per event.
 *
 * No retry can double a page: the function's async retries and the rule target's are 0 (failures go to the dead-letter
 * queue), and SNS Publish is retried only when SNS said it was throttled, i.e. took nothing.
 *
 * Env: see readNotifierEnv (lambda/handlers/env.ts).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import type { RunLog } from '../core/publish-run';
import { figuresQuery, isIgnored, notificationFor, readAlarmEvent, type LiveFigures, type Notification } from '../core/pages';
import { readAlarmFigures } from '../aws/alarm-figures';
import { readNotifierEnv, type NotifierEnv } from './env';

export interface NotifierDeps extends NotifierEnv {
  readonly cloudWatch: CloudWatchClient;
  readonly sns: SNSClient;
  readonly log: RunLog;
  /** @default FIGURES_TIMEOUT_MS */
  readonly figuresTimeoutMs?: number;
  /** Waits between throttled Publish attempts. @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
}

export type NotifyOutcome =
  | { readonly sent: false; readonly eventId: string; readonly ignored: string; readonly alarmName?: string }
  | {
      readonly sent: true;
      readonly eventId: string;
      readonly alarmName: string;
      readonly modelId?: string;
      readonly transition: 'alarm' | 'recovery';
      readonly topic: Notification['topic'];
      readonly subject: string;
      readonly messageId?: string;
      readonly figures: 'read' | 'unavailable';
    };

const THROTTLED = new Set(['Throttling', 'ThrottlingException', 'ThrottledException', 'TooManyRequestsException']);
const PUBLISH_ATTEMPTS = 3;
const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Publish, retried only on a throttle (SNS refused it: nothing was sent). Any other failure — an error answer, a lost
 * connection whose outcome is unknown — is thrown: retrying it could page twice.
 */
export async function publishOnce(sns: SNSClient, topicArn: string, n: Notification, sleep = realSleep): Promise<string | undefined> {
  for (let attempt = 1; ; attempt++) {
    try {
      const out = await sns.send(new PublishCommand({ TopicArn: topicArn, Subject: n.subject, Message: n.message }));
      return out.MessageId;
    } catch (err) {
      if (!THROTTLED.has((err as Error).name) || attempt >= PUBLISH_ATTEMPTS) throw err;
      await sleep(200 * 2 ** attempt);
    }
  }
}

/** One EventBridge event: at most one notification. */
export async function notify(event: unknown, deps: NotifierDeps): Promise<NotifyOutcome> {
  const eventId = String((event as { id?: unknown } | null)?.id ?? '');
  const notice = readAlarmEvent(event, deps.findAlarm);
  if (isIgnored(notice)) {
    const outcome = { sent: false as const, eventId, ...notice };
    deps.log.info('alarm event ignored', { ...outcome });
    return outcome;
  }
  const figures: LiveFigures = await readAlarmFigures(deps.cloudWatch, figuresQuery(notice, deps.config), deps.figuresTimeoutMs);
  if (!figures.read)
    deps.log.warn('figures unavailable: sending without them', { eventId, alarmName: notice.alarm.name, reason: figures.reason });
  const notification = notificationFor(notice, { ...deps, figures });
  const topicArn = notification.topic === 'page' ? deps.pageTopicArn : deps.ticketTopicArn;
  const messageId = await publishOnce(deps.sns, topicArn, notification, deps.sleep);
  const outcome: NotifyOutcome = {
    sent: true,
    eventId,
    alarmName: notice.alarm.name,
    ...(notice.modelId === undefined ? {} : { modelId: notice.modelId }),
    transition: notice.transition,
    topic: notification.topic,
    subject: notification.subject,
    ...(messageId === undefined ? {} : { messageId }),
    figures: figures.read ? 'read' : 'unavailable',
  };
  deps.log.info('notification sent', { ...outcome });
  return outcome;
}

const logger = new Logger({ serviceName: 'prompt-cache-notifier' });
const log: RunLog = { info: (m, d) => logger.info(m, d ?? {}), warn: (m, d) => logger.warn(m, d ?? {}) };
let env: NotifierEnv | undefined;
let clients: { cloudWatch: CloudWatchClient; sns: SNSClient } | undefined;

export async function handler(event: unknown): Promise<NotifyOutcome> {
  // Spelled out so that esbuild's `define` can replace it with the inlined config.
  env ??= readNotifierEnv({ ...process.env, PROMPT_CACHE_CONFIG: process.env.PROMPT_CACHE_CONFIG });
  // Figures: a read, retried briefly within their time budget; Publish: one attempt per call (see publishOnce).
  clients ??= { cloudWatch: new CloudWatchClient({ maxAttempts: 2 }), sns: new SNSClient({ maxAttempts: 1 }) };
  try {
    return await notify(event, { ...env, ...clients, log });
  } catch (err) {
    const e = event as { id?: string; detail?: { alarmName?: string } } | null;
    logger.error('notification failed: the event goes to the dead-letter queue', {
      eventId: e?.id,
      alarmName: e?.detail?.alarmName,
      error: err as Error,
    });
    throw err;
  }
}
