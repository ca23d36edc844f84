import type { AccessAnomalyDetectedV1, AccessBaseline } from '@agentops/contracts';
import { approx, featuresNow, quarantinesOf } from './access';

const baseline = (over: Partial<AccessBaseline> = {}): AccessBaseline => ({
  agentId: 'svc-1',
  tenantId: 'maison',
  role: 'service',
  version: '1',
  from: 'agent',
  perIntent: { records: { mean: 4, sd: 1 }, subjects: { mean: 1, sd: 0 }, reads: { mean: 2, sd: 0.5 } },
  now: { records: 40, subjects: 2, reads: 4, intents: 2 },
  quarantineSwitchId: null,
  ...over,
});

const anomaly = (id: string, at: string, switchId?: string): AccessAnomalyDetectedV1 => ({
  anomalyId: id,
  agentId: 'svc-1',
  tenantId: 'maison',
  role: 'service',
  version: '1',
  feature: 'records',
  detector: 'ewma',
  severity: switchId ? 'high' : 'medium',
  observed: 40,
  baseline: 4,
  deviation: 12,
  baselineFrom: 'agent',
  window: { start: at, end: at, intents: 2 },
  detectedAt: at,
  message: 'm',
  ...(switchId ? { quarantine: { switchId } } : {}),
});

describe('featuresNow', () => {
  it('compares the open bucket per intent with the baseline, in standard deviations', () => {
    const [records, subjects, reads] = featuresNow(baseline());
    expect(records).toMatchObject({ now: 20, mean: 4, z: 16, tone: 'danger' });
    // No spread to measure: no z, and not flagged.
    expect(subjects).toMatchObject({ now: 1, z: null, tone: 'ok' });
    expect(reads).toMatchObject({ now: 2, z: 0, tone: 'ok' });
  });
  it('says when there is no baseline yet, and counts a bucket with no intent as it is', () => {
    const [records] = featuresNow(
      baseline({ perIntent: null, from: null, now: { records: 7, subjects: 1, reads: 1, intents: 0 } }),
    );
    expect(records).toMatchObject({ now: 7, mean: null, tone: 'none' });
  });
});

describe('quarantinesOf', () => {
  it('groups the anomalies by the switch they name, newest quarantine first, since its first anomaly', () => {
    const q = quarantinesOf([
      anomaly('a3', '2026-12-01T10:05:00.000Z', 'sw-2'),
      anomaly('a2', '2026-12-01T09:01:00.000Z', 'sw-1'),
      anomaly('a1', '2026-12-01T09:00:00.000Z', 'sw-1'),
      anomaly('a0', '2026-12-01T08:00:00.000Z'),
    ]);
    expect(q.map((x) => [x.switchId, x.since, x.anomalies.map((a) => a.anomalyId)])).toEqual([
      ['sw-2', '2026-12-01T10:05:00.000Z', ['a3']],
      ['sw-1', '2026-12-01T09:00:00.000Z', ['a1', 'a2']],
    ]);
  });
});

describe('approx', () => {
  it('keeps three significant digits', () => {
    expect([approx(12.3456), approx(0.000123456), approx(null), approx(Infinity)]).toEqual([
      '12.3',
      '0.000123',
      '–',
      '–',
    ]);
  });
});
