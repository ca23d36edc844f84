import type { AgentIdentity } from '@agentops/contracts';
import {
  CounterBatchView,
  CounterSnapshot,
  counterSlots,
  counterWrites,
  memberValue,
  probeMembers,
  storedMember,
} from './counter-batch';
import type { CatalogFacts } from './evaluation-context';
import { COUNTER_DEFINITIONS } from './rolling-counters';

const agent: AgentIdentity = {
  id: 'pricer-1',
  tenantId: 't1',
  role: 'pricing',
  version: '1',
} as AgentIdentity;
const item = (sku: string, price = 100): CatalogFacts =>
  ({ found: true, sku, price, floorPrice: 50 }) as unknown as CatalogFacts;
const priceIntent = (sku: string, price: number) => ({
  action: 'pricing.set_price',
  params: { sku, price },
  dataUsed: [],
});
const keyOf = (def: { name: string }, scope: string) => `${def.name}:${scope}`;

/** An empty window for every slot of these intents, as the store returns for fresh keys. */
function emptySnapshot(...slotLists: ReturnType<typeof counterSlots>[]): CounterSnapshot {
  const snapshot: CounterSnapshot = new Map();
  for (const slots of slotLists)
    for (const { def, key } of slots) snapshot.set(key, { kind: def.kind, total: 0, present: new Set() });
  return snapshot;
}

/** Runs a stream through one view, as the guardrail does within a batch; returns what each saw. */
function seenInBatch(
  stream: { sku: string; price: number }[],
  snapshot?: CounterSnapshot,
): Record<string, number>[] {
  const planned = stream.map(({ sku, price }) => {
    const intent = priceIntent(sku, price);
    const facts = item(sku);
    return { intent, facts, slots: counterSlots(agent, intent, facts, keyOf) };
  });
  const view = new CounterBatchView(snapshot ?? emptySnapshot(...planned.map((p) => p.slots)));
  return planned.map(({ intent, facts, slots }) => {
    const seen = view.valuesFor(slots);
    view.add(counterWrites(slots, intent, facts, true));
    return seen;
  });
}

describe('CounterBatchView: the counters each intent of a batch sees', () => {
  it('counts every earlier allowed intent of the batch, as if each had been recorded before the next was read', () => {
    const seen = seenInBatch([
      { sku: 'A', price: 90 },
      { sku: 'B', price: 80 },
      { sku: 'C', price: 70 },
    ]);
    expect(seen.map((s) => s['agentPriceChanges1h'])).toEqual([0, 1, 2]);
    expect(seen.map((s) => s['agentDistinctSkus10m'])).toEqual([0, 1, 2]);
    // Markdown value sums what the earlier cuts took off the list price of 100.
    expect(seen.map((s) => s['agentDiscountValue1h'])).toEqual([0, 10, 30]);
  });

  it('counts a SKU repriced twice in one batch once in the distinct-SKU counters, every time in the change count', () => {
    const seen = seenInBatch([
      { sku: 'A', price: 90 },
      { sku: 'A', price: 95 },
      { sku: 'B', price: 99 },
    ]);
    expect(seen.map((s) => s['agentDistinctSkus10m'])).toEqual([0, 1, 1]);
    expect(seen.map((s) => s['cohortDistinctSkus10m'])).toEqual([0, 1, 1]);
    expect(seen.map((s) => s['agentPriceChanges1h'])).toEqual([0, 1, 2]);
  });

  it('does not count a SKU again that the store already holds in the window (probed before the batch)', () => {
    const slotsOf = (sku: string) => counterSlots(agent, priceIntent(sku, 90), item(sku), keyOf);
    const snapshot = emptySnapshot(slotsOf('A'), slotsOf('Z'));
    const distinct = slotsOf('A').find((s) => s.def.name === 'agentDistinctSkus10m')!;
    snapshot.set(distinct.key, { kind: 'count', total: 3, present: new Set(['A']) });
    const seen = seenInBatch(
      [
        { sku: 'A', price: 90 },
        { sku: 'A', price: 91 },
        { sku: 'Z', price: 91 },
        { sku: 'A', price: 92 },
      ],
      snapshot,
    );
    // A was in the window already; Z is new, and is counted for the intent after it.
    expect(seen.map((s) => s['agentDistinctSkus10m'])).toEqual([3, 3, 3, 4]);
  });

  it('adds nothing for denied intents except data access, which counts on proposal', () => {
    const refund = {
      action: 'service.issue_refund',
      params: { amount: 400 },
      dataUsed: [{ source: 'crm', dataClasses: ['customer'], records: 7 }],
    };
    const service = { ...agent, role: 'service' } as AgentIdentity;
    const slots = counterSlots(service, refund, item('none'), keyOf);
    const writes = counterWrites(slots, refund as never, item('none'), false);
    expect(writes.map((w) => w.key)).toEqual(['agentCustomerRecordsRead1h:agent:pricer-1']);
    const allowed = counterWrites(slots, refund as never, item('none'), true);
    expect(allowed.map((w) => w.key).sort()).toEqual([
      'agentCustomerRecordsRead1h:agent:pricer-1',
      'agentRefundValue24h:agent:pricer-1',
    ]);
    const view = new CounterBatchView(emptySnapshot(slots));
    view.add(allowed);
    expect(view.valuesFor(slots)).toEqual({ agentRefundValue24h: 400, agentCustomerRecordsRead1h: 7 });
  });

  it('refuses a key the snapshot did not read instead of counting only the batch', () => {
    const intent = priceIntent('A', 90);
    const slots = counterSlots(agent, intent, item('A'), keyOf);
    const view = new CounterBatchView(new Map());
    expect(() => view.valuesFor(slots)).toThrow(/was not read/);
    expect(() => view.add(counterWrites(slots, intent, item('A'), true))).toThrow(/was not read/);
  });

  it('leaves the snapshot it was given untouched', () => {
    const intent = priceIntent('A', 90);
    const slots = counterSlots(agent, intent, item('A'), keyOf);
    const snapshot = emptySnapshot(slots);
    new CounterBatchView(snapshot).add(counterWrites(slots, intent, item('A'), true));
    expect([...snapshot.values()].every((w) => w.total === 0 && w.present.size === 0)).toBe(true);
  });
});

describe('counter members', () => {
  it('stores a sum with its value in the member and reads it back', () => {
    const sum = COUNTER_DEFINITIONS.find((d) => d.kind === 'sum')!;
    expect(memberValue(storedMember(sum, { member: 'A:1:0.5', value: 12.5 }))).toBe(12.5);
    const count = COUNTER_DEFINITIONS.find((d) => d.name === 'agentDistinctSkus10m')!;
    expect(storedMember(count, { member: 'A', value: 1 })).toBe('A');
  });

  it('probes the distinct-SKU members of count slots only', () => {
    const intent = priceIntent('A', 90);
    const slots = counterSlots(agent, intent, item('A'), keyOf);
    const probes = probeMembers(slots, intent, item('A'));
    expect(probes.every((p) => p.kind === 'count')).toBe(true);
    expect(probes.filter((p) => p.member === 'A').map((p) => p.key)).toEqual([
      'agentDistinctSkus10m:agent:pricer-1',
      'cohortDistinctSkus10m:cohort:pricing',
    ]);
  });

  it('gives a non-pricing intent only the data-access slot (pricing counters concern pricing intents)', () => {
    expect(counterSlots(agent, { action: 'shopping.recommend', params: {} }, item('A'), keyOf)).toEqual([
      {
        def: COUNTER_DEFINITIONS.find((d) => d.name === 'agentCustomerRecordsRead1h'),
        key: 'agentCustomerRecordsRead1h:agent:pricer-1',
      },
    ]);
  });
});
