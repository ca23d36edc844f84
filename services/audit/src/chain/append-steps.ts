import { ChainHead, LinkTemplate, linkHash, linkTemplate } from '@agentops/audit-chain';
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

/**
 * An item after the privacy scan: its record's content but for the sealed values and the time of
 * recording, the clear values found (payload and actor) and the data subject of each. Plain data, so
 * it can cross to a worker thread and back (see record-preparation.ts).
 */
export interface ScannedItem {
  content: Omit<RecordContent, 'sealed' | 'subjects' | 'recordedAt'>;
  found: FoundPii[];
  /** `subjects[i]` is the data subject of `found[i]`. */
  subjects: string[];
}

/** Privacy scan of the payload and of the actor (a human's id may be an email: its own subject). */
export function scanItem(privacy: PayloadPrivacy, item: AppendItem): ScannedItem {
  const { event, origin } = item;
  const payload = privacy.scan(event.tenantid, auditablePayload(event));
  const actor = actorOf(event);
  const actorScan = privacy.scan(event.tenantid, actor.id);
  const data = (event.data ?? {}) as Record<string, unknown>;
  return {
    content: {
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
      actorKind: actor.kind,
      actorId: actorScan.payload as string,
      action: typeof data['action'] === 'string' ? data['action'] : null,
      verdict: typeof data['verdict'] === 'string' ? data['verdict'] : null,
      decidedBy: typeof data['decidedBy'] === 'string' ? data['decidedBy'] : null,
      payload: payload.payload ?? null,
    },
    found: [...payload.found, ...actorScan.found],
    subjects: [...payload.found.map(payload.subjectOf), ...actorScan.found.map(actorScan.subjectOf)],
  };
}

/** Key lookup: every data subject the scanned items found, with its tenant. */
export function subjectsOf(scans: ScannedItem[]): WantedSubjectKey[] {
  return scans.flatMap((s) => s.subjects.map((subject) => ({ tenantId: s.content.tenantId, subject })));
}

export type RecordContent = Omit<StoredRecord, 'chainId' | 'sequence' | 'prevHash' | 'hash'>;

/** Row mapping: what a record holds about its event, the clear values sealed under the subjects' keys. */
export function recordContent(
  s: ScannedItem,
  keys: Map<string, Uint8Array | null>,
  recordedAt: string,
): RecordContent {
  const { sealed, subjects } = PayloadPrivacy.seal(
    s.content.tenantId,
    s.content.eventId,
    s.found,
    (_f, i) => s.subjects[i],
    keys,
  );
  return { ...s.content, sealed, subjects, recordedAt };
}

/**
 * A record's content at its place in a chain, with its hash input bar the previous hash
 * ({@link linkTemplate}): everything of a record that does not depend on the record before it.
 */
export interface PreparedRecord {
  content: RecordContent;
  chainId: string;
  sequence: number;
  link: LinkTemplate;
}

/** Canonicalisation: the contents as the records at `firstSequence`, `firstSequence + 1`… of `chainId`. */
export function prepareRecords(
  chainId: string,
  firstSequence: number,
  contents: RecordContent[],
): PreparedRecord[] {
  return contents.map((content, i) => {
    const sequence = firstSequence + i;
    return {
      content,
      chainId,
      sequence,
      link: linkTemplate(hashedBody({ ...content, chainId, sequence, prevHash: '' })),
    };
  });
}

/** Where a batch's records go: `chainId` from `firstSequence` on, recorded at `recordedAt`. */
export interface RecordPlacement {
  chainId: string;
  firstSequence: number;
  recordedAt: string;
}

/** The subjects' keys an append found (see {@link ChainTransaction.subjectKeys}). */
export type SubjectKeysLookup = (wanted: WantedSubjectKey[]) => Promise<Map<string, Uint8Array | null>>;

/**
 * Scan, key lookup, sealing and canonicalisation of a batch: what the appender does between its
 * reads and writes, in one call, so it can run off the event loop's thread ({@link RecordPreparation}).
 */
export async function prepareBatch(
  privacy: PayloadPrivacy,
  items: AppendItem[],
  at: RecordPlacement,
  keysFor: SubjectKeysLookup,
): Promise<PreparedRecord[]> {
  const scans = items.map((i) => scanItem(privacy, i));
  const keys = await keysFor(subjectsOf(scans));
  return prepareRecords(
    at.chainId,
    at.firstSequence,
    scans.map((s) => recordContent(s, keys, at.recordedAt)),
  );
}

/**
 * Hashing, in chain order: the prepared records become consecutive records after `head`, each
 * hash over exactly what verification rebuilds from the row (`hashedBody`) and the previous hash.
 * Records prepared for another chain or position are refused, never re-linked.
 */
export function linked(
  head: ChainHead,
  prepared: PreparedRecord[],
): { records: StoredRecord[]; head: ChainHead } {
  let sequence = head.sequence;
  let prevHash = head.hash;
  const records = prepared.map((p) => {
    sequence += 1;
    if (p.chainId !== head.chainId || p.sequence !== sequence)
      throw new Error(`record prepared as ${p.chainId}#${p.sequence}, linked as ${head.chainId}#${sequence}`);
    const hash = linkHash(p.link, prevHash);
    const record = { ...p.content, chainId: head.chainId, sequence, prevHash, hash };
    prevHash = hash;
    return record;
  });
  return { records, head: { chainId: head.chainId, sequence, hash: prevHash } };
}

/** Canonicalisation and hashing in one go, in the calling thread. */
export function chained(
  head: ChainHead,
  contents: RecordContent[],
): { records: StoredRecord[]; head: ChainHead } {
  return linked(head, prepareRecords(head.chainId, head.sequence + 1, contents));
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
