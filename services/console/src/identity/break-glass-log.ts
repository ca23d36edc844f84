import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

export interface BreakGlassRecord {
  tokenId: string;
  reason: string;
  issuedBy: string;
  expiresAt: Date;
}

/** `console.break_glass_tokens`: every operator token taken on the console host, and its end. */
@Injectable()
export class BreakGlassLog {
  constructor(private readonly db: DataSource) {}

  async record(r: BreakGlassRecord): Promise<void> {
    await this.db.query(
      `INSERT INTO break_glass_tokens (token_id, reason, issued_by, expires_at) VALUES ($1, $2, $3, $4)`,
      [r.tokenId, r.reason, r.issuedBy, r.expiresAt],
    );
  }

  async markRevoked(tokenId: string): Promise<void> {
    await this.db.query(
      `UPDATE break_glass_tokens SET revoked_at = COALESCE(revoked_at, now()) WHERE token_id = $1`,
      [tokenId],
    );
  }
}
