import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Subject keys leave the database in clear (issue #12): each is stored wrapped by a key-encryption
 * key held outside PostgreSQL (`wrapped_key`), with the id of that KEK (`kek_id`) so the KEK can
 * rotate. Rows written before keep their clear `key` until the audit service wraps them at start
 * (it holds the KEK; a migration does not); no new clear key can be written.
 *
 * The only updates a key row accepts: wrapping a clear key, re-wrapping under another KEK, and
 * erasure (every form of the key gone). An erased key stays erased; rows are never deleted.
 */
export class WrappedSubjectKeys1764000000403 implements MigrationInterface {
  name = 'WrappedSubjectKeys1764000000403';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE subject_keys ADD COLUMN wrapped_key text, ADD COLUMN kek_id text`);
    await q.query(`ALTER TABLE subject_keys DROP CONSTRAINT IF EXISTS subject_keys_check`);
    await q.query(`
      ALTER TABLE subject_keys ADD CONSTRAINT subject_key_state CHECK (
        CASE WHEN erased_at IS NOT NULL THEN key IS NULL AND wrapped_key IS NULL AND kek_id IS NULL
             ELSE (key IS NULL) <> (wrapped_key IS NULL) AND (wrapped_key IS NULL) = (kek_id IS NULL) END)`);
    // Which KEKs are still needed (the service refuses to start without every one of them).
    await q.query(`CREATE INDEX subject_keys_kek_idx ON subject_keys (kek_id) WHERE kek_id IS NOT NULL`);
    // Rows still in clear, wrapped by the service at start.
    await q.query(
      `CREATE INDEX subject_keys_clear_idx ON subject_keys (tenant_id, subject_ref) WHERE key IS NOT NULL`,
    );
    await q.query(`
      CREATE OR REPLACE FUNCTION refuse_key_restore() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'INSERT' THEN
          IF NEW.key IS NOT NULL THEN RAISE EXCEPTION 'subject keys are stored wrapped, never in clear (INSERT refused)'; END IF;
          RETURN NEW;
        END IF;
        IF TG_OP = 'DELETE' OR OLD.erased_at IS NOT NULL OR NEW.key IS NOT NULL
           OR NEW.subject_ref <> OLD.subject_ref OR NEW.tenant_id <> OLD.tenant_id THEN
          RAISE EXCEPTION 'subject keys may only be wrapped or destroyed (% refused)', TG_OP;
        END IF;
        RETURN NEW;
      END $$`);
    await q.query(`DROP TRIGGER subject_keys_destroy_only ON subject_keys`);
    await q.query(
      `CREATE TRIGGER subject_keys_destroy_only BEFORE INSERT OR UPDATE OR DELETE ON subject_keys FOR EACH ROW EXECUTE FUNCTION refuse_key_restore()`,
    );
  }

  async down(_q: QueryRunner): Promise<void> {
    // Wrapped keys cannot be unwrapped here (no KEK): going back would erase them all.
    throw new Error(`${this.name} cannot be reverted: the database does not hold the key-encryption key`);
  }
}
