import { randomBytes } from 'node:crypto';
import { InMemorySpanExporter, ReadableSpan } from '@opentelemetry/sdk-trace';
import { RunningService } from '@agentops/service-runtime';
import { RunningTracing, startTracing } from '@agentops/service-runtime/tracing';
import { CatalogCache } from '../../services/guardrail/src/context/catalog-cache';
import { AgentRegistry } from '../../services/ingest/src/agents/agent-registry';
import { StoredSpan, TraceStore } from '../../services/ingest/src/traces/trace-store';
import { postJson, priceIntent } from '../support/agent-http';
import { LogCapture } from '../support/log-capture';
import { FLOOR_POLICY, applyPolicySet } from '../support/policies';
import { bootService, eventually, ServiceName } from '../support/platform';

const TENANT = 'maison-tracing';

/**
 * One trace from the agent's call to the audit record, on the real stack (Kafka, PostgreSQL,
 * Redis): the SDK runs in this process with an in-memory exporter, the services are booted in it,
 * and the agent's request names its own traceparent.
 */
describe('tracing: an intent with a traceparent is one trace across ingest → guardrail → audit', () => {
  const exporter = new InMemorySpanExporter();
  const logs = new LogCapture();
  const svc: Partial<Record<ServiceName, RunningService>> = {};
  let tracing: RunningTracing;
  let apiKey: string;

  beforeAll(async () => {
    tracing = startTracing({
      service: 'e2e',
      exporter,
      env: { OTEL_BSP_SCHEDULE_DELAY: '50', TRACE_STORE_EXPORT_DELAY: '50' },
    });
    for (const name of ['audit', 'guardrail', 'killswitch', 'ingest'] as const)
      svc[name] = await bootService(name, { LOG_LEVEL: 'debug' }, { logDestination: logs.stream(name) });
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
    apiKey = (
      await AgentRegistry.of(svc.ingest!.parts.dataSource).register({
        id: `pricing-trace-${Date.now()}`,
        tenantId: TENANT,
        name: 'traced pricing agent',
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

  const agentCall = () => {
    const traceId = randomBytes(16).toString('hex');
    const parentId = randomBytes(8).toString('hex');
    return { traceId, parentId, traceparent: `00-${traceId}-${parentId}-01` };
  };

  /** The finished spans of one trace, once `done` holds for them. */
  const spansOf = (traceId: string, done: (spans: ReadableSpan[]) => boolean) =>
    eventually(async () => {
      await tracing.flush();
      const spans = exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId);
      if (!done(spans)) throw new Error(`trace ${traceId} has ${spans.map(label).join(', ')}`);
      return spans;
    }, 20_000);

  it('a denied intent: the agent’s span parents ingest’s send, guardrail decides in it, audit appends in it', async () => {
    const call = agentCall();
    const res = await postJson<{ decision: { verdict: string } }>(
      `${svc.ingest!.url}/v1/intents?wait=true`,
      priceIntent('BAG-9', 1500),
      { 'x-api-key': apiKey, traceparent: call.traceparent },
    );
    expect(res.status).toBe(200);
    expect(res.body.decision.verdict).toBe('deny');

    const audited = (spans: ReadableSpan[], topic: string) =>
      spans.some((s) => scope(s) === 'agentops/audit' && s.name === `process ${topic}`);
    const spans = await spansOf(
      call.traceId,
      (s) => audited(s, 'agentops.intents.v1') && audited(s, 'agentops.decisions.v1'),
    );

    const intentSend = spans.find((s) => scope(s) === 'agentops/ingest' && /^send .*intents/.test(s.name))!;
    expect(intentSend).toBeDefined();
    expect(intentSend.parentSpanContext?.spanId).toBe(call.parentId);

    const decide = spans.find(
      (s) => scope(s) === 'agentops/guardrail' && s.name === 'process agentops.intents.v1',
    )!;
    expect(decide.parentSpanContext?.spanId).toBe(intentSend.spanContext().spanId);
    expect(decide.links.map((l) => l.context.spanId)).toContain(intentSend.spanContext().spanId);
    expect(decide.attributes).toMatchObject({
      'agentops.decision.verdict': 'deny',
      'agentops.decision.decided_by': 'policy',
      'agentops.decision.policy_ids': ['price-floor'],
    });
    expect(decide.attributes['agentops.decision.policy_set.baseline']).toEqual(expect.any(String));

    const decisionSend = spans.find(
      (s) => scope(s) === 'agentops/guardrail' && /^send .*decisions/.test(s.name),
    )!;
    expect(decisionSend.parentSpanContext?.spanId).toBe(decide.spanContext().spanId);
    const auditOfDecision = spans.find(
      (s) => scope(s) === 'agentops/audit' && s.name === 'process agentops.decisions.v1',
    )!;
    expect(auditOfDecision.parentSpanContext?.spanId).toBe(decisionSend.spanContext().spanId);

    // Logs written inside those spans carry their ids.
    const lines: Record<string, unknown>[] = logs.lines.map((l) => ({
      ...(JSON.parse(l.line) as Record<string, unknown>),
      service: l.service,
    }));
    // Guardrail decides intents in batches (one `chunk handled` line per chunk) and follows the
    // decisions topic one event at a time (`event handled`): each of its lines in this trace names a
    // span guardrail made in it.
    const guardrailLines = lines.filter((l) => l.service === 'guardrail' && l['trace_id'] === call.traceId);
    expect(guardrailLines.length).toBeGreaterThan(0);
    const guardrailSpans = new Set(
      spans.filter((s) => scope(s) === 'agentops/guardrail').map((s) => s.spanContext().spanId),
    );
    expect(guardrailLines.filter((l) => !guardrailSpans.has(l['span_id'] as string))).toEqual([]);
    expect(lines.some((l) => l.service === 'audit' && l['trace_id'] === call.traceId)).toBe(true);
  });

  it('a fail-closed answer stays in the agent’s trace, with decidedBy timeout on its send', async () => {
    const call = agentCall();
    const res = await postJson<{ decision: { verdict: string; decidedBy: string } }>(
      `${svc.ingest!.url}/v1/intents?wait=true&timeoutMs=1`,
      priceIntent('BAG-9', 2100),
      { 'x-api-key': apiKey, traceparent: call.traceparent },
    );
    expect(res.status).toBe(200);
    // Guardrail may decide first in a fast run; then this test shows nothing about fail-closed.
    expect(res.body.decision.decidedBy).toBe('timeout');
    const spans = await spansOf(call.traceId, (s) =>
      s.some(
        (x) => scope(x) === 'agentops/ingest' && x.attributes['agentops.decision.decided_by'] === 'timeout',
      ),
    );
    const failClosed = spans.find(
      (s) => scope(s) === 'agentops/ingest' && s.attributes['agentops.decision.decided_by'] === 'timeout',
    )!;
    expect(failClosed.name).toMatch(/^send .*decisions/);
    expect(failClosed.attributes['agentops.decision.verdict']).toBe('deny');
    expect(failClosed.parentSpanContext?.spanId).toBe(call.parentId);
  });

  it("the embedded trace store holds the services' own spans of one trace, from the agent's LLM call to the audit append", async () => {
    const call = agentCall();
    const headers = { 'x-api-key': apiKey, traceparent: call.traceparent };
    const decided = await postJson<{ intentId: string; decision: { verdict: string } }>(
      `${svc.ingest!.url}/v1/intents?wait=true`,
      priceIntent('BAG-9', 2100),
      headers,
    );
    expect(decided.body.decision.verdict).toBe('allow');
    const intentId = decided.body.intentId;
    // The agent's own LLM call, exported over OTLP into the same trace.
    const llmCall = await postJson(
      `${svc.ingest!.url}/v1/traces`,
      {
        resourceSpans: [
          {
            scopeSpans: [
              {
                spans: [
                  {
                    traceId: call.traceId,
                    spanId: randomBytes(8).toString('hex'),
                    parentSpanId: call.parentId,
                    name: 'chat gpt-4o',
                    kind: 3,
                    startTimeUnixNano: `${Date.now() - 500}000000`,
                    endTimeUnixNano: `${Date.now() - 100}000000`,
                    attributes: [
                      { key: 'gen_ai.operation.name', value: { stringValue: 'chat' } },
                      { key: 'gen_ai.request.model', value: { stringValue: 'gpt-4o' } },
                    ],
                  },
                ],
              },
            ],
          },
        ],
      },
      { 'x-api-key': apiKey },
    );
    expect(llmCall.status).toBe(200);
    const outcome = await postJson(
      `${svc.ingest!.url}/v1/outcomes`,
      {
        intentId,
        action: 'pricing.set_price',
        status: 'succeeded',
        executedParams: { sku: 'BAG-9', price: 2100 },
      },
      headers,
    );
    expect(outcome.status).toBe(202);

    const store = svc.ingest!.app.get(TraceStore);
    const has = (spans: StoredSpan[], source: string, name: string | RegExp) =>
      spans.find(
        (s) => s.source === source && (typeof name === 'string' ? s.name === name : name.test(s.name)),
      );
    const legs = (spans: StoredSpan[]) => ({
      llmCall: has(spans, 'agent', 'chat gpt-4o'),
      intentSent: has(spans, 'ingest', /^send .*agentops\.intents\.v1$/),
      decided: has(spans, 'guardrail', 'process agentops.intents.v1'),
      decisionSent: has(spans, 'guardrail', /^send .*agentops\.decisions\.v1$/),
      agentWoken: has(spans, 'ingest', 'process agentops.decisions.v1'),
      decisionSummary: has(spans, 'guardrail', 'decision allow (policy)'),
      outcomeSent: has(spans, 'ingest', /^send .*agentops\.outcomes\.v1$/),
      verified: has(spans, 'guardrail', 'process agentops.outcomes.v1'),
      verificationSent: has(spans, 'guardrail', /^send .*agentops\.verifications\.v1$/),
      intentAudited: has(spans, 'audit', 'process agentops.intents.v1'),
      decisionAudited: has(spans, 'audit', 'process agentops.decisions.v1'),
      verificationAudited: has(spans, 'audit', 'process agentops.verifications.v1'),
    });
    const found = await eventually(async () => {
      await tracing.flush();
      const spans = await store.spansOf(TENANT, call.traceId);
      const l = legs(spans);
      const missing = Object.entries(l)
        .filter(([, v]) => !v)
        .map(([k]) => k);
      if (missing.length)
        throw new Error(
          `trace ${call.traceId} lacks ${missing.join(', ')}; has ${spans.map((s) => `${s.source}:${s.name}`).join(', ')}`,
        );
      return { spans, l };
    }, 30_000);
    const { spans, l } = found;
    expect(new Set(spans.map((s) => s.traceId))).toEqual(new Set([call.traceId]));
    // The hops hang together: ingest's send under the agent's call, guardrail's decision under it.
    expect(l.intentSent!.parentSpanId).toBe(call.parentId);
    expect(l.decided!.parentSpanId).toBe(l.intentSent!.spanId);
    expect(l.decisionSent!.parentSpanId).toBe(l.decided!.spanId);
    expect(l.decisionAudited!.parentSpanId).toBe(l.decisionSent!.spanId);
    expect(l.decisionSummary!.parentSpanId).toBe(l.decisionSent!.spanId);
    expect(l.verified!.parentSpanId).toBe(l.outcomeSent!.spanId);
    expect(l.decided!.attributes).toMatchObject({
      'agentops.decision.verdict': 'allow',
      'agentops.decision.decided_by': 'policy',
    });
    expect(l.decided!.attributes['agentops.decision.policy_set.baseline']).toEqual(expect.any(String));
    // Reads that led nowhere are no rows: killswitch counts the intent and its decision, nothing more.
    expect(spans.filter((s) => s.source === 'killswitch').map((s) => s.name)).toEqual([]);
    // The store's own intake makes no spans: no batch of spans is itself a row.
    expect(spans.some((s) => /agentops\.spans\.v1/.test(s.name))).toBe(false);
  });

  it('ingest’s /metrics counts the decisions it answered: latency by verdict and decider, the fail-closed one', async () => {
    const text = await (await fetch(`${svc.ingest!.url}/metrics`)).text();
    expect(text).toMatch(
      /agentops_decision_latency_seconds_count\{[^}]*verdict="deny"[^}]*decided_by="policy"[^}]*\} [1-9]/,
    );
    expect(text).toMatch(/agentops_fail_closed_total\{[^}]*action="pricing.set_price"[^}]*\} [1-9]/);
    expect(text).toMatch(
      /agentops_http_request_duration_seconds_count\{[^}]*route="\/v1\/intents"[^}]*status_code="200"/,
    );
    expect(text).toMatch(/agentops_consumer_lag_messages\{/);
  });
});

function scope(span: ReadableSpan): string {
  return span.instrumentationScope.name;
}

function label(span: ReadableSpan): string {
  return `${scope(span)}:${span.name}`;
}
