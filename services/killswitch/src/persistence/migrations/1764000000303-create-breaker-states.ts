import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateBreakerStates1764000000303 implements MigrationInterface {
  name = 'CreateBreakerStates1764000000303';

  async up(q: QueryRunner): Promise<void> {
    // Breaker state per cohort key survives restarts; the sliding windows themselves do not.
    await q.query(`
      CREATE TABLE breaker_states (
        breaker      text NOT NULL,
        cohort_key   text NOT NULL,
        state        text NOT NULL CHECK (state IN ('closed', 'open', 'half_open')),
        switch_id    uuid,
        since        timestamptz NOT NULL,
        trips        integer NOT NULL DEFAULT 0,
        last_value   double precision,
        PRIMARY KEY (breaker, cohort_key)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE breaker_states`);
  }
}
