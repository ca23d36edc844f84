import { AgentIdentity } from '@agentops/contracts';
import { OtlpSpan, toIntakeSpan } from '@agentops/genai';
import { SERVICE_CONFIG } from '@agentops/service-runtime';
import { Inject, Injectable } from '@nestjs/common';
import { IngestConfig } from '../config';
import { TraceStore } from './trace-store';

/** OTLP's answer: `rejectedSpans` > 0 is a partial success (the request itself was fine). */
export interface IntakeResult {
  accepted: number;
  rejectedSpans: number;
  errorMessage?: string;
}

/**
 * Use case: an agent's OTLP spans into the trace store. Each span is mapped onto the pinned GenAI
 * conventions, its content dropped unless `GENAI_CAPTURE_CONTENT`, its personal data redacted
 * (libs/genai, libs/privacy) — all before anything is stored. A span in a trace that is another
 * agent's (its intent's, or claimed by the first spans sent in it) is refused, the rest stored.
 */
@Injectable()
export class TraceIntake {
  constructor(
    @Inject(TraceStore) private readonly store: Pick<TraceStore, 'claim' | 'save'>,
    @Inject(SERVICE_CONFIG) private readonly config: Pick<IngestConfig, 'GENAI_CAPTURE_CONTENT'>,
  ) {}

  async accept(
    agent: Pick<AgentIdentity, 'id' | 'tenantId' | 'version'>,
    spans: OtlpSpan[],
  ): Promise<IntakeResult> {
    if (!spans.length) return { accepted: 0, rejectedSpans: 0 };
    const traceIds = [...new Set(spans.map((s) => s.traceId))];
    const owners = await this.store.claim(agent.tenantId, agent.id, traceIds);
    const ours = (traceId: string) => {
      const owner = owners.get(traceId);
      return owner?.tenantId === agent.tenantId && owner.agentId === agent.id;
    };
    const kept = spans.filter((s) => ours(s.traceId));
    const refusedTraces = traceIds.filter((t) => !ours(t));
    await this.store.save(
      kept.map((s) => {
        const {
          redactions: _r,
          contentDropped: _c,
          ...span
        } = toIntakeSpan(s, {
          captureContent: this.config.GENAI_CAPTURE_CONTENT,
        });
        return {
          tenantId: agent.tenantId,
          source: 'agent',
          agentId: agent.id,
          agentVersion: agent.version,
          span,
        };
      }),
    );
    const rejectedSpans = spans.length - kept.length;
    return {
      accepted: kept.length,
      rejectedSpans,
      errorMessage: rejectedSpans
        ? `${rejectedSpans} span(s) refused: trace(s) ${refusedTraces.slice(0, 5).join(', ')}${refusedTraces.length > 5 ? ', …' : ''} belong to another agent (an intent's trace is its agent's; another trace is the first sender's)`
        : undefined,
    };
  }
}
