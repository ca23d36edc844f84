import { Client } from 'pg';
import type { QueryRunner } from 'typeorm';
import { TEST_DATABASE_URL } from '../support/test-env';
import { CreateGuardrailTables1764000000101 } from '../../services/guardrail/src/persistence/migrations/1764000000101-create-guardrail-tables';
import { PoliciesAndContext1764000000102 } from '../../services/guardrail/src/persistence/migrations/1764000000102-policies-and-context';
import { Verification1764000000103 } from '../../services/guardrail/src/persistence/migrations/1764000000103-verification';
import { PolicySetScopes1764000000104 } from '../../services/guardrail/src/persistence/migrations/1764000000104-policy-set-scopes';

/**
 * The migration to scoped policy sets on real PostgreSQL, in a schema of its own: every set applied
 * before it becomes a baseline set with its history intact, and the new constraints hold.
 */
describe('migration 104: existing policy sets become the baseline', () => {
  const schema = `guardrail_migration_${Date.now().toString(36)}`;
  const db = new Client({ connectionString: TEST_DATABASE_URL });
  const q = { query: async (sql: string, params?: unknown[]) => (await db.query(sql, params)).rows };
  const runner = q as unknown as QueryRunner;
  const sets = (columns = 'version, applied_by, applied_at, active') =>
    q.query(`SELECT ${columns} FROM policy_sets ORDER BY applied_at`);

  beforeAll(async () => {
    await db.connect();
    await db.query(`CREATE SCHEMA ${schema}`);
    await db.query(`SET search_path TO ${schema}`);
    for (const m of [
      new CreateGuardrailTables1764000000101(),
      new PoliciesAndContext1764000000102(),
      new Verification1764000000103(),
    ])
      await m.up(runner);
    for (const [version, at, active] of [
      ['v1', '2026-11-01T10:00:00Z', false],
      ['v2', '2026-11-02T10:00:00Z', false],
      ['v3', '2026-11-03T10:00:00Z', true],
    ] as const)
      await db.query(
        `INSERT INTO policy_sets (version, policies, applied_by, applied_at, active) VALUES ($1, '[]', 'ops', $2, $3)`,
        [version, at, active],
      );
  });

  afterAll(async () => {
    await db.query(`DROP SCHEMA ${schema} CASCADE`);
    await db.end();
  });

  it('keeps every set, its author, time and the active one, as baseline sets', async () => {
    const before = await sets();
    await new PolicySetScopes1764000000104().up(runner);
    const after = await sets('scope, version, applied_by, applied_at, active');
    expect(after).toEqual(before.map((row) => ({ ...row, scope: 'baseline' })));
    expect(after.filter((r) => r.active).map((r) => r.version)).toEqual(['v3']);
  });

  it('then holds one active set per scope, lets two scopes share a version, and refuses a malformed scope', async () => {
    const insert = (scope: string, version: string, active: boolean) =>
      db.query(
        `INSERT INTO policy_sets (scope, version, policies, applied_by, active) VALUES ($1, $2, '[]', 'x', $3)`,
        [scope, version, active],
      );
    await insert('tenant:t1', 'v3', true);
    await insert('tenant:t2', 'v3', true);
    await expect(insert('baseline', 'v4', true)).rejects.toThrow(/policy_sets_one_active_per_scope/);
    await expect(insert('tenant:t1', 'v3', false)).rejects.toThrow(/policy_sets_pkey/);
    await expect(insert('t1', 'v9', false)).rejects.toThrow(/policy_sets_scope_form/);
    await expect(insert('tenant:', 'v9', false)).rejects.toThrow(/policy_sets_scope_form/);
  });

  it('goes down to one set again, keeping the baseline’s history', async () => {
    await new PolicySetScopes1764000000104().down(runner);
    const rows = await q.query(`SELECT version, active FROM policy_sets ORDER BY applied_at`);
    expect(rows).toEqual([
      { version: 'v1', active: false },
      { version: 'v2', active: false },
      { version: 'v3', active: true },
    ]);
  });
});
