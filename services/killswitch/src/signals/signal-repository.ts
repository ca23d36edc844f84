import { EventEnvelope } from '@agentops/contracts';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

@Injectable()
export class SignalRepository {
  constructor(private readonly dataSource: DataSource) {}

  async record(event: EventEnvelope): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO killswitch.signals (event_id, type, tenant_id, agent_id, body, occurred_at)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (event_id) DO NOTHING`,
      [event.id, event.type, event.tenantid, event.agentid ?? null, JSON.stringify(event.data), event.time],
    );
  }
}
