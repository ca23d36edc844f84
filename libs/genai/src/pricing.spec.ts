import { PRICE_TABLE_2026_12, PriceTable, costByGroup, costOf, priceOf } from './pricing';

const table: PriceTable = {
  version: 't1',
  currency: 'USD',
  models: {
    m: { input: 2, cachedInput: 1, cacheWrite: 4, output: 10, reasoning: 20 },
    'm-mini': { input: 1, output: 5 },
  },
};

describe('priceOf', () => {
  it('finds a model exactly, by its dated variant (longest name first), without a provider prefix', () => {
    expect(priceOf('m', table)).toBe(table.models.m);
    expect(priceOf('m-2025-01-01', table)).toBe(table.models.m);
    expect(priceOf('m-mini-2025-01-01', table)).toBe(table.models['m-mini']);
    expect(priceOf('openai/M', table)).toBe(table.models.m);
    expect(priceOf('mx', table)).toBeUndefined();
    expect(priceOf(undefined, table)).toBeUndefined();
  });

  it('knows the dated models the golden payloads name', () => {
    expect(priceOf('gpt-4o-2024-08-06', PRICE_TABLE_2026_12)).toBe(PRICE_TABLE_2026_12.models['gpt-4o']);
    expect(priceOf('claude-sonnet-4-20250514', PRICE_TABLE_2026_12)).toBeDefined();
  });
});

describe('costOf', () => {
  it('prices each part once: uncached input, cache reads, cache writes, plain output, reasoning', () => {
    const cost = costOf(
      {
        inputTokens: 1_000_000,
        cachedInputTokens: 300_000,
        cacheCreationInputTokens: 100_000,
        outputTokens: 500_000,
        reasoningTokens: 200_000,
      },
      'm',
      table,
    );
    // 600k × 2 + 300k × 1 + 100k × 4 + 300k × 10 + 200k × 20, per million.
    expect(cost).toEqual({ status: 'priced', usd: 1.2 + 0.3 + 0.4 + 3 + 4, tableVersion: 't1' });
  });

  it('bills reasoning tokens (as output where the table has no reasoning price)', () => {
    const withReasoning = costOf({ outputTokens: 1_000_000, reasoningTokens: 1_000_000 }, 'm-mini', table);
    expect(withReasoning).toMatchObject({ usd: 5 });
  });

  it('reports a missing or unknown model as unknown, never as $0', () => {
    expect(costOf({ inputTokens: 10 }, undefined, table)).toEqual({
      status: 'unknown_model',
      model: null,
      tableVersion: 't1',
    });
    expect(costOf({ inputTokens: 10 }, 'llama-9', table)).toMatchObject({
      status: 'unknown_model',
      model: 'llama-9',
    });
  });

  it('is no usage (not a cost) for a call without tokens', () => {
    expect(costOf({}, 'm', table)).toEqual({ status: 'no_usage' });
  });
});

describe('costByGroup', () => {
  const zero = {
    inputTokens: 0,
    outputTokens: 0,
    cachedInputTokens: 0,
    cacheCreationInputTokens: 0,
    reasoningTokens: 0,
  };
  it('sums per group and keeps unknown models apart, marking the group incomplete', () => {
    const [a, b] = costByGroup(
      [
        { ...zero, group: 'a', model: 'm', calls: 2, inputTokens: 1_000_000 },
        { ...zero, group: 'a', model: null, calls: 1, inputTokens: 500, outputTokens: 100 },
        { ...zero, group: 'b', model: 'unknown-x', calls: 3, outputTokens: 1000 },
      ],
      table,
    );
    expect(a).toMatchObject({
      group: 'a',
      usd: 2,
      complete: false,
      unknownModels: [null],
      unpricedCalls: 1,
      unpricedTokens: 600,
      calls: 3,
    });
    expect(b).toMatchObject({
      group: 'b',
      usd: null,
      complete: false,
      unknownModels: ['unknown-x'],
      unpricedTokens: 1000,
    });
  });

  it('is complete when every call was priced', () => {
    const [g] = costByGroup(
      [{ ...zero, group: 'a', model: 'm-mini', calls: 1, outputTokens: 2_000_000 }],
      table,
    );
    expect(g).toMatchObject({ usd: 10, complete: true, unknownModels: [], tableVersion: 't1' });
  });
});
