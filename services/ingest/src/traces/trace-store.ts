import { Attributes, IntakeSpan, UsageRow } from '@agentops/genai';
import { Keyset, Page, PageRequest } from '@agentops/service-runtime';
import { Injectable } from '@nestjs/common';
import { z } from 'zod';
import { DataSource } from 'typeorm';

/** Whose a trace is: spans of any other agent are refused in it. */
export interface TraceOwner {
  traceId: string;
  tenantId: string;
  agentId: string;
  intentId: string | null;
}

/** A span to store: an agent's (intake) or the platform's own (a decision). */
export interface SpanToStore {
  tenantId: string;
  /** `agent` (OTLP intake) or the platform service that made it, e.g. `guardrail`. */
  source: string;
  agentId: string | null;
  /** The sending agent's registered version (cost per version). */
  agentVersion?: string | null;
  span: Omit<IntakeSpan, 'redactions' | 'contentDropped'>;
}

/** A stored span as the console reads it. */
export interface StoredSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
  source: string;
  agentId: string | null;
  intentId: string | null;
  name: string;
  kind: string;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  status: { code: string; message: string | null };
  operation: string | null;
  provider: string | null;
  model: string | null;
  usage: {
    inputTokens: number | null;
    outputTokens: number | null;
    cachedInputTokens: number | null;
    cacheCreationInputTokens: number | null;
    reasoningTokens: number | null;
  };
  attributes: Attributes;
  events: IntakeSpan['events'];
  resource: Attributes;
  scope: IntakeSpan['scope'];
}

/** The embedded trace store in ingest's schema; the only place that speaks SQL about traces. */
export abstract class TraceStore {
  /**
   * Claims each trace for the agent where nobody owns it yet, and returns every trace's owner
   * (the agent's own claims included).
   */
  abstract claim(tenantId: string, agentId: string, traceIds: string[]): Promise<Map<string, TraceOwner>>;
  /** The tenant each known trace belongs to (its owner's); unknown traces are absent. */
  abstract tenantsOf(traceIds: string[]): Promise<Map<string, string>>;
  /**
   * A decision's trace: the trace belongs to the intent's agent, whoever claimed it by sending spans
   * first, and the decision's span is saved as `save` would — in one statement (one round trip per
   * decision on the decisions-record group's path).
   */
  abstract recordDecisionTrace(owner: TraceOwner, span: SpanToStore): Promise<void>;
  /** Stores spans; a span already stored (same tenant, trace, span id) is kept as it was. */
  abstract save(spans: SpanToStore[]): Promise<number>;
  /** A trace's spans, oldest first (null tenant: every tenant's, for the operator). */
  abstract spansOf(tenantId: string | null, traceId: string): Promise<StoredSpan[]>;
  /** A page of the traces that carry an intent (its owner row, and any span that names it), by id. */
  abstract tracesOfIntent(
    tenantId: string | null,
    intentId: string,
    page: PageRequest,
  ): Promise<Page<string>>;
  /** Deletes spans received before `before`, then the oldest past `maxSpans`; returns how many. */
  abstract prune(before: Date, maxSpans: number): Promise<number>;
  /**
   * Token sums of agents' spans with usage, per group and model, for a page of groups (by group
   * key): a group's rows are never split across pages, so its cost is whole on the page that shows it.
   */
  abstract usageBy(
    tenantId: string | null,
    groupBy: CostGrouping,
    page: PageRequest,
  ): Promise<Page<UsageRow>>;
}

/** An intent's traces by trace id. */
export const TRACES_KEYSET = new Keyset(z.tuple([z.string().regex(/^[0-9a-f]{32}$/)]));
/** Cost groups by group key (an agent id, `agent@version`, a cohort, an intent id or `none`). */
export const COST_GROUPS_KEYSET = new Keyset(z.tuple([z.string().min(1).max(500)]));

export const COST_GROUPINGS = ['agent', 'version', 'cohort', 'intent'] as const;
export type CostGrouping = (typeof COST_GROUPINGS)[number];

/** The group key of a span; an intent is the span's own attribute, else its trace's intent. */
const GROUP_KEY: Record<CostGrouping, string> = {
  agent: `s.agent_id`,
  version: `s.agent_id || '@' || coalesce(s.agent_version, 'unknown')`,
  // The cohort selectors' fields besides the agent and its version: the registered role and region.
  cohort: `coalesce(a.role || '/' || a.region, 'unknown')`,
  intent: `coalesce(s.intent_id, o.intent_id)::text`,
};

const SPAN_COLUMNS = `trace_id AS "traceId", span_id AS "spanId", parent_span_id AS "parentSpanId", source,
  agent_id AS "agentId", intent_id AS "intentId", name, kind, start_ns::text AS "start", end_ns::text AS "end",
  status_code AS "statusCode", status_message AS "statusMessage", operation, provider, model,
  input_tokens AS "inputTokens", output_tokens AS "outputTokens", cached_input_tokens AS "cachedInputTokens",
  cache_creation_input_tokens AS "cacheCreationInputTokens", reasoning_tokens AS "reasoningTokens",
  attributes, events, resource, scope`;

/** A row as SPAN_COLUMNS names it: the stored span with its times, status and usage flat. */
type SpanRow = Omit<StoredSpan, 'startTimeUnixNano' | 'endTimeUnixNano' | 'status' | 'usage'> &
  StoredSpan['usage'] & { start: string; end: string; statusCode: string; statusMessage: string | null };

/** An intent's trace to its agent ($1 trace, $2 tenant, $3 agent, $4 intent), unless an intent has it. */
const OWNER_UPSERT = `INSERT INTO trace_owners (trace_id, tenant_id, agent_id, intent_id) VALUES ($1, $2, $3, $4)
  ON CONFLICT (trace_id) DO UPDATE SET tenant_id = $2, agent_id = $3, intent_id = $4
  WHERE trace_owners.intent_id IS NULL`;

const SPAN_INSERT_COLUMNS = `tenant_id, trace_id, span_id, parent_span_id, source, agent_id, agent_version, intent_id, name, kind,
  start_ns, end_ns, status_code, status_message, operation, provider, model, input_tokens, output_tokens,
  cached_input_tokens, cache_creation_input_tokens, reasoning_tokens, attributes, events, resource, scope`;

/** One span's values, in SPAN_INSERT_COLUMNS order. */
function spanValues({ tenantId, source, agentId, agentVersion, span }: SpanToStore): unknown[] {
  const u = span.genAi.usage;
  return [
    tenantId,
    span.traceId,
    span.spanId,
    span.parentSpanId ?? null,
    source,
    agentId,
    agentVersion ?? null,
    span.intentId ?? null,
    span.name,
    span.kind,
    span.startTimeUnixNano,
    span.endTimeUnixNano,
    span.status.code,
    span.status.message ?? null,
    span.genAi.operation ?? null,
    span.genAi.provider ?? null,
    span.genAi.model ?? null,
    u.inputTokens ?? null,
    u.outputTokens ?? null,
    u.cachedInputTokens ?? null,
    u.cacheCreationInputTokens ?? null,
    u.reasoningTokens ?? null,
    JSON.stringify(span.attributes),
    JSON.stringify(span.events),
    JSON.stringify(span.resource),
    JSON.stringify(span.scope),
  ];
}

/** Rows per INSERT: 26 parameters each, under PostgreSQL's 65,535. */
const INSERT_CHUNK = 1000;

@Injectable()
export class PostgresTraceStore extends TraceStore {
  constructor(private readonly dataSource: DataSource) {
    super();
  }

  async claim(tenantId: string, agentId: string, traceIds: string[]): Promise<Map<string, TraceOwner>> {
    if (!traceIds.length) return new Map();
    await this.dataSource.query(
      `INSERT INTO trace_owners (trace_id, tenant_id, agent_id)
       SELECT t, $2, $3 FROM unnest($1::text[]) AS t ON CONFLICT (trace_id) DO NOTHING`,
      [traceIds, tenantId, agentId],
    );
    const rows: TraceOwner[] = await this.dataSource.query(
      `SELECT trace_id AS "traceId", tenant_id AS "tenantId", agent_id AS "agentId", intent_id AS "intentId"
       FROM trace_owners WHERE trace_id = ANY($1::text[])`,
      [traceIds],
    );
    return new Map(rows.map((r) => [r.traceId, r]));
  }

  async tenantsOf(traceIds: string[]): Promise<Map<string, string>> {
    if (!traceIds.length) return new Map();
    const rows: { traceId: string; tenantId: string }[] = await this.dataSource.query(
      `SELECT trace_id AS "traceId", tenant_id AS "tenantId" FROM trace_owners WHERE trace_id = ANY($1::text[])`,
      [traceIds],
    );
    return new Map(rows.map((r) => [r.traceId, r.tenantId]));
  }

  async recordDecisionTrace(owner: TraceOwner, span: SpanToStore): Promise<void> {
    const values = spanValues(span);
    const base = 4;
    await this.dataSource.query(
      `WITH owner AS (${OWNER_UPSERT})
       INSERT INTO trace_spans (${SPAN_INSERT_COLUMNS})
       VALUES (${values.map((_, k) => `$${base + k + 1}`).join(', ')})
       ON CONFLICT (tenant_id, trace_id, span_id) DO NOTHING`,
      [owner.traceId, owner.tenantId, owner.agentId, owner.intentId, ...values],
    );
  }

  async save(spans: SpanToStore[]): Promise<number> {
    let inserted = 0;
    for (let i = 0; i < spans.length; i += INSERT_CHUNK) {
      const chunk = spans.slice(i, i + INSERT_CHUNK);
      const params: unknown[] = [];
      const rows = chunk.map((stored) => {
        const values = spanValues(stored);
        const base = params.length;
        params.push(...values);
        return `(${values.map((_, k) => `$${base + k + 1}`).join(', ')})`;
      });
      const result: unknown[] = await this.dataSource.query(
        `INSERT INTO trace_spans (${SPAN_INSERT_COLUMNS})
         VALUES ${rows.join(', ')}
         ON CONFLICT (tenant_id, trace_id, span_id) DO NOTHING
         RETURNING span_id`,
        params,
      );
      inserted += result.length;
    }
    return inserted;
  }

  async spansOf(tenantId: string | null, traceId: string): Promise<StoredSpan[]> {
    const rows: SpanRow[] = await this.dataSource.query(
      `SELECT ${SPAN_COLUMNS} FROM trace_spans
       WHERE trace_id = $1 AND ($2::text IS NULL OR tenant_id = $2)
       ORDER BY start_ns, span_id LIMIT 10000`,
      [traceId, tenantId],
    );
    return rows.map(toStored);
  }

  async tracesOfIntent(tenantId: string | null, intentId: string, page: PageRequest): Promise<Page<string>> {
    const after = TRACES_KEYSET.after(page)?.[0] ?? null;
    const rows: { traceId: string }[] = await this.dataSource.query(
      `SELECT "traceId" FROM (
         SELECT trace_id AS "traceId" FROM trace_owners WHERE intent_id = $1 AND ($2::text IS NULL OR tenant_id = $2)
         UNION
         SELECT trace_id FROM trace_spans WHERE intent_id = $1 AND ($2::text IS NULL OR tenant_id = $2)
       ) t WHERE $3::text IS NULL OR "traceId" COLLATE "C" > $3
       ORDER BY "traceId" COLLATE "C" LIMIT $4`,
      [intentId, tenantId, after, page.limit + 1],
    );
    return TRACES_KEYSET.page(
      rows.map((r) => r.traceId),
      page.limit,
      (id) => [id],
    );
  }

  async prune(before: Date, maxSpans: number): Promise<number> {
    const [, aged] = (await this.dataSource.query(`DELETE FROM trace_spans WHERE received_at < $1`, [
      before,
    ])) as [unknown, number];
    const [, over] = (await this.dataSource.query(
      `DELETE FROM trace_spans WHERE ctid IN (
         SELECT ctid FROM trace_spans ORDER BY received_at DESC OFFSET $1)`,
      [maxSpans],
    )) as [unknown, number];
    await this.dataSource.query(
      `DELETE FROM trace_owners o WHERE o.claimed_at < $1
         AND NOT EXISTS (SELECT 1 FROM trace_spans s WHERE s.trace_id = o.trace_id)`,
      [before],
    );
    return aged + over;
  }

  async usageBy(tenantId: string | null, groupBy: CostGrouping, page: PageRequest): Promise<Page<UsageRow>> {
    const after = COST_GROUPS_KEYSET.after(page)?.[0] ?? null;
    const key = `coalesce(${GROUP_KEY[groupBy]}, 'none') COLLATE "C"`;
    // Ranks the groups after the cursor so that `limit + 1` whole groups come back, all their models.
    const rows: Record<string, unknown>[] = await this.dataSource.query(
      `SELECT * FROM (
       SELECT ${key} AS "group", s.model, count(*)::int AS calls,
         coalesce(sum(s.input_tokens), 0)::float8 AS "inputTokens",
         coalesce(sum(s.output_tokens), 0)::float8 AS "outputTokens",
         coalesce(sum(s.cached_input_tokens), 0)::float8 AS "cachedInputTokens",
         coalesce(sum(s.cache_creation_input_tokens), 0)::float8 AS "cacheCreationInputTokens",
         coalesce(sum(s.reasoning_tokens), 0)::float8 AS "reasoningTokens",
         dense_rank() OVER (ORDER BY ${key}) AS rank
       FROM trace_spans s LEFT JOIN trace_owners o ON o.trace_id = s.trace_id
         LEFT JOIN agents a ON a.id = s.agent_id AND a.tenant_id = s.tenant_id
       WHERE s.source = 'agent' AND ($1::text IS NULL OR s.tenant_id = $1)
         AND coalesce(s.input_tokens, s.output_tokens, s.cached_input_tokens, s.cache_creation_input_tokens,
                      s.reasoning_tokens) IS NOT NULL
         AND ($2::text IS NULL OR ${key} > $2)
       GROUP BY 1, 2
       ) g WHERE g.rank <= $3 ORDER BY "group", model`,
      [tenantId, after, page.limit + 1],
    );
    const usage = rows.map(toStoredUsage);
    const groups = [...new Set(usage.map((r) => r.group))];
    const shown = new Set(groups.slice(0, page.limit));
    const last = groups[Math.min(groups.length, page.limit) - 1];
    return {
      items: usage.filter((r) => shown.has(r.group)),
      next: groups.length > page.limit && last !== undefined ? COST_GROUPS_KEYSET.encode([last]) : null,
    };
  }
}

function toStoredUsage(r: Record<string, unknown>): UsageRow {
  const n = (k: string) => Number(r[k] ?? 0);
  return {
    group: String(r['group'] ?? 'none'),
    model: (r['model'] as string | null) ?? null,
    calls: n('calls'),
    inputTokens: n('inputTokens'),
    outputTokens: n('outputTokens'),
    cachedInputTokens: n('cachedInputTokens'),
    cacheCreationInputTokens: n('cacheCreationInputTokens'),
    reasoningTokens: n('reasoningTokens'),
  };
}

function toStored(r: SpanRow): StoredSpan {
  return {
    traceId: r.traceId,
    spanId: r.spanId,
    parentSpanId: r.parentSpanId,
    source: r.source,
    agentId: r.agentId,
    intentId: r.intentId,
    name: r.name,
    kind: r.kind,
    startTimeUnixNano: r.start,
    endTimeUnixNano: r.end,
    status: { code: r.statusCode, message: r.statusMessage },
    operation: r.operation,
    provider: r.provider,
    model: r.model,
    usage: {
      inputTokens: r.inputTokens,
      outputTokens: r.outputTokens,
      cachedInputTokens: r.cachedInputTokens,
      cacheCreationInputTokens: r.cacheCreationInputTokens,
      reasoningTokens: r.reasoningTokens,
    },
    attributes: r.attributes,
    events: r.events,
    resource: r.resource,
    scope: r.scope,
  };
}
