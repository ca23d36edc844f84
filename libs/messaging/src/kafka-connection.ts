import { Kafka, logLevel, LogEntry } from 'kafkajs';
import { MessagingLogger } from './logger';

export interface KafkaSettings {
  brokers: string[];
  clientId: string;
  /** Physical topic names are `${topicPrefix}${base}`; isolates tests and parallel deployments. */
  topicPrefix: string;
  /** Fetch wait on the decision path: small values trade broker CPU for latency. */
  maxWaitTimeInMs?: number;
}

/** kafkajs stays behind this file and the others in this lib: no service imports it. */
export function createKafka(settings: KafkaSettings, logger: MessagingLogger): Kafka {
  return new Kafka({
    clientId: settings.clientId,
    brokers: settings.brokers,
    connectionTimeout: 3000,
    requestTimeout: 30000,
    retry: { initialRetryTime: 100, retries: 8 },
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ level, log, namespace }: LogEntry) => {
        const { message, ...rest } = log;
        const entry = { component: 'kafkajs', namespace, ...rest };
        // kafkajs logs routine, retried group coordination (rebalances, a loading coordinator) as
        // errors; they are expected during deploys and would drown real errors.
        const routine =
          /rebalanc|coordinator (is )?(loading|not available)|not the correct coordinator/i.test(
            String(rest['error'] ?? ''),
          );
        if (level === logLevel.ERROR && routine) logger.debug(entry, message);
        else if (level === logLevel.ERROR) logger.error(entry, message);
        else if (level === logLevel.WARN) logger.warn(entry, message);
        else logger.debug(entry, message);
      },
  });
}
