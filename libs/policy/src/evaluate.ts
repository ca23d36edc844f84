import { globMatches } from '@agentops/cohort-selector';
import type { DecisionGrounding, DecisionReason, Obligation, Verdict } from '@agentops/contracts';
import { EvaluationContext } from './evaluation-context';
import {
  NO_KNOWLEDGE,
  checkedGrounding,
  claimsFired,
  pickedClaims,
  restorePicked,
  voiceOf,
  withGrounding,
} from './grounding';
import { CompiledObligation, CompiledPolicy, CompiledPolicySet } from './policy-set';
import { redactPii } from './text-detectors';

export interface MatchedPolicy {
  id: string;
  version: string;
  mode: 'enforce' | 'shadow';
}

/** The outcome of one policy set on one intent, with everything needed to explain it. */
export interface PolicyEvaluation {
  verdict: Verdict;
  /** Every matched policy: violations first (enforced, then shadow), then those that passed. */
  reasons: DecisionReason[];
  obligations: Obligation[];
  modifiedParams?: Record<string, unknown>;
  matched: MatchedPolicy[];
  /** What the verdict would be if shadow policies were enforced. */
  shadowVerdict: Verdict;
  /** The claims checked against the tenant's knowledge and the policies that fired on each. */
  grounding?: DecisionGrounding;
}

export const VERDICT_SEVERITY: Record<Verdict, number> = { allow: 0, modify: 1, escalate: 2, deny: 3 };

/**
 * Deterministic combination: deny > escalate > modify > allow. `warn` only explains. Shadow
 * policies are evaluated and reported, never change the verdict. A validation that cannot be
 * evaluated counts as violated: a guardrail that cannot check must not wave an action through.
 */
export function evaluatePolicySet(set: CompiledPolicySet, ctx: EvaluationContext): PolicyEvaluation {
  return evaluatePolicies(set.policies, ctx);
}

/**
 * The combination behind every set, over any sequence of policies. Each policy judges the intent as
 * proposed (never another policy's modification); obligations apply in order on one copy of the
 * params; the verdict is the most severe. So adding policies can only keep or raise the verdict —
 * what lets a tenant's set be layered over the baseline without weakening it (policy-layers.ts).
 */
export function evaluatePolicies(
  policies: readonly CompiledPolicy[],
  ctx: EvaluationContext,
): PolicyEvaluation {
  return withGrounding(ctx.grounding, () => {
    const evaluation = evaluateInScope(policies, ctx);
    const grounding = checkedGrounding();
    return grounding ? { ...evaluation, grounding } : evaluation;
  });
}

function evaluateInScope(policies: readonly CompiledPolicy[], full: EvaluationContext): PolicyEvaluation {
  const { grounding: _grounding, ...ctx } = full;
  const violations: DecisionReason[] = [];
  const passed: DecisionReason[] = [];
  const matched: MatchedPolicy[] = [];
  let verdict: Verdict = 'allow';
  let shadowVerdict: Verdict = 'allow';
  let params: Record<string, unknown> = { ...ctx.intent.params };
  const obligations: Obligation[] = [];

  for (const policy of policies) {
    if (!matches(policy, ctx)) continue;
    matched.push({ id: policy.id, version: policy.version, mode: policy.mode });
    const activation = {
      ...ctx,
      knowledge: ctx.knowledge ?? NO_KNOWLEDGE,
      intent: { ...ctx.intent, params: ctx.intent.params },
      variables: {} as Record<string, unknown>,
    };
    let violated = false;
    restorePicked(undefined);
    try {
      for (const v of policy.variables) activation.variables[v.name] = v.program(activation);
    } catch (error) {
      violations.push(reason(policy, `variables could not be evaluated: ${firstLine(error)}`, 'deny'));
      if (policy.mode === 'enforce') verdict = 'deny';
      shadowVerdict = 'deny';
      continue;
    }
    const pickedByVariables = pickedClaims();
    for (const validation of policy.validations) {
      restorePicked(pickedByVariables);
      let holds: boolean;
      let failed = false;
      let message = validation.message ?? `${policy.id}: ${validation.expression}`;
      try {
        holds = validation.program(activation) === true;
      } catch (error) {
        holds = false;
        failed = true;
        message = `could not evaluate ${validation.expression}: ${firstLine(error)}`;
      }
      if (holds) continue;
      violated = true;
      const onClaims = pickedClaims(); // before the message reads claims of its own
      if (validation.messageProgram) {
        try {
          message = String(validation.messageProgram(activation));
        } catch {
          /* keep the static message */
        }
      }
      // A modify that cannot be checked has nothing sound to modify: fail closed (deny), not allow.
      const effect = failed && validation.effect === 'modify' ? 'deny' : validation.effect;
      violations.push(reason(policy, message, effect));
      claimsFired(onClaims, { policyId: policy.id, effect, mode: policy.mode });
      if (effect === 'warn') continue;
      const asVerdict: Verdict = effect;
      if (VERDICT_SEVERITY[asVerdict] > VERDICT_SEVERITY[shadowVerdict]) shadowVerdict = asVerdict;
      if (policy.mode === 'shadow') continue;
      if (VERDICT_SEVERITY[asVerdict] > VERDICT_SEVERITY[verdict]) verdict = asVerdict;
      if (effect === 'modify') {
        try {
          params = applyObligations(validation.obligations, activation, params, obligations);
        } catch (error) {
          // An obligation that cannot be computed must not escape (no decision at all) nor allow.
          violations.push(reason(policy, `obligation could not be evaluated: ${firstLine(error)}`, 'deny'));
          verdict = 'deny';
          shadowVerdict = 'deny';
        }
      }
    }
    if (!violated) passed.push(reason(policy, 'passed', 'allow'));
  }
  const enforced = violations.filter((r) => r.mode === 'enforce');
  const shadow = violations.filter((r) => r.mode === 'shadow');
  const changed = obligations.length > 0;
  return {
    verdict: verdict === 'modify' && !changed ? 'allow' : verdict,
    reasons: [...enforced, ...shadow, ...passed],
    obligations,
    modifiedParams: changed ? params : undefined,
    matched,
    shadowVerdict,
  };
}

/** Applies cap and redact obligations to a copy of params; records the ones that changed something. */
function applyObligations(
  specs: CompiledObligation[],
  activation: Record<string, unknown>,
  initial: Record<string, unknown>,
  obligations: Obligation[],
): Record<string, unknown> {
  let params = initial;
  for (const o of specs) {
    if (o.type === 'cap') {
      const max = Number(o.max(activation));
      const current = Number(params[o.field]);
      if (Number.isFinite(max) && Number.isFinite(current) && current > max) {
        params = { ...params, [o.field]: max };
        obligations.push({ type: 'cap', field: o.field, max });
      }
    } else {
      const text = params[o.field];
      if (typeof text !== 'string') continue;
      if (o.detector === 'brand-voice') {
        // Off-brand words the tenant's voice rules mark `redact`, replaced as the rules say.
        const voiced = voiceOf(text);
        if (voiced.redacted !== text) {
          params = { ...params, [o.field]: voiced.redacted };
          obligations.push({ type: 'redact', field: o.field, spans: voiced.spans });
        }
        continue;
      }
      const keep = o.keep ? ((o.keep(activation) as unknown[]) ?? []).map(String) : [];
      const redacted = redactPii(text, keep);
      if (redacted.spans.length) {
        params = { ...params, [o.field]: redacted.text };
        obligations.push({ type: 'redact', field: o.field, spans: redacted.spans });
      }
    }
  }
  return params;
}

function matches(policy: CompiledPolicy, ctx: EvaluationContext): boolean {
  if (!policy.actions.some((glob) => globMatches(glob, ctx.intent.action))) return false;
  const a = policy.agents;
  if (!a) return true;
  if (a.roles && !a.roles.includes(ctx.agent.role)) return false;
  if (a.tenants && !a.tenants.includes(ctx.agent.tenantId)) return false;
  if (a.regions && !a.regions.includes(ctx.agent.region)) return false;
  if (a.versions && !a.versions.includes(ctx.agent.version)) return false;
  if (a.labels && Object.entries(a.labels).some(([k, v]) => ctx.agent.labels?.[k] !== v)) return false;
  return true;
}

function reason(policy: CompiledPolicy, message: string, effect: DecisionReason['effect']): DecisionReason {
  return { policyId: policy.id, policyVersion: policy.version, message, effect, mode: policy.mode };
}

function firstLine(error: unknown): string {
  return (error as Error).message?.split('\n')[0] ?? String(error);
}
