import type { DecisionReason, IntentProposedV1, Verdict } from '@agentops/contracts';

/** What the guardrail knows about a SKU; served from memory on the hot path. */
export interface CatalogEntry {
  tenantId: string;
  sku: string;
  price: number;
  floorPrice: number;
  cost: number;
  flagship: boolean;
  brand: string;
  category: string;
}

export type CatalogLookup = (tenantId: string, sku: string) => CatalogEntry | undefined;

export interface RuleOutcome {
  verdict: Verdict;
  reasons: DecisionReason[];
}

export const PRICE_FLOOR_POLICY = { id: 'retail.price-floor', version: '1' } as const;

/**
 * The walking skeleton's one rule: a price below the SKU's floor is denied. An unknown SKU is
 * denied too — a guardrail that cannot check must not wave the action through.
 */
export function checkPriceFloor(intent: Pick<IntentProposedV1, 'action' | 'params' | 'agent'>, catalog: CatalogLookup): RuleOutcome | null {
  if (intent.action !== 'pricing.set_price') return null;
  const reason = (message: string, effect: DecisionReason['effect']): DecisionReason => ({
    policyId: PRICE_FLOOR_POLICY.id,
    policyVersion: PRICE_FLOOR_POLICY.version,
    message,
    effect,
    mode: 'enforce',
  });
  const sku = intent.params['sku'];
  const price = intent.params['price'];
  if (typeof sku !== 'string' || typeof price !== 'number' || !Number.isFinite(price)) {
    return { verdict: 'deny', reasons: [reason('pricing.set_price needs params.sku (string) and params.price (number)', 'deny')] };
  }
  const item = catalog(intent.agent.tenantId, sku);
  if (!item) return { verdict: 'deny', reasons: [reason(`unknown SKU ${sku}: cannot check its floor`, 'deny')] };
  if (price < item.floorPrice) {
    return {
      verdict: 'deny',
      reasons: [reason(`price ${price} is below the floor ${item.floorPrice} of ${sku}`, 'deny')],
    };
  }
  return { verdict: 'allow', reasons: [reason(`price ${price} respects the floor ${item.floorPrice} of ${sku}`, 'allow')] };
}
