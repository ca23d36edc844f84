import { EventEnvelope } from '@agentops/contracts';
import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';

export interface OutboxItem {
  event: EventEnvelope;
  key: string;
}

export interface OutboxRow {
  id: string;
  key: string;
  envelope: EventEnvelope;
}

/** What the relay may do inside one transaction: its locks hold until the transaction ends. */
export interface OutboxTransaction {
  /** Unsent rows in creation order, locked; rows another relay holds are skipped (SKIP LOCKED). */
  lockUnsent(limit: number): Promise<OutboxRow[]>;
  markSent(ids: string[], at: Date): Promise<void>;
}

/** The outbox table: written with the task changes (see TaskTransaction.addToOutbox), read by the relay. */
export abstract class OutboxRepository {
  abstract transaction<T>(fn: (tx: OutboxTransaction) => Promise<T>): Promise<T>;
  /** Deletes rows sent before `before`. */
  abstract purgeSent(before: Date): Promise<void>;
}

/**
 * The outbox rows of a task transaction. The event id is fixed here, so a republished event is
 * the very same event (audit dedups on id).
 */
export async function insertOutboxRows(m: EntityManager, items: OutboxItem[]): Promise<void> {
  for (const { event, key } of items) {
    await m.query(
      `INSERT INTO outbox (id, event_type, msg_key, envelope) VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO NOTHING`,
      [event.id, event.type, key, JSON.stringify(event)],
    );
  }
}

/** The outbox in the escalation schema; with insertOutboxRows, the only SQL about it. */
@Injectable()
export class PostgresOutboxRepository extends OutboxRepository {
  constructor(private readonly dataSource: DataSource) {
    super();
  }

  transaction<T>(fn: (tx: OutboxTransaction) => Promise<T>): Promise<T> {
    return this.dataSource.transaction((m) =>
      fn({
        lockUnsent: async (limit) =>
          (await m.query(
            `SELECT id, msg_key AS key, envelope FROM outbox WHERE sent_at IS NULL ORDER BY created_at, id LIMIT $1 FOR UPDATE SKIP LOCKED`,
            [limit],
          )) as OutboxRow[],
        markSent: async (ids, at) => {
          await m.query(`UPDATE outbox SET sent_at = $2 WHERE id = ANY($1::uuid[])`, [ids, at]);
        },
      }),
    );
  }

  async purgeSent(before: Date): Promise<void> {
    await this.dataSource.query(`DELETE FROM outbox WHERE sent_at < $1`, [before]);
  }
}
