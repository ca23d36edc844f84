import type { AgentIdentity, DecisionFacts, IntentProposal } from '@agentops/contracts';
import type { GroundingContext, KnowledgeFacts } from './grounding';

/** A catalog row as the guardrail holds it in memory. */
export interface CatalogEntry {
  tenantId: string;
  sku: string;
  price: number;
  floorPrice: number;
  cost: number;
  flagship: boolean;
  brand: string;
  category: string;
  stock?: number;
  velocity30d?: number;
  slowMover?: boolean;
}

export type CatalogLookup = (tenantId: string, sku: string) => CatalogEntry | undefined;

export function catalogFacts(entry: CatalogEntry | undefined): CatalogFacts {
  if (!entry) return UNKNOWN_ITEM;
  const { tenantId: _tenant, ...rest } = entry;
  return {
    ...UNKNOWN_ITEM,
    ...rest,
    stock: entry.stock ?? 0,
    velocity30d: entry.velocity30d ?? 0,
    slowMover: entry.slowMover ?? false,
    found: true,
  };
}

/**
 * The facts a decision carries for routing downstream (escalation keys four-eyes on them, not on
 * the agent's params): what the item is, no prices or stock. Cut to the contract's bounds.
 */
export function decisionFacts(item: CatalogFacts): DecisionFacts {
  const bounded = (s: string) => s.slice(0, 200);
  return {
    item: {
      found: item.found,
      sku: bounded(item.sku),
      flagship: item.flagship,
      brand: bounded(item.brand),
      category: bounded(item.category),
    },
  };
}

/** Catalog facts about the intent's SKU; `found: false` when the catalog does not know it. */
export interface CatalogFacts {
  found: boolean;
  sku: string;
  price: number;
  floorPrice: number;
  cost: number;
  flagship: boolean;
  brand: string;
  category: string;
  stock: number;
  velocity30d: number;
  slowMover: boolean;
}

export const UNKNOWN_ITEM: CatalogFacts = {
  found: false,
  sku: '',
  price: 0,
  floorPrice: 0,
  cost: 0,
  flagship: false,
  brand: '',
  category: '',
  stock: 0,
  velocity30d: 0,
  slowMover: false,
};

export interface RetailFacts {
  competitors: string[];
  approvedFacts: string[];
  ownBrands: string[];
}

/** Everything a policy may look at for one intent, assembled by the guardrail before evaluation. */
export interface EvaluationContext {
  intent: Pick<IntentProposal, 'action' | 'target' | 'params' | 'confidence' | 'justification'>;
  agent: AgentIdentity;
  item: CatalogFacts;
  /** Rolling counters (per agent and cohort, in windows), e.g. `agentDistinctSkus10m`. */
  counters: Record<string, number>;
  retail: RetailFacts;
  /** The knowledge version in force and the versions the intent cites (`NO_KNOWLEDGE` when absent). */
  knowledge?: KnowledgeFacts;
  /** What `claims()`, `voice()` and `approvedCopy()` read; never handed to CEL itself. */
  grounding?: GroundingContext;
}
