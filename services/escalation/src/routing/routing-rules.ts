import { globMatches } from '@agentops/cohort-selector';
import { globPattern } from '@agentops/contracts';
import type { CatalogItemFacts, DecisionFacts, IntentProposedV1 } from '@agentops/contracts';
import { EgressPolicy, PRODUCTION_EGRESS, checkEgressUrl } from '@agentops/egress';
import { parse } from 'yaml';
import { z } from 'zod';

/**
 * Routing rules: which reviewer group sees an escalated intent, how long each tier has (SLA),
 * whether two distinct approvers are needed (four-eyes), and what happens when the last tier's
 * SLA passes. Pure: no framework, no I/O; the service reads the YAML once at start.
 *
 * Routes key on facts the platform owns — the agent's registered identity and labels, the
 * catalog facts guardrail decided with (`item`), and what the intent asks to do (action, target,
 * amount) — never on what the agent says about the world: `params` conditions are claims, and
 * the loader accepts them only where claiming could raise the approvals needed, never lower them.
 */
const Glob = globPattern(/^[A-Za-z0-9_.*:-]+$/, 'letters, digits, . _ : - and * only');

export const RouteTier = z
  .object({ group: z.string().min(1).max(100), slaMs: z.number().int().min(100) })
  .strict();
export type RouteTier = z.infer<typeof RouteTier>;

export const RouteMatch = z
  .object({
    actions: z.array(Glob).optional(),
    tenants: z.array(Glob).optional(),
    agentRoles: z.array(z.string()).optional(),
    targets: z.array(Glob).optional(),
    /**
     * The intent param holding the amount compared with minAmount/maxAmount. The amount is what
     * the agent asks to do (and outcome verification holds it to it), not a description; one that
     * is missing or not a number counts as unbounded, so it can never dodge a minAmount route.
     */
    amountField: z.string().default('amount'),
    minAmount: z.number().optional(),
    maxAmount: z.number().optional(),
    /**
     * Catalog facts about the intent's SKU, as guardrail decided with them (the decision's
     * `facts.item`): e.g. `flagship: true`, `categories: [bags]`. A decision that carries no facts
     * gets the strictest route it could have taken (see routeFor).
     */
    item: z
      .object({
        found: z.boolean().optional(),
        flagship: z.boolean().optional(),
        brands: z.array(z.string().min(1).max(200)).optional(),
        categories: z.array(z.string().min(1).max(200)).optional(),
        skus: z.array(Glob).optional(),
      })
      .strict()
      .optional(),
    /**
     * Every listed param must equal the intent's. Params are the agent's claims: accepted only on
     * a route that needs at least as many approvals as every route below it (see claimsOnlyRaise).
     */
    params: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
    /** Agent labels that must match (e.g. `brand: maison`). */
    labels: z.record(z.string(), z.string()).optional(),
  })
  .strict();
export type RouteMatch = z.infer<typeof RouteMatch>;

export const RouteSpec = z
  .object({
    name: z.string().min(1).max(100),
    tiers: z.array(RouteTier).min(1),
    fourEyes: z.boolean().default(false),
    timeoutOutcome: z.enum(['deny', 'allow']).default('deny'),
    /** Slack-compatible incoming webhook; notified on open, tier change and resolution. */
    notifyUrl: z.string().url().optional(),
  })
  .strict();
export type RouteSpec = z.infer<typeof RouteSpec>;

export const RoutingRules = z
  .object({
    default: RouteSpec,
    routes: z.array(RouteSpec.extend({ match: RouteMatch }).strict()).default([]),
  })
  .strict();
export type RoutingRules = z.infer<typeof RoutingRules>;

/** What routing looks at: the escalated intent, its agent and the catalog facts of its SKU. */
export interface RoutingFacts {
  tenantId: string;
  action: string;
  agentRole?: string;
  agentLabels?: Record<string, string>;
  targetId?: string;
  params?: Record<string, unknown>;
  /** From the decision (guardrail's catalog); absent when the decision carried none. */
  item?: CatalogItemFacts;
}

/** The routing facts of an intent: its authenticated agent, what it asks, what the catalog says. */
export function routingFacts(intent: IntentProposedV1, facts: DecisionFacts | undefined): RoutingFacts {
  return {
    tenantId: intent.agent.tenantId,
    action: intent.action,
    agentRole: intent.agent.role,
    agentLabels: intent.agent.labels,
    targetId: intent.target.id,
    params: intent.params,
    item: facts?.item,
  };
}

/**
 * Parses and checks the rules: the schema, then that no `params` claim can lower the approvals
 * an intent needs, then that every webhook is one the egress policy lets us call.
 */
export function parseRoutingRules(yamlText: string, egress: EgressPolicy = PRODUCTION_EGRESS): RoutingRules {
  const result = RoutingRules.safeParse(parse(yamlText));
  if (!result.success) {
    throw new Error(
      `invalid routing rules: ${result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`,
    );
  }
  const problems = [...claimsOnlyRaise(result.data), ...webhookProblems(result.data, egress)];
  if (problems.length) throw new Error(`invalid routing rules: ${problems.join('; ')}`);
  return result.data;
}

export function requiredApprovals(route: Pick<RouteSpec, 'fourEyes'>): number {
  return route.fourEyes ? 2 : 1;
}

/**
 * Routes are tried in order, so an intent that claims a route's `params` takes it and one that
 * does not falls through to the routes below. That choice is the agent's: it may only ever buy
 * more scrutiny. A params route must need at least as many approvals as every route after it
 * (and the default); keying four-eyes on a claim (`params: { flagship: true }`) is refused — key
 * it on the catalog (`item: { flagship: true }`).
 */
export function claimsOnlyRaise(rules: RoutingRules): string[] {
  const problems: string[] = [];
  rules.routes.forEach((route, i) => {
    if (!route.match.params) return;
    const below = [...rules.routes.slice(i + 1), rules.default];
    const stricter = below.find((r) => requiredApprovals(r) > requiredApprovals(route));
    if (stricter)
      problems.push(
        `routes.${i}.match.params: route ${route.name} keys on the agent's claims (${Object.keys(route.match.params).join(', ')}) ` +
          `and needs ${requiredApprovals(route)} approval(s) while route ${stricter.name} below it needs ${requiredApprovals(stricter)}: ` +
          `a claim could lower the approvals needed. Key the route on catalog facts (match.item) or make it at least as strict`,
      );
  });
  return problems;
}

function webhookProblems(rules: RoutingRules, egress: EgressPolicy): string[] {
  const specs: [string, RouteSpec][] = [
    ['default', rules.default],
    ...rules.routes.map((r, i): [string, RouteSpec] => [`routes.${i}`, r]),
  ];
  return specs.flatMap(([path, spec]) => {
    if (!spec.notifyUrl) return [];
    const check = checkEgressUrl(spec.notifyUrl, egress);
    return check.ok ? [] : [`${path}.notifyUrl: ${check.reason}`];
  });
}

/**
 * The first route whose every condition holds; none → the default route (the default queue).
 * Without catalog facts (a decision that carried none) the item conditions cannot be read, so the
 * intent gets the strictest of the routes it could have taken: unknown facts never lower scrutiny.
 */
export function routeFor(rules: RoutingRules, facts: RoutingFacts): RouteSpec {
  const possible: RouteSpec[] = [];
  let settled = false;
  for (const route of rules.routes) {
    if (!matches(route.match, facts)) continue;
    const { match, ...spec } = route;
    possible.push(spec);
    if (facts.item || !match.item) {
      settled = true;
      break;
    }
  }
  if (!settled) possible.push(rules.default);
  return possible.reduce((a, b) => (requiredApprovals(b) > requiredApprovals(a) ? b : a));
}

export function matches(m: RouteMatch, f: RoutingFacts): boolean {
  if (m.actions && !m.actions.some((g) => globMatches(g, f.action))) return false;
  if (m.tenants && !m.tenants.some((g) => globMatches(g, f.tenantId))) return false;
  if (m.agentRoles && (!f.agentRole || !m.agentRoles.includes(f.agentRole))) return false;
  if (m.targets && (!f.targetId || !m.targets.some((g) => globMatches(g, f.targetId!)))) return false;
  if (m.minAmount !== undefined || m.maxAmount !== undefined) {
    const amount = amountOf(f.params?.[m.amountField]);
    if (m.minAmount !== undefined && !(amount > m.minAmount)) return false;
    if (m.maxAmount !== undefined && !(amount <= m.maxAmount)) return false;
  }
  // Without facts an item condition may hold or not: routeFor weighs both ways.
  if (m.item && f.item && !itemMatches(m.item, f.item)) return false;
  if (m.params && !Object.entries(m.params).every(([k, v]) => f.params?.[k] === v)) return false;
  if (m.labels && !Object.entries(m.labels).every(([k, v]) => f.agentLabels?.[k] === v)) return false;
  return true;
}

/** A number as the agent sent it; anything else (missing, text, NaN) is unbounded. */
function amountOf(value: unknown): number {
  const amount =
    typeof value === 'number' ? value : typeof value === 'string' && value.trim() ? Number(value) : NaN;
  return Number.isFinite(amount) ? amount : Infinity;
}

function itemMatches(m: NonNullable<RouteMatch['item']>, item: CatalogItemFacts): boolean {
  if (m.found !== undefined && item.found !== m.found) return false;
  if (m.flagship !== undefined && item.flagship !== m.flagship) return false;
  if (m.brands && !m.brands.includes(item.brand)) return false;
  if (m.categories && !m.categories.includes(item.category)) return false;
  if (m.skus && !m.skus.some((g) => globMatches(g, item.sku))) return false;
  return true;
}

/** How long a task on this route waits for a human before its timeout outcome: every tier's SLA in turn. */
export function routeSlaMs(route: Pick<RouteSpec, 'tiers'>): number {
  return route.tiers.reduce((sum, tier) => sum + tier.slaMs, 0);
}

/** SLA bookkeeping on breach: the next tier, or the route's timeout outcome after the last. */
export type Breach =
  | { kind: 'next-tier'; tier: number; group: string; dueAt: Date }
  | { kind: 'timeout'; outcome: 'deny' | 'allow' };

export function onSlaBreach(route: RouteSpec, currentTier: number, now: Date): Breach {
  const next = currentTier + 1;
  if (next < route.tiers.length) {
    return {
      kind: 'next-tier',
      tier: next,
      group: route.tiers[next].group,
      dueAt: new Date(now.getTime() + route.tiers[next].slaMs),
    };
  }
  return { kind: 'timeout', outcome: route.timeoutOutcome };
}
