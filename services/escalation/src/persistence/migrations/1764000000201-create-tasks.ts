import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateTasks1764000000201 implements MigrationInterface {
  name = 'CreateTasks1764000000201';

  async up(q: QueryRunner): Promise<void> {
    // One task per escalated intent: the unique intent id makes redelivery harmless.
    await q.query(`
      CREATE TABLE tasks (
        id                 uuid PRIMARY KEY,
        intent_id          uuid NOT NULL UNIQUE,
        tenant_id          text NOT NULL,
        agent_id           text NOT NULL,
        action             text NOT NULL,
        status             text NOT NULL DEFAULT 'open',
        reasons            jsonb NOT NULL,
        decision_event_id  uuid NOT NULL,
        created_at         timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX tasks_queue_idx ON tasks (tenant_id, status, created_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE tasks`);
  }
}
