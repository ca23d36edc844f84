import { HumanRole } from '@agentops/service-runtime';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

export interface ConsoleUser {
  id: string;
  tenantId: string;
  displayName: string;
  roles: HumanRole[];
  disabled: boolean;
  createdAt: string;
  lastLoginAt: string | null;
}

interface UserRow {
  id: string;
  tenant_id: string;
  display_name: string;
  roles: HumanRole[];
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
  disabled: r.disabled_at !== null,
  createdAt: r.created_at.toISOString(),
  lastLoginAt: r.last_login_at?.toISOString() ?? null,
});

/** The console's users (schema `console`); the only place password hashes are read. */
@Injectable()
export class UserRepository {
  constructor(private readonly db: DataSource) {}

  async findWithHash(id: string): Promise<{ user: ConsoleUser; passwordHash: string } | null> {
    const [row] = (await this.db.query(`SELECT * FROM users WHERE id = $1`, [id])) as UserRow[];
    return row ? { user: toUser(row), passwordHash: row.password_hash } : null;
  }

  async list(tenantId?: string): Promise<ConsoleUser[]> {
    const rows = (await this.db.query(
      `SELECT * FROM users WHERE ($1::text IS NULL OR tenant_id = $1) ORDER BY tenant_id, id`,
      [tenantId ?? null],
    )) as UserRow[];
    return rows.map(toUser);
  }

  /** Inserts; false when the id is taken. */
  async create(
    user: { id: string; tenantId: string; displayName: string; roles: HumanRole[]; passwordHash: string },
    createdBy: string,
  ): Promise<boolean> {
    const rows = (await this.db.query(
      `INSERT INTO users (id, tenant_id, display_name, roles, password_hash, created_by)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO NOTHING RETURNING id`,
      [user.id, user.tenantId, user.displayName, user.roles, user.passwordHash, createdBy],
    )) as unknown[];
    return rows.length === 1;
  }

  async update(
    id: string,
    change: { roles?: HumanRole[]; passwordHash?: string; disabled?: boolean; displayName?: string },
  ): Promise<void> {
    await this.db.query(
      `UPDATE users SET
         roles = COALESCE($2, roles),
         password_hash = COALESCE($3, password_hash),
         disabled_at = CASE WHEN $4::boolean IS NULL THEN disabled_at WHEN $4 THEN COALESCE(disabled_at, now()) ELSE NULL END,
         display_name = COALESCE($5, display_name),
         updated_at = now()
       WHERE id = $1`,
      [
        id,
        change.roles ?? null,
        change.passwordHash ?? null,
        change.disabled ?? null,
        change.displayName ?? null,
      ],
    );
  }

  async recordLogin(id: string): Promise<void> {
    await this.db.query(`UPDATE users SET last_login_at = now() WHERE id = $1`, [id]);
  }
}
