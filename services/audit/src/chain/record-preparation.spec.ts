import { GENESIS_HASH, recordHash } from '@agentops/audit-chain';
import { EventTypes } from '@agentops/contracts';
import { unseal } from '@agentops/privacy';
import { randomBytes } from 'node:crypto';
import { PayloadPrivacy, sealAad } from '../privacy/payload-privacy';
import { hashedBody } from '../records/record-content';
import { SourcePartition, auditedEvent } from '../testing/audit-doubles';
import { PreparedRecord, linked } from './append-steps';
import { WantedSubjectKey } from './chain-append-repository';
import { InThreadPreparation, WorkerPoolPreparation, defaultPreparationWorkers } from './record-preparation';

/**
 * The worker pool against the same steps in this thread: the slices come back in batch order with
 * the same content, the keys are asked for once per batch, and a failed lookup fails the batch
 * without leaving a worker waiting.
 */
const SECRET = 'unit-pseudonym-secret-0123456789abcdef';

describe('WorkerPoolPreparation', () => {
  const pool = new WorkerPoolPreparation(SECRET, 2, 3);
  const inThread = new InThreadPreparation(new PayloadPrivacy(SECRET));
  afterAll(() => pool.close());

  const source = new SourcePartition('agentops.intents.v1', 1);
  const batch = Array.from({ length: 10 }, (_, i) =>
    source.item(
      auditedEvent(EventTypes.IntentProposed, {
        action: 'service.issue_refund',
        target: { type: i % 3 ? 'customer' : 'order', id: `C-${i % 4}` },
        justification: `write to c${i}@example.com or call +44 20 7946 ${1000 + i}`,
      }),
    ),
  );
  const at = { chainId: source.chainId, firstSequence: 7, recordedAt: '2026-03-02T09:00:00.000Z' };
  const keys = new Map<string, Buffer>();
  const lookups: WantedSubjectKey[][] = [];
  const keysFor = async (wanted: WantedSubjectKey[]) => {
    lookups.push(wanted);
    for (const w of wanted) {
      const id = `${w.tenantId}\u0000${w.subject}`;
      if (!keys.has(id)) keys.set(id, randomBytes(32));
    }
    return new Map(
      wanted.map((w) => [`${w.tenantId}\u0000${w.subject}`, keys.get(`${w.tenantId}\u0000${w.subject}`)!]),
    );
  };
  /** A prepared record without its sealed ciphertexts and template (fresh nonces each time). */
  const comparable = (p: PreparedRecord) => ({
    ...p,
    link: undefined,
    content: {
      ...p.content,
      sealed: Object.fromEntries(Object.entries(p.content.sealed).map(([s, v]) => [s, v.pseudonyms])),
    },
  });

  beforeEach(() => {
    lookups.length = 0;
  });

  it('prepares what the steps prepare in this thread, in batch order, with one key lookup', async () => {
    const pooled = await pool.prepare(batch, at, keysFor);
    expect(lookups).toHaveLength(1);
    const expected = await inThread.prepare(batch, at, keysFor);
    expect(pooled.map(comparable)).toEqual(expected.map(comparable));
    expect(pooled.map((p) => p.sequence)).toEqual(Array.from({ length: 10 }, (_, i) => 7 + i));

    // Each template hashes to what verification recomputes, and the values are sealed under the keys given.
    const { records } = linked({ chainId: source.chainId, sequence: 6, hash: GENESIS_HASH }, pooled);
    for (const r of records) {
      expect(recordHash(hashedBody(r))).toBe(r.hash);
      for (const [subject, box] of Object.entries(r.sealed)) {
        const key = keys.get(`${r.tenantId}\u0000${subject}`)!;
        const clear = JSON.parse(unseal(key, box.value!, sealAad(r.tenantId, subject, r.eventId)));
        expect(Object.keys(clear).sort()).toEqual(box.pseudonyms);
      }
    }
  });

  it('fails the batch when the key lookup fails, and the pool goes on with the next one', async () => {
    await expect(
      pool.prepare(batch, at, async () => {
        throw new Error('subject_keys unavailable');
      }),
    ).rejects.toThrow('subject_keys unavailable');
    await expect(pool.prepare(batch.slice(0, 4), at, keysFor)).resolves.toHaveLength(4);
  });

  it('fails the batch when a slice fails, whatever the other slices were doing', async () => {
    const bad = [
      ...batch.slice(0, 6),
      { ...batch[6], event: { ...batch[6].event, data: { n: Number.NaN } } },
    ];
    await expect(pool.prepare(bad, at, keysFor)).rejects.toThrow(/non-finite/);
    await expect(pool.prepare(batch.slice(0, 4), at, keysFor)).resolves.toHaveLength(4);
  });

  it('prepares an empty batch', async () => {
    await expect(pool.prepare([], at, keysFor)).resolves.toEqual([]);
  });
});

describe('defaultPreparationWorkers', () => {
  it('keeps the work in thread below 4 cores (measured slower there) and leaves one core to the event loop above', () => {
    expect([1, 2, 3, 4, 8].map((cores) => defaultPreparationWorkers(cores))).toEqual([0, 0, 0, 3, 7]);
  });
});
