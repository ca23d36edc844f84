import type { Decision } from './types';

/** The platform said no (deny, an unresolved escalation, a kill switch, or fail-closed). */
export class IntentDeniedError extends Error {
  constructor(readonly decision: Decision) {
    super(
      `intent ${decision.intentId} ${decision.verdict === 'deny' ? 'denied' : `not allowed (${decision.verdict})`} by ${decision.decidedBy}: ` +
        (decision.reasons.find((r) => r.effect !== 'allow' && r.mode !== 'shadow')?.message ??
          'no reason given'),
    );
    this.name = 'IntentDeniedError';
  }

  get reasons() {
    return this.decision.reasons;
  }
}

/** The agent's cohort was halted by a kill switch while the guarded work was running. */
export class HaltedError extends Error {
  constructor(
    readonly switchId: string,
    readonly reason: string,
  ) {
    super(`halted by kill switch ${switchId}: ${reason}`);
    this.name = 'HaltedError';
  }
}

/**
 * The request itself was rejected (bad input, bad key): a bug to fix, not a decision. A 429 comes
 * here only once the client's attempts, each waiting the server's `retryAfterMs`, are spent.
 */
export class AgentOpsRequestError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    /** The server's Retry-After, in ms, when it sent one (a 429's). */
    readonly retryAfterMs?: number,
  ) {
    super(`AgentOps rejected the request (HTTP ${status}): ${JSON.stringify(body)}`);
    this.name = 'AgentOpsRequestError';
  }
}
