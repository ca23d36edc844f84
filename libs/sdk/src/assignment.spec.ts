import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { assignVariant, assignmentBucket } from './assignment';

// The platform's golden vectors: the SDK must bucket exactly as libs/rollout-analysis does.
const golden = JSON.parse(
  readFileSync(join(__dirname, '../../rollout-analysis/src/assignment-vectors.json'), 'utf8'),
) as { vectors: { salt: string; rolloutKey: string; unit: string; bucket: number }[] };

describe('SDK assignment', () => {
  it('buckets every golden vector as the platform does', () => {
    expect(golden.vectors.length).toBeGreaterThan(3);
    for (const v of golden.vectors) expect(assignmentBucket(v.salt, v.rolloutKey, v.unit)).toBe(v.bucket);
  });

  it('gives candidates the low buckets and the baseline the rest; a weight of 0 serves nobody', () => {
    const rollout = {
      rolloutId: 'r',
      key: 'pricing-v2',
      unitPath: 'params.sku',
      salt: 's3cr3t-salt',
      baseline: { name: 'v1', agentVersion: '1' },
      candidates: [{ name: 'v2', agentVersion: '2' }],
      status: 'running',
      weights: { v1: 10, v2: 90 },
      generation: 1,
    };
    for (const v of golden.vectors.filter((g) => g.salt === 's3cr3t-salt' && g.rolloutKey === 'pricing-v2'))
      expect(assignVariant(rollout, v.unit).name).toBe(v.bucket < 9000 ? 'v2' : 'v1');
    expect(assignVariant({ ...rollout, weights: { v1: 100, v2: 0 } }, 'sku-1')).toEqual({
      rollout: 'pricing-v2',
      name: 'v1',
      agentVersion: '1',
    });
  });
});
