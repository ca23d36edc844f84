import { AgentOpsClient, HaltedError, IntentDeniedError } from '@agentops/sdk';
import type { Intent } from '@agentops/sdk';
import { SimCustomer, SimSku } from './catalog';
import { Endpoints, api } from './platform-api';
import { Random } from './random';

/**
 * The simulation's rollouts (issue #15), run beside the four agent types:
 *
 *  - a **canary** of a subtly worse dynamic-pricing release: version 2.4.0 now and then proposes a
 *    price in a currency the shop does not sell in (denied), 12 % of its intents against the
 *    stable 2.3.9's 5 %.
 *    The rollout service tests the deny rate per arm sequentially and rolls the candidate back by
 *    itself — weight 0 and a kill switch on its version — after which its intents are refused;
 *  - an **A/B experiment** of two customer-service prompts, scored by the customer's rating of the
 *    reply (the outcome's `result.csat`), reported per arm with its interval, and a winner only
 *    when the sequential test names one.
 *
 * Both agents pick their variant with the SDK's `variant(rolloutKey, unit)`, answered locally
 * from the control stream, and put it in the intent, as a real agent would.
 *
 * The canary runs in a second brand of the retailer (its own tenant), so that the main run's
 * mispricing-bug failure mode — whose blast-radius breaker halts the whole pricing cohort of its
 * tenant — cannot halt both arms before the test decides. Its working set is 16 SKUs (the
 * breakers and pricing policies watch how many distinct SKUs a tenant and an agent reprice),
 * balanced to the canary's weight by the rollout's own assignment: 8 the candidate serves, 8 the
 * baseline, so that intents split 50/50 like the units (with 16 units the hash alone would rarely
 * split them exactly, and the sample-ratio check would rightly pause the rollout).
 */
export const CANARY_WEIGHT = 50;
const CANARY_SKUS = { candidate: 8, baseline: 8 };
const BASELINE_BAD_RATE = 0.05;
const CANDIDATE_BAD_RATE = 0.12;
/** The mean rating (1–5) each prompt's replies get. */
const PROMPT_CSAT: Record<string, number> = { 'cs-formal-v3': 4.0, 'cs-warm-v4': 4.25 };

export interface RolloutScenarioOptions {
  endpoints: Endpoints;
  /** An operator's or an sre's token for both tenants. */
  token: string;
  /** Suffix of this run's agent ids and rollout keys. */
  run: string;
  /** The tenant of the A/B (the main run's), and the canary's brand tenant. */
  tenant: string;
  canaryTenant: string;
  catalog: SimSku[];
  customers: SimCustomer[];
  /** Retail facts to import for the canary tenant (the same the main tenant has), if any. */
  retailFacts?: unknown;
  rnd: Random;
  /** Concurrent requests of the canary's and the A/B's agents (they need hundreds of intents). */
  canaryConcurrency?: number;
  abConcurrency?: number;
  /** Stop this long after the canary's rollback instead of at `endAt` (a short run in a test). */
  stopAfterRollbackMs?: number;
  /**
   * How long past `endAt` the scenarios may go on while the canary has not been decided yet: the
   * sequential test needs a few hundred intents, which a loaded machine may not serve in a short run.
   */
  graceMs?: number;
  log?: (line: string) => void;
}

export interface ArmKpi {
  arm: string;
  variant: string;
  value: number | null;
  interval: [number | null, number | null];
  observations: number;
}

export interface CanaryReport {
  key: string;
  id: string;
  status: string;
  weights: Record<string, number>;
  /** Intents each arm's agent proposed (its variant as `variant()` answered). */
  proposed: Record<string, number>;
  /** The automatic rollback, if it happened. */
  rollback?: {
    at: string;
    /** Seconds from the canary's first intent (both rollouts applied and known) to the rollback. */
    secondsAfterStart: number;
    /** Decisions the rollout had counted (both arms) when it rolled back, and per arm. */
    intents: number;
    decisions: Record<string, number>;
    actor: string;
    reason: string;
    killSwitchId?: string;
  };
  /** The candidate's intents after the rollback, and how many were refused (kill switch). */
  candidateAfterRollback: { proposed: number; refused: number };
  /** Deny rate per arm as the rollout's analysis reports it (value and effect interval). */
  denyRate: {
    baseline: number | null;
    candidate: number | null;
    effect: [number | null, number | null];
    test: string;
  };
}

export interface AbReport {
  key: string;
  id: string;
  status: string;
  kpi: string;
  arms: ArmKpi[];
  winner: string | null;
  decisions: Record<string, number>;
}

export interface RolloutScenarioReport {
  canary?: CanaryReport;
  ab?: AbReport;
  /** Why the scenarios' intents were refused, by what and which policy, most frequent first. */
  refusals: Record<string, number>;
  problems: string[];
}

interface RolloutView {
  id: string;
  key: string;
  tenantId: string;
  status: string;
  salt: string;
  weights: Record<string, number>;
  halts: { variant: string; killSwitchId: string | null }[];
  baseline: { name: string; agentVersion?: string; promptId?: string };
  candidates: { name: string; agentVersion?: string; promptId?: string }[];
  analysis: {
    decisions: Record<string, number>;
    guardrails: {
      kpi: string;
      candidate: string;
      status: string;
      candidateValue: number | null;
      baselineValue: number | null;
      evidence: { lower: number | null; upper: number | null };
    }[];
    primary?: {
      kpi: string;
      title: string;
      winner: string | null;
      arms: {
        arm: string;
        value: number | null;
        interval: [number | null, number | null];
        observations: number;
      }[];
    };
  };
  transitions: {
    transition: string;
    actor: string;
    reason: string;
    at: string;
    decisions?: Record<string, number>;
    killSwitchId?: string;
  }[];
}

const canaryYaml = (key: string, tenant: string) => `
apiVersion: agentops.io/v1
kind: AgentRollout
metadata:
  name: ${key}
  description: dynamic pricing 2.4.0 (new elasticity model) on half of the outlet's working set
  owner: pricing-team-lead
spec:
  mode: canary
  cohort: { tenant: ${tenant}, selector: { role: pricing } }
  unit: params.sku
  baseline: { name: stable, agentVersion: "2.3.9" }
  candidates: [{ name: canary, agentVersion: "2.4.0" }]
  steps:
    - { weight: ${CANARY_WEIGHT}, minDwell: 10m, minSamplePerArm: 2000 }
  guardrails:
    - { kpi: deny_rate, minimumEffect: 0.07 }
  analysis: { alpha: 0.05 }
`;

const abYaml = (key: string, tenant: string, agentId: string) => `
apiVersion: agentops.io/v1
kind: AgentRollout
metadata:
  name: ${key}
  description: which reply prompt do clients rate higher?
  owner: service-team-lead
spec:
  mode: experiment
  cohort: { tenant: ${tenant}, selector: { role: service, agentId: ${agentId} } }
  unit: params.customerId
  baseline: { name: formal, promptId: cs-formal-v3 }
  candidates: [{ name: warm, promptId: cs-warm-v4 }]
  experiment:
    weights: { formal: 50, warm: 50 }
    primary: { kpi: business_value, path: result.csat, minimumEffect: 0.2 }
    minSamplePerArm: 100000
  guardrails:
    - { kpi: deny_rate, minimumEffect: 0.05 }
`;

/** Key prefixes of the simulation's rollouts: an earlier run's are ended before a new run starts. */
const CANARY_PREFIX = 'sim-pricing-2-4-';
const AB_PREFIX = 'sim-cs-prompts-';

/**
 * Applies both rollouts, then drives their agents until `endAt`; returns the report. Never throws
 * for a rollout that misbehaves: what went wrong is in `problems` (the main report shows it).
 */
export async function runRolloutScenarios(
  o: RolloutScenarioOptions,
  endAt: number,
): Promise<RolloutScenarioReport> {
  let end = endAt + (o.graceMs ?? 0);
  /** Once the canary is decided: a test stops shortly after; a run goes on to its end, or 3 s in its grace. */
  const settle = () => {
    const after = Date.now() + (o.stopAfterRollbackMs ?? 3000);
    end = Math.min(end, o.stopAfterRollbackMs !== undefined ? after : Math.max(endAt, after));
  };
  const log = o.log ?? (() => undefined);
  const problems: string[] = [];
  const refusals: Record<string, number> = {};
  const refused = (why: string | undefined) => {
    if (why) refusals[why] = (refusals[why] ?? 0) + 1;
  };
  const rolloutsUrl = `${o.endpoints.rollout}/v1/rollouts`;
  await endLeftovers(o);

  // The canary's brand: its catalog (the same collection) and retail facts.
  await api('PUT', `${o.endpoints.guardrail}/v1/context/${o.canaryTenant}/catalog`, o.token, {
    items: o.catalog,
  });
  if (o.retailFacts)
    await api(
      'PUT',
      `${o.endpoints.guardrail}/v1/context/${o.canaryTenant}/retail-facts`,
      o.token,
      o.retailFacts,
    );

  const register = async (id: string, tenantId: string, role: string, version: string) => {
    const { apiKey } = await api<{ apiKey: string }>('POST', `${o.endpoints.ingest}/v1/agents`, o.token, {
      id,
      tenantId,
      name: id,
      role,
      version,
      region: 'eu-west',
      labels: { brand: tenantId, owner: `${role}-team-lead` },
    });
    const client = new AgentOpsClient({
      baseUrl: o.endpoints.ingest,
      apiKey,
      maxWaitMs: 20_000,
      pollIntervalMs: 250,
      onWarning: () => undefined,
    });
    await client.listen();
    return client;
  };
  const canaryKey = `${CANARY_PREFIX}${o.run}`;
  const abKey = `${AB_PREFIX}${o.run}`;
  const abAgentId = `concierge-ab-${o.run}`;
  const pricing = {
    stable: await register(`outlet-pricing-${o.run}`, o.canaryTenant, 'pricing', '2.3.9'),
    canary: await register(`outlet-pricing-next-${o.run}`, o.canaryTenant, 'pricing', '2.4.0'),
  };
  const concierge = await register(abAgentId, o.tenant, 'service', '3.1.0');
  const clients = [pricing.stable, pricing.canary, concierge];

  try {
    const canary = await api<RolloutView>('POST', rolloutsUrl, o.token, {
      yaml: canaryYaml(canaryKey, o.canaryTenant),
    });
    const ab = await api<RolloutView>('POST', rolloutsUrl, o.token, {
      yaml: abYaml(abKey, o.tenant, abAgentId),
    });
    log(
      `rollouts applied: canary ${canaryKey} (${CANARY_WEIGHT} % of the outlet's SKUs), experiment ${abKey}`,
    );

    // The SDK learns each rollout on its control stream; the variant gate (guardrail) on its topic.
    await until(
      () => pricing.stable.variant(canaryKey, 'probe') && concierge.variant(abKey, 'probe'),
      20_000,
    );
    log('both rollouts known to the SDK');
    const workingSet = balancedSkus(o.catalog, (sku) => pricing.stable.variant(canaryKey, sku.sku)?.name);
    await gateKnows(pricing, canaryKey, workingSet[0]);
    log('the variant gate knows the canary; traffic starts');
    const trafficStarted = Date.now();

    const proposed: Record<string, number> = { stable: 0, canary: 0 };
    const after = { proposed: 0, refused: 0 };
    let rolledBack = false;
    const formerCandidateSkus = workingSet.slice(0, CANARY_SKUS.candidate);
    const canaryStep = async (): Promise<boolean> => {
      // After the rollback, a 2.4.0 instance still running goes on with its former SKUs: refused.
      const straggler = rolledBack && o.rnd.chance(0.25);
      const sku = o.rnd.pick(straggler ? formerCandidateSkus : workingSet);
      const variant = straggler ? { name: 'canary' } : pricing.stable.variant(canaryKey, sku.sku);
      if (!variant) return false;
      const arm = variant.name as 'stable' | 'canary';
      const client = pricing[arm];
      const bad = o.rnd.chance(arm === 'canary' ? CANDIDATE_BAD_RATE : BASELINE_BAD_RATE);
      // Moves are small increases; a bad one carries a currency code the shop does not price in
      // (2.4.0's new market feed says EURO): denied, and no markdown, counter or breaker involved.
      const price = Math.round(sku.price * (1 + o.rnd.int(1, 3) / 100));
      const intent: Intent = {
        action: 'pricing.set_price',
        target: { type: 'sku', id: sku.sku },
        params: { sku: sku.sku, price, currency: bad ? 'EURO' : 'EUR' },
        confidence: 0.8 + o.rnd.next() * 0.19,
        justification: `elasticity model ${arm === 'canary' ? '2.4.0' : '2.3.9'} for ${sku.sku}`,
        dataUsed: [{ source: 'catalog', ref: sku.sku, dataClasses: ['product', 'market'] }],
        variant: { rollout: canaryKey, name: arm },
      };
      proposed[arm] += 1;
      const afterRollback = rolledBack && arm === 'canary';
      if (afterRollback) after.proposed += 1;
      const result = await attempt(client, intent, () => undefined);
      refused(result.why);
      if (afterRollback && result.refusedBy === 'killswitch') after.refused += 1;
      // Halted locally (the SDK heard the switch on its control stream): nothing was sent, do not spin.
      return result.why !== 'killswitch';
    };
    const abStep = async (): Promise<boolean> => {
      const customer = o.rnd.pick(o.customers);
      const variant = concierge.variant(abKey, customer.id);
      if (!variant) return false;
      const csat = rating(o.rnd, PROMPT_CSAT[variant.promptId ?? ''] ?? 4);
      const result = await attempt(
        concierge,
        {
          action: 'service.send_message',
          target: { type: 'customer', id: customer.id },
          params: {
            customerId: customer.id,
            recipientEmail: customer.email,
            channel: 'email',
            message: `Dear ${customer.name}, thank you for your message; we have passed it to your client advisor.`,
          },
          confidence: 0.9,
          justification: `reply to the client's message (prompt ${variant.promptId})`,
          // Order data only: the A/B's replies answer order-status questions.
          dataUsed: [{ source: 'oms', ref: customer.id, dataClasses: ['order'], records: 1 }],
          variant: { rollout: abKey, name: variant.name },
        },
        () => ({ csat }),
        { resultSummary: (r) => r },
      );
      refused(result.why);
      return result.why !== 'killswitch';
    };

    // Watch the canary: the moment it rolls back, and its numbers then; past `endAt`, why the run goes on.
    let canaryView: RolloutView = canary;
    let progressLoggedAt = endAt;
    const watch = (async () => {
      while (Date.now() < end && !rolledBack) {
        await sleep(500);
        canaryView = await api<RolloutView>('GET', `${rolloutsUrl}/${canary.id}`, o.token).catch(
          () => canaryView,
        );
        if (Date.now() - progressLoggedAt >= 15_000 && canaryView.status !== 'rolled_back') {
          progressLoggedAt = Date.now();
          log(canaryProgress(canaryView));
        }
        if (canaryView.status === 'rolled_back') {
          rolledBack = true;
          settle();
          log(`canary ${canaryKey} rolled back by ${canaryView.transitions.at(-1)?.actor}`);
        }
      }
    })();
    const workers = [
      ...Array.from({ length: o.canaryConcurrency ?? 8 }, () =>
        // After the rollback the canary's agents go on at a routine pace: its intents are refused.
        loop(
          () => end,
          canaryStep,
          () => (rolledBack ? 300 : 0),
        ),
      ),
      ...Array.from({ length: o.abConcurrency ?? 2 }, () =>
        loop(
          () => end,
          abStep,
          () => 0,
        ),
      ),
    ];
    await Promise.all([...workers, watch]);

    const finalCanary = await api<RolloutView>('GET', `${rolloutsUrl}/${canary.id}`, o.token);
    const finalAb = await api<RolloutView>('GET', `${rolloutsUrl}/${ab.id}`, o.token);
    return {
      canary: canaryReport(finalCanary, proposed, after, trafficStarted),
      ab: abReport(finalAb),
      refusals: Object.fromEntries(Object.entries(refusals).sort((a, b) => b[1] - a[1])),
      problems,
    };
  } catch (error) {
    problems.push(`rollouts: ${(error as Error).message}`);
    return { refusals, problems };
  } finally {
    clients.forEach((c) => c.close());
  }
}

function canaryReport(
  v: RolloutView,
  proposed: Record<string, number>,
  after: { proposed: number; refused: number },
  trafficStarted: number,
): CanaryReport {
  const t = v.transitions.find((x) => x.transition === 'rolled_back');
  const g = v.analysis.guardrails.find((x) => x.kpi === 'deny_rate');
  const decisions = t?.decisions ?? {};
  return {
    key: v.key,
    id: v.id,
    status: v.status,
    weights: v.weights,
    proposed,
    rollback: t && {
      at: t.at,
      secondsAfterStart: Math.max(0, (Date.parse(t.at) - trafficStarted) / 1000),
      intents: Object.values(decisions).reduce((s, n) => s + n, 0),
      decisions,
      actor: t.actor,
      reason: t.reason,
      killSwitchId: t.killSwitchId ?? v.halts.find((h) => h.killSwitchId)?.killSwitchId ?? undefined,
    },
    candidateAfterRollback: after,
    denyRate: {
      baseline: g?.baselineValue ?? null,
      candidate: g?.candidateValue ?? null,
      effect: [g?.evidence.lower ?? null, g?.evidence.upper ?? null],
      // After the rollback the candidate is no longer served, so no guardrail row: the transition holds the evidence.
      test: g?.status ?? (t ? 'harm' : 'insufficient_data'),
    },
  };
}

/**
 * Why the run goes on past `--duration`: the canary's counts so far. Its deny-rate test (5 % →
 * 12 % at 50/50, α 0.05) needs about 330 counted intents at the median and 1,000 at p95 (the
 * library on seeded streams); the platform's decision latency sets how fast they come.
 */
function canaryProgress(v: RolloutView): string {
  const d = v.analysis.decisions;
  const g = v.analysis.guardrails.find((x) => x.kpi === 'deny_rate');
  const pct = (x: number | null | undefined) => (typeof x === 'number' ? `${(x * 100).toFixed(1)} %` : '—');
  const total = Object.values(d).reduce((sum, n) => sum + n, 0);
  return `canary ${v.key} not decided yet: ${total} intents counted (${Object.entries(d)
    .map(([arm, n]) => `${arm} ${n}`)
    .join(
      ', ',
    )}), deny rate ${pct(g?.baselineValue)} vs ${pct(g?.candidateValue)}; its test needs ~330 (median) to ~1,000 (p95)`;
}

function abReport(v: RolloutView): AbReport {
  const p = v.analysis.primary;
  const variants = new Map([v.baseline, ...v.candidates].map((x) => [x.name, x.promptId ?? x.name]));
  return {
    key: v.key,
    id: v.id,
    status: v.status,
    kpi: p ? `${p.title} (result.csat)` : 'business value',
    arms: (p?.arms ?? []).map((a) => ({ ...a, variant: variants.get(a.arm) ?? a.arm })),
    winner: p?.winner ?? null,
    decisions: v.analysis.decisions,
  };
}

/**
 * The canary's working set: SKUs of the catalog, in order, until the candidate's and the
 * baseline's shares match the canary weight — the assignment is the rollout's own (the salted hash
 * the SDK computes), so the units are neither chosen nor moved, only sampled to the weight.
 */
function balancedSkus(catalog: SimSku[], armOf: (sku: SimSku) => string | undefined): SimSku[] {
  const pool = catalog.filter((s) => !s.flagship && s.category === 'ready-to-wear');
  const out = { canary: [] as SimSku[], stable: [] as SimSku[] };
  for (const sku of pool) {
    const arm = armOf(sku);
    if (arm === 'canary' && out.canary.length < CANARY_SKUS.candidate) out.canary.push(sku);
    if (arm === 'stable' && out.stable.length < CANARY_SKUS.baseline) out.stable.push(sku);
    if (out.canary.length === CANARY_SKUS.candidate && out.stable.length === CANARY_SKUS.baseline) break;
  }
  if (out.canary.length < CANARY_SKUS.candidate) throw new Error('too few SKUs for the canary working set');
  return [...out.canary, ...out.stable];
}

/** Until the variant gate knows the rollout, a variant is refused as unknown: probe with a wrong one (never counted). */
async function gateKnows(
  pricing: { stable: AgentOpsClient; canary: AgentOpsClient },
  key: string,
  candidateSku: SimSku,
): Promise<void> {
  await until(async () => {
    const decision = await pricing.stable
      .propose({
        action: 'pricing.set_price',
        target: { type: 'sku', id: candidateSku.sku },
        params: { sku: candidateSku.sku, price: candidateSku.price, currency: 'EUR' },
        confidence: 0.9,
        justification: 'probe: does the variant gate know the canary?',
        dataUsed: [],
        variant: { rollout: key, name: 'stable' },
      })
      .catch(() => undefined);
    return decision?.reasons.some((r) => r.message.includes('rollout_variant_mismatch'));
  }, 20_000);
}

/** Ends the rollouts an earlier run left live, and releases the kill switches their rollbacks flipped. */
async function endLeftovers(o: RolloutScenarioOptions): Promise<void> {
  const { rollouts } = await api<{ rollouts: RolloutView[] }>(
    'GET',
    `${o.endpoints.rollout}/v1/rollouts`,
    o.token,
  );
  for (const r of rollouts) {
    if (!r.key.startsWith(CANARY_PREFIX) && !r.key.startsWith(AB_PREFIX)) continue;
    if (r.status === 'running' || r.status === 'paused')
      await api('POST', `${o.endpoints.rollout}/v1/rollouts/${r.id}/rollback`, o.token, {
        reason: 'simulation rerun: an earlier run left it live',
      }).catch(() => undefined);
    const view = await api<RolloutView>('GET', `${o.endpoints.rollout}/v1/rollouts/${r.id}`, o.token).catch(
      () => r,
    );
    for (const h of view.halts)
      if (h.killSwitchId)
        await api('POST', `${o.endpoints.killswitch}/v1/killswitches/${h.killSwitchId}/release`, o.token, {
          reason: 'simulation rerun: starting from a clean slate',
        }).catch(() => undefined);
  }
}

/** One guarded action; what refused it, if anything. */
async function attempt<T>(
  client: AgentOpsClient,
  intent: Intent,
  execute: () => T,
  options: { resultSummary?: (r: T) => Record<string, unknown> } = {},
): Promise<{ refusedBy?: string; why?: string }> {
  try {
    await client.guard(intent, async () => execute(), options);
    return {};
  } catch (error) {
    if (error instanceof HaltedError) return { refusedBy: 'killswitch', why: 'killswitch' };
    if (error instanceof IntentDeniedError) {
      const d = error.decision;
      const reason = d.reasons.find((r) => r.effect !== 'allow' && r.mode !== 'shadow');
      return { refusedBy: d.decidedBy, why: `${d.decidedBy}: ${reason?.policyId ?? '—'}` };
    }
    return { refusedBy: 'error', why: `error: ${(error as Error).message.slice(0, 80)}` };
  }
}

/** A rating from 1 to 5 around `mean`. */
function rating(rnd: Random, mean: number): number {
  const u = rnd.next() + rnd.next() + rnd.next() - 1.5; // roughly normal, sd 0.5
  return Math.min(5, Math.max(1, Math.round((mean + u * 1.6) * 10) / 10));
}

/** Steps until `endAt()`; a step that had nothing to do (no variant known, halted) waits a little. */
async function loop(endAt: () => number, step: () => Promise<boolean>, pauseMs: () => number): Promise<void> {
  while (Date.now() < endAt()) {
    const acted = await step();
    const p = acted ? pauseMs() : 200;
    if (p) await sleep(p);
  }
}

async function until(probe: () => unknown, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probe()) return;
    await sleep(200);
  }
  throw new Error(`timed out after ${timeoutMs} ms`);
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
