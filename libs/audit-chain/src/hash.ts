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

/**
 * A body's canonical text split where its previous hash goes: `before + JSON.stringify(prevHash)
 * + after` is exactly `canonicalJson(body)`. Only the previous hash depends on the chain's order,
 * so the costly part (canonicalising the content) can be done for many records at once, anywhere,
 * and the link itself is one SHA-256 taken in chain order ({@link linkHash}).
 */
export interface LinkTemplate {
  before: string;
  after: string;
}

export function linkTemplate(body: Omit<ChainedBody, 'prevHash'>): LinkTemplate {
  const keys = Object.keys(body).filter((k) => k !== 'prevHash');
  keys.push('prevHash');
  // The same order and the same member text as canonicalJson over the whole body (RFC 8785 §3.2.3).
  keys.sort();
  const at = keys.indexOf('prevHash');
  const member = (k: string) => {
    const value = (body as Record<string, unknown>)[k];
    if (value === undefined) throw new Error(`$.${k}: undefined is not JSON`);
    return `${JSON.stringify(k)}:${canonicalJson(value)}`;
  };
  const head = keys.slice(0, at).map(member);
  const tail = keys.slice(at + 1).map(member);
  return {
    before: `{${head.map((m) => `${m},`).join('')}"prevHash":`,
    after: `${tail.map((m) => `,${m}`).join('')}}`,
  };
}

/** The record hash of a body whose template is `t`, once its previous hash is known. */
export function linkHash(t: LinkTemplate, prevHash: string): string {
  return createHash('sha256')
    .update(t.before, 'utf8')
    .update(JSON.stringify(prevHash), 'utf8')
    .update(t.after, 'utf8')
    .digest('hex');
}
