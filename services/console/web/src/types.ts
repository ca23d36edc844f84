/**
 * The shapes the console reads, as the console service and the platform services answer them.
 * What the contracts define (selectors, decision reasons, verdicts, intents) is imported from
 * @agentops/contracts as types only — erased by esbuild, so no zod reaches the bundle; the rest are
 * the services' HTTP views, which live in no shared lib.
 */
import type {
  AgentIdentity,
  AuditRecordedV1,
  CohortSelector,
  DecidedBy,
  DecisionReason,
  IntentProposal,
  KillSwitchChangedV1,
  Verdict,
} from '@agentops/contracts';
import type { VerdictCounts } from './lib/verdicts';

export interface User {
  id: string;
  tenantId: string;
  roles: string[];
  displayName: string;
}

export interface Overview {
  tenantId: string;
  windowSeconds: number;
  generatedAt: string;
  totals: { intents: number; intentsPerSecond: number; verdicts: VerdictCounts };
  byRole: { role: string; intents: number; intentsPerSecond: number; verdicts: VerdictCounts }[];
  perSecond: number[];
}

export interface KillSwitch {
  id: string;
  tenantId: string | null;
  selector: CohortSelector;
  state: KillSwitchChangedV1['state'];
  actor: string;
  reason: string;
  ticket: string | null;
  expiresAt: string | null;
  flippedAt: string;
  releasedAt: string | null;
  releasedBy: string | null;
  releaseReason: string | null;
  coveredAgents?: number;
}

export interface SwitchHistoryEntry {
  seq: string;
  switchId: string;
  eventId: string;
  state: KillSwitchChangedV1['state'];
  actor: string;
  reason: string;
  at: string;
}

export interface FlipPreview {
  selector: CohortSelector;
  coveredAgents: number;
  agents: string[];
}

export interface BreakerState {
  breaker: string;
  cohort: string;
  state: 'closed' | 'open' | 'half_open';
  switchId: string | null;
  since: string;
  trips: number;
}

export type { DecisionReason };

export interface Task {
  id: string;
  intentId: string;
  tenantId: string;
  status: 'open' | 'resolved';
  route: string;
  group: string;
  /** Groups whose members may claim and decide the task now (the tier's and the later tiers'). */
  decidingGroups?: string[];
  tier: number;
  dueAt: string | null;
  fourEyes: boolean;
  requiredApprovals: number;
  /** Who approved what is now proposed, on the current route (the approvals that count). */
  approvedBy?: string[];
  agent: {
    id: string;
    role?: AgentIdentity['role'];
    labels: Record<string, string>;
    owner: string | null;
    ownerTeam: string | null;
  };
  intent: Pick<IntentProposal, 'action'> &
    Partial<Pick<IntentProposal, 'target' | 'params' | 'confidence' | 'justification' | 'dataUsed'>> & {
      proposedAt?: string;
    };
  reasons: DecisionReason[];
  suggestedParams: Record<string, unknown> | null;
  claimedBy: string | null;
  approvals: { by: string; at: string; params?: Record<string, unknown>; comment?: string }[];
  comments: { by: string; text: string; at: string }[];
  history: { at: string; by: string; what: string }[];
  resolution: string | null;
  finalDecision: { verdict?: Verdict; reviewers?: string[] } | null;
  createdAt: string;
  resolvedAt: string | null;
}

export interface AuditRecord {
  chainId: string;
  sequence: number;
  eventId: string;
  type: string;
  source: string;
  tenantId: string;
  agentId: string | null;
  correlationId: string | null;
  causationId: string | null;
  eventTime: string;
  actorKind: AuditRecordedV1['actor']['kind'];
  actorId: string;
  action: string | null;
  verdict: Verdict | null;
  decidedBy: DecidedBy | null;
  payload: unknown;
  subjects: string[];
  prevHash: string;
  hash: string;
  recordedAt: string;
}

export interface ChainFailure {
  chainId: string;
  reason: string;
  recordId?: string;
  eventId?: string;
  sequence: number;
  detail: string;
}

export interface VerifyReport {
  ok: boolean;
  chains: { chainId: string; ok: boolean; checked: number; lastSequence: number; failure?: ChainFailure }[];
  records: number;
  ms: number;
  keyIds: string[];
  firstFailure?: ChainFailure;
}

export interface PolicySetSummary {
  /** The platform baseline, or a tenant's own set over it. */
  scope: 'baseline' | 'tenant';
  tenantId?: string;
  version: string;
  active: boolean;
  appliedBy: string;
  appliedAt: string;
  policies: number;
}

/** An agent as ingest lists it (`GET /v1/agents`): its authenticated identity. */
export type Agent = AgentIdentity;

/** A span of ingest's trace store (GET /v1/traces). */
export interface TraceSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
  source: string;
  agentId: string | null;
  intentId: string | null;
  name: string;
  kind: string;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  status: { code: string; message: string | null };
  operation: string | null;
  provider: string | null;
  model: string | null;
  usage: Record<string, number | null>;
  attributes: Record<string, unknown>;
}
