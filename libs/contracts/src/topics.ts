/**
 * The one declarative list of Kafka topics (ARCHITECTURE.md § Topics). Topic creation, the AsyncAPI
 * document and every producer/consumer read from here, so a topic is described exactly once.
 */
export interface TopicSpec {
  /** Base name, without the deployment prefix. */
  readonly name: string;
  /** What the message key is, in domain terms. */
  readonly key: string;
  readonly partitions: number;
  readonly cleanupPolicy: 'delete' | 'compact';
  /** Retention in ms; -1 keeps forever. Ignored for compacted topics except for tombstones. */
  readonly retentionMs: number;
  readonly description: string;
  /** Topic-level `max.message.bytes` where a record can be larger than the broker's 1 MB default. */
  readonly maxMessageBytes?: number;
}

const DAY = 24 * 60 * 60 * 1000;

export const Topics = {
  intents: {
    name: 'agentops.intents.v1',
    key: 'agent id',
    partitions: 6,
    cleanupPolicy: 'delete',
    retentionMs: 7 * DAY,
    description: 'Actions agents intend to take, announced before acting. Ordered per agent.',
  },
  decisions: {
    name: 'agentops.decisions.v1',
    key: 'agent id',
    partitions: 6,
    cleanupPolicy: 'delete',
    retentionMs: 7 * DAY,
    description: 'Policy, human, kill-switch, breaker and timeout decisions on intents.',
  },
  outcomes: {
    name: 'agentops.outcomes.v1',
    key: 'agent id',
    partitions: 6,
    cleanupPolicy: 'delete',
    retentionMs: 7 * DAY,
    description: 'What the agent actually did after a decision.',
  },
  verifications: {
    name: 'agentops.verifications.v1',
    key: 'agent id',
    partitions: 6,
    cleanupPolicy: 'delete',
    retentionMs: 7 * DAY,
    description: 'Post-execution checks: did the outcome match what was approved?',
  },
  escalations: {
    name: 'agentops.escalations.v1',
    key: 'intent id',
    partitions: 3,
    cleanupPolicy: 'delete',
    retentionMs: 14 * DAY,
    description: 'Human review task lifecycle.',
  },
  killswitch: {
    name: 'agentops.killswitch.v1',
    key: 'scope',
    partitions: 1,
    cleanupPolicy: 'compact',
    retentionMs: -1,
    description: 'Compacted: the current state of every kill switch. Rebuilt into memory at start.',
  },
  policies: {
    name: 'agentops.policies.v1',
    key: 'policy set scope: baseline or tenant:<tenant id>',
    partitions: 1,
    cleanupPolicy: 'compact',
    retentionMs: -1,
    description:
      'Compacted: the active policy set of each scope, the platform baseline and every tenant set over it.',
  },
  knowledge: {
    name: 'agentops.knowledge.v1',
    key: 'tenant id',
    partitions: 1,
    cleanupPolicy: 'compact',
    retentionMs: -1,
    // A whole knowledge document (50,000 SKUs at ~300 bytes of JSON each).
    maxMessageBytes: 16 * 1024 * 1024,
    description:
      'Compacted: the active knowledge version of each tenant (the whole document), read into memory at start by every guardrail and ingest instance.',
  },
  telemetry: {
    name: 'agentops.telemetry.v1',
    key: 'agent id',
    partitions: 6,
    cleanupPolicy: 'delete',
    retentionMs: 3 * DAY,
    description: 'Model and tool calls, data access and cost reported by agents.',
  },
  audit: {
    name: 'agentops.audit.v1',
    key: 'chain id',
    partitions: 6,
    cleanupPolicy: 'delete',
    retentionMs: 30 * DAY,
    // A record carries its event's payload: the largest is a knowledge document (up to 16 MiB).
    maxMessageBytes: 32 * 1024 * 1024,
    description: 'Audit records for BI, after privacy treatment, with their hashes.',
  },
  auditCheckpoints: {
    name: 'agentops.audit.checkpoints.v1',
    key: 'chain id',
    partitions: 1,
    cleanupPolicy: 'delete',
    retentionMs: -1,
    description: 'Signed audit chain heads, for third parties.',
  },
  rollouts: {
    name: 'agentops.rollouts.v1',
    key: 'rollout id',
    partitions: 1,
    cleanupPolicy: 'compact',
    retentionMs: -1,
    description:
      'Compacted: the current state, salt and weights of every rollout. Followers (ingest, guardrail) assign units from it.',
  },
  rolloutEvents: {
    name: 'agentops.rollout.events.v1',
    key: 'rollout id',
    partitions: 3,
    cleanupPolicy: 'delete',
    retentionMs: 30 * 24 * 60 * 60 * 1000,
    description:
      'Rollout transitions (applied, advanced, paused, resumed, promoted, rolled back) with their evidence.',
  },
  accessAnomalies: {
    name: 'agentops.access.anomalies.v1',
    key: 'agent id',
    partitions: 3,
    cleanupPolicy: 'delete',
    retentionMs: 30 * DAY,
    description:
      "Explained anomalies of agents' data access (feature, baseline, deviation, window, severity) and the quarantines they caused.",
  },
  spans: {
    name: 'agentops.spans.v1',
    key: 'service instance',
    partitions: 3,
    cleanupPolicy: 'delete',
    // Observability, not a record: ingest stores what it reads within seconds.
    retentionMs: DAY,
    description:
      "Every service's own OpenTelemetry spans, in batches, for ingest's embedded trace store (best effort: a full queue drops and counts).",
  },
  deadLetters: {
    name: 'agentops.dlq.v1',
    key: 'original key',
    partitions: 3,
    cleanupPolicy: 'delete',
    retentionMs: 30 * DAY,
    description: 'Messages a consumer rejected, with the reason and their origin.',
  },
} as const satisfies Record<string, TopicSpec>;

export type TopicKey = keyof typeof Topics;
export type TopicName = (typeof Topics)[TopicKey]['name'];

export const allTopics: readonly TopicSpec[] = Object.values(Topics);

/**
 * Tests and parallel deployments share one broker; a prefix isolates them without a second list.
 */
export function topicName(topic: TopicSpec | TopicName, prefix = ''): string {
  const base = typeof topic === 'string' ? topic : topic.name;
  return `${prefix}${base}`;
}

export function baseTopicName(physical: string, prefix = ''): string {
  return prefix && physical.startsWith(prefix) ? physical.slice(prefix.length) : physical;
}
