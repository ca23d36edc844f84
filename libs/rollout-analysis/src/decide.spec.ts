import { IntentFact } from './arm-stats';
import {
  RolloutState,
  applyAction,
  decideNextAction,
  initialState,
  pauseRollout,
  promoteRollout,
  resumeRollout,
  rollBackRollout,
} from './decide';
import { RolloutPlan, validateRollout } from './rollout-spec';
import { RolloutStats, emptyRolloutStats, openStratum, recordArmFact } from './rollout-stats';
import { SeededRandom } from './seeded-random';

const MIN = 60_000;

function plan(spec: object): RolloutPlan {
  const v = validateRollout({
    apiVersion: 'agentops.io/v1',
    kind: 'AgentRollout',
    metadata: { name: 'r' },
    spec: { cohort: { tenant: 't' }, unit: 'params.sku', ...spec },
  });
  if (!v.ok) throw new Error(JSON.stringify(v.issues));
  return v.plan;
}

const CANARY = plan({
  baseline: { name: 'stable', agentVersion: '1' },
  candidates: [{ name: 'v2', agentVersion: '2' }],
  steps: [
    { weight: 10, minDwell: '10m', minSamplePerArm: 500 },
    { weight: 50, minDwell: '5m', minSamplePerArm: 500 },
  ],
  guardrails: [{ kpi: 'deny_rate' }, { kpi: 'escalation_rate' }],
});

const EXPERIMENT = plan({
  mode: 'experiment',
  baseline: { name: 'prompt-a', promptId: 'a' },
  candidates: [
    { name: 'prompt-b', promptId: 'b' },
    { name: 'prompt-c', promptId: 'c' },
  ],
  experiment: {
    weights: { 'prompt-a': 34, 'prompt-b': 33, 'prompt-c': 33 },
    primary: { kpi: 'deny_rate' },
    minSamplePerArm: 1000,
    minDuration: '1h',
  },
  guardrails: [{ kpi: 'escalation_rate' }],
});

/** Simulated traffic: each decision lands on an arm by the served weights, then draws its verdict. */
class Traffic {
  readonly stats: RolloutStats = emptyRolloutStats();
  private readonly random: SeededRandom;

  constructor(
    seed: number,
    private readonly denyRate: Record<string, number>,
    private readonly escalationRate = 0.03,
  ) {
    this.random = new SeededRandom(seed);
  }

  feed(state: RolloutState, n: number, skew: Record<string, number> = {}): this {
    openStratum(this.stats, state.stepIndex, state.weights);
    const arms = Object.entries(state.weights).filter(([, w]) => w > 0);
    for (let i = 0; i < n; i++) {
      let u = this.random.next() * 100;
      const [arm] = arms.find(([, w]) => (u -= w) < 0) ?? arms[arms.length - 1];
      // `skew`: the share of an arm's intents that never get counted (a broken variant).
      if (skew[arm] && this.random.next() < skew[arm]) continue;
      const v = this.random.next();
      const verdict =
        v < this.denyRate[arm] ? 'deny' : v < this.denyRate[arm] + this.escalationRate ? 'escalate' : 'allow';
      const fact: IntentFact = { kind: 'decision', verdict, decidedBy: 'policy' };
      recordArmFact(this.stats, arm, fact);
    }
    return this;
  }
}

describe('canary decisions', () => {
  const same = { stable: 0.05, v2: 0.05 };

  it('starts at the first step', () => {
    expect(initialState(CANARY, 1000)).toEqual({
      status: 'running',
      stepIndex: 0,
      stepStartedAt: 1000,
      weights: { stable: 90, v2: 10 },
    });
  });

  it('holds until both the dwell and the per-arm sample are met, then advances', () => {
    const state = initialState(CANARY, 0);
    const traffic = new Traffic(1, same).feed(state, 2000);
    const early = decideNextAction(CANARY, state, traffic.stats, 9 * MIN).action;
    expect(early).toMatchObject({
      type: 'hold',
      reasons: [
        expect.stringMatching(/^dwell 9m0s of 10m0s/),
        expect.stringMatching(/^sample of v2 \d+\/500/),
      ],
    });
    // Dwell met, sample not yet.
    expect(decideNextAction(CANARY, state, traffic.stats, 11 * MIN).action).toMatchObject({
      type: 'hold',
      reasons: [expect.stringMatching(/^sample of v2/)],
    });
    traffic.feed(state, 4000);
    // Sample met, dwell not yet.
    expect(decideNextAction(CANARY, state, traffic.stats, 5 * MIN).action).toMatchObject({
      type: 'hold',
      reasons: [expect.stringMatching(/^dwell/)],
    });
    const go = decideNextAction(CANARY, state, traffic.stats, 11 * MIN).action;
    expect(go).toEqual({ type: 'advance', toStep: 1, weights: { stable: 50, v2: 50 } });
    expect(applyAction(CANARY, state, go, 11 * MIN)).toEqual({
      status: 'running',
      stepIndex: 1,
      stepStartedAt: 11 * MIN,
      weights: { stable: 50, v2: 50 },
    });
  });

  it('counts the sample of the current step only', () => {
    let state = initialState(CANARY, 0);
    const traffic = new Traffic(2, same).feed(state, 8000);
    state = applyAction(
      CANARY,
      state,
      decideNextAction(CANARY, state, traffic.stats, 11 * MIN).action,
      11 * MIN,
    );
    traffic.feed(state, 200);
    expect(decideNextAction(CANARY, state, traffic.stats, 30 * MIN).action).toMatchObject({
      type: 'hold',
      reasons: [expect.stringMatching(/^sample of stable \d+\/500/), expect.stringMatching(/^sample of v2/)],
    });
  });

  it('promotes the candidate after the last step', () => {
    let state = initialState(CANARY, 0);
    const traffic = new Traffic(3, same).feed(state, 8000);
    state = applyAction(
      CANARY,
      state,
      decideNextAction(CANARY, state, traffic.stats, 11 * MIN).action,
      11 * MIN,
    );
    traffic.feed(state, 2000);
    const promote = decideNextAction(CANARY, state, traffic.stats, 17 * MIN).action;
    expect(promote).toEqual({ type: 'promote', variant: 'v2', weights: { stable: 0, v2: 100 } });
    state = applyAction(CANARY, state, promote, 17 * MIN);
    expect(state.status).toBe('promoted');
    expect(decideNextAction(CANARY, state, traffic.stats, 18 * MIN).action).toEqual({
      type: 'hold',
      reasons: ['rollout is promoted'],
    });
  });

  it('rolls back on proven harm, before the dwell is over, with the KPI and its evidence', () => {
    let state = initialState(CANARY, 0);
    const traffic = new Traffic(4, { stable: 0.05, v2: 0.2 }).feed(state, 5000);
    const { action } = decideNextAction(CANARY, state, traffic.stats, 2 * MIN);
    expect(action).toMatchObject({
      type: 'rollback',
      variant: 'v2',
      weights: { stable: 100, v2: 0 },
      harm: { kpi: 'deny_rate', candidate: 'v2', status: 'harm' },
    });
    if (action.type !== 'rollback') return;
    expect(action.harm.evidence.lower).toBeGreaterThan(0);
    expect(action.harm.candidateValue).toBeGreaterThan(0.15);
    state = applyAction(CANARY, state, action, 2 * MIN);
    expect(state).toMatchObject({ status: 'rolled_back', weights: { stable: 100, v2: 0 } });
    expect(decideNextAction(CANARY, state, traffic.stats, 3 * MIN).action.type).toBe('hold');
  });

  it('does not roll back an A/A canary however often it looks', () => {
    const state = initialState(CANARY, 0);
    const traffic = new Traffic(5, same);
    for (let batch = 0; batch < 100; batch++) {
      traffic.feed(state, 100);
      const type = decideNextAction(CANARY, state, traffic.stats, MIN).action.type;
      expect(type).toBe('hold');
    }
  });

  it('pauses on a sample-ratio mismatch and holds until resumed', () => {
    let state = initialState(CANARY, 0);
    // A third of the candidate's intents never arrive.
    const traffic = new Traffic(6, same).feed(state, 30_000, { v2: 0.33 });
    const { action } = decideNextAction(CANARY, state, traffic.stats, 20 * MIN);
    expect(action).toMatchObject({ type: 'pause', reason: 'srm', srm: { mismatch: true } });
    state = applyAction(CANARY, state, action, 20 * MIN);
    expect(state).toMatchObject({ status: 'paused', pausedReason: 'srm' });
    expect(decideNextAction(CANARY, state, traffic.stats, 21 * MIN).action).toMatchObject({
      type: 'hold',
      reasons: [expect.stringMatching(/^paused \(srm\)/)],
    });
    expect(resumeRollout(state)).toMatchObject({ status: 'running', pausedReason: undefined });
  });

  it('rolls back proven harm even while paused, and ahead of a sample-ratio mismatch', () => {
    const state = pauseRollout(initialState(CANARY, 0));
    const traffic = new Traffic(7, { stable: 0.05, v2: 0.3 }).feed(state, 30_000, { v2: 0.33 });
    expect(decideNextAction(CANARY, state, traffic.stats, MIN).action.type).toBe('rollback');
    expect(decideNextAction(CANARY, { ...state, status: 'running' }, traffic.stats, MIN).action.type).toBe(
      'rollback',
    );
  });

  it('supports the manual transitions', () => {
    const state = initialState(CANARY, 0);
    expect(pauseRollout(state)).toMatchObject({ status: 'paused', pausedReason: 'manual' });
    expect(rollBackRollout(CANARY, state)).toMatchObject({
      status: 'rolled_back',
      weights: { stable: 100, v2: 0 },
    });
    expect(promoteRollout(CANARY, state, 'v2')).toMatchObject({
      status: 'promoted',
      weights: { stable: 0, v2: 100 },
    });
    expect(promoteRollout(CANARY, state, 'ghost')).toBe(state);
    const done = rollBackRollout(CANARY, state);
    expect(pauseRollout(done)).toBe(done);
  });
});

describe('experiment decisions', () => {
  it('keeps the weights and declares no winner between equal arms', () => {
    const state = initialState(EXPERIMENT, 0);
    expect(state.weights).toEqual({ 'prompt-a': 34, 'prompt-b': 33, 'prompt-c': 33 });
    const traffic = new Traffic(8, { 'prompt-a': 0.05, 'prompt-b': 0.05, 'prompt-c': 0.05 });
    for (let batch = 0; batch < 60; batch++) {
      traffic.feed(state, 500);
      const { action, analysis } = decideNextAction(EXPERIMENT, state, traffic.stats, 2 * 60 * MIN);
      expect(action).toMatchObject({
        type: 'hold',
        reasons: expect.arrayContaining(['no winner on deny_rate yet']),
      });
      expect(analysis!.primary!.winner).toBeNull();
    }
  });

  it('declares the winner only when the sequential test does, after the minimum duration', () => {
    const state = initialState(EXPERIMENT, 0);
    const traffic = new Traffic(9, { 'prompt-a': 0.08, 'prompt-b': 0.04, 'prompt-c': 0.08 }).feed(
      state,
      30_000,
    );
    const early = decideNextAction(EXPERIMENT, state, traffic.stats, 30 * MIN);
    expect(early.analysis!.primary!.winner).toBe('prompt-b');
    expect(early.action).toMatchObject({
      type: 'hold',
      reasons: [expect.stringMatching(/^duration 30m0s of 1h0m0s/)],
    });
    const { action, analysis } = decideNextAction(EXPERIMENT, state, traffic.stats, 61 * MIN);
    expect(action).toEqual({ type: 'conclude', winner: 'prompt-b', weights: state.weights });
    const arms = analysis!.primary!.arms;
    expect(arms.map((a) => a.arm)).toEqual(['prompt-a', 'prompt-b', 'prompt-c']);
    for (const a of arms) {
      expect(a.interval[0]).toBeLessThan(a.value);
      expect(a.interval[1]).toBeGreaterThan(a.value);
    }
    expect(applyAction(EXPERIMENT, state, action, 61 * MIN).status).toBe('concluded');
  });

  it('needs the winner to beat every other arm', () => {
    const state = initialState(EXPERIMENT, 0);
    // b and c both beat a, but not each other.
    const traffic = new Traffic(10, { 'prompt-a': 0.08, 'prompt-b': 0.04, 'prompt-c': 0.04 }).feed(
      state,
      30_000,
    );
    const { action, analysis } = decideNextAction(EXPERIMENT, state, traffic.stats, 2 * 60 * MIN);
    expect(analysis!.primary!.winner).toBeNull();
    expect(action.type).toBe('hold');
  });

  it('rolls back one harmful candidate and keeps the others running', () => {
    let state = initialState(EXPERIMENT, 0);
    const traffic = new Traffic(11, { 'prompt-a': 0.05, 'prompt-b': 0.05, 'prompt-c': 0.05 }, 0.03);
    traffic.feed(state, 6000);
    // prompt-c escalates far more often.
    const harmful = new Traffic(12, { 'prompt-c': 0.05 }, 0.2);
    harmful.feed({ ...state, weights: { 'prompt-c': 100 } }, 2000);
    traffic.stats.strata[0].arms['prompt-c'] = harmful.stats.strata[0].arms['prompt-c'];
    const { action } = decideNextAction(EXPERIMENT, state, traffic.stats, MIN);
    expect(action).toMatchObject({
      type: 'rollback',
      variant: 'prompt-c',
      weights: { 'prompt-a': 67, 'prompt-b': 33, 'prompt-c': 0 },
      harm: { kpi: 'escalation_rate' },
    });
    state = applyAction(EXPERIMENT, state, action, MIN);
    expect(state.status).toBe('running');
  });
});
