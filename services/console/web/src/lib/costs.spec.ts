import { costLabel, unknownNote } from './costs';

describe('cost labels', () => {
  it('shows dollars when every call was priced, a lower bound when some were not, unknown when none were', () => {
    expect(costLabel({ usd: 1.234, complete: true })).toBe('$1.23');
    expect(costLabel({ usd: 0.0042, complete: true })).toBe('$0.0042');
    expect(costLabel({ usd: 2, complete: false })).toBe('≥ $2.00');
    expect(costLabel({ usd: null, complete: false })).toBe('unknown');
  });

  it('names the models it could not price, a missing name included', () => {
    expect(unknownNote({ unknownModels: ['llama-9', null], unpricedCalls: 3 })).toBe(
      '3 calls not priced: llama-9, (no model name)',
    );
    expect(unknownNote({ unknownModels: [], unpricedCalls: 0 })).toBe('');
  });
});
