/**
 * Audit explorer logic: the search form and the quick-search box become the records API's query;
 * one intent's records become its story in order. Pure, unit-tested.
 */

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

/** The search form as typed; `from`/`to` as an `<input type="datetime-local">` gives them, or ISO. */
export interface AuditSearchFields {
  correlationId: string;
  agentId: string;
  action: string;
  verdict: string;
  type: string;
  from: string;
  to: string;
}

export const EMPTY_AUDIT_SEARCH: AuditSearchFields = {
  correlationId: '',
  agentId: '',
  action: '',
  verdict: '',
  type: '',
  from: '',
  to: '',
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(s: string): boolean {
  return UUID.test(s.trim());
}

/** A local `datetime-local` value (no zone) or an ISO time → ISO UTC; undefined if unparseable. */
export function toIsoTime(value: string): string | undefined {
  const v = value.trim();
  if (!v) return undefined;
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : new Date(t).toISOString();
}

export type AuditQueryResult =
  | { ok: true; query: Record<string, string> }
  | { ok: false; errors: { field: keyof AuditSearchFields; message: string }[] };

/** The records API's query for the form: empty fields dropped, ids checked, times made ISO. */
export function buildAuditQuery(fields: AuditSearchFields): AuditQueryResult {
  const errors: { field: keyof AuditSearchFields; message: string }[] = [];
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
  return errors.length ? { ok: false, errors } : { ok: true, query };
}

const KEYS: Record<string, keyof AuditSearchFields> = {
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
};

/**
 * The quick-search box: `agent:px-1 verdict:deny pricing.set_price` or a bare intent id.
 * A bare UUID is an intent id, a bare verdict word is a verdict, a bare dotted name is an action.
 */
export function parseAuditSearch(text: string): { fields: AuditSearchFields; unknown: string[] } {
  const fields = { ...EMPTY_AUDIT_SEARCH };
  const unknown: string[] = [];
  for (const token of text.trim().split(/\s+/).filter(Boolean)) {
    const colon = token.indexOf(':');
    const key = colon > 0 ? KEYS[token.slice(0, colon).toLowerCase()] : undefined;
    if (key) {
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
  return {
    ...EMPTY_AUDIT_SEARCH,
    correlationId: query.correlationId ?? '',
    agentId: query.agentId ?? '',
    action: query.action ?? '',
    verdict: query.verdict ?? '',
    type: shortType ?? query.type ?? '',
    from: query.from ?? '',
    to: query.to ?? '',
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
