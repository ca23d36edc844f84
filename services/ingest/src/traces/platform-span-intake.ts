import { ExportedSpan } from '@agentops/contracts';
import { toIntakeSpan } from '@agentops/genai';
import { LOGGER } from '@agentops/service-runtime';
import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { fromExportedSpan, splitIdAttributes, tenantOfSpan } from './platform-spans';
import { SpanToStore, TraceStore } from './trace-store';

/** Spans treated between two turns of the event loop (~1 ms of work). */
const YIELD_EVERY = 64;

/**
 * A platform span as stored: its ids and enums as they are, everything else through the same PII
 * treatment as agents' spans (`splitIdAttributes` says which is which).
 */
function treated(span: ExportedSpan): SpanToStore['span'] {
  const otlp = fromExportedSpan(span);
  const { ids, rest } = splitIdAttributes(otlp.attributes);
  const {
    redactions: _r,
    contentDropped: _c,
    ...clean
  } = toIntakeSpan({ ...otlp, attributes: rest }, { captureContent: false });
  return { ...clean, attributes: { ...ids, ...clean.attributes } };
}

/**
 * Use case: the services' own spans (`agentops.spans.v1`) into the trace store, so an intent's
 * waterfall shows the platform's real steps beside the agent's. A span is stored under its trace's
 * tenant: the one a span of that trace in the same batch names (Kafka spans carry the event's), else
 * the trace's owner. A trace with neither (a probe, an operator's read, a boot) is not kept: the
 * store is per tenant, and those are not an agent's steps. Spans are redacted as agents' are, but for
 * the ids and enums the platform's own code sets.
 * Best effort, like every platform span: a store failure is logged, never retried into a backlog.
 */
@Injectable()
export class PlatformSpanIntake {
  constructor(
    @Inject(TraceStore) private readonly store: Pick<TraceStore, 'tenantsOf' | 'save'>,
    @Inject(LOGGER) private readonly logger: Pick<Logger, 'warn'>,
  ) {}

  /** Returns how many of the spans had a tenant and were handed to the store. */
  async record(spans: ExportedSpan[]): Promise<number> {
    try {
      const tenants = new Map<string, string>();
      for (const span of spans) {
        const tenant = tenantOfSpan(span);
        if (tenant && !tenants.has(span.traceId)) tenants.set(span.traceId, tenant);
      }
      const unknown = [...new Set(spans.map((s) => s.traceId))].filter((t) => !tenants.has(t));
      for (const [trace, tenant] of await this.store.tenantsOf(unknown)) tenants.set(trace, tenant);
      const rows: SpanToStore[] = [];
      for (let i = 0; i < spans.length; i++) {
        // A batch is up to 512 spans on the loop that answers agents: let their I/O in between.
        if (i > 0 && i % YIELD_EVERY === 0) await new Promise((next) => setImmediate(next));
        const span = spans[i]!;
        const tenantId = tenants.get(span.traceId);
        if (!tenantId) continue;
        const agent = span.attributes['agentops.agent_id'];
        rows.push({
          tenantId,
          source: span.service,
          agentId: typeof agent === 'string' ? agent : null,
          span: treated(span),
        });
      }
      if (rows.length) await this.store.save(rows);
      return rows.length;
    } catch (err) {
      this.logger.warn({ err }, "trace store: a batch of the services' spans was not recorded");
      return 0;
    }
  }
}
