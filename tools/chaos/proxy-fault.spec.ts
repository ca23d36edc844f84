import { HeldChunks } from './proxy-fault';

describe('chaos proxy faults: what each does to the bytes of one direction', () => {
  it('forwards at once without a fault', () => {
    const held = new HeldChunks<string>();
    held.push('a', 100);
    held.push('b', 100);
    expect(held.take(100)).toEqual(['a', 'b']);
    expect(held.nextDueAt()).toBeNull();
  });

  it('holds each chunk for the latency, in order', () => {
    const held = new HeldChunks<string>({ kind: 'latency', ms: 200 });
    held.push('a', 0);
    held.push('b', 50);
    expect(held.take(199)).toEqual([]);
    expect(held.nextDueAt()).toBe(200);
    expect(held.take(200)).toEqual(['a']);
    expect(held.take(250)).toEqual(['b']);
  });

  it('holds everything during a partition and delivers it, in order, when it heals', () => {
    const held = new HeldChunks<string>({ kind: 'partition' });
    held.push('a', 0);
    held.push('b', 10_000);
    expect(held.take(60_000)).toEqual([]);
    expect(held.nextDueAt()).toBeNull();
    expect(held.size).toBe(2);
    held.setFault({ kind: 'none' }, 30_000);
    expect(held.take(30_000)).toEqual(['a', 'b']);
  });

  it('keeps arrival order when a fault change would let a later chunk overtake', () => {
    const held = new HeldChunks<string>({ kind: 'latency', ms: 500 });
    held.push('slow', 0);
    held.setFault({ kind: 'none' }, 10);
    held.push('fast', 10);
    expect(held.take(10)).toEqual([]);
    expect(held.take(500)).toEqual(['slow', 'fast']);
  });

  it('holds chunks that arrive during a partition behind the ones delayed before it', () => {
    const held = new HeldChunks<string>({ kind: 'latency', ms: 100 });
    held.push('before', 0);
    held.setFault({ kind: 'partition' }, 50);
    held.push('during', 60);
    expect(held.take(100)).toEqual(['before']);
    expect(held.take(5000)).toEqual([]);
    held.setFault({ kind: 'latency', ms: 100 }, 6000);
    expect(held.take(6099)).toEqual([]);
    expect(held.take(6100)).toEqual(['during']);
  });
});
