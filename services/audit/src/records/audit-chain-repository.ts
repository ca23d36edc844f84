import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Sql, typeormSql } from '../chain/sql';
import { SubjectKeyStore } from '../privacy/subject-key-store';
import { VerifyRequest, proveRecord, verifyChains } from '../verification/audit-verifier';
import { ChainReads } from '../verification/chain-reads';

/**
 * The read side's SQL beyond the record queries: chain verification, per-record proofs and the
 * erasure of a data subject's key, each over the service's database (the functions it calls take
 * the `Sql` port so the CLI and the benchmark reuse them).
 */
@Injectable()
export class AuditChainRepository {
  private readonly sql: Sql;
  private readonly reads: ChainReads;

  constructor(
    dataSource: DataSource,
    @Inject(SubjectKeyStore) private readonly subjectKeys: SubjectKeyStore,
  ) {
    this.sql = typeormSql(dataSource);
    this.reads = new ChainReads(this.sql);
  }

  /** Recomputes every chain (or one, or a range) and reports the first broken record and why. */
  verify(req: VerifyRequest) {
    return verifyChains(this.reads, req);
  }

  /** One record with its hash, position and the signed checkpoint that covers it, if it exists. */
  prove(eventId: string, trustedKeyIds?: string[]) {
    return proveRecord(this.reads, eventId, trustedKeyIds);
  }

  /** Right to erasure: destroys the subject's key (see {@link SubjectKeyStore.erase}). */
  eraseSubject(tenantId: string, subjectRef: string) {
    return this.subjectKeys.erase(this.sql, tenantId, subjectRef);
  }
}
