import { z } from 'zod';
import { IntentDecidedV1 } from './events/intent-decided/schema';

/** The decision inside an HTTP answer: the event's data (one schema, shared by the descriptions). */
const Decision = IntentDecidedV1.meta({ id: 'IntentDecided' });

/**
 * The review an escalated intent waits in, as ingest tells the waiting agent (HTTP, not an event).
 * Every field but `intentId` is known once escalation has opened the task: an answer given before
 * that carries the intent id alone, under which the task is found too.
 */
export const PendingReview = z
  .object({
    intentId: z.string().uuid(),
    /** escalation's task id (`GET /v1/escalations/:id` on escalation, for reviewers). */
    taskId: z.string().optional(),
    route: z.string().optional(),
    /** When the current tier's SLA passes. */
    slaDueAt: z.string().optional(),
    /** When the route's last tier passes if nobody decides, and what is then decided. */
    timeoutAt: z.string().optional(),
    timeoutOutcome: z.enum(['deny', 'allow']).optional(),
  })
  .meta({ id: 'PendingReview' });
export type PendingReview = z.infer<typeof PendingReview>;

/** Not decided yet (`POST /v1/intents` without a wait): follow `Location`. */
export const IntentPending = z
  .object({ intentId: z.string().uuid(), status: z.literal('pending') })
  .meta({ id: 'IntentPending' });

/** The final decision: act on its verdict (allow, deny, modify with `modifiedParams`). */
export const IntentDecidedAnswer = z
  .object({ intentId: z.string().uuid(), status: z.literal('decided'), decision: Decision })
  .meta({ id: 'IntentDecidedAnswer' });

/** Escalated to a human: not a decision; the agent must not act and follows `poll`. */
export const IntentPendingReview = z
  .object({
    intentId: z.string().uuid(),
    status: z.literal('pending_review'),
    /** The provisional `escalate` verdict, with the policies that escalated. */
    decision: Decision,
    escalation: PendingReview,
    /** Where to follow it: answers `decided` once a human (or the SLA) has decided. */
    poll: z.string(),
  })
  .meta({ id: 'IntentPendingReview' });

/**
 * What `POST /v1/intents` and `GET /v1/intents/:id/decision` answer. `pending_review` (HTTP 202 on
 * the POST) is not a decision: the agent must not act and follows `poll` for the human's decision.
 */
export const IntentAnswer = z
  .discriminatedUnion('status', [IntentPending, IntentDecidedAnswer, IntentPendingReview])
  .meta({ id: 'IntentAnswer' });
export type IntentAnswer = z.infer<typeof IntentAnswer>;
