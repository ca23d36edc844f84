import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The review workflow: proposals stored by intent id (the decision event carries no params),
 * escalate verdicts waiting for their intent, routed tasks with SLA timers (`due_at`, polled with
 * FOR UPDATE SKIP LOCKED so timers survive restarts), and the transactional outbox.
 */
export class ReviewWorkflow1764000000202 implements MigrationInterface {
  name = 'ReviewWorkflow1764000000202';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE intents (
        intent_id    uuid PRIMARY KEY,
        tenant_id    text NOT NULL,
        payload      jsonb NOT NULL,
        received_at  timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX intents_received_idx ON intents (received_at)`);
    await q.query(`
      CREATE TABLE escalated_decisions (
        intent_id    uuid PRIMARY KEY,
        envelope     jsonb NOT NULL,
        received_at  timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      ALTER TABLE tasks
        ADD COLUMN route           text NOT NULL DEFAULT 'default',
        ADD COLUMN route_spec      jsonb NOT NULL DEFAULT '{}',
        ADD COLUMN reviewer_group  text NOT NULL DEFAULT 'reviewers',
        ADD COLUMN tier            int NOT NULL DEFAULT 0,
        ADD COLUMN due_at          timestamptz,
        ADD COLUMN four_eyes       boolean NOT NULL DEFAULT false,
        ADD COLUMN owner           text,
        ADD COLUMN owner_team      text,
        ADD COLUMN intent          jsonb,
        ADD COLUMN decision        jsonb,
        ADD COLUMN claimed_by      text,
        ADD COLUMN approvals       jsonb NOT NULL DEFAULT '[]',
        ADD COLUMN comments        jsonb NOT NULL DEFAULT '[]',
        ADD COLUMN history         jsonb NOT NULL DEFAULT '[]',
        ADD COLUMN resolution      text,
        ADD COLUMN final_decision  jsonb,
        ADD COLUMN resolved_at     timestamptz,
        ADD COLUMN updated_at      timestamptz NOT NULL DEFAULT now()`);
    await q.query(`CREATE INDEX tasks_due_idx ON tasks (due_at) WHERE status = 'open'`);
    await q.query(`
      CREATE TABLE outbox (
        id          uuid PRIMARY KEY,
        event_type  text NOT NULL,
        msg_key     text NOT NULL,
        envelope    jsonb NOT NULL,
        created_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
        sent_at     timestamptz
      )`);
    await q.query(`CREATE INDEX outbox_unsent_idx ON outbox (created_at) WHERE sent_at IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE outbox`);
    await q.query(`DROP TABLE escalated_decisions`);
    await q.query(`DROP TABLE intents`);
    await q.query(`
      ALTER TABLE tasks DROP COLUMN route, DROP COLUMN route_spec, DROP COLUMN reviewer_group, DROP COLUMN tier, DROP COLUMN due_at,
        DROP COLUMN four_eyes, DROP COLUMN owner, DROP COLUMN owner_team, DROP COLUMN intent, DROP COLUMN decision, DROP COLUMN claimed_by,
        DROP COLUMN approvals, DROP COLUMN comments, DROP COLUMN history, DROP COLUMN resolution, DROP COLUMN final_decision,
        DROP COLUMN resolved_at, DROP COLUMN updated_at`);
  }
}
