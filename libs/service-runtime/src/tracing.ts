/**
 * The OpenTelemetry SDK of a service process. Loaded by each `main.ts` before anything else (its
 * own path alias, `@agentops/service-runtime/tracing`, so that importing it loads no NestJS, pg or
 * ioredis): the instrumentations patch http, express, pg and ioredis as they are required, and a
 * module required before the SDK started is never patched.
 *
 * Spans leave the process only when `OTEL_EXPORTER_OTLP_ENDPOINT` is set (OTLP/HTTP). The export is
 * off the request path: ended spans go into a bounded queue that a timer drains in batches; a full
 * queue drops the span and counts it, an unreachable endpoint fails the batch and counts its spans.
 * Nothing on the decision path ever waits for the exporter. Without an endpoint the SDK still runs
 * (trace and span ids for the logs and the Kafka headers), with no exporter at all.
 *
 * Independently of the endpoint, the steps of each trace go to ingest's embedded trace store
 * (`span-export.ts`, through `agentops.spans.v1`) unless `TRACE_STORE_EXPORT=false`.
 */
import Module from 'node:module';
import { Context, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { ExpressInstrumentation, ExpressLayerType } from '@opentelemetry/instrumentation-express';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { NodeSDK, NodeSDKConfiguration } from '@opentelemetry/sdk-node';
import {
  BatchSpanProcessor,
  NoopSpanProcessor,
  ReadableSpan,
  Span,
  SpanExporter,
  SpanProcessor,
} from '@opentelemetry/sdk-trace';
import { SpanStoreExport, installSpanStoreExport } from './span-export';

export interface TracingOptions {
  /** `service.name` of the resource, e.g. `ingest`. */
  service: string;
  /**
   * Default `process.env`: reads OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_BSP_MAX_QUEUE_SIZE,
   * OTEL_SDK_DISABLED, TRACE_STORE_EXPORT, TRACE_STORE_EXPORT_DELAY.
   */
  env?: NodeJS.ProcessEnv;
  /** Instead of OTLP (tests hand in an in-memory exporter). */
  exporter?: SpanExporter;
}

/** Spans that never left the process, by why; read by `ServiceMetrics` for /metrics. */
export interface TracingCounters {
  exported: number;
  droppedQueueFull: number;
  droppedExportFailed: number;
}

export const tracingCounters: TracingCounters = { exported: 0, droppedQueueFull: 0, droppedExportFailed: 0 };

export interface RunningTracing {
  /** Whether spans leave the process (an exporter is configured). */
  exporting: boolean;
  /** Sends what is queued (tests); bounded by the exporter's own timeout. */
  flush(): Promise<void>;
  shutdown(): Promise<void>;
}

let running: RunningTracing | undefined;

/** Starts the SDK once per process; a second call (several services in one test process) reuses it. */
export function startTracing(options: TracingOptions): RunningTracing {
  if (running) return running;
  const env = options.env ?? process.env;
  if (env.OTEL_SDK_DISABLED === 'true') {
    running = { exporting: false, flush: async () => undefined, shutdown: async () => undefined };
    return running;
  }
  const endpoint = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();
  const exporter =
    options.exporter ??
    (endpoint
      ? new OTLPTraceExporter({
          url: `${endpoint.replace(/\/+$/, '')}/v1/traces`,
          timeoutMillis: positive(env.OTEL_EXPORTER_OTLP_TIMEOUT, 2_000),
        })
      : undefined);
  const maxQueueSize = positive(env.OTEL_BSP_MAX_QUEUE_SIZE, 2_048);
  const otlp: SpanProcessor | undefined = exporter
    ? new BoundedSpanProcessor(
        new BatchSpanProcessor({
          exporter: new CountingExporter(exporter),
          maxQueueSize,
          maxExportBatchSize: Math.min(512, maxQueueSize),
          scheduledDelayMillis: positive(env.OTEL_BSP_SCHEDULE_DELAY, 1_000),
          exportTimeoutMillis: positive(env.OTEL_BSP_EXPORT_TIMEOUT, 5_000),
        }),
        maxQueueSize,
      )
    : undefined;
  const store =
    env.TRACE_STORE_EXPORT === 'false'
      ? undefined
      : new SpanStoreExport({
          service: options.service,
          maxQueueSize,
          // Each batch is an event, a read, a lookup and an INSERT in ingest: few, full ones — but
          // ingest decodes a batch in one go on the loop that answers agents (~17 µs a span).
          batchSize: 128,
          intervalMs: positive(env.TRACE_STORE_EXPORT_DELAY, 5_000),
          sendTimeoutMs: positive(env.OTEL_EXPORTER_OTLP_TIMEOUT, 2_000),
        });
  installSpanStoreExport(store);
  const processors = [otlp, store].filter((p): p is SpanProcessor => p !== undefined);
  const requireBeforeSdk = requireHooks();
  const sdk = new NodeSDK({
    serviceName: `agentops-${options.service}`,
    // Ids without any export: the logs and the Kafka headers still carry a real trace.
    spanProcessors: processors.length ? processors : [new NoopSpanProcessor()],
    // The SDK would otherwise read OTEL_*_EXPORTER and start metric and log exporters of its own:
    // metrics are Prometheus's (prom-client), logs go to stdout.
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations: instrumentations(Boolean(exporter)),
  });
  sdk.start();
  loadInstrumentedModules();
  // Every module the instrumentations patch is loaded and patched now; from here on require() is
  // the plain one again. The instrumentations' hook resolves each require() against the file system
  // before looking at its cache, and kafkajs requires a protocol module on every broker request (each
  // fetch poll, heartbeat, produce, commit): a few percent of every service's CPU, idle or not.
  restoreRequireHooks(requireBeforeSdk);
  running = {
    exporting: Boolean(exporter),
    flush: async () => void (await Promise.all(processors.map((p) => p.forceFlush()))),
    shutdown: async () => {
      await sdk.shutdown().catch(() => undefined);
      installSpanStoreExport(undefined);
      running = undefined;
    },
  };
  return running;
}

/**
 * What the instrumentations make spans of. HTTP always: the server span of each request is a step
 * of the waterfall. Express names that span after its route (`POST /v1/intents`) and makes no span
 * of its own: one per middleware (helmet, the logger, the body parser…) on every request is a dozen
 * spans of no interest. SQL and Redis commands only when spans leave the process for an OTLP
 * backend: the embedded store keeps none of them (`worthStoring`), so without an endpoint they
 * would be made on the decision path and dropped.
 */
function instrumentations(exporting: boolean): NodeSDKConfiguration['instrumentations'] {
  return [
    new HttpInstrumentation({
      // Probes and scrapes are not agent traffic.
      ignoreIncomingRequestHook: (req) => /^\/(health|metrics)/.test(req.url ?? ''),
    }),
    new ExpressInstrumentation({
      ignoreLayersType: [
        ExpressLayerType.MIDDLEWARE,
        ExpressLayerType.REQUEST_HANDLER,
        ExpressLayerType.ROUTER,
      ],
    }),
    ...(exporting
      ? [
          new PgInstrumentation({ requireParentSpan: true }),
          new IORedisInstrumentation({ requireParentSpan: true }),
        ]
      : []),
  ];
}

/** The modules the instrumentations patch, required while the SDK's hook is in place. */
const INSTRUMENTED_MODULES = ['http', 'https', 'express', 'pg', 'ioredis'];

function loadInstrumentedModules(): void {
  for (const name of INSTRUMENTED_MODULES) {
    try {
      module.require(name);
    } catch {
      // Not installed where this process runs: nothing of it to patch.
    }
  }
}

interface RequireHooks {
  require: typeof Module.prototype.require;
  getBuiltinModule?: unknown;
}

function requireHooks(): RequireHooks {
  const proc = process as { getBuiltinModule?: unknown };
  return { require: Module.prototype.require, getBuiltinModule: proc.getBuiltinModule };
}

function restoreRequireHooks(before: RequireHooks): void {
  Module.prototype.require = before.require;
  if (before.getBuiltinModule)
    (process as { getBuiltinModule?: unknown }).getBuiltinModule = before.getBuiltinModule;
}

/** The active span's ids, for a log line; none when no span is active. */
export function activeTraceIds(): { trace_id: string; span_id: string } | undefined {
  const span = trace.getActiveSpan();
  if (!span) return undefined;
  const { traceId, spanId } = span.spanContext();
  return { trace_id: traceId, span_id: spanId };
}

/**
 * The batch processor drops silently once its queue is full; this one counts. It keeps its own
 * count of spans handed over and not yet exported (bounded like the inner queue) and drops, counted,
 * past it — so `onEnd`, which runs on the decision path, is a counter and an array push, never I/O.
 */
export class BoundedSpanProcessor implements SpanProcessor {
  constructor(
    private readonly inner: SpanProcessor,
    private readonly maxQueueSize: number,
  ) {}

  onStart(span: Span, parentContext: Context): void {
    this.inner.onStart(span, parentContext);
  }

  onEnd(span: ReadableSpan): void {
    if (!span.spanContext().traceFlags) return; // not sampled: the batch processor skips it too
    if (inFlight >= this.maxQueueSize) {
      tracingCounters.droppedQueueFull += 1;
      return;
    }
    inFlight += 1;
    this.inner.onEnd(span);
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush();
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }
}

let inFlight = 0;

/** `ExportResultCode.SUCCESS` of @opentelemetry/core. */
const EXPORT_SUCCESS = 0;

/** Counts what was sent and what an unreachable or failing endpoint lost. */
class CountingExporter implements SpanExporter {
  constructor(private readonly inner: SpanExporter) {}

  export(spans: ReadableSpan[], done: Parameters<SpanExporter['export']>[1]): void {
    this.inner.export(spans, (result) => {
      inFlight = Math.max(0, inFlight - spans.length);
      if (result.code === EXPORT_SUCCESS) tracingCounters.exported += spans.length;
      else tracingCounters.droppedExportFailed += spans.length;
      done(result);
    });
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }
}

function positive(value: string | undefined, fallback: number): number {
  const n = Number(value);
  return Number.isInteger(n) && n > 0 ? n : fallback;
}
