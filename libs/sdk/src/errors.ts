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
    super(`AgentOps rejected the request (HTTP ${status}): ${problemText(body)}`);
    this.name = 'AgentOpsRequestError';
  }
}

/**
 * What a refusal says: RFC 9457 problem details' `detail` and the fields its `errors` name
 * (`path: detail`), or the whole body when it is not problem details.
 */
export function problemText(body: unknown): string {
  const b = (typeof body === 'object' && body !== null ? body : {}) as {
    detail?: unknown;
    errors?: { path?: unknown; detail?: unknown }[];
  };
  if (typeof b.detail !== 'string') return JSON.stringify(body);
  const fields = Array.isArray(b.errors)
    ? b.errors.map((e) => `${String(e.path)}: ${String(e.detail)}`).join('; ')
    : '';
  return fields ? `${b.detail} (${fields})` : b.detail;
}
