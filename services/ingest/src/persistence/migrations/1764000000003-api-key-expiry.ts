import { MigrationInterface, QueryRunner } from 'typeorm';

export class ApiKeyExpiry1764000000003 implements MigrationInterface {
  name = 'ApiKeyExpiry1764000000003';

  async up(q: QueryRunner): Promise<void> {
    // A key rotated with a grace period keeps working until expires_at; NULL = no expiry.
    await q.query(`ALTER TABLE api_keys ADD COLUMN expires_at timestamptz`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE api_keys DROP COLUMN expires_at`);
  }
}
