import { byPolicy, contradictions, defaultDiffPair, diffRows, newestFirst, showValue } from './knowledge';

const version = (kbVersion: number) => ({
  tenantId: 't',
  kbVersion,
  summary: `v${kbVersion}`,
  format: 'json',
  products: 6,
  importedBy: 'kb-admin',
  importedAt: `2026-12-0${kbVersion}T10:00:00Z`,
});

const claim = (verdict: string, policies: { policyId: string; effect: string; mode: string }[] = []) => ({
  kind: 'price',
  verdict,
  record: 'product/MD-BAG-001',
  field: 'price',
  kbVersion: 2,
  expected: 'EUR 2400',
  policies,
});
const deny = { policyId: 'retail.knowledge.contradicted-facts', effect: 'deny', mode: 'enforce' };

describe('knowledge page view logic', () => {
  it('lists versions newest first and opens the diff on the previous version to the newest', () => {
    const vs = [version(1), version(3), version(2)];
    expect(newestFirst(vs).map((v) => v.kbVersion)).toEqual([3, 2, 1]);
    expect(defaultDiffPair(vs)).toEqual([2, 3]);
    expect(defaultDiffPair([version(1)])).toBeUndefined();
    expect(defaultDiffPair([])).toBeUndefined();
  });

  it('turns a diff into one row per added, removed or changed record, with what changed', () => {
    const none = { added: [], removed: [], changed: [] };
    const rows = diffRows({
      products: {
        added: ['MD-NEW-1'],
        removed: ['MD-OLD-9'],
        changed: [
          {
            id: 'MD-BAG-001',
            changes: [
              {
                field: 'price',
                before: { amount: 2400, currency: 'EUR' },
                after: { amount: 1900, currency: 'EUR' },
              },
            ],
          },
        ],
      },
      copy: none,
      approvedClaims: { ...none, added: ['lyon-workshop'] },
      policies: [{ field: 'returns.windowDays', before: 30, after: 60 }],
      voice: {
        bannedAdded: ['cheap'],
        bannedRemoved: [],
        requiredAdded: [],
        requiredRemoved: ['Maison Demo'],
      },
      freshness: [{ field: 'stock', before: 60, after: undefined }],
      summary: '',
      empty: false,
    });
    expect(rows).toEqual([
      { area: 'product', change: 'added', id: 'MD-NEW-1', detail: '' },
      { area: 'product', change: 'removed', id: 'MD-OLD-9', detail: '' },
      { area: 'product', change: 'changed', id: 'MD-BAG-001', detail: 'price: EUR 2400 → EUR 1900' },
      { area: 'approved claim', change: 'added', id: 'lyon-workshop', detail: '' },
      { area: 'policy', change: 'changed', id: 'returns.windowDays', detail: 'returns.windowDays: 30 → 60' },
      { area: 'banned word', change: 'added', id: 'cheap', detail: '' },
      { area: 'required term', change: 'removed', id: 'Maison Demo', detail: '' },
      { area: 'freshness', change: 'changed', id: 'stock', detail: 'stock: 60 → —' },
    ]);
  });

  it('shows values readably', () => {
    expect(showValue(['silk', 'wool'])).toBe('silk, wool');
    expect(showValue({ material: 'silk', percent: 100 })).toBe('{"material":"silk","percent":100}');
    expect(showValue(null)).toBe('—');
  });

  it('lists the contradicted claims of the decisions, newest first, with the policies that fired on each', () => {
    const rows = contradictions([
      {
        eventTime: '2026-12-02T10:00:00Z',
        agentId: 'shopper-1',
        correlationId: 'i-1',
        verdict: 'deny',
        payload: {
          grounding: {
            kbVersion: 2,
            omitted: 0,
            claims: [claim('SUPPORTED'), claim('CONTRADICTED', [deny])],
          },
        },
      },
      {
        eventTime: '2026-12-02T11:00:00Z',
        agentId: 'shopper-1',
        correlationId: 'i-2',
        verdict: 'allow',
        payload: {
          grounding: {
            kbVersion: 2,
            omitted: 0,
            claims: [claim('CONTRADICTED', [{ ...deny, mode: 'shadow' }])],
          },
        },
      },
      {
        eventTime: '2026-12-02T12:00:00Z',
        agentId: 'a',
        correlationId: 'i-3',
        verdict: 'allow',
        payload: { verdict: 'allow' },
      },
      {
        eventTime: '2026-12-02T12:00:00Z',
        agentId: 'a',
        correlationId: 'i-4',
        verdict: 'allow',
        payload: null,
      },
    ]);
    expect(rows.map((r) => [r.intentId, r.verdict, r.policies])).toEqual([
      ['i-2', 'allow', ['retail.knowledge.contradicted-facts (shadow)']],
      ['i-1', 'deny', ['retail.knowledge.contradicted-facts']],
    ]);
    expect(rows[1]).toMatchObject({
      record: 'product/MD-BAG-001',
      field: 'price',
      kbVersion: 2,
      expected: 'EUR 2400',
    });
    expect(contradictions([], 5)).toEqual([]);
  });

  it('counts contradicted claims per policy, and those no policy fired on', () => {
    const row = (policies: string[]) => ({
      at: '',
      intentId: null,
      agentId: null,
      verdict: null,
      kind: 'price',
      record: '',
      field: '',
      kbVersion: 1,
      expected: '',
      policies,
    });
    expect(byPolicy([row(['a']), row(['a', 'b']), row([])])).toEqual([
      { policy: 'a', claims: 2 },
      { policy: 'b', claims: 1 },
      { policy: 'none', claims: 1 },
    ]);
  });
});
