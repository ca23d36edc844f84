import { AccessAnomalyDetectedV1, Topics, topicName } from '@agentops/contracts';
import { RunningService, mintUserToken } from '@agentops/service-runtime';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AgentRegistry } from '../../services/ingest/src/agents/agent-registry';
import { getJson, postJson } from '../support/agent-http';
import { runCli } from '../support/cli';
import { collectTopic } from '../support/kafka-probe';
import { applyNoConstraintSet } from '../support/policies';
import { bootService, eventually } from '../support/platform';
import { TEST_TOKEN_SIGNER, runPrefix } from '../support/test-env';

/**
 * Issue #17 on the real stack: data-access reports go from the agent's key through ingest and
 * Kafka to the access service, whose per-agent rows survive a restart with nothing lost or counted
 * twice; a read outside the agent's scopes quarantines it with a kill switch on its id (flipped
 * by access's own service principal) and is published, explained, on the anomalies topic; an
 * egress intent after a read of customer.pii is denied by guardrail's flow rules before it runs.
 */
const TENANT = 'maison-access';
const SUFFIX = Date.now().toString(36);
const subject = (i: number) => `customer_${i.toString(16).padStart(32, '0')}`;
/** Both services read the tenant's egress list from the same variable. */
const ALLOWED = JSON.stringify({ [TENANT]: ['mail.maison.example'] });

interface Decided {
  status: string;
  decision?: { verdict: string; decidedBy: string; reasons: { policyId: string; message: string }[] };
}

interface AgentRowView {
  seq: string;
  state: { open: { counts: { records: number; reads: number } } };
}

describe('data-access monitoring on the real stack', () => {
  const svc: Partial<
    Record<'killswitch' | 'access' | 'ingest' | 'guardrail' | 'escalation', RunningService>
  > = {};
  const keys: Record<'drill' | 'sweeper' | 'flow', string> = { drill: '', sweeper: '', flow: '' };
  const ids = { drill: `svc-drill-${SUFFIX}`, sweeper: `svc-sweep-${SUFFIX}`, flow: `svc-flow-${SUFFIX}` };
  let sre: Record<string, string>;
  const anomalies = collectTopic(topicName(Topics.accessAnomalies, runPrefix()));
  const bootAccess = async () =>
    (svc.access = await bootService('access', {
      KILLSWITCH_URL: svc.killswitch!.url,
      ACCESS_TICK_MS: '500',
      ACCESS_ALLOWED_DESTINATIONS: ALLOWED,
    }));

  beforeAll(async () => {
    svc.killswitch = await bootService('killswitch', {
      BREAKERS_DIR: mkdtempSync(join(tmpdir(), 'no-breakers-')),
    });
    await bootAccess();
    svc.guardrail = await bootService('guardrail', { ACCESS_ALLOWED_DESTINATIONS: ALLOWED });
    svc.escalation = await bootService('escalation', { GUARDRAIL_URL: svc.guardrail.url });
    svc.ingest = await bootService('ingest');
    // A benign egress is asserted as the policies' allow: pin a set that constrains nothing.
    expect((await applyNoConstraintSet(svc.guardrail.url)).status).toBe(201);
    const registry = AgentRegistry.of(svc.ingest.parts.dataSource);
    for (const name of ['drill', 'sweeper', 'flow'] as const)
      keys[name] = (
        await registry.register({
          id: ids[name],
          tenantId: TENANT,
          name,
          role: 'service',
          version: '1.0.0',
          region: 'eu-west',
        })
      ).apiKey;
    sre = {
      authorization: `Bearer ${await mintUserToken({ userId: 'sre-access', tenantId: TENANT, roles: ['sre'] }, TEST_TOKEN_SIGNER)}`,
    };
    await anomalies.ready;
  }, 120_000);

  afterAll(async () => {
    await anomalies.stop();
    for (const s of [svc.ingest, svc.escalation, svc.guardrail, svc.access, svc.killswitch]) await s?.close();
  });

  const report = (key: string, access: Record<string, unknown>) =>
    postJson(
      `${svc.ingest!.url}/v1/telemetry`,
      { kind: 'data_access', name: String(access.source), access },
      {
        'x-api-key': key,
      },
    );
  const row = async (agentId: string): Promise<AgentRowView | undefined> => {
    const [r] = (await svc.access!.parts.dataSource.query(
      `SELECT seq, state FROM access_agents WHERE agent_id = $1`,
      [agentId],
    )) as AgentRowView[];
    return r;
  };

  it('resumes after a restart: reports sent while it is down are counted once, nothing is lost', async () => {
    // The check reads the open bucket (60 s of event time): start early in a minute so it holds them all.
    while (new Date().getUTCSeconds() > 15) await new Promise((r) => setTimeout(r, 500));
    const read = (i: number) =>
      report(keys.drill, {
        kind: 'read',
        source: 'crm.customers',
        dataClasses: ['customer'],
        records: 3,
        subjectIds: [subject(i)],
      });
    for (let i = 0; i < 5; i++) expect((await read(i)).status).toBe(202);
    await eventually(
      async () => (await row(ids.drill))?.state.open.counts.reads === 5,
      20_000,
      'the first reports',
    );

    await svc.access!.close();
    for (let i = 5; i < 10; i++) expect((await read(i)).status).toBe(202);
    await bootAccess();
    const resumed = await eventually(
      async () => {
        const r = await row(ids.drill);
        return r?.state.open.counts.reads === 10 && r;
      },
      30_000,
      'the reports sent while access was down',
    );
    expect(resumed.state.open.counts).toMatchObject({ reads: 10, records: 30 });
    // One write per batch: the reports queued while access was down arrive together.
    expect(Number(resumed.seq)).toBeLessThanOrEqual(10);
  }, 120_000);

  it('quarantines an agent that reads outside its scopes and publishes the anomaly, explained', async () => {
    const sent = Date.now();
    const res = await report(keys.sweeper, {
      kind: 'read',
      source: 'payments.cards',
      dataClasses: ['payment.card'],
      records: 40,
      subjectIds: [subject(100)],
    });
    expect(res.status).toBe(202);
    const listed = await eventually(
      async () => {
        const r = await getJson<{ anomalies: AccessAnomalyDetectedV1[] }>(
          `${svc.access!.url}/v1/access/anomalies?agentId=${ids.sweeper}`,
          sre,
        );
        return r.body.anomalies.find((a) => a.severity === 'high' && a.quarantine);
      },
      20_000,
      'the quarantine',
    );
    expect(listed).toMatchObject({
      agentId: ids.sweeper,
      tenantId: TENANT,
      feature: 'data_classes',
      detector: 'scope',
      baselineFrom: 'scope',
      observed: 40,
    });
    const flipped = await getJson<{ state: string; selector: unknown; actor: string; flippedAt: string }>(
      `${svc.killswitch!.url}/v1/killswitches/${listed.quarantine!.switchId}`,
      sre,
    );
    expect(flipped.body).toMatchObject({
      state: 'active',
      selector: { tenantId: TENANT, agentId: ids.sweeper },
      actor: 'service:access',
    });
    // Measured, not asserted (wall-clock on a shared machine): report accepted → switch stored.
    console.log(`access e2e: quarantine ${Date.parse(flipped.body.flippedAt) - sent} ms after the report`);

    // The agent is halted: ingest answers its next intent at once, denied by the kill switch.
    const halted = await eventually(
      async () => {
        const r = await postJson<{ status: string; decision?: { verdict: string; decidedBy: string } }>(
          `${svc.ingest!.url}/v1/intents`,
          {
            action: 'service.send_message',
            target: { type: 'customer', id: 'c-1' },
            confidence: 0.9,
            justification: 'follow-up',
          },
          { 'x-api-key': keys.sweeper },
        );
        return r.status === 200 && r;
      },
      10_000,
      'the halt at ingest',
    );
    expect(halted.body.decision).toMatchObject({ verdict: 'deny', decidedBy: 'killswitch' });

    const published = await eventually(
      async () =>
        anomalies.messages.find((m) => m.headers.ce_id === listed.anomalyId && m.key === ids.sweeper),
      20_000,
      'the anomaly on its topic',
    );
    expect(published.headers).toMatchObject({
      ce_type: 'agentops.access.anomaly.detected.v1',
      ce_source: 'agentops/access',
    });
    expect(JSON.parse(published.value)).toMatchObject({
      quarantine: { switchId: listed.quarantine!.switchId },
    });

    // The quarantine opens one task in the security reviewers' queue, with the anomaly as evidence.
    const security = {
      authorization: `Bearer ${await mintUserToken(
        { userId: 'sec-access', tenantId: TENANT, roles: ['reviewer'], groups: ['security-reviewers'] },
        TEST_TOKEN_SIGNER,
      )}`,
    };
    const task = await eventually(
      async () => {
        const r = await getJson<{ tasks: { kind: string; agent: { id: string } }[] }>(
          `${svc.escalation!.url}/v1/escalations?group=security-reviewers&agentId=${ids.sweeper}`,
          security,
        );
        return r.body.tasks?.[0] as Record<string, unknown> | undefined;
      },
      20_000,
      'the security review task',
    );
    expect(task).toMatchObject({
      kind: 'security_review',
      intentId: listed.quarantine!.switchId,
      route: 'security-review',
      group: 'security-reviewers',
      status: 'open',
      intent: { action: 'access.security_review' },
      agent: { id: ids.sweeper },
    });
    expect((task.anomalies as { anomalyId: string }[]).map((a) => a.anomalyId)).toContain(listed.anomalyId);
  }, 90_000);

  it('denies an egress intent after a customer.pii read before it runs, naming the flow rule; a listed destination is allowed', async () => {
    const propose = async (destination: string) =>
      (
        await postJson<Decided>(
          `${svc.ingest!.url}/v1/intents?wait=true&timeoutMs=5000`,
          {
            action: 'service.send_message',
            target: { type: 'customer', id: 'c-7' },
            params: { destination, message: 'the customer list you asked for' },
            confidence: 0.9,
            justification: 'export requested',
          },
          { 'x-api-key': keys.flow },
        )
      ).body;
    // Before any read the same egress to an unlisted destination is allowed: the rule is about the flow.
    expect((await propose('paste.evil.example')).decision?.verdict).toBe('allow');
    const res = await report(keys.flow, {
      kind: 'read',
      source: 'crm.customers',
      dataClasses: ['customer.pii'],
      records: 12,
      subjectIds: [subject(200)],
    });
    expect(res.status).toBe(202);
    // At once, before the access service can have consumed the read: ingest logged its step before
    // answering, so the very next egress is judged with it.
    const atOnce = await propose('paste.evil.example');
    expect(atOnce.decision).toMatchObject({ verdict: 'deny', decidedBy: 'policy' });
    expect(atOnce.decision!.reasons[0]).toMatchObject({ policyId: 'agentops.access-flow' });
    expect(atOnce.decision!.reasons[0].message).toMatch(
      /^flow_rule:pii-read-then-unlisted-egress: egress to paste\.evil\.example denied/,
    );
    const benign = await propose('mail.maison.example');
    expect(benign.decision?.verdict).toBe('allow');

    // The access service judges the same attempt over its own history (through Kafka): a high
    // anomaly, so the agent is quarantined and its next intents are refused by the kill switch.
    await eventually(
      async () => (await propose('mail.maison.example')).decision?.decidedBy === 'killswitch',
      20_000,
      'the agent quarantined after its toxic attempt',
    );
  }, 90_000);

  it('answers the CLI: access anomalies and baseline with --output json, pages with --limit/--cursor/--all, tenant-bound', async () => {
    const env = { AGENTOPS_ACCESS_URL: svc.access!.url, AGENTOPS_TOKEN: sre.authorization.slice(7) };
    const all = await runCli(['access', 'anomalies', '--all', '--output', 'json'], env);
    expect(all.stderr).toBe('');
    expect(all.code).toBe(0);
    const listed = JSON.parse(all.stdout) as { anomalies: AccessAnomalyDetectedV1[]; next: string | null };
    // The scope breach and the toxic flow of the tests above, at least; every one of this tenant.
    expect(listed.next).toBeNull();
    expect(listed.anomalies.length).toBeGreaterThanOrEqual(2);
    expect(new Set(listed.anomalies.map((a) => a.tenantId))).toEqual(new Set([TENANT]));
    expect(listed.anomalies.map((a) => a.detector)).toEqual(expect.arrayContaining(['scope', 'flow_rule']));

    // One at a time: the pages, followed by their cursors, are the whole list in the same order.
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await runCli(
        ['access', 'anomalies', '--limit', '1', ...(cursor ? ['--cursor', cursor] : []), '-o', 'json'],
        env,
      );
      const body = JSON.parse(page.stdout) as { anomalies: AccessAnomalyDetectedV1[]; next: string | null };
      expect(body.anomalies.length).toBeLessThanOrEqual(1);
      seen.push(...body.anomalies.map((a) => a.anomalyId));
      cursor = body.next;
    } while (cursor && seen.length <= listed.anomalies.length);
    expect(seen).toEqual(listed.anomalies.map((a) => a.anomalyId));

    const text = await runCli(['access', 'anomalies', '--agent', ids.sweeper, '--severity', 'high'], env);
    expect(text.stdout).toMatch(/high +svc-sweep-.* data_classes\/scope .*quarantined: /);

    const baseline = await runCli(['access', 'baseline', '--agent', ids.drill, '-o', 'json'], env);
    const [drill] = (
      JSON.parse(baseline.stdout) as { baselines: { agentId: string; now: { reads: number } }[] }
    ).baselines;
    expect(drill).toMatchObject({ agentId: ids.drill });
    // Another tenant is refused by the service, named.
    const other = await runCli(['access', 'anomalies', '--tenant', 'someone-else'], env);
    expect(other.code).toBe(1);
    expect(other.stderr).toMatch(/403.*someone-else/);
    const bad = await runCli(['access', 'anomalies', '--cursor', 'nope'], env);
    expect(bad.stderr).toMatch(/400.*cursor/);
  }, 60_000);
});
