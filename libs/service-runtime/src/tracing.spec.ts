import { Writable } from 'node:stream';
import { context, trace } from '@opentelemetry/api';
import { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import { createLogger } from './logging';
import { startTracing, tracingCounters } from './tracing';

/** An endpoint that never answers: export callbacks are held until `release`. */
class StalledExporter implements SpanExporter {
  readonly held: (() => void)[] = [];
  export(spans: ReadableSpan[], done: Parameters<SpanExporter['export']>[1]): void {
    this.held.push(() => done({ code: 1, error: new Error('connect ECONNREFUSED') }));
  }
  release(): void {
    this.held.splice(0).forEach((f) => f());
  }
  async shutdown(): Promise<void> {
    this.release();
  }
}

describe('the tracing SDK of a service', () => {
  const exporter = new StalledExporter();
  const tracing = startTracing({
    service: 'test',
    exporter,
    env: { OTEL_BSP_MAX_QUEUE_SIZE: '8', OTEL_BSP_SCHEDULE_DELAY: '5' },
  });
  afterAll(() => tracing.shutdown());

  it('with the endpoint down, drops past the bounded queue and counts — ending a span never waits', async () => {
    const before = { ...tracingCounters };
    const tracer = trace.getTracer('t');
    for (let i = 0; i < 100; i++) tracer.startSpan(`s${i}`).end();
    // 100 ended spans with nobody draining: at most the queue's 8 are held, the rest counted.
    expect(tracingCounters.droppedQueueFull - before.droppedQueueFull).toBeGreaterThanOrEqual(92);
    // The batch goes out on the exporter's timer; wait until the stalled endpoint holds one.
    for (let i = 0; i < 200 && exporter.held.length === 0; i++) await new Promise((r) => setTimeout(r, 25));
    exporter.release();
    expect(tracingCounters.droppedExportFailed - before.droppedExportFailed).toBeGreaterThan(0);
    expect(tracingCounters.exported).toBe(before.exported);
  });

  it('writes the active span’s trace_id and span_id on every log line, and none outside a span', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const logger = createLogger('test', 'info', 'i1', sink);
    const span = trace.getTracer('t').startSpan('work');
    context.with(trace.setSpan(context.active(), span), () => logger.info('inside'));
    span.end();
    logger.info('outside');
    const [inside, outside] = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(inside).toMatchObject({
      trace_id: span.spanContext().traceId,
      span_id: span.spanContext().spanId,
    });
    expect(outside).not.toHaveProperty('trace_id');
  });
});
