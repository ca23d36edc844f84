import { EventEnvelope, IntentDecidedV1, IntentProposedV1 } from '@agentops/contracts';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

export type StoredDecision = EventEnvelope<IntentDecidedV1>;

/** A decision to store, with the intent as decided (outcomes are verified against it). */
export interface DecisionToStore {
  event: StoredDecision;
  intent: IntentProposedV1;
}

/** What is on record for an intent after `saveFirst`: ours, or the one stored before it. */
export interface RecordedDecision {
  event: StoredDecision;
  /** True when this call stored it; false when the intent already had a decision. */
  inserted: boolean;
}

/**
 * The guardrail's decisions, one per intent id (the primary key): what makes a redelivered intent
 * get the very same decision event again.
 */
export abstract class DecisionRepository {
  /** The stored decisions of these intents (absent: none yet). One round trip. */
  abstract findByIntents(intentIds: string[]): Promise<Map<string, StoredDecision>>;
  /**
   * Stores each decision unless its intent already has one, and returns, in the same order, the
   * decision now on record for each. One round trip, two when another delivery stored some first.
   * Intent ids must be distinct.
   */
  abstract saveFirst(decisions: DecisionToStore[]): Promise<RecordedDecision[]>;
}

const COLUMNS = [
  'intent_id',
  'event_id',
  'tenant_id',
  'agent_id',
  'verdict',
  'decided_by',
  'event',
  'intent',
  'decided_at',
] as const;

/** PostgreSQL (`decisions` of the guardrail schema): one multi-row INSERT per batch. */
@Injectable()
export class PostgresDecisionRepository extends DecisionRepository {
  constructor(private readonly dataSource: DataSource) {
    super();
  }

  async findByIntents(intentIds: string[]): Promise<Map<string, StoredDecision>> {
    const found = new Map<string, StoredDecision>();
    if (intentIds.length === 0) return found;
    const rows = (await this.dataSource.query(
      `SELECT intent_id, event FROM decisions WHERE intent_id = ANY($1::uuid[])`,
      [intentIds],
    )) as { intent_id: string; event: StoredDecision }[];
    for (const row of rows) found.set(row.intent_id, row.event);
    return found;
  }

  async saveFirst(decisions: DecisionToStore[]): Promise<RecordedDecision[]> {
    if (decisions.length === 0) return [];
    const params: unknown[] = [];
    const tuples = decisions.map(({ event, intent }) => {
      const base = params.length;
      params.push(
        event.data.intentId,
        event.id,
        event.tenantid,
        event.data.agentId,
        event.data.verdict,
        event.data.decidedBy,
        JSON.stringify(event),
        JSON.stringify(intent),
        event.data.decidedAt,
      );
      return `(${COLUMNS.map((c, i) => `$${base + i + 1}${c === 'event' || c === 'intent' ? '::jsonb' : ''}`).join(', ')})`;
    });
    const inserted = (await this.dataSource.query(
      `INSERT INTO decisions (${COLUMNS.join(', ')}) VALUES ${tuples.join(', ')}
       ON CONFLICT (intent_id) DO NOTHING RETURNING intent_id`,
      params,
    )) as { intent_id: string }[];
    const ours = new Set(inserted.map((r) => r.intent_id));
    const missing = decisions.map((d) => d.event.data.intentId).filter((id) => !ours.has(id));
    const existing = await this.findByIntents(missing);
    return decisions.map(({ event }) => {
      const id = event.data.intentId;
      if (ours.has(id)) return { event, inserted: true };
      const stored = existing.get(id);
      if (!stored) throw new Error(`decision for ${id} neither inserted nor found`);
      return { event: stored, inserted: false };
    });
  }
}
