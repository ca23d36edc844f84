import { recordHash } from '@agentops/audit-chain';
import { StoredRecord, hashedBody } from './record-content';

const record: Omit<StoredRecord, 'hash'> = {
  chainId: 'agentops.intents.v1:0',
  sequence: 3,
  eventId: '0190a0a0-0000-7000-8000-000000000001',
  type: 'agentops.intent.proposed.v1',
  source: 'agentops/ingest',
  tenantId: 't1',
  agentId: 'a1',
  correlationId: null,
  causationId: null,
  topic: 'agentops.intents.v1',
  kafkaPartition: 0,
  kafkaOffset: '42',
  eventTime: '2026-01-01T00:00:00.000Z',
  actorKind: 'agent',
  actorId: 'a1',
  action: 'pricing.set_price',
  verdict: null,
  decidedBy: null,
  payload: { params: { price: 12.5 }, target: { type: 'customer', id: 'customer_00' } },
  sealed: { customer_00: { pseudonyms: ['customer_00'], value: 'v1.a.b.c' } },
  subjects: ['customer_00'],
  prevHash: 'a'.repeat(64),
  recordedAt: '2026-01-01T00:00:01.000Z',
};

describe('audit record hashing', () => {
  const h = recordHash(hashedBody(record));

  it('does not depend on key order in the payload', () => {
    const reordered = {
      ...record,
      payload: { target: { id: 'customer_00', type: 'customer' }, params: { price: 12.5 } },
    };
    expect(recordHash(hashedBody(reordered))).toBe(h);
  });

  // One change per stored field: a field the hash missed could be rewritten without a trace.
  const changes: Record<keyof typeof record, Partial<typeof record>> = {
    chainId: { chainId: 'agentops.intents.v1:1' },
    sequence: { sequence: 4 },
    eventId: { eventId: '0190a0a0-0000-7000-8000-000000000002' },
    type: { type: 'agentops.intent.decided.v1' },
    source: { source: 'agentops/guardrail' },
    tenantId: { tenantId: 't2' },
    agentId: { agentId: 'a2' },
    correlationId: { correlationId: '0190a0a0-0000-7000-8000-000000000009' },
    causationId: { causationId: '0190a0a0-0000-7000-8000-000000000009' },
    topic: { topic: 'agentops.decisions.v1' },
    kafkaPartition: { kafkaPartition: 1 },
    kafkaOffset: { kafkaOffset: '43' },
    eventTime: { eventTime: '2026-01-01T00:00:00.001Z' },
    actorKind: { actorKind: 'human' },
    actorId: { actorId: 'a2' },
    action: { action: 'pricing.set_discount' },
    verdict: { verdict: 'allow' },
    decidedBy: { decidedBy: 'policy' },
    payload: { payload: { params: { price: 12.6 }, target: { type: 'customer', id: 'customer_00' } } },
    sealed: { sealed: { customer_00: { pseudonyms: ['customer_00'], value: 'v1.a.b.d' } } },
    subjects: { subjects: ['customer_01'] },
    prevHash: { prevHash: 'b'.repeat(64) },
    recordedAt: { recordedAt: '2026-01-01T00:00:02.000Z' },
  };
  it.each(Object.entries(changes))('covers %s', (_field, change) => {
    expect(recordHash(hashedBody({ ...record, ...change }))).not.toBe(h);
  });

  it('covers a verdict set, a payload value removed and the sealed box emptied', () => {
    for (const change of [
      { verdict: 'deny' },
      { payload: { target: { type: 'customer', id: 'customer_00' } } },
      { sealed: {} },
    ])
      expect(recordHash(hashedBody({ ...record, ...change }))).not.toBe(h);
  });
});
