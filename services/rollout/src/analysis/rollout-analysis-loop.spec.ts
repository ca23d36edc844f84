import { assignIntent } from '@agentops/rollout-analysis';
import { RolloutCommands } from '../rollouts/rollout-commands';
import { planOf } from '../rollouts/rollout-plans';
import { rolloutDoubles } from '../testing/in-memory-rollout-store';
import { TENANT, canaryYaml, decisionEvent, intentEvent, sreOf } from '../testing/rollout-fixtures';
import { RolloutAnalysisLoop } from './rollout-analysis-loop';
import { ManualClock } from '@agentops/service-runtime';

const START = Date.parse('2026-12-01T10:00:00Z');

async function setup(yaml = canaryYaml()) {
  const clock = new ManualClock(START);
  const d = rolloutDoubles(clock);
  const loop = new RolloutAnalysisLoop(d.store, d.propagation, d.logger, clock);
  const view = await new RolloutCommands(d.store, d.propagation, clock).apply(sreOf(), { yaml });
  return { ...d, loop, view, advance: (ms: number) => clock.advance(ms) };
}

/** The arm a SKU is assigned by the stored rollout (what the SDK computes locally). */
async function armOf(store: Awaited<ReturnType<typeof setup>>['store'], id: string, sku: string) {
  const record = (await store.find(id))!;
  return assignIntent(planOf(record), record.state.weights, record.salt, intentEvent(sku, undefined).data)!
    .arm;
}

describe('RolloutAnalysisLoop', () => {
  it("counts an intent under its unit's assignment only when it ran that variant", async () => {
    const { loop, store, view } = await setup();
    const skus = Array.from({ length: 60 }, (_, i) => `SKU-${i}`);
    const arms = await Promise.all(skus.map((s) => armOf(store, view.id, s)));
    expect(new Set(arms)).toEqual(new Set(['v1', 'v2']));
    for (const [i, sku] of skus.entries()) {
      await loop.countBatch([intentEvent(sku, { rollout: 'pricing-v2', name: arms[i] })]);
      // The same unit claiming the other arm is not counted (guardrail denies it), nor one without a variant.
      await loop.countBatch([
        intentEvent(sku, { rollout: 'pricing-v2', name: arms[i] === 'v1' ? 'v2' : 'v1' }),
      ]);
      await loop.countBatch([intentEvent(sku, undefined)]);
    }
    expect(store.intents.map((r) => r.arm)).toEqual(arms);
    // Deterministic: the same rollout assigns the same SKU the same arm on every call.
    expect(await Promise.all(skus.map((s) => armOf(store, view.id, s)))).toEqual(arms);
  });

  it('counts a redelivered decision once, and a decision that overtook its intent once the intent arrives', async () => {
    const { loop, store, view } = await setup();
    const arm = await armOf(store, view.id, 'SKU-1');
    const intent = intentEvent('SKU-1', { rollout: 'pricing-v2', name: arm });
    const decided = decisionEvent(intent, 'deny');
    await loop.countBatch([decided]); // ahead of its intent
    expect(store.pending).toHaveLength(1);
    await loop.countBatch([intent]);
    await loop.countBatch([decided]); // redelivered
    // A second decision of the same intent (guardrail after ingest's fail-closed deny) is not counted.
    await loop.countBatch([decisionEvent(intent, 'allow')]);
    const stats = (await store.find(view.id))!.stats;
    expect(stats.strata[0].arms[arm]).toMatchObject({ decisions: 1, denies: 1 });
    expect(store.pending).toHaveLength(0);
  });

  it('counts several facts of one rollout in one chunk in one transaction, once, and a redelivered chunk not again', async () => {
    const { loop, store, view } = await setup();
    const intents = await Promise.all(
      Array.from({ length: 40 }, async (_, i) => {
        const sku = `SKU-${i}`;
        return intentEvent(sku, { rollout: 'pricing-v2', name: await armOf(store, view.id, sku) });
      }),
    );
    await loop.countBatch(intents);
    const decisions = intents.map((intent, i) => decisionEvent(intent, i % 4 === 0 ? 'deny' : 'allow'));
    // The chunk also carries a second decision of an intent (not counted) and other tenants' traffic.
    const noise = intentEvent('SKU-X', undefined);
    const other = {
      ...noise,
      tenantid: 'another-tenant',
      data: { ...noise.data, agent: { ...noise.data.agent, tenantId: 'another-tenant' } },
    };
    const chunk = [
      ...decisions,
      decisionEvent(intents[1]!, 'deny'),
      other,
      { ...decisionEvent(other, 'deny'), tenantid: 'another-tenant' },
    ];
    const before = store.mutations;
    await loop.countBatch(chunk);
    expect(store.mutations - before).toBe(1);
    const arms = (await store.find(view.id))!.stats.strata[0]!.arms;
    const expected = { v1: { decisions: 0, denies: 0 }, v2: { decisions: 0, denies: 0 } };
    for (const [i, intent] of intents.entries()) {
      const arm = expected[intent.data.variant!.name as 'v1' | 'v2'];
      arm.decisions += 1;
      if (i % 4 === 0) arm.denies += 1;
    }
    expect(arms.v1).toMatchObject(expected.v1);
    expect(arms.v2).toMatchObject(expected.v2);
    // Offered again (a crash before the offsets moved on): claimed already, nothing counted, nothing written.
    await loop.countBatch(chunk);
    expect((await store.find(view.id))!.stats.strata[0]!.arms).toEqual(arms);
    // Facts of tenants without a live rollout are not even held.
    expect(store.pending).toHaveLength(0);
  });

  it('counts a fact whose intent another partition recorded between the fact’s lookup and its hold', async () => {
    const { loop, store, view } = await setup();
    const arm = await armOf(store, view.id, 'SKU-1');
    const intent = intentEvent('SKU-1', { rollout: 'pricing-v2', name: arm });
    // The intents' chunk runs (records the intent, finds nothing held) right before the fact is held.
    const hold = store.holdPendingFacts.bind(store);
    store.holdPendingFacts = async (facts, at) => {
      store.holdPendingFacts = hold;
      await loop.countBatch([intent]);
      await hold(facts, at);
    };
    await loop.countBatch([decisionEvent(intent, 'deny')]);
    expect((await store.find(view.id))!.stats.strata[0]!.arms[arm]).toMatchObject({
      decisions: 1,
      denies: 1,
    });
    expect(store.pending).toHaveLength(0);
  });

  it('decides once per chunk: a chunk that proves harm rolls back with one transition', async () => {
    const { loop, store, view, announcer } = await setup();
    const intents = await Promise.all(
      Array.from({ length: 3000 }, async (_, i) => {
        const sku = `SKU-${i}`;
        return intentEvent(sku, { rollout: 'pricing-v2', name: await armOf(store, view.id, sku) });
      }),
    );
    await loop.countBatch(intents);
    const decisions = intents.map((intent, i) =>
      decisionEvent(
        intent,
        (intent.data.variant!.name === 'v2' ? i % 10 < 3 : i % 20 === 0) ? 'deny' : 'allow',
      ),
    );
    await loop.countBatch(decisions);
    const record = (await store.find(view.id))!;
    expect(record.state.status).toBe('rolled_back');
    expect(announcer.transitions.filter((t) => t.data.transition === 'rolled_back')).toHaveLength(1);
    // Every decision of the chunk is in the counts the rollback was decided on.
    expect(record.stats.strata[0]!.arms.v1!.decisions + record.stats.strata[0]!.arms.v2!.decisions).toBe(
      3000,
    );
  });

  it('rolls a worse candidate back by itself: weight 0, a kill switch on its agent version, a rolled_back event', async () => {
    const { loop, store, view, halter, announcer } = await setup();
    let n = 0;
    for (let i = 0; i < 4000 && (await store.find(view.id))!.state.status === 'running'; i++) {
      const sku = `SKU-${i}`;
      const arm = await armOf(store, view.id, sku);
      const intent = intentEvent(sku, { rollout: 'pricing-v2', name: arm });
      await loop.countBatch([intent]);
      // Baseline denies 5 %, the candidate 30 %.
      const deny = arm === 'v2' ? i % 10 < 3 : i % 20 === 0;
      await loop.countBatch([decisionEvent(intent, deny ? 'deny' : 'allow')]);
      n = i + 1;
    }
    const record = (await store.find(view.id))!;
    expect(record.state).toMatchObject({ status: 'rolled_back', weights: { v1: 100, v2: 0 } });
    expect(n).toBeLessThan(4000);
    expect(halter.flips.map((f) => [f.selector, f.ticket])).toEqual([
      [{ tenantId: TENANT, role: 'pricing', agentVersion: '2' }, 'rollout:pricing-v2'],
    ]);
    expect(record.halts).toEqual([{ variant: 'v2', killSwitchId: halter.flips[0].id }]);
    const rolledBack = announcer.transitions.find((t) => t.data.transition === 'rolled_back')!;
    expect(rolledBack.data).toMatchObject({ actor: 'analysis', variant: 'v2', weights: { v1: 100, v2: 0 } });
    expect(rolledBack.data.evidence).toHaveProperty('harm.status', 'harm');
    // The compacted topic's last word on the rollout is candidate weight 0.
    expect(announcer.states.at(-1)!.data).toMatchObject({ status: 'rolled_back', weights: { v2: 0 } });
  });

  it('advances a healthy canary once the dwell and the sample per arm are met, and not before', async () => {
    const { loop, store, view, advance } = await setup();
    for (let i = 0; i < 1500; i++) {
      const sku = `SKU-${i}`;
      const arm = await armOf(store, view.id, sku);
      const intent = intentEvent(sku, { rollout: 'pricing-v2', name: arm });
      await loop.countBatch([intent]);
      await loop.countBatch([decisionEvent(intent, i % 20 === 0 ? 'deny' : 'allow')]);
    }
    expect((await store.find(view.id))!.state.stepIndex).toBe(0); // sample met, dwell not
    advance(61_000);
    await loop.tick();
    const record = (await store.find(view.id))!;
    expect(record.state).toMatchObject({ status: 'running', stepIndex: 1, weights: { v1: 50, v2: 50 } });
    expect(record.stats.strata.map((s) => s.weights)).toEqual([
      { v1: 90, v2: 10 },
      { v1: 50, v2: 50 },
    ]);
  });
});
