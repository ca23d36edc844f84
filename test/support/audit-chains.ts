import { newEventId } from '@agentops/messaging';
import { LocalKeyWrapper, parseKeks } from '@agentops/privacy';
import { DataSource } from 'typeorm';
import { chained, recordContent, scanItem } from '../../services/audit/src/chain/append-steps';
import { PostgresChainAppendRepository } from '../../services/audit/src/chain/chain-append-repository';
import { typeormSql } from '../../services/audit/src/chain/sql';
import { PayloadPrivacy } from '../../services/audit/src/privacy/payload-privacy';
import { SubjectKeyStore } from '../../services/audit/src/privacy/subject-key-store';
import { StoredRecord } from '../../services/audit/src/records/record-content';
import { SourcePartition, auditedEvent } from '../../services/audit/src/testing/audit-doubles';
import { TEST_AUDIT_KEK } from './test-env';

export interface AuditedEventSpec {
  type?: string;
  agentId?: string;
  verdict?: string;
}

/**
 * Writes audit records as the appender does, through the chain repository on the run's database
 * (subject keys wrapped with the run's KEK), each call a chain of its own named after `base`.
 */
export function auditChainWriter(ds: DataSource, base: string) {
  const repo = new PostgresChainAppendRepository(
    typeormSql(ds),
    new SubjectKeyStore(new LocalKeyWrapper(parseKeks(TEST_AUDIT_KEK))),
  );
  const privacy = new PayloadPrivacy('it-pseudonym-secret-0123456789abcdef');
  let chains = 0;
  /** Appends decided events of one tenant to a new chain, all recorded at one instant. */
  const append = (
    tenantId: string,
    events: AuditedEventSpec[],
    recordedAt = new Date().toISOString(),
  ): Promise<StoredRecord[]> => {
    const p = new SourcePartition(base, chains++);
    return repo.transaction(async (tx) => {
      const chain = chained(
        await tx.lockHead(p.chainId),
        events.map((e) =>
          recordContent(
            scanItem(
              privacy,
              p.item(
                auditedEvent(
                  e.type ?? 'agentops.intent.decided.v1',
                  { verdict: e.verdict ?? 'allow', decidedBy: 'policy', action: 'pricing.set_price' },
                  // Fresh ids: auditedEvent's own restart in every test file and would meet another suite's.
                  { id: newEventId(), tenantid: tenantId, agentid: e.agentId ?? 'agent-1' },
                ),
              ),
            ),
            new Map(),
            recordedAt,
          ),
        ),
      );
      await tx.insertRecords(chain.records);
      await tx.advanceHead(chain.head);
      return chain.records;
    });
  };
  return { repo, append };
}
