import type { AgentIdentity, IntentProposal } from '@agentops/contracts';
import type { CatalogFacts } from './evaluation-context';

/**
 * The rolling counters policies see (`counters.<name>`): what a definition counts, over which
 * window, for which scope. Pure: the guardrail stores the contributions in Redis sorted sets.
 */
export interface CounterDefinition {
  name: string;
  windowMs: number;
  kind: 'count' | 'sum';
  /** The scope the counter is kept for, or null when the intent does not concern it. */
  scope(
    agent: AgentIdentity,
    intent: Pick<IntentProposal, 'action' | 'params'>,
    item: CatalogFacts,
  ): string | null;
  /** What this intent adds once it is allowed (count: 1 distinct member; sum: a value). */
  contribution(
    intent: Pick<IntentProposal, 'action' | 'params' | 'dataUsed'>,
    item: CatalogFacts,
  ): { member: string; value: number } | null;
  /** Data access counts when it happened, whatever the verdict. */
  countsOnProposal?: boolean;
}

const MIN = 60_000;
const HOUR = 60 * MIN;
const isPricing = (i: { action: string }) => i.action === 'pricing.set_price';
const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : Number.NaN);
const customerClasses = new Set(['customer', 'purchase_history', 'contact', 'payment']);

export const COUNTER_DEFINITIONS: CounterDefinition[] = [
  {
    name: 'agentPriceChanges1h',
    windowMs: HOUR,
    kind: 'count',
    scope: (a, i) => (isPricing(i) ? `agent:${a.id}` : null),
    contribution: (i) =>
      isPricing(i) ? { member: `${String(i.params['sku'])}:${Date.now()}:${Math.random()}`, value: 1 } : null,
  },
  {
    name: 'agentDistinctSkus10m',
    windowMs: 10 * MIN,
    kind: 'count',
    scope: (a, i) => (isPricing(i) ? `agent:${a.id}` : null),
    contribution: (i) => (isPricing(i) ? { member: String(i.params['sku']), value: 1 } : null),
  },
  {
    name: 'cohortDistinctSkus10m',
    windowMs: 10 * MIN,
    kind: 'count',
    scope: (a, i) => (isPricing(i) ? `cohort:${a.role}` : null),
    contribution: (i) => (isPricing(i) ? { member: String(i.params['sku']), value: 1 } : null),
  },
  {
    name: 'agentDiscountValue1h',
    windowMs: HOUR,
    kind: 'sum',
    scope: (a, i) => (isPricing(i) ? `agent:${a.id}` : null),
    contribution: (i, item) => {
      const price = num(i.params['price']);
      return isPricing(i) && item.found && price < item.price
        ? { member: `${i.params['sku']}:${Date.now()}:${Math.random()}`, value: item.price - price }
        : null;
    },
  },
  {
    name: 'skuPriceCuts1h',
    windowMs: HOUR,
    kind: 'count',
    scope: (_a, i, item) => (isPricing(i) && item.found ? `sku:${item.sku}` : null),
    contribution: (i, item) => {
      const price = num(i.params['price']);
      return isPricing(i) && item.found && price < item.price
        ? { member: `${Date.now()}:${Math.random()}`, value: 1 }
        : null;
    },
  },
  {
    name: 'agentRefundValue24h',
    windowMs: 24 * HOUR,
    kind: 'sum',
    scope: (a, i) => (i.action === 'service.issue_refund' ? `agent:${a.id}` : null),
    contribution: (i) =>
      i.action === 'service.issue_refund' && num(i.params['amount']) > 0
        ? { member: `${Date.now()}:${Math.random()}`, value: num(i.params['amount']) }
        : null,
  },
  {
    name: 'agentStoreCreditValue24h',
    windowMs: 24 * HOUR,
    kind: 'sum',
    scope: (a, i) => (i.action === 'service.issue_store_credit' ? `agent:${a.id}` : null),
    contribution: (i) =>
      i.action === 'service.issue_store_credit' && num(i.params['amount']) > 0
        ? { member: `${Date.now()}:${Math.random()}`, value: num(i.params['amount']) }
        : null,
  },
  {
    name: 'agentCustomerRecordsRead1h',
    windowMs: HOUR,
    kind: 'sum',
    countsOnProposal: true,
    scope: (a) => `agent:${a.id}`,
    contribution: (i) => {
      const records = (i.dataUsed ?? [])
        .filter((d) => (d.dataClasses ?? []).some((c) => customerClasses.has(c)))
        .reduce((sum, d) => sum + (d.records ?? 1), 0);
      return records > 0 ? { member: `${Date.now()}:${Math.random()}`, value: records } : null;
    },
  },
];
