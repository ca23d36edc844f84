import { SignedCheckpoint } from '@agentops/audit-chain';
import { Sql } from '../chain/sql';
import { RECORD_COLUMNS, StoredRecord } from '../records/record-content';

/** A stored checkpoint with the public key stored beside it. */
export type StoredCheckpoint = SignedCheckpoint & { publicKey: string };

/** Where a keyset page of a chain's records starts: strictly after this (sequence, recorded_at, event_id). */
export interface RecordCursor {
  sequence: number;
  recordedAt: string;
  eventId: string;
}

/**
 * The reads chain verification and record proofs need, over the `Sql` port so the service, the
 * CLI (`agentops audit verify`, its own connection) and the benchmark share them. The only place
 * that speaks SQL for verification.
 */
export class ChainReads {
  constructor(private readonly sql: Sql) {}

  /** Every chain with a head or a checkpoint, in order. */
  async chainIds(): Promise<string[]> {
    const rows = await this.sql.query<{ chain_id: string }>(
      `SELECT chain_id FROM chain_heads UNION SELECT DISTINCT chain_id FROM checkpoints ORDER BY 1`,
    );
    return rows.map((r) => r.chain_id);
  }

  /** The chain's checkpoints at sequences `from`..`to` (to: the end when undefined), in order. */
  checkpoints(chainId: string, from: number, to: number | undefined): Promise<StoredCheckpoint[]> {
    return this.sql.query<StoredCheckpoint>(
      `SELECT chain_id AS "chainId", sequence::float8 AS sequence, head_hash AS "headHash", signed_at AS "signedAt", key_id AS "keyId",
            algorithm, signature, public_key AS "publicKey"
       FROM checkpoints WHERE chain_id = $1 AND sequence >= $2 AND ($3::bigint IS NULL OR sequence <= $3) ORDER BY sequence`,
      [chainId, from, to ?? null],
    );
  }

  /** The first checkpoint at or after `sequence`. */
  async firstCheckpointFrom(chainId: string, sequence: number): Promise<StoredCheckpoint | undefined> {
    const [cp] = await this.sql.query<StoredCheckpoint>(
      `SELECT chain_id AS "chainId", sequence::float8 AS sequence, head_hash AS "headHash", signed_at AS "signedAt", key_id AS "keyId",
            algorithm, signature, public_key AS "publicKey"
       FROM checkpoints WHERE chain_id = $1 AND sequence >= $2 ORDER BY sequence LIMIT 1`,
      [chainId, sequence],
    );
    return cp;
  }

  /** The stored hash of the (first recorded) record at `sequence`, the anchor of a range. */
  async hashAt(chainId: string, sequence: number): Promise<string | undefined> {
    const [row] = await this.sql.query<{ hash: string }>(
      `SELECT hash FROM records WHERE chain_id = $1 AND sequence = $2 ORDER BY recorded_at LIMIT 1`,
      [chainId, sequence],
    );
    return row?.hash;
  }

  /**
   * A keyset page in (sequence, recorded_at, event_id) order, so a duplicate sequence is seen, not
   * hidden; up to `to` (the end when undefined).
   */
  recordsAfter(
    chainId: string,
    after: RecordCursor,
    to: number | undefined,
    limit: number,
  ): Promise<StoredRecord[]> {
    return this.sql.query<StoredRecord>(
      `SELECT ${RECORD_COLUMNS} FROM records
        WHERE chain_id = $1 AND (sequence, recorded_at, event_id) > ($2::bigint, $3::timestamptz, $4::uuid)
          AND ($5::bigint IS NULL OR sequence <= $5)
        ORDER BY sequence, recorded_at, event_id LIMIT ${limit}`,
      [chainId, after.sequence, after.recordedAt, after.eventId, to ?? null],
    );
  }

  async recordOf(eventId: string): Promise<StoredRecord | undefined> {
    const [record] = await this.sql.query<StoredRecord>(
      `SELECT ${RECORD_COLUMNS} FROM records WHERE (chain_id, sequence, recorded_at) IN (SELECT chain_id, sequence, recorded_at FROM record_index WHERE event_id = $1)`,
      [eventId],
    );
    return record;
  }
}
