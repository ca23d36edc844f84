import { HyperLogLog, murmur3 } from './hyperloglog';

const pseudonym = (i: number) => `customer_${i.toString(16).padStart(32, '0')}`;

describe('HyperLogLog', () => {
  it('estimates distinct counts within 3 standard errors from 1 to 100,000 (p = 10)', () => {
    for (const n of [1, 10, 100, 1_000, 10_000, 100_000]) {
      const h = new HyperLogLog(10);
      for (let i = 0; i < n; i++) h.add(pseudonym(i));
      const se = 1.04 / Math.sqrt(1024);
      expect(Math.abs(h.count() - n) / n).toBeLessThanOrEqual(Math.max(3 * se, 1 / n + 0.01));
    }
  });

  it('counts repeats once', () => {
    const h = new HyperLogLog(10);
    for (let r = 0; r < 50; r++) for (let i = 0; i < 200; i++) h.add(pseudonym(i));
    expect(Math.abs(h.count() - 200)).toBeLessThan(12);
  });

  it('says whether an element grew a register', () => {
    const h = new HyperLogLog(10);
    expect(h.add('a')).toBe(true);
    expect(h.add('a')).toBe(false);
  });

  it('is empty before the first element, and its estimate is 0', () => {
    const h = new HyperLogLog(8);
    expect(h.isEmpty()).toBe(true);
    expect(h.count()).toBe(0);
  });

  it('merges to the union of two sketches', () => {
    const a = new HyperLogLog(10);
    const b = new HyperLogLog(10);
    for (let i = 0; i < 3000; i++) a.add(pseudonym(i));
    for (let i = 2000; i < 5000; i++) b.add(pseudonym(i));
    expect(Math.abs(a.merge(b).count() - 5000) / 5000).toBeLessThan(0.1);
    expect(() => a.merge(new HyperLogLog(8))).toThrow('precisions differ');
  });

  it('round-trips through serialise/parse with the same estimate and the same growth', () => {
    const h = new HyperLogLog(10);
    for (let i = 0; i < 777; i++) h.add(pseudonym(i));
    const back = HyperLogLog.parse(h.serialise());
    expect(back.count()).toBe(h.count());
    expect(back.add(pseudonym(5))).toBe(false);
  });

  it('refuses malformed serialisations and bad precisions', () => {
    expect(() => HyperLogLog.parse('nonsense')).toThrow('not a serialised HyperLogLog');
    expect(() => HyperLogLog.parse(`10:${Buffer.alloc(1024, 40).toString('base64')}`)).toThrow(
      'register out of range',
    );
    expect(() => HyperLogLog.parse(`10:${Buffer.alloc(10).toString('base64')}`)).toThrow(
      'expected 1024 registers',
    );
    expect(() => new HyperLogLog(3)).toThrow('precision');
  });

  it('hashes deterministically and spreads nearby strings', () => {
    expect(murmur3('customer_1')).toBe(murmur3('customer_1'));
    expect(murmur3('customer_1')).not.toBe(murmur3('customer_2'));
    expect(murmur3('abc')).not.toBe(murmur3('abd'));
    // odd and even lengths take both branches of the block loop
    expect(murmur3('')).toBe(0);
    expect(murmur3('a')).not.toBe(0);
  });
});
