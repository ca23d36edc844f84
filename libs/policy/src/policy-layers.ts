import { PolicyEvaluation, evaluatePolicies } from './evaluate';
import type { CompiledKnowledge } from '@agentops/knowledge';
import { EvaluationContext } from './evaluation-context';
import { checkContextOf, knowledgeFacts } from './grounding';
import { CompiledPolicySet, PolicyProblem } from './policy-set';

/**
 * Policy sets are layered, as Kubernetes binds admission policies per namespace: the platform
 * **baseline**, which only platform-wide principals change, judges every intent; a **tenant's set**
 * judges its own tenant's intents on top of it. A tenant set can only add constraints:
 *
 * - both layers are evaluated as one sequence (baseline first) by the one combination
 *   (deny > escalate > modify > allow), in which every policy judges the intent as proposed, so a
 *   tenant policy can raise the verdict and never lower it; an empty tenant set changes nothing;
 * - a tenant policy never replaces a baseline policy: redefining a baseline policy's name is refused
 *   when the tenant set is applied (`tenantSetProblems`), and should the baseline later take a name a
 *   tenant already uses, both policies are evaluated;
 * - obligations of both layers apply in order, baseline first, on one copy of the params: a cap only
 *   ever lowers a value and a redaction only removes text, so the stricter of two caps wins and
 *   both redactions hold;
 * - shadow policies of either layer are reported (`shadowVerdict`), never enforced.
 */
export interface PolicyLayers {
  baseline: CompiledPolicySet;
  /** The intent's tenant's set, when the tenant has applied one. */
  tenant?: CompiledPolicySet;
  /**
   * The tenant's current knowledge version, when it has one: customer-facing text is grounded
   * against it (`claims()`, `voice()`, `approvedCopy()`, `knowledge`) unless the context brings its
   * own `grounding` (the fixture runner does).
   */
  knowledge?: CompiledKnowledge;
}

/** The versions a decision was made with; the decision event carries them (`policySetVersions`). */
export interface PolicyLayerVersions {
  baseline: string;
  tenant?: string;
}

export interface LayeredEvaluation extends PolicyEvaluation {
  versions: PolicyLayerVersions;
}

export function evaluatePolicyLayers(
  layers: PolicyLayers,
  ctx: EvaluationContext,
  now: number = Date.now(),
): LayeredEvaluation {
  const policies = layers.tenant
    ? [...layers.baseline.policies, ...layers.tenant.policies]
    : layers.baseline.policies;
  return { ...evaluatePolicies(policies, groundedIn(layers, ctx, now)), versions: layerVersions(layers) };
}

/** The context with the layers' knowledge as its grounding, read at `now`, when it has none yet. */
function groundedIn(layers: PolicyLayers, ctx: EvaluationContext, now: number): EvaluationContext {
  if (ctx.grounding) return ctx;
  const params = ctx.intent.params;
  const sku = ctx.item.found ? ctx.item.sku : typeof params['sku'] === 'string' ? params['sku'] : undefined;
  const grounding = layers.knowledge && {
    kb: layers.knowledge,
    check: checkContextOf(params, sku, now),
    ...(typeof params['channel'] === 'string' ? { channel: params['channel'] } : {}),
  };
  const cited = ctx.intent as { dataUsed?: { kbVersion?: number }[] };
  return {
    ...ctx,
    knowledge: knowledgeFacts(grounding, cited),
    ...(grounding ? { grounding } : {}),
  };
}

export function layerVersions(layers: PolicyLayers): PolicyLayerVersions {
  return layers.tenant
    ? { baseline: layers.baseline.version, tenant: layers.tenant.version }
    : { baseline: layers.baseline.version };
}

/**
 * The decision's `decisionSource`: `policy-set:<baseline>` as before tenant sets existed, and
 * `policy-set:<baseline>+tenant:<tenant set>` when the tenant's set took part.
 */
export function decisionSourceOf(versions: PolicyLayerVersions): string {
  return versions.tenant
    ? `policy-set:${versions.baseline}+tenant:${versions.tenant}`
    : `policy-set:${versions.baseline}`;
}

/**
 * Why a tenant set may not be applied over this baseline: a policy named like one of the
 * baseline's would read as replacing it (a shadow or always-true copy "disabling" it), so it is
 * refused with the location of its name. Empty when the set may be applied.
 */
export function tenantSetProblems(
  tenant: CompiledPolicySet,
  baseline: CompiledPolicySet | null | undefined,
): PolicyProblem[] {
  if (!baseline) return [];
  const reserved = new Set(baseline.policies.map((p) => p.id));
  return tenant.policies
    .filter((p) => reserved.has(p.id))
    .map((p) => ({
      file: p.file,
      ...p.at,
      message: `metadata.name: ${p.id} is a policy of the platform baseline; a tenant set adds policies of its own and cannot redefine, shadow or replace a baseline policy`,
    }));
}
