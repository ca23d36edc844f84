import { RunningService } from '@agentops/service-runtime';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { generateCatalog, generateCustomers } from '../../tools/simulation/catalog';
import { Random } from '../../tools/simulation/random';
import { rolloutReportLines } from '../../tools/simulation/rollout-report';
import { RolloutScenarioReport, runRolloutScenarios } from '../../tools/simulation/rollouts';
import { getJson } from '../support/agent-http';
import { bootWiredPlatform, closeWiredPlatform, eventually } from '../support/platform';
import { applyPolicySet } from '../support/policies';
import { TEST_OPERATOR_TOKEN } from '../support/test-env';

/**
 * Issue #15 items 7 and 4 on the real stack: the simulation's rollout scenarios
 * (tools/simulation/rollouts.ts) in a short run, as `npm run demo` runs them — the retail policy
 * pack as the platform baseline, the SDK's `variant()` choosing each intent's arm locally from its
 * control stream. The rollout service counts the pricing canary's intents on both arms until its
 * sequential test proves the candidate's deny rate worse and rolls it back by itself, and the
 * prompt A/B's outcomes per arm; the report says when and after how many counted intents the
 * rollback happened, and shows each A/B arm with an interval. Every number asserted comes from the run.
 */
const SUFFIX = Date.now().toString(36);
const TENANT = `maison-sim-${SUFFIX}`;
const OUTLET = `maison-sim-outlet-${SUFFIX}`;

describe('simulation: the rollouts’ agents pick arms with variant(), the rollout service counts and reports them', () => {
  let svc: Record<string, RunningService>;
  let report: RolloutScenarioReport;

  beforeAll(async () => {
    svc = await bootWiredPlatform();
    const dir = 'policies/retail';
    // The demo's pack but knowledge grounding (this suite's tenants have no approved knowledge).
    const files = readdirSync(dir)
      .filter((f) => f.endsWith('.yaml') && f !== 'knowledge.yaml')
      .map((f) => ({ path: f, content: readFileSync(join(dir, f), 'utf8') }));
    expect((await applyPolicySet(svc.guardrail.url, files)).status).toBe(201);
    report = await runRolloutScenarios(
      {
        endpoints: {
          console: svc.console.url,
          ingest: svc.ingest.url,
          guardrail: svc.guardrail.url,
          escalation: svc.escalation.url,
          killswitch: svc.killswitch.url,
          audit: svc.audit.url,
          rollout: svc.rollout.url,
          access: svc.access.url,
        },
        token: TEST_OPERATOR_TOKEN,
        run: SUFFIX,
        tenant: TENANT,
        canaryTenant: OUTLET,
        catalog: generateCatalog(7),
        customers: generateCustomers(7),
        rnd: new Random(22),
        // A short run: 45 s, longer only until the canary's test decides; 5 s more after its rollback.
        stopAfterRollbackMs: 5000,
        graceMs: 180_000,
      },
      Date.now() + 45_000,
    );
  }, 480_000);

  afterAll(async () => {
    await closeWiredPlatform(svc);
  });

  it('the canary serves each SKU the arm the SDK’s variant() names, and the rollout counts both arms', async () => {
    expect(report.problems).toEqual([]);
    const c = report.canary!;
    expect(c.proposed.stable).toBeGreaterThan(0);
    expect(c.proposed.canary).toBeGreaterThan(0);
    // Intents carry the variant variant() answered: the rollout service counts them for that arm
    // (it counts no intent whose variant is not its unit's assignment). Counting lags on a loaded machine.
    const counted = await eventually(
      async () => {
        const v = await getJson<{ analysis: { decisions: Record<string, number> } }>(
          `${svc.rollout.url}/v1/rollouts/${c.id}`,
          { authorization: `Bearer ${TEST_OPERATOR_TOKEN}` },
        );
        const d = v.body.analysis.decisions;
        return d.stable > 0 && d.canary > 0 && d;
      },
      120_000,
      'the canary counted on both arms',
    );
    expect(counted.stable).toBeLessThanOrEqual(c.proposed.stable);
    expect(counted.canary).toBeLessThanOrEqual(c.proposed.canary);
    // Refused: the bad currency of either arm by policy, and after the rollback the candidate's
    // intents by its kill switch (or, until ingest has it, by the variant gate).
    expect(report.refusals['policy: retail.pricing.valid-price']).toBeGreaterThan(0);
    for (const why of Object.keys(report.refusals))
      expect(why).toMatch(
        /^(policy: retail\.pricing\.valid-price|policy: agentops\.rollout-variant|killswitch(: .*)?)$/,
      );
  });

  it('rolls the worse pricing release back by itself, and the report says when and after how many intents', async () => {
    const c = report.canary!;
    expect(c.status).toBe('rolled_back');
    expect(c.weights).toEqual({ stable: 100, canary: 0 });
    const rb = c.rollback!;
    expect(rb.actor).toBe('analysis');
    expect(rb.reason).toMatch(/^deny rate of canary proven worse than the baseline/);
    // Counted on both arms when it decided, and never more than were proposed.
    expect(rb.decisions.stable).toBeGreaterThan(0);
    expect(rb.decisions.canary).toBeGreaterThan(0);
    expect(rb.decisions.stable).toBeLessThanOrEqual(c.proposed.stable);
    expect(rb.decisions.canary).toBeLessThanOrEqual(c.proposed.canary);
    expect(rb.intents).toBe(rb.decisions.stable + rb.decisions.canary);
    expect(rb.secondsAfterStart).toBeGreaterThan(0);
    expect(c.denyRate.test).toBe('harm');
    // Only an intent the candidate proposed after the rollback can be refused as one.
    expect(c.candidateAfterRollback.refused).toBeLessThanOrEqual(c.candidateAfterRollback.proposed);
    const lines = rolloutReportLines(report).join('\n');
    expect(lines).toContain(
      `canary ${c.key}: rolled back automatically at ${rb.at.slice(11, 19)} UTC, ${rb.secondsAfterStart.toFixed(1)} s after its traffic started, after ${rb.intents} counted intents (stable ${rb.decisions.stable}, canary ${rb.decisions.canary}) by analysis`,
    );
    expect(lines).toContain(`why: ${rb.reason}`);
  });

  it('reports the A/B of two prompts per arm with an interval around each value', async () => {
    const ab = report.ab!;
    expect(ab.arms.map((a) => [a.arm, a.variant])).toEqual([
      ['formal', 'cs-formal-v3'],
      ['warm', 'cs-warm-v4'],
    ]);
    // The outcomes' result.csat per arm, once the rollout service has counted some on both.
    const primary = await eventually(
      async () => {
        const v = await getJson<{
          analysis: {
            primary: { arms: { value: number; interval: [number, number]; observations: number }[] };
          };
        }>(`${svc.rollout.url}/v1/rollouts/${ab.id}`, { authorization: `Bearer ${TEST_OPERATOR_TOKEN}` });
        const arms = v.body.analysis.primary.arms;
        return arms.every((a) => a.observations > 0) && arms;
      },
      120_000,
      'outcomes counted on both prompts',
    );
    for (const a of primary) {
      expect(a.value).toBeGreaterThanOrEqual(1);
      expect(a.value).toBeLessThanOrEqual(5);
      expect(a.interval[0]).toBeLessThanOrEqual(a.value);
      expect(a.interval[1]).toBeGreaterThanOrEqual(a.value);
    }
    const lines = rolloutReportLines(report).join('\n');
    expect(lines).toContain(`${ab.key}: business value (result.csat) per arm`);
    expect(lines).toMatch(ab.winner ? /winner: / : /no winner yet/);
  });
});
