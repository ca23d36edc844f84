import { MigrationInterface, QueryRunner } from 'typeorm';

export class UserGroupsAndTokenEpochs1764000000603 implements MigrationInterface {
  name = 'UserGroupsAndTokenEpochs1764000000603';

  async up(q: QueryRunner): Promise<void> {
    // Reviewer groups travel in the token (escalation routes name the group that may decide).
    // token_epoch rises on every change of a user's access; tokens signed with a lower one are
    // refused at every service (through Redis), so disabling a user takes effect at once.
    await q.query(`
      ALTER TABLE users
        ADD COLUMN groups      text[]  NOT NULL DEFAULT '{}',
        ADD COLUMN token_epoch integer NOT NULL DEFAULT 0`);
    // Every break-glass operator token taken on the console host: who, why, until when.
    await q.query(`
      CREATE TABLE break_glass_tokens (
        token_id    uuid PRIMARY KEY,
        reason      text NOT NULL,
        issued_by   text NOT NULL,
        issued_at   timestamptz NOT NULL DEFAULT now(),
        expires_at  timestamptz NOT NULL,
        revoked_at  timestamptz
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE break_glass_tokens`);
    await q.query(`ALTER TABLE users DROP COLUMN groups, DROP COLUMN token_epoch`);
  }
}
