import {
  FoundPii,
  deriveTenantKey,
  newSubjectKeys,
  pseudonymise,
  seal,
  treatPayload,
} from '@agentops/privacy';
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
  readonly keyCache = new SubjectKeyCache();
  private readonly pseudonyms = new Map<string, string>();

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
  scan(
    tenantId: string,
    data: unknown,
  ): { payload: unknown; found: FoundPii[]; subjectOf: (f: FoundPii) => string } {
    const key = this.tenantKey(tenantId);
    const treated = treatPayload(data, (kind, value) => {
      // The same customers and addresses recur: remember recent pseudonyms (process memory only).
      const id = `${tenantId}\u0000${kind}\u0000${value}`;
      let p = this.pseudonyms.get(id);
      if (!p) {
        p = pseudonymise(key, kind, value);
        if (this.pseudonyms.size >= 50_000) this.pseudonyms.clear();
        this.pseudonyms.set(id, p);
      }
      return p;
    });
    const customer = treated.customerSubject;
    return { payload: treated.payload, found: treated.found, subjectOf: (f) => customer ?? f.pseudonym };
  }

  /**
   * Pass 2: seal the clear values, one AES-256-GCM box per subject per record holding
   * `{pseudonym: clear value}`, bound (AAD) to tenant, subject and event id.
   */
  static seal(
    tenantId: string,
    eventId: string,
    found: FoundPii[],
    subjectOf: (f: FoundPii) => string,
    keys: Map<string, Buffer | null>,
  ): Omit<PrivacyTreated, 'payload'> {
    const bySubject = new Map<string, Record<string, string>>();
    const subjects = new Set<string>();
    for (const f of found) {
      const subject = subjectOf(f);
      subjects.add(subject);
      subjects.add(f.pseudonym);
      const box = bySubject.get(subject) ?? {};
      box[f.pseudonym] = f.value;
      bySubject.set(subject, box);
    }
    const sealed: Record<string, SealedValue> = {};
    for (const [subject, box] of bySubject) {
      const key = keys.get(`${tenantId}\u0000${subject}`);
      sealed[subject] = {
        pseudonyms: Object.keys(box).sort(),
        value: key ? seal(key, JSON.stringify(box), sealAad(tenantId, subject, eventId)) : null,
      };
    }
    return { sealed, subjects: [...subjects].sort() };
  }
}

export function sealAad(tenantId: string, subject: string, eventId: string): string {
  return `${tenantId}/${subject}/${eventId}`;
}

/**
 * Subject keys recently read, so a busy chain does not ask PostgreSQL for the same customer's key
 * on every batch. Entries live `ttlMs` at most: an erasure made by another instance stops new
 * values being sealed under the destroyed key within that time (this instance drops it at once).
 */
export class SubjectKeyCache {
  private readonly entries = new Map<string, { key: Buffer; at: number }>();

  constructor(
    private readonly ttlMs = 30_000,
    private readonly maxEntries = 100_000,
  ) {}

  get(id: string, now: number): Buffer | undefined {
    const e = this.entries.get(id);
    if (!e) return undefined;
    if (now - e.at > this.ttlMs) {
      this.entries.delete(id);
      return undefined;
    }
    return e.key;
  }

  set(id: string, key: Buffer, now: number): void {
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(id, { key, at: now });
  }

  forget(tenantId: string, subject: string): void {
    this.entries.delete(`${tenantId}\u0000${subject}`);
  }
}

/** Loads (creating when missing) the keys of the given subjects; null = erased. */
export async function subjectKeys(
  tx: Sql,
  wanted: { tenantId: string; subject: string }[],
  cache?: SubjectKeyCache,
): Promise<Map<string, Buffer | null>> {
  const keys = new Map<string, Buffer | null>();
  const now = Date.now();
  const missing = new Map<string, { tenantId: string; subject: string }>();
  for (const w of wanted) {
    const id = `${w.tenantId}\u0000${w.subject}`;
    if (keys.has(id) || missing.has(id)) continue;
    const cached = cache?.get(id, now);
    if (cached) keys.set(id, cached);
    else missing.set(id, w);
  }
  if (!missing.size) return keys;
  const unique = [...missing.values()];
  await tx.query(
    `INSERT INTO subject_keys (tenant_id, subject_ref, key)
     SELECT t, s, k FROM unnest($1::text[], $2::text[], $3::bytea[]) AS x(t, s, k)
     ON CONFLICT (tenant_id, subject_ref) DO NOTHING`,
    [unique.map((u) => u.tenantId), unique.map((u) => u.subject), newSubjectKeys(unique.length)],
  );
  const rows = await tx.query<{ tenant_id: string; subject_ref: string; key: Buffer | null }>(
    `SELECT tenant_id, subject_ref, key FROM subject_keys
      WHERE (tenant_id, subject_ref) IN (SELECT * FROM unnest($1::text[], $2::text[]))`,
    [unique.map((u) => u.tenantId), unique.map((u) => u.subject)],
  );
  for (const r of rows) {
    const id = `${r.tenant_id}\u0000${r.subject_ref}`;
    keys.set(id, r.key);
    if (r.key && cache) cache.set(id, r.key, now);
  }
  return keys;
}
