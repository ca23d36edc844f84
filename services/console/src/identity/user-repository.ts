import { HumanRole, Keyset, Page, PageRequest } from '@agentops/service-runtime';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { z } from 'zod';

export interface ConsoleUser {
  id: string;
  tenantId: string;
  displayName: string;
  roles: HumanRole[];
  /** Reviewer groups (escalation routes name the group that may decide a task). */
  groups: string[];
  disabled: boolean;
  /** Rises on every change of access; tokens signed with a lower epoch are revoked. */
  tokenEpoch: number;
  createdAt: string;
  lastLoginAt: string | null;
}

interface UserRow {
  id: string;
  tenant_id: string;
  display_name: string;
  roles: HumanRole[];
  groups: string[];
  token_epoch: number;
  password_hash: string;
  disabled_at: Date | null;
  created_at: Date;
  last_login_at: Date | null;
}

const toUser = (r: UserRow): ConsoleUser => ({
  id: r.id,
  tenantId: r.tenant_id,
  displayName: r.display_name,
  roles: r.roles,
  groups: r.groups,
  disabled: r.disabled_at !== null,
  tokenEpoch: r.token_epoch,
  createdAt: r.created_at.toISOString(),
  lastLoginAt: r.last_login_at?.toISOString() ?? null,
});

/** Users by tenant, then id. */
export const USERS_KEYSET = new Keyset(z.tuple([z.string().max(200), z.string().max(200)]));

/** The console's users (schema `console`); the only place password hashes are read. */
@Injectable()
export class UserRepository {
  constructor(private readonly db: DataSource) {}

  async findWithHash(id: string): Promise<{ user: ConsoleUser; passwordHash: string } | null> {
    const [row] = (await this.db.query(`SELECT * FROM users WHERE id = $1`, [id])) as UserRow[];
    return row ? { user: toUser(row), passwordHash: row.password_hash } : null;
  }

  async list(tenantId: string | undefined, page: PageRequest): Promise<Page<ConsoleUser>> {
    const after = USERS_KEYSET.after(page);
    const rows = (await this.db.query(
      `SELECT * FROM users WHERE ($1::text IS NULL OR tenant_id = $1)
         AND ($2::text IS NULL OR (tenant_id, id) > ($2::text, $3::text))
       ORDER BY tenant_id, id LIMIT $4`,
      [tenantId ?? null, after?.[0] ?? null, after?.[1] ?? null, page.limit + 1],
    )) as UserRow[];
    return USERS_KEYSET.page(rows.map(toUser), page.limit, (u) => [u.tenantId, u.id]);
  }

  /** Inserts; false when the id is taken. */
  async create(
    user: {
      id: string;
      tenantId: string;
      displayName: string;
      roles: HumanRole[];
      groups: string[];
      passwordHash: string;
    },
    createdBy: string,
  ): Promise<boolean> {
    const rows = (await this.db.query(
      `INSERT INTO users (id, tenant_id, display_name, roles, groups, password_hash, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO NOTHING RETURNING id`,
      [user.id, user.tenantId, user.displayName, user.roles, user.groups, user.passwordHash, createdBy],
    )) as unknown[];
    return rows.length === 1;
  }

  /**
   * Applies a change; one that touches access (roles, groups, password, disabled) raises the
   * token epoch in the same statement, and the new epoch is returned so it can be announced.
   */
  async update(
    id: string,
    change: {
      roles?: HumanRole[];
      groups?: string[];
      passwordHash?: string;
      disabled?: boolean;
      displayName?: string;
    },
  ): Promise<{ tokenEpoch: number; accessChanged: boolean }> {
    const accessChanged =
      change.roles !== undefined ||
      change.groups !== undefined ||
      change.passwordHash !== undefined ||
      change.disabled !== undefined;
    const result = (await this.db.query(
      `UPDATE users SET
         roles = COALESCE($2, roles),
         password_hash = COALESCE($3, password_hash),
         disabled_at = CASE WHEN $4::boolean IS NULL THEN disabled_at WHEN $4 THEN COALESCE(disabled_at, now()) ELSE NULL END,
         display_name = COALESCE($5, display_name),
         groups = COALESCE($6, groups),
         token_epoch = token_epoch + CASE WHEN $7 THEN 1 ELSE 0 END,
         updated_at = now()
       WHERE id = $1
       RETURNING token_epoch`,
      [
        id,
        change.roles ?? null,
        change.passwordHash ?? null,
        change.disabled ?? null,
        change.displayName ?? null,
        change.groups ?? null,
        accessChanged,
      ],
    )) as unknown[];
    // The postgres driver answers an UPDATE … RETURNING with [rows, affected].
    const rows = (Array.isArray(result[0]) ? result[0] : result) as { token_epoch: number }[];
    return { tokenEpoch: rows[0]?.token_epoch ?? 0, accessChanged };
  }

  /** Users whose tokens have ever been revoked, with their epoch (for the Redis resync). */
  async tokenEpochs(): Promise<{ userId: string; epoch: number }[]> {
    const rows = (await this.db.query(`SELECT id, token_epoch FROM users WHERE token_epoch > 0`)) as {
      id: string;
      token_epoch: number;
    }[];
    return rows.map((r) => ({ userId: r.id, epoch: r.token_epoch }));
  }

  async recordLogin(id: string): Promise<void> {
    await this.db.query(`UPDATE users SET last_login_at = now() WHERE id = $1`, [id]);
  }
}
