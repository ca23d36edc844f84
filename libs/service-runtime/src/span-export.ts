/**
 * The services' own spans to the embedded trace store: ended spans worth a row of the intent's
 * waterfall go into a bounded queue, and a timer hands them in batches to a sink the service
 * attaches once its Kafka publisher is up (`agentops.spans.v1`, read by ingest into its store).
 * Like the OTLP export, nothing here runs on the decision path but a filter and an array push: a
 * full queue drops the span and counts it, a sink that fails or is slow loses its batch, counted.
 * Spans ended before a sink is attached wait in the queue (a service's boot), within its bound.
 *
 * Loaded by `tracing.ts` before anything else: only the OpenTelemetry API and core, no Kafka.
 */
import { Context, HrTime, ROOT_CONTEXT, SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace';
import type { ExportedSpan } from '@agentops/contracts';

/** Where a batch goes: the service's publisher, once it is connected. */
export type SpanSink = (spans: ExportedSpan[]) => Promise<void>;

export interface SpanStoreCounters {
  sent: number;
  droppedQueueFull: number;
  droppedSendFailed: number;
}

export const spanStoreCounters: SpanStoreCounters = { sent: 0, droppedQueueFull: 0, droppedSendFailed: 0 };

export interface SpanStoreExportOptions {
  /** The process's service (`ingest`), for spans whose scope does not name one. */
  service: string;
  maxQueueSize: number;
  /** Spans per batch handed to the sink (one event each); a full batch is sent without waiting. */
  batchSize: number;
  /** The longest a span waits in the queue. */
  intervalMs: number;
  /** How long a sink may take before its batch counts as lost (the queue goes on meanwhile). */
  sendTimeoutMs: number;
}

const KIND: Record<SpanKind, ExportedSpan['kind']> = {
  [SpanKind.INTERNAL]: 'internal',
  [SpanKind.SERVER]: 'server',
  [SpanKind.CLIENT]: 'client',
  [SpanKind.PRODUCER]: 'producer',
  [SpanKind.CONSUMER]: 'consumer',
};

const STATUS: Record<SpanStatusCode, ExportedSpan['status']['code']> = {
  [SpanStatusCode.UNSET]: 'unset',
  [SpanStatusCode.OK]: 'ok',
  [SpanStatusCode.ERROR]: 'error',
};

const PLATFORM_SCOPE = /^agentops\/([a-z-]+)$/;

/**
 * A step of the waterfall: a request served, an event sent or processed, or a span the platform's
 * own code made. Not the per-middleware Express spans nor each SQL or Redis command: those are a
 * dozen rows per intent and stay with the OTLP backend. Of the `process` spans, only those that
 * were a step (`consumerStep`) are kept.
 */
export function worthStoring(span: ReadableSpan): boolean {
  if (span.kind === SpanKind.SERVER || span.kind === SpanKind.PRODUCER || span.kind === SpanKind.CONSUMER)
    return true;
  return PLATFORM_SCOPE.test(span.instrumentationScope.name);
}

/**
 * Set by a handler on the span it runs in when processing the event was a step of the intent's
 * story although it sent nothing (ingest waking the waiting agent); its value names the step.
 */
export const WATERFALL_STEP_ATTRIBUTE = 'agentops.waterfall.step';

/** Marks the active span (a consumer's `process` span) as a step of the waterfall; see above. */
export function markWaterfallStep(step: string): void {
  trace.getActiveSpan()?.setAttribute(WATERFALL_STEP_ATTRIBUTE, step);
}

/**
 * Audit records every event it reads: its `process` span is the audit append, a step of every
 * waterfall, also when it runs in a chunk whose `send`s hang elsewhere.
 */
const RECORDS_EVERY_EVENT = 'agentops/audit';

/**
 * Whether an ended `process` span is a step: the audit append, a hop that led somewhere (a `send`
 * made under it, which `ledSomewhere` says), one its handler marked, or a failure. Every service
 * reads the intents and the decisions (about sixteen `process` spans per intent); most of them only
 * count or cache what they read, and those rows were over half of the store's intake for nothing
 * the waterfall shows (the decision's own attributes ride on its `send` span and on ingest's
 * decision summary).
 */
export function consumerStep(span: ReadableSpan, ledSomewhere: (spanId: string) => boolean): boolean {
  return (
    span.instrumentationScope.name === RECORDS_EVERY_EVENT ||
    span.status.code === SpanStatusCode.ERROR ||
    span.attributes[WATERFALL_STEP_ATTRIBUTE] !== undefined ||
    ledSomewhere(span.spanContext().spanId)
  );
}

/**
 * The contract's shape of an ended span, every field within the contract's bounds whatever the span
 * (its batches are sent unvalidated; ingest validates them as it reads them); pure.
 */
export function toExportedSpan(span: ReadableSpan, service: string): ExportedSpan {
  const ctx = span.spanContext();
  const scope = span.instrumentationScope.name;
  const parent = span.parentSpanContext?.spanId;
  return {
    traceId: ctx.traceId,
    spanId: ctx.spanId,
    ...(parent ? { parentSpanId: parent } : {}),
    name: clip(span.name || 'unnamed', 512),
    kind: KIND[span.kind] ?? 'internal',
    startTimeUnixNano: nanos(span.startTime),
    endTimeUnixNano: nanos(span.endTime),
    service: clip(PLATFORM_SCOPE.exec(scope)?.[1] ?? service, 100),
    scope: clip(scope || 'unknown', 200),
    attributes: attributesOf(span.attributes),
    status: {
      code: STATUS[span.status.code] ?? 'unset',
      ...(span.status.message ? { message: clip(span.status.message, 1024) } : {}),
    },
    links: span.links.slice(0, 32).map((l) => ({ traceId: l.context.traceId, spanId: l.context.spanId })),
  };
}

export class SpanStoreExport implements SpanProcessor {
  private readonly queue: ReadableSpan[] = [];
  /**
   * The spans a `send` was made under: a child ends before the parent that awaits it, so a
   * `process` span finds its sends here when it ends. Two generations of at most a queue's worth
   * each: the older one goes when the newer one is full.
   */
  private sentUnder = new Set<string>();
  private sentUnderBefore = new Set<string>();
  private readonly ledSomewhere = (spanId: string) =>
    this.sentUnder.has(spanId) || this.sentUnderBefore.has(spanId);
  private readonly sinks: SpanSink[] = [];
  private readonly timer: NodeJS.Timeout;
  private draining?: Promise<void>;
  private drainScheduled = false;

  constructor(private readonly options: SpanStoreExportOptions) {
    this.timer = setInterval(() => void this.drain(), options.intervalMs);
    this.timer.unref();
  }

  onStart(_span: Span, _parentContext: Context): void {}

  onEnd(span: ReadableSpan): void {
    if (!span.spanContext().traceFlags || !worthStoring(span)) return;
    if (span.kind === SpanKind.PRODUCER) {
      // Audit's sends are each record's copy for BI (`agentops.audit.v1`): its process span is the append.
      if (span.instrumentationScope.name === RECORDS_EVERY_EVENT) return;
      const parent = span.parentSpanContext?.spanId;
      if (parent) this.rememberSentUnder(parent);
    } else if (span.kind === SpanKind.CONSUMER && !consumerStep(span, this.ledSomewhere)) return;
    if (this.queue.length >= this.options.maxQueueSize) {
      spanStoreCounters.droppedQueueFull += 1;
      return;
    }
    this.queue.push(span);
    // A full batch goes at once (off this call stack), not at the next tick: under load, batches of
    // `batchSize`; idle, one every `intervalMs`.
    if (this.queue.length >= this.options.batchSize) this.drainSoon();
  }

  private rememberSentUnder(spanId: string): void {
    if (this.sentUnder.size >= this.options.maxQueueSize) {
      this.sentUnderBefore = this.sentUnder;
      this.sentUnder = new Set();
    }
    this.sentUnder.add(spanId);
  }

  /** The sink batches go to from now on; the returned function detaches it (its service closed). */
  attach(sink: SpanSink): () => void {
    this.sinks.push(sink);
    return () => {
      const i = this.sinks.indexOf(sink);
      if (i >= 0) this.sinks.splice(i, 1);
    };
  }

  /** Sends what is queued now (tests, shutdown); no-op without a sink. */
  async forceFlush(): Promise<void> {
    await this.draining;
    while (this.queue.length && this.sinks.length) await this.drain();
  }

  async shutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.forceFlush();
  }

  private drainSoon(): void {
    if (this.drainScheduled || this.draining || !this.sinks.length) return;
    this.drainScheduled = true;
    setImmediate(() => {
      this.drainScheduled = false;
      void this.drain();
    });
  }

  private drain(): Promise<void> {
    if (this.draining || !this.sinks.length || !this.queue.length) return this.draining ?? Promise.resolve();
    const sink = this.sinks[this.sinks.length - 1]!;
    this.draining = this.send(sink).finally(() => {
      this.draining = undefined;
      // Filled up while this one was sent: the next full batch need not wait for the tick.
      if (this.queue.length >= this.options.batchSize) this.drainSoon();
    });
    return this.draining;
  }

  private async send(sink: SpanSink): Promise<void> {
    // At most one queue's worth per tick: the spans sending makes (none, see below) cannot feed it.
    const taken = this.queue.splice(0, this.options.maxQueueSize);
    for (let i = 0; i < taken.length; i += this.options.batchSize) {
      const batch = taken
        .slice(i, i + this.options.batchSize)
        .map((s) => toExportedSpan(s, this.options.service));
      try {
        // Suppressed: publishing a batch must make no span (it would be in the next batch, for ever).
        await context.with(suppressTracing(ROOT_CONTEXT), () =>
          withTimeout(sink(batch), this.options.sendTimeoutMs),
        );
        spanStoreCounters.sent += batch.length;
      } catch {
        spanStoreCounters.droppedSendFailed += batch.length;
      }
    }
  }
}

let installed: SpanStoreExport | undefined;

/** Called by `startTracing`; the last installed processor is the one services attach to. */
export function installSpanStoreExport(processor: SpanStoreExport | undefined): void {
  installed = processor;
}

/**
 * Gives the process's store export a sink (a service's publisher); a no-op without an SDK or with
 * `TRACE_STORE_EXPORT=false`. Returns the detach.
 */
export function attachSpanSink(sink: SpanSink): () => void {
  return installed?.attach(sink) ?? (() => undefined);
}

function withTimeout(work: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`span batch not sent within ${ms} ms`)), ms);
    timer.unref();
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

function nanos([seconds, ns]: HrTime): string {
  return (BigInt(seconds) * 1_000_000_000n + BigInt(ns)).toString();
}

function clip(text: string, max: number): string {
  return text.length > max ? text.slice(0, max) : text;
}

type Scalar = string | number | boolean;

function scalar(value: unknown): Scalar | undefined {
  if (typeof value === 'string') return clip(value, 4096);
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  return undefined;
}

function attributesOf(attributes: ReadableSpan['attributes']): ExportedSpan['attributes'] {
  const out: ExportedSpan['attributes'] = {};
  for (const [key, value] of Object.entries(attributes).slice(0, 128)) {
    const k = clip(key, 256);
    if (Array.isArray(value)) {
      out[k] = value
        .slice(0, 128)
        .map(scalar)
        .filter((v): v is Scalar => v !== undefined);
    } else {
      const v = scalar(value);
      if (v !== undefined) out[k] = v;
    }
  }
  return out;
}
