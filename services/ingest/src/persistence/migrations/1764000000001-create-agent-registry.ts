import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateAgentRegistry1764000000001 implements MigrationInterface {
  name = 'CreateAgentRegistry1764000000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE agents (
        id          text PRIMARY KEY,
        tenant_id   text NOT NULL,
        name        text NOT NULL,
        role        text NOT NULL,
        version     text NOT NULL,
        region      text NOT NULL,
        labels      jsonb NOT NULL DEFAULT '{}'::jsonb,
        owner_team  text,
        created_at  timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX agents_tenant_idx ON agents (tenant_id, role)`);
    await q.query(`
      CREATE TABLE api_keys (
        key_id      text PRIMARY KEY,
        agent_id    text NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
        secret_hash text NOT NULL,
        created_at  timestamptz NOT NULL DEFAULT now(),
        revoked_at  timestamptz
      )`);
    await q.query(`CREATE INDEX api_keys_agent_idx ON api_keys (agent_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE api_keys`);
    await q.query(`DROP TABLE agents`);
  }
}
