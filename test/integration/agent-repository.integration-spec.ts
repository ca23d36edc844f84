import { serviceDataSourceOptions } from '@agentops/persistence';
import { DataSource } from 'typeorm';
import {
  AGENTS_KEYSET,
  AgentRegistration,
  PostgresAgentRepository,
} from '../../services/ingest/src/agents/agent-repository';
import { issueApiKey } from '../../services/ingest/src/agents/api-key';
import { ingestDatabase } from '../../services/ingest/src/persistence/database';
import { serviceDatabaseUrl } from '../support/test-database';

/**
 * ingest's agent repository on the real PostgreSQL, connected as the ingest service's own role:
 * the SQL the in-memory repository of the AgentRegistry unit spec stands in for (the upsert's
 * per-tenant conflict, scope history, the rotation's row lock). The agents are this suite's own
 * (ids and tenants named after the run) and are deleted at the end, their keys with them.
 */
const RUN = Date.now().toString(36);
const TENANT = `it-${RUN}`;
const RIVAL = `it-${RUN}-rival`;

describe('PostgresAgentRepository on PostgreSQL', () => {
  let ds: DataSource;
  let repo: PostgresAgentRepository;
  let n = 0;
  const agentId = () => `it-agent-${RUN}-${n++}`;
  const registration = (id: string, extra: Partial<AgentRegistration> = {}): AgentRegistration => ({
    id,
    tenantId: TENANT,
    name: 'Pricing bot',
    role: 'pricing',
    version: '1.0.0',
    region: 'eu-west',
    labels: { team: 'pricing' },
    ownerTeam: 'pricing',
    ...extra,
  });
  const newKey = () => {
    const { keyId, secretHash } = issueApiKey();
    return { keyId, secretHash };
  };
  const keysOf = (
    id: string,
  ): Promise<{ key_id: string; revoked_at: Date | null; expires_at: Date | null }[]> =>
    ds.query(
      `SELECT key_id, revoked_at, expires_at FROM api_keys WHERE agent_id = $1 ORDER BY created_at, key_id`,
      [id],
    );

  beforeAll(async () => {
    ds = new DataSource(
      serviceDataSourceOptions({
        url: serviceDatabaseUrl('ingest'),
        schema: 'ingest',
        entities: ingestDatabase().entities,
        migrations: [],
        applicationName: 'agent-repository-test',
      }),
    );
    await ds.initialize();
    repo = new PostgresAgentRepository(ds);
  });

  afterAll(async () => {
    await ds?.query(`DELETE FROM agents WHERE tenant_id = ANY($1::text[])`, [[TENANT, RIVAL]]);
    await ds?.destroy();
  });

  it('registers an agent with its key (the digest only) and finds the key with the agent', async () => {
    const id = agentId();
    const key = newKey();
    const agent = await repo.register(registration(id), key);
    expect(agent).toEqual({
      id,
      tenantId: TENANT,
      role: 'pricing',
      version: '1.0.0',
      region: 'eu-west',
      labels: { team: 'pricing' },
    });
    expect(await repo.activeKey(key.keyId)).toEqual({
      key: { keyId: key.keyId, agentId: id, secretHash: key.secretHash, revokedAt: null, expiresAt: null },
      agent,
    });
    expect(await repo.find(id, TENANT)).toEqual({ ...agent, name: 'Pricing bot', ownerTeam: 'pricing' });
  });

  it('refuses an id another tenant holds (null), changing nothing and storing no key', async () => {
    const id = agentId();
    await repo.register(registration(id), newKey());
    const stolen = newKey();
    expect(
      await repo.register(registration(id, { tenantId: RIVAL, labels: { team: 'stolen' } }), stolen),
    ).toBeNull();
    expect(await repo.find(id)).toMatchObject({ tenantId: TENANT, labels: { team: 'pricing' } });
    expect(await repo.activeKey(stolen.keyId)).toBeNull();
    expect(await keysOf(id)).toHaveLength(1);
  });

  it('lets exactly one of two tenants racing for a new id win', async () => {
    const id = agentId();
    const results = await Promise.all([
      repo.register(registration(id), newKey()),
      repo.register(registration(id, { tenantId: RIVAL }), newKey()),
    ]);
    const winners = results.filter((r) => r !== null);
    expect(winners).toHaveLength(1);
    expect((await repo.find(id))?.tenantId).toBe(winners[0]!.tenantId);
    expect(await keysOf(id)).toHaveLength(1);
  });

  it('registers an id again in its tenant: updates the agent, keeps the first key and adds the new one', async () => {
    const id = agentId();
    const first = newKey();
    await repo.register(registration(id, { scopes: { actions: ['pricing.*'] } }), first);
    const again = await repo.register(registration(id, { version: '1.1.0', ownerTeam: undefined }), newKey());
    expect(again).toMatchObject({ version: '1.1.0' });
    expect(again).not.toHaveProperty('scopes');
    expect(await repo.find(id)).toMatchObject({ version: '1.1.0', ownerTeam: null });
    expect(await repo.activeKey(first.keyId)).not.toBeNull();
    expect(await keysOf(id)).toHaveLength(2);
  });

  it("finds an agent only in its own tenant, and lists a tenant's agents by id", async () => {
    const [b, a] = [agentId(), agentId()].sort().reverse();
    await repo.register(registration(b), newKey());
    await repo.register(registration(a), newKey());
    expect(await repo.find(a, RIVAL)).toBeNull();
    const listed = (await repo.list(TENANT, { limit: 500 })).items.map((x) => x.id);
    expect(listed).toEqual([...listed].sort());
    expect(listed).toEqual(expect.arrayContaining([a, b]));
    // Page by page (one agent each) the same agents in the same order.
    const walked: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await repo.list(TENANT, { limit: 1, cursor });
      walked.push(...page.items.map((x) => x.id));
      cursor = page.next ?? undefined;
    } while (cursor);
    expect(walked).toEqual(listed);
    const everyTenant = (
      await repo.list(undefined, { limit: 500, cursor: AGENTS_KEYSET.encode([a < b ? a : b]) })
    ).items;
    expect(everyTenant.map((x) => x.id)).toContain(a < b ? b : a);
    expect(everyTenant.map((x) => x.id)).not.toContain(a < b ? a : b);
  });

  it('replaces scopes and records the change; null restores the default; unknown in the tenant is null', async () => {
    const id = agentId();
    await repo.register(registration(id), newKey());
    const scopes = { actions: ['pricing.set_price'] };
    expect(await repo.setScopes(TENANT, id, scopes, 'admin:ada')).toMatchObject({ id, scopes });
    expect((await repo.find(id))?.scopes).toEqual(scopes);
    const cleared = await repo.setScopes(TENANT, id, null, 'admin:bob');
    expect(cleared).not.toHaveProperty('scopes');
    expect((await repo.find(id))?.scopes).toBeUndefined();
    expect(await repo.setScopes(RIVAL, id, scopes, 'admin:eve')).toBeNull();
    const history: { scopes: unknown; changed_by: string }[] = await ds.query(
      `SELECT scopes, changed_by FROM agent_scope_changes WHERE agent_id = $1 ORDER BY id`,
      [id],
    );
    expect(history).toEqual([
      { scopes, changed_by: 'admin:ada' },
      { scopes: null, changed_by: 'admin:bob' },
    ]);
  });

  it("rotates: hands over the agent's unrevoked keys, stores what was decided for them, then the new key", async () => {
    const id = agentId();
    const first = newKey();
    await repo.register(registration(id), first);
    const at = new Date('2026-03-02T09:00:00.000Z');
    const later = new Date('2026-03-02T09:01:00.000Z');
    const second = newKey();
    let seen: string[] = [];
    const done = await repo.rotateKeys(TENANT, id, second, (unrevoked) => {
      seen = unrevoked.map((k) => k.keyId);
      return unrevoked.map((k) => ({ keyId: k.keyId, revokedAt: null, expiresAt: later }));
    });
    expect(seen).toEqual([first.keyId]);
    expect(done).toMatchObject({ agent: { id, tenantId: TENANT }, retired: [{ keyId: first.keyId }] });
    expect((await repo.activeKey(first.keyId))?.key.expiresAt).toEqual(later);
    // A key revoked is no longer handed to the next rotation.
    await repo.rotateKeys(TENANT, id, newKey(), (unrevoked) =>
      unrevoked.filter((k) => k.keyId === first.keyId).map((k) => ({ ...k, revokedAt: at })),
    );
    expect(await repo.activeKey(first.keyId)).toBeNull();
    const third = await repo.rotateKeys(TENANT, id, newKey(), (unrevoked) => {
      seen = unrevoked.map((k) => k.keyId);
      return [];
    });
    expect(seen).not.toContain(first.keyId);
    expect(seen).toContain(second.keyId);
    expect(third?.retired).toEqual([]);
    expect(await keysOf(id)).toHaveLength(4);
  });

  it('rotates nothing for an agent unknown in the tenant', async () => {
    const id = agentId();
    await repo.register(registration(id), newKey());
    const key = newKey();
    const retire = jest.fn(() => []);
    expect(await repo.rotateKeys(RIVAL, id, key, retire)).toBeNull();
    expect(retire).not.toHaveBeenCalled();
    expect(await repo.activeKey(key.keyId)).toBeNull();
  });

  it('serialises rotations of one agent: each sees the keys of the one before, so one key is left working', async () => {
    const id = agentId();
    await repo.register(registration(id), newKey());
    const now = new Date();
    const revokeAll = (unrevoked: { keyId: string }[]) =>
      unrevoked.map((k) => ({ keyId: k.keyId, revokedAt: now, expiresAt: null }));
    await Promise.all(Array.from({ length: 4 }, () => repo.rotateKeys(TENANT, id, newKey(), revokeAll)));
    const keys = await keysOf(id);
    expect(keys).toHaveLength(5);
    expect(keys.filter((k) => k.revoked_at === null)).toHaveLength(1);
  });
});
