import { OtlpSpan } from '@agentops/genai';
import { TraceIntake } from './trace-intake';
import { SpanToStore, TraceOwner, TraceStore } from './trace-store';

/** trace_owners and trace_spans in memory, with the PostgreSQL store's claim rule. */
class InMemoryTraceStore implements Pick<TraceStore, 'claim' | 'save'> {
  readonly owners = new Map<string, TraceOwner>();
  readonly saved: SpanToStore[] = [];

  async claim(tenantId: string, agentId: string, traceIds: string[]) {
    for (const traceId of traceIds)
      if (!this.owners.has(traceId)) this.owners.set(traceId, { traceId, tenantId, agentId, intentId: null });
    return new Map(traceIds.map((t) => [t, this.owners.get(t)!]));
  }

  async save(spans: SpanToStore[]) {
    this.saved.push(...spans);
    return spans.length;
  }
}

const T_OWN = 'a'.repeat(32);
const T_OTHER = 'b'.repeat(32);
const pricer = { id: 'pricing-1', tenantId: 'maison', version: '1.0.0' };

function span(traceId: string, n: number, attributes: OtlpSpan['attributes'] = {}): OtlpSpan {
  return {
    traceId,
    spanId: n.toString(16).padStart(16, '0'),
    name: 'chat gpt-4o',
    kind: 'client',
    startTimeUnixNano: '1',
    endTimeUnixNano: '2',
    attributes,
    events: [],
    status: { code: 'unset' },
    resource: {},
    scope: { name: 'test' },
  };
}

function setup(capture = false) {
  const store = new InMemoryTraceStore();
  return { store, intake: new TraceIntake(store, { GENAI_CAPTURE_CONTENT: capture }) };
}

describe('TraceIntake.accept', () => {
  it("stores the agent's spans under its tenant and identity", async () => {
    const { store, intake } = setup();
    expect(await intake.accept(pricer, [span(T_OWN, 1), span(T_OWN, 2)])).toEqual({
      accepted: 2,
      rejectedSpans: 0,
      errorMessage: undefined,
    });
    expect(store.saved.map((s) => [s.tenantId, s.agentId, s.source])).toEqual([
      ['maison', 'pricing-1', 'agent'],
      ['maison', 'pricing-1', 'agent'],
    ]);
  });

  it("refuses spans in another agent's intent trace as a partial success, and stores the rest", async () => {
    const { store, intake } = setup();
    store.owners.set(T_OTHER, { traceId: T_OTHER, tenantId: 'maison', agentId: 'shopper-1', intentId: 'x' });
    const result = await intake.accept(pricer, [span(T_OWN, 1), span(T_OTHER, 2), span(T_OTHER, 3)]);
    expect(result).toMatchObject({ accepted: 1, rejectedSpans: 2 });
    expect(result.errorMessage).toContain(T_OTHER);
    expect(store.saved.map((s) => s.span.traceId)).toEqual([T_OWN]);
  });

  it("refuses another tenant's trace even for an agent of the same id", async () => {
    const { store, intake } = setup();
    store.owners.set(T_OTHER, { traceId: T_OTHER, tenantId: 'rival', agentId: 'pricing-1', intentId: null });
    expect(await intake.accept(pricer, [span(T_OTHER, 1)])).toMatchObject({ accepted: 0, rejectedSpans: 1 });
  });

  it('the first agent to send spans in a trace owns it: a second agent is refused there', async () => {
    const { intake } = setup();
    await intake.accept(pricer, [span(T_OWN, 1)]);
    const other = await intake.accept({ id: 'shopper-1', tenantId: 'maison', version: '1' }, [
      span(T_OWN, 2),
    ]);
    expect(other).toMatchObject({ accepted: 0, rejectedSpans: 1 });
  });

  it('drops content and redacts PII before storing (capture off), keeps redacted content with capture on', async () => {
    const attributes = {
      'gen_ai.prompt.0.content': 'mail jane@example.com',
      'user.email': 'jane@example.com',
    };
    const off = setup(false);
    await off.intake.accept(pricer, [span(T_OWN, 1, attributes)]);
    expect(off.store.saved[0]!.span.attributes).toEqual({ 'user.email': '[redacted:email]' });
    const on = setup(true);
    await on.intake.accept(pricer, [span(T_OWN, 1, attributes)]);
    expect(on.store.saved[0]!.span.attributes['gen_ai.prompt.0.content']).toBe('mail [redacted:email]');
    expect(JSON.stringify(on.store.saved)).not.toContain('jane@example.com');
  });
});
