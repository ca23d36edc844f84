import type { IntentDecidedV1 } from './events/intent-decided/schema';

/**
 * The review an escalated intent waits in, as ingest tells the waiting agent (HTTP, not an event).
 * Every field but `intentId` is known once escalation has opened the task: an answer given before
 * that carries the intent id alone, under which the task is found too.
 */
export interface PendingReview {
  intentId: string;
  /** escalation's task id (`GET /v1/escalations/:id` on escalation, for reviewers). */
  taskId?: string;
  route?: string;
  /** When the current tier's SLA passes. */
  slaDueAt?: string;
  /** When the route's last tier passes if nobody decides, and what is then decided. */
  timeoutAt?: string;
  timeoutOutcome?: 'deny' | 'allow';
}

/**
 * What `POST /v1/intents` and `GET /v1/intents/:id/decision` answer. `pending_review` (HTTP 202 on
 * the POST) is not a decision: the agent must not act and follows `poll` for the human's decision.
 */
export type IntentAnswer =
  | { intentId: string; status: 'pending' }
  | { intentId: string; status: 'decided'; decision: IntentDecidedV1 }
  | {
      intentId: string;
      status: 'pending_review';
      /** The provisional `escalate` verdict, with the policies that escalated. */
      decision: IntentDecidedV1;
      escalation: PendingReview;
      /** Where to follow it: answers `decided` once a human (or the SLA) has decided. */
      poll: string;
    };
