import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateUsers1764000000601 implements MigrationInterface {
  name = 'CreateUsers1764000000601';

  async up(q: QueryRunner): Promise<void> {
    // Humans who sign in to the console and CLI. Passwords are scrypt hashes, never clear text.
    await q.query(`
      CREATE TABLE users (
        id             text PRIMARY KEY,
        tenant_id      text NOT NULL,
        display_name   text NOT NULL,
        roles          text[] NOT NULL,
        password_hash  text NOT NULL,
        disabled_at    timestamptz,
        created_by     text NOT NULL,
        created_at     timestamptz NOT NULL DEFAULT now(),
        updated_at     timestamptz NOT NULL DEFAULT now(),
        last_login_at  timestamptz
      )`);
    await q.query(`CREATE INDEX users_tenant ON users (tenant_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE users`);
  }
}
