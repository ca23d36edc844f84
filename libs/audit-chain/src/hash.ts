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
  // The members sorting before "prevHash" and those after, each canonicalised as one object: RFC
  // 8785 orders members the same way inside each half (§3.2.3), so the two texts are the whole
  // body's text cut where the previous hash goes. Two calls instead of one per member: a record's
  // body is canonicalised once, on every append and every verification.
  const head: Record<string, unknown> = {};
  const tail: Record<string, unknown> = {};
  for (const k of Object.keys(body)) {
    if (k === 'prevHash') continue;
    const value = (body as Record<string, unknown>)[k];
    if (value === undefined) throw new Error(`$.${k}: undefined is not JSON`);
    const half = k < 'prevHash' ? head : tail;
    // A member named "__proto__" stays a member (plain assignment would set the prototype); plain
    // objects, not prototype-less ones, which V8 keeps in slower dictionary mode.
    if (k === '__proto__') Object.defineProperty(half, k, { value, enumerable: true, writable: true });
    else half[k] = value;
  }
  const before = canonicalJson(head);
  const after = canonicalJson(tail);
  return {
    before: before === '{}' ? '{"prevHash":' : `${before.slice(0, -1)},"prevHash":`,
    after: after === '{}' ? '}' : `,${after.slice(1)}`,
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
