import { AgentIdentity, EventTypes, IntentDecidedV1, IntentProposal } from '@agentops/contracts';
import { decided, failClosedDenial } from '@agentops/decisions';
import { EventPublisher, createEvent, newEventId } from '@agentops/messaging';
import { DomainError, EVENT_SOURCE, REDIS, SERVICE_CONFIG } from '@agentops/service-runtime';
import { Inject, Injectable } from '@nestjs/common';
import canonicalize from 'canonicalize';
import type { Redis } from 'ioredis';
import { createHash } from 'node:crypto';
import { IngestConfig } from '../config';
import { DecisionBoard } from '../decisions/decision-board';
import { DecisionPublisher } from '../decisions/decision-publisher';
import { decisionTimeoutFor } from '../decisions/decision-timeouts';
import { KillSwitchEnforcement } from '../killswitch/kill-switch-enforcement';

export interface SubmissionOptions {
  wait: boolean;
  timeoutMs?: number;
  idempotencyKey?: string;
}

export type SubmissionResult =
  | { intentId: string; status: 'pending' }
  | { intentId: string; status: 'decided'; decision: IntentDecidedV1 };

/**
 * An Idempotency-Key sent again with a different body: a retry must repeat its request exactly,
 * so this is a client bug, not a new intent (IETF draft-ietf-httpapi-idempotency-key-header: 422).
 */
export class IdempotencyKeyReusedError extends DomainError<'refused'> {
  constructor(readonly key: string) {
    super(
      'refused',
      `Idempotency-Key ${JSON.stringify(key)} was already used by this agent with a different request body; a new intent needs a new key`,
    );
  }
}

/**
 * Use case: publish an agent's intent and, if it asks, wait for the decision. No answer in time
 * is a deny (fail-closed), and that deny is itself published so the audit log shows what the
 * agent was told.
 */
@Injectable()
export class IntentSubmission {
  constructor(
    private readonly publisher: EventPublisher,
    private readonly board: DecisionBoard,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(SERVICE_CONFIG) private readonly config: IngestConfig,
    private readonly killSwitches: KillSwitchEnforcement,
    private readonly decisionPublisher: DecisionPublisher,
    @Inject(EVENT_SOURCE) private readonly source: string,
  ) {}

  async submit(
    agent: AgentIdentity,
    proposal: IntentProposal,
    options: SubmissionOptions,
  ): Promise<SubmissionResult> {
    const timeoutMs = Math.min(
      options.timeoutMs ??
        decisionTimeoutFor(
          proposal.action,
          this.config.DECISION_TIMEOUT_MS,
          this.config.DECISION_TIMEOUT_OVERRIDES,
        ),
      this.config.MAX_WAIT_MS,
    );
    const { intentId, isRetry } = await this.claimIntentId(agent, proposal, options.idempotencyKey);
    if (isRetry) {
      // A retried request: never publish twice; answer from what is known, or wait again.
      const known = await this.board.find(intentId);
      // An escalated intent is not decided yet: a waiting retry waits for the final decision.
      if (known && (known.decision.verdict !== 'escalate' || !options.wait))
        return { intentId, status: 'decided', decision: known.decision };
      if (!options.wait) return { intentId, status: 'pending' };
      return this.awaitDecision(agent, intentId, proposal.action, timeoutMs);
    }
    const halted = await this.killSwitches.refuseIfCovered(agent, proposal.action, intentId);
    if (halted) return { intentId, status: 'decided', decision: halted };
    const now = new Date();
    const event = createEvent(
      EventTypes.IntentProposed,
      {
        ...proposal,
        intentId,
        agent,
        proposedAt: now.toISOString(),
        decisionDeadline: options.wait ? new Date(now.getTime() + timeoutMs).toISOString() : undefined,
        idempotencyKey: options.idempotencyKey,
      },
      {
        id: intentId,
        source: this.source,
        tenantid: agent.tenantId,
        agentid: agent.id,
        correlationid: intentId,
        subject: proposal.target.id,
        time: now,
      },
    );
    // Wait registration precedes publishing so a fast decision cannot slip past the waiter.
    const waiting = options.wait ? this.awaitDecision(agent, intentId, proposal.action, timeoutMs) : null;
    await this.publisher.publish(event, agent.id);
    return waiting ? await waiting : { intentId, status: 'pending' };
  }

  private async awaitDecision(
    agent: AgentIdentity,
    intentId: string,
    action: string,
    timeoutMs: number,
  ): Promise<SubmissionResult> {
    const result = await this.board.wait(intentId, timeoutMs);
    if (result.kind === 'reply') return { intentId, status: 'decided', decision: result.value };
    const decision = decided(
      { intentId, agentId: agent.id, action },
      failClosedDenial(timeoutMs),
      new Date(),
    );
    await this.board.record(decision);
    const stored = await this.board.find(intentId);
    // A real decision may have been recorded a moment before the timer fired: it wins.
    if (stored && stored.decision.decidedBy !== 'timeout')
      return { intentId, status: 'decided', decision: stored.decision };
    await this.decisionPublisher.publish(agent, decision, { id: intentId });
    return { intentId, status: 'decided', decision };
  }

  /**
   * Idempotency-Key: the same key from the same agent maps to the same intent for 24 h, provided
   * the body is the same (a digest of the validated proposal is kept beside the intent id).
   */
  private async claimIntentId(
    agent: AgentIdentity,
    proposal: IntentProposal,
    key?: string,
  ): Promise<{ intentId: string; isRetry: boolean }> {
    const fresh = newEventId();
    if (!key) return { intentId: fresh, isRetry: false };
    const redisKey = `${this.config.REDIS_KEY_PREFIX}${this.config.KAFKA_TOPIC_PREFIX}ingest:idem:${agent.id}:${key}`;
    const request = createHash('sha256').update(canonicalize(proposal)!).digest('base64url');
    const claim: IdempotencyClaim = { intentId: fresh, request };
    const set = await this.redis.set(redisKey, JSON.stringify(claim), 'EX', 24 * 3600, 'NX');
    if (set === 'OK') return { intentId: fresh, isRetry: false };
    const stored = parseClaim(await this.redis.get(redisKey));
    if (!stored) return this.claimIntentId(agent, proposal, key); // expired in between: claim afresh
    if (stored.request !== undefined && stored.request !== request) throw new IdempotencyKeyReusedError(key);
    return { intentId: stored.intentId, isRetry: true };
  }
}

interface IdempotencyClaim {
  intentId: string;
  /** SHA-256 of the proposal's canonical JSON (RFC 8785); absent in claims stored before it was kept. */
  request?: string;
}

function parseClaim(value: string | null): IdempotencyClaim | undefined {
  if (value === null) return undefined;
  if (!value.startsWith('{')) return { intentId: value }; // a bare intent id, stored before digests
  return JSON.parse(value) as IdempotencyClaim;
}
