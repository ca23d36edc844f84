import type { Kafka } from 'kafkajs';

declare const opaque: unique symbol;

/**
 * A configured connection to the brokers (createKafka). Opaque outside this lib: services, tools,
 * benches and tests hand it to the lib's publisher, consumers and admin helpers and never reach the
 * client library behind it, which stays swappable. This file is not exported from the lib's index.
 */
export interface KafkaClient {
  readonly clientId: string;
  readonly [opaque]: true;
}

const clients = new WeakMap<KafkaClient, Kafka>();

export function wrapKafka(kafka: Kafka, clientId: string): KafkaClient {
  const client = Object.freeze({ clientId }) as KafkaClient;
  clients.set(client, kafka);
  return client;
}

/** The kafkajs client behind a handle; for this lib's own files only. */
export function kafkaOf(client: KafkaClient): Kafka {
  const kafka = clients.get(client);
  if (!kafka) throw new Error('not a KafkaClient from createKafka');
  return kafka;
}
