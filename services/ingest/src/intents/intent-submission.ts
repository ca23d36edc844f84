import {
  AgentIdentity,
  EventTypes,
  IntentAnswer,
  IntentDecidedV1,
  IntentProposal,
  IntentProposedAdditions,
  PendingReview,
} from '@agentops/contracts';
import { decided, failClosedDenial } from '@agentops/decisions';
import { EventPublisher, createEventFrom, newEventId } from '@agentops/messaging';
import { Clock, DomainError, EVENT_SOURCE, SERVICE_CONFIG } from '@agentops/service-runtime';
import { Inject, Injectable } from '@nestjs/common';
import canonicalize from 'canonicalize';
import { createHash } from 'node:crypto';
import { IngestConfig } from '../config';
import { DecisionBoard, ReviewTask } from '../decisions/decision-board';
import { DecisionPublisher } from '../decisions/decision-publisher';
import { decisionTimeoutFor } from '../decisions/decision-timeouts';
import { KillSwitchEnforcement } from '../killswitch/kill-switch-enforcement';
import { IdempotencyStore } from './idempotency-store';

export interface SubmissionOptions {
  wait: boolean;
  timeoutMs?: number;
  idempotencyKey?: string;
  /**
   * `Prefer: respond-async` (RFC 7240): answer pending review as soon as the intent is escalated,
   * even when `timeoutMs` names a longer wait (which then bounds only the wait for guardrail).
   */
  respondAsync?: boolean;
}

export type SubmissionResult = IntentAnswer;

/** Where an agent follows an intent it was not given a final decision for. */
export function decisionPath(intentId: string): string {
  return `/v1/intents/${intentId}/decision`;
}

/** The answer for an escalated intent: pending review, with its task and SLA when known. */
export function pendingReview(
  escalated: IntentDecidedV1,
  task: ReviewTask | null | undefined,
): SubmissionResult {
  const escalation: PendingReview = { intentId: escalated.intentId, ...task };
  return {
    intentId: escalated.intentId,
    status: 'pending_review',
    decision: escalated,
    escalation,
    poll: decisionPath(escalated.intentId),
  };
}

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
 * Use case: publish an agent's intent and, if it asks, wait for the decision. An `escalate` is a
 * decision too, if not the final one: the agent is told its intent is pending review (at once, or
 * at the end of the wait it asked for with `timeoutMs` if no human decided within it). Only when
 * nothing decided in time is the answer a deny (fail-closed), and that deny is itself published
 * so the audit log shows what the agent was told.
 */
@Injectable()
export class IntentSubmission {
  constructor(
    private readonly publisher: EventPublisher,
    private readonly board: DecisionBoard,
    private readonly idempotency: IdempotencyStore,
    @Inject(SERVICE_CONFIG) private readonly config: IngestConfig,
    private readonly killSwitches: KillSwitchEnforcement,
    private readonly decisionPublisher: DecisionPublisher,
    @Inject(EVENT_SOURCE) private readonly source: string,
    private readonly clock: Clock,
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
    // A caller that names its wait is held through a review until a human decides or the wait ends.
    const holdForHuman = options.timeoutMs !== undefined && !options.respondAsync;
    const { intentId, isRetry } = await this.claimIntentId(agent, proposal, options.idempotencyKey);
    if (isRetry) {
      // A retried request: never publish twice; answer from what is known, or wait again.
      const known = await this.board.find(intentId);
      if (known && known.decision.verdict !== 'escalate')
        return { intentId, status: 'decided', decision: known.decision };
      // An escalated intent is not decided yet: a retry that asked to be held waits for the final
      // decision, any other is told pending review again.
      if (known && (!options.wait || !holdForHuman))
        return pendingReview(known.decision, await this.board.findReview(intentId));
      if (!options.wait) return { intentId, status: 'pending' };
      return this.awaitDecision(agent, intentId, proposal.action, timeoutMs, holdForHuman);
    }
    const halted = await this.killSwitches.refuseIfCovered(agent, proposal.action, intentId);
    if (halted) return { intentId, status: 'decided', decision: halted };
    const now = this.clock.now();
    // The proposal was parsed by the controller's pipe (IntentProposal, the event's own fields):
    // only what ingest adds is validated here, not the whole intent a second time (#14.3 profile).
    const event = createEventFrom(
      EventTypes.IntentProposed,
      proposal,
      {
        schema: IntentProposedAdditions,
        data: {
          intentId,
          agent,
          proposedAt: now.toISOString(),
          decisionDeadline: options.wait ? new Date(now.getTime() + timeoutMs).toISOString() : undefined,
          idempotencyKey: options.idempotencyKey,
        },
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
    const waiting = options.wait
      ? this.awaitDecision(agent, intentId, proposal.action, timeoutMs, holdForHuman)
      : null;
    await this.publisher.publish(event, agent.id);
    return waiting ? await waiting : { intentId, status: 'pending' };
  }

  private async awaitDecision(
    agent: AgentIdentity,
    intentId: string,
    action: string,
    timeoutMs: number,
    holdForHuman: boolean,
  ): Promise<SubmissionResult> {
    const stopWaiting = new AbortController();
    let escalated: IntentDecidedV1 | undefined;
    let task: ReviewTask | undefined;
    let details: NodeJS.Timeout | undefined;
    // Unless the caller asked to be held, an escalation is answered once its task is known (or
    // after REVIEW_DETAILS_WAIT_MS without it): 202 pending review, never a timeout deny.
    const stopWatching = this.board.watchReview(intentId, (news) => {
      escalated ??= news.escalated;
      task ??= news.task;
      if (holdForHuman || !escalated) return;
      if (task) stopWaiting.abort();
      else details ??= setTimeout(() => stopWaiting.abort(), this.config.REVIEW_DETAILS_WAIT_MS);
    });
    try {
      const result = await this.board.wait(intentId, timeoutMs, stopWaiting.signal);
      if (result.kind === 'reply') return { intentId, status: 'decided', decision: result.value };
    } finally {
      stopWatching();
      clearTimeout(details);
    }
    // The wait ended without a final decision here; another instance may have recorded one.
    const stored = await this.board.find(intentId);
    if (stored && stored.decision.verdict !== 'escalate')
      return { intentId, status: 'decided', decision: stored.decision };
    escalated ??= stored?.decision;
    if (escalated) return pendingReview(escalated, task ?? (await this.board.findReview(intentId)));
    return this.failClosed(agent, intentId, action, timeoutMs);
  }

  /** Nothing decided in time: deny, unless a decision (an escalation included) lands first. */
  private async failClosed(
    agent: AgentIdentity,
    intentId: string,
    action: string,
    timeoutMs: number,
  ): Promise<SubmissionResult> {
    const decision = decided(
      { intentId, agentId: agent.id, action },
      failClosedDenial(timeoutMs),
      this.clock.now(),
    );
    // Recorded only where nothing is: over an escalation the human's decision must still come through.
    await this.board.record(decision, { replaceEscalate: false });
    const stored = await this.board.find(intentId);
    // A real decision may have been recorded a moment before the timer fired: it wins.
    const ours =
      stored?.decision.decidedAt === decision.decidedAt &&
      stored.decision.reasons[0]?.policyId === decision.reasons[0].policyId;
    if (stored && !ours) {
      if (stored.decision.verdict === 'escalate')
        return pendingReview(stored.decision, await this.board.findReview(intentId));
      return { intentId, status: 'decided', decision: stored.decision };
    }
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
    const request = createHash('sha256').update(canonicalize(proposal)!).digest('base64url');
    const stored = await this.idempotency.claim(agent.id, key, { intentId: fresh, request });
    if (!stored) return { intentId: fresh, isRetry: false };
    if (stored.request !== undefined && stored.request !== request) throw new IdempotencyKeyReusedError(key);
    return { intentId: stored.intentId, isRetry: true };
  }
}
