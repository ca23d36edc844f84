import {
  EventData,
  EventEnvelope,
  EventTypeName,
  EventDefinitions,
  describeIssues,
  formatIssues,
} from '@agentops/contracts';
import { newEventId } from './ids';
import { childTraceparent } from './trace-context';

export interface EventContext {
  source: string;
  tenantid: string;
  agentid?: string;
  subject?: string;
  correlationid?: string;
  /** The event that caused this one; its trace continues. */
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
    traceparent: childTraceparent(ctx.cause?.traceparent),
    data: parsed.data as EventData<T>,
  };
}
