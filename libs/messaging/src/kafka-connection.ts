import { Kafka, logLevel, LogEntry, SASLOptions } from 'kafkajs';
import { KafkaClient, wrapKafka } from './kafka-client';
import { KAFKAJS_VERSION_REPAIRED, repairKafkajsIdleTimer } from './kafkajs-idle-timer';
import { MessagingLogger } from './logger';

export type { KafkaClient } from './kafka-client';

export type SaslMechanism = 'scram-sha-512' | 'scram-sha-256' | 'plain';

/** The principal a client authenticates as (SASL); one per service, see libs/contracts KafkaAccess. */
export interface KafkaCredentials {
  mechanism: SaslMechanism;
  username: string;
  password: string;
}

/** TLS to the brokers (SASL_SSL): the CA to trust, PEM; absent = the system's trust store. */
export interface KafkaTls {
  ca?: string;
}

export interface KafkaSettings {
  brokers: string[];
  clientId: string;
  /** Physical topic names are `${topicPrefix}${base}`; isolates tests and parallel deployments. */
  topicPrefix: string;
  /** Absent: no SASL (a broker that authenticates nobody); every deployment we ship sets it. */
  sasl?: KafkaCredentials;
  tls?: KafkaTls;
  /** Retries of a failed request or connection (default 8, about 25 s of backoff). */
  retries?: number;
}

/** kafkajs stays behind this file and the others in this lib: no service imports it. */
export function createKafka(settings: KafkaSettings, logger: MessagingLogger): KafkaClient {
  const idleTimer = repairKafkajsIdleTimer();
  if (!idleTimer.repaired)
    logger.warn(
      { kafkajs: idleTimer.version, repairedFor: KAFKAJS_VERSION_REPAIRED },
      'kafkajs idle-timer repair not applied: check whether this version still loops (libs/messaging kafkajs-idle-timer.ts)',
    );
  const kafka = new Kafka({
    clientId: settings.clientId,
    brokers: settings.brokers,
    sasl: settings.sasl ? saslOptions(settings.sasl) : undefined,
    ssl: settings.tls
      ? { ca: settings.tls.ca ? [settings.tls.ca] : undefined, rejectUnauthorized: true }
      : undefined,
    connectionTimeout: 3000,
    // SCRAM costs a few PBKDF2 rounds per connection; 10 s leaves room on a loaded machine.
    authenticationTimeout: 10_000,
    requestTimeout: 30000,
    retry: { initialRetryTime: 100, retries: settings.retries ?? 8 },
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
  return wrapKafka(kafka, settings.clientId);
}

function saslOptions({ mechanism, username, password }: KafkaCredentials): SASLOptions {
  // kafkajs types each mechanism separately; the three share one shape.
  return { mechanism, username, password } as SASLOptions;
}
