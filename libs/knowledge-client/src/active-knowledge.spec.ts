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

  it('refuses a document it cannot read and keeps the current version', () => {
    const active = new ActiveKnowledge();
    active.activate(activation(1));
    const result = active.activate(activation(2, { products: 'not a list' }));
    expect(result).toMatchObject({ applied: false, why: 'invalid-document' });
    expect(active.current('t1')?.kbVersion).toBe(1);
  });
});
