import { EventEnvelope, IntentDecidedV1 } from '@agentops/contracts';
import { newEventId } from '@agentops/messaging';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

@Injectable()
export class TaskRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Opens the task for an escalated intent unless it exists; returns whether it was new. */
  async openForDecision(decision: EventEnvelope<IntentDecidedV1>): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(
      `INSERT INTO escalation.tasks (id, intent_id, tenant_id, agent_id, action, reasons, decision_event_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (intent_id) DO NOTHING RETURNING id`,
      [newEventId(), decision.data.intentId, decision.tenantid, decision.data.agentId, decision.data.action, JSON.stringify(decision.data.reasons), decision.id],
    );
    return rows.length > 0;
  }

  async countOpen(tenantId: string): Promise<number> {
    const [row] = await this.dataSource.query(`SELECT count(*)::int AS n FROM escalation.tasks WHERE tenant_id = $1 AND status = 'open'`, [tenantId]);
    return row.n;
  }
}
