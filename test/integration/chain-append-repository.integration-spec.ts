import { GENESIS_HASH, generateSigningKey, signCheckpoint } from '@agentops/audit-chain';
import { serviceDataSourceOptions } from '@agentops/persistence';
import { LocalKeyWrapper, parseKeks } from '@agentops/privacy';
import { DataSource } from 'typeorm';
import { chained, recordContent, scanItem } from '../../services/audit/src/chain/append-steps';
import { PostgresChainAppendRepository } from '../../services/audit/src/chain/chain-append-repository';
import { typeormSql } from '../../services/audit/src/chain/sql';
import { PayloadPrivacy } from '../../services/audit/src/privacy/payload-privacy';
import { SubjectKeyStore } from '../../services/audit/src/privacy/subject-key-store';
import { SourcePartition, auditedEvent } from '../../services/audit/src/testing/audit-doubles';
import { serviceDatabaseUrl } from '../support/test-database';
import { TEST_AUDIT_KEK } from '../support/test-env';

/**
 * Audit's append repository on the real PostgreSQL, connected as the audit service's own role:
 * the SQL the in-memory chains of the AuditAppender unit spec stand in for (head creation and its
 * row lock, dedup lookup, record and index rows, checkpoints, rollback). The chains are this
 * suite's own (named after the run); audit's tables are append-only for its role, so the rows stay
 * in the run's database, which the global teardown drops.
 */
const RUN = Date.now().toString(36);

describe('PostgresChainAppendRepository on PostgreSQL', () => {
  let ds: DataSource;
  let repo: PostgresChainAppendRepository;
  const privacy = new PayloadPrivacy('it-pseudonym-secret-0123456789abcdef');
  let n = 0;
  const partition = () => new SourcePartition(`it-append-${RUN}`, n++);
  /** Records for the given partition's next events after `head`, as the appender builds them. */
  const recordsAfter = (
    p: SourcePartition,
    head: { chainId: string; sequence: number; hash: string },
    count: number,
    text = 'reprice',
  ) =>
    chained(
      head,
      Array.from({ length: count }, () =>
        recordContent(
          scanItem(privacy, p.item(auditedEvent('agentops.intent.proposed.v1', { justification: text }))),
          new Map(),
          new Date().toISOString(),
        ),
      ),
    );

  beforeAll(async () => {
    ds = new DataSource(
      serviceDataSourceOptions({
        url: serviceDatabaseUrl('audit'),
        schema: 'audit',
        entities: [],
        migrations: [],
        applicationName: 'chain-append-repository-test',
      }),
    );
    await ds.initialize();
    repo = new PostgresChainAppendRepository(
      typeormSql(ds),
      // The run's KEK: a key wrapped by another would stop every later audit boot on this database.
      new SubjectKeyStore(new LocalKeyWrapper(parseKeks(TEST_AUDIT_KEK))),
    );
  });

  afterAll(async () => {
    await ds?.destroy();
  });

  it('creates a missing chain head at genesis, and reads an existing one unchanged', async () => {
    const p = partition();
    const head = await repo.transaction((tx) => tx.lockHead(p.chainId));
    expect(head).toEqual({ chainId: p.chainId, sequence: -1, hash: GENESIS_HASH });
    expect(await repo.transaction((tx) => tx.lockHead(p.chainId))).toEqual(head);
  });

  it('stores records with their index rows, reads them back as stored and finds their event ids recorded', async () => {
    const p = partition();
    const { records, head } = await repo.transaction(async (tx) => {
      const chain = recordsAfter(p, await tx.lockHead(p.chainId), 3);
      await tx.insertRecords(chain.records);
      await tx.advanceHead(chain.head);
      return chain;
    });
    const ids = records.map((r) => r.eventId);
    const unknown = '0190a0a0-0000-7000-8000-ffffffffffff';
    await repo.transaction(async (tx) => {
      expect(await tx.lockHead(p.chainId)).toEqual(head);
      expect((await tx.recordedEventIds([...ids, unknown])).sort()).toEqual([...ids].sort());
      expect(await tx.recordsByEventIds([ids[2], ids[0]])).toEqual([records[0], records[2]]);
    });
  });

  it('rolls the whole transaction back when the work fails: no records, no index rows, the head unmoved', async () => {
    const p = partition();
    let ids: string[] = [];
    await expect(
      repo.transaction(async (tx) => {
        const chain = recordsAfter(p, await tx.lockHead(p.chainId), 2);
        ids = chain.records.map((r) => r.eventId);
        await tx.insertRecords(chain.records);
        await tx.advanceHead(chain.head);
        throw new Error('publish failed');
      }),
    ).rejects.toThrow('publish failed');
    await repo.transaction(async (tx) => {
      expect(await tx.lockHead(p.chainId)).toEqual({ chainId: p.chainId, sequence: -1, hash: GENESIS_HASH });
      expect(await tx.recordedEventIds(ids)).toEqual([]);
    });
  });

  it('refuses a second record for an event id already recorded', async () => {
    const p = partition();
    const chain = await repo.transaction(async (tx) => {
      const c = recordsAfter(p, await tx.lockHead(p.chainId), 1);
      await tx.insertRecords(c.records);
      await tx.advanceHead(c.head);
      return c;
    });
    const replay = { ...chain.records[0], sequence: 1, prevHash: chain.head.hash };
    await expect(repo.transaction((tx) => tx.insertRecords([replay]))).rejects.toThrow(/duplicate key/);
  });

  it('holds the chain head locked until commit: a second writer waits and then sees the advanced head', async () => {
    const p = partition();
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let locked!: () => void;
    const isLocked = new Promise<void>((r) => (locked = r));
    const first = repo.transaction(async (tx) => {
      const chain = recordsAfter(p, await tx.lockHead(p.chainId), 1);
      locked();
      await held;
      await tx.insertRecords(chain.records);
      await tx.advanceHead(chain.head);
      return chain.head;
    });
    await isLocked;
    let secondSaw: unknown;
    const second = repo.transaction(async (tx) => (secondSaw = await tx.lockHead(p.chainId)));
    await new Promise((r) => setTimeout(r, 300));
    expect(secondSaw).toBeUndefined(); // still waiting on the row lock
    release();
    const advanced = await first;
    await second;
    expect(secondSaw).toEqual(advanced);
  });

  it('keeps checkpoints: a fresh chain is uncheckpointed, a saved checkpoint moves its state, idle chains are listed', async () => {
    const p = partition();
    const key = generateSigningKey();
    const head = await repo.transaction(async (tx) => {
      const chain = recordsAfter(p, await tx.lockHead(p.chainId), 2);
      await tx.insertRecords(chain.records);
      await tx.advanceHead(chain.head);
      const state = await tx.checkpointState(p.chainId);
      expect(state.checkpointSequence).toBe(-1);
      expect(state.ageSeconds).toBeGreaterThanOrEqual(0);
      return chain.head;
    });
    await new Promise((r) => setTimeout(r, 1100));
    expect(await repo.chainsDueForCheckpoint(1)).toContain(p.chainId);
    expect(await repo.chainsDueForCheckpoint(3600)).not.toContain(p.chainId);
    const cp = signCheckpoint(key, {
      chainId: p.chainId,
      sequence: head.sequence,
      headHash: head.hash,
      signedAt: new Date().toISOString(),
    });
    await repo.transaction(async (tx) => {
      await tx.lockHead(p.chainId);
      await tx.saveCheckpoint(cp, key.publicKeyPem);
      const state = await tx.checkpointState(p.chainId);
      expect(state.checkpointSequence).toBe(1);
    });
    expect(await repo.chainsDueForCheckpoint(0)).not.toContain(p.chainId);
    const [stored] = await ds.query(
      `SELECT sequence::int AS sequence, head_hash, key_id, signature, public_key FROM checkpoints WHERE chain_id = $1`,
      [p.chainId],
    );
    expect(stored).toEqual({
      sequence: 1,
      head_hash: head.hash,
      key_id: cp.keyId,
      signature: cp.signature,
      public_key: key.publicKeyPem,
    });
  });

  it("creates a subject's key once, inside the transaction, and hands the same key on later loads", async () => {
    const subject = `customer-${RUN}`;
    const wanted = [{ tenantId: `it-${RUN}`, subject }];
    const first = await repo.transaction((tx) => tx.subjectKeys(wanted));
    const again = await repo.transaction((tx) => tx.subjectKeys(wanted));
    const id = `it-${RUN}\u0000${subject}`;
    expect(first.get(id)).toBeInstanceOf(Buffer);
    expect(again.get(id)!.equals(first.get(id)!)).toBe(true);
  });

  it("keeps the records' monthly partitions ahead through the function the audit role may call", async () => {
    await repo.extendRecordPartitions(14);
    const [{ n }] = await ds.query(
      `SELECT count(*)::int AS n FROM pg_inherits i JOIN pg_class p ON p.oid = i.inhparent
        JOIN pg_namespace ns ON ns.oid = p.relnamespace WHERE p.relname = 'records' AND ns.nspname = 'audit'`,
    );
    expect(n).toBeGreaterThanOrEqual(15);
  });
});
