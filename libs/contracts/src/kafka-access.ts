import { DecidedBy, Verdict } from './events/common/schema';
import { EventDefinitions, EventTypeName, EventTypes } from './registry';
import { Topics, TopicSpec, allTopics } from './topics';

/**
 * Who talks through which topic (ARCHITECTURE.md § Parts, "talks through", checked against every
 * producer and consumer in services/): one Kafka principal per service, and what each may claim.
 * The broker's ACLs are generated from this table (libs/messaging `kafkaAclBindings`), and every
 * consumer refuses an event whose `ce_source` may not produce its type (`producerRefusal`). A
 * change of who produces or consumes what is a change here, and nowhere else.
 */
export const ServiceNames = [
  'ingest',
  'guardrail',
  'escalation',
  'killswitch',
  'audit',
  'console',
  'rollout',
  'access',
] as const;
export type ServiceName = (typeof ServiceNames)[number];

/** What a service may say in an `intent.decided` it produces. */
export interface DecisionClaims {
  readonly decidedBy: readonly DecidedBy[];
  /** Absent: any verdict. */
  readonly verdicts?: readonly Verdict[];
}

export interface ServiceKafkaAccess {
  /** Event types it produces, with `ce_source` `agentops/<service>`. */
  readonly produces: readonly EventTypeName[];
  /** Required when it produces `intent.decided`: the deciders it may speak for. */
  readonly decides?: DecisionClaims;
  /** Topics it reads (every consumer may also dead-letter into the DLQ). */
  readonly consumes: readonly TopicSpec[];
}

// Spans are observability, not a record of what agents did: the audit trail has the events they describe.
const auditedTopics = allTopics.filter(
  (t) => t !== Topics.audit && t !== Topics.auditCheckpoints && t !== Topics.spans,
);

export const KafkaAccess: Readonly<Record<ServiceName, ServiceKafkaAccess>> = {
  ingest: {
    // Its own decisions are fail-closed answers only: a timeout or a kill switch, always deny.
    produces: [
      EventTypes.IntentProposed,
      EventTypes.OutcomeReported,
      EventTypes.TelemetryRecorded,
      EventTypes.IntentDecided,
    ],
    decides: { decidedBy: ['timeout', 'killswitch'], verdicts: ['deny'] },
    // escalations: a waiting agent whose intent went to review is told its task and the route's SLA.
    // knowledge: agents read their tenant's approved knowledge through ingest; rollouts: the control
    // stream tells each agent the rollouts covering it (the SDK's variant()).
    // spans: every service's own spans, for the embedded trace store ingest keeps.
    consumes: [
      Topics.decisions,
      Topics.killswitch,
      Topics.escalations,
      Topics.knowledge,
      Topics.rollouts,
      Topics.spans,
    ],
  },
  guardrail: {
    produces: [
      EventTypes.IntentDecided,
      EventTypes.OutcomeVerified,
      EventTypes.PolicySetActivated,
      EventTypes.KnowledgeVersionActivated,
    ],
    decides: { decidedBy: ['policy', 'permissions', 'killswitch', 'timeout'] },
    // decisions: outcomes are verified against human decisions too; policies and knowledge: every
    // instance follows (guardrail owns the knowledge base beside the catalog); rollouts: the variant
    // gate denies an intent whose variant is not its unit's assignment.
    consumes: [
      Topics.intents,
      Topics.outcomes,
      Topics.decisions,
      Topics.policies,
      Topics.knowledge,
      Topics.killswitch,
      Topics.rollouts,
    ],
  },
  escalation: {
    // The only service that speaks for a human.
    produces: [EventTypes.IntentDecided, EventTypes.EscalationOpened, EventTypes.EscalationResolved],
    decides: { decidedBy: ['human', 'timeout'] },
    // High data-access anomalies open a security review for the quarantined agent (issue #17).
    consumes: [Topics.intents, Topics.decisions, Topics.accessAnomalies],
  },
  killswitch: {
    produces: [EventTypes.KillSwitchChanged],
    // intents: which agents exist, so a switch can say how many it covers.
    consumes: [Topics.decisions, Topics.verifications, Topics.telemetry, Topics.intents],
  },
  audit: {
    produces: [EventTypes.AuditRecorded, EventTypes.AuditCheckpointSigned],
    consumes: auditedTopics,
  },
  console: {
    // Live traffic and policy fire counts (docs/architecture-notes.md, the console service).
    produces: [],
    consumes: [Topics.intents, Topics.decisions],
  },
  rollout: {
    produces: [EventTypes.RolloutChanged, EventTypes.RolloutTransitioned],
    // Per-arm counts joined by intent id: the intent names its unit and variant, the rest are facts.
    consumes: [
      Topics.intents,
      Topics.decisions,
      Topics.verifications,
      Topics.escalations,
      Topics.outcomes,
      Topics.telemetry,
    ],
  },
  access: {
    produces: [EventTypes.AccessAnomalyDetected],
    // Data-access reports arrive as telemetry; intents are the per-intent denominator (and their
    // dataUsed counts as reads for an agent that reports none). Both keyed by agent id.
    consumes: [Topics.intents, Topics.telemetry],
  },
};

/**
 * Topics every instance of their readers follows from the start as state (a tail per instance, no
 * shared consumer group), so none of those readers dead-letters a refused record — each instance
 * would, at every start. Audit reads them in one group and dead-letters their refusals instead.
 */
export const StateTopics: readonly TopicSpec[] = [Topics.killswitch, Topics.knowledge, Topics.rollouts];

/**
 * Whether audit dead-letters every refusal on `topic` (elsewhere it leaves them to the owning
 * consumer): a state topic, or one that no other service reads.
 */
export function auditOwnsRefusals(topic: TopicSpec): boolean {
  return (
    StateTopics.includes(topic) ||
    !ServiceNames.some((s) => s !== 'audit' && KafkaAccess[s].consumes.includes(topic))
  );
}

const SOURCE_PREFIX = 'agentops/';

/** The `ce_source` a service's events carry. */
export function eventSource(service: ServiceName): string {
  return `${SOURCE_PREFIX}${service}`;
}

/** The service an event claims to come from, or undefined for anything else. */
export function serviceOfSource(source: string): ServiceName | undefined {
  if (!source.startsWith(SOURCE_PREFIX)) return undefined;
  const name = source.slice(SOURCE_PREFIX.length);
  return (ServiceNames as readonly string[]).includes(name) ? (name as ServiceName) : undefined;
}

/** The SASL username a service's principal has unless a deployment names it otherwise. */
export function defaultPrincipalName(service: ServiceName): string {
  return `agentops-${service}`;
}

/** Consumer groups of a service start with this, so one prefixed group ACL covers them all. */
export function consumerGroupPrefix(service: ServiceName, topicPrefix = ''): string {
  return `${topicPrefix}${service}`;
}

/** Every consumer may dead-letter what it cannot accept; every service exports its own spans. */
export function mayProduce(service: ServiceName, type: EventTypeName): boolean {
  const access = KafkaAccess[service];
  if (type === EventTypes.MessageDeadLettered) return access.consumes.length > 0;
  if (type === EventTypes.SpansExported) return true;
  return access.produces.includes(type);
}

/** The topics a service's principal may write, derived from the types it produces. */
export function topicsWrittenBy(service: ServiceName): TopicSpec[] {
  const types = (Object.keys(EventDefinitions) as EventTypeName[]).filter((t) => mayProduce(service, t));
  return allTopics.filter((topic) => types.some((t) => EventDefinitions[t].topic === topic));
}

export function topicsReadBy(service: ServiceName): TopicSpec[] {
  return allTopics.filter((t) => KafkaAccess[service].consumes.includes(t));
}

/** What the producer rule looks at: the envelope's claims and, for decisions, two data fields. */
export interface ClaimedEvent {
  source: string;
  type: string;
  data: unknown;
}

/**
 * Why a consumer must refuse this event, or null when its source may produce it on this topic.
 * The source header is self-declared, so this is the second line behind the broker's ACLs (which
 * bind the topic to the authenticated principal); see docs/security.md § Kafka for what remains.
 */
export function producerRefusal(event: ClaimedEvent, baseTopic: string): string | null {
  const definition = EventDefinitions[event.type as EventTypeName];
  if (!definition) return `unknown event type ${event.type}`;
  if (definition.topic.name !== baseTopic)
    return `${event.type} travels on ${definition.topic.name}, not on ${baseTopic}`;
  const service = serviceOfSource(event.source);
  if (!service) return `source ${JSON.stringify(event.source)} is not an AgentOps service`;
  if (!mayProduce(service, event.type as EventTypeName))
    return `${event.source} may not produce ${event.type}`;
  if (event.type === EventTypes.IntentDecided) return decisionRefusal(service, event.data);
  return null;
}

function decisionRefusal(service: ServiceName, data: unknown): string | null {
  const claims = KafkaAccess[service].decides;
  const { decidedBy, verdict } = (data ?? {}) as { decidedBy?: DecidedBy; verdict?: Verdict };
  if (!claims || !decidedBy || !claims.decidedBy.includes(decidedBy))
    return `${eventSource(service)} may not claim decidedBy ${String(decidedBy)}`;
  if (claims.verdicts && (!verdict || !claims.verdicts.includes(verdict)))
    return `${eventSource(service)} may not decide ${String(verdict)}`;
  return null;
}
