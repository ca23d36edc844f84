import type {
  DecidedBy,
  EscalationResolvedV1,
  IntentDecidedV1,
  OutcomeReportedV1,
  OutcomeVerifiedV1,
  TelemetryRecordedV1,
  Verdict,
} from '@agentops/contracts';
import { CURRENT_PRICE_TABLE, PriceTable, costOf, normalizeGenAiAttributes } from '@agentops/genai';
import { readPath } from './assignment';
import { LatencyCounts, addLatency, addLatencyCounts, emptyLatencyCounts } from './latency-histogram';
import { Moments, addObservation, emptyMoments, mergeMoments } from './welford';

/**
 * What one arm did during one stratum (a period of constant weights): counts for the rate KPIs,
 * moments for the per-intent amounts, a fixed-bucket histogram for latency. Plain numbers only,
 * so the service stores it as JSON and adds partial accumulators (instances, restarts) together.
 */
export interface ArmStats {
  /** First decisions of intents (policy, permissions, kill switch, breaker, timeout). */
  decisions: number;
  /** `deny` decided by policy or permissions (kill-switch and timeout refusals are counted apart). */
  denies: number;
  escalations: number;
  /** Decided by `timeout`: nobody decided in time and the intent failed closed. */
  failClosed: number;
  /** Decided by a kill switch or a breaker. */
  halts: number;
  /** Escalations a human resolved (approved, rejected, modified); timeouts are not counted. */
  humanResolutions: number;
  humanRejections: number;
  verifications: number;
  violations: number;
  latency: LatencyCounts;
  /** Per closed intent: the cost and tokens its telemetry reported. */
  cost: Moments;
  tokens: Moments;
  /** Per outcome: the business value at each declared path. */
  value: Record<string, Moments>;
}

export function emptyArmStats(): ArmStats {
  return {
    decisions: 0,
    denies: 0,
    escalations: 0,
    failClosed: 0,
    halts: 0,
    humanResolutions: 0,
    humanRejections: 0,
    verifications: 0,
    violations: 0,
    latency: emptyLatencyCounts(),
    cost: emptyMoments(),
    tokens: emptyMoments(),
    value: {},
  };
}

/**
 * One fact about one intent of a known arm, as the service joins them by intent id. Each fact is
 * recorded once per intent (the service deduplicates redelivered events by event id).
 */
export type IntentFact =
  | { kind: 'decision'; verdict: Verdict; decidedBy: DecidedBy; latencyMs?: number }
  | { kind: 'escalation_resolved'; resolution: EscalationResolvedV1['resolution'] }
  | { kind: 'verification'; violation: boolean }
  /** The intent's totals, once its telemetry is complete (the service decides when it closes). */
  | { kind: 'usage'; costUsd?: number; tokens?: number }
  | { kind: 'business_value'; path: string; value: number };

export function recordFact(arm: ArmStats, fact: IntentFact): void {
  switch (fact.kind) {
    case 'decision':
      arm.decisions += 1;
      if (fact.decidedBy === 'timeout') arm.failClosed += 1;
      else if (fact.decidedBy === 'killswitch' || fact.decidedBy === 'breaker') arm.halts += 1;
      else if (fact.verdict === 'deny') arm.denies += 1;
      if (fact.verdict === 'escalate') arm.escalations += 1;
      if (fact.latencyMs !== undefined && Number.isFinite(fact.latencyMs) && fact.latencyMs >= 0)
        addLatency(arm.latency, fact.latencyMs);
      return;
    case 'escalation_resolved':
      if (fact.resolution === 'timed_out') return;
      arm.humanResolutions += 1;
      if (fact.resolution === 'rejected') arm.humanRejections += 1;
      return;
    case 'verification':
      arm.verifications += 1;
      if (fact.violation) arm.violations += 1;
      return;
    case 'usage':
      if (fact.costUsd !== undefined && Number.isFinite(fact.costUsd)) addObservation(arm.cost, fact.costUsd);
      if (fact.tokens !== undefined && Number.isFinite(fact.tokens)) addObservation(arm.tokens, fact.tokens);
      return;
    case 'business_value':
      if (!Number.isFinite(fact.value)) return;
      addObservation((arm.value[fact.path] ??= emptyMoments()), fact.value);
      return;
  }
}

export function mergeArmStats(a: ArmStats, b: ArmStats): ArmStats {
  const latency = emptyLatencyCounts();
  addLatencyCounts(latency, a.latency);
  addLatencyCounts(latency, b.latency);
  const value: Record<string, Moments> = {};
  for (const path of new Set([...Object.keys(a.value), ...Object.keys(b.value)]))
    value[path] = mergeMoments(a.value[path] ?? emptyMoments(), b.value[path] ?? emptyMoments());
  return {
    decisions: a.decisions + b.decisions,
    denies: a.denies + b.denies,
    escalations: a.escalations + b.escalations,
    failClosed: a.failClosed + b.failClosed,
    halts: a.halts + b.halts,
    humanResolutions: a.humanResolutions + b.humanResolutions,
    humanRejections: a.humanRejections + b.humanRejections,
    verifications: a.verifications + b.verifications,
    violations: a.violations + b.violations,
    latency,
    cost: mergeMoments(a.cost, b.cost),
    tokens: mergeMoments(a.tokens, b.tokens),
    value,
  };
}

// ---- Facts from the platform's events -------------------------------------------------------

/**
 * The decision fact of an intent's *first* decision. A human's final decision after an escalation
 * is not a second decision: it arrives as the escalation's resolution (`escalationFact`), so this
 * returns undefined for `decidedBy: human`. Latency needs the intent's `proposedAt`.
 */
export function decisionFact(
  decided: Pick<IntentDecidedV1, 'verdict' | 'decidedBy' | 'decidedAt'>,
  proposedAt?: string,
): IntentFact | undefined {
  if (decided.decidedBy === 'human') return undefined;
  const latencyMs = proposedAt ? Date.parse(decided.decidedAt) - Date.parse(proposedAt) : undefined;
  return {
    kind: 'decision',
    verdict: decided.verdict,
    decidedBy: decided.decidedBy,
    latencyMs: latencyMs !== undefined && Number.isFinite(latencyMs) ? Math.max(0, latencyMs) : undefined,
  };
}

export function escalationFact(resolved: Pick<EscalationResolvedV1, 'resolution'>): IntentFact {
  return { kind: 'escalation_resolved', resolution: resolved.resolution };
}

export function verificationFact(verified: Pick<OutcomeVerifiedV1, 'violation'>): IntentFact {
  return { kind: 'verification', violation: verified.violation };
}

/** Telemetry attributes read as token counts, summed (OpenTelemetry GenAI names, or plain `tokens`). */
export const TOKEN_ATTRIBUTES = [
  'tokens',
  'gen_ai.usage.input_tokens',
  'gen_ai.usage.output_tokens',
] as const;

/**
 * One intent's cost and tokens, from all the telemetry events that named it. A model call that
 * reports tokens and no `costUsd` is priced with the versioned price table (libs/genai), as the
 * trace store's costs are; one whose model is missing or not in the table makes the intent's cost
 * unknown (no cost observation), never $0 — a cheaper-looking arm must not be one that hides its
 * model. Telemetry with neither tokens nor a cost (a tool call) costs nothing.
 */
export function usageFact(
  events: Pick<TelemetryRecordedV1, 'costUsd' | 'attributes'>[],
  table: PriceTable = CURRENT_PRICE_TABLE,
): IntentFact {
  let costUsd = 0;
  let costUnknown = false;
  let tokens = 0;
  let sawTokens = false;
  for (const e of events) {
    for (const name of TOKEN_ATTRIBUTES) {
      const v = e.attributes?.[name];
      if (typeof v === 'number' && Number.isFinite(v)) {
        tokens += v;
        sawTokens = true;
      }
    }
    if (e.costUsd !== undefined) {
      costUsd += e.costUsd;
      continue;
    }
    const { genAi } = normalizeGenAiAttributes(e.attributes ?? {}, false);
    const priced = costOf(genAi.usage, genAi.model, table);
    if (priced.status === 'priced') costUsd += priced.usd;
    else if (priced.status === 'unknown_model') costUnknown = true;
  }
  return {
    kind: 'usage',
    costUsd: costUnknown ? undefined : costUsd,
    tokens: sawTokens ? tokens : undefined,
  };
}

/** The business value at `path` of an outcome report (`result.margin`), if it is a finite number. */
export function businessValueFact(
  outcome: Pick<OutcomeReportedV1, 'executedParams' | 'result'>,
  path: string,
): IntentFact | undefined {
  const v = readPath(outcome, path);
  const value = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  return Number.isFinite(value) ? { kind: 'business_value', path, value } : undefined;
}
