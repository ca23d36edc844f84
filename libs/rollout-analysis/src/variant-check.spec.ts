import { ServedRollout, checkIntentVariant, servedArm } from './variant-check';

const rollout = (over: Partial<ServedRollout> = {}): ServedRollout => ({
  key: 'pricing-v2',
  tenantId: 't',
  selector: { tenantId: 't', role: 'pricing' },
  unitPath: 'params.sku',
  salt: 'salt-123456',
  baseline: { name: 'v1', agentVersion: '1' },
  candidates: [{ name: 'v2', agentVersion: '2' }],
  status: 'running',
  weights: { v1: 50, v2: 50 },
  generation: 1,
  ...over,
});
const agent = { id: 'a', tenantId: 't', role: 'pricing', version: '2', region: 'eu' };
const intent = (sku: string, name?: string, action = 'pricing.set_price') => ({
  action,
  params: { sku },
  agent,
  variant: name ? { rollout: 'pricing-v2', name } : undefined,
});

describe('checkIntentVariant', () => {
  const skus = Array.from({ length: 40 }, (_, i) => `S-${i}`);
  const armOf = (sku: string) => servedArm(rollout(), sku);

  it("accepts the unit's own arm and refuses the other with rollout_variant_mismatch", () => {
    expect(new Set(skus.map(armOf))).toEqual(new Set(['v1', 'v2']));
    for (const sku of skus) {
      expect(checkIntentVariant([rollout()], intent(sku, armOf(sku)))).toEqual({ ok: true, arm: armOf(sku) });
      const other = armOf(sku) === 'v1' ? 'v2' : 'v1';
      expect(checkIntentVariant([rollout()], intent(sku, other))).toMatchObject({
        ok: false,
        reason: 'rollout_variant_mismatch',
      });
    }
  });

  it('refuses every candidate intent once the candidate is rolled back (weight 0)', () => {
    const back = rollout({ status: 'rolled_back', weights: { v1: 100, v2: 0 }, generation: 2 });
    for (const sku of skus) expect(checkIntentVariant([rollout(), back], intent(sku, 'v2')).ok).toBe(false);
  });

  it('leaves intents without a variant alone and names unknown rollouts and foreign cohorts', () => {
    expect(checkIntentVariant([], intent('S-1'))).toEqual({ ok: true });
    expect(checkIntentVariant([], intent('S-1', 'v1'))).toMatchObject({ reason: 'rollout_unknown' });
    expect(
      checkIntentVariant(
        [rollout({ selector: { tenantId: 't', action: 'pricing.*' } })],
        intent('S-1', 'v1', 'service.send_message'),
      ),
    ).toMatchObject({
      reason: 'rollout_not_in_cohort',
    });
  });
});
