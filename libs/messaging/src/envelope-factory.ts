import {
  EventData,
  EventEnvelope,
  EventTypeName,
  EventDefinitions,
  describeIssues,
  formatIssues,
} from '@agentops/contracts';
import type { ZodType } from 'zod';
import { newEventId } from './ids';
import { activeTraceparentFor } from './message-spans';
import { childTraceparent } from './trace-context';

export interface EventContext {
  source: string;
  tenantid: string;
  agentid?: string;
  subject?: string;
  correlationid?: string;
  /** The event that caused this one; its trace continues (under the active span when it is of that trace). */
  cause?: Pick<EventEnvelope, 'id' | 'traceparent'>;
  id?: string;
  time?: Date;
}

/**
 * Builds a validated envelope. Validating on the way out means a bug in a producer fails at its
 * source, not as a DLQ entry in every consumer.
 */
export function createEvent<T extends EventTypeName>(
  type: T,
  data: EventData<T>,
  ctx: EventContext,
): EventEnvelope<EventData<T>> {
  const parsed = EventDefinitions[type].schema.safeParse(data);
  if (!parsed.success)
    throw new Error(`refusing to produce invalid ${type}: ${formatIssues(describeIssues(parsed.error))}`);
  return envelopeOf(type, parsed.data as EventData<T>, ctx);
}

/**
 * `createEvent` for data made of a part the caller has just parsed with a schema of its own (an
 * HTTP body, say) and fields it adds: only the added fields are validated, against `added` (a
 * `pick` of the event's schema), so the hot path does not walk the parsed part a second time. The
 * caller vouches that `validated` is the output of a schema whose fields match the event's.
 */
export function createEventFrom<T extends EventTypeName, V extends object>(
  type: T,
  validated: V,
  added: { schema: ZodType; data: Omit<EventData<T>, keyof V> },
  ctx: EventContext,
): EventEnvelope<EventData<T>> {
  const parsed = added.schema.safeParse(added.data);
  if (!parsed.success)
    throw new Error(`refusing to produce invalid ${type}: ${formatIssues(describeIssues(parsed.error))}`);
  return envelopeOf(type, { ...validated, ...(parsed.data as object) } as EventData<T>, ctx);
}

/**
 * `createEvent` without the schema walk, for data made within the schema's bounds by construction:
 * the services' own span batches (`toExportedSpan` clips every field to its limit), sent every
 * second by every service, a few hundred spans each. Their consumer still validates them.
 */
export function createEventUnvalidated<T extends EventTypeName>(
  type: T,
  data: EventData<T>,
  ctx: EventContext,
): EventEnvelope<EventData<T>> {
  return envelopeOf(type, data, ctx);
}

function envelopeOf<T extends EventTypeName>(
  type: T,
  data: EventData<T>,
  ctx: EventContext,
): EventEnvelope<EventData<T>> {
  return {
    id: ctx.id ?? newEventId(),
    source: ctx.source,
    type,
    specversion: '1.0',
    time: (ctx.time ?? new Date()).toISOString(),
    subject: ctx.subject,
    tenantid: ctx.tenantid,
    agentid: ctx.agentid,
    correlationid: ctx.correlationid,
    causationid: ctx.cause?.id,
    // The span in hand (the request's, the consumed event's) is this event's parent: the trace goes
    // on from the HTTP call or the handler that produced it. Without one, a child of the cause.
    traceparent: activeTraceparentFor(ctx.cause?.traceparent) ?? childTraceparent(ctx.cause?.traceparent),
    data,
  };
}
