import { context, trace } from '@opentelemetry/api';
import { spanContextOf } from '@agentops/messaging';
import type { NextFunction, Request, Response } from 'express';

/**
 * An inbound W3C `traceparent` continues: the HTTP instrumentation makes it the parent of the
 * request's server span when it patched `http`; when it did not (a service booted inside a process
 * that loaded `http` before the SDK, as the test suites do), this makes the caller's context the
 * active one, so the events the request produces (an intent, a fail-closed decision) join the
 * caller's trace all the same. A request that already has a span, or names no valid parent, passes.
 */
export function inboundTraceContext(req: Request, _res: Response, next: NextFunction): void {
  if (trace.getActiveSpan()) return next();
  const header = req.headers.traceparent;
  const parent = typeof header === 'string' ? spanContextOf(header.trim()) : undefined;
  if (!parent) return next();
  context.with(trace.setSpanContext(context.active(), parent), next);
}
