import { IntentDecidedV1 } from '@agentops/contracts';
import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';

export interface CallbackBody {
  eventId: string;
  intentId: string;
  decision: IntentDecidedV1;
}

export interface DueCallback {
  id: string;
  url: string;
  body: CallbackBody;
  attempts: number;
}

/**
 * Callbacks waiting to be delivered. A delivery claims its rows first (`claimDue` moves their
 * `due_at` past a lease and commits), then calls out with no row lock or transaction held, then
 * records the result; a sender that dies mid-call leaves its rows to be claimed again after the lease.
 */
export abstract class CallbackRepository {
  /**
   * Claims up to `limit` undelivered callbacks due at `now` with fewer than `maxAttempts`
   * attempts, in due order, skipping rows another instance is claiming; they are due again only
   * at `leaseUntil`.
   */
  abstract claimDue(now: Date, maxAttempts: number, limit: number, leaseUntil: Date): Promise<DueCallback[]>;
  abstract markDelivered(id: string, at: Date): Promise<void>;
  /** Records a failed attempt (never over a delivery another instance recorded meanwhile). */
  abstract markFailed(id: string, attempts: number, retryAt: Date, reason: string): Promise<void>;
  /** Deletes callbacks delivered before `before`, and undelivered ones created before it. */
  abstract purge(before: Date): Promise<void>;
}

/** Queues a callback in the resolving transaction, so it is never lost. */
export async function insertCallback(m: EntityManager, url: string, body: CallbackBody): Promise<void> {
  await m.query(`INSERT INTO callbacks (id, url, body) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING`, [
    body.eventId,
    url,
    JSON.stringify(body),
  ]);
}

/** The callbacks table in the escalation schema; with insertCallback, the only SQL about it. */
@Injectable()
export class PostgresCallbackRepository extends CallbackRepository {
  constructor(private readonly dataSource: DataSource) {
    super();
  }

  async claimDue(now: Date, maxAttempts: number, limit: number, leaseUntil: Date): Promise<DueCallback[]> {
    const rows = (await this.dataSource.query(
      `WITH due AS (
         SELECT id, due_at FROM callbacks WHERE delivered_at IS NULL AND attempts < $1 AND due_at <= $2
         ORDER BY due_at, id LIMIT $3 FOR UPDATE SKIP LOCKED)
       UPDATE callbacks c SET due_at = $4 FROM due WHERE c.id = due.id
       RETURNING c.id, c.url, c.body, c.attempts, due.due_at AS "wasDue"`,
      [maxAttempts, now, limit, leaseUntil],
    )) as [(DueCallback & { wasDue: Date })[], number];
    // An UPDATE … RETURNING answers [rows, count] through TypeORM, in no particular order. Ties
    // (callbacks leased together fall due together) go by id, time-ordered (UUIDv7): oldest first.
    return rows[0]
      .sort((a, b) => a.wasDue.getTime() - b.wasDue.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .map(({ id, url, body, attempts }) => ({ id, url, body, attempts }));
  }

  async markDelivered(id: string, at: Date): Promise<void> {
    await this.dataSource.query(
      `UPDATE callbacks SET delivered_at = $2, attempts = attempts + 1, last_error = NULL WHERE id = $1`,
      [id, at],
    );
  }

  async markFailed(id: string, attempts: number, retryAt: Date, reason: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE callbacks SET attempts = $2, due_at = $3, last_error = $4 WHERE id = $1 AND delivered_at IS NULL`,
      [id, attempts, retryAt, reason],
    );
  }

  async purge(before: Date): Promise<void> {
    await this.dataSource.query(
      `DELETE FROM callbacks WHERE delivered_at < $1 OR (delivered_at IS NULL AND created_at < $1)`,
      [before],
    );
  }
}
