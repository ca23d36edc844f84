import { RunningService } from '@agentops/service-runtime';
import { AgentRegistry } from '../../services/ingest/src/agents/agent-registry';
import { postJson, priceIntent } from '../support/agent-http';
import { bootService } from '../support/platform';
import { TEST_OPERATOR_TOKEN } from '../support/test-env';

/**
 * No input can stall the platform (issue 12, item 6), on the real stack: agents over their rate
 * limit get 429 with Retry-After from whichever ingest instance they reach; bodies are small except
 * on catalog imports; globs beyond the caps are refused where they enter.
 */
const TENANT = 'maison-safety';
const operator = { authorization: `Bearer ${TEST_OPERATOR_TOKEN}` };
const LIMIT = 4;

async function send(url: string, method: string, body: string, headers: Record<string, string> = {}) {
  const res = await fetch(url, { method, headers: { 'content-type': 'application/json', ...headers }, body });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
}

describe('input safety: rate limits, body limits and glob caps', () => {
  const ingest: RunningService[] = [];
  let guardrail: RunningService;
  const keys: Record<'noisy' | 'quiet', string> = { noisy: '', quiet: '' };
  let noisyId: string;

  beforeAll(async () => {
    // A window far longer than the test: the budget cannot refill mid-test, so nothing here races a clock.
    const limits = { AGENT_RATE_LIMIT_REQUESTS: String(LIMIT), AGENT_RATE_LIMIT_WINDOW_SECONDS: '3600' };
    ingest.push(await bootService('ingest', limits), await bootService('ingest', limits));
    guardrail = await bootService('guardrail');
    const registry = AgentRegistry.of(ingest[0].parts.dataSource);
    const suffix = Date.now().toString(36);
    for (const name of ['noisy', 'quiet'] as const) {
      const { apiKey, agent } = await registry.register({
        id: `${name}-${suffix}`,
        tenantId: TENANT,
        name,
        role: 'pricing',
        version: '1.0.0',
        region: 'eu-west',
      });
      keys[name] = apiKey;
      if (name === 'noisy') noisyId = agent.id;
    }
  });

  afterAll(async () => {
    for (const s of [...ingest, guardrail]) await s?.close();
  });

  it('gives each agent one budget per API across ingest instances, then 429 with Retry-After', async () => {
    const propose = (i: number, key: string) =>
      send(`${ingest[i % 2].url}/v1/intents`, 'POST', JSON.stringify(priceIntent('BAG-1', 100 + i)), {
        'x-api-key': key,
      });
    for (let i = 0; i < LIMIT; i++) {
      const res = await propose(i, keys.noisy);
      expect(res.status).toBe(202);
      expect(res.headers.get('ratelimit-remaining')).toBe(String(LIMIT - 1 - i));
    }
    // Both instances have seen the agent twice each: the budget is shared, not per instance.
    for (const i of [0, 1]) {
      const refused = await propose(i, keys.noisy);
      expect(refused.status).toBe(429);
      const retryAfter = Number(refused.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(3600);
      expect(refused.body.message).toBe(
        `agent ${noisyId} is over its rate limit for intents (${LIMIT} requests per 3600 s); retry after ${retryAfter} s`,
      );
    }
    // Another agent of the same tenant is not starved, and the noisy agent's telemetry has its own budget.
    expect((await propose(0, keys.quiet)).status).toBe(202);
    const telemetry = await postJson(
      `${ingest[1].url}/v1/telemetry`,
      { kind: 'model_call', name: 'pricing-model' },
      { 'x-api-key': keys.noisy },
    );
    expect(telemetry.status).toBe(202);
    const metrics = await (await fetch(`${ingest[1].url}/metrics`)).text();
    expect(metrics).toMatch(/agentops_ingest_throttled_total\{api="intents",tenant="maison-safety"[^}]*\} 1/);
  });

  it('refuses an agent scope glob beyond the caps with 400 naming the field', async () => {
    const res = await postJson(
      `${ingest[0].url}/v1/agents`,
      {
        id: `stall-${Date.now().toString(36)}`,
        tenantId: TENANT,
        name: 'stall',
        role: 'pricing',
        version: '1.0.0',
        region: 'eu-west',
        scopes: { actions: ['pricing.*', '*a*a*a*a*a*b'] },
      },
      operator,
    );
    expect(res.status).toBe(400);
    expect(res.body.issues).toEqual([
      { path: 'scopes.actions.1', message: 'at most 4 * wildcards (found 6)' },
    ]);
  });

  it('answers 413 with the limit for a large body on an ordinary route, 400 for a body that is not JSON', async () => {
    const intent = { ...priceIntent('BAG-1', 100), justification: 'x'.repeat(300 * 1024) };
    const tooLarge = await send(`${ingest[0].url}/v1/intents`, 'POST', JSON.stringify(intent), {
      'x-api-key': keys.quiet,
    });
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.body.message).toMatch(
      /^request body of \d+ bytes is over the 262144-byte limit of POST \/v1\/intents$/,
    );
    const notJson = await send(`${ingest[0].url}/v1/intents`, 'POST', '{"action":', {
      'x-api-key': keys.quiet,
    });
    expect(notJson).toMatchObject({ status: 400, body: { message: 'request body is not valid JSON' } });
  });

  it('refuses a malformed or oversized data-access report with 400 naming the field, a huge one with 413', async () => {
    const report = (access: Record<string, unknown>) =>
      send(
        `${ingest[0].url}/v1/telemetry`,
        'POST',
        JSON.stringify({ kind: 'data_access', name: 'crm.customers', access }),
        { 'x-api-key': keys.quiet },
      );
    const read = { kind: 'read', source: 'crm.customers', records: 1 };
    const raw = await report({ ...read, subjectIds: ['jane@example.com'] });
    expect(raw.status).toBe(400);
    expect(raw.body.issues).toEqual([
      { path: 'access.subjectIds.0', message: 'must be a pseudonym <kind>_<32 hex>' },
    ]);
    const subjects = Array.from({ length: 1001 }, (_, i) => `customer_${i.toString(16).padStart(32, '0')}`);
    const many = await report({ ...read, records: 2_000_000, subjectIds: subjects });
    expect(many.status).toBe(400);
    expect((many.body.issues as { path: string }[]).map((i) => i.path).sort()).toEqual([
      'access.records',
      'access.subjectIds',
    ]);
    const huge = await report({ ...read, source: 'x'.repeat(300 * 1024) });
    expect(huge.status).toBe(413);
  });

  it('takes a catalog import of megabytes, where only that route allows it', async () => {
    const items = Array.from({ length: 8000 }, (_, i) => ({
      sku: `SAFE-${i}`,
      brand: `Maison Demo ${'x'.repeat(100)}`,
      category: 'leather-goods',
      price: 1000 + i,
      floorPrice: 800,
      cost: 400,
      stock: 3,
    }));
    const body = JSON.stringify({ items });
    expect(body.length).toBeGreaterThan(1024 * 1024);
    const catalog = await send(`${guardrail.url}/v1/context/${TENANT}/catalog`, 'PUT', body, operator);
    expect(catalog.status).toBe(200);
    expect(catalog.body).toMatchObject({ imported: 8000 });
    // The import is counted where the tenant's context is described.
    const described = await fetch(`${guardrail.url}/v1/context/${TENANT}`, { headers: operator });
    expect(described.status).toBe(200);
    expect(await described.json()).toMatchObject({
      tenantId: TENANT,
      catalogImports: { imports: 1, lastImportAt: expect.any(String) },
    });
    // The same body on the evaluation route (an ordinary one) is refused before any parsing.
    const evaluation = await send(`${guardrail.url}/v1/evaluations`, 'POST', body, operator);
    expect(evaluation.status).toBe(413);
  });
});
