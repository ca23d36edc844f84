import { EgressRefused } from '@agentops/egress';
import { RecordingLogger, ScriptedSender, testConfig } from '../testing/escalation-doubles';
import { Notifier } from './notifier';

const URL = 'https://hooks.example.com/T000/B000';

function notifierUnderTest(attempts: number) {
  const sender = new ScriptedSender();
  const logger = new RecordingLogger();
  const notifier = new Notifier(
    sender.asSender(),
    testConfig({ ESCALATION_NOTIFY_ATTEMPTS: attempts }),
    logger.asLogger(),
  );
  return { notifier, sender, logger };
}

describe('Notifier', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('retries a 5xx, a 429 and a network error in the background until the webhook takes it', async () => {
    const { notifier, sender, logger } = notifierUnderTest(4);
    sender.answers = [503, 429, new Error('socket hang up'), 200];
    notifier.notify(URL, 'task waiting');
    await jest.runAllTimersAsync();
    expect(sender.calls).toHaveLength(4);
    expect(sender.calls.map((c) => JSON.parse(c.body))).toEqual(Array(4).fill({ text: 'task waiting' }));
    expect(logger.warnings).toEqual([]);
  });

  it('gives up after the attempts configured and says so once', async () => {
    const { notifier, sender, logger } = notifierUnderTest(3);
    sender.answers = [500, 500, 500, 200];
    notifier.notify(URL, 'task waiting');
    await jest.runAllTimersAsync();
    expect(sender.calls).toHaveLength(3);
    expect(logger.warnings).toEqual([
      {
        msg: 'notification webhook failed; giving up',
        fields: { reason: 'webhook answered 500', attempt: 3, destination: 'https://hooks.example.com' },
      },
    ]);
  });

  it('does not retry a 4xx or a URL the egress policy refuses', async () => {
    for (const answer of [404, new EgressRefused('the host resolves to a private address')]) {
      const { notifier, sender, logger } = notifierUnderTest(4);
      sender.answers = [answer, 200];
      notifier.notify(URL, 'task waiting');
      await jest.runAllTimersAsync();
      expect(sender.calls).toHaveLength(1);
      expect(logger.warnings).toHaveLength(1);
    }
  });

  it('sends nothing when the route has no webhook', async () => {
    const { notifier, sender } = notifierUnderTest(4);
    notifier.notify(undefined, 'task waiting');
    await jest.runAllTimersAsync();
    expect(sender.calls).toEqual([]);
  });
});
