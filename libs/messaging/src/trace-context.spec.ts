import { EnvelopeAttributes } from '@agentops/contracts';
import { childTraceparent, newTraceparent, traceIdOf } from './trace-context';

const W3C = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
const PARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

function parts(traceparent: string): { traceId: string; parentId: string; flags: string } {
  const match = W3C.exec(traceparent);
  if (!match) throw new Error(`not a W3C traceparent: ${traceparent}`);
  return { traceId: match[1], parentId: match[2], flags: match[3] };
}

describe('newTraceparent', () => {
  it('produces a sampled W3C traceparent the envelope accepts', () => {
    const tp = newTraceparent();
    expect(tp).toMatch(W3C);
    expect(parts(tp).flags).toBe('01');
    expect(parts(tp).traceId).not.toMatch(/^0+$/);
    expect(EnvelopeAttributes.shape.traceparent.safeParse(tp).success).toBe(true);
  });

  it('starts a different trace every time', () => {
    const ids = new Set(Array.from({ length: 50 }, () => parts(newTraceparent()).traceId));
    expect(ids.size).toBe(50);
  });
});

describe('childTraceparent', () => {
  it('keeps the trace id and flags and takes a new parent id', () => {
    const child = childTraceparent(PARENT);
    expect(parts(child).traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(parts(child).flags).toBe('01');
    expect(parts(child).parentId).not.toBe('00f067aa0ba902b7');
  });

  it('preserves an unsampled flag', () => {
    const unsampled = PARENT.replace(/-01$/, '-00');
    expect(parts(childTraceparent(unsampled)).flags).toBe('00');
  });

  it('gives siblings distinct parent ids', () => {
    expect(parts(childTraceparent(PARENT)).parentId).not.toBe(parts(childTraceparent(PARENT)).parentId);
  });

  it.each([
    ['no parent', undefined],
    ['an empty string', ''],
    ['garbage', 'hello'],
    ['upper-case hex', PARENT.toUpperCase()],
    ['an unknown version', PARENT.replace(/^00/, '01')],
    ['an all-zero trace id', `00-${'0'.repeat(32)}-00f067aa0ba902b7-01`],
  ])('starts a new trace from %s', (_label, parent) => {
    const child = childTraceparent(parent);
    expect(child).toMatch(W3C);
    expect(parts(child).traceId).not.toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(parts(child).traceId).not.toMatch(/^0+$/);
  });
});

describe('traceIdOf', () => {
  it('extracts the trace id of a valid traceparent', () => {
    expect(traceIdOf(PARENT)).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(traceIdOf(childTraceparent(PARENT))).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
  });

  it('returns undefined for missing or invalid input', () => {
    expect(traceIdOf(undefined)).toBeUndefined();
    expect(traceIdOf('')).toBeUndefined();
    expect(traceIdOf('00-abc-def-01')).toBeUndefined();
  });
});
