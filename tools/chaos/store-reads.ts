import { Client } from 'pg';
import { runVerify } from '../audit/verify';
import { AuditRecordRef, StoredDecision } from './store-check';

const CHUNK = 5000;

/** The chaos check's reads, as the database admin: guardrail's decisions and audit's records of given intents. */
export class StoreReads {
  private constructor(
    private readonly client: Client,
    private readonly url: string,
  ) {}

  static async open(url: string): Promise<StoreReads> {
    const client = new Client({ connectionString: url, application_name: 'agentops-chaos' });
    await client.connect();
    return new StoreReads(client, url);
  }

  async decisions(intentIds: string[]): Promise<StoredDecision[]> {
    return this.chunked(intentIds, async (ids) =>
      (
        await this.client.query<{ intent_id: string; event_id: string }>(
          `SELECT intent_id, event_id FROM guardrail.decisions WHERE intent_id = ANY($1::uuid[])`,
          [ids],
        )
      ).rows.map((r) => ({ intentId: r.intent_id, eventId: r.event_id })),
    );
  }

  async auditRecords(intentIds: string[]): Promise<AuditRecordRef[]> {
    return this.chunked(intentIds, async (ids) =>
      (
        await this.client.query<{
          event_id: string;
          type: string;
          source: string;
          correlation_id: string | null;
        }>(
          `SELECT event_id, type, source, correlation_id FROM audit.records WHERE correlation_id = ANY($1::uuid[])`,
          [ids],
        )
      ).rows.map((r) => ({
        eventId: r.event_id,
        type: r.type,
        source: r.source,
        correlationId: r.correlation_id,
      })),
    );
  }

  /** Recomputes every audit chain (npm run audit:verify's check). */
  async verifyAudit(): Promise<{ ok: boolean; records: number; firstFailure?: string }> {
    const report = await runVerify(this.url, {});
    const f = report.firstFailure;
    return {
      ok: report.ok,
      records: report.records,
      ...(f ? { firstFailure: `sequence ${f.sequence}: ${f.reason}: ${f.detail}` } : {}),
    };
  }

  async close(): Promise<void> {
    await this.client.end().catch(() => undefined);
  }

  private async chunked<T>(ids: string[], read: (ids: string[]) => Promise<T[]>): Promise<T[]> {
    const out: T[] = [];
    for (let i = 0; i < ids.length; i += CHUNK) out.push(...(await read(ids.slice(i, i + CHUNK))));
    return out;
  }
}
