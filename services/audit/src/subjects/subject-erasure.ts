import { Sql } from '../chain/sql';

/**
 * Erasure of a data subject: their key is destroyed (key := NULL). Every sealed value under it
 * becomes unreadable; records, pseudonyms and hashes are untouched, so the chain still verifies.
 */
export async function eraseSubject(
  sql: Sql,
  tenantId: string,
  subjectRef: string,
): Promise<{ erased: boolean; alreadyErased: boolean; records: number }> {
  const [key] = await sql.query<{ erased: boolean }>(
    `SELECT key IS NULL AS erased FROM subject_keys WHERE tenant_id = $1 AND subject_ref = $2`,
    [tenantId, subjectRef],
  );
  if (!key) return { erased: false, alreadyErased: false, records: 0 };
  if (!key.erased) {
    await sql.query(
      `UPDATE subject_keys SET key = NULL, erased_at = now() WHERE tenant_id = $1 AND subject_ref = $2 AND key IS NOT NULL`,
      [tenantId, subjectRef],
    );
  }
  const [n] = await sql.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM records WHERE tenant_id = $1 AND subjects @> ARRAY[$2]::text[]`,
    [tenantId, subjectRef],
  );
  return { erased: true, alreadyErased: key.erased, records: n.n };
}
