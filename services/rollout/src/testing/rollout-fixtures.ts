import { EventEnvelope, EventTypes, IntentDecidedV1, IntentProposedV1 } from '@agentops/contracts';
import { createEvent, newEventId } from '@agentops/messaging';
import { Principal } from '@agentops/service-runtime';

export const TENANT = 'maison-test';

export const sreOf = (tenantId = TENANT): Principal => ({
  kind: 'human',
  id: `sre@${tenantId}`,
  tenantId,
  roles: ['sre'],
  groups: [],
});

/** A canary of pricing v2 over v1 on 10 % of SKUs, guarded on the deny rate. */
export function canaryYaml(
  overrides: { name?: string; tenant?: string; selector?: string; guardrails?: string; steps?: string } = {},
) {
  return [
    'apiVersion: agentops.io/v1',
    'kind: AgentRollout',
    `metadata: { name: ${overrides.name ?? 'pricing-v2'} }`,
    'spec:',
    `  cohort: { tenant: ${overrides.tenant ?? TENANT}, selector: ${overrides.selector ?? '{ role: pricing }'} }`,
    '  unit: params.sku',
    '  baseline: { name: v1, agentVersion: "1" }',
    '  candidates: [{ name: v2, agentVersion: "2" }]',
    `  steps: ${overrides.steps ?? '[{ weight: 10, minDwell: 1m, minSamplePerArm: 50 }, { weight: 50, minDwell: 1m, minSamplePerArm: 50 }]'}`,
    `  guardrails: ${overrides.guardrails ?? '[{ kpi: deny_rate }]'}`,
  ].join('\n');
}

export function intentEvent(
  sku: string,
  variant: { rollout: string; name: string } | undefined,
  version = variant?.name === 'v2' ? '2' : '1',
  proposedAt = new Date(),
): EventEnvelope<IntentProposedV1> {
  return createEvent(
    EventTypes.IntentProposed,
    {
      intentId: newEventId(),
      action: 'pricing.set_price',
      target: { type: 'sku', id: sku },
      params: { sku, price: 10 },
      confidence: 0.9,
      justification: 'test',
      dataUsed: [],
      variant,
      agent: {
        id: `pricing-${version}`,
        tenantId: TENANT,
        role: 'pricing',
        version,
        region: 'eu',
        labels: {},
      },
      proposedAt: proposedAt.toISOString(),
    },
    { source: 'agentops/ingest', tenantid: TENANT },
  );
}

export function decisionEvent(
  intent: EventEnvelope<IntentProposedV1>,
  verdict: IntentDecidedV1['verdict'],
  decidedAt = new Date(Date.parse(intent.data.proposedAt) + 20),
): EventEnvelope<IntentDecidedV1> {
  return createEvent(
    EventTypes.IntentDecided,
    {
      intentId: intent.data.intentId,
      agentId: intent.data.agent.id,
      action: intent.data.action,
      verdict,
      reasons: [],
      obligations: [],
      decidedBy: 'policy',
      decidedAt: decidedAt.toISOString(),
      expiresAt: new Date(decidedAt.getTime() + 60_000).toISOString(),
    },
    { source: 'agentops/guardrail', tenantid: TENANT, correlationid: intent.data.intentId },
  );
}
