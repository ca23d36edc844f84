import { Approval, verifyOutcome } from './outcome-verification';

const approval: Approval = {
  action: 'pricing.set_price',
  verdict: 'allow',
  decidedBy: 'policy',
  approvedParams: { sku: 'S', price: 100 },
  obligations: [],
};
const done = (executedParams: Record<string, unknown>, action = 'pricing.set_price') => ({
  action,
  status: 'succeeded' as const,
  executedParams,
});

describe('verifyOutcome', () => {
  it('accepts what was approved', () =>
    expect(verifyOutcome(approval, done({ sku: 'S', price: 100 }))).toEqual([]));
  it('flags a different executed price', () => {
    expect(verifyOutcome(approval, done({ sku: 'S', price: 80 }))).toEqual([
      expect.objectContaining({ field: 'params.price', approved: 100, actual: 80 }),
    ]);
  });
  it('flags a quantity above the cap of a modify decision', () => {
    const capped: Approval = {
      ...approval,
      action: 'inventory.create_purchase_order',
      verdict: 'modify',
      approvedParams: { quantity: 80 },
      obligations: [{ type: 'cap', field: 'quantity', max: 80 }],
    };
    const diffs = verifyOutcome(capped, done({ quantity: 10000 }, 'inventory.create_purchase_order'));
    expect(diffs.map((d) => d.field)).toEqual(['params.quantity', 'params.quantity']);
  });
  it('flags an action that was never approved, or was denied', () => {
    expect(verifyOutcome(null, done({}))[0].reason).toMatch(/never approved/);
    expect(verifyOutcome({ ...approval, verdict: 'deny' }, done({ sku: 'S', price: 100 }))[0].field).toBe(
      'verdict',
    );
  });
  it('flags message text other than the one checked', () => {
    const msg: Approval = {
      ...approval,
      action: 'service.send_message',
      approvedParams: { message: 'Hello [redacted email]' },
    };
    expect(
      verifyOutcome(msg, done({ message: 'Hello bob@example.com' }, 'service.send_message'))[0].field,
    ).toBe('params.message');
  });
  it('ignores failed or skipped actions', () => {
    expect(
      verifyOutcome(null, { action: 'pricing.set_price', status: 'failed', executedParams: {} }),
    ).toEqual([]);
  });
});
