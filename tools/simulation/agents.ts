import { AsyncLocalStorage } from 'node:async_hooks';
import { IntentDeniedError, knowledgeCitation } from '@agentops/sdk';
import type { AgentOpsClient, Intent, PendingReview } from '@agentops/sdk';
import { SimCustomer, SimSku } from './catalog';
import { GroundingTally } from './grounding-tally';
import { PITCH_DELIVERY, PitchFacts, writePitch } from './pitches';
import { Random } from './random';
import { AgentType, Tally } from './tally';

/** The shop the agents act on: stands in for the commerce, ERP and CRM systems. */
export interface ShopState {
  catalog: SimSku[];
  customers: SimCustomer[];
  prices: Map<string, number>;
  purchaseOrders: number;
  messagesSent: number;
}

export interface SimAgent {
  type: AgentType;
  client: AgentOpsClient;
  /** One routine action, guarded. */
  act(rnd: Random): Promise<void>;
}

/**
 * The intents a failure mode proposed (the async context of its run): the report links each mode
 * to the trace of one of them. Routine agents run outside it and are not collected.
 */
export const failureModeIntents = new AsyncLocalStorage<{ intentId: string; executed: boolean }[]>();

/** Runs one guarded action and tallies it; returns what contained it when it did not execute. */
export interface GuardedResult {
  executed: boolean;
  verdict?: string;
  /** `human` when a reviewer decided (the intent was escalated). */
  decidedBy?: string;
  by?: string;
  params?: Record<string, unknown>;
  /** The review the agent was told its intent was pending (HTTP 202 pending_review), if it was. */
  review?: PendingReview;
}

export async function guarded(
  tally: Tally,
  type: AgentType,
  client: AgentOpsClient,
  intent: Intent,
  execute: (params: Record<string, unknown>) => void,
): Promise<GuardedResult> {
  let review: PendingReview | undefined;
  try {
    let used: Record<string, unknown> | undefined;
    let verdict = 'allow';
    let decidedBy = 'policy';
    await client.guard(
      intent,
      async ({ params, decision, intentId }) => {
        failureModeIntents.getStore()?.push({ intentId, executed: true });
        used = params;
        verdict = decision.verdict;
        decidedBy = decision.decidedBy;
        execute(params);
      },
      {
        // First the truth that it waits for a human; the human's outcome is tallied when it comes.
        onPendingReview: (r) => {
          if (!review) tally.pendingReview(type);
          review = r;
        },
      },
    );
    tally.executed(type, verdict, decidedBy, review !== undefined);
    const obligation = verdict === 'modify' ? 'modified' : undefined;
    return { executed: true, verdict: obligation ?? verdict, decidedBy, params: used, review };
  } catch (error) {
    if (error instanceof IntentDeniedError && error.decision.intentId)
      failureModeIntents.getStore()?.push({ intentId: error.decision.intentId, executed: false });
    return { executed: false, by: tally.failed(type, error, review !== undefined), review };
  }
}

const justification = (what: string) => `${what}; based on the last 30 days of sales and the competitor scan`;

/**
 * The personal shopper pitches a product to a client from its approved facts (the SDK's
 * `productFacts()`, cited by `kbVersion`); about one pitch in four invents a material, price,
 * scarcity or delivery promise, as LLM agents do. What it invented and what became of the pitch go
 * to `grounding`, so the report can show what the guardrail's claim checks caught.
 */
export function personalShopper(
  client: AgentOpsClient,
  shop: ShopState,
  tally: Tally,
  grounding: GroundingTally,
): SimAgent {
  const inStock = shop.catalog.filter((s) => s.stock > 0 && !s.slowMover);
  return {
    type: 'personal shopper',
    client,
    async act(rnd) {
      const sku = rnd.pick(inStock);
      const customer = rnd.pick(shop.customers);
      const facts = await client.productFacts(sku.sku).catch(() => undefined);
      const pitch = facts
        ? writePitch(rnd, customer.name.split(' ')[0], facts.product as PitchFacts)
        : {
            message: `${customer.name.split(' ')[0]}, the ${sku.category} piece ${sku.sku} would complete your last purchase.`,
          };
      const result = await guarded(
        tally,
        'personal shopper',
        client,
        {
          action: 'shopping.recommend',
          target: { type: 'customer', id: customer.id },
          params: {
            customerId: customer.id,
            sku: sku.sku,
            brand: sku.brand,
            region: PITCH_DELIVERY.region,
            tier: PITCH_DELIVERY.tier,
            message: pitch.message,
          },
          confidence: 0.7 + rnd.next() * 0.29,
          justification: justification('matches the client’s purchase history and wish list'),
          dataUsed: [
            { source: 'crm', ref: customer.id, dataClasses: ['customer', 'purchase_history'], records: 1 },
            ...(facts ? [knowledgeCitation(facts)] : []),
          ],
        },
        () => undefined,
      );
      if (facts) grounding.pitched(pitch, result);
    },
  };
}

export function replenishment(client: AgentOpsClient, shop: ShopState, tally: Tally): SimAgent {
  const runners = shop.catalog.filter(
    (s) => !s.slowMover && s.velocity30d > 20 && s.stock < s.velocity30d * 3,
  );
  return {
    type: 'replenishment',
    client,
    async act(rnd) {
      const sku = rnd.pick(runners);
      const quantity = Math.max(1, Math.round(sku.velocity30d * 3 - sku.stock) - rnd.int(0, 5));
      await guarded(
        tally,
        'replenishment',
        client,
        {
          action: 'inventory.create_purchase_order',
          target: { type: 'sku', id: sku.sku },
          params: { sku: sku.sku, quantity, forecastUnits30d: sku.velocity30d },
          confidence: 0.8 + rnd.next() * 0.19,
          justification: justification(`cover three months of demand for ${sku.sku}`),
          dataUsed: [{ source: 'erp', ref: sku.sku, dataClasses: ['inventory', 'forecast'] }],
        },
        () => void shop.purchaseOrders++,
      );
    },
  };
}

export function customerService(client: AgentOpsClient, shop: ShopState, tally: Tally): SimAgent {
  return {
    type: 'customer service',
    client,
    async act(rnd) {
      const customer = rnd.pick(shop.customers);
      await guarded(
        tally,
        'customer service',
        client,
        {
          action: 'service.send_message',
          target: { type: 'customer', id: customer.id },
          params: {
            customerId: customer.id,
            recipientEmail: customer.email,
            channel: 'email',
            message: `Dear ${customer.name}, your order has shipped and will arrive on Thursday.`,
          },
          confidence: 0.9,
          justification: justification('shipping notification requested by the client'),
          dataUsed: [{ source: 'oms', ref: customer.id, dataClasses: ['customer', 'order'], records: 1 }],
        },
        () => void shop.messagesSent++,
      );
    },
  };
}

export function dynamicPricing(
  client: AgentOpsClient,
  shop: ShopState,
  tally: Tally,
  workingSet: SimSku[],
): SimAgent {
  return {
    type: 'dynamic pricing',
    client,
    async act(rnd) {
      const sku = rnd.pick(workingSet);
      // Routine moves: small increases, now and then a small markdown.
      const factor = rnd.chance(0.8) ? 1 + rnd.int(1, 4) / 100 : 0.97;
      const price = Math.round(sku.price * factor);
      await guarded(
        tally,
        'dynamic pricing',
        client,
        {
          action: 'pricing.set_price',
          target: { type: 'sku', id: sku.sku },
          params: { sku: sku.sku, price, currency: 'EUR' },
          confidence: 0.75 + rnd.next() * 0.24,
          justification: justification(`elasticity model for ${sku.sku}`),
          dataUsed: [{ source: 'catalog', ref: sku.sku, dataClasses: ['product', 'market'] }],
        },
        (params) => void shop.prices.set(sku.sku, Number(params.price)),
      );
    },
  };
}
