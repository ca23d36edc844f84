import { ActiveKnowledge } from './active-knowledge';

const activation = (
  kbVersion: number,
  document: Record<string, unknown> = { asOf: '2026-12-01T10:00:00Z' },
) => ({
  tenantId: 't1',
  kbVersion,
  document,
  summary: '',
  importedBy: 'alice',
  activatedAt: '2026-12-01T10:00:00Z',
});

describe('ActiveKnowledge', () => {
  it('serves the newest version and ignores a replayed or older one', () => {
    const active = new ActiveKnowledge();
    expect(active.activate(activation(2))).toEqual({ applied: true });
    expect(active.activate(activation(1))).toEqual({ applied: false, why: 'not-newer' });
    expect(active.activate(activation(2))).toEqual({ applied: false, why: 'not-newer' });
    expect(active.current('t1')?.kbVersion).toBe(2);
    expect(active.current('t2')).toBeUndefined();
  });

  it('takes the current version again when it was read later (same facts, newer read times), never an earlier read', () => {
    const active = new ActiveKnowledge();
    active.activate(activation(2));
    const reread = {
      asOf: '2026-12-01T10:00:00Z',
      products: [
        {
          sku: 'S1',
          name: 'Tote',
          price: { amount: 1, currency: 'EUR' },
          asOf: { stock: '2026-12-01T10:01:00Z' },
        },
      ],
    };
    expect(active.activate(activation(2, reread))).toEqual({ applied: true });
    expect(active.current('t1')?.compiled.products.get('S1')?.asOf?.stock).toBe('2026-12-01T10:01:00Z');
    expect(active.activate(activation(2))).toEqual({ applied: false, why: 'not-newer' });
    expect(active.current('t1')?.compiled.products.has('S1')).toBe(true);
    expect(active.activate(activation(1, { asOf: '2026-12-01T11:00:00Z' }))).toEqual({
      applied: false,
      why: 'not-newer',
    });
  });

  it('refuses a document it cannot read and keeps the current version', () => {
    const active = new ActiveKnowledge();
    active.activate(activation(1));
    const result = active.activate(activation(2, { products: 'not a list' }));
    expect(result).toMatchObject({ applied: false, why: 'invalid-document' });
    expect(active.current('t1')?.kbVersion).toBe(1);
  });
});
