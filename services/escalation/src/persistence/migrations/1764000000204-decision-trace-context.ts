import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The escalate decision's W3C trace context, kept with its task: a human's decision is made in an
 * HTTP request of its own, hours later, and without the stored context it started a new trace
 * instead of continuing the intent's. Null for tasks opened before this column existed.
 */
export class DecisionTraceContext1764000000204 implements MigrationInterface {
  name = 'DecisionTraceContext1764000000204';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE tasks ADD COLUMN decision_traceparent text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE tasks DROP COLUMN decision_traceparent`);
  }
}
