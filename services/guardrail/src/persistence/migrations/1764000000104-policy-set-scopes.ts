import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Policy sets per scope: the platform baseline and one set per tenant over it. Every set applied
 * before (the one platform-wide set) becomes a baseline set with its history, versions, authors and
 * times unchanged; the active one stays active as the baseline.
 */
export class PolicySetScopes1764000000104 implements MigrationInterface {
  name = 'PolicySetScopes1764000000104';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE policy_sets ADD COLUMN scope text NOT NULL DEFAULT 'baseline'`);
    await q.query(`ALTER TABLE policy_sets ALTER COLUMN scope DROP DEFAULT`);
    await q.query(
      `ALTER TABLE policy_sets ADD CONSTRAINT policy_sets_scope_form CHECK (scope = 'baseline' OR scope LIKE 'tenant:_%')`,
    );
    // The same content may be applied in two scopes (a tenant copying a baseline version, say).
    await q.query(`ALTER TABLE policy_sets DROP CONSTRAINT policy_sets_pkey`);
    await q.query(`ALTER TABLE policy_sets ADD PRIMARY KEY (scope, version)`);
    await q.query(`DROP INDEX policy_sets_one_active`);
    await q.query(`CREATE UNIQUE INDEX policy_sets_one_active_per_scope ON policy_sets (scope) WHERE active`);
    await q.query(`CREATE INDEX policy_sets_scope_history ON policy_sets (scope, applied_at DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    // Tenant sets have no place in the single-set model: going down drops them, the baseline stays.
    await q.query(`DELETE FROM policy_sets WHERE scope <> 'baseline'`);
    await q.query(`DROP INDEX policy_sets_scope_history`);
    await q.query(`DROP INDEX policy_sets_one_active_per_scope`);
    await q.query(`CREATE UNIQUE INDEX policy_sets_one_active ON policy_sets (active) WHERE active`);
    await q.query(`ALTER TABLE policy_sets DROP CONSTRAINT policy_sets_pkey`);
    await q.query(`ALTER TABLE policy_sets ADD PRIMARY KEY (version)`);
    await q.query(`ALTER TABLE policy_sets DROP CONSTRAINT policy_sets_scope_form`);
    await q.query(`ALTER TABLE policy_sets DROP COLUMN scope`);
  }
}
