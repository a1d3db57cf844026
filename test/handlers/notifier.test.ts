/**
 * The notifier handler's environment and its Publish rule (lambda/handlers/notifier.ts), with stub clients: the request
 * shape, a retry only after a throttle, nothing sent for an ignored event. Its runs against moto are
 * test/integration/notifier.test.ts.
 */
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { listedAlarms } from '../../lambda/core/alarm-catalog';
import { readNotifierEnv } from '../../lambda/handlers/env';
import { notify, publishOnce } from '../../lambda/handlers/notifier';
import { PREFIX, sampleCatalog, stateEvent, TRIAGE_MODEL } from '../support/alarm-events';

const TOPIC = 'arn:aws:sns:us-east-1:123456789012:oncall';
const good = {
  PAGE_TOPIC_ARN: TOPIC,
  TICKET_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:tickets',
  ALARM_NAME_PREFIX: PREFIX,
  ALARM_CATALOG: JSON.stringify(listedAlarms(sampleCatalog())),
  PROMPT_CACHE_CONFIG: JSON.stringify({ namespace: 'Team/Cache', models: [{ ...TRIAGE_MODEL, alarms: { mode: 'precise' } }] }),
};

describe('the environment is read once, every problem named', () => {
  test('nothing set', () => {
    expect(() => readNotifierEnv({})).toThrow(
      'notifier environment is invalid: PAGE_TOPIC_ARN must be an SNS topic ARN (got ""); TICKET_TOPIC_ARN must be an SNS topic ARN (got ""); ALARM_NAME_PREFIX is not set (the prefix of every alarm name, before its "-"); ALARM_CATALOG is not set (the JSON list of the alarms the notifier serves); PROMPT_CACHE_CONFIG is not set (the CDK construct inlines it into the bundle)',
    );
  });

  test.each([
    [
      'an unknown family',
      JSON.stringify([{ name: 'a', family: 'cpu', severity: 'page', kind: 'fleet' }]),
      'ALARM_CATALOG[0].family: Invalid option: expected one of "lowHitRatio"|"writesWithoutReads"|"cachingCostsMoney"|"publisherErrors"|"heartbeat"',
    ],
    ['not JSON', '[{', 'ALARM_CATALOG is not JSON ('],
    ['an object', '{}', 'ALARM_CATALOG: Invalid input: expected array, received object'],
  ])('a catalog with %s', (_name, catalog, message) => {
    expect(() => readNotifierEnv({ ...good, ALARM_CATALOG: catalog })).toThrow(`notifier environment is invalid: ${message}`);
  });

  test('URLs must be https; the publisher timeout whole minutes', () => {
    expect(() => readNotifierEnv({ ...good, DASHBOARD_URL: 'http://x', PUBLISHER_TIMEOUT_MINUTES: '2.5' })).toThrow(
      'notifier environment is invalid: DASHBOARD_URL must be an https:// URL (got "http://x"); PUBLISHER_TIMEOUT_MINUTES must be a whole number of minutes (got "2.5")',
    );
  });

  test('a good environment: the listed alarms, the config with its defaults, optional links absent; precise alarms by name', () => {
    const plain = readNotifierEnv(good);
    expect([plain.catalog.length, plain.config.namespace, plain.dashboardUrl, plain.runbookUrl, plain.publisherTimeoutMinutes]).toEqual([
      6,
      'Team/Cache',
      undefined,
      undefined,
      undefined,
    ]);
    expect(sampleCatalog().map((a) => plain.findAlarm(a.name))).toEqual(sampleCatalog());
  });
});

function stubSns(fail: (call: number) => Error | undefined) {
  const inputs: PublishCommand['input'][] = [];
  const client = {
    send: async (cmd: PublishCommand) => {
      inputs.push(cmd.input);
      const err = fail(inputs.length);
      if (err) throw err;
      return { MessageId: `m-${inputs.length}` };
    },
  };
  return { client: client as unknown as SNSClient, inputs };
}
const named = (name: string) => Object.assign(new Error(`${name} happened`), { name });
const note = { topic: 'page' as const, subject: 'PAGE x: y', message: 'body' };

describe('publishOnce: a retry only where SNS took nothing', () => {
  test('the request: the topic, the subject, the message; a throttle is retried after a back-off', async () => {
    const { client, inputs } = stubSns((n) => (n === 1 ? named('Throttling') : undefined));
    const waits: number[] = [];
    const id = await publishOnce(client, TOPIC, note, async (ms) => void waits.push(ms));
    expect([id, inputs, waits]).toEqual([
      'm-2',
      [
        { TopicArn: TOPIC, Subject: 'PAGE x: y', Message: 'body' },
        { TopicArn: TOPIC, Subject: 'PAGE x: y', Message: 'body' },
      ],
      [400],
    ]);
  });

  test.each([
    ['an error answer', 1, () => named('InternalErrorException')],
    ['a lost connection (outcome unknown)', 1, () => Object.assign(new Error('socket hang up'), { name: 'Error', code: 'ECONNRESET' })],
    ['throttled three times', 3, () => named('Throttling')],
  ])('%s: thrown after %i attempt(s), never blindly retried', async (_name, attempts, error) => {
    const { client, inputs } = stubSns(() => error());
    await expect(publishOnce(client, TOPIC, note, async () => undefined)).rejects.toThrow();
    expect(inputs.length).toBe(attempts);
  });
});

test('an ignored event reads nothing and sends nothing, and says why in the log', async () => {
  const never = { send: () => Promise.reject(new Error('no call expected')) };
  const lines: unknown[] = [];
  const outcome = await notify(
    stateEvent({ alarmName: `${PREFIX}-Fleet-LowHitRatio`, state: 'ALARM', previous: 'OK', atMs: 0, id: 'e-1' }),
    {
      ...readNotifierEnv(good),
      cloudWatch: never as unknown as CloudWatchClient,
      sns: never as unknown as SNSClient,
      log: { info: (m, d) => lines.push([m, d]), warn: (m, d) => lines.push([m, d]) },
    },
  );
  const expected = {
    sent: false,
    eventId: 'e-1',
    ignored: "a fleet alarm's own transition (its contributors notify, one per model)",
    alarmName: `${PREFIX}-Fleet-LowHitRatio`,
  };
  expect([outcome, lines]).toEqual([expected, [['alarm event ignored', expected]]]);
});
