import { SpanKind, context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { EventTypes } from '@agentops/contracts';
import { createEvent } from './envelope-factory';
import {
  inChunkSpans,
  spanContextOf,
  startConsumerSpan,
  startProducerSpan,
  traceparentOf,
  wireTraceparent,
  withSpan,
} from './message-spans';
import type { MessageOrigin } from './message-origin';

const CAUSE = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

function decision(traceparent = CAUSE) {
  const event = createEvent(
    EventTypes.IntentDecided,
    {
      intentId: '0190f6b4-5c4e-7a3b-9c1d-2e3f4a5b6c7d',
      agentId: 'agent-1',
      action: 'pricing.set_price',
      verdict: 'deny',
      reasons: [
        {
          policyId: 'price-floor',
          policyVersion: '3',
          message: 'below floor',
          effect: 'deny',
          mode: 'enforce',
        },
      ],
      obligations: [],
      decidedBy: 'policy',
      policySetVersions: { baseline: '7', tenant: '2' },
      decidedAt: new Date().toISOString(),
      expiresAt: new Date(Date.now() + 60_000).toISOString(),
    },
    { source: 'agentops/guardrail', tenantid: 't1', agentid: 'agent-1' },
  );
  return { ...event, traceparent };
}

const origin: MessageOrigin = {
  topic: 'p.agentops.decisions.v1',
  baseTopic: 'agentops.decisions.v1',
  partition: 2,
  offset: '41',
  key: 'agent-1',
  timestamp: '0',
};

describe('Kafka spans without an SDK', () => {
  it('put the envelope’s own traceparent on the wire, so the trace goes on as before', () => {
    const event = decision();
    const span = startProducerSpan('agentops/guardrail', event, 'p.agentops.decisions.v1', 'agent-1');
    expect(wireTraceparent(span, event)).toBe(CAUSE);
    span.end();
  });

  it('leave a caused event a child of its cause (same trace, new parent id)', () => {
    const next = createEvent(EventTypes.IntentDecided, decisionData(), {
      source: 'agentops/escalation',
      tenantid: 't1',
      cause: { id: 'x', traceparent: CAUSE },
    });
    expect(spanContextOf(next.traceparent)!.traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(spanContextOf(next.traceparent)!.spanId).not.toBe('00f067aa0ba902b7');
  });
});

describe('Kafka spans with an SDK', () => {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  const manager = new AsyncLocalStorageContextManager();

  beforeAll(() => {
    context.setGlobalContextManager(manager.enable());
    trace.setGlobalTracerProvider(provider);
  });
  afterAll(async () => {
    await provider.shutdown();
    trace.disable();
    context.disable();
  });
  beforeEach(() => exporter.reset());

  it('send: a PRODUCER span, child of the envelope’s context, whose own context goes on the wire', () => {
    const event = decision();
    const span = startProducerSpan('agentops/guardrail', event, 'p.agentops.decisions.v1', 'agent-1');
    const wire = wireTraceparent(span, event)!;
    span.end();
    const [sent] = exporter.getFinishedSpans();
    expect(sent!.kind).toBe(SpanKind.PRODUCER);
    expect(sent!.name).toBe('send p.agentops.decisions.v1');
    expect(sent!.spanContext().traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(sent!.parentSpanContext?.spanId).toBe('00f067aa0ba902b7');
    expect(wire).toBe(traceparentOf(sent!.spanContext()));
    expect(sent!.attributes).toMatchObject({
      'messaging.system': 'kafka',
      'messaging.operation.type': 'send',
      'cloudevents.event_type': 'agentops.intent.decided.v1',
      'agentops.decision.verdict': 'deny',
      'agentops.decision.decided_by': 'policy',
      'agentops.decision.policy_set.baseline': '7',
      'agentops.decision.policy_set.tenant': '2',
      'agentops.decision.policy_ids': ['price-floor'],
    });
  });

  it('process: a CONSUMER span, child of the creation context and linked to it', () => {
    const event = decision();
    const { span } = startConsumerSpan('agentops/audit', event, origin, 'p-audit-ingest');
    span.end();
    const [processed] = exporter.getFinishedSpans();
    expect(processed!.kind).toBe(SpanKind.CONSUMER);
    expect(processed!.parentSpanContext?.spanId).toBe('00f067aa0ba902b7');
    expect(processed!.links.map((l) => l.context.spanId)).toEqual(['00f067aa0ba902b7']);
    expect(processed!.attributes).toMatchObject({
      'messaging.consumer.group.name': 'p-audit-ingest',
      'messaging.destination.partition.id': '2',
      'messaging.kafka.offset': 41,
    });
  });

  it('an event produced while handling one hangs under the handler’s span, in the cause’s trace', () => {
    const cause = decision();
    const { span, context: ctx } = startConsumerSpan('agentops/escalation', cause, origin, 'g');
    const next = withSpan(ctx, () =>
      createEvent(
        EventTypes.IntentDecided,
        { ...decisionData(), decidedBy: 'human' },
        {
          source: 'agentops/escalation',
          tenantid: 't1',
          cause,
        },
      ),
    );
    span.end();
    expect(spanContextOf(next.traceparent)).toMatchObject({
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: span.spanContext().spanId,
    });
  });

  it('an active span of another trace does not capture an event caused by a stored one', () => {
    const other = trace.getTracer('t').startSpan('request');
    const next = context.with(trace.setSpan(context.active(), other), () =>
      createEvent(EventTypes.IntentDecided, decisionData(), {
        source: 'agentops/escalation',
        tenantid: 't1',
        cause: { id: 'x', traceparent: CAUSE },
      }),
    );
    other.end();
    expect(spanContextOf(next.traceparent)!.traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(spanContextOf(next.traceparent)!.spanId).not.toBe(other.spanContext().spanId);
    // ...and its send links the request that made it.
    const send = context.with(trace.setSpan(context.active(), other), () =>
      startProducerSpan('agentops/escalation', next, 'p.t', 'k'),
    );
    send.end();
    expect(exporter.getFinishedSpans().find((s) => s.name === 'send p.t')!.links[0]!.context.spanId).toBe(
      other.spanContext().spanId,
    );
  });

  it('a chunk of a batch consumer: a span per event in its own trace, the chunk linking them all', async () => {
    const a = decision();
    const b = decision('00-11111111111111111111111111111111-2222222222222222-01');
    await inChunkSpans(
      'agentops/audit',
      [
        { event: a, origin },
        { event: b, origin: { ...origin, offset: '42' } },
      ],
      'g',
      async () => undefined,
    );
    const spans = exporter.getFinishedSpans();
    expect(spans.map((s) => s.spanContext().traceId).sort()).toEqual(
      expect.arrayContaining(['11111111111111111111111111111111', '4bf92f3577b34da6a3ce929d0e0e4736']),
    );
    const chunk = spans.find((s) => s.attributes['messaging.batch.message_count'] === 2)!;
    expect(chunk.links).toHaveLength(2);
  });

  it('a span batch is sent and read without spans, and its handler runs with tracing suppressed', () => {
    const batch = createEvent(
      EventTypes.SpansExported,
      {
        spans: [
          {
            traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
            spanId: '00f067aa0ba902b7',
            name: 'POST /v1/intents',
            kind: 'server',
            startTimeUnixNano: '1',
            endTimeUnixNano: '2',
            service: 'ingest',
            scope: '@opentelemetry/instrumentation-http',
            attributes: {},
            status: { code: 'unset' },
            links: [],
          },
        ],
      },
      { source: 'agentops/ingest', tenantid: 'platform' },
    );
    const send = startProducerSpan('agentops/ingest', batch, 'p.agentops.spans.v1', 'ingest-1');
    expect(send.isRecording()).toBe(false);
    send.end();
    const { span, context: ctx } = startConsumerSpan('agentops/ingest', batch, origin, 'g');
    expect(span.isRecording()).toBe(false);
    // What the handler does (the store's INSERT under pg's instrumentation, say) makes no span either.
    withSpan(ctx, () => trace.getTracer('pg').startSpan('INSERT').end());
    span.end();
    expect(exporter.getFinishedSpans()).toEqual([]);
  });
});

function decisionData() {
  const { data } = decision();
  return data;
}
