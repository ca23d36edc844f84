import { EventTypes } from '@agentops/contracts';
import { EventPublisher, createEvent } from '@agentops/messaging';
import {
  CompiledPolicySet,
  PolicyProblem,
  PolicySource,
  compilePolicySet,
  formatProblem,
  tenantSetProblems,
} from '@agentops/policy';
import { DomainError, EVENT_SOURCE } from '@agentops/service-runtime';
import { Inject, Injectable } from '@nestjs/common';
import { ActivePolicySets } from './active-policy-sets';
import { PolicyScope, scopeKey } from './policy-scope';
import { PolicySetStore } from './policy-set-store';

/** The envelope tenant of a baseline activation, which belongs to no tenant. */
const PLATFORM_TENANT = 'platform';

/**
 * A set refused whole before anything changed; the scope's active set keeps serving. A 422 whose
 * body lists the problems (file, policy, field) and a one-line summary of each.
 */
export class PolicySetRejected extends DomainError<'refused'> {
  constructor(readonly problems: PolicyProblem[]) {
    super('refused', 'policy set rejected; the active set keeps serving', {
      problems,
      summary: problems.map(formatProblem),
    });
  }
}

/**
 * Use case: apply a folder of policy YAML as the one active set of a scope. Compiled and
 * type-checked first (a tenant set also may not redefine a baseline policy), then stored, activated
 * here and published on the compacted topic keyed by scope, so every instance switches the scope
 * atomically while the other scopes stay as they are. Who may apply which scope is the caller's
 * check (the controller).
 */
@Injectable()
export class PolicySetActivation {
  constructor(
    private readonly store: PolicySetStore,
    private readonly active: ActivePolicySets,
    private readonly publisher: EventPublisher,
    @Inject(EVENT_SOURCE) private readonly source: string,
  ) {}

  async apply(scope: PolicyScope, files: PolicySource[], actor: string): Promise<CompiledPolicySet> {
    const result = compilePolicySet(files);
    if (!result.ok) throw new PolicySetRejected(result.problems);
    const set = result.set;
    if (scope.kind === 'tenant') {
      const problems = tenantSetProblems(set, this.active.baseline);
      if (problems.length) throw new PolicySetRejected(problems);
    }
    const appliedAt = await this.store.saveActive(scope, set, actor);
    this.active.activate(scope, set.version, set.policies, appliedAt);
    await this.publisher.publish(
      createEvent(
        EventTypes.PolicySetActivated,
        {
          policySetVersion: set.version,
          ...(scope.kind === 'tenant' ? { tenantId: scope.tenantId } : {}),
          policies: set.policies.map((p) => ({
            id: p.id,
            version: p.version,
            mode: p.mode,
            source: p.source,
            file: p.file,
          })),
          activatedBy: actor,
          activatedAt: appliedAt.toISOString(),
        },
        {
          source: this.source,
          tenantid: scope.kind === 'tenant' ? scope.tenantId : PLATFORM_TENANT,
          subject: set.version,
        },
      ),
      // One message holds the scope's whole set: activation is atomic and compaction keeps the latest.
      scopeKey(scope),
    );
    return set;
  }
}
