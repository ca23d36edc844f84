import { topicName } from '@agentops/contracts';
import { Consumer } from 'kafkajs';
import { MessagingLogger } from './logger';

/**
 * The retries of a consumer's own loop (fetch, heartbeat, join): kafkajs doubles the wait from
 * 300 ms up to `maxRetryTime`, 30 s by default. A broker unreachable for half a minute ran the
 * waits up to that cap, so after the network healed a consumer could sleep up to 30 s more before
 * it tried again; 5 s bounds what an outage costs after it ends. Ten retries still span over 30 s
 * before kafkajs restarts the consumer (it restarts it for good on retriable errors).
 */
export const CONSUMER_RETRY = { retries: 10, maxRetryTime: 5_000 } as const;

/**
 * A member's session: the broker drops a member it has not heard from for this long. 30 s, as a
 * starved process on a loaded machine misses 10 s of heartbeats (and a dropped member rejoins and
 * redelivers what it had not committed); a dead member's partitions wait as long for a new owner.
 */
export const CONSUMER_SESSION_TIMEOUT_MS = 30_000;

/** Consumer lag, in messages, of a group on one partition. */
export type ConsumerLagObserver = (groupId: string, topic: string, partition: number, lag: number) => void;

/**
 * Connects a consumer, subscribes it to base topics under the prefix and logs crashes; returns the
 * first group join as a promise to await after `run`, which starts the join (wrapped in an object:
 * an async function returning the bare promise would wait for the join itself, and never return).
 * Shared by EventConsumer and BatchConsumer; not exported from the lib.
 */
export async function connectAndSubscribe(
  consumer: Consumer,
  options: { groupId: string; topics: string[]; topicPrefix: string; fromBeginning: boolean; label: string },
  logger: MessagingLogger,
  onJoin: () => void,
  onLag?: ConsumerLagObserver,
): Promise<{ joined: Promise<void> }> {
  const joined = new Promise<void>((resolve) =>
    consumer.on(consumer.events.GROUP_JOIN, () => {
      onJoin();
      resolve();
    }),
  );
  consumer.on(consumer.events.CRASH, (e) =>
    logger.error(
      { err: e.payload.error, groupId: options.groupId, restart: e.payload.restart },
      `${options.label} crashed`,
    ),
  );
  // After each fetch of a partition: how far behind its high watermark the group is.
  if (onLag)
    consumer.on(consumer.events.END_BATCH_PROCESS, (e) =>
      onLag(options.groupId, e.payload.topic, e.payload.partition, Number(e.payload.offsetLag)),
    );
  await consumer.connect();
  await consumer.subscribe({
    topics: options.topics.map((t) => topicName(t as never, options.topicPrefix)),
    fromBeginning: options.fromBeginning,
  });
  return { joined };
}
