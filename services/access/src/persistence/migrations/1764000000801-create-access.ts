import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateAccess1764000000801 implements MigrationInterface {
  name = 'CreateAccess1764000000801';

  async up(q: QueryRunner): Promise<void> {
    // One row per agent: its monitor state (baselines, open bucket, sketch, history) and the last
    // offset applied per topic partition, written together, so a restart or a rebalance resumes
    // exactly where the row stands (a redelivered event at or below its offset is not counted).
    await q.query(`
      CREATE TABLE access_agents (
        agent_id        text PRIMARY KEY,
        tenant_id       text NOT NULL,
        seq             bigint NOT NULL,
        state           jsonb NOT NULL,
        offsets         jsonb NOT NULL DEFAULT '{}',
        reports_access  boolean NOT NULL DEFAULT false,
        updated_at      timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX access_agents_tenant_idx ON access_agents (tenant_id)`);
    // Cohort baselines (tenant, role, version; tenant, role): what a new agent is judged by.
    await q.query(`
      CREATE TABLE access_cohorts (
        cohort_key  text PRIMARY KEY,
        baselines   jsonb NOT NULL,
        updated_at  timestamptz NOT NULL
      )`);
    // Every anomaly, as the event that announces it (the outbox: published_at null until sent),
    // and the kill switch that quarantined its agent.
    await q.query(`
      CREATE TABLE access_anomalies (
        anomaly_id    uuid PRIMARY KEY,
        agent_id      text NOT NULL,
        tenant_id     text NOT NULL,
        severity      text NOT NULL CHECK (severity IN ('low', 'medium', 'high')),
        detected_at   timestamptz NOT NULL,
        envelope      jsonb NOT NULL,
        switch_id     uuid,
        created_at    timestamptz NOT NULL DEFAULT clock_timestamp(),
        published_at  timestamptz
      )`);
    await q.query(
      `CREATE INDEX access_anomalies_tenant_idx ON access_anomalies (tenant_id, detected_at DESC)`,
    );
    await q.query(`CREATE INDEX access_anomalies_agent_idx ON access_anomalies (agent_id, detected_at DESC)`);
    await q.query(
      `CREATE INDEX access_anomalies_unpublished_idx ON access_anomalies (created_at) WHERE published_at IS NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE access_anomalies`);
    await q.query(`DROP TABLE access_cohorts`);
    await q.query(`DROP TABLE access_agents`);
  }
}
