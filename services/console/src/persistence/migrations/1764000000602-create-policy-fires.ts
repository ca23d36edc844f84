import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreatePolicyFires1764000000602 implements MigrationInterface {
  name = 'CreatePolicyFires1764000000602';

  async up(q: QueryRunner): Promise<void> {
    // How often each policy matched a decision, per tenant. counted_decisions makes a redelivered
    // decision count once; rows older than the decisions topic's retention are pruned.
    await q.query(`
      CREATE TABLE policy_fires (
        tenant_id       text NOT NULL,
        policy_id       text NOT NULL,
        policy_version  text NOT NULL,
        mode            text NOT NULL,
        effect          text NOT NULL,
        count           bigint NOT NULL DEFAULT 0,
        last_fired_at   timestamptz NOT NULL,
        PRIMARY KEY (tenant_id, policy_id, policy_version, mode, effect)
      )`);
    await q.query(`
      CREATE TABLE counted_decisions (
        event_id    uuid PRIMARY KEY,
        counted_at  timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX counted_decisions_at ON counted_decisions (counted_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE counted_decisions`);
    await q.query(`DROP TABLE policy_fires`);
  }
}
