import { ChainHead, SignedCheckpoint, SigningKey, signCheckpoint } from '@agentops/audit-chain';
import { Clock, SystemClock } from '@agentops/service-runtime';
import { StoredRecord } from '../records/record-content';
import { AppendItem, CheckpointPolicy, checkpointDue, linked, withoutRecorded } from './append-steps';
import { ChainAppendRepository, ChainTransaction } from './chain-append-repository';
import { RecordPreparation } from './record-preparation';

export interface AppendResult {
  appended: StoredRecord[];
  /** Events already recorded (replay, redelivery): stored earlier, returned for re-publication. */
  duplicates: StoredRecord[];
  checkpoints: SignedCheckpoint[];
}

/**
 * The append use case: a batch of events from one source partition becomes consecutive records of
 * that partition's chain, in one transaction that holds the chain head's row lock (the consumer
 * group already gives one writer per chain; the lock makes a second one wait, not fork the chain).
 * Exactly one record per event id: ids already recorded are skipped. The steps are the pure
 * functions of append-steps.ts; every read and write goes through the {@link ChainAppendRepository}.
 * The CPU-heavy steps run on the {@link RecordPreparation} (a worker pool in the service), only the
 * link hashes in this thread and in chain order, so the event loop stays free for the consumer and
 * the other chains' I/O.
 */
export class AuditAppender {
  constructor(
    private readonly chains: ChainAppendRepository,
    private readonly preparation: RecordPreparation,
    private readonly signingKey: SigningKey,
    private readonly checkpoints: CheckpointPolicy,
    private readonly clock: Clock = new SystemClock(),
  ) {}

  async appendBatch(chainId: string, items: AppendItem[]): Promise<AppendResult> {
    return this.chains.transaction(async (tx) => {
      const head = await tx.lockHead(chainId);
      const { fresh, duplicateIds } = withoutRecorded(
        items,
        await tx.recordedEventIds(items.map((i) => i.event.id)),
      );

      let appended: StoredRecord[] = [];
      let newHead = head;
      if (fresh.length) {
        const prepared = await this.preparation.prepare(
          fresh,
          { chainId, firstSequence: head.sequence + 1, recordedAt: this.clock.now().toISOString() },
          (wanted) => tx.subjectKeys(wanted),
        );
        const chain = linked(head, prepared);
        appended = chain.records;
        newHead = chain.head;
        await tx.insertRecords(appended);
        await tx.advanceHead(newHead);
      }

      const checkpoints: SignedCheckpoint[] = [];
      const cp = await this.maybeCheckpoint(tx, newHead, false);
      if (cp) checkpoints.push(cp);
      const duplicates = duplicateIds.length ? await tx.recordsByEventIds(duplicateIds) : [];
      return { appended, duplicates, checkpoints };
    });
  }

  /** Stops the preparation's worker threads; appends after this fail. */
  close(): Promise<void> {
    return this.preparation.close();
  }

  /** Time-based checkpoints for chains that grew but went quiet. */
  async checkpointIdleChains(): Promise<SignedCheckpoint[]> {
    const due = await this.chains.chainsDueForCheckpoint(this.checkpoints.everySeconds);
    const out: SignedCheckpoint[] = [];
    for (const chainId of due) {
      const cp = await this.chains.transaction(async (tx) =>
        this.maybeCheckpoint(tx, await tx.lockHead(chainId), true),
      );
      if (cp) out.push(cp);
    }
    return out;
  }

  private async maybeCheckpoint(
    tx: ChainTransaction,
    head: ChainHead,
    timeDue: boolean,
  ): Promise<SignedCheckpoint | undefined> {
    if (head.sequence < 0) return undefined;
    const state = await tx.checkpointState(head.chainId);
    if (!checkpointDue(head, state, this.checkpoints, timeDue)) return undefined;
    const cp = signCheckpoint(this.signingKey, {
      chainId: head.chainId,
      sequence: head.sequence,
      headHash: head.hash,
      signedAt: this.clock.now().toISOString(),
    });
    await tx.saveCheckpoint(cp, this.signingKey.publicKeyPem);
    return cp;
  }
}
