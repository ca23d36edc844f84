/**
 * Audit explorer logic: the search form and the quick-search box become the records API's query;
 * one intent's records become its story in order. Pure, unit-tested.
 */
import { readPages } from './pages';

export const VERDICT_VALUES = ['allow', 'deny', 'escalate', 'modify'] as const;

/** The audited event types, short name → full CloudEvents type. */
export const EVENT_TYPES: Record<string, string> = {
  'intent.proposed': 'agentops.intent.proposed.v1',
  'intent.decided': 'agentops.intent.decided.v1',
  'escalation.opened': 'agentops.escalation.opened.v1',
  'escalation.resolved': 'agentops.escalation.resolved.v1',
  'outcome.reported': 'agentops.outcome.reported.v1',
  'outcome.verified': 'agentops.outcome.verified.v1',
  'killswitch.changed': 'agentops.killswitch.changed.v1',
  'policy.set_activated': 'agentops.policy.set_activated.v1',
  'telemetry.recorded': 'agentops.telemetry.recorded.v1',
  'message.dead_lettered': 'agentops.message.dead_lettered.v1',
};

export const ACTOR_KINDS = ['agent', 'human', 'breaker', 'system'] as const;

/**
 * Filters the records API takes that the form has no field for: kept from the hash (or the quick
 * search) and passed through to the query rather than dropped.
 */
export const PASSTHROUGH_FILTERS = ['decidedBy', 'actorKind', 'subject', 'tenantId'] as const;
export type PassthroughFilter = (typeof PASSTHROUGH_FILTERS)[number];

/**
 * The search form as typed; `from`/`to` as an `<input type="datetime-local">` gives them, or ISO.
 * The server compares them with when a record was recorded (`recordedAt`), not its event time.
 */
export interface AuditSearchFields {
  correlationId: string;
  agentId: string;
  action: string;
  verdict: string;
  type: string;
  from: string;
  to: string;
  /** The passthrough filters that are set. */
  extra: Partial<Record<PassthroughFilter, string>>;
}

export const EMPTY_AUDIT_SEARCH: Readonly<AuditSearchFields> = Object.freeze({
  correlationId: '',
  agentId: '',
  action: '',
  verdict: '',
  type: '',
  from: '',
  to: '',
  extra: Object.freeze({}),
});

type FieldName = Exclude<keyof AuditSearchFields, 'extra'> | PassthroughFilter;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(s: string): boolean {
  return UUID.test(s.trim());
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * A local `datetime-local` value (no zone), a date alone (local midnight, like the browser reads
 * `2026-11-24T00:00`; `Date.parse` alone would take it as UTC) or an ISO time → ISO UTC;
 * undefined if unparseable.
 */
export function toIsoTime(value: string): string | undefined {
  const v = value.trim();
  if (!v) return undefined;
  const t = Date.parse(DATE_ONLY.test(v) ? `${v}T00:00` : v);
  return Number.isNaN(t) ? undefined : new Date(t).toISOString();
}

/**
 * ISO → what a `datetime-local` input shows: local `YYYY-MM-DDTHH:MM:SS` (with `.mmm` when the time
 * has milliseconds), so a time taken from the hash survives a round trip through the form.
 */
export function toLocalInput(iso: string): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  const d = new Date(t);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  const ms = d.getMilliseconds() ? `.${p(d.getMilliseconds(), 3)}` : '';
  return (
    `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}` +
    `T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}${ms}`
  );
}

export type AuditQueryResult =
  | { ok: true; query: Record<string, string> }
  | { ok: false; errors: { field: FieldName; message: string }[] };

/**
 * The records API's query for the form: empty fields dropped, ids checked, times made ISO, the
 * passthrough filters kept.
 */
export function buildAuditQuery(fields: AuditSearchFields): AuditQueryResult {
  const errors: { field: FieldName; message: string }[] = [];
  const query: Record<string, string> = {};
  const correlationId = fields.correlationId.trim().toLowerCase();
  if (correlationId) {
    if (isUuid(correlationId)) query.correlationId = correlationId;
    else errors.push({ field: 'correlationId', message: 'an intent or correlation id is a UUID' });
  }
  if (fields.agentId.trim()) query.agentId = fields.agentId.trim();
  if (fields.action.trim()) query.action = fields.action.trim();
  const verdict = fields.verdict.trim().toLowerCase();
  if (verdict) {
    if ((VERDICT_VALUES as readonly string[]).includes(verdict)) query.verdict = verdict;
    else errors.push({ field: 'verdict', message: 'allow, deny, escalate or modify' });
  }
  const type = fields.type.trim();
  if (type) query.type = EVENT_TYPES[type] ?? type;
  for (const key of ['from', 'to'] as const) {
    if (!fields[key].trim()) continue;
    const iso = toIsoTime(fields[key]);
    if (iso) query[key] = iso;
    else errors.push({ field: key, message: 'not a date and time' });
  }
  if (query.from && query.to && query.from >= query.to)
    errors.push({ field: 'to', message: '"to" must be after "from"' });
  for (const key of PASSTHROUGH_FILTERS) {
    const value = fields.extra?.[key]?.trim();
    if (!value) continue;
    if (key === 'actorKind') {
      const kind = value.toLowerCase();
      if ((ACTOR_KINDS as readonly string[]).includes(kind)) query.actorKind = kind;
      else errors.push({ field: key, message: ACTOR_KINDS.join(', ') });
    } else query[key] = value;
  }
  return errors.length ? { ok: false, errors } : { ok: true, query };
}

const KEYS: Record<string, FieldName> = {
  intent: 'correlationId',
  correlation: 'correlationId',
  correlationid: 'correlationId',
  agent: 'agentId',
  agentid: 'agentId',
  action: 'action',
  verdict: 'verdict',
  type: 'type',
  from: 'from',
  to: 'to',
  since: 'from',
  until: 'to',
  decidedby: 'decidedBy',
  actor: 'actorKind',
  actorkind: 'actorKind',
  subject: 'subject',
  tenant: 'tenantId',
  tenantid: 'tenantId',
};

function isPassthrough(key: string): key is PassthroughFilter {
  return (PASSTHROUGH_FILTERS as readonly string[]).includes(key);
}

/**
 * The quick-search box: `agent:px-1 verdict:deny pricing.set_price` or a bare intent id.
 * A bare UUID is an intent id, a bare verdict word is a verdict, a bare dotted name is an action.
 */
export function parseAuditSearch(text: string): { fields: AuditSearchFields; unknown: string[] } {
  const fields: AuditSearchFields = { ...EMPTY_AUDIT_SEARCH, extra: {} };
  const unknown: string[] = [];
  for (const token of text.trim().split(/\s+/).filter(Boolean)) {
    const colon = token.indexOf(':');
    const key = colon > 0 ? KEYS[token.slice(0, colon).toLowerCase()] : undefined;
    if (key && isPassthrough(key)) {
      fields.extra[key] = token.slice(colon + 1);
    } else if (key) {
      fields[key] = token.slice(colon + 1);
    } else if (isUuid(token)) {
      fields.correlationId = token;
    } else if ((VERDICT_VALUES as readonly string[]).includes(token.toLowerCase())) {
      fields.verdict = token.toLowerCase();
    } else if (/^[a-z0-9_]+\.[a-z0-9_.*]+$/.test(token) && !EVENT_TYPES[token]) {
      fields.action = token;
    } else if (EVENT_TYPES[token]) {
      fields.type = token;
    } else {
      unknown.push(token);
    }
  }
  return { fields, unknown };
}

/** Back from a query (the hash) to form fields, so a reload shows what was searched. */
export function fieldsFromQuery(query: Record<string, string>): AuditSearchFields {
  const shortType = Object.entries(EVENT_TYPES).find(([, full]) => full === query.type)?.[0];
  const extra: AuditSearchFields['extra'] = {};
  for (const key of PASSTHROUGH_FILTERS) if (query[key]) extra[key] = query[key];
  return {
    ...EMPTY_AUDIT_SEARCH,
    correlationId: query.correlationId ?? '',
    agentId: query.agentId ?? '',
    action: query.action ?? '',
    verdict: query.verdict ?? '',
    type: shortType ?? query.type ?? '',
    from: query.from ?? '',
    to: query.to ?? '',
    extra,
  };
}

export interface StoryRecord {
  eventId: string;
  type: string;
  eventTime: string;
  recordedAt: string;
  verdict?: string | null;
  decidedBy?: string | null;
}

/** Where each event type sits in an intent's life, to order events stamped in the same instant. */
const LIFE_ORDER = [
  'agentops.intent.proposed.v1',
  'agentops.intent.decided.v1',
  'agentops.escalation.opened.v1',
  'agentops.escalation.resolved.v1',
  'agentops.outcome.reported.v1',
  'agentops.outcome.verified.v1',
];

/** The story of one intent: its records by event time, ties in the order of an intent's life. */
export function storyOrder<T extends StoryRecord>(records: T[]): T[] {
  const rank = (t: string) => {
    const i = LIFE_ORDER.indexOf(t);
    return i < 0 ? LIFE_ORDER.length : i;
  };
  return [...records].sort(
    (a, b) =>
      Date.parse(a.eventTime) - Date.parse(b.eventTime) ||
      rank(a.type) - rank(b.type) ||
      a.recordedAt.localeCompare(b.recordedAt),
  );
}

/** One step's title: `Proposed`, `Decided: escalate (policy)`, `Decided: allow (human)`, … */
export function stepTitle(r: StoryRecord & { payload?: unknown }): string {
  const p = (r.payload ?? {}) as Record<string, unknown>;
  switch (r.type) {
    case 'agentops.intent.proposed.v1':
      return 'Proposed';
    case 'agentops.intent.decided.v1':
      return `Decided: ${r.verdict ?? p.verdict ?? '?'}${r.decidedBy ? ` (${r.decidedBy})` : ''}`;
    case 'agentops.escalation.opened.v1':
      return `Escalation opened${typeof p.route === 'string' ? ` on ${p.route}` : ''}`;
    case 'agentops.escalation.resolved.v1':
      return `Escalation resolved: ${typeof p.resolution === 'string' ? p.resolution.replace('_', ' ') : '?'}`;
    case 'agentops.outcome.reported.v1':
      return `Outcome reported${typeof p.status === 'string' ? `: ${p.status}` : ''}`;
    case 'agentops.outcome.verified.v1':
      return p.violation === true ? 'Verified: violation' : 'Verified: matches the approval';
    default:
      return r.type
        .replace(/^agentops\./, '')
        .replace(/\.v\d+$/, '')
        .replace(/[._]/g, ' ');
  }
}

export interface RecordsPage<R> {
  records: R[];
  /** The list shape's cursor of the following page (the API's deprecated `nextCursor` is the same). */
  next: string | null;
}

/**
 * Reads records page after page, following `next` from `cursor` (the start when undefined)
 * for at most `maxPages` pages. The answer's `next` is where it stopped: null when every
 * record was read, otherwise the cursor to go on from ("load more").
 */
export async function collectPages<R>(
  fetchPage: (cursor: string | undefined) => Promise<RecordsPage<R>>,
  maxPages: number,
  cursor?: string,
): Promise<RecordsPage<R>> {
  const read = await readPages(
    async (c) => {
      const page = await fetchPage(c);
      return { items: page.records, next: page.next };
    },
    maxPages,
    cursor,
  );
  return { records: read.items, next: read.next };
}
