import type { ServiceSchema } from '@agentops/persistence';
import { CreateRecords1764000000401 } from './migrations/1764000000401-create-records';
import { ChainedRecords1764000000402 } from './migrations/1764000000402-chained-records';
import { WrappedSubjectKeys1764000000403 } from './migrations/1764000000403-wrapped-subject-keys';

/**
 * The audit schema is owned by `<prefix>_audit_owner`, a role nobody logs in as; the service
 * connects as `<prefix>_audit_writer`, which may add records and read them, move chain heads,
 * store wrapped subject keys and destroy them — and nothing else: it cannot UPDATE or DELETE a
 * record, nor switch off the triggers that refuse it (only an owner may).
 */
export const auditDatabase = (): ServiceSchema => ({
  schema: 'audit',
  entities: [],
  migrations: [CreateRecords1764000000401, ChainedRecords1764000000402, WrappedSubjectKeys1764000000403],
  roles: {
    login: 'audit_writer',
    owner: 'audit_owner',
    grants: (writer) => [
      `GRANT USAGE ON SCHEMA audit TO ${writer}`,
      `GRANT SELECT, INSERT ON records, record_index, checkpoints TO ${writer}`,
      `GRANT SELECT, INSERT, UPDATE ON chain_heads TO ${writer}`,
      // No clear key can be written: the key column is neither insertable nor settable.
      `GRANT SELECT, INSERT (tenant_id, subject_ref, wrapped_key, kek_id) ON subject_keys TO ${writer}`,
      `GRANT UPDATE (key, wrapped_key, kek_id, erased_at) ON subject_keys TO ${writer}`,
      `GRANT EXECUTE ON FUNCTION ensure_record_partitions(int) TO ${writer}`,
    ],
  },
});
