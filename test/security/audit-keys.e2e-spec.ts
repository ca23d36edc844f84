import { exportSigningKey, generateSigningKey } from '@agentops/audit-chain';
import { EventTypes, Topics, topicName } from '@agentops/contracts';
import {
  EventPublisher,
  KafkaClient,
  createEvent,
  encodeEvent,
  newEventId,
  silentLogger,
} from '@agentops/messaging';
import { LocalKeyWrapper, kekIdOf, parseKeks, subjectKeyContext, unseal } from '@agentops/privacy';
import { RunningService } from '@agentops/service-runtime';
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { Client } from 'pg';
import { sealAad } from '../../services/audit/src/privacy/payload-privacy';
import { serviceKafkaEnv } from '../../tools/kafka-access/local-principals';
import { adminKafka, revokeRunGrants } from '../support/kafka-access';
import { bootService, eventually } from '../support/platform';
import { prepareTestStack } from '../support/stack-setup';
import { dropTestDeployment, serviceDatabaseUrl } from '../support/test-database';
import { KAFKA_BROKERS, TEST_OPERATOR_TOKEN } from '../support/test-env';

/**
 * Issue #12.5, audit's keys on the real stack: subject keys stored wrapped by a key-encryption
 * key held outside the database (clear keys from before migrated, the KEK rotatable), and
 * production refusing to start audit without pinned signing and trusted keys. The suite has a
 * database of its own: it rotates KEKs other suites' audits would not hold.
 */
const DB = `agentops_test_keys_${Date.now().toString(36)}_${process.pid}`;
const ADMIN_URL = `postgres://postgres@127.0.0.1:5432/${DB}`;
const PREFIX = `tk${Date.now().toString(36)}.`;
const TENANT = 'maison-keys';
const KEK_A = randomBytes(32).toString('base64');
const KEK_B = randomBytes(32).toString('base64');
const LEGACY = { subject: `customer_${'0'.repeat(31)}1`, key: randomBytes(32) };
const operator = { authorization: `Bearer ${TEST_OPERATOR_TOKEN}` };

describe('audit keys: wrapped subject keys, pinned keys in production (issue #12)', () => {
  let db: Client;
  let kafka: KafkaClient;
  let producer: EventPublisher;
  let audit: RunningService | undefined;
  let spawned: ChildProcess | undefined;
  const intentId = newEventId();

  const boot = (env: Record<string, string>) =>
    bootService('audit', {
      TEST_DATABASE: DB,
      KAFKA_TOPIC_PREFIX: PREFIX,
      AUDIT_PSEUDONYM_SECRET: 'keys-pseudonym-secret-0123456789abcdef0123',
      ...env,
    });
  const keyRows = async () =>
    (
      await db.query<{ subject_ref: string; key: Buffer | null; wrapped_key: string; kek_id: string }>(
        `SELECT subject_ref, key, wrapped_key, kek_id FROM audit.subject_keys WHERE tenant_id = $1 ORDER BY 1`,
        [TENANT],
      )
    ).rows;

  beforeAll(async () => {
    await prepareTestStack(DB, ADMIN_URL, PREFIX);
    db = new Client({ connectionString: ADMIN_URL });
    await db.connect();
    // A key stored in clear before keys were wrapped (the trigger now refuses that, hence replica).
    await db.query(`SET session_replication_role = replica`);
    await db.query(`INSERT INTO audit.subject_keys (tenant_id, subject_ref, key) VALUES ($1, $2, $3)`, [
      TENANT,
      LEGACY.subject,
      LEGACY.key,
    ]);
    await db.query(`SET session_replication_role = origin`);
    // As the admin: it stands in for ingest, the producer of the intents audit records.
    kafka = adminKafka(PREFIX, 'audit-keys-e2e');
    producer = new EventPublisher(kafka, PREFIX, silentLogger);
    await producer.connect();
  });

  afterAll(async () => {
    spawned?.kill('SIGKILL'); // only if a regression let it start
    await audit?.close();
    await producer?.disconnect();
    await db?.end();
    await dropTestDeployment(DB);
    await revokeRunGrants(PREFIX);
  });

  it('in production, audit refuses to start without a pinned signing key and trusted key ids, naming them', async () => {
    const main = resolve(__dirname, '../../dist/services/audit/src/main.js');
    const run = await new Promise<{ code: number | null; stderr: string }>((done, fail) => {
      const child = (spawned = spawn(process.execPath, [main], {
        cwd: resolve(__dirname, '../..'),
        env: {
          PATH: process.env.PATH ?? '',
          AGENTOPS_ENV: 'production',
          AUDIT_KEK: KEK_A,
          DATABASE_URL: serviceDatabaseUrl('audit', DB),
          KAFKA_BROKERS,
          ...serviceKafkaEnv('audit'),
        },
      }));
      let stderr = '';
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      child.on('error', fail);
      child.on('close', (code) => done({ code, stderr }));
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('AUDIT_SIGNING_KEY: is required in production (AGENTOPS_ENV=production)');
    expect(run.stderr).toContain('AUDIT_TRUSTED_KEY_IDS: is required in production');
    expect(run.stderr).toContain('AUDIT_PSEUDONYM_SECRET: is required in production');
  });

  it('stores every subject key wrapped: the database alone opens no sealed value, the KEK does', async () => {
    audit = await boot({ AUDIT_KEK: KEK_A });
    const event = createEvent(
      EventTypes.IntentProposed,
      {
        intentId,
        action: 'service.issue_refund',
        target: { type: 'customer', id: 'C-4242' },
        params: { amount: 40, email: 'jane.keys@example.com' },
        confidence: 0.9,
        justification: 'customer jane.keys@example.com asked for it',
        dataUsed: [],
        agent: { id: 'agent-k', tenantId: TENANT, role: 'service', version: '1', region: 'eu', labels: {} },
        proposedAt: new Date().toISOString(),
      },
      { source: 'agentops/ingest', tenantid: TENANT, agentid: 'agent-k' },
    );
    const m = encodeEvent(event, 'agent-k');
    await producer.publishRaw(topicName(Topics.intents, PREFIX), [
      { key: m.key, value: m.value, headers: m.headers },
    ]);
    const record = await eventually(
      async () =>
        (await db.query(`SELECT sealed FROM audit.records WHERE event_id = $1`, [event.id])).rows[0] as
          { sealed: Record<string, { value: string }> } | undefined,
      30_000,
      'the intent recorded',
    );
    // The clear key from before is wrapped at start, in the background.
    const rows = await eventually(
      async () => {
        const r = await keyRows();
        return r.length >= 2 && r.every((k) => k.key === null) ? r : undefined;
      },
      20_000,
      'every key wrapped',
    );
    expect(rows.every((k) => k.kek_id === kekIdOf(parseKeks(KEK_A)[0]) && k.wrapped_key)).toBe(true);
    const legacy = rows.find((k) => k.subject_ref === LEGACY.subject)!;
    const wrapperA = new LocalKeyWrapper(parseKeks(KEK_A));
    const unwrap = (w: LocalKeyWrapper, row: (typeof rows)[number]) =>
      w.unwrap({ kekId: row.kek_id, wrapped: row.wrapped_key }, subjectKeyContext(TENANT, row.subject_ref));
    expect(await unwrap(wrapperA, legacy)).toEqual(LEGACY.key);

    const [subject, box] = Object.entries(record.sealed)[0];
    const row = rows.find((k) => k.subject_ref === subject)!;
    const aad = sealAad(TENANT, subject, event.id);
    // Everything a dump of the database holds about the key fails to open the box...
    const stored = row.wrapped_key.split('.').map((part) => Buffer.from(part, 'base64url'));
    for (const guess of [
      ...stored.filter((b) => b.length === 32),
      Buffer.from(row.wrapped_key).subarray(0, 32),
    ])
      expect(() => unseal(guess, box.value, aad)).toThrow();
    await expect(unwrap(new LocalKeyWrapper(parseKeks(KEK_B)), row)).rejects.toThrow(
      /unknown key-encryption key/,
    );
    // ...the KEK, held outside it, does.
    expect(unseal(await unwrap(wrapperA, row), box.value, aad)).toContain('jane.keys@example.com');
  });

  it('refuses to start when a stored key needs a KEK it is not given, then re-wraps under a rotated KEK', async () => {
    await audit?.close();
    audit = undefined;
    const a = kekIdOf(parseKeks(KEK_A)[0]);
    await expect(boot({ AUDIT_KEK: KEK_B })).rejects.toThrow(
      `AUDIT_KEK: stored subject keys are wrapped by ${a}, which AUDIT_KEK does not hold`,
    );
    audit = await boot({ AUDIT_KEK: `${KEK_B},${KEK_A}` });
    const b = kekIdOf(parseKeks(KEK_B)[0]);
    const rows = await eventually(
      async () => {
        const r = await keyRows();
        return r.every((k) => k.kek_id === b) ? r : undefined;
      },
      20_000,
      'every key re-wrapped under the new KEK',
    );
    const legacy = rows.find((k) => k.subject_ref === LEGACY.subject)!;
    expect(
      await new LocalKeyWrapper(parseKeks(KEK_B)).unwrap(
        { kekId: legacy.kek_id, wrapped: legacy.wrapped_key },
        subjectKeyContext(TENANT, legacy.subject_ref),
      ),
    ).toEqual(LEGACY.key);
    const verify = await fetch(`${audit.url}/v1/audit/verify`, { headers: operator });
    expect(((await verify.json()) as { ok: boolean }).ok).toBe(true);
  });

  it('in production with pinned keys, audit starts and its checkpoints verify against the pinned id', async () => {
    await audit?.close();
    const signing = generateSigningKey();
    audit = await boot({
      AGENTOPS_ENV: 'production',
      AUDIT_KEK: KEK_B,
      AUDIT_SIGNING_KEY: exportSigningKey(signing),
      AUDIT_TRUSTED_KEY_IDS: signing.keyId,
      AUDIT_CHECKPOINT_SECONDS: '1',
    });
    const report = await eventually(
      async () => {
        const res = await fetch(`${audit!.url}/v1/audit/verify`, { headers: operator });
        const body = (await res.json()) as { ok: boolean; keyIds: string[] };
        return body.keyIds.includes(signing.keyId) ? body : undefined;
      },
      20_000,
      'a checkpoint signed by the pinned key',
    );
    expect(report).toMatchObject({ ok: true, keyIds: [signing.keyId] });
  });
});
