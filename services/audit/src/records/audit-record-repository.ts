import { EventEnvelope } from '@agentops/contracts';
import { MessageOrigin } from '@agentops/messaging';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { actorOf } from './actor';

export interface AuditQuery {
  tenantId?: string;
  correlationId?: string;
  agentId?: string;
  type?: string;
  limit: number;
}

@Injectable()
export class AuditRecordRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Returns false when the event was already recorded (replay, redelivery). */
  async append(event: EventEnvelope, origin: MessageOrigin): Promise<boolean> {
    const actor = actorOf(event);
    const rows: unknown[] = await this.dataSource.query(
      `INSERT INTO audit.records (event_id, type, source, tenant_id, agent_id, correlation_id, causation_id, topic,
         kafka_partition, kafka_offset, event_time, actor_kind, actor_id, payload)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14)
       ON CONFLICT (event_id) DO NOTHING RETURNING event_id`,
      [
        event.id,
        event.type,
        event.source,
        event.tenantid,
        event.agentid ?? null,
        event.correlationid ?? null,
        event.causationid ?? null,
        origin.baseTopic,
        origin.partition,
        origin.offset,
        event.time,
        actor.kind,
        actor.id,
        JSON.stringify(event.data),
      ],
    );
    return rows.length > 0;
  }

  async query(q: AuditQuery): Promise<Record<string, unknown>[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (q.tenantId) add('tenant_id = ?', q.tenantId);
    if (q.correlationId) add('correlation_id = ?', q.correlationId);
    if (q.agentId) add('agent_id = ?', q.agentId);
    if (q.type) add('type = ?', q.type);
    params.push(q.limit);
    return this.dataSource.query(
      `SELECT event_id AS "eventId", type, source, tenant_id AS "tenantId", agent_id AS "agentId",
              correlation_id AS "correlationId", causation_id AS "causationId", topic, event_time AS "eventTime",
              actor_kind AS "actorKind", actor_id AS "actorId", payload, recorded_at AS "recordedAt"
         FROM audit.records ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY event_time, event_id LIMIT $${params.length}`,
      params,
    );
  }

  async count(tenantId?: string): Promise<number> {
    const [row] = await this.dataSource.query(
      `SELECT count(*)::int AS n FROM audit.records ${tenantId ? 'WHERE tenant_id = $1' : ''}`,
      tenantId ? [tenantId] : [],
    );
    return row.n;
  }
}
