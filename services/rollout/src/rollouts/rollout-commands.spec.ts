import { DomainError } from '@agentops/service-runtime';
import { rolloutDoubles } from '../testing/in-memory-rollout-store';
import { TENANT, canaryYaml, sreOf } from '../testing/rollout-fixtures';
import { RolloutCommands } from './rollout-commands';
import { HALT_FLIP_LEASE_MS } from './rollout-transitions';

function setup() {
  const d = rolloutDoubles();
  return { ...d, commands: new RolloutCommands(d.store, d.propagation, d.clock) };
}

async function rejection(
  p: Promise<unknown>,
): Promise<DomainError & { details?: { issues?: { path: string }[] } }> {
  try {
    await p;
  } catch (e) {
    return e as DomainError;
  }
  throw new Error('expected a rejection');
}

describe('RolloutCommands', () => {
  it('applies a YAML canary at its first step and announces its state and the applied transition', async () => {
    const { commands, announcer } = setup();
    const view = await commands.apply(sreOf(), { yaml: canaryYaml() });
    expect(view).toMatchObject({
      key: 'pricing-v2',
      status: 'running',
      stepIndex: 0,
      weights: { v1: 90, v2: 10 },
      // The Clock's time, not the wall clock's.
      stepStartedAt: '2026-12-01T10:00:00.000Z',
      createdAt: '2026-12-01T10:00:00.000Z',
    });
    expect(announcer.states.map((s) => s.data)).toEqual([
      expect.objectContaining({
        rolloutId: view.id,
        unitPath: 'params.sku',
        weights: { v1: 90, v2: 10 },
        generation: 1,
      }),
    ]);
    expect(announcer.states[0].data.salt).toMatch(/^[0-9a-f]{24}$/);
    expect(announcer.transitions.map((t) => t.data.transition)).toEqual(['applied']);
  });

  it.each([
    ['an unknown KPI', { guardrails: '[{ kpi: happiness }]' }, 'spec.guardrails.0.kpi'],
    ['a weight out of range', { steps: '[{ weight: 120, minDwell: 1m }]' }, 'spec.steps.0.weight'],
  ])('refuses %s with a 400 naming the field', async (_what, overrides, path) => {
    const error = await rejection(setup().commands.apply(sreOf(), { yaml: canaryYaml(overrides) }));
    expect(error.code).toBe('invalid');
    expect(error.details?.issues?.map((i) => i.path)).toContain(path);
  });

  it('refuses a cohort that overlaps another active rollout, naming spec.cohort', async () => {
    const { commands } = setup();
    await commands.apply(sreOf(), { yaml: canaryYaml() });
    const error = await rejection(
      commands.apply(sreOf(), { yaml: canaryYaml({ name: 'other', selector: '{ action: "pricing.*" }' }) }),
    );
    expect({ code: error.code, paths: error.details?.issues?.map((i) => i.path) }).toEqual({
      code: 'invalid',
      paths: ['spec.cohort'],
    });
    // A disjoint cohort (another role) is fine.
    await expect(
      commands.apply(sreOf(), { yaml: canaryYaml({ name: 'service', selector: '{ role: service }' }) }),
    ).resolves.toMatchObject({ status: 'running' });
  });

  it("refuses a unit path that none of the tenant's intents has, naming spec.unit", async () => {
    const { commands, store } = setup();
    await store.noteUnitPaths(TENANT, ['target.id', 'params.customerId']);
    const error = await rejection(commands.apply(sreOf(), { yaml: canaryYaml() }));
    expect(error.details?.issues?.map((i) => i.path)).toEqual(['spec.unit']);
  });

  it("keeps tenants apart: another tenant's sre may not apply on this cohort nor see the rollout", async () => {
    const { commands } = setup();
    expect((await rejection(commands.apply(sreOf('other'), { yaml: canaryYaml() }))).code).toBe('forbidden');
    const view = await commands.apply(sreOf(), { yaml: canaryYaml() });
    expect((await rejection(commands.status(sreOf('other'), view.id))).code).toBe('not_found');
    expect((await rejection(commands.pause(sreOf('other'), view.id))).code).toBe('not_found');
    expect(await commands.list(sreOf('other'), { limit: 10 })).toEqual({ items: [], next: null });
  });

  it('pauses, resumes and promotes by key, each an event; a finished rollout refuses more', async () => {
    const { commands, announcer } = setup();
    await commands.apply(sreOf(), { yaml: canaryYaml() });
    expect((await commands.pause(sreOf(), 'pricing-v2')).status).toBe('paused');
    expect((await commands.resume(sreOf(), 'pricing-v2')).status).toBe('running');
    const promoted = await commands.promote(sreOf(), 'pricing-v2');
    expect(promoted).toMatchObject({ status: 'promoted', weights: { v1: 0, v2: 100 } });
    expect(announcer.transitions.map((t) => [t.data.transition, t.data.actor])).toEqual([
      ['applied', `user:sre@${TENANT}`],
      ['paused', `user:sre@${TENANT}`],
      ['resumed', `user:sre@${TENANT}`],
      ['promoted', `user:sre@${TENANT}`],
    ]);
    expect((await rejection(commands.pause(sreOf(), 'pricing-v2'))).code).toBe('conflict');
  });

  it("a manual rollback serves the baseline everywhere and halts the candidate's agent version", async () => {
    const { commands, halter } = setup();
    await commands.apply(sreOf(), { yaml: canaryYaml() });
    const view = await commands.rollback(sreOf(), 'pricing-v2', 'bad reviews');
    expect(view).toMatchObject({ status: 'rolled_back', weights: { v1: 100, v2: 0 } });
    expect(halter.flips.map((f) => f.selector)).toEqual([
      { tenantId: TENANT, role: 'pricing', agentVersion: '2' },
    ]);
    expect(view.halts).toEqual([{ variant: 'v2', killSwitchId: halter.flips[0].id }]);
  });

  it('flips one kill switch when a tick catches up while the rollback is still flipping it', async () => {
    const { commands, halter, propagation } = setup();
    await commands.apply(sreOf(), { yaml: canaryYaml() });
    let open!: () => void;
    halter.gate = new Promise((r) => (open = r));
    const rollingBack = commands.rollback(sreOf(), 'pricing-v2');
    await turns(() => halter.asked === 1);
    const catchingUp = propagation.catchUp(false);
    await turns(() => false, 20);
    open();
    const [view] = await Promise.all([rollingBack, catchingUp]);
    expect({ asked: halter.asked, halts: view.halts }).toEqual({
      asked: 1,
      halts: [{ variant: 'v2', killSwitchId: halter.flips[0].id }],
    });
  });

  it('a flip that failed is retried by the next catch-up; one whose holder died, once its lease lapses', async () => {
    const { commands, halter, propagation, clock } = setup();
    await commands.apply(sreOf(), { yaml: canaryYaml() });
    halter.failNext = true;
    await expect(commands.rollback(sreOf(), 'pricing-v2')).rejects.toThrow(/503/);
    await propagation.catchUp(false);
    expect(halter.flips).toHaveLength(1);

    await commands.apply(sreOf(), { yaml: canaryYaml({ name: 'pricing-v3' }) });
    halter.gate = new Promise(() => undefined); // the holder never comes back
    void commands.rollback(sreOf(), 'pricing-v3');
    await turns(() => halter.asked === 3);
    halter.gate = undefined;
    clock.advance(HALT_FLIP_LEASE_MS - 1);
    await propagation.catchUp(false);
    expect(halter.asked).toBe(3);
    clock.advance(2);
    await propagation.catchUp(false);
    expect((await commands.status(sreOf(), 'pricing-v3')).halts).toEqual([
      { variant: 'v2', killSwitchId: halter.flips[1].id },
    ]);
  });
});

/** Lets pending promises run until `done` (or for `max` event-loop turns). */
async function turns(done: () => boolean, max = 100): Promise<void> {
  for (let i = 0; i < max && !done(); i++) await new Promise((r) => setImmediate(r));
}
