import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The embedded trace store (docs/observability.md § Trace store): agents' OTLP spans and the
 * platform's decision spans, per tenant, pruned by age and count. `trace_owners` says whose a trace
 * is — the agent whose intent it carries, or the first agent that sent spans in it — so no agent
 * can write spans into another's trace.
 */
export class TraceStore1764000000004 implements MigrationInterface {
  name = 'TraceStore1764000000004';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE trace_owners (
        trace_id char(32) PRIMARY KEY,
        tenant_id text NOT NULL,
        agent_id text NOT NULL,
        intent_id uuid,
        claimed_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(
      `CREATE INDEX trace_owners_intent ON trace_owners (tenant_id, intent_id) WHERE intent_id IS NOT NULL`,
    );
    await q.query(`CREATE INDEX trace_owners_claimed ON trace_owners (claimed_at)`);
    await q.query(`
      CREATE TABLE trace_spans (
        tenant_id text NOT NULL,
        trace_id char(32) NOT NULL,
        span_id char(16) NOT NULL,
        parent_span_id char(16),
        source text NOT NULL,
        agent_id text,
        agent_version text,
        intent_id uuid,
        name text NOT NULL,
        kind text NOT NULL,
        start_ns bigint NOT NULL,
        end_ns bigint NOT NULL,
        status_code text NOT NULL,
        status_message text,
        operation text,
        provider text,
        model text,
        input_tokens integer,
        output_tokens integer,
        cached_input_tokens integer,
        cache_creation_input_tokens integer,
        reasoning_tokens integer,
        attributes jsonb NOT NULL,
        events jsonb NOT NULL,
        resource jsonb NOT NULL,
        scope jsonb NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, trace_id, span_id)
      )`);
    await q.query(
      `CREATE INDEX trace_spans_intent ON trace_spans (tenant_id, intent_id) WHERE intent_id IS NOT NULL`,
    );
    await q.query(`CREATE INDEX trace_spans_received ON trace_spans (received_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE trace_spans`);
    await q.query(`DROP TABLE trace_owners`);
  }
}
