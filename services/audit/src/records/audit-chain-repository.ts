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
  /** Verifications under way, by request: the same request asked again meanwhile shares the run. */
  private readonly verifying = new Map<string, ReturnType<typeof verifyChains>>();

  constructor(
    dataSource: DataSource,
    @Inject(SubjectKeyStore) private readonly subjectKeys: SubjectKeyStore,
  ) {
    this.sql = typeormSql(dataSource);
    this.reads = new ChainReads(this.sql);
  }

  /**
   * Recomputes every chain (or one, or a range) and reports the first broken record and why. A
   * whole-store verification reads every record, so concurrent identical requests (an auditor's
   * retries, a dashboard, a burst) share one run instead of each starting its own and stalling the
   * service; the result is fresh for every request that arrives after it completes.
   */
  verify(req: VerifyRequest) {
    const key = JSON.stringify(req);
    const running = this.verifying.get(key);
    if (running) return running;
    const run = verifyChains(this.reads, req).finally(() => this.verifying.delete(key));
    this.verifying.set(key, run);
    return run;
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
