import { SubjectKeyWrapper, newSubjectKeys, subjectKeyContext } from '@agentops/privacy';
import { Sql, TransactionalSql } from '../chain/sql';

interface KeyRow {
  tenant_id: string;
  subject_ref: string;
  /** Only rows written before keys were wrapped; wrapped at start (wrapStoredKeys). */
  key: Buffer | null;
  wrapped_key: string | null;
  kek_id: string | null;
}

/**
 * The only place that speaks SQL about data subjects' keys. Keys are stored wrapped by the KEK
 * port (never in clear), unwrapped in memory when a batch needs them, and destroyed on erasure.
 */
export class SubjectKeyStore {
  readonly cache = new SubjectKeyCache();

  constructor(
    private readonly wrapper: SubjectKeyWrapper,
    /** Told about a stored key that does not unwrap (altered in the database): its values stay unsealed. */
    private readonly onUnusableKey: (tenantId: string, subjectRef: string, error: Error) => void = () =>
      undefined,
  ) {}

  /** Loads (creating when missing) the keys of the given subjects; null = erased or unusable. */
  async load(tx: Sql, wanted: { tenantId: string; subject: string }[]): Promise<Map<string, Buffer | null>> {
    const keys = new Map<string, Buffer | null>();
    const now = Date.now();
    const missing = new Map<string, { tenantId: string; subject: string }>();
    for (const w of wanted) {
      const id = keyId(w.tenantId, w.subject);
      if (keys.has(id) || missing.has(id)) continue;
      const cached = this.cache.get(id, now);
      if (cached) keys.set(id, cached);
      else missing.set(id, w);
    }
    if (!missing.size) return keys;
    const unique = [...missing.values()];
    const fresh = newSubjectKeys(unique.length);
    const wrapped = await Promise.all(
      unique.map((u, i) => this.wrapper.wrap(fresh[i], subjectKeyContext(u.tenantId, u.subject))),
    );
    await tx.query(
      `INSERT INTO subject_keys (tenant_id, subject_ref, wrapped_key, kek_id)
       SELECT t, s, w, k FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS x(t, s, w, k)
       ON CONFLICT (tenant_id, subject_ref) DO NOTHING`,
      [
        unique.map((u) => u.tenantId),
        unique.map((u) => u.subject),
        wrapped.map((w) => w.wrapped),
        wrapped.map((w) => w.kekId),
      ],
    );
    const ours = new Map(
      unique.map((u, i) => [keyId(u.tenantId, u.subject), { key: fresh[i], wrapped: wrapped[i].wrapped }]),
    );
    const rows = await tx.query<KeyRow>(
      `SELECT tenant_id, subject_ref, key, wrapped_key, kek_id FROM subject_keys
        WHERE (tenant_id, subject_ref) IN (SELECT * FROM unnest($1::text[], $2::text[]))`,
      [unique.map((u) => u.tenantId), unique.map((u) => u.subject)],
    );
    for (const r of rows) {
      const id = keyId(r.tenant_id, r.subject_ref);
      const mine = ours.get(id);
      // The row this batch inserted needs no unwrapping; one written by someone else does.
      const key = mine && r.wrapped_key === mine.wrapped ? mine.key : await this.usableKey(r);
      keys.set(id, key);
      if (key) this.cache.set(id, key, now);
    }
    return keys;
  }

  /**
   * Erasure of a data subject: every form of their key is destroyed. Every sealed value under it
   * becomes unreadable; records, pseudonyms and hashes are untouched, so the chain still verifies.
   */
  async erase(
    sql: Sql,
    tenantId: string,
    subjectRef: string,
  ): Promise<{ erased: boolean; alreadyErased: boolean; records: number }> {
    const [row] = await sql.query<{ erased: boolean }>(
      `SELECT erased_at IS NOT NULL AS erased FROM subject_keys WHERE tenant_id = $1 AND subject_ref = $2`,
      [tenantId, subjectRef],
    );
    this.cache.forget(tenantId, subjectRef);
    if (!row) return { erased: false, alreadyErased: false, records: 0 };
    if (!row.erased) {
      await sql.query(
        `UPDATE subject_keys SET key = NULL, wrapped_key = NULL, kek_id = NULL, erased_at = now()
          WHERE tenant_id = $1 AND subject_ref = $2 AND erased_at IS NULL`,
        [tenantId, subjectRef],
      );
      this.cache.forget(tenantId, subjectRef);
    }
    const [n] = await sql.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM records WHERE tenant_id = $1 AND subjects @> ARRAY[$2]::text[]`,
      [tenantId, subjectRef],
    );
    return { erased: true, alreadyErased: row.erased, records: n.n };
  }

  /** KEK ids of stored keys that the wrapper cannot unwrap (a KEK dropped too early). */
  async unknownKeks(sql: Sql): Promise<string[]> {
    return (await storedKekIds(sql)).filter((id) => !this.wrapper.knows(id));
  }

  /**
   * Wraps the keys still stored in clear (written before wrapping existed) and re-wraps those
   * under an older KEK with the active one, a page at a time, each page in its own transaction
   * with its rows locked; an erasure meanwhile waits for the page and then wins.
   */
  async wrapStoredKeys(
    sql: TransactionalSql,
    page = 500,
    stopped: () => boolean = () => false,
  ): Promise<{ wrapped: number; rewrapped: number }> {
    const done = { wrapped: 0, rewrapped: 0 };
    const older = (await storedKekIds(sql)).filter((id) => id !== this.wrapper.activeKekId);
    for (const filter of [
      { where: 'key IS NOT NULL', params: [] as string[], count: 'wrapped' as const },
      ...older.map((id) => ({ where: 'kek_id = $3', params: [id], count: 'rewrapped' as const })),
    ]) {
      let after = ['', ''];
      for (;;) {
        if (stopped()) return done;
        const n = await sql.transaction(async (tx) => {
          const rows = await tx.query<KeyRow>(
            `SELECT tenant_id, subject_ref, key, wrapped_key, kek_id FROM subject_keys
              WHERE ${filter.where} AND erased_at IS NULL AND (tenant_id, subject_ref) > ($1, $2)
              ORDER BY tenant_id, subject_ref LIMIT ${page} FOR UPDATE SKIP LOCKED`,
            [...after, ...filter.params],
          );
          if (!rows.length) return 0;
          after = [rows[rows.length - 1].tenant_id, rows[rows.length - 1].subject_ref];
          const updates: { t: string; s: string; w: string; k: string }[] = [];
          for (const r of rows) {
            const clear = await this.usableKey(r);
            if (!clear) continue;
            const w = await this.wrapper.wrap(clear, subjectKeyContext(r.tenant_id, r.subject_ref));
            updates.push({ t: r.tenant_id, s: r.subject_ref, w: w.wrapped, k: w.kekId });
          }
          if (updates.length)
            await tx.query(
              `UPDATE subject_keys k SET key = NULL, wrapped_key = x.w, kek_id = x.k
                 FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS x(t, s, w, k)
                WHERE k.tenant_id = x.t AND k.subject_ref = x.s AND k.erased_at IS NULL`,
              [
                updates.map((u) => u.t),
                updates.map((u) => u.s),
                updates.map((u) => u.w),
                updates.map((u) => u.k),
              ],
            );
          done[filter.count] += updates.length;
          return rows.length;
        });
        if (n < page) break;
      }
    }
    return done;
  }

  private async usableKey(r: KeyRow): Promise<Buffer | null> {
    if (r.key) return r.key;
    if (!r.wrapped_key || !r.kek_id) return null;
    try {
      return await this.wrapper.unwrap(
        { kekId: r.kek_id, wrapped: r.wrapped_key },
        subjectKeyContext(r.tenant_id, r.subject_ref),
      );
    } catch (error) {
      this.onUnusableKey(r.tenant_id, r.subject_ref, error as Error);
      return null;
    }
  }
}

/** The distinct KEK ids in use, read by skipping through the kek_id index (one probe per id). */
async function storedKekIds(sql: Sql): Promise<string[]> {
  const rows = await sql.query<{ kek_id: string }>(
    `WITH RECURSIVE ids AS (
       (SELECT kek_id FROM subject_keys WHERE kek_id IS NOT NULL ORDER BY kek_id LIMIT 1)
       UNION ALL
       SELECT (SELECT s.kek_id FROM subject_keys s WHERE s.kek_id > ids.kek_id ORDER BY s.kek_id LIMIT 1)
         FROM ids WHERE ids.kek_id IS NOT NULL
     )
     SELECT kek_id FROM ids WHERE kek_id IS NOT NULL`,
  );
  return rows.map((r) => r.kek_id);
}

function keyId(tenantId: string, subject: string): string {
  return `${tenantId}\u0000${subject}`;
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
    this.entries.delete(keyId(tenantId, subject));
  }
}
