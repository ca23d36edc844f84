import { ChainFailure, ChainVerifier, keyIdOf, recordHash, verifyCheckpoint } from '@agentops/audit-chain';
import { createPublicKey } from 'node:crypto';
import { StoredRecord, hashedBody } from '../records/record-content';
import { ChainReads, StoredCheckpoint } from './chain-reads';

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
export async function verifyChains(reads: ChainReads, req: VerifyRequest = {}): Promise<VerifyReport> {
  const started = Date.now();
  const chainIds = req.chainId ? [req.chainId] : await reads.chainIds();
  const chains: ChainReport[] = [];
  const keyIds = new Set<string>();
  const trusted = req.trustedKeyIds?.length ? new Set(req.trustedKeyIds) : undefined;
  for (const chainId of chainIds)
    chains.push(await verifyOne(reads, chainId, req.from ?? 0, req.to, trusted, keyIds));
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
  reads: ChainReads,
  chainId: string,
  from: number,
  to: number | undefined,
  trusted: Set<string> | undefined,
  keyIds: Set<string>,
): Promise<ChainReport> {
  const cpRows = await reads.checkpoints(chainId, from, to);
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
    const hash = await reads.hashAt(chainId, from - 1);
    if (hash === undefined) {
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
    anchor = { sequence: from - 1, hash };
  }
  const verifier = new ChainVerifier(chainId, claims, anchor);
  let after = from - 1;
  let afterAt = 'infinity'; // start strictly after every row at sequence from - 1
  let afterId = 'ffffffff-ffff-ffff-ffff-ffffffffffff';
  let failedEventId: string | undefined;
  for (;;) {
    const page = await reads.recordsAfter(
      chainId,
      { sequence: after, recordedAt: afterAt, eventId: afterId },
      to,
      PAGE,
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
  checkpoint?: StoredCheckpoint & { signatureValid: boolean };
  pathVerified: boolean;
  detail?: string;
}

/** A record's hash, its position, and the signed checkpoint that covers it (the path verified). */
export async function proveRecord(
  reads: ChainReads,
  eventId: string,
  trustedKeyIds?: string[],
): Promise<{ record: StoredRecord; proof: RecordProof } | undefined> {
  const record = await reads.recordOf(eventId);
  if (!record) return undefined;
  const hashValid = recordHash(hashedBody(record)) === record.hash;
  const cp = await reads.firstCheckpointFrom(record.chainId, record.sequence);
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
  const range = await verifyChains(reads, {
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
