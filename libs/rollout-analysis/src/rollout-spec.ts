import { CohortSelector, FieldIssue } from '@agentops/contracts';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { EffectAmount, HarmDirection, KPI_NAMES, KPIS, KpiName } from './kpis';

/**
 * `kind: AgentRollout`, as written in YAML (Kubernetes style, like `GuardrailPolicy`). A canary
 * walks one candidate through weighted steps and rolls it back on proven harm; an experiment
 * keeps fixed weights over several variants and reports a primary KPI per arm.
 *
 * After validation, durations are milliseconds and effect amounts are `{ absolute }` or
 * `{ relative }`; keep the document as written if you need to show it back.
 */

const ArmName = z
  .string()
  .min(1)
  .max(50)
  .regex(/^[a-z0-9][a-z0-9._-]*$/, 'lowercase letters, digits, . _ and - only');

/** A variant is any combination of agent version, prompt and reasoning framework. */
export const VariantSpec = z
  .object({
    name: ArmName,
    agentVersion: z.string().min(1).max(50).optional(),
    promptId: z.string().min(1).max(100).optional(),
    framework: z.string().min(1).max(100).optional(),
  })
  .strict()
  .refine((v) => v.agentVersion !== undefined || v.promptId !== undefined || v.framework !== undefined, {
    message: 'a variant names at least one of agentVersion, promptId, framework',
  });
export type VariantSpec = z.infer<typeof VariantSpec>;

const DURATION = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;
/** `90s`, `10m`, `1h30m` → milliseconds. */
export const Duration = z
  .string()
  .regex(DURATION, 'a duration such as 30s, 10m or 1h30m')
  .refine((s) => s.length > 0, 'a duration such as 30s, 10m or 1h30m')
  .transform((s) => {
    const [, h, m, sec] = DURATION.exec(s)!;
    return ((Number(h ?? 0) * 60 + Number(m ?? 0)) * 60 + Number(sec ?? 0)) * 1000;
  });

/** `0.02` (in the KPI's unit) or `10%` (relative to the baseline arm). */
export const Amount = z
  .union([
    z.number().finite().nonnegative(),
    z.string().regex(/^\d+(\.\d+)?%$/, 'a number or a percentage such as 10%'),
  ])
  .transform((v): EffectAmount =>
    typeof v === 'number' ? { absolute: v } : { relative: Number(v.slice(0, -1)) / 100 },
  );

const KpiNameSchema = z.enum(KPI_NAMES, { error: `unknown KPI; known: ${KPI_NAMES.join(', ')}` });

/** A path into an outcome report, such as `executedParams.margin` or `result.margin`. */
const ValuePath = z
  .string()
  .max(200)
  .regex(/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/, 'a dotted path such as result.margin');

export const GuardrailSpec = z
  .object({
    kpi: KpiNameSchema,
    /** Defaults to the KPI's natural harm (rates, latency, cost, tokens up; business value down). */
    direction: z.enum(['increase_is_harm', 'decrease_is_harm']).optional(),
    /** Degradation accepted without rollback: absolute in the KPI's unit, or `N%` of the baseline. */
    tolerance: Amount.optional(),
    /** The harm beyond the tolerance the test is tuned to catch fastest (larger harms are caught sooner). */
    minimumEffect: Amount.optional(),
    /** For `business_value`: where the value is in the outcome report. */
    path: ValuePath.optional(),
  })
  .strict();
export type GuardrailSpec = z.infer<typeof GuardrailSpec>;

export const PrimaryKpiSpec = z
  .object({
    kpi: KpiNameSchema,
    /** Defaults to the opposite of the KPI's harm: lower deny rate is better, higher value is better. */
    direction: z.enum(['higher_is_better', 'lower_is_better']).optional(),
    minimumEffect: Amount.optional(),
    path: ValuePath.optional(),
  })
  .strict();
export type PrimaryKpiSpec = z.infer<typeof PrimaryKpiSpec>;

export const StepSpec = z
  .object({
    /** The candidate's share of units, in percent (up to two decimals): 0 < weight < 100. */
    weight: z
      .number()
      .gt(0, 'weight must be above 0')
      .lt(100, 'weight must be below 100 (the last step promotes)'),
    minDwell: Duration,
    minSamplePerArm: z.number().int().min(1).max(100_000_000).default(1000),
  })
  .strict();
export type StepSpec = z.infer<typeof StepSpec>;

export const ExperimentSpec = z
  .object({
    /** Percent per arm (baseline and every candidate), summing to 100. */
    weights: z
      .record(z.string(), z.number().gt(0, 'weight must be above 0').lt(100, 'weight must be below 100'))
      .refine((w) => Object.keys(w).length <= 6, 'at most 6 arms'),
    primary: PrimaryKpiSpec,
    minSamplePerArm: z.number().int().min(1).max(100_000_000).default(1000),
    minDuration: Duration.optional(),
  })
  .strict();
export type ExperimentSpec = z.infer<typeof ExperimentSpec>;

export const AnalysisSettings = z
  .object({
    /** Family-wise error over every test and every look. */
    alpha: z.number().gt(0).max(0.2).default(0.05),
    /** Sample-ratio mismatch: pause when the chi-square p-value falls below this. */
    srmPValue: z.number().gt(0).max(0.05).default(0.001),
  })
  .strict();

const UNIT_PATH = /^(params|target)(\.[A-Za-z_][A-Za-z0-9_]*)+$/;

export const AgentRolloutDocument = z
  .object({
    apiVersion: z.literal('agentops.io/v1'),
    kind: z.literal('AgentRollout'),
    metadata: z
      .object({
        /** The rollout key: what the SDK's `agentops.variant(rolloutKey, unit)` names. */
        name: z
          .string()
          .min(1)
          .max(63)
          .regex(/^[a-z0-9][a-z0-9.-]*$/, 'lowercase letters, digits, . and -'),
        description: z.string().max(2000).optional(),
        owner: z.string().max(200).optional(),
      })
      .strict(),
    spec: z
      .object({
        mode: z.enum(['canary', 'experiment']).default('canary'),
        cohort: z
          .object({
            tenant: z
              .string()
              .min(1)
              .max(100)
              .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, 'letters, digits and . _ : - only'),
            selector: CohortSelector.default({}),
          })
          .strict(),
        /** Where the assignment unit is in an intent: `params.sku`, `params.customerId`, `target.id`. */
        unit: z.string().max(200).regex(UNIT_PATH, 'a path into the intent such as params.sku or target.id'),
        baseline: VariantSpec,
        candidates: z.array(VariantSpec).min(1).max(5),
        steps: z.array(StepSpec).min(1).max(20).optional(),
        experiment: ExperimentSpec.optional(),
        guardrails: z.array(GuardrailSpec).min(1).max(10),
        analysis: AnalysisSettings.default({ alpha: 0.05, srmPValue: 0.001 }),
      })
      .strict(),
  })
  .strict()
  .superRefine((doc, ctx) => {
    const issue = (path: (string | number)[], message: string) =>
      ctx.addIssue({ code: 'custom', message, path: ['spec', ...path] });
    const spec = doc.spec;
    const arms = [spec.baseline, ...spec.candidates];
    const seen = new Set<string>();
    arms.forEach((arm, i) => {
      const path = i === 0 ? ['baseline', 'name'] : ['candidates', i - 1, 'name'];
      if (seen.has(arm.name)) issue(path, `variant name ${arm.name} is used twice`);
      seen.add(arm.name);
    });
    spec.candidates.forEach((c, i) => {
      if (
        c.agentVersion === spec.baseline.agentVersion &&
        c.promptId === spec.baseline.promptId &&
        c.framework === spec.baseline.framework
      )
        issue(
          ['candidates', i],
          'a candidate must differ from the baseline in agentVersion, promptId or framework',
        );
    });
    if (spec.cohort.selector.tenantId !== undefined && spec.cohort.selector.tenantId !== spec.cohort.tenant)
      issue(
        ['cohort', 'selector', 'tenantId'],
        `must be the cohort's tenant ${spec.cohort.tenant} (or left out)`,
      );

    if (spec.mode === 'canary') {
      if (spec.candidates.length !== 1)
        issue(['candidates'], 'a canary has exactly one candidate; compare several in mode: experiment');
      if (!spec.steps) issue(['steps'], 'a canary needs steps');
      if (spec.experiment) issue(['experiment'], 'only for mode: experiment');
      spec.steps?.forEach((step, i) => {
        if (Math.abs(step.weight * 100 - Math.round(step.weight * 100)) > 1e-9)
          issue(['steps', i, 'weight'], 'at most two decimals (weights are basis points)');
        if (i > 0 && step.weight <= spec.steps![i - 1].weight)
          issue(['steps', i, 'weight'], `must be above the previous step's ${spec.steps![i - 1].weight}`);
      });
    } else {
      if (spec.steps) issue(['steps'], 'an experiment keeps fixed weights: use experiment.weights');
      if (!spec.experiment)
        issue(['experiment'], 'mode: experiment needs experiment.weights and experiment.primary');
      else {
        const weights = spec.experiment.weights;
        for (const name of Object.keys(weights)) {
          if (!seen.has(name)) issue(['experiment', 'weights', name], `not a variant of this rollout`);
          else if (Math.abs(weights[name] * 100 - Math.round(weights[name] * 100)) > 1e-9)
            issue(['experiment', 'weights', name], 'at most two decimals (weights are basis points)');
        }
        for (const arm of arms)
          if (weights[arm.name] === undefined) issue(['experiment', 'weights', arm.name], 'missing weight');
        const total = Object.values(weights).reduce((s, w) => s + w, 0);
        if (Math.abs(total - 100) > 1e-9)
          issue(['experiment', 'weights'], `weights sum to ${total}, not 100`);
        checkKpiFields(spec.experiment.primary, ['experiment', 'primary'], issue);
      }
    }

    const kpis = new Set<string>();
    spec.guardrails.forEach((g, i) => {
      const key = `${g.kpi}:${g.path ?? ''}`;
      if (kpis.has(key)) issue(['guardrails', i, 'kpi'], `${g.kpi} is guarded twice`);
      kpis.add(key);
      checkKpiFields(g, ['guardrails', i], issue);
    });
  });
export type AgentRolloutDocument = z.infer<typeof AgentRolloutDocument>;

function checkKpiFields(
  k: {
    kpi: KpiName;
    direction?: string;
    path?: string;
    tolerance?: EffectAmount;
    minimumEffect?: EffectAmount;
  },
  at: (string | number)[],
  issue: (path: (string | number)[], message: string) => void,
) {
  if (k.kpi === 'business_value' && !k.path)
    issue([...at, 'path'], 'business_value needs the outcome path, e.g. result.margin');
  if (k.kpi !== 'business_value' && k.path) issue([...at, 'path'], `only for business_value, not ${k.kpi}`);
  // The p95 test looks at the slow tail: a faster candidate is never harm.
  if (k.kpi === 'p95_latency' && (k.direction === 'decrease_is_harm' || k.direction === 'higher_is_better'))
    issue([...at, 'direction'], 'p95 latency: only an increase is harm (lower is better)');
  const isRate = KPIS[k.kpi].kind === 'rate';
  for (const field of ['tolerance', 'minimumEffect'] as const) {
    const amount = k[field];
    if (!amount) continue;
    if (isRate && 'absolute' in amount && amount.absolute >= 1)
      issue(
        [...at, field],
        'a rate amount is a share below 1 (0.02 = 2 points) or a percentage of the baseline',
      );
    if (field === 'minimumEffect' && ('absolute' in amount ? amount.absolute : amount.relative) <= 0)
      issue([...at, field], 'must be above 0');
  }
}

/** One guardrail or primary KPI, with every default resolved. */
export interface KpiRule {
  kpi: KpiName;
  /** `${kpi}` or `${kpi}:${path}`: unique within the rollout, the key of its results. */
  id: string;
  path?: string;
  harm: HarmDirection;
  tolerance: EffectAmount;
  minimumEffect: EffectAmount;
}

export interface CanaryStep {
  weight: number;
  minDwellMs: number;
  minSamplePerArm: number;
}

/** A validated rollout, normalised for the analysis and the decision. */
export interface RolloutPlan {
  key: string;
  tenant: string;
  selector: CohortSelector;
  mode: 'canary' | 'experiment';
  unitPath: string;
  baseline: VariantSpec;
  candidates: VariantSpec[];
  /** Every arm's name, baseline first. */
  arms: string[];
  steps: CanaryStep[];
  experiment?: {
    weights: Record<string, number>;
    minSamplePerArm: number;
    minDurationMs: number;
    primary: KpiRule;
  };
  guardrails: KpiRule[];
  alpha: number;
  srmPValue: number;
  /** How many tests share α (Bonferroni): candidates × guardrails, plus the primary's arm pairs. */
  testCount: number;
  alphaPerTest: number;
}

export type RolloutValidation =
  { ok: true; document: AgentRolloutDocument; plan: RolloutPlan } | { ok: false; issues: FieldIssue[] };

/**
 * Validates a rollout (a parsed object) and names every failing field the way HTTP 400 bodies
 * do (`spec.guardrails.1.kpi: unknown KPI; …`). Checks needing other state — whether any intent
 * carries the unit path, whether the cohort overlaps another active rollout — are the service's.
 */
export function validateRollout(input: unknown): RolloutValidation {
  const parsed = AgentRolloutDocument.safeParse(input);
  if (!parsed.success) return { ok: false, issues: fieldIssues(parsed.error) };
  return { ok: true, document: parsed.data, plan: planOf(parsed.data) };
}

/** The same from YAML text; a YAML syntax error is reported at `(document)`. */
export function validateRolloutYaml(text: string): RolloutValidation {
  let input: unknown;
  try {
    input = parseYaml(text);
  } catch (e) {
    return {
      ok: false,
      issues: [{ path: '(document)', message: `not YAML: ${(e as Error).message.split('\n')[0]}` }],
    };
  }
  return validateRollout(input);
}

function fieldIssues(error: z.ZodError): FieldIssue[] {
  return error.issues.flatMap((issue) => {
    const at = issue.path.map(String);
    // An unknown key is the field to name, not its parent.
    if (issue.code === 'unrecognized_keys')
      return issue.keys.map((k) => ({ path: [...at, k].join('.'), message: 'unknown field' }));
    return [{ path: at.length ? at.join('.') : '(root)', message: issue.message }];
  });
}

function planOf(doc: AgentRolloutDocument): RolloutPlan {
  const spec = doc.spec;
  const arms = [spec.baseline.name, ...spec.candidates.map((c) => c.name)];
  const guardrails = spec.guardrails.map((g) => guardrailRule(g));
  const primary = spec.experiment ? primaryRule(spec.experiment.primary) : undefined;
  const pairs = primary ? (arms.length * (arms.length - 1)) / 2 : 0;
  const testCount = spec.candidates.length * guardrails.length + pairs;
  return {
    key: doc.metadata.name,
    tenant: spec.cohort.tenant,
    selector: { ...spec.cohort.selector, tenantId: spec.cohort.tenant },
    mode: spec.mode,
    unitPath: spec.unit,
    baseline: spec.baseline,
    candidates: spec.candidates,
    arms,
    steps: (spec.steps ?? []).map((s) => ({
      weight: s.weight,
      minDwellMs: s.minDwell,
      minSamplePerArm: s.minSamplePerArm,
    })),
    experiment:
      spec.experiment && primary
        ? {
            weights: spec.experiment.weights,
            minSamplePerArm: spec.experiment.minSamplePerArm,
            minDurationMs: spec.experiment.minDuration ?? 0,
            primary,
          }
        : undefined,
    guardrails,
    alpha: spec.analysis.alpha,
    srmPValue: spec.analysis.srmPValue,
    testCount,
    alphaPerTest: spec.analysis.alpha / testCount,
  };
}

function ruleId(kpi: KpiName, path?: string): string {
  return path ? `${kpi}:${path}` : kpi;
}

function guardrailRule(g: GuardrailSpec): KpiRule {
  const def = KPIS[g.kpi];
  const harm: HarmDirection = g.direction
    ? g.direction === 'increase_is_harm'
      ? 'increase'
      : 'decrease'
    : def.harm;
  return {
    kpi: g.kpi,
    id: ruleId(g.kpi, g.path),
    path: g.path,
    harm,
    tolerance: g.tolerance ?? { absolute: 0 },
    minimumEffect: g.minimumEffect ?? def.defaultMinimumEffect,
  };
}

/** The primary KPI as a rule whose "harm" direction is the worse direction. */
function primaryRule(p: PrimaryKpiSpec): KpiRule {
  const def = KPIS[p.kpi];
  const harm: HarmDirection = p.direction
    ? p.direction === 'higher_is_better'
      ? 'decrease'
      : 'increase'
    : def.harm;
  return {
    kpi: p.kpi,
    id: ruleId(p.kpi, p.path),
    path: p.path,
    harm,
    tolerance: { absolute: 0 },
    minimumEffect: p.minimumEffect ?? def.defaultMinimumEffect,
  };
}
