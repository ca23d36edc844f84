import { summarizeVerification } from './verification-summary';

describe('summarizeVerification', () => {
  const chain = (chainId: string, checked: number, ok = true, checkpointsChecked = 0) => ({
    chainId,
    ok,
    checked,
    checkpointsChecked,
  });

  it('counts chains, recomputed records and signed checkpoints instead of dumping every chain', () => {
    expect(
      summarizeVerification({ ok: true, records: 30, chains: [chain('a:0', 20, true, 2), chain('b:1', 10)] }),
    ).toBe('2 chains, 30 records recomputed, 2 signed checkpoints checked');
  });

  it('names the first break: chain, sequence and reason', () => {
    expect(
      summarizeVerification({
        ok: false,
        chains: [chain('a:0', 20), chain('b:1', 4, false)],
        firstFailure: { chainId: 'b:1', reason: 'hash_mismatch', sequence: 3, detail: 'stored hash differs' },
      }),
    ).toBe(
      '2 chains, 24 records recomputed, 0 signed checkpoints checked; 1 broken, first break: b:1 at sequence 3 (hash_mismatch: stored hash differs)',
    );
  });

  it('says why nothing was verified when the call failed', () => {
    expect(summarizeVerification({ ok: false, error: 'HTTP 503' })).toBe('could not verify: HTTP 503');
  });
});
