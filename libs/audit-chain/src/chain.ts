import { ChainedBody, GENESIS_HASH, recordHash } from './hash';

export interface ChainHead {
  chainId: string;
  /** Sequence of the last record; -1 for an empty chain. */
  sequence: number;
  hash: string;
}

export function emptyHead(chainId: string): ChainHead {
  return { chainId, sequence: -1, hash: GENESIS_HASH };
}

export interface ChainLink<B extends ChainedBody = ChainedBody> {
  body: B;
  hash: string;
}

/**
 * Appends contents to a chain head: each gets the next sequence, the previous hash and its own
 * hash. Pure; the caller stores the links and the new head in one transaction.
 */
export function extendChain<C extends Record<string, unknown>>(
  head: ChainHead,
  contents: readonly C[],
): { links: ChainLink<C & ChainedBody>[]; head: ChainHead } {
  let { sequence, hash } = head;
  const links = contents.map((content) => {
    const body = { ...content, chainId: head.chainId, sequence: sequence + 1, prevHash: hash } as C &
      ChainedBody;
    const h = recordHash(body);
    sequence += 1;
    hash = h;
    return { body, hash: h };
  });
  return { links, head: { chainId: head.chainId, sequence, hash } };
}

export type ChainFailureReason =
  | 'hash_mismatch'
  | 'gap'
  | 'reordered'
  | 'unexpected_record'
  | 'broken_link'
  | 'checkpoint_mismatch'
  | 'checkpoint_signature_invalid'
  | 'truncated';

export interface ChainFailure {
  chainId: string;
  reason: ChainFailureReason;
  /** The stored record the failure is about, when there is one. */
  recordId?: string;
  sequence: number;
  detail: string;
}

/** A stored record as verification sees it: the body as stored, and the hash as stored. */
export interface StoredLink {
  recordId: string;
  body: ChainedBody;
  hash: string;
}

export interface CheckpointClaim {
  sequence: number;
  headHash: string;
  /** Whether its signature verified (checked by the caller with the checkpoint module). */
  signatureValid: boolean;
  /** Why it did not, e.g. an untrusted key. */
  problem?: string;
}

/**
 * Incremental verifier for one chain, fed stored records in sequence order. Stops at the first
 * failure and says why: a record whose content no longer matches its hash, a missing sequence
 * (deleted record), a record stored at another position (swapped), a record that belongs to no
 * position (inserted), a broken previous-hash link, or a signed checkpoint the chain disagrees with.
 */
export class ChainVerifier {
  private expected: number;
  private prevHash: string;
  private failure?: ChainFailure;
  private checked = 0;
  private readonly checkpoints: Map<number, CheckpointClaim>;

  constructor(
    readonly chainId: string,
    checkpoints: readonly CheckpointClaim[] = [],
    /** Start mid-chain: the sequence and hash of the record just before the range. */
    anchor: { sequence: number; hash: string } = { sequence: -1, hash: GENESIS_HASH },
    private readonly reorderWindow = 16,
  ) {
    this.expected = anchor.sequence + 1;
    this.prevHash = anchor.hash;
    this.checkpoints = new Map(checkpoints.map((c) => [c.sequence, c]));
  }

  get result(): { ok: boolean; checked: number; lastSequence: number; failure?: ChainFailure } {
    return {
      ok: !this.failure,
      checked: this.checked,
      lastSequence: this.expected - 1,
      failure: this.failure,
    };
  }

  /** Returns false once a failure was found; later records are not examined. */
  push(link: StoredLink): boolean {
    if (this.failure) return false;
    const seq = link.body.sequence;
    const fail = (reason: ChainFailureReason, detail: string, sequence = seq): false => {
      this.failure = { chainId: this.chainId, reason, recordId: link.recordId, sequence, detail };
      return false;
    };
    if (link.body.chainId !== this.chainId)
      return fail('unexpected_record', `record claims chain ${link.body.chainId}`);
    if (seq < this.expected) {
      return fail(
        'unexpected_record',
        `a second record at sequence ${seq} (already verified up to ${this.expected - 1}): inserted`,
      );
    }
    const recomputed = recordHash(link.body);
    if (recomputed !== link.hash) {
      const home = this.homeOf(link);
      if (home !== undefined)
        return fail('reordered', `record stored at sequence ${seq} was hashed at sequence ${home}`);
      if (seq > this.expected)
        return fail(
          'gap',
          `sequence ${this.expected}${seq - 1 > this.expected ? `..${seq - 1}` : ''} missing before this record`,
          this.expected,
        );
      return fail(
        'hash_mismatch',
        `stored hash ${link.hash.slice(0, 12)}… but content hashes to ${recomputed.slice(0, 12)}…`,
      );
    }
    if (seq > this.expected) {
      return fail(
        'gap',
        `sequence ${this.expected}${seq - 1 > this.expected ? `..${seq - 1}` : ''} missing before this record`,
        this.expected,
      );
    }
    if (link.body.prevHash !== this.prevHash) {
      return fail(
        'broken_link',
        `previous hash ${link.body.prevHash.slice(0, 12)}… does not match record ${seq - 1} (${this.prevHash.slice(0, 12)}…)`,
      );
    }
    const cp = this.checkpoints.get(seq);
    if (cp) {
      if (!cp.signatureValid)
        return fail(
          'checkpoint_signature_invalid',
          `checkpoint at sequence ${seq}: ${cp.problem ?? 'invalid signature'}`,
        );
      if (cp.headHash !== link.hash)
        return fail(
          'checkpoint_mismatch',
          `signed checkpoint says ${cp.headHash.slice(0, 12)}… at sequence ${seq}, chain has ${link.hash.slice(0, 12)}…`,
        );
    }
    this.expected = seq + 1;
    this.prevHash = link.hash;
    this.checked += 1;
    return true;
  }

  /**
   * Call after the last record. A signed checkpoint beyond the end means records were removed
   * from the tail; `upTo` limits the check to a verified range.
   */
  finish(upTo?: number): boolean {
    if (this.failure) return false;
    const last = this.expected - 1;
    const beyond = [...this.checkpoints.values()]
      .filter((c) => c.sequence > last && (upTo === undefined || c.sequence <= upTo))
      .sort((a, b) => a.sequence - b.sequence)[0];
    if (beyond) {
      this.failure = {
        chainId: this.chainId,
        reason: 'truncated',
        sequence: last + 1,
        detail: `a signed checkpoint covers sequence ${beyond.sequence} but the chain ends at ${last}`,
      };
      return false;
    }
    return true;
  }

  /** Whether the stored hash matches the content at a nearby other position (a swap). */
  private homeOf(link: StoredLink): number | undefined {
    const seq = link.body.sequence;
    for (let d = 1; d <= this.reorderWindow; d++) {
      for (const candidate of [seq - d, seq + d]) {
        if (candidate < 0) continue;
        if (recordHash({ ...link.body, sequence: candidate }) === link.hash) return candidate;
      }
    }
    return undefined;
  }
}
