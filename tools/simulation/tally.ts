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
  escalated: number;
  escalationsApproved: number;
  escalationsRejected: number;
  escalationsTimedOut: number;
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
  halted: 0,
  errors: 0,
  deniedBy: {},
});

/** Counts what happened to every guarded action, per agent type. */
export class Tally {
  readonly byType = new Map<AgentType, AgentTally>(AGENT_TYPES.map((t) => [t, empty()]));
  readonly failureModes: FailureModeResult[] = [];

  /** Records an executed action; `decidedBy` human means it went through a reviewer. */
  executed(type: AgentType, verdict: string, decidedBy: string): void {
    const t = this.byType.get(type)!;
    t.intents++;
    if (decidedBy === 'human') {
      t.escalated++;
      t.escalationsApproved++;
    }
    if (verdict === 'modify') t.modified++;
    else t.allowed++;
  }

  failed(type: AgentType, error: unknown): string {
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
      if (d.decidedBy === 'human') {
        t.escalated++;
        t.escalationsRejected++;
      }
      if (
        d.decidedBy === 'timeout' &&
        d.reasons.some((r) => r.policyId.includes('escalation') || r.message.includes('escalat'))
      ) {
        t.escalated++;
        t.escalationsTimedOut++;
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
