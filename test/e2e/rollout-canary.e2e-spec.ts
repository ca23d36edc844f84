import { servedArm } from '@agentops/rollout-analysis';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunningService, mintUserToken } from '@agentops/service-runtime';
import { AgentRegistry } from '../../services/ingest/src/agents/agent-registry';
import { getJson, postJson, priceIntent } from '../support/agent-http';
import { runCli } from '../support/cli';
import { applyPolicySet } from '../support/policies';
import { bootService, eventually } from '../support/platform';
import { TEST_TOKEN_SIGNER } from '../support/test-env';

/**
 * Issue #15 on the real stack: a canary of a worse pricing version is applied by API, its intents
 * are assigned by the salted hash (the same arm the test computes locally, as the SDK does), the
 * rollout service restarted mid-step resumes with the same counts and assignments, and once the
 * candidate's deny rate is proven worse it is rolled back by itself — weight 0, a kill switch on
 * its agent version — after which its intents are refused.
 */
const TENANT = 'maison-rollout';
const SUFFIX = Date.now().toString(36);
const KEY = `pricing-v2-${SUFFIX}`;

/** Denies an intent flagged risky: the test decides each arm's deny rate through the flag. */
const RISKY_POLICY = `
apiVersion: agentops.io/v1
kind: GuardrailPolicy
metadata: { name: no-risky-prices, version: "1", owner: tests }
spec:
  match: { actions: ["pricing.set_price"] }
  validations:
    - expression: "intent.params.risky == false"
      message: risky price
      effect: deny
`;

const canary = (name: string, unit = 'params.sku', kpi = 'deny_rate') =>
  [
    'apiVersion: agentops.io/v1',
    'kind: AgentRollout',
    `metadata: { name: ${name} }`,
    'spec:',
    `  cohort: { tenant: ${TENANT}, selector: { role: pricing } }`,
    `  unit: ${unit}`,
    '  baseline: { name: v1, agentVersion: "1" }',
    '  candidates: [{ name: v2, agentVersion: "2" }]',
    '  steps: [{ weight: 50, minDwell: 1h, minSamplePerArm: 100000 }]',
    `  guardrails: [{ kpi: ${kpi}, minimumEffect: 0.1 }]`,
  ].join('\n');

interface Decision {
  verdict: string;
  decidedBy: string;
  reasons: { policyId: string; message: string }[];
}
interface RolloutView {
  id: string;
  status: string;
  salt: string;
  weights: Record<string, number>;
  halts: { variant: string; killSwitchId: string | null }[];
  analysis: { decisions: Record<string, number> };
  transitions: { transition: string; actor: string; at: string; killSwitchId?: string }[];
}

describe('rollouts: a worse canary is rolled back by itself on the real stack', () => {
  const svc: Partial<Record<'audit' | 'guardrail' | 'killswitch' | 'rollout' | 'ingest', RunningService>> =
    {};
  const keys: Record<'v1' | 'v2', string> = { v1: '', v2: '' };
  let sre: Record<string, string>;
  let operatorView: Record<string, string>;
  const bootRollout = async () =>
    (svc.rollout = await bootService('rollout', { KILLSWITCH_URL: svc.killswitch!.url }));

  beforeAll(async () => {
    svc.audit = await bootService('audit');
    svc.guardrail = await bootService('guardrail');
    // No breakers: the suite reprices thousands of SKUs, which the blast-radius breaker would halt.
    svc.killswitch = await bootService('killswitch', {
      BREAKERS_DIR: mkdtempSync(join(tmpdir(), 'no-breakers-')),
    });
    await bootRollout();
    svc.ingest = await bootService('ingest');
    expect(
      (await applyPolicySet(svc.guardrail.url, [{ path: 'risky.yaml', content: RISKY_POLICY }])).status,
    ).toBe(201);
    const registry = AgentRegistry.of(svc.ingest.parts.dataSource);
    for (const arm of ['v1', 'v2'] as const)
      keys[arm] = (
        await registry.register({
          id: `pricing-${arm}-${SUFFIX}`,
          tenantId: TENANT,
          name: 'pricing',
          role: 'pricing',
          version: arm === 'v1' ? '1' : '2',
          region: 'eu',
        })
      ).apiKey;
    const token = async (tenantId: string) =>
      `Bearer ${await mintUserToken({ userId: `sre-${tenantId}`, tenantId, roles: ['sre'] }, TEST_TOKEN_SIGNER)}`;
    sre = { authorization: await token(TENANT) };
    operatorView = { authorization: await token('other-tenant') };
  }, 120_000);

  afterAll(async () => {
    for (const s of [svc.ingest, svc.rollout, svc.killswitch, svc.guardrail, svc.audit]) await s?.close();
  });

  const rollouts = () => `${svc.rollout!.url}/v1/rollouts`;
  const cliEnv = () => ({
    AGENTOPS_ROLLOUT_URL: svc.rollout!.url,
    AGENTOPS_TOKEN: sre.authorization.slice(7),
  });
  const status = async (ref: string) => (await getJson<RolloutView>(`${rollouts()}/${ref}`, sre)).body;
  const propose = async (
    arm: 'v1' | 'v2',
    sku: string,
    risky: boolean,
    variant: { rollout: string; name: string } | undefined = { rollout: KEY, name: arm },
  ) => {
    const intent = { ...priceIntent(sku, 10), variant };
    intent.params = { ...intent.params, risky };
    const res = await postJson<{ decision: Decision }>(
      `${svc.ingest!.url}/v1/intents?wait=true&timeoutMs=5000`,
      intent,
      { 'x-api-key': keys[arm] },
    );
    expect(res.status).toBeLessThan(500);
    return res.body.decision;
  };
  const total = (v: RolloutView) => Object.values(v.analysis.decisions).reduce((s, n) => s + n, 0);
  /** The rollout once it has counted `n` decisions (the last counts in the error otherwise). */
  const countedTo = async (id: string, n: number, timeoutMs: number) => {
    // Polled once a second: every service of the suite shares this process's one thread.
    let last: RolloutView | undefined;
    for (const deadline = Date.now() + timeoutMs; Date.now() < deadline;) {
      last = await status(id);
      if (total(last) === n) return last;
      await new Promise((r) => setTimeout(r, 1000));
    }
    const ds = svc.rollout!.parts.dataSource;
    const q = async (sql: string) => JSON.stringify(await ds.query(sql));
    throw new Error(
      `${n} decisions not counted; last counts ${JSON.stringify(last?.analysis.decisions)}; ` +
        `intents ${await q('SELECT arm, count(*) FROM rollout_intents GROUP BY arm')} ` +
        `pending ${await q("SELECT event->>'type' AS t, count(*) FROM rollout_pending_facts GROUP BY 1")}`,
    );
  };

  it('refuses bad rollouts with a 400 naming the field', async () => {
    // An intent of the tenant, so the service knows which unit paths its intents carry.
    await propose('v1', 'SKU-SEEN', false, undefined);
    // Applied before the service has read that intent, the bad rollout would be accepted (its path
    // unchecked) and then overlap every later one: wait until the tenant's unit paths are known.
    await eventually(
      async () =>
        (
          (await svc.rollout!.parts.dataSource.query(
            'SELECT count(*)::int AS n FROM rollout_unit_paths WHERE tenant_id = $1',
            [TENANT],
          )) as { n: number }[]
        )[0]!.n > 0,
      60_000,
      "the rollout service reading the tenant's intent",
    );
    await eventually(
      async () => {
        const res = await postJson<{ issues: { path: string }[] }>(
          rollouts(),
          { yaml: canary(`bad-${SUFFIX}`, 'params.customerId') },
          sre,
        );
        return res.status === 400 && res.body.issues.some((i) => i.path === 'spec.unit');
      },
      20_000,
      'the unit path check',
    );
    const unknownKpi = await postJson<{ issues: { path: string }[] }>(
      rollouts(),
      { yaml: canary(`bad-${SUFFIX}`, 'params.sku', 'happiness') },
      sre,
    );
    expect({ status: unknownKpi.status, paths: unknownKpi.body.issues.map((i) => i.path) }).toEqual({
      status: 400,
      paths: ['spec.guardrails.0.kpi'],
    });
    const foreign = await postJson(rollouts(), { yaml: canary(`bad-${SUFFIX}`) }, operatorView);
    expect(foreign.status).toBe(403);
    // The CLI says the same, one JSON line on stderr, exit 1.
    const file = join(mkdtempSync(join(tmpdir(), 'rollout-')), 'bad.yaml');
    writeFileSync(file, canary(`bad-${SUFFIX}`, 'params.sku', 'happiness'));
    const cli = await runCli(['rollout', 'apply', '-f', file, '--output', 'json'], cliEnv());
    expect({ code: cli.code, names: cli.stderr.includes('spec.guardrails.0.kpi') }).toEqual({
      code: 1,
      names: true,
    });
  });

  it('assigns deterministically, resumes after a restart with the same counts, then rolls the worse candidate back and refuses its intents', async () => {
    const applied = await postJson<RolloutView>(rollouts(), { yaml: canary(KEY) }, sre);
    expect(applied.status).toBe(201);
    const { id, salt } = applied.body;
    expect(applied.body.weights).toEqual({ v1: 50, v2: 50 });
    // Overlapping the live rollout's cohort is refused, naming spec.cohort.
    const overlapping = await postJson<{ issues: { path: string }[] }>(
      rollouts(),
      { yaml: canary(`other-${SUFFIX}`) },
      sre,
    );
    expect({ status: overlapping.status, paths: overlapping.body.issues.map((i) => i.path) }).toEqual({
      status: 400,
      paths: ['spec.cohort'],
    });

    // Every SKU's arm, as the SDK computes it locally from the rollout's salt and weights.
    const served = {
      key: KEY,
      tenantId: TENANT,
      selector: { tenantId: TENANT, role: 'pricing' as const },
      unitPath: 'params.sku',
      salt,
      baseline: { name: 'v1' },
      candidates: [{ name: 'v2' }],
      status: 'running' as const,
      weights: { v1: 50, v2: 50 },
      generation: 1,
    };
    const skus = Array.from({ length: 4000 }, (_, i) => `SKU-${SUFFIX}-${i}`);
    const armOf = (sku: string) => servedArm(served, sku) as 'v1' | 'v2';

    // A wrong variant for its unit is denied with the named reason.
    const wrongSku = skus.find((s) => armOf(s) === 'v1')!;
    const wrong = await eventually(
      async () => {
        const d = await propose('v2', wrongSku, false, { rollout: KEY, name: 'v2' });
        return d.reasons.some((r) => r.message.includes('rollout_variant_mismatch')) && d;
      },
      20_000,
      'the variant gate to know the rollout',
    );
    expect(wrong).toMatchObject({ verdict: 'deny', decidedBy: 'policy' });

    // Phase 1: both arms healthy (5 % risky), 120 intents.
    let next = 0;
    const send = async (count: number, candidateRisk: number) => {
      const sent: Record<string, number> = { v1: 0, v2: 0 };
      const batch = skus.slice(next, next + count);
      next += count;
      for (let i = 0; i < batch.length; i += 8)
        await Promise.all(
          batch.slice(i, i + 8).map(async (sku, j) => {
            const arm = armOf(sku);
            const k = next - count + i + j;
            const risky = arm === 'v2' ? k % 100 < candidateRisk * 100 : k % 20 === 0;
            sent[arm] += 1;
            return propose(arm, sku, risky);
          }),
        );
      return sent;
    };
    const phase1 = await send(120, 0.05);
    const counted1 = await countedTo(id, 120, 120_000);
    expect(counted1.analysis.decisions).toEqual(phase1);
    expect(counted1.status).toBe('running');

    // Restart mid-step: intents decided while the service is down are counted after it is back,
    // exactly once, under the same assignment (same salt, same arms).
    await svc.rollout!.close();
    const phase2 = await send(60, 0.05);
    await bootRollout();
    const counted2 = await countedTo(id, 180, 120_000);
    expect(counted2.salt).toBe(salt);
    expect(counted2.analysis.decisions).toEqual({ v1: phase1.v1 + phase2.v1, v2: phase1.v2 + phase2.v2 });

    // Phase 2: the candidate denies 60 %, the baseline 5 %, until the rollout rolls it back.
    let rolledBack: RolloutView | undefined;
    for (let round = 0; round < 20 && !rolledBack; round++) {
      await send(60, 0.6);
      const v = await status(id);
      if (v.status === 'rolled_back') rolledBack = v;
    }
    rolledBack ??= await eventually(
      async () => {
        const v = await status(id);
        return v.status === 'rolled_back' && v;
      },
      120_000,
      'the automatic rollback',
    );
    expect(rolledBack.weights).toEqual({ v1: 100, v2: 0 });
    // The CLI's view of it, as JSON.
    const cliStatus = await runCli(['rollout', 'status', KEY, '--output', 'json'], cliEnv());
    expect(cliStatus.code).toBe(0);
    expect(JSON.parse(cliStatus.stdout)).toMatchObject({ id, status: 'rolled_back', weights: { v2: 0 } });
    const cliList = await runCli(['rollout', 'list', '--output', 'json'], cliEnv());
    expect(
      (JSON.parse(cliList.stdout) as { rollouts: { id: string }[] }).rollouts.map((r) => r.id),
    ).toContain(id);
    const transition = rolledBack.transitions.find((t) => t.transition === 'rolled_back')!;
    expect(transition.actor).toBe('analysis');
    const halted = await eventually(
      async () => (await status(id)).halts.find((h) => h.killSwitchId)?.killSwitchId,
      20_000,
      "the candidate's kill switch",
    );
    const switches = await getJson<{ switches: { id: string; selector: Record<string, string> }[] }>(
      `${svc.killswitch!.url}/v1/killswitches`,
      sre,
    );
    expect(switches.body.switches.find((s) => s.id === halted)?.selector).toEqual({
      tenantId: TENANT,
      role: 'pricing',
      agentVersion: '2',
    });

    // The candidate's intents are refused now: by the kill switch (its agent version is halted).
    const refused = await eventually(
      async () => {
        const d = await propose('v2', skus[next++], false);
        return d.decidedBy === 'killswitch' && d;
      },
      10_000,
      "the candidate's intents refused",
    );
    expect(refused.verdict).toBe('deny');
    // The baseline keeps serving every unit, including the candidate's former ones.
    const formerCandidateSku = skus.slice(next).find((s) => armOf(s) === 'v2')!;
    expect((await propose('v1', formerCandidateSku, false, { rollout: KEY, name: 'v1' })).verdict).toBe(
      'allow',
    );
    // And the rollback is in the audit chain.
    const auditor = {
      authorization: `Bearer ${await mintUserToken({ userId: 'auditor', tenantId: TENANT, roles: ['auditor'] }, TEST_TOKEN_SIGNER)}`,
    };
    await eventually(
      async () => {
        const res = await getJson<{ records: unknown[] }>(
          `${svc.audit!.url}/v1/audit/records?limit=200&type=agentops.rollout.transitioned.v1`,
          auditor,
        );
        return res.status === 200 && res.body.records.length > 0;
      },
      30_000,
      'the rollback in the audit chain',
    );
  }, 300_000);
});
