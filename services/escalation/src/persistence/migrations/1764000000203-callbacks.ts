import { MigrationInterface, QueryRunner } from 'typeorm';

/** Signed decision callbacks to agents, queued with the resolution and retried until delivered. */
export class Callbacks1764000000203 implements MigrationInterface {
  name = 'Callbacks1764000000203';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE callbacks (
        id            uuid PRIMARY KEY,
        url           text NOT NULL,
        body          jsonb NOT NULL,
        attempts      int NOT NULL DEFAULT 0,
        due_at        timestamptz NOT NULL DEFAULT now(),
        delivered_at  timestamptz,
        last_error    text,
        created_at    timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX callbacks_due_idx ON callbacks (due_at) WHERE delivered_at IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE callbacks`);
  }
}
