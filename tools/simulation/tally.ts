import { HaltedError, IntentDeniedError } from '@agentops/sdk';

export type AgentType = 'personal shopper' | 'replenishment' | 'customer service' | 'dynamic pricing';
export const AGENT_TYPES: AgentType[] = [
  'personal shopper',
  'replenishment',
  'customer service',
  'dynamic pricing',
];

export interface AgentTally {
  intents: number;
  allowed: number;
  denied: number;
  modified: number;
  /** Intents the agent was told were pending review (HTTP 202), before any human outcome. */
  escalated: number;
  escalationsApproved: number;
  escalationsRejected: number;
  escalationsTimedOut: number;
  /** Still pending when the agent stopped waiting (its maxWaitMs): fail-closed in the SDK, no outcome yet. */
  escalationsUnanswered: number;
  halted: number;
  errors: number;
  deniedBy: Record<string, number>;
}

export interface FailureModeResult {
  name: string;
  description: string;
  contained: boolean;
  how: string;
  /** The policy or switch that contained it. */
  by: string;
  /** One intent of the mode (a contained one when there is one), and its trace in ingest's trace store. */
  intentId?: string;
  traceId?: string;
}

const empty = (): AgentTally => ({
  intents: 0,
  allowed: 0,
  denied: 0,
  modified: 0,
  escalated: 0,
  escalationsApproved: 0,
  escalationsRejected: 0,
  escalationsTimedOut: 0,
  escalationsUnanswered: 0,
  halted: 0,
  errors: 0,
  deniedBy: {},
});

/** Counts what happened to every guarded action, per agent type. */
export class Tally {
  readonly byType = new Map<AgentType, AgentTally>(AGENT_TYPES.map((t) => [t, empty()]));
  readonly failureModes: FailureModeResult[] = [];

  /** The agent was told its intent is pending a human's review: an escalation, not an outcome yet. */
  pendingReview(type: AgentType): void {
    this.byType.get(type)!.escalated++;
  }

  /** Records an executed action; `reviewed` when it was pending review first (a human approved). */
  executed(type: AgentType, verdict: string, decidedBy: string, reviewed = false): void {
    const t = this.byType.get(type)!;
    t.intents++;
    if (reviewed || decidedBy === 'human') {
      if (!reviewed) t.escalated++; // decided by a human without a pending answer heard first
      if (decidedBy === 'human') t.escalationsApproved++;
      else t.escalationsTimedOut++; // the route's SLA outcome was allow
    }
    if (verdict === 'modify') t.modified++;
    else t.allowed++;
  }

  failed(type: AgentType, error: unknown, reviewed = false): string {
    const t = this.byType.get(type)!;
    t.intents++;
    if (error instanceof HaltedError) {
      t.halted++;
      t.denied++;
      bump(t.deniedBy, `switch ${error.switchId.slice(0, 8)}`);
      return `kill switch ${error.switchId}`;
    }
    if (error instanceof IntentDeniedError) {
      const d = error.decision;
      t.denied++;
      // Decided by escalation without a pending answer heard first (it decided within the 202's wait).
      const byEscalation =
        d.decidedBy === 'human' || d.reasons.some((r) => r.policyId.startsWith('agentops.escalation'));
      if (!reviewed && byEscalation) t.escalated++;
      if (reviewed || byEscalation) {
        if (d.decidedBy === 'human') t.escalationsRejected++;
        else if (d.reasons[0]?.policyId === 'sdk.fail-closed') t.escalationsUnanswered++;
        else t.escalationsTimedOut++; // the route's SLA passed: its timeout outcome
      }
      const reason = d.reasons.find((r) => r.effect !== 'allow' && r.mode !== 'shadow');
      const by =
        d.decidedBy === 'policy' || d.decidedBy === 'permissions'
          ? (reason?.policyId ?? d.decidedBy)
          : `${d.decidedBy}${reason ? `: ${reason.policyId}` : ''}`;
      bump(t.deniedBy, by);
      return by;
    }
    t.errors++;
    return `error: ${(error as Error).message}`;
  }
}

function bump(map: Record<string, number>, key: string): void {
  map[key] = (map[key] ?? 0) + 1;
}
