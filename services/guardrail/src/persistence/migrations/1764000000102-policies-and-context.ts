import { MigrationInterface, QueryRunner } from 'typeorm';

export class PoliciesAndContext1764000000102 implements MigrationInterface {
  name = 'PoliciesAndContext1764000000102';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE catalog_items
        ADD COLUMN stock        integer NOT NULL DEFAULT 0,
        ADD COLUMN velocity_30d integer NOT NULL DEFAULT 0,
        ADD COLUMN slow_mover   boolean NOT NULL DEFAULT false`);
    // Retail facts (competitors, own brands, approved claims) are versioned: every import is a new row.
    await q.query(`
      CREATE TABLE retail_facts (
        tenant_id   text NOT NULL,
        version     integer NOT NULL,
        facts       jsonb NOT NULL,
        imported_by text NOT NULL,
        imported_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, version)
      )`);
    await q.query(`
      CREATE TABLE catalog_imports (
        id          bigserial PRIMARY KEY,
        tenant_id   text NOT NULL,
        items       integer NOT NULL,
        imported_by text NOT NULL,
        imported_at timestamptz NOT NULL DEFAULT now()
      )`);
    // Every applied policy set, with its sources; exactly one is active.
    await q.query(`
      CREATE TABLE policy_sets (
        version     text PRIMARY KEY,
        policies    jsonb NOT NULL,
        applied_by  text NOT NULL,
        applied_at  timestamptz NOT NULL DEFAULT now(),
        active      boolean NOT NULL DEFAULT false
      )`);
    await q.query(`CREATE UNIQUE INDEX policy_sets_one_active ON policy_sets (active) WHERE active`);
    await q.query(`ALTER TABLE decisions ADD COLUMN intent jsonb`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE decisions DROP COLUMN intent`);
    await q.query(`DROP TABLE policy_sets`);
    await q.query(`DROP TABLE catalog_imports`);
    await q.query(`DROP TABLE retail_facts`);
    await q.query(
      `ALTER TABLE catalog_items DROP COLUMN stock, DROP COLUMN velocity_30d, DROP COLUMN slow_mover`,
    );
  }
}
