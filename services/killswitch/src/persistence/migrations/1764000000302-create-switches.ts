import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateSwitches1764000000302 implements MigrationInterface {
  name = 'CreateSwitches1764000000302';

  async up(q: QueryRunner): Promise<void> {
    // The source of truth for switches; the compacted topic and Redis are copies of it.
    await q.query(`
      CREATE TABLE switches (
        id             uuid PRIMARY KEY,
        tenant_id      text,
        selector       jsonb NOT NULL,
        state          text NOT NULL CHECK (state IN ('active', 'released')),
        actor          text NOT NULL,
        reason         text NOT NULL,
        ticket         text,
        expires_at     timestamptz,
        flipped_at     timestamptz NOT NULL,
        released_at    timestamptz,
        released_by    text,
        release_reason text,
        last_event     jsonb NOT NULL
      )`);
    await q.query(`CREATE INDEX switches_active_idx ON switches (state, expires_at)`);
    await q.query(`CREATE INDEX switches_tenant_idx ON switches (tenant_id, flipped_at DESC)`);
    // Every change, in order: the API's history (audit holds the same events, chained).
    await q.query(`
      CREATE TABLE switch_history (
        seq        bigserial PRIMARY KEY,
        switch_id  uuid NOT NULL REFERENCES switches (id),
        tenant_id  text,
        event_id   uuid NOT NULL UNIQUE,
        state      text NOT NULL,
        actor      text NOT NULL,
        reason     text NOT NULL,
        at         timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX switch_history_switch_idx ON switch_history (switch_id, seq)`);
    // Agents learnt from the intents they propose, to tell operators how many a switch covers.
    await q.query(`
      CREATE TABLE known_agents (
        agent_id   text PRIMARY KEY,
        tenant_id  text NOT NULL,
        role       text NOT NULL,
        version    text NOT NULL,
        region     text NOT NULL,
        last_seen  timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX known_agents_tenant_idx ON known_agents (tenant_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE known_agents`);
    await q.query(`DROP TABLE switch_history`);
    await q.query(`DROP TABLE switches`);
  }
}
