import { EventTypes } from '@agentops/contracts';
import { EventPublisher, createEvent } from '@agentops/messaging';
import { compilePolicySet, formatProblem } from '@agentops/policy';
import {
  CurrentPrincipal,
  Principal,
  PrincipalGuard,
  RequireRoles,
  ZodValidationPipe,
} from '@agentops/service-runtime';
import {
  Body,
  Controller,
  Get,
  HttpCode,
  Post,
  UnprocessableEntityException,
  UseGuards,
} from '@nestjs/common';
import { z } from 'zod';
import { ActivePolicySet } from './active-policy-set';
import { PolicySetStore } from './policy-set-store';

const ApplyPolicySet = z
  .object({
    files: z
      .array(z.object({ path: z.string().min(1).max(300), content: z.string().max(200_000) }).strict())
      .min(1)
      .max(500),
  })
  .strict();

/**
 * Policy lifecycle: a folder of YAML is applied as one set — parsed and type-checked first, rejected
 * whole with every problem's location, otherwise stored and activated on every instance.
 */
@Controller('v1/policies')
@UseGuards(PrincipalGuard)
export class PoliciesController {
  constructor(
    private readonly store: PolicySetStore,
    private readonly active: ActivePolicySet,
    private readonly publisher: EventPublisher,
  ) {}

  @Post('sets')
  @HttpCode(201)
  @RequireRoles('policy-admin')
  async apply(
    @CurrentPrincipal() principal: Principal,
    @Body(new ZodValidationPipe(ApplyPolicySet)) body: z.infer<typeof ApplyPolicySet>,
  ) {
    const result = compilePolicySet(body.files);
    if (!result.ok) {
      throw new UnprocessableEntityException({
        statusCode: 422,
        error: 'Unprocessable Entity',
        message: 'policy set rejected; the active set keeps serving',
        problems: result.problems,
        summary: result.problems.map(formatProblem),
      });
    }
    const set = result.set;
    await this.store.saveActive(set, principal.id);
    this.active.activate(set.version, set.policies);
    const policies = set.policies.map((p) => ({
      id: p.id,
      version: p.version,
      mode: p.mode,
      source: p.source,
    }));
    await this.publisher.publish(
      createEvent(
        EventTypes.PolicySetActivated,
        {
          policySetVersion: set.version,
          policies,
          activatedBy: principal.id,
          activatedAt: new Date().toISOString(),
        },
        {
          source: 'agentops/guardrail',
          tenantid: principal.tenantId === '*' ? 'platform' : principal.tenantId,
          subject: set.version,
        },
      ),
      // One message holds the whole set, so activation is atomic and compaction keeps the latest.
      'active-policy-set',
    );
    return {
      version: set.version,
      policies: set.policies.map((p) => ({ id: p.id, version: p.version, mode: p.mode, file: p.file })),
    };
  }

  @Get()
  @RequireRoles('policy-admin', 'auditor', 'sre', 'reviewer')
  list() {
    const set = this.active.current;
    return {
      version: set?.version ?? null,
      policies: (set?.policies ?? []).map((p) => ({
        id: p.id,
        version: p.version,
        mode: p.mode,
        file: p.file,
      })),
    };
  }

  @Get('sets')
  @RequireRoles('policy-admin', 'auditor')
  async history() {
    const sets = await this.store.history();
    return {
      sets: sets.map((s) => ({
        version: s.version,
        active: s.active,
        appliedBy: s.appliedBy,
        appliedAt: s.appliedAt,
        policies: s.policies.length,
      })),
    };
  }
}
