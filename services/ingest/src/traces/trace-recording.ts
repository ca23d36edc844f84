import { EscalationOpenedV1, EventEnvelope, IntentDecidedV1 } from '@agentops/contracts';
import { OtlpSpan, toIntakeSpan } from '@agentops/genai';
import { Clock, LOGGER, SERVICE_CONFIG } from '@agentops/service-runtime';
import { Inject, Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import type { Logger } from 'pino';
import { IngestConfig } from '../config';
import { decisionSpan, escalationSpan } from './platform-spans';
import { SpanToStore, TraceStore } from './trace-store';

/**
 * Use case: the platform's side of an intent's trace. A decision makes the intent's trace its
 * agent's (no other agent may then write spans into it) and adds the decision as a span; a review
 * opened adds its span. Best effort: the trace store is observability, so a failure here is logged
 * and never holds up the decision record it rides along with.
 */
@Injectable()
export class TraceRecording {
  constructor(
    @Inject(TraceStore) private readonly store: Pick<TraceStore, 'recordDecisionTrace' | 'save'>,
    @Inject(LOGGER) private readonly logger: Pick<Logger, 'warn'>,
  ) {}

  async decided(event: EventEnvelope<IntentDecidedV1>): Promise<void> {
    const span = decisionSpan(event);
    if (!span) return;
    const owner = {
      traceId: span.traceId,
      tenantId: event.tenantid,
      agentId: event.data.agentId,
      intentId: event.data.intentId,
    };
    // One statement for both (the #14.3 profile: two TypeORM round trips per decision before).
    await this.bestEffort(() => this.store.recordDecisionTrace(owner, this.platformSpan(event, span)));
  }

  async reviewOpened(event: EventEnvelope<EscalationOpenedV1>): Promise<void> {
    const span = escalationSpan(event);
    if (span) await this.bestEffort(() => this.savePlatformSpan(event, span));
  }

  private async savePlatformSpan(event: EventEnvelope, span: OtlpSpan): Promise<void> {
    await this.store.save([this.platformSpan(event, span)]);
  }

  private platformSpan(event: EventEnvelope, span: OtlpSpan): SpanToStore {
    // The same treatment as agents' spans: reasons are free text and may quote personal data.
    const { redactions: _r, contentDropped: _c, ...clean } = toIntakeSpan(span, { captureContent: false });
    return {
      tenantId: event.tenantid,
      source: String(span.resource['service.name'] ?? 'platform'),
      agentId: event.agentid ?? null,
      span: clean,
    };
  }

  private async bestEffort(work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (err) {
      this.logger.warn({ err }, 'trace store: a platform span was not recorded');
    }
  }
}

/** Bounded retention: spans older than `TRACE_RETENTION_HOURS` go, then the oldest past `TRACE_MAX_SPANS`. */
@Injectable()
export class TraceRetention implements OnModuleInit, OnModuleDestroy {
  private timer?: NodeJS.Timeout;

  constructor(
    @Inject(TraceStore) private readonly store: Pick<TraceStore, 'prune'>,
    private readonly clock: Clock,
    @Inject(SERVICE_CONFIG)
    private readonly config: Pick<
      IngestConfig,
      'TRACE_RETENTION_HOURS' | 'TRACE_MAX_SPANS' | 'TRACE_PRUNE_INTERVAL_MS'
    >,
    @Inject(LOGGER) private readonly logger: Pick<Logger, 'warn'>,
  ) {}

  onModuleInit(): void {
    this.timer = setInterval(
      () => void this.prune().catch((err) => this.logger.warn({ err }, 'trace store: retention failed')),
      this.config.TRACE_PRUNE_INTERVAL_MS,
    );
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  /** One pass; returns the spans deleted. */
  prune(): Promise<number> {
    const before = new Date(this.clock.now().getTime() - this.config.TRACE_RETENTION_HOURS * 3_600_000);
    return this.store.prune(before, this.config.TRACE_MAX_SPANS);
  }
}
