import { newEventId } from '@agentops/messaging';
import { DataSource } from 'typeorm';
import { BreakGlassLog } from '../../services/console/src/identity/break-glass-log';
import { serviceDataSource } from '../support/service-data-source';

/**
 * The console's break-glass log on the real PostgreSQL, connected as the console's own role: every
 * operator token taken is recorded once, and its revocation keeps its first time. The rows are this
 * suite's own and deleted at the end.
 */
describe('BreakGlassLog on PostgreSQL', () => {
  let ds: DataSource;
  let log: BreakGlassLog;
  const tokenIds: string[] = [];

  beforeAll(async () => {
    ds = await serviceDataSource('console', 'break-glass-log-test');
    log = new BreakGlassLog(ds);
  });

  afterAll(async () => {
    await ds?.query(`DELETE FROM break_glass_tokens WHERE token_id = ANY($1::uuid[])`, [tokenIds]);
    await ds?.destroy();
  });

  const token = () => {
    const tokenId = newEventId();
    tokenIds.push(tokenId);
    return {
      tokenId,
      reason: 'incident INC-7',
      issuedBy: 'ops@host',
      expiresAt: new Date('2026-03-02T12:00:00.000Z'),
    };
  };
  const rowOf = async (tokenId: string) =>
    (
      (await ds.query(
        `SELECT reason, issued_by, expires_at, revoked_at, issued_at FROM break_glass_tokens WHERE token_id = $1`,
        [tokenId],
      )) as {
        reason: string;
        issued_by: string;
        expires_at: Date;
        revoked_at: Date | null;
        issued_at: Date;
      }[]
    )[0];

  it('records a token taken, with who, why and until when, not revoked', async () => {
    const t = token();
    await log.record(t);
    expect(await rowOf(t.tokenId)).toMatchObject({
      reason: 'incident INC-7',
      issued_by: 'ops@host',
      expires_at: t.expiresAt,
      revoked_at: null,
    });
  });

  it('refuses to record one token id twice', async () => {
    const t = token();
    await log.record(t);
    await expect(log.record({ ...t, reason: 'again' })).rejects.toThrow(/duplicate key/);
    expect((await rowOf(t.tokenId)).reason).toBe('incident INC-7');
  });

  it('marks a token revoked once: a second revocation keeps the first time', async () => {
    const [t, other] = [token(), token()];
    await log.record(t);
    await log.record(other);
    await log.markRevoked(t.tokenId);
    const first = (await rowOf(t.tokenId)).revoked_at;
    expect(first).toBeInstanceOf(Date);
    expect(first!.getTime()).toBeGreaterThanOrEqual((await rowOf(t.tokenId)).issued_at.getTime());
    await new Promise((r) => setTimeout(r, 5));
    await log.markRevoked(t.tokenId);
    expect((await rowOf(t.tokenId)).revoked_at).toEqual(first);
    expect((await rowOf(other.tokenId)).revoked_at).toBeNull();
    await expect(log.markRevoked(newEventId())).resolves.toBeUndefined();
  });
});
