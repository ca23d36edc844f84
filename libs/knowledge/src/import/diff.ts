import { KnowledgeDocument, ProductFact } from '../knowledge-base';

export interface FieldChange {
  field: string;
  before: unknown;
  after: unknown;
}

export interface KeyedChanges {
  added: string[];
  removed: string[];
  changed: { id: string; changes: FieldChange[] }[];
}

/** What one import changes, keyed the way people look things up: SKU, copy id, policy field. */
export interface KnowledgeDiff {
  products: KeyedChanges;
  copy: KeyedChanges;
  approvedClaims: KeyedChanges;
  policies: FieldChange[];
  voice: {
    bannedAdded: string[];
    bannedRemoved: string[];
    requiredAdded: string[];
    requiredRemoved: string[];
  };
  freshness: FieldChange[];
  /** "products +3 −1 ~12; copy +1; policies ~1". */
  summary: string;
  empty: boolean;
}

/** Key order does not matter to equality: {a,b} equals {b,a}. */
function stable(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(stable).join(',')}]`;
  const o = value as Record<string, unknown>;
  return `{${Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${stable(o[k])}`)
    .join(',')}}`;
}

function fieldChanges(
  before: Record<string, unknown>,
  after: Record<string, unknown>,
  ignore: ReadonlySet<string> = new Set(),
): FieldChange[] {
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])]
    .filter((k) => !ignore.has(k))
    .sort();
  return keys
    .filter((k) => stable(before[k]) !== stable(after[k]))
    .map((field) => ({ field, before: before[field], after: after[field] }));
}

function keyed<T>(
  before: readonly T[],
  after: readonly T[],
  id: (t: T) => string,
  ignore?: ReadonlySet<string>,
): KeyedChanges {
  const a = new Map(before.map((x) => [id(x), x]));
  const b = new Map(after.map((x) => [id(x), x]));
  const out: KeyedChanges = { added: [], removed: [], changed: [] };
  for (const [k, v] of b) {
    const old = a.get(k);
    if (old === undefined) out.added.push(k);
    else {
      const changes = fieldChanges(old as Record<string, unknown>, v as Record<string, unknown>, ignore);
      if (changes.length) out.changed.push({ id: k, changes });
    }
  }
  for (const k of a.keys()) if (!b.has(k)) out.removed.push(k);
  return out;
}

/** Read times move on every sync; a diff shows what the facts say, not when they were read. */
const VOLATILE = new Set(['asOf']);

export function diffKnowledge(
  before: KnowledgeDocument | undefined,
  after: KnowledgeDocument,
): KnowledgeDiff {
  const b = before ?? KnowledgeDocument.parse({ asOf: after.asOf });
  const products = keyed<ProductFact>(b.products, after.products, (p) => p.sku, VOLATILE);
  const copy = keyed(b.copy, after.copy, (c) => c.id);
  const approvedClaims = keyed(b.approvedClaims, after.approvedClaims, (c) => c.id);
  const policies = fieldChanges(b.policies, after.policies);
  const setDiff = (x: string[], y: string[]) => y.filter((t) => !x.includes(t));
  const bannedBefore = b.voice.bannedWords.map((w) => w.term);
  const bannedAfter = after.voice.bannedWords.map((w) => w.term);
  const requiredBefore = b.voice.requiredTerms.map((w) => w.term);
  const requiredAfter = after.voice.requiredTerms.map((w) => w.term);
  const voice = {
    bannedAdded: setDiff(bannedBefore, bannedAfter),
    bannedRemoved: setDiff(bannedAfter, bannedBefore),
    requiredAdded: setDiff(requiredBefore, requiredAfter),
    requiredRemoved: setDiff(requiredAfter, requiredBefore),
  };
  const freshness = fieldChanges(b.freshness, after.freshness);
  const part = (name: string, c: KeyedChanges) => {
    const bits = [
      c.added.length && `+${c.added.length}`,
      c.removed.length && `−${c.removed.length}`,
      c.changed.length && `~${c.changed.length}`,
    ].filter(Boolean);
    return bits.length ? `${name} ${bits.join(' ')}` : '';
  };
  const voiceCount =
    voice.bannedAdded.length +
    voice.bannedRemoved.length +
    voice.requiredAdded.length +
    voice.requiredRemoved.length;
  const summary = [
    part('products', products),
    part('copy', copy),
    part('approved claims', approvedClaims),
    policies.length ? `policies ~${policies.length}` : '',
    voiceCount ? `voice ~${voiceCount}` : '',
    freshness.length ? `freshness ~${freshness.length}` : '',
  ]
    .filter(Boolean)
    .join('; ');
  return {
    products,
    copy,
    approvedClaims,
    policies,
    voice,
    freshness,
    summary: summary || 'no changes',
    empty: !summary,
  };
}

export const MAX_REMOVED_SHARE = 0.2;

export type RemovalCheck =
  | { ok: true; removed: number; share: number }
  | { ok: false; removed: number; share: number; reason: string };

/**
 * An import that drops more than a fifth of the tenant's products is more often a truncated export
 * than a decision: it needs an explicit `force`.
 */
export function checkRemovals(
  before: KnowledgeDocument | undefined,
  after: KnowledgeDocument,
  options: { force?: boolean; maxRemovedShare?: number } = {},
): RemovalCheck {
  const total = before?.products.length ?? 0;
  if (total === 0) return { ok: true, removed: 0, share: 0 };
  const kept = new Set(after.products.map((p) => p.sku));
  const removed = before!.products.filter((p) => !kept.has(p.sku)).length;
  const share = removed / total;
  const max = options.maxRemovedShare ?? MAX_REMOVED_SHARE;
  if (share > max && !options.force)
    return {
      ok: false,
      removed,
      share,
      reason: `removes ${removed} of ${total} products (${Math.round(share * 1000) / 10} %, over ${max * 100} %); repeat with force to apply`,
    };
  return { ok: true, removed, share };
}
