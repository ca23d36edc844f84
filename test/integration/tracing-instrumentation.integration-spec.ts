import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { PG_ADMIN_URL, REDIS_TEST_URL } from '../support/test-env';

interface TracedRun {
  requireRestored: boolean;
  pgPatched: boolean;
  redisPatched: boolean;
  spans: { scope: string; name: string; route: string | null }[];
}

/**
 * What the instrumentations make in a real process (tools/testing/traced-process.ts, from dist/:
 * under jest their require hook never sees a module): the cost of tracing per request is the spans
 * it makes, so which ones it makes is checked here, with and without an OTLP exporter.
 */
describe('the tracing SDK’s instrumentations in a service process', () => {
  const run = async (exporting: boolean): Promise<TracedRun> => {
    const { stdout } = await promisify(execFile)(process.execPath, ['dist/tools/testing/traced-process.js'], {
      cwd: resolve(__dirname, '../..'),
      env: { ...process.env, PG_ADMIN_URL, REDIS_TEST_URL, TRACED_EXPORTING: String(exporting) },
      timeout: 60_000,
    });
    return JSON.parse(stdout.trim().split('\n').pop()!) as TracedRun;
  };

  it('with an exporter: the server span named after its route, no span per Express middleware, SQL and Redis spans', async () => {
    const traced = await run(true);
    const names = traced.spans.map((s) => `${s.scope} ${s.name}`);
    expect(traced.spans.find((s) => s.scope === '@opentelemetry/instrumentation-http')).toEqual({
      scope: '@opentelemetry/instrumentation-http',
      name: 'POST /v1/things/:id',
      route: '/v1/things/:id',
    });
    expect(names.filter((n) => n.startsWith('@opentelemetry/instrumentation-express'))).toEqual([]);
    expect(names).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^@opentelemetry\/instrumentation-pg pg\.query/),
        '@opentelemetry/instrumentation-ioredis get',
        'agentops/traced-process work',
      ]),
    );
    // Patched while the hook was in place, and the hook gone since.
    expect(traced).toMatchObject({ requireRestored: true, pgPatched: true, redisPatched: true });
  }, 90_000);

  it('without one: neither pg nor ioredis is patched, since the trace store keeps none of their spans', async () => {
    const traced = await run(false);
    expect(traced).toMatchObject({ requireRestored: true, pgPatched: false, redisPatched: false });
  }, 90_000);
});
