/**
 * The notifier's pure core: an EventBridge alarm event, the alarm catalog, the config and the live figures in; the
 * notification a person gets (topic, subject, message in night order) out, or why the event is ignored. Also the
 * alarm descriptions lib/alarms writes, from the same runbook text.
 */
export {
  ACCOUNT_ID_KEY,
  ALARM_STATE_CHANGE,
  CONTRIBUTOR_STATE_CHANGE,
  contributorAccount,
  datapointOf,
  isIgnored,
  readAlarmEvent,
} from './event';
export type { AlarmNotice, Ignored } from './event';
export { breachingRun, FIGURE_PERIODS, figuresQuery, modelReading } from './figures';
export type {
  BreachingRun,
  FigureId,
  FigureSeries,
  FigureSeriesQuery,
  FiguresQuery,
  LiveFigures,
  ModelReading,
  SeriesPoint,
} from './figures';
export { alarmConsoleUrl, CONSOLE_HOSTS, partitionOf, RUNBOOK_ANCHORS, runbookLink } from './links';
export { claudeBreakEvens, modelFacts, shortModelId } from './model';
export type { ModelFacts } from './model';
export { alarmDescription, DESCRIPTION_MAX, fitSubject, notificationFor, SUBJECT_MAX } from './render';
export type { DescriptionContext, Notification, PageContext, RunbookContext } from './render';
export { LAG_FILL_MINUTES, NIGHT_HOURS, runbookSections } from './runbook';
export type { LiveView, RunbookInput, RunbookSections } from './runbook';
export {
  alarmWindow,
  coveringWindow,
  DEFAULT_PUBLISHER_TIMEOUT_MINUTES,
  fleetWindow,
  heartbeatPeriods,
  INSIGHTS_EVALUATION_MINUTES,
  lagThresholdMinutes,
} from './windows';
export type { EvalWindow } from './windows';
