import { ChainHead, GENESIS_HASH, SignedCheckpoint } from '@agentops/audit-chain';
import { EventEnvelope } from '@agentops/contracts';
import { newSubjectKey } from '@agentops/privacy';
import { Clock } from '@agentops/service-runtime';
import { AppendItem } from '../chain/append-steps';
import {
  ChainAppendRepository,
  ChainTransaction,
  CheckpointState,
  WantedSubjectKey,
} from '../chain/chain-append-repository';
import { StoredRecord } from '../records/record-content';

/**
 * Test doubles for audit's append use case: the chains in memory behind the same port as the
 * PostgreSQL repository, with its transaction semantics (a failed transaction leaves nothing) and
 * the checkpoint ages measured by the given clock. The SQL itself is tested on the real PostgreSQL
 * by test/integration/chain-append-repository.integration-spec.ts.
 */

interface StoredHead extends ChainHead {
  checkpointSequence: number;
  checkpointAt: number;
}

interface ChainState {
  heads: Map<string, StoredHead>;
  records: Map<string, StoredRecord>;
  checkpoints: (SignedCheckpoint & { publicKey: string })[];
  keys: Map<string, Buffer | null>;
}

export class InMemoryChainAppendRepository implements ChainAppendRepository {
  private state: ChainState = { heads: new Map(), records: new Map(), checkpoints: [], keys: new Map() };
  /** Every subject key a transaction asked for, in order. */
  readonly keyRequests: WantedSubjectKey[][] = [];

  constructor(private readonly clock: Clock) {}

  async transaction<T>(work: (tx: ChainTransaction) => Promise<T>): Promise<T> {
    const s = this.state;
    const draft: ChainState = {
      heads: new Map(s.heads),
      records: new Map(s.records),
      checkpoints: [...s.checkpoints],
      keys: new Map(s.keys),
    };
    const result = await work(this.transactionOn(draft));
    this.state = draft;
    return result;
  }

  async chainsDueForCheckpoint(everySeconds: number): Promise<string[]> {
    const before = this.clock.now().getTime() - everySeconds * 1000;
    return [...this.state.heads.values()]
      .filter((h) => h.sequence > h.checkpointSequence && h.checkpointAt < before)
      .map((h) => h.chainId);
  }

  async extendRecordPartitions(): Promise<void> {
    // Memory has no partitions.
  }

  /** The chain's records in sequence order. */
  chain(chainId: string): StoredRecord[] {
    return [...this.state.records.values()]
      .filter((r) => r.chainId === chainId)
      .sort((a, b) => a.sequence - b.sequence);
  }

  head(chainId: string): ChainHead | undefined {
    const h = this.state.heads.get(chainId);
    return h && { chainId: h.chainId, sequence: h.sequence, hash: h.hash };
  }

  get checkpoints(): readonly (SignedCheckpoint & { publicKey: string })[] {
    return this.state.checkpoints;
  }

  /** The subject's key as stored; null after {@link erase}. */
  keyOf(tenantId: string, subject: string): Buffer | null | undefined {
    return this.state.keys.get(`${tenantId}\u0000${subject}`);
  }

  /** Right to erasure, as the key store does it: the key is destroyed, the records stay. */
  erase(tenantId: string, subject: string): void {
    this.state.keys.set(`${tenantId}\u0000${subject}`, null);
  }

  private transactionOn(s: ChainState): ChainTransaction {
    const now = () => this.clock.now().getTime();
    const head = (chainId: string) => s.heads.get(chainId)!;
    return {
      lockHead: async (chainId) => {
        if (!s.heads.has(chainId))
          s.heads.set(chainId, {
            chainId,
            sequence: -1,
            hash: GENESIS_HASH,
            checkpointSequence: -1,
            checkpointAt: now(),
          });
        const h = head(chainId);
        return { chainId, sequence: h.sequence, hash: h.hash };
      },
      recordedEventIds: async (ids) => ids.filter((id) => s.records.has(id)),
      subjectKeys: async (wanted) => {
        this.keyRequests.push(wanted);
        const keys = new Map<string, Buffer | null>();
        for (const w of wanted) {
          const id = `${w.tenantId}\u0000${w.subject}`;
          if (!s.keys.has(id)) s.keys.set(id, newSubjectKey());
          keys.set(id, s.keys.get(id)!);
        }
        return keys;
      },
      insertRecords: async (records) => {
        for (const r of records) {
          if (s.records.has(r.eventId)) throw new Error(`duplicate key: event ${r.eventId}`);
          s.records.set(r.eventId, r);
        }
      },
      advanceHead: async (h) => {
        s.heads.set(h.chainId, { ...head(h.chainId), sequence: h.sequence, hash: h.hash });
      },
      checkpointState: async (chainId): Promise<CheckpointState> => {
        const h = head(chainId);
        return { checkpointSequence: h.checkpointSequence, ageSeconds: (now() - h.checkpointAt) / 1000 };
      },
      saveCheckpoint: async (cp, publicKey) => {
        s.checkpoints.push({ ...cp, publicKey });
        s.heads.set(cp.chainId, {
          ...head(cp.chainId),
          checkpointSequence: cp.sequence,
          checkpointAt: now(),
        });
      },
      recordsByEventIds: async (ids) =>
        ids
          .map((id) => s.records.get(id))
          .filter((r): r is StoredRecord => r !== undefined)
          .sort((a, b) => a.chainId.localeCompare(b.chainId) || a.sequence - b.sequence),
    };
  }
}

/** Events as audit reads them from a source partition, at consecutive offsets. */
export class SourcePartition {
  private offset = 0;

  constructor(
    readonly baseTopic = 'agentops.intents.v1',
    readonly partition = 0,
  ) {}

  get chainId(): string {
    return `${this.baseTopic}:${this.partition}`;
  }

  item(event: EventEnvelope): AppendItem {
    return {
      event,
      origin: { baseTopic: this.baseTopic, partition: this.partition, offset: String(this.offset++) },
    };
  }
}

let n = 0;

/**
 * An event as audit receives it (audit records whatever arrived; the schemas were checked by the
 * producer and the consumer edge), with a fresh time-ordered-looking id.
 */
export function auditedEvent(
  type: string,
  data: Record<string, unknown>,
  over: Partial<EventEnvelope> = {},
): EventEnvelope {
  n += 1;
  return {
    id: `0190a0a0-0000-7000-8000-${String(n).padStart(12, '0')}`,
    source: 'agentops/ingest',
    type,
    specversion: '1.0',
    time: '2026-03-02T08:59:00.000Z',
    tenantid: 'maison',
    agentid: 'service-1',
    data,
    ...over,
  };
}
