import { HumanRole } from '@agentops/service-runtime';
import { DataSource } from 'typeorm';
import { USERS_KEYSET, UserRepository } from '../../services/console/src/identity/user-repository';
import { serviceDataSource } from '../support/service-data-source';

/**
 * The console's users on the real PostgreSQL, connected as the console's own role: inserts that
 * never overwrite, reads per tenant, changes that raise the token epoch exactly when they touch
 * access, in the same statement. The users are this suite's own (ids and tenants named after the
 * run) and deleted at the end.
 */
const RUN = Date.now().toString(36);
const tenant = (name: string) => `it-users-${name}-${RUN}`;

describe('UserRepository on PostgreSQL', () => {
  let ds: DataSource;
  let users: UserRepository;
  let n = 0;

  beforeAll(async () => {
    ds = await serviceDataSource('console', 'user-repository-test');
    users = new UserRepository(ds);
  });

  afterAll(async () => {
    await ds?.query(`DELETE FROM users WHERE tenant_id LIKE $1`, [`it-users-%-${RUN}`]);
    await ds?.destroy();
  });

  const newUser = (tenantId: string, roles: HumanRole[] = ['sre'], groups: string[] = []) => ({
    id: `it-user-${RUN}-${n++}`,
    tenantId,
    displayName: 'Ada Reviewer',
    roles,
    groups,
    passwordHash: `scrypt$hash-${n}`,
  });
  const created = async (tenantId = tenant('t'), roles?: HumanRole[], groups?: string[]) => {
    const u = newUser(tenantId, roles, groups);
    expect(await users.create(u, 'it-admin')).toBe(true);
    return u;
  };

  it('creates a user and reads it back with its hash, not disabled, epoch 0, never logged in', async () => {
    const u = await created(tenant('read'), ['policy-admin', 'auditor'], ['service-reviewers']);
    const found = await users.findWithHash(u.id);
    expect(found).toEqual({
      passwordHash: u.passwordHash,
      user: {
        id: u.id,
        tenantId: u.tenantId,
        displayName: 'Ada Reviewer',
        roles: ['policy-admin', 'auditor'],
        groups: ['service-reviewers'],
        disabled: false,
        tokenEpoch: 0,
        createdAt: expect.any(String),
        lastLoginAt: null,
      },
    });
    expect(new Date(found!.user.createdAt).toISOString()).toBe(found!.user.createdAt);
    expect(await users.findWithHash(`it-user-${RUN}-missing`)).toBeNull();
  });

  it('refuses an id that is taken and leaves the first user as it was', async () => {
    const u = await created(tenant('taken'), ['sre']);
    expect(
      await users.create(
        { ...u, tenantId: tenant('other'), roles: ['admin'], passwordHash: 'x' },
        'intruder',
      ),
    ).toBe(false);
    const found = await users.findWithHash(u.id);
    expect([found?.user.tenantId, found?.user.roles, found?.passwordHash]).toEqual([
      u.tenantId,
      ['sre'],
      u.passwordHash,
    ]);
  });

  it('lists one tenant’s users only, ordered by id; without a tenant, every tenant’s', async () => {
    const [a, b] = [tenant('list-a'), tenant('list-b')];
    const ua = [await created(a), await created(a)];
    const ub = await created(b);
    const page = { limit: 100 };
    expect((await users.list(a, page)).items.map((u) => u.id)).toEqual(ua.map((u) => u.id).sort());
    expect((await users.list(b, page)).items.map((u) => u.id)).toEqual([ub.id]);
    expect(await users.list(tenant('list-none'), page)).toEqual({ items: [], next: null });
    // Every tenant's, from a position just before tenant a, a page at a time: a's users, then b's.
    const all: [string, string][] = [];
    let cursor: string | undefined = USERS_KEYSET.encode([a, '']);
    for (let n = 0; n < 3 && cursor; n++) {
      const next = await users.list(undefined, { limit: 1, cursor });
      all.push(...next.items.map((u): [string, string] => [u.tenantId, u.id]));
      cursor = next.next ?? undefined;
    }
    expect(all).toEqual(
      [...ua.map((u) => [a, u.id]), [b, ub.id]].sort((x, y) => (x.join() < y.join() ? -1 : 1)),
    );
  });

  it('raises the token epoch on each change of roles, groups, password or disabled, and not on a new display name', async () => {
    const u = await created(tenant('epoch'), ['sre']);
    expect(await users.update(u.id, { displayName: 'Ada L.' })).toEqual({
      tokenEpoch: 0,
      accessChanged: false,
    });
    expect(await users.update(u.id, { roles: ['sre', 'auditor'] })).toEqual({
      tokenEpoch: 1,
      accessChanged: true,
    });
    expect(await users.update(u.id, { groups: ['g1'] })).toEqual({ tokenEpoch: 2, accessChanged: true });
    expect(await users.update(u.id, { passwordHash: 'scrypt$new' })).toEqual({
      tokenEpoch: 3,
      accessChanged: true,
    });
    expect(await users.update(u.id, { disabled: true })).toEqual({ tokenEpoch: 4, accessChanged: true });
    const found = await users.findWithHash(u.id);
    expect(found).toMatchObject({
      passwordHash: 'scrypt$new',
      user: {
        displayName: 'Ada L.',
        roles: ['sre', 'auditor'],
        groups: ['g1'],
        disabled: true,
        tokenEpoch: 4,
      },
    });
  });

  it('changes only what it is given: an empty group list clears the groups, absent fields stay', async () => {
    const u = await created(tenant('partial'), ['policy-admin'], ['g1', 'g2']);
    await users.update(u.id, { groups: [] });
    const found = await users.findWithHash(u.id);
    expect(found).toMatchObject({
      passwordHash: u.passwordHash,
      user: { displayName: 'Ada Reviewer', roles: ['policy-admin'], groups: [], disabled: false },
    });
  });

  it('keeps the first disable time when disabled again, and clears it when enabled', async () => {
    const u = await created(tenant('disable'));
    await users.update(u.id, { disabled: true });
    const [first] = (await ds.query(`SELECT disabled_at FROM users WHERE id = $1`, [u.id])) as {
      disabled_at: Date;
    }[];
    await users.update(u.id, { disabled: true });
    const [again] = (await ds.query(`SELECT disabled_at FROM users WHERE id = $1`, [u.id])) as {
      disabled_at: Date;
    }[];
    expect(again.disabled_at).toEqual(first.disabled_at);
    await users.update(u.id, { disabled: false });
    expect((await users.findWithHash(u.id))?.user.disabled).toBe(false);
  });

  it('answers a change of an unknown user with epoch 0 and creates nobody', async () => {
    const id = `it-user-${RUN}-nobody`;
    expect(await users.update(id, { roles: ['admin'] })).toEqual({ tokenEpoch: 0, accessChanged: true });
    expect(await users.findWithHash(id)).toBeNull();
  });

  it('loses no epoch when access changes run at once: each raises it by one', async () => {
    const u = await created(tenant('concurrent'));
    const epochs = await Promise.all(
      Array.from({ length: 6 }, (_, i) => users.update(u.id, { groups: [`g${i}`] })),
    );
    expect(epochs.map((e) => e.tokenEpoch).sort((x, y) => x - y)).toEqual([1, 2, 3, 4, 5, 6]);
    expect((await users.findWithHash(u.id))?.user.tokenEpoch).toBe(6);
  });

  it('lists the epochs of users whose tokens were ever revoked, and only theirs', async () => {
    const untouched = await created(tenant('epochs'));
    const changed = await created(tenant('epochs'));
    await users.update(changed.id, { roles: ['auditor'] });
    await users.update(changed.id, { disabled: true });
    const mine = (await users.tokenEpochs()).filter((e) => [untouched.id, changed.id].includes(e.userId));
    expect(mine).toEqual([{ userId: changed.id, epoch: 2 }]);
  });

  it('records a login time for the user', async () => {
    const u = await created(tenant('login'));
    await users.recordLogin(u.id);
    const { lastLoginAt, createdAt } = (await users.findWithHash(u.id))!.user;
    expect(lastLoginAt).not.toBeNull();
    expect(Date.parse(lastLoginAt!)).toBeGreaterThanOrEqual(Date.parse(createdAt));
  });
});
