import { GENESIS_HASH, generateSigningKey, recordHash, verifyCheckpoint } from '@agentops/audit-chain';
import { EventTypes } from '@agentops/contracts';
import { unseal } from '@agentops/privacy';
import { ManualClock } from '@agentops/service-runtime';
import { PayloadPrivacy, sealAad } from '../privacy/payload-privacy';
import { StoredRecord, hashedBody } from '../records/record-content';
import { InMemoryChainAppendRepository, SourcePartition, auditedEvent } from '../testing/audit-doubles';
import { AuditAppender } from './audit-appender';
import { InThreadPreparation, RecordPreparation, WorkerPoolPreparation } from './record-preparation';

/**
 * The append use case over the chains in memory (testing/audit-doubles.ts) and a clock the test
 * moves: chain order and hashing, exactly one record per event, the privacy treatment of payloads
 * and actors, and when checkpoints are signed. The SQL behind the port is tested on PostgreSQL
 * (test/integration/chain-append-repository.integration-spec.ts).
 */
const T0 = '2026-03-02T09:00:00.000Z';
const SECRET = 'unit-pseudonym-secret-0123456789abcdef';

// The same behaviour with the CPU work in this thread and on worker threads (slices of 2 records,
// so a batch is cut, run in parallel and put back together).
describe.each([
  ['in this thread', () => new InThreadPreparation(new PayloadPrivacy(SECRET))],
  ['on a worker pool', () => new WorkerPoolPreparation(SECRET, 2, 2)],
])('AuditAppender, prepared %s', (_where, makePreparation: () => RecordPreparation) => {
  let clock: ManualClock;
  let chains: InMemoryChainAppendRepository;
  let appender: AuditAppender;
  let intents: SourcePartition;
  const signingKey = generateSigningKey();
  const preparation = makePreparation();
  afterAll(() => preparation.close());
  const intent = (justification = 'reprice', over = {}) =>
    auditedEvent(EventTypes.IntentProposed, { action: 'pricing.set_price', justification }, over);

  beforeEach(() => {
    clock = new ManualClock(T0);
    chains = new InMemoryChainAppendRepository(clock);
    appender = new AuditAppender(
      chains,
      preparation,
      signingKey,
      { everyRecords: 5, everySeconds: 60 },
      clock,
    );
    intents = new SourcePartition('agentops.intents.v1', 3);
  });

  /** Each record's hash is over its hashed body and links to the previous record's hash. */
  const expectIntactChain = (records: StoredRecord[]) => {
    let prev = GENESIS_HASH;
    records.forEach((r, i) => {
      expect(r.sequence).toBe(i);
      expect(r.prevHash).toBe(prev);
      expect(r.hash).toBe(recordHash(hashedBody(r)));
      prev = r.hash;
    });
  };

  describe('chain order and hashing', () => {
    it('appends a batch as consecutive records of the partition chain from genesis, stamped by the clock', async () => {
      const result = await appender.appendBatch(intents.chainId, [
        intents.item(intent()),
        intents.item(intent()),
      ]);
      expect(result.appended.map((r) => [r.chainId, r.sequence, r.kafkaOffset])).toEqual([
        ['agentops.intents.v1:3', 0, '0'],
        ['agentops.intents.v1:3', 1, '1'],
      ]);
      expect(result.appended.every((r) => r.recordedAt === T0)).toBe(true);
      expect(chains.chain(intents.chainId)).toEqual(result.appended);
      expectIntactChain(chains.chain(intents.chainId));
      expect(chains.head(intents.chainId)).toEqual({
        chainId: intents.chainId,
        sequence: 1,
        hash: result.appended[1].hash,
      });
    });

    it('continues the chain from its head on the next batch, and keeps chains of other partitions apart', async () => {
      const other = new SourcePartition('agentops.intents.v1', 4);
      await appender.appendBatch(intents.chainId, [intents.item(intent())]);
      await appender.appendBatch(other.chainId, [other.item(intent())]);
      const next = await appender.appendBatch(intents.chainId, [
        intents.item(intent()),
        intents.item(intent()),
      ]);
      expect(next.appended.map((r) => r.sequence)).toEqual([1, 2]);
      expectIntactChain(chains.chain(intents.chainId));
      expect(chains.chain(other.chainId).map((r) => r.sequence)).toEqual([0]);
    });

    it('maps the event into the record: ids, origin, time, facets from the data, the actor', async () => {
      const decided = auditedEvent(
        EventTypes.IntentDecided,
        { action: 'service.issue_refund', verdict: 'deny', decidedBy: 'policy', reasons: [] },
        {
          source: 'agentops/guardrail',
          correlationid: '0190a0a0-0000-7000-8000-00000000aaaa',
          causationid: '0190a0a0-0000-7000-8000-00000000bbbb',
        },
      );
      const [r] = (await appender.appendBatch(intents.chainId, [intents.item(decided)])).appended;
      expect(r).toMatchObject({
        eventId: decided.id,
        type: EventTypes.IntentDecided,
        source: 'agentops/guardrail',
        tenantId: 'maison',
        agentId: 'service-1',
        correlationId: decided.correlationid,
        causationId: decided.causationid,
        topic: 'agentops.intents.v1',
        kafkaPartition: 3,
        kafkaOffset: '0',
        eventTime: decided.time,
        actorKind: 'system',
        actorId: 'agentops/guardrail',
        action: 'service.issue_refund',
        verdict: 'deny',
        decidedBy: 'policy',
      });
      const [plain] = (await appender.appendBatch(intents.chainId, [intents.item(intent())])).appended;
      expect(plain).toMatchObject({
        actorKind: 'agent',
        actorId: 'service-1',
        verdict: null,
        decidedBy: null,
      });
    });
  });

  describe('exactly one record per event', () => {
    it('returns events already recorded as duplicates with their stored record, and appends only the new ones', async () => {
      const first = intent();
      const [stored] = (await appender.appendBatch(intents.chainId, [intents.item(first)])).appended;
      const again = await appender.appendBatch(intents.chainId, [
        intents.item(first),
        intents.item(intent()),
      ]);
      expect(again.duplicates).toEqual([stored]);
      expect(again.appended.map((r) => r.sequence)).toEqual([1]);
      expect(chains.chain(intents.chainId)).toHaveLength(2);
    });

    it('records the same event twice in one batch once, at its first position', async () => {
      const e = intent();
      const result = await appender.appendBatch(intents.chainId, [
        intents.item(e),
        intents.item(intent()),
        intents.item(e),
      ]);
      expect(result.appended.map((r) => [r.eventId, r.kafkaOffset])).toEqual([
        [e.id, '0'],
        [expect.any(String), '1'],
      ]);
      expect(result.duplicates).toEqual([]);
    });

    it('a batch of duplicates only leaves the chain head where it was', async () => {
      const e = intent();
      await appender.appendBatch(intents.chainId, [intents.item(e)]);
      const head = chains.head(intents.chainId);
      const again = await appender.appendBatch(intents.chainId, [intents.item(e)]);
      expect(again.appended).toEqual([]);
      expect(again.duplicates.map((r) => r.eventId)).toEqual([e.id]);
      expect(chains.head(intents.chainId)).toEqual(head);
    });
  });

  describe('privacy', () => {
    it('pseudonymises personal data in the payload and seals the clear value under the subject key', async () => {
      const e = intent('refund jane.doe@example.com for order 7');
      const [r] = (await appender.appendBatch(intents.chainId, [intents.item(e)])).appended;
      expect(JSON.stringify(r.payload)).not.toContain('jane.doe@example.com');
      const [subject] = Object.keys(r.sealed);
      expect(r.subjects).toContain(subject);
      expect(chains.keyRequests).toEqual([[{ tenantId: 'maison', subject }]]);
      const key = chains.keyOf('maison', subject)!;
      const box = JSON.parse(unseal(key, r.sealed[subject].value!, sealAad('maison', subject, e.id)));
      expect(Object.values(box)).toEqual(['jane.doe@example.com']);
      expect(r.sealed[subject].pseudonyms).toEqual(Object.keys(box));
    });

    it('treats a human actor id like payload text: an email reviewer is pseudonymised, its own subject', async () => {
      const human = auditedEvent(
        EventTypes.IntentDecided,
        { verdict: 'allow', decidedBy: 'human', reviewers: ['lead@maison.example'] },
        { source: 'agentops/escalation' },
      );
      const [r] = (await appender.appendBatch(intents.chainId, [intents.item(human)])).appended;
      expect(r.actorKind).toBe('human');
      expect(r.actorId).not.toContain('lead@maison.example');
      expect(Object.keys(r.sealed)).toHaveLength(1);
      expect(r.subjects.length).toBeGreaterThan(0);
    });

    it('keeps no clear value of an erased subject: the record is sealed with null, and still chained', async () => {
      const [first] = (
        await appender.appendBatch(intents.chainId, [intents.item(intent('mail jane.doe@example.com'))])
      ).appended;
      const [subject] = Object.keys(first.sealed);
      chains.erase('maison', subject);
      const [later] = (
        await appender.appendBatch(intents.chainId, [intents.item(intent('mail jane.doe@example.com again'))])
      ).appended;
      expect(later.sealed[subject]).toEqual({ pseudonyms: first.sealed[subject].pseudonyms, value: null });
      expectIntactChain(chains.chain(intents.chainId));
    });
  });

  describe('checkpoints', () => {
    const items = (n: number) => Array.from({ length: n }, () => intents.item(intent()));

    it('signs one once a chain has grown by everyRecords since the last, over its head', async () => {
      expect((await appender.appendBatch(intents.chainId, items(4))).checkpoints).toEqual([]);
      clock.advance(1000);
      const { appended, checkpoints } = await appender.appendBatch(intents.chainId, items(1));
      expect(checkpoints).toHaveLength(1);
      const [cp] = checkpoints;
      expect(cp).toMatchObject({
        chainId: intents.chainId,
        sequence: 4,
        headHash: appended[0].hash,
        signedAt: '2026-03-02T09:00:01.000Z',
      });
      expect(verifyCheckpoint(signingKey.publicKeyPem, cp)).toBe(true);
      expect(chains.checkpoints).toEqual([{ ...cp, publicKey: signingKey.publicKeyPem }]);
      expect((await appender.appendBatch(intents.chainId, items(4))).checkpoints).toEqual([]);
    });

    it('signs one on the next append once everySeconds have passed since the last, however few records', async () => {
      await appender.appendBatch(intents.chainId, items(1));
      clock.advance(59_000);
      expect((await appender.appendBatch(intents.chainId, items(1))).checkpoints).toEqual([]);
      clock.advance(1_000);
      const { checkpoints } = await appender.appendBatch(intents.chainId, items(1));
      expect(checkpoints.map((c) => c.sequence)).toEqual([2]);
    });

    it('checkpoints idle chains that grew, once their last checkpoint is older than everySeconds', async () => {
      const quiet = new SourcePartition('agentops.decisions.v1', 0);
      await appender.appendBatch(intents.chainId, items(2));
      await appender.appendBatch(quiet.chainId, [quiet.item(intent())]);
      clock.advance(30_000);
      expect(await appender.checkpointIdleChains()).toEqual([]);
      clock.advance(31_000);
      const signed = await appender.checkpointIdleChains();
      expect(signed.map((c) => [c.chainId, c.sequence]).sort()).toEqual([
        [quiet.chainId, 0],
        [intents.chainId, 1],
      ]);
      clock.advance(120_000);
      expect(await appender.checkpointIdleChains()).toEqual([]); // nothing new since
    });

    it('never checkpoints a chain without records', async () => {
      clock.advance(3_600_000);
      expect((await appender.appendBatch(intents.chainId, [])).checkpoints).toEqual([]);
      expect(chains.head(intents.chainId)).toEqual({
        chainId: intents.chainId,
        sequence: -1,
        hash: GENESIS_HASH,
      });
      expect(await appender.checkpointIdleChains()).toEqual([]);
    });
  });
});
