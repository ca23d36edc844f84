import { recordHash } from '@agentops/audit-chain';
import { decodeCursor, encodeCursor } from './audit-record-repository';
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
  it('covers position, metadata, pseudonymised payload and ciphertext; key order does not matter', () => {
    const h = recordHash(hashedBody(record));
    const reordered = {
      ...record,
      payload: { target: { id: 'customer_00', type: 'customer' }, params: { price: 12.5 } },
    };
    expect(recordHash(hashedBody(reordered))).toBe(h);
    for (const change of [
      { sequence: 4 },
      { kafkaOffset: '43' },
      { actorId: 'a2' },
      { sealed: {} },
      { prevHash: 'b'.repeat(64) },
      { recordedAt: '2026-01-01T00:00:02.000Z' },
    ]) {
      expect(recordHash(hashedBody({ ...record, ...change }))).not.toBe(h);
    }
  });
});

describe('audit cursors', () => {
  it('round-trips opaque cursors and rejects forged ones', () => {
    const c = encodeCursor('2026-01-01T00:00:00.000Z', record.eventId);
    expect(decodeCursor(c)).toEqual(['2026-01-01T00:00:00.000Z', record.eventId]);
    expect(() => decodeCursor(Buffer.from('["x","1; drop"]').toString('base64url'))).toThrow(
      'invalid cursor',
    );
  });
});
