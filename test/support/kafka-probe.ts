import { headersToStrings } from '@agentops/messaging';
import { adminKafka } from './kafka-access';

export interface ProbedMessage {
  key: string | null;
  value: string;
  headers: Record<string, string>;
}

/**
 * Reads a topic from the beginning under a throwaway group, for assertions on what was produced;
 * as the admin, an observer outside every service's ACLs.
 */
export function collectTopic(physicalTopic: string) {
  const kafka = adminKafka('', 'agentops-test-probe');
  const consumer = kafka.consumer({
    groupId: `probe-${physicalTopic}-${Date.now()}-${Math.random()}`,
    maxWaitTimeInMs: 50,
  });
  const messages: ProbedMessage[] = [];
  const ready = (async () => {
    await consumer.connect();
    await consumer.subscribe({ topic: physicalTopic, fromBeginning: true });
    const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
    await consumer.run({
      eachMessage: async ({ message }) => {
        messages.push({
          key: message.key?.toString() ?? null,
          value: message.value?.toString() ?? '',
          headers: headersToStrings(message.headers as never),
        });
      },
    });
    await joined;
  })();
  return { messages, ready, stop: () => consumer.disconnect() };
}
