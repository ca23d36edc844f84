import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateSignals1764000000301 implements MigrationInterface {
  name = 'CreateSignals1764000000301';

  async up(q: QueryRunner): Promise<void> {
    // The signals breakers will read: decisions, verifications and telemetry per agent.
    await q.query(`
      CREATE TABLE signals (
        event_id    uuid PRIMARY KEY,
        type        text NOT NULL,
        tenant_id   text NOT NULL,
        agent_id    text,
        body        jsonb NOT NULL,
        occurred_at timestamptz NOT NULL,
        observed_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX signals_agent_time_idx ON signals (tenant_id, agent_id, occurred_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE signals`);
  }
}
