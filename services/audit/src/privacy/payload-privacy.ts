import { FoundPii, deriveTenantKey, newSubjectKey, pseudonymise, seal, treatPayload } from '@agentops/privacy';
import { Sql } from '../chain/sql';
import { SealedValue } from '../records/record-content';

export interface PrivacyTreated {
  payload: unknown;
  sealed: Record<string, SealedValue>;
  subjects: string[];
}

/**
 * Privacy treatment before hashing: personal values become keyed pseudonyms (per tenant) in the
 * payload, and the clear values are kept only sealed under their data subject's key. The subject
 * is the customer the payload names, or else each value is its own subject. Erasing a subject
 * destroys its key: the sealed values become noise, the pseudonyms and every hash stay.
 */
export class PayloadPrivacy {
  private readonly tenantKeys = new Map<string, Buffer>();

  constructor(private readonly pseudonymSecret: string) {}

  tenantKey(tenantId: string): Buffer {
    let key = this.tenantKeys.get(tenantId);
    if (!key) {
      key = deriveTenantKey(this.pseudonymSecret, tenantId);
      this.tenantKeys.set(tenantId, key);
    }
    return key;
  }

  subjectRefFor(tenantId: string, kind: string, value: string): string {
    return pseudonymise(this.tenantKey(tenantId), kind, value);
  }

  /** Pass 1 (pure): pseudonymise, and say which subjects' keys pass 2 needs. */
  scan(tenantId: string, data: unknown): { payload: unknown; found: FoundPii[]; subjectOf: (f: FoundPii) => string } {
    const key = this.tenantKey(tenantId);
    const treated = treatPayload(data, (kind, value) => pseudonymise(key, kind, value));
    const customer = treated.customerSubject;
    return { payload: treated.payload, found: treated.found, subjectOf: (f) => customer ?? f.pseudonym };
  }

  /** Pass 2: seal clear values under their subjects' keys (created on first sight, in the batch's transaction). */
  static seal(tenantId: string, found: FoundPii[], subjectOf: (f: FoundPii) => string, keys: Map<string, Buffer | null>): Omit<PrivacyTreated, 'payload'> {
    const sealed: Record<string, SealedValue> = {};
    const subjects = new Set<string>();
    for (const f of found) {
      const subject = subjectOf(f);
      subjects.add(subject);
      subjects.add(f.pseudonym);
      if (sealed[f.pseudonym]) continue;
      const key = keys.get(`${tenantId}\u0000${subject}`);
      sealed[f.pseudonym] = { subject, kind: f.kind, value: key ? seal(key, f.value, `${tenantId}/${subject}/${f.pseudonym}`) : null };
    }
    return { sealed, subjects: [...subjects].sort() };
  }
}

/** Loads (creating when missing) the keys of the given subjects; null = erased. */
export async function subjectKeys(tx: Sql, wanted: { tenantId: string; subject: string }[]): Promise<Map<string, Buffer | null>> {
  const keys = new Map<string, Buffer | null>();
  if (!wanted.length) return keys;
  const unique = [...new Map(wanted.map((w) => [`${w.tenantId}\u0000${w.subject}`, w])).values()];
  await tx.query(
    `INSERT INTO subject_keys (tenant_id, subject_ref, key)
     SELECT t, s, k FROM unnest($1::text[], $2::text[], $3::bytea[]) AS x(t, s, k)
     ON CONFLICT (tenant_id, subject_ref) DO NOTHING`,
    [unique.map((u) => u.tenantId), unique.map((u) => u.subject), unique.map(() => newSubjectKey())],
  );
  const rows = await tx.query<{ tenant_id: string; subject_ref: string; key: Buffer | null }>(
    `SELECT tenant_id, subject_ref, key FROM subject_keys
      WHERE (tenant_id, subject_ref) IN (SELECT * FROM unnest($1::text[], $2::text[]))`,
    [unique.map((u) => u.tenantId), unique.map((u) => u.subject)],
  );
  for (const r of rows) keys.set(`${r.tenant_id}\u0000${r.subject_ref}`, r.key);
  return keys;
}
