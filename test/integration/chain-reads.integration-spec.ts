import { generateSigningKey, signCheckpoint } from '@agentops/audit-chain';
import { newEventId } from '@agentops/messaging';
import { DataSource } from 'typeorm';
import { typeormSql } from '../../services/audit/src/chain/sql';
import { ChainReads } from '../../services/audit/src/verification/chain-reads';
import { auditChainWriter } from '../support/audit-chains';
import { serviceDataSource } from '../support/service-data-source';

/**
 * Audit's verification reads (`ChainReads`, shared by the service, the CLI and the benchmark) on
 * the real PostgreSQL, connected as the audit service's own role: chains listed, checkpoints by
 * range, anchors, keyset pages of a chain in (sequence, recorded_at, event_id) order, records by
 * event id. The chains are this suite's own; audit's tables are append-only for its role, so they
 * stay in the run's database, which the global teardown drops.
 */
const RUN = Date.now().toString(36);

describe('ChainReads on PostgreSQL', () => {
  let ds: DataSource;
  let reads: ChainReads;
  let writer: ReturnType<typeof auditChainWriter>;
  const START = {
    sequence: -1,
    recordedAt: '1970-01-01T00:00:00.000Z',
    eventId: '00000000-0000-0000-0000-000000000000',
  };

  beforeAll(async () => {
    ds = await serviceDataSource('audit', 'chain-reads-test');
    reads = new ChainReads(typeormSql(ds));
    writer = auditChainWriter(ds, `it-chain-reads-${RUN}`);
  });

  afterAll(async () => {
    await ds?.destroy();
  });

  it('lists the chains, reads a chain in keyset pages in order, and stops at `to`', async () => {
    const stored = await writer.append(
      `it-cr-${RUN}`,
      Array.from({ length: 5 }, () => ({})),
    );
    const chainId = stored[0].chainId;
    expect(await reads.chainIds()).toContain(chainId);
    const first = await reads.recordsAfter(chainId, START, undefined, 2);
    const last = first[first.length - 1];
    const rest = await reads.recordsAfter(chainId, last, undefined, 10);
    expect([...first, ...rest].map((r) => [r.sequence, r.eventId, r.hash])).toEqual(
      stored.map((r) => [r.sequence, r.eventId, r.hash]),
    );
    expect((await reads.recordsAfter(chainId, START, 2, 10)).map((r) => r.sequence)).toEqual([0, 1, 2]);
    expect(await reads.recordsAfter(`it-chain-reads-${RUN}:none`, START, undefined, 10)).toEqual([]);
  });

  it('finds the anchor hash at a sequence and a record by its event id', async () => {
    const stored = await writer.append(`it-cr-${RUN}`, [{}, {}, {}]);
    const chainId = stored[0].chainId;
    expect(await reads.hashAt(chainId, 1)).toBe(stored[1].hash);
    expect(await reads.hashAt(chainId, 9)).toBeUndefined();
    expect(await reads.recordOf(stored[2].eventId)).toMatchObject({
      eventId: stored[2].eventId,
      chainId,
      sequence: 2,
      hash: stored[2].hash,
    });
    expect(await reads.recordOf(newEventId())).toBeUndefined();
  });

  it('reads checkpoints by sequence range and the first one from a sequence, with their public key', async () => {
    const stored = await writer.append(
      `it-cr-${RUN}`,
      Array.from({ length: 6 }, () => ({})),
    );
    const chainId = stored[0].chainId;
    const key = generateSigningKey();
    const checkpointAt = (sequence: number) =>
      signCheckpoint(key, {
        chainId,
        sequence,
        headHash: stored[sequence].hash,
        signedAt: new Date().toISOString(),
      });
    const cps = [checkpointAt(1), checkpointAt(3), checkpointAt(5)];
    for (const cp of cps)
      await writer.repo.transaction(async (tx) => {
        await tx.lockHead(chainId);
        await tx.saveCheckpoint(cp, key.publicKeyPem);
      });
    expect((await reads.checkpoints(chainId, 2, undefined)).map((c) => c.sequence)).toEqual([3, 5]);
    expect((await reads.checkpoints(chainId, 0, 3)).map((c) => c.sequence)).toEqual([1, 3]);
    const first = await reads.firstCheckpointFrom(chainId, 2);
    expect(first).toMatchObject({
      chainId,
      sequence: 3,
      headHash: stored[3].hash,
      keyId: cps[1].keyId,
      signature: cps[1].signature,
      publicKey: key.publicKeyPem,
    });
    expect(await reads.firstCheckpointFrom(chainId, 6)).toBeUndefined();
  });
});
