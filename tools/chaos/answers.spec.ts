import { AnswerSample, acceptedIntentIds, countKinds, failClosedOutside, recoverySeconds } from './answers';

const at = (sentAtMs: number, kind: AnswerSample['kind'] = 'decided', latencyMs = 20): AnswerSample => ({
  sentAtMs,
  latencyMs,
  kind,
  intentId: kind === 'decided' || kind === 'fail_closed' ? `i${sentAtMs}` : undefined,
});

describe('chaos answers: recovery and fail-closed answers', () => {
  it('recovers at once when nothing after the fault was unhealthy', () => {
    expect(recoverySeconds([at(0), at(1000, 'unreachable'), at(5000), at(6000)], 4000, 2000)).toBe(0);
  });

  it('measures from the end of the fault to the first healthy proposal after the last unhealthy one', () => {
    const samples = [at(0), at(5000, 'fail_closed'), at(9000, 'unreachable'), at(12_000), at(13_000)];
    expect(recoverySeconds(samples, 4000, 2000)).toBe(8);
  });

  it('takes a decision slower than the latency limit as not yet recovered', () => {
    const samples = [at(5000, 'decided', 9000), at(7000)];
    expect(recoverySeconds(samples, 4000, 2000)).toBe(3);
  });

  it('says not recovered when the last answers are still unhealthy', () => {
    expect(recoverySeconds([at(0), at(5000, 'unreachable')], 4000, 2000)).toBeNull();
  });

  it('counts fail-closed answers to proposals made before the fault or after recovery', () => {
    const samples = [
      at(500, 'fail_closed'),
      at(2000, 'unreachable'),
      at(6000, 'fail_closed'),
      at(9000, 'unreachable'),
    ];
    expect(failClosedOutside(samples, { startMs: 1000, endMs: 4000, recoverySeconds: 3 })).toBe(2);
    expect(failClosedOutside(samples, { startMs: 1000, endMs: 4000, recoverySeconds: null })).toBe(1);
  });

  it('counts a proposal made before the fault and still waiting when it began as inside it', () => {
    const waiting = at(500, 'fail_closed', 5000);
    const answeredBefore = at(200, 'fail_closed', 600);
    const window = { startMs: 1000, endMs: 4000, recoverySeconds: 3 };
    expect(failClosedOutside([waiting], window)).toBe(0);
    expect(failClosedOutside([answeredBefore], window)).toBe(1);
  });

  it('accepts only the intents the platform answered with 2xx, and counts each kind', () => {
    const samples = [at(1), at(2, 'fail_closed'), at(3, 'unreachable'), at(4, 'refused')];
    expect(acceptedIntentIds(samples)).toEqual(['i1', 'i2']);
    expect(countKinds(samples)).toEqual({ decided: 1, fail_closed: 1, unreachable: 1, refused: 1 });
  });
});
