import { assignArm, bucketLayout } from './assignment';
import { assignIntent } from './membership';
import { validateRollout } from './rollout-spec';

const v = validateRollout({
  apiVersion: 'agentops.io/v1',
  kind: 'AgentRollout',
  metadata: { name: 'pricing-v2' },
  spec: {
    cohort: { tenant: 'maison', selector: { role: 'pricing', action: 'pricing.*' } },
    unit: 'params.sku',
    baseline: { name: 'stable', agentVersion: '1' },
    candidates: [{ name: 'v2', agentVersion: '2' }],
    steps: [{ weight: 10, minDwell: '1m' }],
    guardrails: [{ kpi: 'deny_rate' }],
  },
});
if (!v.ok) throw new Error(JSON.stringify(v.issues));
const plan = v.plan;
const agent = { id: 'pricer-1', tenantId: 'maison', role: 'pricing', version: '1', region: 'eu' };
const weights = { stable: 90, v2: 10 };

describe('intent membership', () => {
  it('assigns an intent of the cohort by its unit', () => {
    const a = assignIntent(plan, weights, 'salt', {
      action: 'pricing.set_price',
      params: { sku: 'SKU-1' },
      agent,
    });
    expect(a).toEqual({
      unit: 'SKU-1',
      bucket: expect.any(Number),
      arm: assignArm('salt', 'pricing-v2', 'SKU-1', bucketLayout('stable', ['v2'], weights)),
    });
  });

  it('leaves out intents of other tenants, roles, actions, or without a unit', () => {
    expect(
      assignIntent(plan, weights, 'salt', {
        action: 'pricing.set_price',
        params: { sku: 'S' },
        agent: { ...agent, tenantId: 'other' },
      }),
    ).toBeUndefined();
    expect(
      assignIntent(plan, weights, 'salt', {
        action: 'pricing.set_price',
        params: { sku: 'S' },
        agent: { ...agent, role: 'service' },
      }),
    ).toBeUndefined();
    expect(
      assignIntent(plan, weights, 'salt', { action: 'service.issue_refund', params: { sku: 'S' }, agent }),
    ).toBeUndefined();
    expect(
      assignIntent(plan, weights, 'salt', { action: 'pricing.set_price', params: {}, agent }),
    ).toBeUndefined();
  });
});
