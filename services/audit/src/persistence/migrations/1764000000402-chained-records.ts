import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Hash-chained, time-partitioned, append-only audit store (issue #6). Replaces the skeleton's
 * unchained `records` table (pre-release; its rows carried no chain and are not migrated).
 *
 * Immutability is enforced twice: triggers refuse UPDATE, DELETE and TRUNCATE for everyone, and
 * the service's role only holds INSERT and SELECT on the append-only tables. Migrations run as the
 * schema's owner, a role no service connects as (see ../database.ts).
 *
 * (Until the roles per deployment, this migration created one cluster-wide `agentops_audit_writer`
 * and granted it here; deployments that ran it keep that role until the migrator revokes it.)
 */
export class ChainedRecords1764000000402 implements MigrationInterface {
  name = 'ChainedRecords1764000000402';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS records`);

    // Every record: event metadata, actor, the payload after privacy treatment, its chain fields.
    // Partitioned by the time it was recorded; the primary key must include the partition key.
    await q.query(`
      CREATE TABLE records (
        chain_id        text NOT NULL,
        sequence        bigint NOT NULL,
        event_id        uuid NOT NULL,
        type            text NOT NULL,
        source          text NOT NULL,
        tenant_id       text NOT NULL,
        agent_id        text,
        correlation_id  uuid,
        causation_id    uuid,
        topic           text NOT NULL,
        kafka_partition int NOT NULL,
        kafka_offset    bigint NOT NULL,
        event_time      text NOT NULL,
        event_ts        timestamptz NOT NULL,
        actor_kind      text NOT NULL,
        actor_id        text NOT NULL,
        action          text,
        verdict         text,
        decided_by      text,
        payload         jsonb NOT NULL,
        sealed          jsonb NOT NULL,
        subjects        text[] NOT NULL,
        prev_hash       char(64) NOT NULL,
        hash            char(64) NOT NULL,
        recorded_at     timestamptz NOT NULL,
        PRIMARY KEY (chain_id, sequence, recorded_at)
      ) PARTITION BY RANGE (recorded_at)`);
    await q.query(`CREATE INDEX records_tenant_time_idx ON records (tenant_id, recorded_at, event_id)`);
    await q.query(`CREATE INDEX records_correlation_idx ON records (correlation_id, recorded_at)`);
    await q.query(`CREATE INDEX records_subjects_idx ON records USING gin (subjects)`);

    // One row per event id, unpartitioned, so "exactly one record per event id" is a primary key
    // (a partitioned table cannot hold a unique index without the partition key).
    await q.query(`
      CREATE TABLE record_index (
        event_id    uuid PRIMARY KEY,
        chain_id    text NOT NULL,
        sequence    bigint NOT NULL,
        recorded_at timestamptz NOT NULL,
        UNIQUE (chain_id, sequence)
      )`);

    // One writer per chain: the consumer group gives it, this row lock guards it.
    await q.query(`
      CREATE TABLE chain_heads (
        chain_id             text PRIMARY KEY,
        sequence             bigint NOT NULL,
        hash                 char(64) NOT NULL,
        checkpoint_sequence  bigint NOT NULL DEFAULT -1,
        checkpoint_at        timestamptz NOT NULL DEFAULT now(),
        updated_at           timestamptz NOT NULL DEFAULT now()
      )`);

    await q.query(`
      CREATE TABLE checkpoints (
        chain_id   text NOT NULL,
        sequence   bigint NOT NULL,
        head_hash  char(64) NOT NULL,
        signed_at  text NOT NULL,
        key_id     text NOT NULL,
        algorithm  text NOT NULL,
        signature  text NOT NULL,
        public_key text NOT NULL,
        PRIMARY KEY (chain_id, sequence)
      )`);

    // The only mutable table: erasure destroys a subject's key (key := NULL), never a record.
    await q.query(`
      CREATE TABLE subject_keys (
        tenant_id   text NOT NULL,
        subject_ref text NOT NULL,
        key         bytea,
        created_at  timestamptz NOT NULL DEFAULT now(),
        erased_at   timestamptz,
        PRIMARY KEY (tenant_id, subject_ref),
        CHECK ((key IS NULL) = (erased_at IS NOT NULL))
      )`);

    await q.query(`
      CREATE OR REPLACE FUNCTION refuse_audit_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'audit % is append-only (% refused)', TG_TABLE_NAME, TG_OP; END $$`);
    for (const table of ['records', 'record_index', 'checkpoints']) {
      await q.query(
        `CREATE TRIGGER ${table}_append_only BEFORE UPDATE OR DELETE ON ${table} FOR EACH ROW EXECUTE FUNCTION refuse_audit_change()`,
      );
      await q.query(
        `CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION refuse_audit_change()`,
      );
    }
    // A key, once destroyed, stays destroyed; key rows are never deleted.
    await q.query(`
      CREATE OR REPLACE FUNCTION refuse_key_restore() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'DELETE' OR OLD.key IS NULL OR NEW.key IS NOT NULL OR NEW.subject_ref <> OLD.subject_ref OR NEW.tenant_id <> OLD.tenant_id THEN
          RAISE EXCEPTION 'subject keys may only be destroyed (% refused)', TG_OP;
        END IF;
        RETURN NEW;
      END $$`);
    await q.query(
      `CREATE TRIGGER subject_keys_destroy_only BEFORE UPDATE OR DELETE ON subject_keys FOR EACH ROW EXECUTE FUNCTION refuse_key_restore()`,
    );
    await q.query(
      `CREATE TRIGGER subject_keys_no_truncate BEFORE TRUNCATE ON subject_keys FOR EACH STATEMENT EXECUTE FUNCTION refuse_audit_change()`,
    );

    // Monthly partitions, created ahead. SECURITY DEFINER so the service (which cannot CREATE) can
    // keep partitions ahead at start; a DEFAULT partition catches anything beyond.
    await q.query(`
      CREATE FUNCTION ensure_record_partitions(months_ahead int) RETURNS int
      LANGUAGE plpgsql SECURITY DEFINER SET search_path = audit, pg_temp AS $$
      DECLARE
        m date := date_trunc('month', now() - interval '1 month')::date;
        created int := 0;
        name text;
      BEGIN
        FOR i IN 0..months_ahead + 1 LOOP
          name := 'records_' || to_char(m, 'YYYY_MM');
          IF to_regclass('audit.' || name) IS NULL THEN
            EXECUTE format('CREATE TABLE audit.%I PARTITION OF audit.records FOR VALUES FROM (%L) TO (%L)', name, m, (m + interval '1 month')::date);
            created := created + 1;
          END IF;
          m := (m + interval '1 month')::date;
        END LOOP;
        RETURN created;
      END $$`);
    await q.query(`SELECT ensure_record_partitions(12)`);
    await q.query(`CREATE TABLE records_default PARTITION OF records DEFAULT`);

    await q.query(`REVOKE ALL ON FUNCTION ensure_record_partitions(int) FROM PUBLIC`);
    // The writer role and its grants are the migrator's (auditDatabase().roles): role names are
    // per deployment, so a migration cannot name one.
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE records, record_index, chain_heads, checkpoints, subject_keys`);
    await q.query(`DROP FUNCTION ensure_record_partitions(int)`);
    await q.query(`DROP FUNCTION refuse_key_restore()`);
  }
}
