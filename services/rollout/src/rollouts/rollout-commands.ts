import { FieldIssue } from '@agentops/contracts';
import { selectorsOverlap } from '@agentops/cohort-selector';
import {
  RolloutAnalysis,
  RolloutPlan,
  RolloutState,
  analyseRollout,
  emptyRolloutStats,
  initialState,
  openStratum,
  pauseRollout,
  promoteRollout,
  resumeRollout,
  rollBackRollout,
  validateRollout,
  validateRolloutYaml,
} from '@agentops/rollout-analysis';
import { newEventId } from '@agentops/messaging';
import {
  ALL_TENANTS,
  Clock,
  DomainError,
  Page,
  PageRequest,
  Principal,
  canAccessTenant,
} from '@agentops/service-runtime';
import { Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { parse as parseYaml } from 'yaml';
import { ApplyRequest } from './rollout-requests';
import { RolloutPropagation } from './rollout-propagation';
import { planOf } from './rollout-plans';
import { RolloutRecord, RolloutStore, unitPathRoot } from './rollout-store';
import { candidateHaltOf, haltLeaseOf } from './rollout-transitions';

/** A coded rollout error: unknown (or another tenant's) is 404, bad input 400, a live key 409. */
export class RolloutError extends DomainError<'not_found' | 'invalid' | 'forbidden' | 'conflict'> {}

export interface RolloutSummary {
  id: string;
  key: string;
  tenantId: string;
  mode: RolloutPlan['mode'];
  status: RolloutState['status'];
  pausedReason?: RolloutState['pausedReason'];
  stepIndex: number;
  steps: RolloutPlan['steps'];
  weights: RolloutState['weights'];
  stepStartedAt: string;
  unitPath: string;
  /** The assignment salt: what the SDK hashes with (it is on the control stream too; not a secret). */
  salt: string;
  baseline: RolloutPlan['baseline'];
  candidates: RolloutPlan['candidates'];
  generation: number;
  halts: RolloutRecord['halts'];
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}

export interface RolloutStatusView extends RolloutSummary {
  document: unknown;
  analysis: RolloutAnalysis;
  transitions: unknown[];
}

const invalid = (issues: FieldIssue[]) =>
  new RolloutError('invalid', issues.map((i) => `${i.path}: ${i.message}`).join('; '), { issues });

/**
 * Use cases on rollouts: apply an `AgentRollout`, read them, and a human's pause, resume, promote
 * and rollback. Each change is stored with its transition first, then propagated (state on the
 * compacted topic, transition on its topic, halts through killswitch).
 */
@Injectable()
export class RolloutCommands {
  constructor(
    private readonly store: RolloutStore,
    private readonly propagation: RolloutPropagation,
    private readonly clock: Clock,
  ) {}

  async apply(principal: Principal, body: ApplyRequest): Promise<RolloutStatusView> {
    const now = this.clock.now().getTime();
    const isYaml = typeof body.yaml === 'string' && Object.keys(body).length === 1;
    const validation = isYaml ? validateRolloutYaml(body.yaml as string) : validateRollout(body);
    if (!validation.ok) throw invalid(validation.issues);
    const { plan } = validation;
    // Stored as written (durations as text, defaults unresolved): the plan is derived from it.
    const document: unknown = isYaml ? parseYaml(body.yaml as string) : body;
    if (!canAccessTenant(principal, plan.tenant))
      throw new RolloutError('forbidden', `spec.cohort.tenant: ${plan.tenant} is not your tenant`);

    const issues: FieldIssue[] = [];
    for (const other of await this.store.live(plan.tenant)) {
      const otherPlan = planOf(other);
      if (other.key === plan.key)
        throw new RolloutError(
          'conflict',
          `rollout ${plan.key} is already live (${other.state.status}) in ${plan.tenant}`,
        );
      if (selectorsOverlap(otherPlan.selector, plan.selector))
        issues.push({
          path: 'spec.cohort',
          message: `overlaps the cohort of the active rollout ${other.key}; one unit may serve one rollout only`,
        });
    }
    const evidence = await this.store.unitPathEvidence(plan.tenant, unitPathRoot(plan.unitPath));
    if (evidence === 'unseen')
      issues.push({ path: 'spec.unit', message: `no intent of tenant ${plan.tenant} has ${plan.unitPath}` });
    if (issues.length) throw invalid(issues);

    const state = initialState(plan, now);
    const stats = emptyRolloutStats();
    openStratum(stats, 0, state.weights);
    const at = new Date(now).toISOString();
    const record: RolloutRecord = {
      id: newEventId(),
      tenantId: plan.tenant,
      key: plan.key,
      document,
      salt: randomBytes(12).toString('hex'),
      state,
      stats,
      generation: 1,
      halts: [],
      createdBy: actorOf(principal),
      createdAt: at,
      updatedAt: at,
    };
    const applied = this.propagation.transitionEvent(record, {
      transition: 'applied',
      actor: record.createdBy,
      reason:
        evidence === 'no_traffic'
          ? `applied; no intent of ${plan.tenant} seen yet, so ${plan.unitPath} is unchecked`
          : 'applied',
    });
    await this.store.insert(record, applied);
    await this.propagation.propagate(record, [applied]);
    return this.status(principal, record.id);
  }

  async list(principal: Principal, page: PageRequest): Promise<Page<RolloutSummary>> {
    const { items, next } = await this.store.list(
      principal.tenantId === ALL_TENANTS ? undefined : principal.tenantId,
      page,
    );
    return { items: items.map(summaryOf), next };
  }

  async status(principal: Principal, ref: string): Promise<RolloutStatusView> {
    const record = await this.resolve(principal, ref);
    const plan = planOf(record);
    return {
      ...summaryOf(record),
      document: record.document,
      analysis: analyseRollout(plan, record.stats, {
        weights: record.state.weights,
        step: record.state.stepIndex,
      }),
      transitions: (await this.store.transitions(record.id)).map((t) => t.data),
    };
  }

  pause(principal: Principal, ref: string, reason?: string) {
    return this.manual(principal, ref, 'paused', reason, (_plan, state) => pauseRollout(state));
  }

  resume(principal: Principal, ref: string, reason?: string) {
    return this.manual(principal, ref, 'resumed', reason, (_plan, state) => resumeRollout(state));
  }

  promote(principal: Principal, ref: string, variant?: string, reason?: string) {
    return this.manual(principal, ref, 'promoted', reason, (plan, state) => {
      const chosen = variant ?? (plan.candidates.length === 1 ? plan.candidates[0].name : undefined);
      if (!chosen || !plan.candidates.some((c) => c.name === chosen))
        throw invalid([
          {
            path: 'variant',
            message: `name one of the candidates: ${plan.candidates.map((c) => c.name).join(', ')}`,
          },
        ]);
      return promoteRollout(plan, state, chosen);
    });
  }

  rollback(principal: Principal, ref: string, reason?: string) {
    return this.manual(principal, ref, 'rolled_back', reason, (plan, state) => rollBackRollout(plan, state));
  }

  private async manual(
    principal: Principal,
    ref: string,
    transition: 'paused' | 'resumed' | 'promoted' | 'rolled_back',
    reason: string | undefined,
    next: (plan: RolloutPlan, state: RolloutState) => RolloutState,
  ): Promise<RolloutStatusView> {
    const found = await this.resolve(principal, ref);
    const changed = await this.store.mutate(found.id, async (current) => {
      const plan = planOf(current);
      const state = next(plan, current.state);
      if (state === current.state)
        throw new RolloutError(
          'conflict',
          `rollout ${current.key} is ${current.state.status}: cannot be ${transition}`,
        );
      const stats = structuredClone(current.stats);
      const weightsMoved = JSON.stringify(state.weights) !== JSON.stringify(current.state.weights);
      if (weightsMoved && transition !== 'promoted') openStratum(stats, state.stepIndex, state.weights);
      const now = this.clock.now().toISOString();
      const halts = [...current.halts];
      const lease = haltLeaseOf(current.generation + 1, Date.parse(now));
      if (transition === 'rolled_back')
        for (const c of plan.candidates)
          if ((current.state.weights[c.name] ?? 0) > 0) halts.push(candidateHaltOf(plan, c.name, lease));
      const record: RolloutRecord = {
        ...current,
        state,
        stats,
        halts,
        generation: current.generation + 1,
        updatedAt: now,
      };
      const event = this.propagation.transitionEvent(record, {
        transition,
        actor: actorOf(principal),
        reason: reason ?? `${transition.replace('_', ' ')} by ${actorOf(principal)}`,
        fromStatus: current.state.status,
        variant:
          transition === 'promoted'
            ? Object.keys(state.weights).find((a) => state.weights[a] === 100)
            : undefined,
      });
      return { record, transitions: [event], result: { record, event } };
    });
    if (!changed) throw new RolloutError('not_found', `no rollout ${ref}`);
    await this.propagation.propagate(changed.record, [changed.event]);
    return this.status(principal, changed.record.id);
  }

  /** By id or key; another tenant's rollout is unknown (404), as a missing one. */
  private async resolve(principal: Principal, ref: string): Promise<RolloutRecord> {
    const isId = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(ref);
    let record: RolloutRecord | null = null;
    if (isId) record = await this.store.find(ref);
    else
      record = await this.store.findByKey(
        principal.tenantId === ALL_TENANTS ? undefined : principal.tenantId,
        ref,
      );
    if (!record || !canAccessTenant(principal, record.tenantId))
      throw new RolloutError('not_found', `no rollout ${ref}`);
    return record;
  }
}

function summaryOf(r: RolloutRecord): RolloutSummary {
  const plan = planOf(r);
  return {
    id: r.id,
    key: r.key,
    tenantId: r.tenantId,
    mode: plan.mode,
    status: r.state.status,
    pausedReason: r.state.pausedReason,
    stepIndex: r.state.stepIndex,
    steps: plan.steps,
    weights: r.state.weights,
    stepStartedAt: new Date(r.state.stepStartedAt).toISOString(),
    unitPath: plan.unitPath,
    salt: r.salt,
    baseline: plan.baseline,
    candidates: plan.candidates,
    generation: r.generation,
    halts: r.halts,
    createdBy: r.createdBy,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  };
}

export function actorOf(p: Principal): string {
  return p.kind === 'operator' ? 'operator' : p.kind === 'service' ? `service:${p.id}` : `user:${p.id}`;
}
