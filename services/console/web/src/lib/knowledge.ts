/** The Knowledge page's view logic: versions, the diff between two, and recently contradicted claims. */

/** A version as guardrail lists it (`GET /v1/knowledge/:tenant/versions`). */
export interface KnowledgeVersionView {
  tenantId: string;
  kbVersion: number;
  summary: string;
  format: string;
  products: number;
  importedBy: string;
  importedAt: string;
}

export interface FieldChangeView {
  field: string;
  before: unknown;
  after: unknown;
}
export interface KeyedChangesView {
  added: string[];
  removed: string[];
  changed: { id: string; changes: FieldChangeView[] }[];
}
/** `GET /v1/knowledge/:tenant/versions/:a/diff/:b`'s `diff`. */
export interface KnowledgeDiffView {
  products: KeyedChangesView;
  copy: KeyedChangesView;
  approvedClaims: KeyedChangesView;
  policies: FieldChangeView[];
  voice: {
    bannedAdded: string[];
    bannedRemoved: string[];
    requiredAdded: string[];
    requiredRemoved: string[];
  };
  freshness: FieldChangeView[];
  summary: string;
  empty: boolean;
}

export interface DiffRow {
  area: string;
  change: 'added' | 'removed' | 'changed';
  id: string;
  /** "price: EUR 2400 → EUR 1900" for a change, '' otherwise. */
  detail: string;
}

/** The versions, newest first. */
export function newestFirst(versions: readonly KnowledgeVersionView[]): KnowledgeVersionView[] {
  return [...versions].sort((a, b) => b.kbVersion - a.kbVersion);
}

/** The pair a diff opens on: the version before the newest, to the newest (none with one version). */
export function defaultDiffPair(versions: readonly KnowledgeVersionView[]): [number, number] | undefined {
  const [newest, previous] = newestFirst(versions);
  return newest && previous ? [previous.kbVersion, newest.kbVersion] : undefined;
}

/** A value in a diff cell: money as "EUR 2400", lists joined, the rest as compact JSON. */
export function showValue(v: unknown): string {
  if (v === undefined || v === null) return '—';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  const m = v as { amount?: unknown; currency?: unknown };
  if (typeof m.amount === 'number' && typeof m.currency === 'string') return `${m.currency} ${m.amount}`;
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v.join(', ');
  return JSON.stringify(v);
}

const changeLine = (c: FieldChangeView) => `${c.field}: ${showValue(c.before)} → ${showValue(c.after)}`;

/** The diff as one table: each added, removed or changed record with what changed. */
export function diffRows(diff: KnowledgeDiffView): DiffRow[] {
  const rows: DiffRow[] = [];
  const keyed = (area: string, k: KeyedChangesView) => {
    for (const id of k.added) rows.push({ area, change: 'added', id, detail: '' });
    for (const id of k.removed) rows.push({ area, change: 'removed', id, detail: '' });
    for (const c of k.changed)
      rows.push({ area, change: 'changed', id: c.id, detail: c.changes.map(changeLine).join('; ') });
  };
  keyed('product', diff.products);
  keyed('copy', diff.copy);
  keyed('approved claim', diff.approvedClaims);
  for (const c of diff.policies)
    rows.push({ area: 'policy', change: 'changed', id: c.field, detail: changeLine(c) });
  const v = diff.voice;
  for (const t of v.bannedAdded) rows.push({ area: 'banned word', change: 'added', id: t, detail: '' });
  for (const t of v.bannedRemoved) rows.push({ area: 'banned word', change: 'removed', id: t, detail: '' });
  for (const t of v.requiredAdded) rows.push({ area: 'required term', change: 'added', id: t, detail: '' });
  for (const t of v.requiredRemoved)
    rows.push({ area: 'required term', change: 'removed', id: t, detail: '' });
  for (const c of diff.freshness)
    rows.push({ area: 'freshness', change: 'changed', id: c.field, detail: changeLine(c) });
  return rows;
}

/** A decision's claim as the audit holds it (`payload.grounding.claims[]`). */
export interface GroundedClaimView {
  kind: string;
  verdict: string;
  record: string;
  field: string;
  kbVersion: number;
  expected: string;
  policies: { policyId: string; effect: string; mode: string }[];
}

/** The audit record fields the page reads. */
export interface GroundedRecord {
  eventTime: string;
  agentId: string | null;
  correlationId: string | null;
  verdict: string | null;
  payload: unknown;
}

export interface ContradictionRow {
  at: string;
  intentId: string | null;
  agentId: string | null;
  /** The decision's verdict. */
  verdict: string | null;
  kind: string;
  record: string;
  field: string;
  kbVersion: number;
  expected: string;
  /** The enforcing policies that fired on the claim (shadow ones are listed with their mode). */
  policies: string[];
}

function claimsOf(payload: unknown): GroundedClaimView[] {
  const g = (payload as { grounding?: { claims?: unknown } } | null)?.grounding;
  return Array.isArray(g?.claims) ? (g.claims as GroundedClaimView[]) : [];
}

/** Every contradicted claim of the decisions, newest first, at most `limit`. */
export function contradictions(records: readonly GroundedRecord[], limit = 100): ContradictionRow[] {
  const rows: ContradictionRow[] = [];
  for (const r of records)
    for (const c of claimsOf(r.payload))
      if (c.verdict === 'CONTRADICTED')
        rows.push({
          at: r.eventTime,
          intentId: r.correlationId,
          agentId: r.agentId,
          verdict: r.verdict,
          kind: c.kind,
          record: c.record,
          field: c.field,
          kbVersion: c.kbVersion,
          expected: c.expected,
          policies: (c.policies ?? []).map((p) =>
            p.mode === 'shadow' ? `${p.policyId} (shadow)` : p.policyId,
          ),
        });
  return rows.sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0)).slice(0, limit);
}

/** How many contradicted claims each policy fired on (most first); `none` counts those no policy stopped. */
export function byPolicy(rows: readonly ContradictionRow[]): { policy: string; claims: number }[] {
  const counts = new Map<string, number>();
  for (const r of rows)
    for (const p of r.policies.length ? r.policies : ['none']) counts.set(p, (counts.get(p) ?? 0) + 1);
  return [...counts]
    .map(([policy, claims]) => ({ policy, claims }))
    .sort((a, b) => b.claims - a.claims || a.policy.localeCompare(b.policy));
}
