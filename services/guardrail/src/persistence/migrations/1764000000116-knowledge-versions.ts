import { MigrationInterface, QueryRunner } from 'typeorm';

export class KnowledgeVersions1764000000116 implements MigrationInterface {
  name = 'KnowledgeVersions1764000000116';

  async up(q: QueryRunner): Promise<void> {
    // Every accepted knowledge import per tenant, never updated: version N is the document as
    // imported, with its diff against N-1. The highest version of a tenant is the active one.
    await q.query(`
      CREATE TABLE knowledge_versions (
        tenant_id    text NOT NULL,
        kb_version   integer NOT NULL CHECK (kb_version > 0),
        document     jsonb NOT NULL,
        diff         jsonb NOT NULL,
        summary      text NOT NULL,
        format       text NOT NULL,
        products     integer NOT NULL,
        imported_by  text NOT NULL,
        imported_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
        PRIMARY KEY (tenant_id, kb_version)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE knowledge_versions`);
  }
}
