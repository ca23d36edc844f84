import { randomBytes } from 'node:crypto';
import { SpanKind, context, trace } from '@opentelemetry/api';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { InMemorySpanExporter, ReadableSpan, TracerProvider } from '@opentelemetry/sdk-trace';
import { RunningService, mintUserToken } from '@agentops/service-runtime';
import { RunningTracing, startTracing } from '@agentops/service-runtime/tracing';
import { CatalogCache } from '../../services/guardrail/src/context/catalog-cache';
import { AgentRegistry } from '../../services/ingest/src/agents/agent-registry';
import { TraceStore } from '../../services/ingest/src/traces/trace-store';
import { getJson, postJson, priceIntent } from '../support/agent-http';
import { FLOOR_POLICY, applyPolicySet } from '../support/policies';
import { ServiceName, bootService, eventually } from '../support/platform';
import { TEST_TOKEN_SIGNER } from '../support/test-env';

const TENANT = `maison-otlp-${Date.now()}`;
const OTHER_TENANT = `rival-otlp-${Date.now()}`;

interface StoredSpan {
  traceId: string;
  spanId: string;
  name: string;
  source: string;
  agentId: string | null;
  model: string | null;
  usage: { inputTokens: number | null; reasoningTokens: number | null };
  attributes: Record<string, unknown>;
}

/**
 * OTLP/HTTP intake at ingest and the embedded trace store, on the real stack: an agent exports its
 * LLM spans (protobuf, as the OTel exporters do) in the trace of its intent, and an operator reads
 * the intent's trace — the agent's spans and the platform's decision — tenant-scoped.
 */
describe('trace intake: POST /v1/traces (OTLP/HTTP) and GET /v1/traces', () => {
  const svc: Partial<Record<ServiceName, RunningService>> = {};
  let tracing: RunningTracing;
  const keys: Record<string, string> = {};

  beforeAll(async () => {
    tracing = startTracing({ service: 'e2e', exporter: new InMemorySpanExporter() });
    for (const name of ['guardrail', 'killswitch', 'ingest'] as const) svc[name] = await bootService(name);
    await svc.guardrail!.app.get(CatalogCache).importCatalog([
      {
        tenantId: TENANT,
        sku: 'BAG-9',
        price: 2400,
        floorPrice: 1900,
        cost: 800,
        flagship: false,
        brand: 'Maison',
        category: 'bags',
      },
    ]);
    expect(
      (await applyPolicySet(svc.guardrail!.url, [{ path: 'price-floor.yaml', content: FLOOR_POLICY }]))
        .status,
    ).toBe(201);
    const registry = AgentRegistry.of(svc.ingest!.parts.dataSource);
    for (const [name, tenantId] of [
      ['pricer', TENANT],
      ['shopper', TENANT],
      ['rival', OTHER_TENANT],
    ] as const)
      keys[name] = (
        await registry.register({
          id: `${name}-otlp-${Date.now()}`,
          tenantId,
          name,
          role: 'pricing',
          version: '1.0.0',
          region: 'eu-west',
        })
      ).apiKey;
  });

  afterAll(async () => {
    for (const s of Object.values(svc).reverse()) await s?.close();
    await tracing?.shutdown();
  });

  const url = (path: string) => `${svc.ingest!.url}${path}`;
  const sre = async (tenantId: string) => ({
    authorization: `Bearer ${await mintUserToken({ userId: `sre@${tenantId}`, tenantId, roles: ['sre'] }, TEST_TOKEN_SIGNER)}`,
  });

  /** What an agent's OTel SDK would export: an agent span and an LLM call under it, in `traceId`. */
  function agentSpans(traceId: string): ReadableSpan[] {
    const ended: ReadableSpan[] = [];
    const provider = new TracerProvider({
      spanProcessors: [
        {
          onStart: () => undefined,
          onEnd: (s: ReadableSpan) => void ended.push(s),
          forceFlush: async () => undefined,
          shutdown: async () => undefined,
        },
      ],
    });
    const tracer = provider.getTracer('openinference.instrumentation.openai');
    const parent = trace.setSpanContext(context.active(), {
      traceId,
      spanId: randomBytes(8).toString('hex'),
      traceFlags: 1,
      isRemote: true,
    });
    const agent = tracer.startSpan('pricing agent', { kind: SpanKind.INTERNAL }, parent);
    const llm = tracer.startSpan(
      'ChatCompletion',
      { kind: SpanKind.CLIENT },
      trace.setSpan(context.active(), agent),
    );
    llm.setAttributes({
      'openinference.span.kind': 'LLM',
      'llm.model_name': 'o3-mini',
      'llm.token_count.prompt': 800,
      'llm.token_count.completion': 450,
      'llm.token_count.completion_details.reasoning': 320,
      'llm.input_messages.0.message.content': 'price BAG-9 for jane@example.com',
      'user.email': 'jane@example.com',
    });
    llm.end();
    agent.end();
    return ended;
  }

  /** An OTLP JSON request with one `chat` span in `traceId`. */
  const otlpJson = (traceId: string, attributes: unknown[] = []) => ({
    resourceSpans: [
      {
        scopeSpans: [
          {
            spans: [
              {
                traceId,
                spanId: randomBytes(8).toString('hex'),
                name: 'chat',
                startTimeUnixNano: '1',
                endTimeUnixNano: '2',
                attributes,
              },
            ],
          },
        ],
      },
    ],
  });

  const postProtobuf = (body: Uint8Array, apiKey: string) =>
    fetch(url('/v1/traces'), {
      method: 'POST',
      headers: { 'content-type': 'application/x-protobuf', 'x-api-key': apiKey },
      body: Buffer.from(body),
    });

  it("takes an agent's protobuf spans into its intent's trace; an operator sees them with the decision, PII redacted", async () => {
    const traceId = randomBytes(16).toString('hex');
    const decided = await postJson<{ intentId: string; decision: { verdict: string } }>(
      url('/v1/intents?wait=true'),
      priceIntent('BAG-9', 1500),
      { 'x-api-key': keys.pricer!, traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` },
    );
    expect(decided.body.decision.verdict).toBe('deny');

    const res = await postProtobuf(
      ProtobufTraceSerializer.serializeRequest(agentSpans(traceId))!,
      keys.pricer!,
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/x-protobuf');
    expect(ProtobufTraceSerializer.deserializeResponse(new Uint8Array(await res.arrayBuffer()))).toEqual({});

    const read = await eventually(async () => {
      const r = await getJson<{ traces: { traceId: string; spans: StoredSpan[] }[] }>(
        url(`/v1/traces?intentId=${decided.body.intentId}`),
        await sre(TENANT),
      );
      const spans = r.body.traces?.flatMap((t) => t.spans) ?? [];
      if (!spans.some((s) => s.name === 'decision deny (policy)') || !spans.some((s) => s.source === 'agent'))
        throw new Error(`trace has ${spans.map((s) => s.name).join(', ')}`);
      return r.body;
    }, 15_000);
    expect(read.traces.map((t) => t.traceId)).toEqual([traceId]);
    const spans = read.traces[0]!.spans;
    // The decision's summary (the services' own spans are there too, from guardrail and the rest).
    const decision = spans.find((s) => s.source === 'guardrail' && s.name.startsWith('decision '))!;
    expect(decision.name).toBe('decision deny (policy)');
    expect(decision.attributes['agentops.decision.policy_ids']).toEqual(['price-floor']);
    const llm = spans.find((s) => s.name === 'ChatCompletion')!;
    expect(llm).toMatchObject({ model: 'o3-mini', usage: { inputTokens: 800, reasoningTokens: 320 } });
    expect(llm.attributes['gen_ai.request.model']).toBe('o3-mini');
    expect(llm.attributes['user.email']).toBe('[redacted:email]');
    expect(JSON.stringify(spans)).not.toContain('jane@example.com');
    expect(JSON.stringify(spans)).not.toContain('llm.input_messages');

    const one = await getJson<{ spans: StoredSpan[] }>(url(`/v1/traces/${traceId}`), await sre(TENANT));
    expect(one.status).toBe(200);
    expect(one.body.spans.length).toBe(spans.length);

    // Another tenant's operator: the trace is unknown to them.
    expect((await getJson(url(`/v1/traces/${traceId}`), await sre(OTHER_TENANT))).status).toBe(404);
    const theirs = await getJson<{ traces: unknown[] }>(
      url(`/v1/traces?intentId=${decided.body.intentId}`),
      await sre(OTHER_TENANT),
    );
    expect(theirs.body.traces).toEqual([]);

    // Another agent — of the same tenant or another — may not write into the intent's trace.
    for (const intruder of [keys.shopper!, keys.rival!]) {
      const refused = await postProtobuf(
        ProtobufTraceSerializer.serializeRequest(agentSpans(traceId))!,
        intruder,
      );
      expect(refused.status).toBe(200);
      const body = ProtobufTraceSerializer.deserializeResponse(new Uint8Array(await refused.arrayBuffer()));
      expect(Number(body.partialSuccess?.rejectedSpans)).toBe(2);
      expect(body.partialSuccess?.errorMessage).toContain('another agent');
    }
  });

  it('takes OTLP JSON, and answers the refusal of spans in a foreign trace as a JSON partial success', async () => {
    const body = otlpJson(randomBytes(16).toString('hex'));
    expect(await postJson(url('/v1/traces'), body, { 'x-api-key': keys.pricer! })).toEqual({
      status: 200,
      body: {},
    });
    const intruder = await postJson<{ partialSuccess: { rejectedSpans: number } }>(url('/v1/traces'), body, {
      'x-api-key': keys.shopper!,
    });
    expect(intruder.status).toBe(200);
    expect(intruder.body.partialSuccess.rejectedSpans).toBe(1);
  });

  it('refuses without an API key (401), malformed OTLP with the reason (400), oversized (413), another content type (415)', async () => {
    const key = { 'x-api-key': keys.pricer! };
    expect((await postJson(url('/v1/traces'), { resourceSpans: [] })).status).toBe(401);

    const malformed = await postJson<{ message: string }>(
      url('/v1/traces'),
      { resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: 'xyz', spanId: 'abc', name: 'n' }] }] }] },
      key,
    );
    expect(malformed.status).toBe(400);
    expect(malformed.body.message).toMatch(/resourceSpans\[0\]\.scopeSpans\[0\]\.spans\[0\]\.traceId/);

    const garbage = await postProtobuf(Buffer.from([0x0a, 0xff, 0xff, 0xff, 0x0f]), keys.pricer!);
    expect(garbage.status).toBe(400);
    expect(((await garbage.json()) as { message: string }).message).toMatch(/malformed OTLP: .*truncated/);

    const big = await postProtobuf(Buffer.alloc(4 * 1024 * 1024 + 1), keys.pricer!);
    expect(big.status).toBe(413);
    const bigJson = await postJson(
      url('/v1/traces'),
      { resourceSpans: [], pad: 'x'.repeat(4 * 1024 * 1024 + 1) },
      key,
    );
    expect(bigJson.status).toBe(413);

    const text = await fetch(url('/v1/traces'), {
      method: 'POST',
      headers: { 'content-type': 'text/plain', ...key },
      body: 'spans',
    });
    expect(text.status).toBe(415);
    expect(((await text.json()) as { message: string }).message).toContain('application/x-protobuf');
  });

  it('prices the token usage per agent, version, cohort and intent; an unknown model is unknown, not $0', async () => {
    const body = otlpJson(randomBytes(16).toString('hex'), [
      { key: 'gen_ai.request.model', value: { stringValue: 'in-house-llm-7' } },
      { key: 'gen_ai.usage.input_tokens', value: { intValue: 100 } },
    ]);
    expect((await postJson(url('/v1/traces'), body, { 'x-api-key': keys.pricer! })).status).toBe(200);

    interface Costs {
      priceTableVersion: string;
      groups: { group: string; usd: number | null; complete: boolean; unknownModels: (string | null)[] }[];
    }
    const byAgent = await getJson<Costs>(url('/v1/costs?groupBy=agent'), await sre(TENANT));
    expect(byAgent.status).toBe(200);
    expect(byAgent.body.priceTableVersion).toEqual(expect.any(String));
    const pricer = byAgent.body.groups.find((g) => g.group.startsWith('pricer-otlp'))!;
    // The first test's o3-mini call is priced; the in-house model is not (unknown, not $0).
    expect(pricer.usd).toBeGreaterThan(0);
    expect(pricer).toMatchObject({ complete: false, unknownModels: ['in-house-llm-7'] });

    const byVersion = await getJson<Costs>(url('/v1/costs?groupBy=version'), await sre(TENANT));
    expect(byVersion.body.groups.map((g) => g.group)).toContain(`${pricer.group}@1.0.0`);
    // One group a page: following `next` reads every group once, each with all its models' cost.
    const paged: Costs['groups'] = [];
    let cursor: string | null = null;
    do {
      const page: { body: Costs & { next: string | null } } = await getJson(
        url(`/v1/costs?groupBy=version&limit=1${cursor ? `&cursor=${cursor}` : ''}`),
        await sre(TENANT),
      );
      expect(page.body.groups.length).toBeLessThanOrEqual(1);
      paged.push(...page.body.groups);
      cursor = page.body.next;
    } while (cursor);
    expect(paged).toEqual(byVersion.body.groups);
    // The cohort: the agents' registered role and region (both pricing agents of the tenant).
    const byCohort = await getJson<Costs>(url('/v1/costs?groupBy=cohort'), await sre(TENANT));
    expect(byCohort.body.groups.find((g) => g.group === 'pricing/eu-west')).toMatchObject({
      complete: false,
      unknownModels: ['in-house-llm-7'],
    });
    const byIntent = await getJson<Costs>(url('/v1/costs?groupBy=intent'), await sre(TENANT));
    expect(byIntent.body.groups.some((g) => /^[0-9a-f-]{36}$/.test(g.group) && (g.usd ?? 0) > 0)).toBe(true);

    const rival = await getJson<Costs>(url('/v1/costs?groupBy=agent'), await sre(OTHER_TENANT));
    expect(rival.body.groups.some((g) => g.group.startsWith('pricer-otlp'))).toBe(false);
    expect((await getJson(url('/v1/costs?groupBy=model'), await sre(TENANT))).status).toBe(400);
  });

  it('retention deletes spans past their age, then the oldest past the span cap', async () => {
    const store = svc.ingest!.app.get(TraceStore);
    const count = async () =>
      Number(
        (
          (await svc.ingest!.parts.dataSource.query(`SELECT count(*)::int AS n FROM trace_spans`)) as {
            n: number;
          }[]
        )[0]!.n,
      );
    expect(await count()).toBeGreaterThan(2);
    expect(await store.prune(new Date(0), 2)).toBeGreaterThan(0);
    expect(await count()).toBe(2);
    await store.prune(new Date(Date.now() + 60_000), 1_000_000);
    expect(await count()).toBe(0);
  });
});
