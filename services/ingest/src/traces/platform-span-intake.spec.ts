import { ExportedSpan } from '@agentops/contracts';
import { toIntakeSpan } from '@agentops/genai';
import type { Logger } from 'pino';
import { PlatformSpanIntake } from './platform-span-intake';
import { fromExportedSpan } from './platform-spans';
import { SpanToStore, TraceStore } from './trace-store';

const A = 'a'.repeat(32);
const B = 'b'.repeat(32);
const C = 'c'.repeat(32);

function span(traceId: string, spanId: string, over: Partial<ExportedSpan> = {}): ExportedSpan {
  return {
    traceId,
    spanId,
    name: 'POST /v1/intents',
    kind: 'server',
    startTimeUnixNano: '1000',
    endTimeUnixNano: '2000',
    service: 'ingest',
    scope: '@opentelemetry/instrumentation-http',
    attributes: {},
    status: { code: 'unset' },
    links: [],
    ...over,
  };
}

function underTest(owners: Record<string, string> = {}, failing = false) {
  const saved: SpanToStore[] = [];
  const warnings: string[] = [];
  const store: Pick<TraceStore, 'tenantsOf' | 'save'> = {
    tenantsOf: async (ids) => new Map(ids.filter((id) => owners[id]).map((id) => [id, owners[id]!])),
    save: async (rows) => {
      if (failing) throw new Error('connection refused');
      saved.push(...rows);
      return rows.length;
    },
  };
  const logger = { warn: (...args: unknown[]) => void warnings.push(String(args[1])) };
  const intake = new PlatformSpanIntake(store, logger as unknown as Pick<Logger, 'warn'>);
  return { intake, saved, warnings };
}

describe('PlatformSpanIntake', () => {
  it("stores each span under its trace's tenant: named by a span of the batch, else the trace's owner", async () => {
    const { intake, saved } = underTest({ [B]: 'atelier' });
    const stored = await intake.record([
      span(A, '0000000000000001'),
      span(A, '0000000000000002', {
        kind: 'producer',
        name: 'send agentops.intents.v1',
        scope: 'agentops/ingest',
        attributes: { 'agentops.tenant_id': 'maison', 'agentops.agent_id': 'pricing-1' },
      }),
      span(B, '0000000000000003', { service: 'escalation' }),
      span(C, '0000000000000004', { name: 'GET /v1/traces' }), // nobody's: not kept
    ]);
    expect(stored).toBe(3);
    expect(saved.map((r) => [r.tenantId, r.source, r.span.spanId, r.agentId])).toEqual([
      ['maison', 'ingest', '0000000000000001', null],
      ['maison', 'ingest', '0000000000000002', 'pricing-1'],
      ['atelier', 'escalation', '0000000000000003', null],
    ]);
    expect(saved[2]!.span.resource).toEqual({ 'service.name': 'escalation' });
  });

  it('redacts personal data in attributes before storing, as for agents’ spans', async () => {
    const { intake, saved } = underTest({ [A]: 'maison' });
    await intake.record([span(A, '0000000000000001', { attributes: { 'user.email': 'jane@example.com' } })]);
    expect(JSON.stringify(saved[0]!.span.attributes)).not.toContain('jane@example.com');
  });

  it('stores the ids and enums of a hop as they are, exactly as the full treatment would, and treats the rest', async () => {
    const hop = {
      'messaging.system': 'kafka',
      'messaging.destination.name': 'agentops.decisions.v1',
      'messaging.message.id': '019af0a2-4c1e-7c3b-9a52-1234567890ab',
      'messaging.consumer.group.name': 'audit',
      'messaging.destination.partition.id': '3',
      'messaging.kafka.offset': 1234567,
      'messaging.kafka.message.key': 'pricing-1',
      'cloudevents.event_type': 'agentops.intent.decided.v1',
      'cloudevents.event_source': 'agentops/guardrail',
      'agentops.tenant_id': 'maison',
      'agentops.agent_id': 'pricing-1',
      'agentops.decision.verdict': 'deny',
      'agentops.decision.policy_ids': ['price-floor', 'margin-guard'],
      'http.route': '/v1/intents',
      'http.response.status_code': 200,
    };
    const free = {
      'agentops.decision.reasons': ['price-floor: customer jane@example.com asked for 10 % off'],
      'cloudevents.event_subject': 'jane@example.com',
      'url.query': 'contact=jane@example.com',
    };
    const { intake, saved } = underTest({ [A]: 'maison' });
    await intake.record([
      span(A, '0000000000000001', { attributes: { ...hop, ...free } }),
      // An id key holding what is not an id shape goes through the detectors after all.
      span(A, '0000000000000002', {
        attributes: { 'messaging.kafka.message.key': 'jane@example.com', 'agentops.agent_id': '0612345678' },
      }),
    ]);
    const [first, second] = saved.map((r) => r.span.attributes);
    // The same as the treatment of every attribute (what the intake did for each before).
    const whole = toIntakeSpan(fromExportedSpan(span(A, '1', { attributes: { ...hop, ...free } })), {
      captureContent: false,
    });
    expect(first).toEqual(whole.attributes);
    expect(first).toMatchObject(hop);
    expect(JSON.stringify(first)).not.toMatch(/jane@example\.com/);
    expect(JSON.stringify(second)).not.toMatch(/jane@example\.com|0612345678/);
  });

  it('lets the event loop turn while it treats a large batch (the agents’ requests share it)', async () => {
    const turns: string[] = [];
    const store: Pick<TraceStore, 'tenantsOf' | 'save'> = {
      tenantsOf: async () => new Map([[A, 'maison']]),
      save: async (rows) => {
        turns.push(`saved ${rows.length}`);
        return rows.length;
      },
    };
    const intake = new PlatformSpanIntake(store, { warn: () => undefined });
    const batch = Array.from({ length: 200 }, (_, i) => span(A, i.toString(16).padStart(16, '0')));
    setImmediate(() => turns.push('a request served'));
    await intake.record(batch);
    expect(turns).toEqual(['a request served', 'saved 200']);
  });

  it('is best effort: a store failure is logged and the batch given up', async () => {
    const { intake, warnings } = underTest({ [A]: 'maison' }, true);
    await expect(intake.record([span(A, '0000000000000001')])).resolves.toBe(0);
    expect(warnings).toHaveLength(1);
  });
});
