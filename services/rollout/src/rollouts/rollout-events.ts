import {
  EventEnvelope,
  EventTypes,
  RolloutChangedV1,
  RolloutTransition,
  RolloutTransitionedV1,
} from '@agentops/contracts';
import { RolloutAnalysis, RolloutPlan, RolloutStatus } from '@agentops/rollout-analysis';
import { createEvent } from '@agentops/messaging';
import { RolloutRecord } from './rollout-store';

/** The compacted topic's copy of a rollout: what assignment points need, nothing more. */
export function rolloutChangedEvent(
  source: string,
  record: RolloutRecord,
  plan: RolloutPlan,
): EventEnvelope<RolloutChangedV1> {
  return createEvent(
    EventTypes.RolloutChanged,
    {
      rolloutId: record.id,
      key: record.key,
      tenantId: record.tenantId,
      mode: plan.mode,
      selector: plan.selector,
      unitPath: plan.unitPath,
      salt: record.salt,
      baseline: plan.baseline,
      candidates: plan.candidates,
      status: record.state.status,
      stepIndex: record.state.stepIndex,
      weights: record.state.weights,
      generation: record.generation,
      changedAt: record.updatedAt,
    },
    { source, tenantid: record.tenantId, subject: record.key, correlationid: record.id },
  );
}

export interface TransitionDetails {
  transition: RolloutTransition;
  actor: string;
  reason: string;
  fromStatus?: RolloutStatus;
  variant?: string;
  evidence?: Record<string, unknown>;
  analysis?: RolloutAnalysis;
  killSwitchId?: string;
}

/** One transition as the event that announces it (stored with the change, published after it). */
export function rolloutTransitionEvent(
  source: string,
  record: RolloutRecord,
  details: TransitionDetails,
): EventEnvelope<RolloutTransitionedV1> {
  return createEvent(
    EventTypes.RolloutTransitioned,
    {
      rolloutId: record.id,
      key: record.key,
      tenantId: record.tenantId,
      transition: details.transition,
      actor: details.actor,
      reason: details.reason.slice(0, 2000),
      fromStatus: details.fromStatus,
      status: record.state.status,
      stepIndex: record.state.stepIndex,
      weights: record.state.weights,
      variant: details.variant,
      decisions: details.analysis?.decisions ?? {},
      evidence: details.evidence,
      killSwitchId: details.killSwitchId,
      at: record.updatedAt,
    },
    { source, tenantid: record.tenantId, subject: record.key, correlationid: record.id },
  );
}
