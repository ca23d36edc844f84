import { CompiledPolicySet } from '@agentops/policy';
import { DataSource } from 'typeorm';
import { PolicyScope, scopeKey, tenantScope } from '../../services/guardrail/src/policies/policy-scope';
import { PolicySetStore } from '../../services/guardrail/src/policies/policy-set-store';
import { serviceDataSource } from '../support/service-data-source';

/**
 * Guardrail's policy sets on the real PostgreSQL, connected as guardrail's own role: one active
 * set per scope, re-applying a version, concurrent applications serialised per scope, history
 * per scope. Only tenant scopes of this suite's own are used (never the baseline, which the
 * services of other suites boot with), and their rows are deleted at the end.
 */
const RUN = Date.now().toString(36);
const scope = (name: string): PolicyScope => tenantScope(`it-ps-${name}-${RUN}`);

/** A set as the store sees it: a version and its policies (compilation is not the store's concern). */
const setOf = (version: string, policyIds: string[] = ['p1']): CompiledPolicySet =>
  ({
    version,
    policies: policyIds.map((id) => ({
      id,
      version: '1',
      mode: 'enforce',
      file: `${id}.yaml`,
      source: `metadata: { name: ${id} } # ${version}`,
    })),
  }) as unknown as CompiledPolicySet;

const PAGE = { limit: 50 };

describe('PolicySetStore on PostgreSQL', () => {
  let ds: DataSource;
  let store: PolicySetStore;

  beforeAll(async () => {
    ds = await serviceDataSource('guardrail', 'policy-set-store-test');
    store = new PolicySetStore(ds);
  });

  afterAll(async () => {
    await ds?.query(`DELETE FROM policy_sets WHERE scope LIKE $1`, [`tenant:it-ps-%-${RUN}`]);
    await ds?.destroy();
  });

  const activeRows = async (s: PolicyScope) =>
    (await ds.query(`SELECT version FROM policy_sets WHERE scope = $1 AND active`, [scopeKey(s)])) as {
      version: string;
    }[];

  it('makes a set its scope’s active one and reads it back with its policies; other scopes have none', async () => {
    const s = scope('read');
    const appliedAt = await store.saveActive(s, setOf('v1', ['a', 'b']), 'admin@it');
    expect(await store.active(s)).toEqual({
      scope: s,
      version: 'v1',
      policies: setOf('v1', ['a', 'b']).policies.map(({ id, version, mode, file, source }) => ({
        id,
        version,
        mode,
        file,
        source,
      })),
      appliedBy: 'admin@it',
      appliedAt,
      active: true,
    });
    expect(await store.active(scope('read-other'))).toBeNull();
  });

  it('keeps exactly one active set per scope: a new version retires the previous one, other scopes untouched', async () => {
    const [s, other] = [scope('one'), scope('one-other')];
    await store.saveActive(other, setOf('x1'), 'u');
    const first = await store.saveActive(s, setOf('v1'), 'u1');
    const second = await store.saveActive(s, setOf('v2'), 'u2');
    expect(second.getTime()).toBeGreaterThan(first.getTime());
    expect(await activeRows(s)).toEqual([{ version: 'v2' }]);
    expect(await activeRows(other)).toEqual([{ version: 'x1' }]);
    expect((await store.history([s], PAGE)).items.map((h) => [h.version, h.active, h.appliedBy])).toEqual([
      ['v2', true, 'u2'],
      ['v1', false, 'u1'],
    ]);
  });

  it('re-applies an earlier version as the active one, with its new author and time, and no second row', async () => {
    const s = scope('again');
    const first = await store.saveActive(s, setOf('v1'), 'u1');
    await store.saveActive(s, setOf('v2'), 'u2');
    const again = await store.saveActive(s, setOf('v1'), 'u3');
    expect(again.getTime()).toBeGreaterThan(first.getTime());
    expect(await store.active(s)).toMatchObject({ version: 'v1', appliedBy: 'u3', appliedAt: again });
    expect((await store.history([s], PAGE)).items.map((h) => [h.version, h.active])).toEqual([
      ['v1', true],
      ['v2', false],
    ]);
  });

  it('serialises concurrent applications of one scope: one active set, the one applied last', async () => {
    const s = scope('race');
    const versions = ['r1', 'r2', 'r3', 'r4', 'r5'];
    const times = await Promise.all(versions.map((v) => store.saveActive(s, setOf(v), `u-${v}`)));
    expect(new Set(times.map((t) => t.getTime())).size).toBe(versions.length);
    const last = versions[times.map((t) => t.getTime()).indexOf(Math.max(...times.map((t) => t.getTime())))];
    expect(await activeRows(s)).toEqual([{ version: last }]);
    expect((await store.active(s))?.version).toBe(last);
  });

  it('lists the active version of every scope, and history of the scopes asked, newest first, as many as asked', async () => {
    const [a, b] = [scope('list-a'), scope('list-b')];
    await store.saveActive(a, setOf('a1'), 'u');
    await store.saveActive(a, setOf('a2'), 'u');
    await store.saveActive(b, setOf('b1'), 'u');
    const active = new Map((await store.activeVersions()).map((v) => [scopeKey(v.scope), v.version]));
    expect([active.get(scopeKey(a)), active.get(scopeKey(b))]).toEqual(['a2', 'b1']);
    expect((await store.history([a, b], PAGE)).items.map((h) => h.version)).toEqual(['b1', 'a2', 'a1']);
    const firstTwo = await store.history([a, b], { limit: 2 });
    expect(firstTwo.items.map((h) => h.version)).toEqual(['b1', 'a2']);
    const rest = await store.history([a, b], { limit: 2, cursor: firstTwo.next! });
    expect([rest.items.map((h) => h.version), rest.next]).toEqual([['a1'], null]);
    expect((await store.history([b], PAGE)).items.map((h) => h.version)).toEqual(['b1']);
    expect(
      (await store.history(undefined, { limit: 500 })).items.some((h) => scopeKey(h.scope) === scopeKey(a)),
    ).toBe(true);
  });
});
