import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateGuardrailTables1764000000101 implements MigrationInterface {
  name = 'CreateGuardrailTables1764000000101';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE catalog_items (
        tenant_id   text NOT NULL,
        sku         text NOT NULL,
        price       numeric(12,2) NOT NULL CHECK (price >= 0),
        floor_price numeric(12,2) NOT NULL CHECK (floor_price >= 0),
        cost        numeric(12,2) NOT NULL CHECK (cost >= 0),
        flagship    boolean NOT NULL DEFAULT false,
        brand       text NOT NULL,
        category    text NOT NULL,
        PRIMARY KEY (tenant_id, sku)
      )`);
    await q.query(`
      CREATE TABLE decisions (
        intent_id  uuid PRIMARY KEY,
        event_id   uuid NOT NULL UNIQUE,
        tenant_id  text NOT NULL,
        agent_id   text NOT NULL,
        verdict    text NOT NULL,
        decided_by text NOT NULL,
        event      jsonb NOT NULL,
        decided_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX decisions_agent_idx ON decisions (tenant_id, agent_id, decided_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE decisions`);
    await q.query(`DROP TABLE catalog_items`);
  }
}
