import { MigrationInterface, QueryRunner } from 'typeorm';

export class AgentScopes1764000000002 implements MigrationInterface {
  name = 'AgentScopes1764000000002';

  async up(q: QueryRunner): Promise<void> {
    // NULL = the role's default scopes; an explicit value replaces them.
    await q.query(`ALTER TABLE agents ADD COLUMN scopes jsonb`);
    await q.query(`
      CREATE TABLE agent_scope_changes (
        id          bigserial PRIMARY KEY,
        agent_id    text NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
        scopes      jsonb,
        changed_by  text NOT NULL,
        changed_at  timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE agent_scope_changes`);
    await q.query(`ALTER TABLE agents DROP COLUMN scopes`);
  }
}
