import type { DataAccessReport } from '@agentops/contracts';
import { AccessMonitor } from './monitor';
import type { AccessAnomaly, AgentRef } from './types';

const MIN = 60_000;
const DAY0 = Date.UTC(2026, 11, 1, 9, 0, 0);
const svc = (id: string, version = '1.0.0'): AgentRef => ({
  id,
  tenantId: 'maison',
  role: 'service',
  version,
});
let subject = 0;
const nextSubject = () => `customer_${(subject++).toString(16).padStart(32, '0')}`;

function read(
  records: number,
  subjects = 1,
  dataClasses = ['customer'],
  source = 'crm.customers',
): DataAccessReport {
  return {
    kind: 'read',
    source,
    dataClasses,
    records,
    subjectIds: Array.from({ length: subjects }, nextSubject),
  };
}

/** `buckets` minutes of ordinary service work: `perBucket` intents, each after a read of 3–5 records of one customer. */
function work(
  m: AccessMonitor,
  ref: AgentRef,
  from: number,
  buckets: number,
  perBucket = 2,
  factor = 1,
): AccessAnomaly[] {
  const out: AccessAnomaly[] = [];
  for (let b = 0; b < buckets; b++) {
    for (let i = 0; i < perBucket; i++) {
      const at = from + b * MIN + 1000 + Math.floor((i * 50_000) / perBucket);
      const records = Math.round((3 + ((b + i) % 3)) * factor);
      const subjects = factor === 1 ? 1 : Math.round(factor * 2) / 2 >= 1.5 && (b + i) % 2 ? 2 : 1;
      out.push(...m.observeAccess(ref, at, read(records, subjects)));
      out.push(...m.observeIntent(ref, at + 500, { action: 'service.send_message' }));
    }
  }
  out.push(...m.tick(from + buckets * MIN));
  return out;
}

function trained(): AccessMonitor {
  const m = new AccessMonitor({ allowedDestinations: { maison: ['mail.maison.example'] } });
  expect(work(m, svc('svc-1'), DAY0, 200)).toEqual([]);
  return m;
}

describe('AccessMonitor: volume', () => {
  it('raises no alert through ordinary work and a 5× legitimate peak (normalised per intent)', () => {
    const m = trained();
    const peak = work(m, svc('svc-1'), DAY0 + 200 * MIN, 60, 10);
    // 13:00 UTC was never worked in while training: only the low off-hours note may appear.
    expect(peak.filter((a) => a.detector !== 'time_of_day')).toEqual([]);
    expect(peak.every((a) => a.severity === 'low')).toBe(true);
    expect(m.baselineOf('svc-1')?.from).toBe('agent');
  });

  it('catches a sweep within a few reads, naming feature, baseline, deviation and window', () => {
    const m = trained();
    const start = DAY0 + 200 * MIN + 5000;
    let found: AccessAnomaly | undefined;
    let reads = 0;
    for (; reads < 20 && !found; reads++) {
      const out = m.observeAccess(svc('svc-1'), start + reads * 2000, read(50, 50));
      found = out.find((a) => a.severity === 'high');
    }
    expect(reads).toBeLessThanOrEqual(3);
    expect(found).toMatchObject({
      agentId: 'svc-1',
      detector: 'ewma',
      baselineFrom: 'agent',
      severity: 'high',
    });
    expect(['records', 'subjects']).toContain(found!.feature);
    expect(found!.observed).toBeGreaterThan(found!.baseline);
    expect(found!.deviation).toBeGreaterThanOrEqual(10);
    expect(found!.window.endMs).toBe(found!.at);
    expect(found!.window.startMs).toBeLessThanOrEqual(start);
  });

  it('catches a 1.5× slow leak by CUSUM while no single bucket is alarming', () => {
    const m = trained();
    const out = work(m, svc('svc-1'), DAY0 + 200 * MIN, 120, 2, 1.5);
    const cusum = out.find((a) => a.detector === 'cusum');
    expect(cusum).toBeDefined();
    expect(cusum!.severity).not.toBe('low');
    expect(out.some((a) => a.detector === 'ewma')).toBe(false);
    expect(cusum!.at - (DAY0 + 200 * MIN)).toBeLessThan(2 * 3_600_000);
  });

  it('escalates a slow leak that goes on from a medium CUSUM note to a high one (which quarantines)', () => {
    const m = trained();
    const out = work(m, svc('svc-1'), DAY0 + 200 * MIN, 240, 2, 1.5).filter((a) => a.detector === 'cusum');
    const medium = out.find((a) => a.severity === 'medium');
    const high = out.find((a) => a.severity === 'high');
    expect(medium).toBeDefined();
    expect(high).toBeDefined();
    expect(high!.at).toBeGreaterThan(medium!.at);
    expect(high!.deviation).toBeGreaterThanOrEqual(50);
    expect(high!.feature).toBe(medium!.feature);
  });

  it('judges a new agent against its peers from its first read (no warm-up blind spot)', () => {
    const m = trained();
    const fresh = svc('svc-new');
    let found: AccessAnomaly | undefined;
    for (let i = 0; i < 5 && !found; i++)
      found = m
        .observeAccess(fresh, DAY0 + 201 * MIN + i * 1000, read(50, 50))
        .find((a) => a.severity === 'high');
    expect(found?.baselineFrom).toBe('cohort');
    expect(m.baselineOf('svc-new')?.from).toBe('cohort');
  });

  it('falls back to the role when the version is new', () => {
    const m = trained();
    const v2 = svc('svc-v2', '2.0.0');
    const out = m.observeAccess(v2, DAY0 + 201 * MIN, read(80, 80));
    expect(out.find((a) => a.severity === 'high')?.baselineFrom).toBe('role');
  });

  it('has no baseline at all before anyone has taught one, and does not guess', () => {
    const m = new AccessMonitor();
    expect(m.observeAccess(svc('x'), DAY0, read(500, 500))).toEqual([]);
    expect(m.baselineOf('x')).toBeUndefined();
    expect(m.baselineOf('nobody')).toBeUndefined();
  });

  it('judges an idle agent’s last bucket on tick', () => {
    const m = trained();
    const at = DAY0 + 200 * MIN + 1000;
    // 30 records for one intent: over the per-bucket z but under the in-flight minimum excess.
    const quiet = new AccessMonitor({ config: { inflightMinExcess: 1000 } });
    work(quiet, svc('svc-1'), DAY0, 200);
    expect(quiet.observeAccess(svc('svc-1'), at, read(60, 1))).toEqual([]);
    expect(quiet.observeIntent(svc('svc-1'), at + 10, { action: 'service.send_message' })).toEqual([]);
    const closed = quiet.tick(at + 2 * MIN);
    expect(closed.map((a) => [a.feature, a.detector])).toContainEqual(['records', 'ewma']);
    expect(m.tick(at)).toEqual([]);
  });

  it('carries reads without an intent into the next bucket instead of alarming', () => {
    const m = trained();
    const t = DAY0 + 200 * MIN;
    expect(m.observeAccess(svc('svc-1'), t + 59_000, read(8, 1))).toEqual([]);
    expect(m.observeIntent(svc('svc-1'), t + 61_000, { action: 'service.send_message' })).toEqual([]);
    expect(m.observeIntent(svc('svc-1'), t + 62_000, { action: 'service.send_message' })).toEqual([]);
    expect(m.tick(t + 3 * MIN)).toEqual([]);
  });

  it('judges carried reads on their own when no intent follows them', () => {
    const m = new AccessMonitor({ config: { inflightMinExcess: 1000 } });
    work(m, svc('svc-1'), DAY0, 200);
    const t = DAY0 + 200 * MIN;
    expect(m.observeAccess(svc('svc-1'), t + 1000, read(60, 1))).toEqual([]);
    const out = m.tick(t + 3 * MIN);
    const ewma = out.find((a) => a.detector === 'ewma' && a.feature === 'records');
    expect(ewma).toMatchObject({ observed: 60, window: { startMs: t, intents: 0 } });
  });

  it('does not accumulate drift against peers: a new agent that reads 1.5× its cohort is not a leak', () => {
    const m = trained();
    const out = work(m, svc('svc-heavy'), DAY0 + 200 * MIN, 70, 2, 1.5);
    expect(out.filter((a) => a.detector === 'cusum')).toEqual([]);
  });

  it('median/MAD flags a bucket an EWMA with a huge threshold lets pass', () => {
    const m = new AccessMonitor({ config: { zMedium: 1e9, zHigh: 1e9, inflightZ: 1e9, cusumH: 1e9 } });
    work(m, svc('svc-1'), DAY0, 60);
    const t = DAY0 + 60 * MIN;
    m.observeAccess(svc('svc-1'), t + 1000, read(40, 1));
    m.observeIntent(svc('svc-1'), t + 2000, { action: 'service.send_message' });
    const out = m.tick(t + MIN);
    expect(out.map((a) => a.detector)).toEqual(['robust']);
    expect(out[0]).toMatchObject({ feature: 'records', observed: 40, baseline: 4, severity: 'medium' });
  });

  it('stops learning while an alarm is raised, so a sweep does not become the baseline', () => {
    const m = trained();
    const before = m.baselineOf('svc-1')!.perIntent.records.mean;
    const t = DAY0 + 200 * MIN;
    for (let b = 0; b < 5; b++) {
      m.observeAccess(svc('svc-1'), t + b * MIN + 1000, read(200, 1));
      m.observeIntent(svc('svc-1'), t + b * MIN + 2000, { action: 'service.send_message' });
    }
    m.tick(t + 6 * MIN);
    expect(m.baselineOf('svc-1')!.perIntent.records.mean).toBeCloseTo(before, 6);
  });
});

describe('AccessMonitor: scopes, ceilings, first sightings, time of day, silence', () => {
  it('flags a read outside the scopes at once (high); a subclass of a granted class is within', () => {
    const m = new AccessMonitor();
    const out = m.observeAccess(svc('svc-1'), DAY0, read(2, 0, ['inventory']));
    expect(out).toEqual([
      expect.objectContaining({
        feature: 'data_classes',
        detector: 'scope',
        severity: 'high',
        baselineFrom: 'scope',
      }),
    ]);
    expect(m.observeAccess(svc('svc-1'), DAY0 + 1, read(2, 1, ['customer.pii']))).toEqual([]);
    const scoped: AgentRef = { ...svc('svc-2'), scopes: { actions: ['service.*'] } };
    expect(m.observeAccess(scoped, DAY0, read(2, 0, ['inventory']))).toEqual([]);
  });

  it('flags records over a class ceiling within one bucket', () => {
    const m = new AccessMonitor({ config: { recordCeilings: { customer: 100 } } });
    expect(m.observeAccess(svc('svc-1'), DAY0, read(60, 0, ['customer.order']))).toEqual([]);
    const out = m.observeAccess(svc('svc-1'), DAY0 + 1000, read(60, 0, ['customer']));
    expect(out).toEqual([
      expect.objectContaining({ detector: 'ceiling', observed: 120, baseline: 100, severity: 'high' }),
    ]);
  });

  it('flags a data class, a source and a destination new to the agent and its peers, once', () => {
    const m = trained();
    const t = DAY0 + 200 * MIN;
    const cls = m.observeAccess(svc('svc-1'), t, read(1, 1, ['order']));
    expect(cls).toEqual([
      expect.objectContaining({ feature: 'data_classes', detector: 'first_seen', severity: 'medium' }),
    ]);
    expect(m.observeAccess(svc('svc-1'), t + 1, read(1, 1, ['order']))).toEqual([]);
    const src = m.observeAccess(svc('svc-1'), t + 2, read(1, 1, ['customer'], 'crm.export'));
    expect(src).toEqual([expect.objectContaining({ feature: 'sources', severity: 'low' })]);
    // a peer reading the same class later is not a first sighting
    expect(m.observeAccess(svc('svc-peer'), t + 3, read(1, 1, ['order']))).toEqual([]);
    const egress: DataAccessReport = {
      kind: 'egress',
      source: 'mailer',
      dataClasses: [],
      records: 1,
      subjectIds: [],
      destination: 'new.example',
    };
    expect(m.observeAccess(svc('svc-1'), t + 4, egress)).toEqual([
      expect.objectContaining({ feature: 'egress_destinations', detector: 'first_seen' }),
    ]);
    expect(m.observeAccess(svc('svc-peer'), t + 5, egress)).toEqual([]);
  });

  it('marks reads in an hour the baseline never reads in (low)', () => {
    const m = new AccessMonitor();
    work(m, svc('svc-1'), DAY0, 300); // 09:00–14:00 UTC
    const night = Date.UTC(2026, 11, 2, 3, 0, 0);
    m.observeAccess(svc('svc-1'), night + 1000, read(4, 1));
    m.observeIntent(svc('svc-1'), night + 2000, { action: 'service.send_message' });
    const out = m.tick(night + MIN);
    expect(out).toEqual([expect.objectContaining({ feature: 'time_of_day', severity: 'low', baseline: 0 })]);
  });

  it('flags an agent that keeps proposing intents with no data access reported', () => {
    const m = trained();
    const t = DAY0 + 200 * MIN;
    const out: AccessAnomaly[] = [];
    for (let i = 0; i < 30; i++)
      out.push(...m.observeIntent(svc('svc-1'), t + i * 10_000, { action: 'service.send_message' }));
    expect(out).toEqual([
      expect.objectContaining({ detector: 'silence', severity: 'medium', deviation: 30 }),
    ]);
  });

  it('reports a repeated anomaly once per cooldown, and a higher severity at once', () => {
    const m = new AccessMonitor({ config: { cooldownMs: 10 * MIN } });
    const a = m.observeAccess(svc('svc-1'), DAY0, read(1, 0, ['inventory']));
    const b = m.observeAccess(svc('svc-1'), DAY0 + MIN, read(1, 0, ['inventory']));
    const c = m.observeAccess(svc('svc-1'), DAY0 + 11 * MIN, read(1, 0, ['inventory']));
    expect([a.length, b.length, c.length]).toEqual([1, 0, 1]);
  });
});

describe('AccessMonitor: flow rules before egress', () => {
  it('denies an unlisted egress after a PII read, with a high anomaly, and allows the listed one', () => {
    const m = trained();
    const t = DAY0 + 200 * MIN;
    m.observeAccess(svc('svc-1'), t, read(1, 1, ['customer.pii']));
    const denied = m.checkEgress(svc('svc-1'), t + 5 * MIN, {
      destination: 'paste.example',
      dataClasses: [],
      records: 1,
    });
    expect(denied.verdict).toBe('deny');
    expect(denied.anomalies).toEqual([
      expect.objectContaining({ detector: 'flow_rule', severity: 'high', baselineFrom: 'rule' }),
    ]);
    const allowed = m.checkEgress(svc('svc-1'), t + 5 * MIN, {
      destination: 'mail.maison.example',
      dataClasses: [],
      records: 1,
    });
    expect(allowed).toEqual({ verdict: 'allow', anomalies: [] });
  });

  it('follows tenant allow-list changes', () => {
    const m = new AccessMonitor();
    m.observeAccess(svc('svc-1'), DAY0, read(1, 1, ['customer.pii']));
    expect(
      m.checkEgress(svc('svc-1'), DAY0 + 1, { destination: 'partner.example', dataClasses: [], records: 1 })
        .verdict,
    ).toBe('deny');
    m.setAllowedDestinations('maison', ['partner.example']);
    expect(
      m.checkEgress(svc('svc-1'), DAY0 + 2, { destination: 'partner.example', dataClasses: [], records: 1 })
        .verdict,
    ).toBe('allow');
  });

  it('keeps at most historyMax steps', () => {
    const m = new AccessMonitor({ config: { historyMax: 5 } });
    m.observeAccess(svc('svc-1'), DAY0, read(1, 1, ['customer.pii']));
    for (let i = 1; i <= 5; i++) m.observeIntent(svc('svc-1'), DAY0 + i, { action: 'service.send_message' });
    expect(
      m.checkEgress(svc('svc-1'), DAY0 + 10, { destination: 'paste.example', dataClasses: [], records: 1 })
        .verdict,
    ).toBe('allow');
  });
});

describe('AccessMonitor: snapshot and restore', () => {
  it('continues after a JSON round trip exactly as the uninterrupted monitor', () => {
    const a = trained();
    const b = AccessMonitor.restore(JSON.parse(JSON.stringify(a.snapshot())));
    expect(b.agentCount()).toBe(1);
    expect(b.baselineOf('svc-1')).toEqual(a.baselineOf('svc-1'));
    const t = DAY0 + 200 * MIN;
    const run = (m: AccessMonitor) => [
      ...work(m, svc('svc-1'), t, 30, 2, 1.5),
      ...m.observeAccess(svc('svc-1'), t + 31 * MIN, read(1, 1, ['customer.pii'])),
      ...m.checkEgress(svc('svc-1'), t + 32 * MIN, {
        destination: 'paste.example',
        dataClasses: [],
        records: 1,
      }).anomalies,
      ...m.observeAccess(svc('svc-1'), t + 33 * MIN, read(300, 300)),
    ];
    subject = 0;
    const ra = run(a);
    subject = 0;
    const rb = run(b);
    expect(rb).toEqual(ra);
    expect(ra.length).toBeGreaterThan(0);
  });

  it('restores an open bucket with its distinct-customer sketch', () => {
    const a = trained();
    const t = DAY0 + 200 * MIN;
    a.observeAccess(svc('svc-1'), t, read(30, 30));
    const b = AccessMonitor.restore(JSON.parse(JSON.stringify(a.snapshot())));
    expect(b.baselineOf('svc-1')?.open.subjects).toBe(a.baselineOf('svc-1')?.open.subjects);
    expect(b.baselineOf('svc-1')?.open.subjects).toBeGreaterThan(25);
  });

  it('hands agents over on a rebalance: exported, dropped, imported, and judged as before', () => {
    const a = trained();
    work(a, svc('svc-2'), DAY0, 200);
    const reference = AccessMonitor.restore(a.snapshot());
    const b = new AccessMonitor();
    const moving = a.exportAgents((ref) => ref.id === 'svc-1');
    expect(moving.map((s) => s.ref.id)).toEqual(['svc-1']);
    expect(a.dropAgents((ref) => ref.id === 'svc-1')).toBe(1);
    expect(a.agentCount()).toBe(1);
    b.importAgents(JSON.parse(JSON.stringify(moving)));
    expect(b.baselineOf('svc-1')).toEqual(reference.baselineOf('svc-1'));
    const t = DAY0 + 200 * MIN;
    // Cohort baselines stay with each instance: off-hours notes (judged by the cohort) may differ.
    const own = (xs: AccessAnomaly[]) => xs.filter((x) => x.baselineFrom === 'agent');
    subject = 0;
    const expected = own(work(reference, svc('svc-1'), t, 60, 2, 1.5));
    subject = 0;
    expect(own(work(b, svc('svc-1'), t, 60, 2, 1.5))).toEqual(expected);
    expect(expected.some((x) => x.detector === 'cusum')).toBe(true);
  });

  it('carries cohort baselines across a restart: a new agent of the cohort is judged by its peers at once', () => {
    const a = trained();
    const b = new AccessMonitor();
    b.importCohorts(JSON.parse(JSON.stringify(a.exportCohorts())));
    const t = DAY0 + 200 * MIN;
    const fresh = (m: AccessMonitor) =>
      m.observeAccess(svc('svc-new'), t, read(1, 1, ['customer.pii'], 'crm.exports'));
    const restored = fresh(b);
    expect(restored).toEqual(fresh(a));
    expect(restored.map((x) => x.detector)).toContain('first_seen');
    expect(fresh(new AccessMonitor()).map((x) => x.detector)).not.toContain('first_seen');
  });

  it('ticks one agent at a time and names the agents due', () => {
    const m = trained();
    const t = DAY0 + 300 * MIN;
    m.observeAccess(svc('svc-2'), t, read(3));
    expect(m.dueAgents(t + 2 * MIN).map((r) => r.id)).toEqual(['svc-1', 'svc-2']);
    m.tick(t + 2 * MIN, (ref) => ref.id === 'svc-2');
    expect(m.dueAgents(t + 2 * MIN).map((r) => r.id)).toEqual(['svc-1']);
  });

  it('snapshots are copies: the monitor moving on does not change them', () => {
    const m = trained();
    const before = JSON.stringify(m.snapshot());
    const snap = m.snapshot();
    work(m, svc('svc-1'), DAY0 + 200 * MIN, 5);
    expect(JSON.stringify(snap)).toBe(before);
  });

  it('refuses a snapshot of another version', () => {
    expect(() => AccessMonitor.restore({ version: 2 } as never)).toThrow(
      'unsupported access-monitor snapshot version 2',
    );
  });
});
