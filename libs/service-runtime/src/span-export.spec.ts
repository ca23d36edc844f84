import { SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { TracerProvider } from '@opentelemetry/sdk-trace';
import { ExportedSpan, SpansExportedV1 } from '@agentops/contracts';
import {
  SpanStoreExport,
  WATERFALL_STEP_ATTRIBUTE,
  markWaterfallStep,
  spanStoreCounters,
} from './span-export';

/** A processor under a provider of its own (no global SDK), the timer far away: tests flush. */
function underTest(over: { maxQueueSize?: number; batchSize?: number; sendTimeoutMs?: number } = {}) {
  const processor = new SpanStoreExport({
    service: 'ingest',
    maxQueueSize: over.maxQueueSize ?? 100,
    batchSize: over.batchSize ?? 10,
    intervalMs: 3_600_000,
    sendTimeoutMs: over.sendTimeoutMs ?? 1_000,
  });
  const provider = new TracerProvider({ spanProcessors: [processor] });
  return { processor, provider };
}

describe("the services' spans to the trace store", () => {
  const manager = new AsyncLocalStorageContextManager();
  beforeAll(() => context.setGlobalContextManager(manager.enable()));
  afterAll(() => context.disable());

  it('keeps the steps of a trace (served, sent, processed, the platform’s own), not each middleware or SQL command', async () => {
    const { processor, provider } = underTest();
    const sent: ExportedSpan[] = [];
    processor.attach(async (spans) => void sent.push(...spans));
    const http = provider.getTracer('@opentelemetry/instrumentation-http');
    const server = http.startSpan('POST /v1/intents', { kind: SpanKind.SERVER });
    const inRequest = trace.setSpan(context.active(), server);
    provider
      .getTracer('@opentelemetry/instrumentation-express')
      .startSpan('middleware - query', {}, inRequest)
      .end();
    provider
      .getTracer('@opentelemetry/instrumentation-pg')
      .startSpan('pg.query:INSERT', { kind: SpanKind.CLIENT }, inRequest)
      .end();
    const guardrail = provider.getTracer('agentops/guardrail');
    const decide = guardrail.startSpan(
      'process agentops.intents.v1',
      { kind: SpanKind.CONSUMER, attributes: { 'agentops.decision.policy_ids': ['price-floor'] } },
      inRequest,
    );
    guardrail
      .startSpan('send agentops.decisions.v1', { kind: SpanKind.PRODUCER }, trace.setSpan(inRequest, decide))
      .end();
    decide.end();
    provider.getTracer('agentops/audit').startSpan('verify chain', {}, inRequest).end();
    server.setStatus({ code: 2, message: 'boom' });
    server.end();
    await processor.forceFlush();

    expect(sent.map((s) => `${s.service} ${s.kind} ${s.name}`).sort()).toEqual([
      'audit internal verify chain',
      'guardrail consumer process agentops.intents.v1',
      'guardrail producer send agentops.decisions.v1',
      'ingest server POST /v1/intents',
    ]);
    const decided = sent.find((s) => s.service === 'guardrail' && s.kind === 'consumer')!;
    expect(decided.parentSpanId).toBe(server.spanContext().spanId);
    expect(decided.attributes['agentops.decision.policy_ids']).toEqual(['price-floor']);
    expect(sent.find((s) => s.kind === 'server')!.status).toEqual({ code: 'error', message: 'boom' });
    // What goes on the topic is what the contract takes.
    expect(SpansExportedV1.safeParse({ spans: sent }).success).toBe(true);
    await provider.shutdown();
  });

  it('keeps a processed event only where it was a step: the audit append, a send under it, a marked step, a failure', async () => {
    const { processor, provider } = underTest();
    const sent: ExportedSpan[] = [];
    processor.attach(async (spans) => void sent.push(...spans));
    const process = (service: string, name: string, body?: () => void) => {
      const tracer = provider.getTracer(`agentops/${service}`);
      const span = tracer.startSpan(name, { kind: SpanKind.CONSUMER });
      context.with(trace.setSpan(context.active(), span), () => body?.());
      span.end();
      return span;
    };
    // Reads that only count or cache what they read: no row.
    process('rollout', 'process agentops.decisions.v1');
    process('console', 'process agentops.decisions.v1');
    // The verification: a send under it.
    process('guardrail', 'process agentops.outcomes.v1', () =>
      provider
        .getTracer('agentops/guardrail')
        .startSpan('send agentops.verifications.v1', { kind: SpanKind.PRODUCER })
        .end(),
    );
    // The audit append, whatever it sent (in a chunk, its sends hang elsewhere); its send of the
    // record for BI is no step of its own.
    process('audit', 'process agentops.decisions.v1', () =>
      provider
        .getTracer('agentops/audit')
        .startSpan('send agentops.audit.v1', { kind: SpanKind.PRODUCER })
        .end(),
    );
    // The agent woken: nothing sent, marked by its handler.
    process('ingest', 'process agentops.decisions.v1', () => markWaterfallStep('agent woken'));
    // A failure is always worth a row.
    process('killswitch', 'process agentops.decisions.v1', () =>
      trace.getActiveSpan()!.setStatus({ code: SpanStatusCode.ERROR, message: 'boom' }),
    );
    await processor.forceFlush();

    expect(sent.map((s) => `${s.service} ${s.kind} ${s.name}`).sort()).toEqual([
      'audit consumer process agentops.decisions.v1',
      'guardrail consumer process agentops.outcomes.v1',
      'guardrail producer send agentops.verifications.v1',
      'ingest consumer process agentops.decisions.v1',
      'killswitch consumer process agentops.decisions.v1',
    ]);
    expect(sent.find((s) => s.service === 'ingest')!.attributes[WATERFALL_STEP_ATTRIBUTE]).toBe(
      'agent woken',
    );
    await provider.shutdown();
  });

  it('shapes any span within the contract’s bounds, so its batches can go out unvalidated', async () => {
    const { processor, provider } = underTest();
    const sent: ExportedSpan[] = [];
    processor.attach(async (spans) => void sent.push(...spans));
    const links = Array.from({ length: 40 }, () => ({
      context: { traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), traceFlags: 1 },
    }));
    const attributes: Record<string, string | number | boolean | (string | number)[]> = {
      long: 'x'.repeat(5_000),
      list: Array.from({ length: 200 }, (_, i) => (i % 2 ? i : 'y'.repeat(5_000))),
      notANumber: Number.NaN,
      flag: false,
    };
    for (let i = 0; i < 200; i++) attributes[`${'k'.repeat(300)}${i}`] = i;
    const span = provider
      .getTracer(`agentops/${'s'.repeat(150)}`)
      .startSpan('n'.repeat(1_000), { kind: SpanKind.CONSUMER, attributes, links });
    span.setStatus({ code: 2, message: 'm'.repeat(2_000) });
    span.end();
    provider.getTracer('').startSpan('', { kind: SpanKind.PRODUCER }).end();
    await processor.forceFlush();

    expect(sent).toHaveLength(2);
    const parsed = SpansExportedV1.safeParse({ spans: sent });
    expect(parsed.success ? [] : parsed.error.issues.map((i) => i.path.join('.'))).toEqual([]);
    await provider.shutdown();
  });

  it('sends a full batch at once, and a partial one only at its tick', async () => {
    const { processor, provider } = underTest({ batchSize: 10 });
    const batches: number[] = [];
    processor.attach(async (spans) => void batches.push(spans.length));
    const tracer = provider.getTracer('agentops/guardrail');
    for (let i = 0; i < 9; i++) tracer.startSpan(`process ${i}`).end();
    await new Promise((r) => setImmediate(r));
    expect(batches).toEqual([]);
    tracer.startSpan('process 9').end();
    for (let i = 0; i < 10 && !batches.length; i++) await new Promise((r) => setImmediate(r));
    expect(batches).toEqual([10]);
    await provider.shutdown();
  });

  it('holds spans ended before a sink is attached within its bound, dropping and counting past it', async () => {
    const { processor, provider } = underTest({ maxQueueSize: 5, batchSize: 2 });
    const before = spanStoreCounters.droppedQueueFull;
    const tracer = provider.getTracer('agentops/ingest');
    for (let i = 0; i < 12; i++) tracer.startSpan(`s${i}`).end();
    expect(spanStoreCounters.droppedQueueFull - before).toBe(7);
    const batches: number[] = [];
    processor.attach(async (spans) => void batches.push(spans.length));
    await processor.forceFlush();
    expect(batches).toEqual([2, 2, 1]);
    await provider.shutdown();
  });

  it('counts a batch its sink failed or never answered as lost, and goes on with the next', async () => {
    const { processor, provider } = underTest({ batchSize: 1, sendTimeoutMs: 20 });
    const before = { ...spanStoreCounters };
    let calls = 0;
    processor.attach((spans) => {
      calls += 1;
      if (calls === 1) return new Promise<void>(() => undefined); // a broker that never acknowledges
      if (calls === 2) return Promise.reject(new Error('not authorized'));
      return Promise.resolve(void spans);
    });
    const tracer = provider.getTracer('agentops/ingest');
    for (let i = 0; i < 3; i++) tracer.startSpan(`s${i}`).end();
    await processor.forceFlush();
    expect(spanStoreCounters.droppedSendFailed - before.droppedSendFailed).toBe(2);
    expect(spanStoreCounters.sent - before.sent).toBe(1);
    await provider.shutdown();
  });

  it('sends each batch with tracing suppressed, so sending it makes no span of its own', async () => {
    const { processor, provider } = underTest();
    const recording: boolean[] = [];
    processor.attach(async () => {
      const inner = provider.getTracer('agentops/ingest').startSpan('send agentops.spans.v1');
      recording.push(inner.isRecording());
      inner.end();
    });
    provider.getTracer('agentops/ingest').startSpan('step').end();
    await processor.forceFlush();
    expect(recording).toEqual([false]);
    // Nothing new queued by the send: a second flush has nothing to send.
    await processor.forceFlush();
    expect(recording).toEqual([false]);
    await provider.shutdown();
  });

  it('sends to the service attached last, and to none once every one detached', async () => {
    const { processor, provider } = underTest();
    const got: string[] = [];
    const detachA = processor.attach(async () => void got.push('a'));
    const detachB = processor.attach(async () => void got.push('b'));
    const tracer = provider.getTracer('agentops/ingest');
    tracer.startSpan('one').end();
    await processor.forceFlush();
    detachB();
    tracer.startSpan('two').end();
    await processor.forceFlush();
    detachA();
    tracer.startSpan('three').end();
    await processor.forceFlush();
    expect(got).toEqual(['b', 'a']);
    await provider.shutdown();
  });
});
