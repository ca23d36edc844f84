import { UsageError } from './cli-kit';
import { diffText, importFormat } from './knowledge';

describe('agentops knowledge helpers', () => {
  it('takes the import format from --format, else from the extension (yml is yaml)', () => {
    expect(importFormat('kb.json')).toBe('json');
    expect(importFormat('kb.yml')).toBe('yaml');
    expect(importFormat('rows.CSV')).toBe('csv');
    expect(importFormat('export.txt', 'csv')).toBe('csv');
    expect(() => importFormat('export.txt')).toThrow(UsageError);
  });

  it('prints a diff line per added, removed and changed record and field', () => {
    const keyed = (over: object = {}) => ({ added: [], removed: [], changed: [], ...over });
    const text = diffText({
      from: 1,
      to: 2,
      diff: {
        products: keyed({
          added: ['MD-BAG-009'],
          removed: ['MD-BAG-002'],
          changed: [{ id: 'MD-BAG-001', changes: [{ field: 'stock', before: 12, after: 3 }] }],
        }),
        copy: keyed(),
        approvedClaims: keyed(),
        policies: [{ field: 'returns.windowDays', before: 30, after: 14 }],
        voice: { bannedAdded: ['cheap'], bannedRemoved: [], requiredAdded: [], requiredRemoved: [] },
        freshness: [],
        summary: 'products +1 −1 ~1; policies ~1',
        empty: false,
      },
    });
    expect(text.split('\n')).toEqual([
      'v1 → v2: products +1 −1 ~1; policies ~1',
      '+ product MD-BAG-009',
      '- product MD-BAG-002',
      '~ product MD-BAG-001 stock: 12 → 3',
      '~ policy returns.windowDays: 30 → 14',
      '~ voice bannedAdded cheap',
    ]);
  });
});
