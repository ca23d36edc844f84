import { resolve } from 'node:path';
import { BreakerDefinition, loadBreakerDefinitions } from './breaker-definition';

describe('breaker definitions', () => {
  it('loads the shipped policies/breakers folder', () => {
    const defs = loadBreakerDefinitions(resolve(__dirname, '../../../../policies/breakers'));
    const blast = defs.find((d) => d.name === 'pricing-blast-radius');
    expect(blast).toMatchObject({
      metric: 'distinct_skus_repriced',
      window: 60_000,
      threshold: 20,
      per: 'tenant',
      coolDown: 600_000,
    });
    expect(new Set(defs.map((d) => d.metric)).size).toBe(6);
  });

  it('refuses a cohort or trip glob beyond the caps', () => {
    const bad = BreakerDefinition.safeParse({
      name: 'x',
      metric: 'deny_rate',
      window: '1m',
      threshold: 0.5,
      coolDown: '1m',
      halfOpen: { probation: '1m' },
      cohort: { action: '*a*a*a*a*a*b' },
      trip: { selector: { action: `${'a'.repeat(100)}.*` } },
    });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual([
      'cohort.action: at most 4 * wildcards (found 6)',
      'trip.selector.action: at most 100 characters',
    ]);
  });

  it('names the bad field', () => {
    const bad = BreakerDefinition.safeParse({
      name: 'x',
      metric: 'nope',
      window: '5 minutes',
      threshold: 1,
      coolDown: '1m',
      halfOpen: { probation: '1m' },
    });
    expect(bad.success).toBe(false);
    const paths = bad.error!.issues.map((i) => i.path.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['metric', 'window']));
  });
});
