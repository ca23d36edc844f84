import { IntentDecidedV1, IntentProposal, Topics, topicName } from '@agentops/contracts';
import { RunningService, mintUserToken } from '@agentops/service-runtime';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OutboxRelay } from '../../services/escalation/src/outbox/outbox';
import { SlaScheduler } from '../../services/escalation/src/sla/sla-scheduler';
import { HistoryEntry } from '../../services/escalation/src/tasks/task-model';
import { TaskWorkflow } from '../../services/escalation/src/tasks/task-workflow';
import { AgentRegistry } from '../../services/ingest/src/agents/agent-registry';
import { getJson, postJson } from '../support/agent-http';
import { collectTopic } from '../support/kafka-probe';
import { applyPolicySet } from '../support/policies';
import { bootService, eventually } from '../support/platform';
import { Client } from 'pg';
import { TEST_DATABASE_URL, TEST_TOKEN_SIGNER, runPrefix } from '../support/test-env';

const TENANT = `esc-sla-${Date.now().toString(36)}`;

const LOW_CONFIDENCE = `
apiVersion: agentops.io/v1
kind: GuardrailPolicy
metadata: { name: low-confidence, version: "1" }
spec:
  match: { actions: ["*"] }
  validations:
    - expression: "intent.confidence >= 0.6"
      message: agent is not confident enough
      effect: escalate
`;

type Decided = { intentId: string; status: string; decision: IntentDecidedV1 };
type TaskRow = {
  id: string;
  status: string;
  tier: number;
  reviewer_group: string;
  resolution: string | null;
  history: HistoryEntry[];
};

/** SLA timers and the outbox across escalation restarts. */
describe('escalation: SLA tiers and timeout across a restart; outbox publishes exactly once after a crash', () => {
  let ingest: RunningService;
  let guardrail: RunningService;
  let escalation: RunningService | undefined;
  let apiKey: string;
  let reviewer: string;
  let escalationEnv: Record<string, string>;
  let db: Client;
  const agentId = `${TENANT}-service`;

  beforeAll(async () => {
    db = new Client({ connectionString: TEST_DATABASE_URL });
    await db.connect();
    const routesFile = join(mkdtempSync(join(tmpdir(), 'esc-sla-')), 'routes.yaml');
    writeFileSync(
      routesFile,
      `
default:
  name: fast
  tiers: [{ group: tier-1, slaMs: 1500 }, { group: tier-2, slaMs: 1500 }]
  timeoutOutcome: deny
routes:
  - name: slow
    match: { params: { slow: true } }
    tiers: [{ group: reviewers, slaMs: 600000 }]
`,
    );
    guardrail = await bootService('guardrail');
    escalationEnv = {
      GUARDRAIL_URL: guardrail.url,
      ESCALATION_ROUTES_FILE: routesFile,
      ESCALATION_SLA_POLL_MS: '100',
      ESCALATION_OUTBOX_POLL_MS: '50',
    };
    escalation = await bootService('escalation', escalationEnv);
    ingest = await bootService('ingest');
    apiKey = (
      await AgentRegistry.of(ingest.parts.dataSource).register({
        id: agentId,
        tenantId: TENANT,
        name: 's',
        role: 'service',
        version: '1',
        region: 'eu',
      })
    ).apiKey;
    expect(
      (await applyPolicySet(guardrail.url, [{ path: 'low-confidence.yaml', content: LOW_CONFIDENCE }]))
        .status,
    ).toBe(201);
    reviewer = await mintUserToken(
      { userId: 'bob', tenantId: TENANT, roles: ['reviewer'], groups: ['tier-1', 'reviewers'] },
      TEST_TOKEN_SIGNER,
    );
  });

  afterAll(async () => {
    await ingest?.close();
    await escalation?.close();
    await guardrail?.close();
    await db?.end();
  });

  const message = (text: string, extra: Record<string, unknown> = {}): IntentProposal => ({
    action: 'service.send_message',
    target: { type: 'customer', id: 'c-1' },
    params: { customerId: 'c-1', message: text, ...extra },
    confidence: 0.3,
    justification: 'customer asked about delivery',
    dataUsed: [],
  });
  // Read as the test's admin: escalation may be down, its tables are still there (and no service's
  // role may read another's schema).
  const query = async (text: string, params: unknown[]) => (await db.query(text, params)).rows;
  const taskOf = async (intentId: string): Promise<TaskRow | undefined> =>
    (await query(`SELECT * FROM escalation.tasks WHERE intent_id = $1`, [intentId]))[0];
  const outbox = async (
    intentId: string,
  ): Promise<{ id: string; event_type: string; sent_at: Date | null }[]> =>
    query(
      `SELECT id, event_type, sent_at FROM escalation.outbox WHERE envelope->>'correlationid' = $1 ORDER BY created_at`,
      [intentId],
    );
  const restart = async () => {
    await escalation?.close();
    escalation = await bootService('escalation', escalationEnv);
  };

  it('moves a breached task to the next tier, then answers the waiting agent with the timeout outcome — across a restart', async () => {
    const waiting = postJson<Decided>(
      `${ingest.url}/v1/intents?wait=true&timeoutMs=60000`,
      message('your parcel is late'),
      { 'x-api-key': apiKey },
    );
    const intentId = await eventually(
      async () => {
        const [row] = await query(
          `SELECT intent_id FROM escalation.tasks WHERE agent_id = $1 AND status = 'open'`,
          [agentId],
        );
        return row?.intent_id as string | undefined;
      },
      20_000,
      'the open task',
    );
    expect(await taskOf(intentId)).toMatchObject({ tier: 0, reviewer_group: 'tier-1' });

    // Down through the first SLA: the deadline passes while no instance runs; the timer is in the table.
    await escalation!.close();
    escalation = undefined;
    await eventually(
      async () =>
        (
          await query(`SELECT due_at <= now() AS due FROM escalation.tasks WHERE intent_id = $1`, [intentId])
        )[0]?.due === true,
      10_000,
      'the first SLA deadline passed',
    );
    expect(await taskOf(intentId)).toMatchObject({ status: 'open', tier: 0 });
    escalation = await bootService('escalation', escalationEnv);

    const answer = await waiting;
    expect(answer.body.decision).toMatchObject({ verdict: 'deny', decidedBy: 'timeout', reviewers: [] });
    expect(answer.body.decision.decisionSource).toMatch(/^escalation:fast:/);
    const task = (await taskOf(intentId))!;
    expect(task).toMatchObject({
      status: 'resolved',
      resolution: 'timed_out',
      tier: 1,
      reviewer_group: 'tier-2',
    });
    expect(task.history.map((h) => h.what)).toEqual([
      'opened on route fast for tier-1',
      expect.stringContaining('escalated to tier 1 (tier-2)'),
      expect.stringContaining('timeout outcome deny'),
    ]);
  });

  it('a wait that ends before the review is answered pending review: no timeout deny, the task stays open', async () => {
    const decisions = collectTopic(topicName(Topics.decisions, runPrefix()));
    await decisions.ready;
    try {
      const answer = await postJson<{ intentId: string; status: string; decision: IntentDecidedV1 }>(
        `${ingest.url}/v1/intents?wait=true&timeoutMs=1500`,
        message('we are looking into it', { slow: true }),
        { 'x-api-key': apiKey },
      );
      expect(answer.status).toBe(202);
      expect(answer.body).toMatchObject({ status: 'pending_review', decision: { verdict: 'escalate' } });
      const intentId = answer.body.intentId;
      await eventually(
        async () => (await outbox(intentId)).every((r) => r.sent_at) && (await outbox(intentId)).length > 0,
        10_000,
        'the opened event published',
      );
      // A later intent of the agent (same partition) decided: anything ingest published is on the topic before it.
      const later = await postJson<Decided>(
        `${ingest.url}/v1/intents?wait=true`,
        { ...message('thanks!'), confidence: 0.9 },
        { 'x-api-key': apiKey },
      );
      expect(later.body.decision.verdict).toBe('allow');
      await eventually(async () =>
        decisions.messages.some((m) => m.headers['ce_correlationid'] === later.body.intentId),
      );
      expect(
        decisions.messages
          .filter((m) => m.headers['ce_correlationid'] === intentId)
          .map((m) => (JSON.parse(m.value) as IntentDecidedV1).decidedBy),
      ).toEqual(['policy']);
      expect(await taskOf(intentId)).toMatchObject({ status: 'open' });
      expect((await outbox(intentId)).map((r) => r.event_type)).toEqual(['agentops.escalation.opened.v1']);
    } finally {
      await decisions.stop();
    }
  });

  it('closes the task without a second decision when ingest answered the waiting agent with its fail-closed deny', async () => {
    // The race the rule above leaves: guardrail's escalate came after ingest's wait ended with
    // nothing decided, so the agent was told deny (timeout). Its ingest-published deny closes the task.
    const answer = await postJson<{ intentId: string }>(
      `${ingest.url}/v1/intents`,
      message('we are still looking into it', { slow: true }),
      { 'x-api-key': apiKey },
    );
    const intentId = answer.body.intentId;
    await eventually(() => taskOf(intentId), 20_000, 'the task');
    const now = new Date().toISOString();
    await escalation!.app.get(TaskWorkflow).onAgentTimedOut({
      intentId,
      agentId,
      action: 'service.send_message',
      verdict: 'deny',
      reasons: [],
      obligations: [],
      decidedBy: 'timeout',
      decidedAt: now,
      expiresAt: now,
    });
    const task = (await taskOf(intentId))!;
    expect(task).toMatchObject({ status: 'resolved', resolution: 'timed_out' });
    await eventually(
      async () => (await outbox(intentId)).every((r) => r.sent_at),
      10_000,
      'the outbox drained',
    );
    expect((await outbox(intentId)).map((r) => r.event_type)).toEqual([
      'agentops.escalation.opened.v1',
      'agentops.escalation.resolved.v1',
    ]);
  });

  it('purges stored proposals past the retention, keeping recent ones', async () => {
    const ds = escalation!.parts.dataSource;
    const old = '0190a000-0000-7000-8000-0000000000aa';
    await ds.query(
      `INSERT INTO intents (intent_id, tenant_id, payload, received_at) VALUES ($1, $2, '{}', now() - interval '30 days') ON CONFLICT DO NOTHING`,
      [old, TENANT],
    );
    const [{ recent }] = await ds.query(
      `SELECT count(*)::int AS recent FROM intents WHERE tenant_id = $1 AND received_at > now() - interval '1 hour'`,
      [TENANT],
    );
    await escalation!.app.get(SlaScheduler).purge();
    expect(await ds.query(`SELECT 1 FROM intents WHERE intent_id = $1`, [old])).toEqual([]);
    const [{ after }] = await ds.query(
      `SELECT count(*)::int AS after FROM intents WHERE tenant_id = $1 AND received_at > now() - interval '1 hour'`,
      [TENANT],
    );
    expect(after).toBe(recent);
    expect(recent).toBeGreaterThan(0);
  });

  it('two instances share the SLA timers: every breached task moves and times out exactly once', async () => {
    const second = await bootService('escalation', escalationEnv);
    try {
      const ids = await Promise.all(
        Array.from(
          { length: 6 },
          async (_, i) =>
            (
              await postJson<{ intentId: string }>(`${ingest.url}/v1/intents`, message(`batch ${i}`), {
                'x-api-key': apiKey,
              })
            ).body.intentId,
        ),
      );
      for (const intentId of ids) {
        const task = await eventually(
          async () => {
            const t = await taskOf(intentId);
            return t?.status === 'resolved' ? t : undefined;
          },
          30_000,
          `task of ${intentId} timed out`,
        );
        expect(task).toMatchObject({ resolution: 'timed_out', tier: 1 });
        expect(task.history).toHaveLength(3);
        await eventually(
          async () => (await outbox(intentId)).every((r) => r.sent_at),
          10_000,
          'the outbox drained',
        );
        expect((await outbox(intentId)).map((r) => r.event_type)).toEqual([
          'agentops.escalation.opened.v1',
          'agentops.intent.decided.v1',
          'agentops.escalation.resolved.v1',
        ]);
      }
    } finally {
      await second.close();
    }
  });

  it('publishes a committed resolution exactly once when the relay crashed before publishing', async () => {
    const decisions = collectTopic(topicName(Topics.decisions, runPrefix()));
    const escalations = collectTopic(topicName(Topics.escalations, runPrefix()));
    await Promise.all([decisions.ready, escalations.ready]);
    try {
      const { intentId } = (
        await postJson<{ intentId: string }>(
          `${ingest.url}/v1/intents`,
          message('refund is on its way', { slow: true }),
          { 'x-api-key': apiKey },
        )
      ).body;
      const task = await eventually(() => taskOf(intentId), 20_000, 'the task');
      await eventually(
        async () => (await outbox(intentId)).every((r) => r.sent_at),
        10_000,
        'the opened event published',
      );

      const attempts = new Map<string, number>();
      escalation!.app.get(OutboxRelay).faults.beforePublish = (ids) => {
        for (const id of ids) attempts.set(id, (attempts.get(id) ?? 0) + 1);
        throw new Error('simulated crash between commit and publish');
      };
      const approved = await postJson(
        `${escalation!.url}/v1/escalations/${task.id}/approve`,
        {},
        { authorization: `Bearer ${reviewer}` },
      );
      expect(approved.status).toBe(200);
      // The relay picked the resolution up again after its first attempt "crashed": it was left unsent.
      const pending = await eventually(
        async () => {
          const unsent = (await outbox(intentId)).filter((r) => !r.sent_at);
          return unsent.length > 0 && unsent.every((r) => (attempts.get(r.id) ?? 0) >= 2)
            ? unsent
            : undefined;
        },
        10_000,
        'the relay attempting the resolution',
      );
      expect(pending.map((r) => r.event_type).sort()).toEqual([
        'agentops.escalation.resolved.v1',
        'agentops.intent.decided.v1',
      ]);

      await restart();
      const final = await eventually(
        async () => {
          const d = (
            await getJson<Decided>(`${ingest.url}/v1/intents/${intentId}/decision`, { 'x-api-key': apiKey })
          ).body.decision;
          return d?.decidedBy === 'human' ? d : undefined;
        },
        20_000,
        'the human decision after the restart',
      );
      expect(final).toMatchObject({ verdict: 'allow', reviewers: ['bob'] });
      // Once every row is marked sent nothing is published again: read both topics up to their end.
      await eventually(
        async () => (await outbox(intentId)).every((r) => r.sent_at),
        10_000,
        'outbox drained',
      );
      await Promise.all([decisions.caughtUp(), escalations.caughtUp()]);

      const ofIntent = (msgs: typeof decisions.messages, type: string) =>
        msgs.filter((m) => m.headers.ce_correlationid === intentId && m.headers.ce_type === type);
      const human = ofIntent(decisions.messages, 'agentops.intent.decided.v1').filter(
        (m) => m.headers.ce_source === 'agentops/escalation',
      );
      const resolved = ofIntent(escalations.messages, 'agentops.escalation.resolved.v1');
      expect(human).toHaveLength(1);
      expect(resolved).toHaveLength(1);
      expect(ofIntent(escalations.messages, 'agentops.escalation.opened.v1')).toHaveLength(1);
      const ids = (await outbox(intentId)).map((r) => r.id);
      expect(ids).toContain(human[0].headers.ce_id);
      expect(ids).toContain(resolved[0].headers.ce_id);
    } finally {
      await decisions.stop();
      await escalations.stop();
    }
  });

  it('republishes with the same event id when the relay crashed after publishing (downstream dedups on id)', async () => {
    const decisions = collectTopic(topicName(Topics.decisions, runPrefix()));
    await decisions.ready;
    try {
      const { intentId } = (
        await postJson<{ intentId: string }>(
          `${ingest.url}/v1/intents`,
          message('voucher sent', { slow: true }),
          { 'x-api-key': apiKey },
        )
      ).body;
      const task = await eventually(() => taskOf(intentId), 20_000, 'the task');
      await eventually(
        async () => (await outbox(intentId)).every((r) => r.sent_at),
        10_000,
        'the opened event published',
      );
      const relay = escalation!.app.get(OutboxRelay);
      let crashes = 0;
      relay.faults.afterPublish = () => {
        if (crashes++ === 0) throw new Error('simulated crash between publish and mark');
      };
      expect(
        (
          await postJson(
            `${escalation!.url}/v1/escalations/${task.id}/reject`,
            {},
            { authorization: `Bearer ${reviewer}` },
          )
        ).status,
      ).toBe(200);
      const copies = await eventually(
        async () => {
          const found = decisions.messages.filter(
            (m) => m.headers.ce_correlationid === intentId && m.headers.ce_source === 'agentops/escalation',
          );
          return found.length >= 2 ? found : undefined;
        },
        20_000,
        'the republished decision',
      );
      relay.faults = {};
      expect(new Set(copies.map((m) => m.headers.ce_id)).size).toBe(1);
      const d = (
        await getJson<Decided>(`${ingest.url}/v1/intents/${intentId}/decision`, { 'x-api-key': apiKey })
      ).body.decision;
      expect(d).toMatchObject({ verdict: 'deny', decidedBy: 'human' });
    } finally {
      await decisions.stop();
    }
  });
});
