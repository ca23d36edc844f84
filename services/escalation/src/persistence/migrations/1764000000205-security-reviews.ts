import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Tasks of a second kind: a security review of an agent the access service quarantined (issue
 * #17). Such a task has no intent; `intent_id` holds the quarantine's switch id (one task per
 * quarantine, the unique column keeping a redelivered anomaly harmless) and `anomalies` the
 * explained anomalies that caused and followed it.
 */
export class SecurityReviews1764000000205 implements MigrationInterface {
  name = 'SecurityReviews1764000000205';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE tasks
        ADD COLUMN kind      text NOT NULL DEFAULT 'intent_review',
        ADD COLUMN anomalies jsonb NOT NULL DEFAULT '[]'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE tasks DROP COLUMN kind, DROP COLUMN anomalies`);
  }
}
