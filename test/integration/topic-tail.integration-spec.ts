import { EventEnvelope, EventTypes, KillSwitchChangedV1, Topics, topicName } from '@agentops/contracts';
import {
  EventPublisher,
  KafkaAdmin,
  KafkaClient,
  MessagingLogger,
  TopicTail,
  createEvent,
  ensureTopics,
  newEventId,
  silentLogger,
} from '@agentops/messaging';
import { adminKafka } from '../support/kafka-access';

/**
 * libs/messaging's TopicTail on the real broker: the followers of the state topics (kill switches,
 * rollouts, knowledge) start with it, and an instance serves only once it has read its topic to the
 * high watermark. A catch-up that takes long — a starved process, a group the coordinator dropped —
 * must make the start longer, not fail it (guardrail used to exit after 30 s on a loaded machine);
 * only a stop ends it. The suite has its own topic prefix, so its topic holds only its own records.
 */
const prefix = `tt${Date.now().toString(36)}.`;
const TOPIC = topicName(Topics.killswitch, prefix);
let kafka: KafkaClient;
let publisher: EventPublisher;
const tails: TopicTail[] = [];
const RECORDS = 30;

const change = (n: number) =>
  createEvent(
    EventTypes.KillSwitchChanged,
    {
      switchId: newEventId(),
      selector: { tenantId: `it-tail-${n}`, role: 'pricing' },
      state: 'released',
      actor: 'user:sre',
      reason: 'topic tail test',
      changedAt: '2026-03-02T09:00:00.000Z',
    },
    { source: 'agentops/killswitch', tenantid: 'platform' },
  ) as EventEnvelope<KillSwitchChangedV1>;

/** Keeps what the tail logs, to see it say that it is still catching up. */
function recordingLogger(): MessagingLogger & { warnings: string[] } {
  const warnings: string[] = [];
  return {
    ...silentLogger,
    warnings,
    warn: (_fields: unknown, message?: string) => void warnings.push(message ?? ''),
  };
}

function tail(name: string, logger: MessagingLogger, slowCatchUpWarnMs?: number): TopicTail {
  const t = new TopicTail(
    kafka,
    { topic: TOPIC, topicPrefix: prefix, groupId: `${prefix}${name}-${newEventId()}`, slowCatchUpWarnMs },
    logger,
  );
  tails.push(t);
  return t;
}

beforeAll(async () => {
  kafka = adminKafka(prefix, 'topic-tail-it');
  await ensureTopics(kafka, [Topics.killswitch], { prefix, replicationFactor: 1, minInsyncReplicas: 1 });
  publisher = new EventPublisher(kafka, prefix, silentLogger);
  await publisher.connect();
  const events = Array.from({ length: RECORDS }, (_, n) => change(n));
  await publisher.publishMany(events.map((event) => ({ event, key: event.data.switchId })));
});

afterAll(async () => {
  await Promise.all(tails.map((t) => t.stop()));
  await publisher?.disconnect();
  await KafkaAdmin.with(kafka, async (admin) => {
    await admin
      .deleteGroups((await admin.listGroups()).filter((g) => g.startsWith(prefix)))
      .catch(() => undefined);
    await admin.deleteTopics([TOPIC]).catch(() => undefined);
  });
});

describe('TopicTail on the real broker', () => {
  it('keeps catching up past its slow-catch-up warning and then hands over every record', async () => {
    const logger = recordingLogger();
    const seen: string[] = [];
    // A warning after 1 ms: the group join alone takes longer, so the catch-up is "slow" every time.
    const { loaded } = await tail('slow', logger, 1).start((event) => seen.push(event.id));
    expect(loaded).toBe(RECORDS);
    expect(new Set(seen).size).toBe(RECORDS);
    expect(logger.warnings.some((w) => w.includes('still catching up'))).toBe(true);
  });

  it('ends a start that is still catching up when the tail is stopped', async () => {
    const t = tail('stopped', silentLogger);
    let handed = 0;
    const started = t.start(() => {
      // Stopped at the first record, with the other records still to read: the start must not hang.
      if (handed++ === 0) void t.stop();
    });
    await expect(started).rejects.toThrow(/stopped before .* was read to its high watermark/);
    expect(handed).toBeGreaterThan(0);
  });
});
