import { armForBucket, assignArm, assignmentBucket, bucketLayout, readUnit } from './assignment';
import vectors from './assignment-vectors.json';
import { chiSquareSurvival } from './normal';

describe('assignment', () => {
  it('matches the golden vectors the SDK reimplements', () => {
    for (const v of vectors.vectors) expect(assignmentBucket(v.salt, v.rolloutKey, v.unit)).toBe(v.bucket);
  });

  it('is deterministic and depends on salt, rollout and unit', () => {
    expect(assignmentBucket('salt', 'pricing-v2', 'sku-1')).toBe(
      assignmentBucket('salt', 'pricing-v2', 'sku-1'),
    );
    const base = Array.from({ length: 200 }, (_, i) => assignmentBucket('salt', 'pricing-v2', `sku-${i}`));
    const otherSalt = Array.from({ length: 200 }, (_, i) =>
      assignmentBucket('salt2', 'pricing-v2', `sku-${i}`),
    );
    const otherKey = Array.from({ length: 200 }, (_, i) =>
      assignmentBucket('salt', 'pricing-v3', `sku-${i}`),
    );
    expect(base.filter((b, i) => b === otherSalt[i]).length).toBeLessThan(5);
    expect(base.filter((b, i) => b === otherKey[i]).length).toBeLessThan(5);
  });

  it('spreads 100 000 units uniformly over the buckets (chi-square over 100 bins)', () => {
    const bins = new Array<number>(100).fill(0);
    const n = 100_000;
    for (let i = 0; i < n; i++)
      bins[Math.floor(assignmentBucket('uniformity', 'pricing-v2', `sku-${i}`) / 100)] += 1;
    const expected = n / 100;
    const chi2 = bins.reduce((s, o) => s + ((o - expected) * (o - expected)) / expected, 0);
    expect(chiSquareSurvival(chi2, 99)).toBeGreaterThan(0.001);
  });

  it('gives each arm its weight, candidates the low buckets', () => {
    const layout = bucketLayout('stable', ['v2'], { stable: 90, v2: 10 });
    expect(armForBucket(layout, 0)).toBe('v2');
    expect(armForBucket(layout, 999)).toBe('v2');
    expect(armForBucket(layout, 1000)).toBe('stable');
    expect(armForBucket(layout, 9999)).toBe('stable');
    const n = 100_000;
    let candidate = 0;
    for (let i = 0; i < n; i++) if (assignArm('weights', 'pricing-v2', `u${i}`, layout) === 'v2') candidate++;
    // 10 % ± 4 standard deviations of a binomial share.
    expect(Math.abs(candidate / n - 0.1)).toBeLessThan(4 * Math.sqrt((0.1 * 0.9) / n));
  });

  it('lays several candidates out in declared order and skips zero weights', () => {
    const layout = bucketLayout('a', ['b', 'c', 'd'], { a: 50, b: 25, c: 0, d: 25.5 });
    expect(layout).toEqual({ arms: ['b', 'd', 'a'], upper: [2500, 5050, 10000] });
  });

  it('keeps a candidate unit on the candidate when its weight grows', () => {
    const at10 = bucketLayout('stable', ['v2'], { stable: 90, v2: 10 });
    const at25 = bucketLayout('stable', ['v2'], { stable: 75, v2: 25 });
    for (let i = 0; i < 5000; i++) {
      const unit = `sku-${i}`;
      if (assignArm('ramp', 'k', unit, at10) === 'v2') expect(assignArm('ramp', 'k', unit, at25)).toBe('v2');
    }
  });

  it('reads the unit at the rollout path', () => {
    const intent = {
      params: { sku: 'SKU-1', n: 42, nested: { id: 'x' }, list: ['a'] },
      target: { type: 'sku', id: 'T-9' },
    };
    expect(readUnit(intent, 'params.sku')).toBe('SKU-1');
    expect(readUnit(intent, 'params.n')).toBe('42');
    expect(readUnit(intent, 'params.nested.id')).toBe('x');
    expect(readUnit(intent, 'target.id')).toBe('T-9');
    expect(readUnit(intent, 'params.missing')).toBeUndefined();
    expect(readUnit(intent, 'params.nested')).toBeUndefined();
    expect(readUnit(intent, 'params.list.0')).toBeUndefined();
    expect(readUnit({ params: { sku: '' } }, 'params.sku')).toBeUndefined();
    // Inherited properties are not data: no walking into prototypes.
    expect(readUnit({ params: {} }, 'params.constructor')).toBeUndefined();
    expect(readUnit({ params: { sku: 'x' } }, 'params.sku.length')).toBeUndefined();
  });
});
