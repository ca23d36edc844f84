import { EventTypes, IntentProposal, IntentProposedAdditions } from '@agentops/contracts';
import { createEvent, createEventFrom } from './envelope-factory';

const proposal = IntentProposal.parse({
  action: 'pricing.set_price',
  target: { type: 'sku', id: 'MD-BAG-001' },
  params: { sku: 'MD-BAG-001', price: 2300 },
  confidence: 0.9,
  justification: 'competitor moved its price',
});
const added = {
  intentId: '6f1c1c1e-3c1b-4c59-9a53-3f0a8f9c2b10',
  agent: {
    id: 'pricing-1',
    tenantId: 'maison',
    role: 'pricing' as const,
    version: '1',
    region: 'eu',
    labels: {},
  },
  proposedAt: '2026-12-03T10:00:00.000Z',
  decisionDeadline: undefined,
  idempotencyKey: undefined,
};
const ctx = {
  id: added.intentId,
  source: 'agentops/ingest',
  tenantid: 'maison',
  time: new Date(added.proposedAt),
};

describe('createEventFrom: an already-parsed part plus validated additions', () => {
  it('builds the same event data as createEvent parsing the whole', () => {
    const whole = createEvent(EventTypes.IntentProposed, { ...proposal, ...added }, ctx);
    const from = createEventFrom(
      EventTypes.IntentProposed,
      proposal,
      { schema: IntentProposedAdditions, data: added },
      ctx,
    );
    expect(from.data).toEqual(whole.data);
    expect({ ...from, traceparent: '' }).toEqual({ ...whole, traceparent: '' });
  });

  it('refuses invalid added fields, naming them', () => {
    expect(() =>
      createEventFrom(
        EventTypes.IntentProposed,
        proposal,
        { schema: IntentProposedAdditions, data: { ...added, intentId: 'not-a-uuid' } },
        ctx,
      ),
    ).toThrow(/refusing to produce invalid .*intent\.proposed.*intentId: Invalid UUID/);
  });
});
