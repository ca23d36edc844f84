import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json';

/** The previous hash of a chain's first record. */
export const GENESIS_HASH = '0'.repeat(64);

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/**
 * What a record hash covers: its position (chain, sequence, previous hash) and its content, never
 * a clear personal value (payloads are pseudonymised or encrypted before they get here).
 */
export interface ChainedBody {
  chainId: string;
  sequence: number;
  prevHash: string;
  [field: string]: unknown;
}

export function recordHash(body: ChainedBody): string {
  return sha256Hex(canonicalJson(body));
}
