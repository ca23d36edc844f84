import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateRecords1764000000401 implements MigrationInterface {
  name = 'CreateRecords1764000000401';

  async up(q: QueryRunner): Promise<void> {
    // Exactly one record per event id: the primary key is the idempotency guarantee.
    await q.query(`
      CREATE TABLE records (
        event_id        uuid PRIMARY KEY,
        type            text NOT NULL,
        source          text NOT NULL,
        tenant_id       text NOT NULL,
        agent_id        text,
        correlation_id  uuid,
        causation_id    uuid,
        topic           text NOT NULL,
        kafka_partition int NOT NULL,
        kafka_offset    bigint NOT NULL,
        event_time      timestamptz NOT NULL,
        actor_kind      text NOT NULL,
        actor_id        text NOT NULL,
        payload         jsonb NOT NULL,
        recorded_at     timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX records_correlation_idx ON records (correlation_id, event_time)`);
    await q.query(`CREATE INDEX records_tenant_time_idx ON records (tenant_id, event_time)`);
    // Append-only from day one; the hash chain and role separation arrive with the audit issue.
    await q.query(`
      CREATE FUNCTION refuse_audit_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'audit records are append-only (% refused)', TG_OP; END $$`);
    await q.query(
      `CREATE TRIGGER records_append_only BEFORE UPDATE OR DELETE ON records FOR EACH ROW EXECUTE FUNCTION refuse_audit_change()`,
    );
    await q.query(
      `CREATE TRIGGER records_no_truncate BEFORE TRUNCATE ON records FOR EACH STATEMENT EXECUTE FUNCTION refuse_audit_change()`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE records`);
    await q.query(`DROP FUNCTION refuse_audit_change()`);
  }
}
