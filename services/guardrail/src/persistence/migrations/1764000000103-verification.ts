import { MigrationInterface, QueryRunner } from 'typeorm';

export class Verification1764000000103 implements MigrationInterface {
  name = 'Verification1764000000103';

  async up(q: QueryRunner): Promise<void> {
    // Decisions made elsewhere (humans, ingest's fail-closed timeouts, kill switches) that an
    // outcome must be verified against; guardrail's own decisions live in `decisions`.
    await q.query(`
      CREATE TABLE external_decisions (
        intent_id   uuid PRIMARY KEY,
        verdict     text NOT NULL,
        decided_by  text NOT NULL,
        decision    jsonb NOT NULL,
        decided_at  timestamptz NOT NULL
      )`);
    // One verification per outcome: redelivery republishes the stored result.
    await q.query(`
      CREATE TABLE verifications (
        outcome_id  uuid PRIMARY KEY,
        intent_id   uuid NOT NULL,
        violation   boolean NOT NULL,
        event       jsonb NOT NULL,
        verified_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE verifications`);
    await q.query(`DROP TABLE external_decisions`);
  }
}
