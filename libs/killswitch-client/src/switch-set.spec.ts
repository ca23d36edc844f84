import { KillSwitchChangedV1 } from '@agentops/contracts';
import { KillSwitchSet, killSwitchReason } from './switch-set';

const agent = { id: 'pricing-1', tenantId: 'maison', role: 'pricing', version: '1.0.0', region: 'eu-west' };
const change = (over: Partial<KillSwitchChangedV1> = {}): KillSwitchChangedV1 => ({
  switchId: '0190a0a0-0000-7000-8000-000000000001',
  selector: { tenantId: 'maison', role: 'pricing' },
  state: 'active',
  actor: 'sre:alice',
  reason: 'runaway repricing',
  changedAt: '2026-11-24T00:00:00.000Z',
  ...over,
});

describe('KillSwitchSet', () => {
  it('covers matching intents once flipped and stops at release', () => {
    const set = new KillSwitchSet();
    expect(set.check(agent, 'pricing.set_price')).toBeNull();
    expect(set.apply(change())).toBe(true);
    expect(set.check(agent, 'pricing.set_price')).toMatchObject({
      switchId: change().switchId,
      reason: 'runaway repricing',
    });
    expect(set.check({ ...agent, role: 'service' }, 'service.send_message')).toBeNull();
    expect(set.apply(change({ state: 'released', actor: 'sre:bob', reason: 'fixed' }))).toBe(true);
    expect(set.check(agent, 'pricing.set_price')).toBeNull();
  });

  it('is idempotent and a release is final, whatever order copies arrive in', () => {
    const set = new KillSwitchSet();
    const events: string[] = [];
    set.onChange((c) => events.push(c.kind));
    set.apply(change());
    set.apply(change());
    set.apply(change({ state: 'released' }));
    set.apply(change()); // a late Kafka copy of the flip
    expect(set.size).toBe(0);
    expect(events).toEqual(['activated', 'released']);

    const other = new KillSwitchSet();
    other.apply(change({ state: 'released' })); // release seen before the flip
    other.apply(change());
    expect(other.size).toBe(0);
  });

  it('stops covering at expiresAt on its own', () => {
    let now = Date.parse('2026-11-24T00:00:00Z');
    const set = new KillSwitchSet(() => now);
    set.apply(change({ expiresAt: '2026-11-24T00:00:10.000Z' }));
    expect(set.check(agent, 'pricing.set_price')).not.toBeNull();
    now += 10_001;
    expect(set.check(agent, 'pricing.set_price')).toBeNull();
    expect(set.coveringAgent(agent)).toEqual([]);
  });

  it('names the switch in the deny reason', () => {
    const r = killSwitchReason({
      switchId: 'abc',
      reason: 'why',
      selector: { role: 'pricing' },
      actor: 'breaker:blast',
    });
    expect(r.policyId).toBe('killswitch:abc');
    expect(r.message).toContain('role=pricing');
    expect(r.message).toContain('breaker:blast');
  });
});

describe('half-open switches', () => {
  it('let about passRatio of intents through, the same ones everywhere', () => {
    const set = new KillSwitchSet();
    set.apply(change({ passRatio: 0.1 }));
    const ids = Array.from(
      { length: 2000 },
      (_, i) => `0190a0a0-0000-7000-8000-${String(i).padStart(12, '0')}`,
    );
    const through = ids.filter((id) => set.check(agent, 'pricing.set_price', id) === null);
    expect(through.length).toBeGreaterThan(100);
    expect(through.length).toBeLessThan(300);
    const again = ids.filter((id) => set.check(agent, 'pricing.set_price', id) === null);
    expect(again).toEqual(through);
    expect(set.check(agent, 'pricing.set_price')).not.toBeNull(); // no id: refused
  });
});
