import { EventEnvelope, IntentDecidedV1 } from '@agentops/contracts';
import { ManualClock } from '@agentops/service-runtime';
import type { Logger } from 'pino';
import { PolicyFireCounter, REMEMBER_MS, firedPolicies } from './policy-fire-counter';
import { InMemoryPolicyFireRepository } from './testing/policy-fire-doubles';

function setup() {
  const clock = new ManualClock('2026-12-01T10:00:00.000Z');
  const repository = new InMemoryPolicyFireRepository(() => clock.now());
  const counter = new PolicyFireCounter(repository, clock, { warn: () => undefined } as unknown as Logger);
  return { clock, repository, counter };
}

type Reason = IntentDecidedV1['reasons'][number];
const reason = (policyId: string, extra: Partial<Reason> = {}): Reason => ({
  policyId,
  policyVersion: '1',
  message: `${policyId} matched`,
  effect: 'deny',
  mode: 'enforce',
  ...extra,
});
let n = 0;
const decision = (
  reasons: Reason[],
  { tenant = 'maison', decidedAt = '2026-12-01T09:00:00.000Z', id = `event-${n++}` } = {},
) =>
  ({
    id,
    tenantid: tenant,
    data: { intentId: `intent-${id}`, verdict: 'deny', reasons, decidedAt },
  }) as unknown as EventEnvelope<IntentDecidedV1>;

describe('firedPolicies', () => {
  it('names each policy once per decision, a reason without a mode as enforce', () => {
    const fired = firedPolicies(
      decision([
        reason('floor'),
        reason('floor', { message: 'second message' }),
        reason('cap', { mode: undefined }),
      ]).data,
    );
    expect(fired).toEqual([
      { policyId: 'floor', policyVersion: '1', mode: 'enforce', effect: 'deny' },
      { policyId: 'cap', policyVersion: '1', mode: 'enforce', effect: 'deny' },
    ]);
  });

  it('keeps a shadow-mode fire apart from an enforced one of the same policy', () => {
    expect(firedPolicies(decision([reason('floor'), reason('floor', { mode: 'shadow' })]).data)).toHaveLength(
      2,
    );
  });
});

const PAGE = { limit: 100 };

describe('PolicyFireCounter', () => {
  it('counts each policy a decision names, once per decision event even when redelivered', async () => {
    const { counter } = setup();
    const first = decision([reason('floor'), reason('cap', { effect: 'escalate' })]);
    await counter.count([first]);
    await counter.count([first]);
    await counter.count([decision([reason('floor')], { decidedAt: '2026-12-01T09:30:00.000Z' })]);
    expect((await counter.list('maison', PAGE)).items).toEqual([
      {
        policyId: 'cap',
        policyVersion: '1',
        mode: 'enforce',
        effect: 'escalate',
        count: 1,
        lastFiredAt: '2026-12-01T09:00:00.000Z',
      },
      {
        policyId: 'floor',
        policyVersion: '1',
        mode: 'enforce',
        effect: 'deny',
        count: 2,
        lastFiredAt: '2026-12-01T09:30:00.000Z',
      },
    ]);
  });

  it('counts nothing (and remembers no event) for a decision with no reasons', async () => {
    const { counter, repository } = setup();
    await counter.count([decision([])]);
    expect(repository.counted.size).toBe(0);
    expect(await counter.list(undefined, PAGE)).toEqual({ items: [], next: null });
  });

  it("lists one tenant's fires for a tenant, every tenant's summed without one", async () => {
    const { counter } = setup();
    await counter.count([decision([reason('floor')], { tenant: 'maison' })]);
    await counter.count([decision([reason('floor')], { tenant: 'rival' })]);
    expect((await counter.list('maison', PAGE)).items.map((f) => f.count)).toEqual([1]);
    expect((await counter.list(undefined, PAGE)).items.map((f) => f.count)).toEqual([2]);
  });

  it('pages the counts by policy, following next to the last page', async () => {
    const { counter } = setup();
    await counter.count([decision(['a', 'b', 'c', 'd', 'e'].map((id) => reason(id)))]);
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let pages = 1; ; pages++) {
      const page = await counter.list('maison', { limit: 2, cursor });
      seen.push(...page.items.map((f) => f.policyId));
      if (!page.next) {
        expect(pages).toBe(3);
        break;
      }
      cursor = page.next;
    }
    expect(seen).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it("prunes the event ids counted longer ago than the decisions topic keeps them, by the clock's time", async () => {
    const { counter, repository, clock } = setup();
    const old = decision([reason('floor')]);
    await counter.count([old]);
    clock.advance(REMEMBER_MS);
    await counter.prune();
    expect(repository.forgotBefore).toEqual([new Date('2026-12-01T10:00:00.000Z')]);
    expect(repository.counted.has(old.id)).toBe(true);
    clock.advance(1);
    await counter.prune();
    expect(repository.counted.has(old.id)).toBe(false);
  });
});
