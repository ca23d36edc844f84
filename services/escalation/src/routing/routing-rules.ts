import { globMatches } from '@agentops/cohort-selector';
import { parse } from 'yaml';
import { z } from 'zod';

/**
 * Routing rules: which reviewer group sees an escalated intent, how long each tier has (SLA),
 * whether two distinct approvers are needed (four-eyes), and what happens when the last tier's
 * SLA passes. Pure: no framework, no I/O; the service reads the YAML once at start.
 */
const Glob = z.string().regex(/^[A-Za-z0-9_.*:-]+$/, 'letters, digits, . _ : - and * only');

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
    /** The intent param holding the amount compared with minAmount/maxAmount. */
    amountField: z.string().default('amount'),
    minAmount: z.number().optional(),
    maxAmount: z.number().optional(),
    /** Every listed param must equal the intent's (e.g. `flagship: true`). */
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

/** What routing looks at: the escalated intent and its agent. */
export interface RoutingFacts {
  tenantId: string;
  action: string;
  agentRole?: string;
  agentLabels?: Record<string, string>;
  targetId?: string;
  params?: Record<string, unknown>;
}

export function parseRoutingRules(yamlText: string): RoutingRules {
  const result = RoutingRules.safeParse(parse(yamlText));
  if (!result.success) {
    throw new Error(
      `invalid routing rules: ${result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`,
    );
  }
  return result.data;
}

/** The first route whose every condition holds; none → the default route (the default queue). */
export function routeFor(rules: RoutingRules, facts: RoutingFacts): RouteSpec {
  for (const route of rules.routes) {
    if (matches(route.match, facts)) {
      const { match: _match, ...spec } = route;
      return spec;
    }
  }
  return rules.default;
}

export function matches(m: RouteMatch, f: RoutingFacts): boolean {
  if (m.actions && !m.actions.some((g) => globMatches(g, f.action))) return false;
  if (m.tenants && !m.tenants.some((g) => globMatches(g, f.tenantId))) return false;
  if (m.agentRoles && (!f.agentRole || !m.agentRoles.includes(f.agentRole))) return false;
  if (m.targets && (!f.targetId || !m.targets.some((g) => globMatches(g, f.targetId!)))) return false;
  if (m.minAmount !== undefined || m.maxAmount !== undefined) {
    const amount = Number(f.params?.[m.amountField]);
    if (!Number.isFinite(amount)) return false;
    if (m.minAmount !== undefined && !(amount > m.minAmount)) return false;
    if (m.maxAmount !== undefined && !(amount <= m.maxAmount)) return false;
  }
  if (m.params && !Object.entries(m.params).every(([k, v]) => f.params?.[k] === v)) return false;
  if (m.labels && !Object.entries(m.labels).every(([k, v]) => f.agentLabels?.[k] === v)) return false;
  return true;
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
