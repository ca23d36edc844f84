import {
  ChainFailure,
  ChainVerifier,
  SignedCheckpoint,
  keyIdOf,
  recordHash,
  verifyCheckpoint,
} from '@agentops/audit-chain';
import { createPublicKey } from 'node:crypto';
import { Sql } from '../chain/sql';
import { RECORD_COLUMNS, StoredRecord, hashedBody } from '../records/record-content';

export interface VerifyRequest {
  chainId?: string;
  from?: number;
  to?: number;
  /**
   * Key ids whose checkpoint signatures count. Without it, a checkpoint need only verify under the
   * public key stored beside it — which someone able to rewrite the tables could replace; pin the
   * ids (AUDIT_TRUSTED_KEY_IDS, `--trusted-key`) to rule that out.
   */
  trustedKeyIds?: string[];
}

export interface ChainReport {
  chainId: string;
  ok: boolean;
  checked: number;
  from: number;
  lastSequence: number;
  checkpointsChecked: number;
  failure?: ChainFailure & { eventId?: string };
}

export interface VerifyReport {
  ok: boolean;
  chains: ChainReport[];
  records: number;
  ms: number;
  /** Key ids of the checkpoints examined: compare them with the published signing keys. */
  keyIds: string[];
  /** The first broken record over all chains, if any. */
  firstFailure?: ChainReport['failure'];
}

const PAGE = 5000;

/**
 * Recomputes chains from the stored rows: every hash, every link, every sequence, every signed
 * checkpoint. A range starts from the stored hash of the record before it (its anchor).
 */
export async function verifyChains(sql: Sql, req: VerifyRequest = {}): Promise<VerifyReport> {
  const started = Date.now();
  const chainIds = req.chainId
    ? [req.chainId]
    : (
        await sql.query<{ chain_id: string }>(
          `SELECT chain_id FROM chain_heads UNION SELECT DISTINCT chain_id FROM checkpoints ORDER BY 1`,
        )
      ).map((r) => r.chain_id);
  const chains: ChainReport[] = [];
  const keyIds = new Set<string>();
  const trusted = req.trustedKeyIds?.length ? new Set(req.trustedKeyIds) : undefined;
  for (const chainId of chainIds)
    chains.push(await verifyOne(sql, chainId, req.from ?? 0, req.to, trusted, keyIds));
  const firstFailure = chains.find((c) => !c.ok)?.failure;
  return {
    ok: !firstFailure,
    chains,
    records: chains.reduce((s, c) => s + c.checked, 0),
    ms: Date.now() - started,
    keyIds: [...keyIds].sort(),
    firstFailure,
  };
}

async function verifyOne(
  sql: Sql,
  chainId: string,
  from: number,
  to: number | undefined,
  trusted: Set<string> | undefined,
  keyIds: Set<string>,
): Promise<ChainReport> {
  const cpRows = await sql.query<SignedCheckpoint & { publicKey: string }>(
    `SELECT chain_id AS "chainId", sequence::float8 AS sequence, head_hash AS "headHash", signed_at AS "signedAt", key_id AS "keyId",
            algorithm, signature, public_key AS "publicKey"
       FROM checkpoints WHERE chain_id = $1 AND sequence >= $2 AND ($3::bigint IS NULL OR sequence <= $3) ORDER BY sequence`,
    [chainId, from, to ?? null],
  );
  const claims = cpRows.map((c) => {
    keyIds.add(c.keyId);
    let problem: string | undefined;
    try {
      if (keyIdOf(createPublicKey(c.publicKey)) !== c.keyId)
        problem = `stored public key does not match key id ${c.keyId}`;
    } catch {
      problem = 'stored public key unreadable';
    }
    if (!problem && trusted && !trusted.has(c.keyId)) problem = `signed by untrusted key ${c.keyId}`;
    if (!problem && !verifyCheckpoint(c.publicKey, c)) problem = 'invalid signature';
    return { sequence: c.sequence, headHash: c.headHash, signatureValid: !problem, problem };
  });
  let anchor = { sequence: -1, hash: '0'.repeat(64) };
  if (from > 0) {
    const [row] = await sql.query<{ hash: string }>(
      `SELECT hash FROM records WHERE chain_id = $1 AND sequence = $2 ORDER BY recorded_at LIMIT 1`,
      [chainId, from - 1],
    );
    if (!row) {
      return {
        chainId,
        ok: false,
        checked: 0,
        from,
        lastSequence: from - 1,
        checkpointsChecked: 0,
        failure: {
          chainId,
          reason: 'gap',
          sequence: from - 1,
          detail: `no record at sequence ${from - 1} to anchor the range`,
        },
      };
    }
    anchor = { sequence: from - 1, hash: row.hash };
  }
  const verifier = new ChainVerifier(chainId, claims, anchor);
  let after = from - 1;
  let afterAt = 'infinity'; // start strictly after every row at sequence from - 1
  let afterId = 'ffffffff-ffff-ffff-ffff-ffffffffffff';
  let failedEventId: string | undefined;
  for (;;) {
    // Keyset pages in (sequence, recorded_at, event_id) order: a duplicate sequence is seen, not hidden.
    const page = await sql.query<StoredRecord>(
      `SELECT ${RECORD_COLUMNS} FROM records
        WHERE chain_id = $1 AND (sequence, recorded_at, event_id) > ($2::bigint, $3::timestamptz, $4::uuid)
          AND ($5::bigint IS NULL OR sequence <= $5)
        ORDER BY sequence, recorded_at, event_id LIMIT ${PAGE}`,
      [chainId, after, afterAt, afterId, to ?? null],
    );
    let stop = false;
    for (const r of page) {
      if (!verifier.push({ recordId: r.eventId, body: hashedBody(r), hash: r.hash })) {
        failedEventId = r.eventId;
        stop = true;
        break;
      }
    }
    if (stop || page.length < PAGE) break;
    const last = page[page.length - 1];
    after = last.sequence;
    afterAt = last.recordedAt;
    afterId = last.eventId;
  }
  verifier.finish(to);
  const result = verifier.result;
  return {
    chainId,
    ok: result.ok,
    checked: result.checked,
    from,
    lastSequence: result.lastSequence,
    checkpointsChecked: claims.filter((c) => c.sequence <= result.lastSequence).length,
    failure: result.failure
      ? { ...result.failure, eventId: result.failure.recordId ?? failedEventId }
      : undefined,
  };
}

export interface RecordProof {
  eventId: string;
  chainId: string;
  sequence: number;
  prevHash: string;
  hash: string;
  /** The hash recomputed now from the stored content. */
  hashValid: boolean;
  /** The first signed checkpoint at or after the record, and the chain between them verified. */
  checkpoint?: SignedCheckpoint & { publicKey: string; signatureValid: boolean };
  pathVerified: boolean;
  detail?: string;
}

/** A record's hash, its position, and the signed checkpoint that covers it (the path verified). */
export async function proveRecord(
  sql: Sql,
  eventId: string,
  trustedKeyIds?: string[],
): Promise<{ record: StoredRecord; proof: RecordProof } | undefined> {
  const [record] = await sql.query<StoredRecord>(
    `SELECT ${RECORD_COLUMNS} FROM records WHERE (chain_id, sequence, recorded_at) IN (SELECT chain_id, sequence, recorded_at FROM record_index WHERE event_id = $1)`,
    [eventId],
  );
  if (!record) return undefined;
  const hashValid = recordHash(hashedBody(record)) === record.hash;
  const [cp] = await sql.query<SignedCheckpoint & { publicKey: string }>(
    `SELECT chain_id AS "chainId", sequence::float8 AS sequence, head_hash AS "headHash", signed_at AS "signedAt", key_id AS "keyId",
            algorithm, signature, public_key AS "publicKey"
       FROM checkpoints WHERE chain_id = $1 AND sequence >= $2 ORDER BY sequence LIMIT 1`,
    [record.chainId, record.sequence],
  );
  const base: RecordProof = {
    eventId,
    chainId: record.chainId,
    sequence: record.sequence,
    prevHash: record.prevHash,
    hash: record.hash,
    hashValid,
    pathVerified: false,
  };
  if (!cp) return { record, proof: { ...base, detail: 'no signed checkpoint covers this record yet' } };
  const range = await verifyChains(sql, {
    chainId: record.chainId,
    from: record.sequence,
    to: cp.sequence,
    trustedKeyIds,
  });
  return {
    record,
    proof: {
      ...base,
      checkpoint: { ...cp, signatureValid: verifyCheckpoint(cp.publicKey, cp) },
      pathVerified: hashValid && range.ok,
      detail: range.ok ? undefined : range.firstFailure?.detail,
    },
  };
}
