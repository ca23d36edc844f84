import { EventEnvelope, EventTypes, KillSwitchChangedV1, Topics, topicName } from '@agentops/contracts';
import { killSwitchChannel } from '@agentops/killswitch-client';
import { EventPublisher, createEvent, newEventId, silentLogger } from '@agentops/messaging';
import { CommonEnv } from '@agentops/service-runtime';
import { SwitchFanout } from '../../services/killswitch/src/switches/switch-fanout';
import { principalKafka } from '../support/kafka-access';
import { collectTopic } from '../support/kafka-probe';
import { redisForSuite } from '../support/redis-test-keys';
import { runPrefix } from '../support/test-env';

/**
 * Killswitch's fan-out on the real Redis and Kafka: a change goes to the Redis channel every
 * enforcement point listens on (its data) and to the compacted kill-switch topic keyed by switch
 * id (the whole event), published with killswitch's own principal. The switch is of this suite's
 * own tenant and ends released, so the compacted topic holds no active switch of this suite for
 * later ones; the channel is under this suite's own Redis prefix.
 */
describe('SwitchFanout on Redis and Kafka', () => {
  const suite = redisForSuite('it-fanout');
  const channel = killSwitchChannel(suite.config);
  const subscriber = suite.redis.duplicate();
  const heard: unknown[] = [];
  const topic = collectTopic(topicName(Topics.killswitch, runPrefix()));
  let publisher: EventPublisher;
  let fanout: SwitchFanout;

  beforeAll(async () => {
    await topic.ready;
    await subscriber.subscribe(channel);
    subscriber.on('message', (_channel, message) => heard.push(JSON.parse(message)));
    publisher = new EventPublisher(principalKafka('killswitch', runPrefix()), runPrefix(), silentLogger);
    await publisher.connect();
    fanout = new SwitchFanout(publisher, suite.redis, suite.config as CommonEnv);
  });

  afterAll(async () => {
    await publisher?.disconnect();
    await topic.stop();
    subscriber.disconnect();
    await suite.close();
  });

  const change = (switchId: string, state: 'active' | 'released') =>
    createEvent(
      EventTypes.KillSwitchChanged,
      {
        switchId,
        selector: { tenantId: `it-fanout-${Date.now().toString(36)}`, role: 'pricing' },
        state,
        actor: 'user:sre',
        reason: state === 'active' ? 'runaway repricing' : 'fixed',
        changedAt: '2026-03-02T09:00:00.000Z',
      },
      { source: 'agentops/killswitch', tenantid: 'platform', subject: switchId, correlationid: switchId },
    ) as EventEnvelope<KillSwitchChangedV1>;

  it('announces a change on the Redis channel and puts it on the compacted topic keyed by switch id, in order', async () => {
    const switchId = newEventId();
    const [flip, release] = [change(switchId, 'active'), change(switchId, 'released')];
    await fanout.publish(flip);
    await fanout.publish(release);
    for (let i = 0; i < 200 && heard.length < 2; i++) await new Promise((r) => setTimeout(r, 10));
    expect(heard).toEqual([flip.data, release.data]);
    await topic.caughtUp();
    const mine = topic.messages.filter((m) => m.key === switchId);
    expect(mine.map((m) => m.headers['ce_id'])).toEqual([flip.id, release.id]);
    expect(mine.map((m) => JSON.parse(m.value).state)).toEqual(['active', 'released']);
  });
});
