import { EventEnvelope, EventTypes, Topics, topicName } from '@agentops/contracts';
import {
  EventPublisher,
  KafkaAdmin,
  KafkaClient,
  createEvent,
  encodeEvent,
  newEventId,
  silentLogger,
} from '@agentops/messaging';
import { RunningService, mintUserToken } from '@agentops/service-runtime';
import { LocalKeyWrapper, parseKeks, subjectKeyContext, unseal } from '@agentops/privacy';
import { Client } from 'pg';
import { sealAad } from '../../services/audit/src/privacy/payload-privacy';
import { deploymentRoles, migrateAll } from '../../tools/db/migrate';
import { runVerify } from '../../tools/audit/verify';
import { adminKafka, prepareTestTopics } from '../support/kafka-access';
import { collectTopic } from '../support/kafka-probe';
import { bootService, eventually } from '../support/platform';
import { dropTestDeployment, serviceDatabaseUrl, testDeployment } from '../support/test-database';
import { PG_ADMIN_URL, TEST_AUDIT_KEK, TEST_OPERATOR_TOKEN, TEST_TOKEN_SIGNER } from '../support/test-env';

/**
 * Issue #6 acceptance on the real stack: hash-chained, append-only, erasable audit. The suite has
 * a database and topic prefix of its own, because it tampers with the store as superuser.
 */
// Unique per run: concurrent runs of the suite on one PostgreSQL must not drop each other's store.
const DB = `agentops_test_audit_${Date.now().toString(36)}_${process.pid}`;
const SUPER_URL = `postgres://postgres@127.0.0.1:5432/${DB}`;
const WRITER_URL = serviceDatabaseUrl('audit', DB);
const TENANT = 'maison-audit';
const OTHER = 'other-audit';
const operator = { authorization: `Bearer ${TEST_OPERATOR_TOKEN}` };
const CHAINS = [0, 1, 2, 3];
const PER_CHAIN = 8;

const email = (i: number) => `jane.${i}@example.com`;
const customer = (i: number) => `C-${1000 + i}`;

describe('audit: chained, verifiable, erasable (issue #6)', () => {
  const prefix = `ta${Date.now().toString(36)}.`;
  let kafka: KafkaClient;
  let producer: EventPublisher;
  let audit: RunningService;
  let db: Client;
  const sent: EventEnvelope[] = [];
  let bi: ReturnType<typeof collectTopic>;
  let checkpointsTopic: ReturnType<typeof collectTopic>;

  const boot = () =>
    bootService('audit', {
      KAFKA_TOPIC_PREFIX: prefix,
      TEST_DATABASE: DB,
      AUDIT_CHECKPOINT_EVERY: '5',
      AUDIT_CHECKPOINT_SECONDS: '3600',
      AUDIT_PSEUDONYM_SECRET: 'test-pseudonym-secret-0123456789abcdef0123',
    });

  const send = async (partition: number, event: EventEnvelope) => {
    const m = encodeEvent(event, `agent-${partition}`);
    await producer.publishRaw(topicName(Topics.intents, prefix), [
      { partition, key: m.key, value: m.value, headers: m.headers },
    ]);
  };

  const intent = (i: number, tenant = TENANT, intentId = newEventId()) =>
    createEvent(
      EventTypes.IntentProposed,
      {
        intentId,
        action: 'service.issue_refund',
        target: { type: 'customer', id: customer(i) },
        params: { amount: 20 + i, email: email(i) },
        confidence: 0.9,
        justification: `customer wrote from ${email(i)}, call back on +44 20 7946 09${String(i).padStart(2, '0')}`,
        dataUsed: [],
        agent: {
          id: `agent-${i % 4}`,
          tenantId: tenant,
          role: 'service',
          version: '1',
          region: 'eu',
          labels: {},
        },
        proposedAt: new Date().toISOString(),
      },
      { source: 'agentops/ingest', tenantid: tenant, agentid: `agent-${i % 4}`, correlationid: intentId },
    );

  const get = async <T>(path: string, headers: Record<string, string> = operator) => {
    const res = await fetch(`${audit.url}${path}`, { headers });
    const text = await res.text();
    return {
      status: res.status,
      body: (text && /^application\/([\w.-]+\+)?json\b/.test(res.headers.get('content-type') ?? '')
        ? JSON.parse(text)
        : text) as T,
    };
  };
  const stats = async () => (await get<{ records: number }>('/v1/audit/stats')).body.records;

  beforeAll(async () => {
    const admin = new Client({ connectionString: PG_ADMIN_URL });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${DB}`);
    await admin.end();
    await migrateAll(testDeployment(DB));
    db = new Client({ connectionString: SUPER_URL });
    await db.connect();
    // As the admin: it stands in for every producer, resets offsets and reads the BI topics.
    kafka = adminKafka(prefix, 'audit-e2e');
    await prepareTestTopics(prefix);
    bi = collectTopic(topicName(Topics.audit, prefix));
    checkpointsTopic = collectTopic(topicName(Topics.auditCheckpoints, prefix));
    producer = new EventPublisher(kafka, prefix, silentLogger);
    await producer.connect();
    await Promise.all([bi.ready, checkpointsTopic.ready]);
    audit = await boot();

    let i = 0;
    for (const p of CHAINS) {
      for (let k = 0; k < PER_CHAIN; k++) {
        const e = intent(i++, p === 3 && k % 2 === 1 ? OTHER : TENANT);
        sent.push(e);
        await send(p, e);
      }
    }
    await eventually(async () => (await stats()) === sent.length, 30_000, 'every event recorded');
  });

  afterAll(async () => {
    await audit?.close();
    await producer?.disconnect();
    await bi?.stop();
    await checkpointsTopic?.stop();
    await db?.end();
    await dropTestDeployment(DB);
  });

  it('connects as the restricted writer role', async () => {
    const [row] = (await audit.parts.dataSource.query(`SELECT current_user AS u`)) as { u: string }[];
    expect(row.u).toBe(deploymentRoles(testDeployment(DB)).audit.login);
  });

  it('stores one chained record per event, with actor, facets and pseudonymised payload', async () => {
    const { rows } = await db.query(`SELECT * FROM audit.records ORDER BY chain_id, sequence`);
    expect(rows).toHaveLength(sent.length);
    expect(new Set(rows.map((r) => r.event_id)).size).toBe(sent.length);
    const chain0 = rows.filter((r) => r.chain_id === 'agentops.intents.v1:0');
    expect(chain0.map((r) => Number(r.sequence))).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(chain0[0].prev_hash).toBe('0'.repeat(64));
    expect(chain0[1].prev_hash).toBe(chain0[0].hash);
    expect(chain0[0]).toMatchObject({
      actor_kind: 'agent',
      action: 'service.issue_refund',
      tenant_id: TENANT,
    });
    const text = JSON.stringify(rows);
    for (let i = 0; i < sent.length; i++) {
      expect(text).not.toContain(email(i));
      expect(text).not.toContain(customer(i));
    }
    expect(chain0[0].payload.target.id).toMatch(/^customer_[0-9a-f]{32}$/);
    expect(chain0[0].payload.justification).toMatch(/\[email_[0-9a-f]{32}\]/);
  });

  it('verifies every chain and signs checkpoints, published on the checkpoint topic', async () => {
    const report = await get<{ ok: boolean; records: number; chains: { checkpointsChecked: number }[] }>(
      '/v1/audit/verify',
    );
    expect(report.status).toBe(200);
    expect(report.body).toMatchObject({ ok: true, records: sent.length });
    expect(report.body.chains.every((c) => c.checkpointsChecked >= 1)).toBe(true);
    await eventually(
      async () => checkpointsTopic.messages.length >= CHAINS.length,
      10_000,
      'checkpoints published',
    );
    expect(checkpointsTopic.messages[0].headers['ce_type']).toBe(EventTypes.AuditCheckpointSigned);
    const cli = await runVerify(WRITER_URL, {});
    expect(cli.ok).toBe(true);
    expect(cli.keyIds).toHaveLength(1);
    expect((await runVerify(WRITER_URL, { trustedKeyIds: cli.keyIds })).ok).toBe(true);
    // Pinned keys: checkpoints re-signed (or signed at all) by any other key do not count.
    const pinnedElsewhere = await runVerify(WRITER_URL, { trustedKeyIds: ['0123456789abcdef'] });
    expect(pinnedElsewhere.firstFailure).toMatchObject({
      reason: 'checkpoint_signature_invalid',
      detail: expect.stringContaining('untrusted key'),
    });
  });

  it('gives a proof for one record: hash, position and the covering signed checkpoint', async () => {
    const res = await get<{
      sequence: number;
      hash: string;
      pathVerified: boolean;
      checkpoint: { sequence: number; signatureValid: boolean };
    }>(`/v1/audit/records/${sent[1].id}/proof`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ sequence: 1, pathVerified: true, checkpoint: { signatureValid: true } });
    expect(res.body.checkpoint.sequence).toBeGreaterThanOrEqual(1);
  });

  it('publishes every record on the BI topic, keyed by chain, with hashes and without clear PII', async () => {
    await eventually(
      async () => new Set(bi.messages.map((m) => JSON.parse(m.value).recordId)).size >= sent.length,
      15_000,
      'BI records',
    );
    const first = bi.messages.find((m) => JSON.parse(m.value).recordId === sent[0].id)!;
    expect(first.key).toBe('agentops.intents.v1:0');
    expect(first.headers['ce_type']).toBe(EventTypes.AuditRecorded);
    expect(JSON.parse(first.value)).toMatchObject({
      chainId: 'agentops.intents.v1:0',
      sequence: 0,
      hash: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    const all = bi.messages.map((m) => m.value).join('\n');
    for (let i = 0; i < sent.length; i++) expect(all).not.toContain(email(i));
  });

  it('filters, paginates with a cursor, exports NDJSON, and isolates tenants', async () => {
    // Every page of the tenant, cursor to cursor: each record once, none of another tenant, then no cursor.
    const pages: { eventId: string; tenantId: string }[][] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { records: { eventId: string; tenantId: string }[]; nextCursor: string | null } } =
        await get(`/v1/audit/records?tenantId=${TENANT}&limit=10${cursor ? `&cursor=${cursor}` : ''}`);
      pages.push(page.body.records);
      cursor = page.body.nextCursor;
    } while (cursor && pages.length < 10);
    const mine = sent.filter((e) => e.tenantid === TENANT).map((e) => e.id);
    expect(pages.map((p) => p.length)).toEqual([10, 10, mine.length - 20]);
    const paged = pages.flat().map((r) => r.eventId);
    expect(paged).toHaveLength(mine.length);
    expect([...paged].sort()).toEqual([...mine].sort());
    const byAgent = await get<{ records: { agentId: string; action: string }[] }>(
      `/v1/audit/records?agentId=agent-1&action=service.issue_refund`,
    );
    expect(byAgent.body.records.length).toBeGreaterThan(0);
    expect(byAgent.body.records.every((r) => r.agentId === 'agent-1')).toBe(true);
    const story = await get<{ records: { eventId: string; type: string }[] }>(
      `/v1/audit/records?correlationId=${sent[0].correlationid}`,
    );
    expect(story.body.records.map((r) => [r.eventId, r.type])).toEqual([
      [sent[0].id, EventTypes.IntentProposed],
    ]);

    const exported = await get<string>(`/v1/audit/records/export?tenantId=${OTHER}`);
    expect(exported.status).toBe(200);
    expect(String(exported.body).trim().split('\n')).toHaveLength(PER_CHAIN / 2);

    const auditorOther = {
      authorization: `Bearer ${await mintUserToken({ userId: 'aud-1', tenantId: OTHER, roles: ['auditor'] }, TEST_TOKEN_SIGNER)}`,
    };
    const own = await get<{ records: { tenantId: string }[] }>(`/v1/audit/records?limit=1000`, auditorOther);
    expect(own.status).toBe(200);
    expect(own.body.records).toHaveLength(PER_CHAIN / 2);
    expect(own.body.records.every((r) => r.tenantId === OTHER)).toBe(true);
    expect((await get(`/v1/audit/records?tenantId=${TENANT}`, auditorOther)).status).toBe(403);
    // Another tenant’s record is not found, as if it did not exist (its proof would reveal it).
    expect((await get(`/v1/audit/records/${sent[0].id}/proof`, auditorOther)).status).toBe(404);
    const reviewer = {
      authorization: `Bearer ${await mintUserToken({ userId: 'rev-1', tenantId: OTHER, roles: ['reviewer'] }, TEST_TOKEN_SIGNER)}`,
    };
    expect((await get(`/v1/audit/records`, reviewer)).status).toBe(403);
  });

  it('refuses UPDATE, DELETE and TRUNCATE: by privilege for the service role, by trigger for everyone', async () => {
    const writer = new Client({ connectionString: WRITER_URL });
    await writer.connect();
    try {
      await expect(writer.query(`UPDATE audit.records SET actor_id = 'x'`)).rejects.toThrow(
        /permission denied/,
      );
      await expect(writer.query(`DELETE FROM audit.records`)).rejects.toThrow(/permission denied/);
      await expect(writer.query(`TRUNCATE audit.records`)).rejects.toThrow(/permission denied/);
      await expect(writer.query(`DELETE FROM audit.record_index`)).rejects.toThrow(/permission denied/);
      await expect(writer.query(`UPDATE audit.checkpoints SET signature = 'x'`)).rejects.toThrow(
        /permission denied/,
      );
    } finally {
      await writer.end();
    }
    await expect(db.query(`UPDATE audit.records SET actor_id = 'x'`)).rejects.toThrow(/append-only/);
    await expect(db.query(`DELETE FROM audit.records`)).rejects.toThrow(/append-only/);
    await expect(db.query(`TRUNCATE audit.records`)).rejects.toThrow(/append-only/);
  });

  it('erases a subject: the key is destroyed, clear values are unrecoverable, the chain still verifies', async () => {
    const who = 2;
    const lookup = await fetch(`${audit.url}/v1/audit/subjects/lookup`, {
      method: 'POST',
      headers: { ...operator, 'content-type': 'application/json' },
      body: JSON.stringify({ tenantId: TENANT, kind: 'customer', value: customer(who) }),
    });
    const { subjectRef } = (await lookup.json()) as { subjectRef: string };
    const record = (await db.query(`SELECT sealed FROM audit.records WHERE event_id = $1`, [sent[who].id]))
      .rows[0];
    const box = (record.sealed as Record<string, { pseudonyms: string[]; value: string }>)[subjectRef];
    expect(box.pseudonyms).toHaveLength(3); // customer id, email (in a field and in text), phone
    const [stored] = (
      await db.query(
        `SELECT wrapped_key AS wrapped, kek_id AS "kekId" FROM audit.subject_keys WHERE tenant_id = $1 AND subject_ref = $2`,
        [TENANT, subjectRef],
      )
    ).rows;
    // Stored wrapped: only the KEK (held outside the database) gives the subject's key.
    const wrapper = new LocalKeyWrapper(parseKeks(TEST_AUDIT_KEK));
    const key = await wrapper.unwrap(stored, subjectKeyContext(TENANT, subjectRef));
    const aad = sealAad(TENANT, subjectRef, sent[who].id);
    const clear = JSON.parse(unseal(key, box.value, aad)) as Record<string, string>;
    // Stored before erasure: sealed, and recoverable from what the store holds (with the KEK).
    expect(Object.values(clear)).toHaveLength(3);
    expect(Object.values(clear)).toEqual(
      expect.arrayContaining([customer(who), email(who), expect.stringMatching(/^\+44 20 7946 ?09/)]),
    );
    const dumpStore = async () =>
      (
        await db.query(
          `SELECT (SELECT string_agg(r::text, E'\n') FROM audit.records r) || (SELECT string_agg(k::text, E'\n') FROM audit.subject_keys k) AS text`,
        )
      ).rows[0].text as string;
    const wrappedHex = (stored.wrapped as Buffer).toString('hex');
    expect(await dumpStore()).toContain(wrappedHex);

    const auditorToken = await mintUserToken(
      { userId: 'aud-2', tenantId: TENANT, roles: ['auditor'] },
      TEST_TOKEN_SIGNER,
    );
    const asAuditor = await fetch(`${audit.url}/v1/audit/subjects/${subjectRef}?tenantId=${TENANT}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${auditorToken}` },
    });
    expect(asAuditor.status).toBe(403);
    const erased = await fetch(`${audit.url}/v1/audit/subjects/${subjectRef}?tenantId=${TENANT}`, {
      method: 'DELETE',
      headers: operator,
    });
    expect(erased.status).toBe(200);
    expect(await erased.json()).toMatchObject({ erased: true, records: 1 });

    const keys = (
      await db.query(
        `SELECT key, wrapped_key, kek_id, erased_at FROM audit.subject_keys WHERE subject_ref = $1`,
        [subjectRef],
      )
    ).rows;
    expect(keys).toEqual([{ key: null, wrapped_key: null, kek_id: null, erased_at: expect.any(Date) }]);
    await expect(
      db.query(`UPDATE audit.subject_keys SET key = '\\x00' WHERE subject_ref = $1`, [subjectRef]),
    ).rejects.toThrow(/only be wrapped or destroyed/);
    // After: the sealed box is still there, unchanged (so every hash holds), but nothing the store
    // holds opens it any more, even with the KEK — its wrapped key is gone from every table, and no
    // remaining key fits.
    const after = (await db.query(`SELECT sealed FROM audit.records WHERE event_id = $1`, [sent[who].id]))
      .rows[0];
    expect(after.sealed[subjectRef]).toEqual(box);
    const dump = await dumpStore();
    expect(dump).not.toContain(wrappedHex);
    const remaining = (
      await db.query(
        `SELECT tenant_id, subject_ref, wrapped_key AS wrapped, kek_id AS "kekId" FROM audit.subject_keys WHERE wrapped_key IS NOT NULL`,
      )
    ).rows;
    expect(remaining.length).toBeGreaterThan(0);
    for (const r of remaining) {
      const other = await wrapper.unwrap(r, subjectKeyContext(r.tenant_id, r.subject_ref));
      expect(() => unseal(other, box.value, aad)).toThrow();
    }
    expect(dump).not.toContain(email(who));
    expect(dump).not.toContain(customer(who));
    expect(bi.messages.map((m) => m.value).join('\n')).not.toContain(email(who));
    expect((await get<{ ok: boolean }>('/v1/audit/verify')).body.ok).toBe(true);
  });

  it('answers 404 for a subject it does not hold, and for a subject of another tenant', async () => {
    const erase = (ref: string, tenantId: string) =>
      fetch(`${audit.url}/v1/audit/subjects/${ref}?tenantId=${tenantId}`, {
        method: 'DELETE',
        headers: operator,
      });
    const unknown = await erase(`customer_${'0'.repeat(32)}`, TENANT);
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { message: string }).message).toBe(
      `no subject customer_${'0'.repeat(32)} in tenant ${TENANT}`,
    );
    const [{ subject_ref: held }] = (
      await db.query(
        `SELECT subject_ref FROM audit.subject_keys WHERE tenant_id = $1 AND wrapped_key IS NOT NULL LIMIT 1`,
        [TENANT],
      )
    ).rows;
    expect((await erase(held, OTHER)).status).toBe(404);
    const [{ wrapped }] = (
      await db.query(
        `SELECT wrapped_key AS wrapped FROM audit.subject_keys WHERE tenant_id = $1 AND subject_ref = $2`,
        [TENANT, held],
      )
    ).rows;
    expect(wrapped).not.toBeNull(); // untouched
  });

  it('records an event about an erased subject with its pseudonyms and nothing sealed, and makes no new key', async () => {
    const who = 2; // erased above
    const [{ subjectRef }] = (
      await db.query(
        `SELECT subject_ref AS "subjectRef" FROM audit.subject_keys WHERE tenant_id = $1 AND erased_at IS NOT NULL`,
        [TENANT],
      )
    ).rows;
    const earlier = (await db.query(`SELECT payload FROM audit.records WHERE event_id = $1`, [sent[who].id]))
      .rows[0];
    const late = intent(who); // the same customer, email and phone as the erased record
    await send(0, late);
    const row = await eventually(
      async () =>
        (await db.query(`SELECT payload, sealed, subjects FROM audit.records WHERE event_id = $1`, [late.id]))
          .rows[0] as
          | { payload: { target: { id: string } }; sealed: Record<string, unknown>; subjects: string[] }
          | undefined,
      20_000,
      'the late event recorded',
    );
    expect(row.payload.target.id).toBe(earlier.payload.target.id); // the same pseudonym
    expect(row.subjects).toContain(subjectRef);
    expect(row.sealed).toEqual({ [subjectRef]: { pseudonyms: expect.any(Array), value: null } });
    const keys = (
      await db.query(
        `SELECT key, wrapped_key AS wrapped FROM audit.subject_keys WHERE tenant_id = $1 AND subject_ref = $2`,
        [TENANT, subjectRef],
      )
    ).rows;
    expect(keys).toEqual([{ key: null, wrapped: null }]);
    const text = (await db.query(`SELECT r::text AS t FROM audit.records r WHERE event_id = $1`, [late.id]))
      .rows[0].t;
    expect(text).not.toContain(email(who));
    expect(text).not.toContain(customer(who));
    expect((await get<{ ok: boolean }>('/v1/audit/verify')).body.ok).toBe(true);
  });

  it('replaying the topics from offset 0 adds no record', async () => {
    const before = await stats();
    await audit.close();
    await KafkaAdmin.with(kafka, (admin) =>
      admin.resetGroupOffsets(`${prefix}audit`, topicName(Topics.intents, prefix), 'earliest'),
    );
    audit = await boot();
    const sentinels = [];
    for (const p of CHAINS) {
      const e = intent(100 + p);
      sentinels.push(e);
      await send(p, e);
    }
    await eventually(
      async () => (await stats()) === before + sentinels.length,
      30_000,
      'sentinels recorded after the replay',
    );
    const { rows } = await db.query(
      `SELECT count(*)::int AS n, count(DISTINCT event_id)::int AS d FROM audit.records`,
    );
    expect(rows[0]).toEqual({ n: before + sentinels.length, d: before + sentinels.length });
    expect((await get<{ ok: boolean }>('/v1/audit/verify')).body.ok).toBe(true);
  });

  it('audits dead letters with the rejected body decoded and treated, never as opaque base64', async () => {
    const body = Buffer.from(JSON.stringify({ justification: 'please refund dlq.person@example.com' }));
    const dead = createEvent(
      EventTypes.MessageDeadLettered,
      {
        reason: 'schema_violation',
        error: 'intent data invalid',
        origin: {
          topic: topicName(Topics.intents, prefix),
          partition: 0,
          offset: '7',
          key: 'agent-0',
          consumerGroup: 'g',
        },
        originalValueBase64: body.toString('base64'),
        originalHeaders: {},
        rejectedAt: new Date().toISOString(),
      },
      { source: 'agentops/guardrail', tenantid: TENANT },
    );
    const m = encodeEvent(dead, 'agent-0');
    await producer.publishRaw(topicName(Topics.deadLetters, prefix), [
      { partition: 0, key: m.key, value: m.value, headers: m.headers },
    ]);
    const row = await eventually(
      async () =>
        (
          await db.query(`SELECT payload::text AS p, chain_id FROM audit.records WHERE event_id = $1`, [
            dead.id,
          ])
        ).rows[0] as { p: string; chain_id: string } | undefined,
      20_000,
      'dead letter audited',
    );
    expect(row.chain_id).toBe('agentops.dlq.v1:0');
    expect(row.p).not.toContain('dlq.person@example.com');
    expect(row.p).not.toContain(body.toString('base64'));
    expect(row.p).toMatch(/please refund \[email_[0-9a-f]{32}\]/);
  });

  it('pseudonymises a human actor named by email, keeping the clear value sealed', async () => {
    const flip = createEvent(
      EventTypes.KillSwitchChanged,
      {
        switchId: newEventId(),
        selector: { tenantId: TENANT, role: 'pricing' },
        state: 'active',
        actor: 'sre.alice@example.com',
        reason: 'runaway repricing',
        changedAt: new Date().toISOString(),
      },
      { source: 'agentops/killswitch', tenantid: TENANT },
    );
    const m = encodeEvent(flip, 'scope');
    await producer.publishRaw(topicName(Topics.killswitch, prefix), [
      { partition: 0, key: m.key, value: m.value, headers: m.headers },
    ]);
    const row = await eventually(
      async () =>
        (
          await db.query(
            `SELECT actor_kind, actor_id, payload::text AS p, sealed FROM audit.records WHERE event_id = $1`,
            [flip.id],
          )
        ).rows[0],
      20_000,
      'kill switch flip audited',
    );
    expect(row.actor_kind).toBe('human');
    expect(row.actor_id).toMatch(/^\[email_[0-9a-f]{32}\]$/);
    expect(row.p).not.toContain('sre.alice@example.com');
    expect(Object.keys(row.sealed)).toHaveLength(1);
  });

  describe('tampering as the database superuser is detected, naming the record', () => {
    const chain = (p: number) => `agentops.intents.v1:${p}`;
    const at = async (p: number, seq: number) =>
      (
        await db.query(`SELECT event_id FROM audit.records WHERE chain_id = $1 AND sequence = $2`, [
          chain(p),
          seq,
        ])
      ).rows[0].event_id as string;
    const verifyChain = async (p: number) =>
      (
        await get<{ ok: boolean; firstFailure: { reason: string; eventId: string; sequence: number } }>(
          `/v1/audit/verify?chainId=${encodeURIComponent(chain(p))}`,
        )
      ).body;

    beforeAll(async () => {
      await db.query(`SET session_replication_role = replica`); // the superuser switches the triggers off
    });

    it('one payload changed', async () => {
      const victim = await at(0, 3);
      await db.query(
        `UPDATE audit.records SET payload = jsonb_set(payload, '{params,amount}', '9999') WHERE chain_id = $1 AND sequence = 3`,
        [chain(0)],
      );
      expect(await verifyChain(0)).toMatchObject({
        ok: false,
        firstFailure: { reason: 'hash_mismatch', eventId: victim, sequence: 3 },
      });
      const cli = await runVerify(SUPER_URL, { chainId: chain(0) });
      expect(cli.firstFailure).toMatchObject({ reason: 'hash_mismatch', eventId: victim });
    });

    it('one record deleted', async () => {
      const next = await at(1, 3);
      await db.query(`DELETE FROM audit.records WHERE chain_id = $1 AND sequence = 2`, [chain(1)]);
      expect(await verifyChain(1)).toMatchObject({
        ok: false,
        firstFailure: { reason: 'gap', sequence: 2, eventId: next },
      });
    });

    it('two records swapped', async () => {
      const a = await at(2, 2);
      await db.query(`UPDATE audit.records SET sequence = -1 WHERE chain_id = $1 AND sequence = 2`, [
        chain(2),
      ]);
      await db.query(`UPDATE audit.records SET sequence = 2 WHERE chain_id = $1 AND sequence = 3`, [
        chain(2),
      ]);
      await db.query(`UPDATE audit.records SET sequence = 3 WHERE chain_id = $1 AND sequence = -1`, [
        chain(2),
      ]);
      const b = await at(2, 2);
      expect(b).not.toBe(a);
      expect(await verifyChain(2)).toMatchObject({
        ok: false,
        firstFailure: { reason: 'reordered', eventId: b, sequence: 2 },
      });
    });

    it('one record inserted', async () => {
      const forged = newEventId();
      await db.query(
        `INSERT INTO audit.records SELECT chain_id, sequence, $2::uuid, type, source, tenant_id, agent_id, correlation_id, causation_id, topic,
                kafka_partition, kafka_offset, event_time, event_ts, actor_kind, actor_id, action, verdict, decided_by,
                jsonb_set(payload, '{params,amount}', '1'), sealed, subjects, prev_hash, hash, now()
           FROM audit.records WHERE chain_id = $1 AND sequence = 4`,
        [chain(3), forged],
      );
      expect(await verifyChain(3)).toMatchObject({
        ok: false,
        firstFailure: { reason: 'unexpected_record', eventId: forged, sequence: 4 },
      });
    });

    it('the whole-store verify names the first broken record, and untouched chains still pass', async () => {
      const all = await get<{ ok: boolean; chains: { chainId: string; ok: boolean }[] }>('/v1/audit/verify');
      expect(all.body.ok).toBe(false);
      expect(
        all.body.chains
          .filter((c) => !c.ok)
          .map((c) => c.chainId)
          .sort(),
      ).toEqual(CHAINS.map(chain));
    });
  });
});
