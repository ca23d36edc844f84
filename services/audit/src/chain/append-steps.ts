import { ChainHead, recordHash } from '@agentops/audit-chain';
import { EventEnvelope } from '@agentops/contracts';
import { FoundPii } from '@agentops/privacy';
import { auditablePayload } from '../privacy/auditable-payload';
import { PayloadPrivacy } from '../privacy/payload-privacy';
import { actorOf } from '../records/actor';
import { StoredRecord, hashedBody } from '../records/record-content';
import { CheckpointState, WantedSubjectKey } from './chain-append-repository';

/**
 * The steps of an append, each a pure function of its inputs (the privacy scan's pseudonyms are
 * keyed by the tenant's secret; its cache only saves work). `AuditAppender` runs them in order.
 */

/** Where an event was read: its chain is `<base topic>:<partition>`. */
export interface EventOrigin {
  baseTopic: string;
  partition: number;
  offset: string;
}

export interface AppendItem {
  event: EventEnvelope;
  origin: EventOrigin;
}

export interface CheckpointPolicy {
  everyRecords: number;
  everySeconds: number;
}

export function chainIdOf(origin: Pick<EventOrigin, 'baseTopic' | 'partition'>): string {
  return `${origin.baseTopic}:${origin.partition}`;
}

/**
 * Dedup: the items whose event has no record yet, in batch order, each event once (the same event
 * twice in one batch keeps the first); `duplicateIds` are those already recorded.
 */
export function withoutRecorded(
  items: AppendItem[],
  recordedIds: string[],
): { fresh: AppendItem[]; duplicateIds: string[] } {
  const seen = new Set(recordedIds);
  const duplicateIds = [...seen];
  const fresh: AppendItem[] = [];
  for (const item of items) {
    if (seen.has(item.event.id)) continue;
    seen.add(item.event.id);
    fresh.push(item);
  }
  return { fresh, duplicateIds };
}

/** An item after the privacy scan: its payload and actor pseudonymised, and what was found in them. */
export interface ScannedItem {
  item: AppendItem;
  payload: unknown;
  actor: { kind: StoredRecord['actorKind']; id: string };
  found: FoundPii[];
  subjectOf: (f: FoundPii) => string;
}

/** Privacy scan of the payload and of the actor (a human's id may be an email: its own subject). */
export function scanItem(privacy: PayloadPrivacy, item: AppendItem): ScannedItem {
  const payload = privacy.scan(item.event.tenantid, auditablePayload(item.event));
  const actor = actorOf(item.event);
  const actorScan = privacy.scan(item.event.tenantid, actor.id);
  const fromActor = new Set(actorScan.found);
  return {
    item,
    payload: payload.payload,
    actor: { kind: actor.kind, id: actorScan.payload as string },
    found: [...payload.found, ...actorScan.found],
    subjectOf: (f: FoundPii) => (fromActor.has(f) ? actorScan.subjectOf(f) : payload.subjectOf(f)),
  };
}

/** Key lookup: every data subject the scanned items found, with its tenant. */
export function subjectsOf(scans: ScannedItem[]): WantedSubjectKey[] {
  return scans.flatMap((s) =>
    s.found.map((f) => ({ tenantId: s.item.event.tenantid, subject: s.subjectOf(f) })),
  );
}

export type RecordContent = Omit<StoredRecord, 'chainId' | 'sequence' | 'prevHash' | 'hash'>;

/** Row mapping: what a record holds about its event, the clear values sealed under the subjects' keys. */
export function recordContent(
  s: ScannedItem,
  keys: Map<string, Buffer | null>,
  recordedAt: string,
): RecordContent {
  const { event, origin } = s.item;
  const data = (event.data ?? {}) as Record<string, unknown>;
  const sealed = PayloadPrivacy.seal(event.tenantid, event.id, s.found, s.subjectOf, keys);
  return {
    eventId: event.id,
    type: event.type,
    source: event.source,
    tenantId: event.tenantid,
    agentId: event.agentid ?? null,
    correlationId: event.correlationid ?? null,
    causationId: event.causationid ?? null,
    topic: origin.baseTopic,
    kafkaPartition: origin.partition,
    kafkaOffset: origin.offset,
    eventTime: event.time,
    actorKind: s.actor.kind,
    actorId: s.actor.id,
    action: typeof data['action'] === 'string' ? data['action'] : null,
    verdict: typeof data['verdict'] === 'string' ? data['verdict'] : null,
    decidedBy: typeof data['decidedBy'] === 'string' ? data['decidedBy'] : null,
    payload: s.payload ?? null,
    sealed: sealed.sealed,
    subjects: sealed.subjects,
    recordedAt,
  };
}

/**
 * Hashing: the contents become consecutive records after `head`, each hash over exactly what
 * verification rebuilds from the row (`hashedBody`) and the previous hash.
 */
export function chained(
  head: ChainHead,
  contents: RecordContent[],
): { records: StoredRecord[]; head: ChainHead } {
  let sequence = head.sequence;
  let prevHash = head.hash;
  const records = contents.map((c) => {
    sequence += 1;
    const partial = { ...c, chainId: head.chainId, sequence, prevHash };
    prevHash = recordHash(hashedBody(partial));
    return { ...partial, hash: prevHash };
  });
  return { records, head: { chainId: head.chainId, sequence, hash: prevHash } };
}

/**
 * A checkpoint is due when the chain has records past its last checkpoint and either enough of
 * them or the last checkpoint is old enough (or the caller already found it time-due).
 */
export function checkpointDue(
  head: ChainHead,
  state: CheckpointState,
  policy: CheckpointPolicy,
  timeDue: boolean,
): boolean {
  const since = head.sequence - state.checkpointSequence;
  if (since <= 0) return false;
  return since >= policy.everyRecords || timeDue || state.ageSeconds >= policy.everySeconds;
}
