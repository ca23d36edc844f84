/**
 * Creates every AgentOps topic (libs/contracts `allTopics`) that is missing on the broker; topics
 * that exist are left as they are. Run after the broker is up:
 *
 *   node dist/tools/topics/create-topics.js [--verbose]
 *
 * Environment: KAFKA_BROKERS (comma list, default 127.0.0.1:9092), KAFKA_TOPIC_PREFIX (default ''),
 * KAFKA_REPLICATION_FACTOR (default 1), KAFKA_MIN_INSYNC_REPLICAS (default 1), and the admin's
 * KAFKA_SASL_MECHANISM / KAFKA_SASL_USERNAME / KAFKA_SASL_PASSWORD, KAFKA_SSL, KAFKA_SSL_CA_FILE
 * (topics are created by a principal allowed to, never by the services).
 */
import { allTopics, topicName } from '@agentops/contracts';
import {
  KafkaSecurity,
  MessagingLogger,
  createKafka,
  ensureTopics,
  kafkaSecurityFromEnv,
  silentLogger,
} from '@agentops/messaging';

export interface CreateTopicsOptions {
  brokers: string[];
  prefix: string;
  replicationFactor: number;
  minInsyncReplicas: number;
  clientId?: string;
  /** How to authenticate (SASL) and whether to use TLS. */
  security?: KafkaSecurity;
  /** kafkajs diagnostics go here; silent by default so failures end in one clear line. */
  logger?: MessagingLogger;
}

export interface CreateTopicsResult {
  /** Physical names of the topics this run created. */
  created: string[];
  /** Physical names of the topics that were already there. */
  existing: string[];
}

const TOPIC_PREFIX = /^[a-zA-Z0-9._-]*$/;

/** Reads the options from the environment; throws an Error naming the bad variable. */
export function createTopicsOptionsFromEnv(
  env: Record<string, string | undefined> = process.env,
): CreateTopicsOptions {
  const brokers = (env.KAFKA_BROKERS ?? '127.0.0.1:9092')
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean);
  if (brokers.length === 0) throw new Error('KAFKA_BROKERS: must list at least one host:port');
  const prefix = env.KAFKA_TOPIC_PREFIX ?? '';
  if (!TOPIC_PREFIX.test(prefix)) {
    throw new Error(`KAFKA_TOPIC_PREFIX: letters, digits, . _ - only (got ${JSON.stringify(prefix)})`);
  }
  const opts = {
    brokers,
    prefix,
    replicationFactor: positiveInt(env, 'KAFKA_REPLICATION_FACTOR', 1),
    minInsyncReplicas: positiveInt(env, 'KAFKA_MIN_INSYNC_REPLICAS', 1),
  };
  checkReplication(opts);
  return opts;
}

function checkReplication(opts: Pick<CreateTopicsOptions, 'replicationFactor' | 'minInsyncReplicas'>): void {
  if (opts.minInsyncReplicas > opts.replicationFactor) {
    // acks=all producers could never write to such a topic.
    throw new Error(
      `KAFKA_MIN_INSYNC_REPLICAS (${opts.minInsyncReplicas}) must not exceed KAFKA_REPLICATION_FACTOR (${opts.replicationFactor})`,
    );
  }
}

function positiveInt(env: Record<string, string | undefined>, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  if (!/^\d+$/.test(raw.trim()) || Number(raw) < 1) {
    throw new Error(`${name}: must be a positive integer (got ${JSON.stringify(raw)})`);
  }
  return Number(raw);
}

/** Creates the missing topics and says which were created and which already existed. */
export async function createAllTopics(opts: CreateTopicsOptions): Promise<CreateTopicsResult> {
  checkReplication(opts);
  const kafka = createKafka(
    {
      brokers: opts.brokers,
      clientId: opts.clientId ?? 'agentops-create-topics',
      topicPrefix: opts.prefix,
      ...opts.security,
    },
    opts.logger ?? silentLogger,
  );
  const created = await ensureTopics(kafka, allTopics, {
    prefix: opts.prefix,
    replicationFactor: opts.replicationFactor,
    minInsyncReplicas: opts.minInsyncReplicas,
  });
  const createdSet = new Set(created);
  const existing = allTopics.map((t) => topicName(t, opts.prefix)).filter((name) => !createdSet.has(name));
  return { created, existing };
}

/**
 * One line, whatever kafkajs threw. Aggregate errors carry one error per topic; the same reason for
 * many topics is said once, with the count.
 */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const nested = (error as Error & { errors?: unknown }).errors;
  let text = error.message;
  if (Array.isArray(nested) && nested.length > 0) {
    const byReason = new Map<string, Set<string>>();
    for (const e of nested) {
      const reason = e instanceof Error ? e.message : String(e);
      const topic = (e as { topic?: unknown }).topic;
      const topics = byReason.get(reason) ?? new Set<string>();
      if (typeof topic === 'string') topics.add(topic);
      byReason.set(reason, topics);
    }
    const reasons = [...byReason].map(([reason, topics]) =>
      topics.size === 0
        ? reason
        : topics.size === 1
          ? `${[...topics][0]}: ${reason}`
          : `${reason} (${topics.size} topics)`,
    );
    text = `${text}: ${reasons.join('; ')}`;
  }
  return text.replace(/\s*\n\s*/g, ' ');
}

const stderrLogger: MessagingLogger = {
  debug: () => undefined,
  info: (obj, msg) => process.stderr.write(`${msg ?? ''} ${JSON.stringify(obj)}\n`),
  warn: (obj, msg) => process.stderr.write(`${msg ?? ''} ${JSON.stringify(obj)}\n`),
  error: (obj, msg) => process.stderr.write(`${msg ?? ''} ${JSON.stringify(obj)}\n`),
};

export async function main(argv: string[] = process.argv.slice(2), env = process.env): Promise<number> {
  let opts: CreateTopicsOptions;
  try {
    opts = {
      ...createTopicsOptionsFromEnv(env),
      security: kafkaSecurityFromEnv(env),
      logger: argv.includes('--verbose') ? stderrLogger : silentLogger,
    };
  } catch (error) {
    process.stderr.write(`create-topics: invalid configuration: ${describeError(error)}\n`);
    return 2;
  }
  const where = `${opts.brokers.join(',')} (replication ${opts.replicationFactor}, min.insync ${opts.minInsyncReplicas}${opts.prefix ? `, prefix ${opts.prefix}` : ''})`;
  try {
    const { created, existing } = await createAllTopics(opts);
    if (created.length === 0) {
      process.stdout.write(`create-topics: all ${existing.length} topics already exist on ${where}\n`);
    } else {
      process.stdout.write(
        `create-topics: created ${created.length} topic(s) on ${where}; ${existing.length} already existed\n` +
          created.map((name) => `  + ${name}\n`).join(''),
      );
    }
    return 0;
  } catch (error) {
    process.stderr.write(`create-topics: failed on ${where}: ${describeError(error)}\n`);
    return 1;
  }
}

if (require.main === module) {
  void main().then((code) => {
    process.exitCode = code;
  });
}
