import { EventTypes } from '@agentops/contracts';
import { ActiveKnowledge } from '@agentops/knowledge-client';
import { CompiledPolicySet, PolicySource } from '@agentops/policy';
import { ReadinessRegistry } from '@agentops/service-runtime';
import pino from 'pino';
import { DataSource } from 'typeorm';
import { RecordingPublisher } from '../verification/testing/verification-doubles';
import { ActivePolicySets } from './active-policy-sets';
import { PolicySetActivation, PolicySetRejected } from './policy-set-activation';
import { PolicyScope, scopeKey } from './policy-scope';
import { PolicySetStore } from './policy-set-store';

/** The store's one write, in memory: what was saved for which scope, and when. */
class InMemoryPolicySetStore extends PolicySetStore {
  readonly saved: { scope: string; version: string; actor: string }[] = [];
  private tick = Date.parse('2026-12-01T10:00:00.000Z');

  constructor() {
    super(null as unknown as DataSource);
  }

  override async saveActive(scope: PolicyScope, set: CompiledPolicySet, appliedBy: string): Promise<Date> {
    this.saved.push({ scope: scopeKey(scope), version: set.version, actor: appliedBy });
    return new Date((this.tick += 1000));
  }
}

const policy = (name: string, expression: string, effect = 'deny'): PolicySource => ({
  path: `${name}.yaml`,
  content: `apiVersion: agentops.io/v1
kind: GuardrailPolicy
metadata:
  name: ${name}
  version: "1"
spec:
  match: { actions: ["pricing.set_price"] }
  validations:
    - expression: "${expression}"
      message: "${name} refused it"
      effect: ${effect}
`,
});

const BASELINE: PolicyScope = { kind: 'baseline' };
const TENANT: PolicyScope = { kind: 'tenant', tenantId: 'maison' };

function setup() {
  const store = new InMemoryPolicySetStore();
  const logger = pino({ level: 'silent' });
  const active = new ActivePolicySets(store, new ReadinessRegistry(), logger, new ActiveKnowledge());
  const publisher = new RecordingPublisher();
  const activation = new PolicySetActivation(store, active, publisher.asPublisher(), 'agentops/guardrail');
  return { store, active, publisher, activation };
}

async function refusal(promise: Promise<unknown>): Promise<PolicySetRejected> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof PolicySetRejected) return error;
    throw error;
  }
  throw new Error('expected the set to be refused');
}

describe('PolicySetActivation', () => {
  it('stores, activates and publishes the baseline under its scope key, as no tenant', async () => {
    const { store, active, publisher, activation } = setup();
    const set = await activation.apply(BASELINE, [policy('retail.floor', 'intent.params.price > 0')], 'pat');

    expect(store.saved).toEqual([{ scope: 'baseline', version: set.version, actor: 'pat' }]);
    expect(active.baseline?.version).toBe(set.version);
    expect(publisher.sent).toHaveLength(1);
    const [{ event, key }] = publisher.sent;
    expect(key).toBe('baseline');
    expect(event).toMatchObject({ type: EventTypes.PolicySetActivated, tenantid: 'platform' });
    expect(event.data).toMatchObject({
      policySetVersion: set.version,
      activatedBy: 'pat',
      policies: [expect.objectContaining({ id: 'retail.floor', file: 'retail.floor.yaml' })],
    });
    expect(event.data).not.toHaveProperty('tenantId');
  });

  it("activates a tenant's set over the baseline for that tenant only, and names the tenant", async () => {
    const { active, publisher, activation } = setup();
    await activation.apply(BASELINE, [policy('retail.floor', 'intent.params.price > 0')], 'pat');
    const own = await activation.apply(TENANT, [policy('maison.cap', 'intent.params.price < 10000')], 'pat');

    expect(active.tenant('maison')?.version).toBe(own.version);
    expect(active.tenant('other')).toBeNull();
    expect(active.layersFor('maison')?.tenant?.version).toBe(own.version);
    const { event, key } = publisher.sent[1];
    expect(key).toBe('tenant:maison');
    expect(event).toMatchObject({ tenantid: 'maison', data: { tenantId: 'maison' } });
  });

  it('refuses a set that does not compile whole: nothing stored, activated or published', async () => {
    const { store, active, publisher, activation } = setup();
    const error = await refusal(
      activation.apply(
        BASELINE,
        [policy('retail.floor', 'intent.params.price > 0'), policy('retail.broken', 'intent.params.price >')],
        'pat',
      ),
    );
    expect(error.problems.length).toBeGreaterThan(0);
    expect(error.problems.some((p) => JSON.stringify(p).includes('retail.broken'))).toBe(true);
    expect(store.saved).toEqual([]);
    expect(active.baseline).toBeNull();
    expect(publisher.sent).toEqual([]);
  });

  it("refuses a tenant set that redefines a baseline policy, and the tenant's active set keeps serving", async () => {
    const { store, active, publisher, activation } = setup();
    await activation.apply(BASELINE, [policy('retail.floor', 'intent.params.price > 0')], 'pat');
    const first = await activation.apply(
      TENANT,
      [policy('maison.cap', 'intent.params.price < 10000')],
      'pat',
    );

    // A tenant "replacing" the baseline's floor with an always-true copy would disable it.
    const error = await refusal(activation.apply(TENANT, [policy('retail.floor', 'true')], 'mallory'));
    expect(error.problems.some((p) => JSON.stringify(p).includes('retail.floor'))).toBe(true);
    expect(store.saved.map((s) => s.actor)).toEqual(['pat', 'pat']);
    expect(active.tenant('maison')?.version).toBe(first.version);
    expect(publisher.sent).toHaveLength(2);
  });
});
