import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateRollouts1764000000701 implements MigrationInterface {
  name = 'CreateRollouts1764000000701';

  async up(q: QueryRunner): Promise<void> {
    // One row per rollout: the document as applied, its salt, its state and its accumulators. The
    // compacted rollouts topic is a copy of (id, state, weights, salt); this row is the truth.
    await q.query(`
      CREATE TABLE rollouts (
        id              uuid PRIMARY KEY,
        tenant_id       text NOT NULL,
        key             text NOT NULL,
        document        jsonb NOT NULL,
        salt            text NOT NULL,
        status          text NOT NULL CHECK (status IN ('running', 'paused', 'rolled_back', 'promoted', 'concluded')),
        step_index      integer NOT NULL,
        step_started_at timestamptz NOT NULL,
        weights         jsonb NOT NULL,
        paused_reason   text,
        stats           jsonb NOT NULL,
        generation      integer NOT NULL,
        -- Candidates rolled back whose cohort a kill switch must halt, and the switch once flipped.
        halts           jsonb NOT NULL DEFAULT '[]',
        created_by      text NOT NULL,
        created_at      timestamptz NOT NULL,
        updated_at      timestamptz NOT NULL
      )`);
    // One live rollout per key and tenant; a finished key may be applied again (with a new salt).
    await q.query(
      `CREATE UNIQUE INDEX rollouts_live_key_idx ON rollouts (tenant_id, key) WHERE status IN ('running', 'paused')`,
    );
    await q.query(`CREATE INDEX rollouts_tenant_idx ON rollouts (tenant_id, created_at DESC)`);
    // Every transition, in order, as the event that announces it; `published_at` null until sent.
    await q.query(`
      CREATE TABLE rollout_transitions (
        seq          bigserial PRIMARY KEY,
        rollout_id   uuid NOT NULL REFERENCES rollouts (id),
        event_id     uuid NOT NULL UNIQUE,
        event        jsonb NOT NULL,
        published_at timestamptz
      )`);
    await q.query(`CREATE INDEX rollout_transitions_rollout_idx ON rollout_transitions (rollout_id, seq)`);
    await q.query(
      `CREATE INDEX rollout_transitions_unpublished_idx ON rollout_transitions (seq) WHERE published_at IS NULL`,
    );
    // The intents of a rollout: which arm and stratum each ran under, the key of every later join.
    await q.query(`
      CREATE TABLE rollout_intents (
        intent_id   uuid NOT NULL,
        rollout_id  uuid NOT NULL REFERENCES rollouts (id),
        arm         text NOT NULL,
        stratum     integer NOT NULL,
        proposed_at timestamptz NOT NULL,
        PRIMARY KEY (intent_id, rollout_id)
      )`);
    // Events already counted, per rollout: a redelivered event is never counted twice.
    await q.query(`
      CREATE TABLE rollout_counted_events (
        event_id   uuid NOT NULL,
        rollout_id uuid NOT NULL,
        PRIMARY KEY (event_id, rollout_id)
      )`);
    // Facts that arrived before their intent (topics are not ordered with each other).
    await q.query(`
      CREATE TABLE rollout_pending_facts (
        event_id    uuid PRIMARY KEY,
        intent_id   uuid NOT NULL,
        event       jsonb NOT NULL,
        received_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX rollout_pending_facts_intent_idx ON rollout_pending_facts (intent_id)`);
    await q.query(`CREATE INDEX rollout_pending_facts_age_idx ON rollout_pending_facts (received_at)`);
    // Which unit paths the tenant's intents carry, so a rollout naming a path no intent has is refused.
    await q.query(`
      CREATE TABLE rollout_unit_paths (
        tenant_id text NOT NULL,
        path      text NOT NULL,
        last_seen timestamptz NOT NULL,
        PRIMARY KEY (tenant_id, path)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE rollout_unit_paths`);
    await q.query(`DROP TABLE rollout_pending_facts`);
    await q.query(`DROP TABLE rollout_counted_events`);
    await q.query(`DROP TABLE rollout_intents`);
    await q.query(`DROP TABLE rollout_transitions`);
    await q.query(`DROP TABLE rollouts`);
  }
}
