/**
 * A process that starts tracing as a service's `main.ts` does, then serves one Express request and
 * runs one SQL query and one Redis command under a span, and prints what the SDK made as one JSON
 * line: the spans by scope and name, whether `require()` is the plain one again, and whether pg's
 * and ioredis's clients are patched. Spawned by test/integration/tracing-instrumentation.integration-spec.ts
 * (from dist/: under jest the instrumentations' require hook never sees a module); not a tool
 * anyone runs by hand. TRACED_EXPORTING=true hands the SDK an exporter, as an OTLP endpoint would.
 */
import Module from 'node:module';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace';
import { startTracing } from '@agentops/service-runtime/tracing';

const requireBefore = Module.prototype.require;
const exporter = new InMemorySpanExporter();
const exporting = process.env.TRACED_EXPORTING === 'true';
const tracing = startTracing({
  service: 'traced-process',
  exporter: exporting ? exporter : undefined,
  env: { OTEL_BSP_SCHEDULE_DELAY: '20', TRACE_STORE_EXPORT: 'false' },
});
const requireRestored = Module.prototype.require === requireBefore;

/** shimmer marks what it wrapped. */
function wrapped(fn: unknown): boolean {
  return typeof fn === 'function' && '__wrapped' in fn;
}

async function main(): Promise<void> {
  // Loaded after the SDK, as a service loads them.
  const { trace } = await import('@opentelemetry/api');
  const { default: express } = await import('express');
  const { Client } = await import('pg');
  const { default: Redis } = await import('ioredis');

  const app = express();
  app.use((_req, _res, next) => next());
  app.use(express.json());
  app.post('/v1/things/:id', (_req, res) => void res.json({ ok: true }));
  const server = app.listen(0, '127.0.0.1');
  await new Promise((done) => server.once('listening', done));
  const { port } = server.address() as { port: number };
  const res = await fetch(`http://127.0.0.1:${port}/v1/things/7`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{}',
  });
  await res.json();
  server.close();

  const pg = new Client({ connectionString: process.env.PG_ADMIN_URL });
  await pg.connect();
  const redis = new Redis(process.env.REDIS_TEST_URL!, { lazyConnect: true });
  await redis.connect();
  await trace.getTracer('agentops/traced-process').startActiveSpan('work', async (span) => {
    await pg.query('SELECT 1');
    await redis.get('traced-process:nothing');
    span.end();
  });
  await pg.end();
  redis.disconnect();
  await tracing.flush();
  process.stdout.write(
    `${JSON.stringify({
      requireRestored,
      pgPatched: wrapped(Client.prototype.query),
      redisPatched: wrapped(Redis.prototype.sendCommand),
      spans: exporter.getFinishedSpans().map((s) => ({
        scope: s.instrumentationScope.name,
        name: s.name,
        route: s.attributes['http.route'] ?? null,
      })),
    })}\n`,
  );
  await tracing.shutdown();
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`traced-process: ${String(error)}\n`);
    process.exit(1);
  },
);
