import { z } from 'zod';
import { AccessAnomalyDetectedType, AccessAnomalyDetectedV1 } from './events/access-anomaly-detected/schema';
import { AuditCheckpointSignedType, AuditCheckpointSignedV1 } from './events/audit-checkpoint-signed/schema';
import { AuditRecordedType, AuditRecordedV1 } from './events/audit-recorded/schema';
import { EscalationOpenedType, EscalationOpenedV1 } from './events/escalation-opened/schema';
import { EscalationResolvedType, EscalationResolvedV1 } from './events/escalation-resolved/schema';
import { IntentDecidedType, IntentDecidedV1 } from './events/intent-decided/schema';
import { IntentProposedType, IntentProposedV1 } from './events/intent-proposed/schema';
import { KillSwitchChangedType, KillSwitchChangedV1 } from './events/killswitch-changed/schema';
import {
  KnowledgeVersionActivatedType,
  KnowledgeVersionActivatedV1,
} from './events/knowledge-version-activated/schema';
import { MessageDeadLetteredType, MessageDeadLetteredV1 } from './events/message-dead-lettered/schema';
import { OutcomeReportedType, OutcomeReportedV1 } from './events/outcome-reported/schema';
import { OutcomeVerifiedType, OutcomeVerifiedV1 } from './events/outcome-verified/schema';
import { PolicySetActivatedType, PolicySetActivatedV1 } from './events/policy-set-activated/schema';
import { RolloutChangedType, RolloutChangedV1 } from './events/rollout-changed/schema';
import { RolloutTransitionedType, RolloutTransitionedV1 } from './events/rollout-transitioned/schema';
import { SpansExportedType, SpansExportedV1 } from './events/spans-exported/schema';
import { TelemetryRecordedType, TelemetryRecordedV1 } from './events/telemetry-recorded/schema';
import { Topics, TopicSpec } from './topics';

export interface EventDefinition<S extends z.ZodTypeAny = z.ZodTypeAny> {
  readonly type: string;
  readonly topic: TopicSpec;
  readonly schema: S;
  readonly summary: string;
}

function define<S extends z.ZodTypeAny>(
  type: string,
  topic: TopicSpec,
  schema: S,
  summary: string,
): EventDefinition<S> {
  return { type, topic, schema, summary };
}

/** Every event type, its one schema and the topic it travels on. */
export const EventDefinitions = {
  [IntentProposedType]: define(
    IntentProposedType,
    Topics.intents,
    IntentProposedV1,
    'An agent announces an action before taking it.',
  ),
  [IntentDecidedType]: define(
    IntentDecidedType,
    Topics.decisions,
    IntentDecidedV1,
    'The verdict on an intent and why.',
  ),
  [OutcomeReportedType]: define(
    OutcomeReportedType,
    Topics.outcomes,
    OutcomeReportedV1,
    'What the agent actually did.',
  ),
  [OutcomeVerifiedType]: define(
    OutcomeVerifiedType,
    Topics.verifications,
    OutcomeVerifiedV1,
    'Whether an outcome matched its approval.',
  ),
  [EscalationOpenedType]: define(
    EscalationOpenedType,
    Topics.escalations,
    EscalationOpenedV1,
    'A human review task was opened.',
  ),
  [EscalationResolvedType]: define(
    EscalationResolvedType,
    Topics.escalations,
    EscalationResolvedV1,
    'A human review task was resolved.',
  ),
  [KillSwitchChangedType]: define(
    KillSwitchChangedType,
    Topics.killswitch,
    KillSwitchChangedV1,
    'A kill switch was flipped or released.',
  ),
  [PolicySetActivatedType]: define(
    PolicySetActivatedType,
    Topics.policies,
    PolicySetActivatedV1,
    'A policy set became active.',
  ),
  [KnowledgeVersionActivatedType]: define(
    KnowledgeVersionActivatedType,
    Topics.knowledge,
    KnowledgeVersionActivatedV1,
    "A tenant's knowledge base version became active.",
  ),
  [TelemetryRecordedType]: define(
    TelemetryRecordedType,
    Topics.telemetry,
    TelemetryRecordedV1,
    'Agent telemetry: model/tool calls, data access, cost.',
  ),
  [AuditRecordedType]: define(
    AuditRecordedType,
    Topics.audit,
    AuditRecordedV1,
    'An audit record, after privacy treatment, with its chain hashes.',
  ),
  [AuditCheckpointSignedType]: define(
    AuditCheckpointSignedType,
    Topics.auditCheckpoints,
    AuditCheckpointSignedV1,
    'A signed audit chain head.',
  ),
  [RolloutChangedType]: define(
    RolloutChangedType,
    Topics.rollouts,
    RolloutChangedV1,
    'The current state and weights of a rollout.',
  ),
  [RolloutTransitionedType]: define(
    RolloutTransitionedType,
    Topics.rolloutEvents,
    RolloutTransitionedV1,
    'A rollout moved: applied, advanced, paused, resumed, promoted, rolled back or concluded.',
  ),
  [AccessAnomalyDetectedType]: define(
    AccessAnomalyDetectedType,
    Topics.accessAnomalies,
    AccessAnomalyDetectedV1,
    "An agent's data access left its baseline or broke a flow rule, explained; a high one quarantines it.",
  ),
  [SpansExportedType]: define(
    SpansExportedType,
    Topics.spans,
    SpansExportedV1,
    "A batch of a service's own OpenTelemetry spans, for the embedded trace store.",
  ),
  [MessageDeadLetteredType]: define(
    MessageDeadLetteredType,
    Topics.deadLetters,
    MessageDeadLetteredV1,
    'A message a consumer rejected.',
  ),
} as const;

export type EventTypeName = keyof typeof EventDefinitions;

/** The TypeScript type of each event's data, derived from its schema (one definition, two uses). */
export type EventData<T extends EventTypeName> = z.infer<(typeof EventDefinitions)[T]['schema']>;

export const EventTypes = {
  IntentProposed: IntentProposedType,
  IntentDecided: IntentDecidedType,
  OutcomeReported: OutcomeReportedType,
  OutcomeVerified: OutcomeVerifiedType,
  EscalationOpened: EscalationOpenedType,
  EscalationResolved: EscalationResolvedType,
  KillSwitchChanged: KillSwitchChangedType,
  PolicySetActivated: PolicySetActivatedType,
  KnowledgeVersionActivated: KnowledgeVersionActivatedType,
  TelemetryRecorded: TelemetryRecordedType,
  AuditRecorded: AuditRecordedType,
  AuditCheckpointSigned: AuditCheckpointSignedType,
  RolloutChanged: RolloutChangedType,
  RolloutTransitioned: RolloutTransitionedType,
  AccessAnomalyDetected: AccessAnomalyDetectedType,
  SpansExported: SpansExportedType,
  MessageDeadLettered: MessageDeadLetteredType,
} as const;

export function isKnownEventType(type: string): type is EventTypeName {
  return Object.prototype.hasOwnProperty.call(EventDefinitions, type);
}

export function eventDefinition(type: EventTypeName): EventDefinition {
  return EventDefinitions[type];
}
