import { EventEnvelope } from '@agentops/contracts';
import { CohortMember } from '@agentops/cohort-selector';
import { Clock } from '@agentops/service-runtime';
import { deadlineDenial, failClosedDenial } from '@agentops/decisions';
import {
  AgentDirectory,
  InMemoryBreakerRepository,
  RecordingSwitches,
  breakerEngine,
  signals,
} from './testing/breaker-doubles';
import { BreakerEngine } from './breaker-engine';
import { MemoryBreakerWindows } from './breaker-windows';

/**
 * The shipped breakers (policies/breakers/*.yaml) driven through the engine's public behaviour —
 * observe, tick, states — with breaker states, kill switches and known agents in memory and a clock
 * the test moves. The repository's SQL is tested on PostgreSQL
 * (test/integration/breaker-engine.integration-spec.ts).
 */
const T0 = Date.parse('2026-03-01T09:00:00.000Z');
const SECOND = 1000;
const MINUTE = 60 * SECOND;

describe('BreakerEngine', () => {
  let now: number;
  let switches: RecordingSwitches;
  let agents: AgentDirectory;
  let engine: BreakerEngine;
  let pricing: CohortMember;
  let pricing2: CohortMember;
  let service: CohortMember;
  let otherTenant: CohortMember;
  let repository: InMemoryBreakerRepository;
  const clock: Clock = { now: () => new Date(now) };

  beforeEach(async () => {
    now = T0;
    repository = new InMemoryBreakerRepository();
    switches = new RecordingSwitches();
    agents = new AgentDirectory();
    const agent = (id: string, tenantId: string, role: string) =>
      agents.add({ id, tenantId, role, version: '1', region: 'eu' });
    pricing = agent('pricing-1', 'maison', 'pricing');
    pricing2 = agent('pricing-2', 'maison', 'pricing');
    service = agent('service-1', 'maison', 'service');
    otherTenant = agent('pricing-9', 'other', 'pricing');
    engine = breakerEngine({ repository, switches, agents, clock });
    await engine.onModuleInit();
  });

  /** Each event one second after the previous one, observed in order. */
  const feed = async (make: (at: number) => EventEnvelope, times = 1) => {
    for (let i = 0; i < times; i++) {
      now += SECOND;
      await engine.observe(make(now));
    }
  };
  const stateOf = (breaker: string, cohort: string) =>
    engine.states().find((s) => s.breaker === breaker && s.cohort === cohort);

  describe('each shipped metric trips its breaker just past the threshold, not at it', () => {
    it('deny_rate: more than 60 % of at least 20 decisions, per agent; refusals by switches do not count', async () => {
      await feed((at) => signals.decided(service, at, 'deny'), 19); // below minSamples: no rate yet
      await feed((at) => signals.decided(pricing, at, 'deny'), 19); // another agent: its own window
      await feed((at) => signals.decided(service, at, 'deny', 'killswitch'), 10);
      await feed((at) => signals.decided(service, at, 'deny', 'breaker'), 10);
      expect(switches.flips).toEqual([]);
      await feed((at) => signals.decided(service, at, 'deny')); // the 20th sample
      expect(switches.flips).toEqual([
        expect.objectContaining({
          actor: 'breaker:agent-deny-rate',
          selector: { tenantId: 'maison', agentId: service.id },
          reason: expect.stringContaining('most intents denied: deny_rate 1 > 0.6 within 300s'),
        }),
      ]);
    });

    it('deny_rate: fail-closed answers do not count (an overloaded platform must not halt its agents)', async () => {
      await feed((at) => signals.decided(service, at, 'deny'), 19);
      await feed((at) => signals.decidedAs(service, at, failClosedDenial(2000)), 10);
      await feed((at) => signals.decidedAs(service, at, deadlineDenial()), 10);
      expect(switches.flips).toEqual([]);
      await feed((at) => signals.decided(service, at, 'deny')); // the 20th sample the breaker counts
      expect(switches.flips).toHaveLength(1);
      expect(switches.flips[0].reason).toContain('deny_rate 1 > 0.6');
    });

    it('deny_rate: exactly 60 % does not trip', async () => {
      await feed((at) => signals.decided(service, at, 'allow'), 8);
      await feed((at) => signals.decided(service, at, 'deny'), 12); // 12 / 20 = 0.6
      expect(switches.flips).toEqual([]);
      await feed((at) => signals.decided(service, at, 'deny')); // 13 / 21
      expect(switches.flips).toHaveLength(1);
      expect(switches.flips[0].reason).toContain('deny_rate 0.619 > 0.6');
    });

    it('error_rate: more than half of at least 20 telemetry reports are errors', async () => {
      await feed((at) => signals.telemetry(service, at, 'tool_call'), 10);
      await feed((at) => signals.telemetry(service, at, 'error'), 10); // 10 / 20 = 0.5
      expect(switches.flips).toEqual([]);
      await feed((at) => signals.telemetry(service, at, 'error')); // 11 / 21
      expect(switches.flips).toEqual([
        expect.objectContaining({
          actor: 'breaker:agent-error-rate',
          selector: { tenantId: 'maison', agentId: service.id },
          reason: expect.stringContaining('error rate too high: error_rate 0.524 > 0.5 within 300s'),
        }),
      ]);
    });

    it('customer_records_read: more than 500 customer records read in 5 minutes; other data classes do not count', async () => {
      await feed((at) =>
        signals.telemetry(service, at, 'data_access', { records: 300, dataClasses: ['customer'] }),
      );
      await feed((at) =>
        signals.telemetry(service, at, 'data_access', { records: 5000, dataClasses: ['product'] }),
      );
      await feed((at) =>
        signals.telemetry(service, at, 'data_access', {
          records: 200,
          dataClasses: ['order', 'customer.contact'],
        }),
      ); // 500
      expect(switches.flips).toEqual([]);
      await feed((at) => signals.telemetry(service, at, 'data_access', { dataClasses: ['customer'] })); // no count given: 1
      expect(switches.flips).toEqual([
        expect.objectContaining({
          actor: 'breaker:customer-data-reads',
          selector: { tenantId: 'maison', agentId: service.id },
          reason: expect.stringContaining('customer_records_read 501 > 500 within 300s'),
        }),
      ]);
    });

    it('total_discount_value: more than 50,000 of markdowns by one pricing agent (discountValue, or previousPrice - price)', async () => {
      await feed((at) => signals.intent(pricing, at, 'BAG-1', { discountValue: 49_000 }));
      await feed((at) => signals.intent(pricing, at, 'BAG-1', { previousPrice: 2000, price: 1500 })); // 49,500
      await feed((at) => signals.intent(pricing, at, 'BAG-1', { previousPrice: 1500, price: 2000 })); // a markup: 0
      await feed((at) => signals.intent(pricing2, at, 'BAG-1', { discountValue: 40_000 })); // another agent
      await feed((at) => signals.intent(service, at, 'BAG-1', { discountValue: 40_000 })); // not the cohort's role
      await feed((at) => signals.intent(pricing, at, 'BAG-1', { discountValue: 500 })); // 50,000
      expect(switches.flips).toEqual([]);
      await feed((at) => signals.intent(pricing, at, 'BAG-1', { discountValue: 1 }));
      expect(switches.flips).toEqual([
        expect.objectContaining({
          actor: 'breaker:pricing-discount-value',
          selector: { role: 'pricing', action: 'pricing.*', tenantId: 'maison', agentId: pricing.id },
          reason: expect.stringContaining(
            'discount budget exceeded: total_discount_value 50001 > 50000 within 900s',
          ),
        }),
      ]);
    });

    it('verification_violations: more than 3 violations in 10 minutes', async () => {
      await feed((at) => signals.verified(service, at, false), 30);
      await feed((at) => signals.verified(service, at, true), 3);
      expect(switches.flips).toEqual([]);
      await feed((at) => signals.verified(service, at, true));
      expect(switches.flips).toEqual([
        expect.objectContaining({
          actor: 'breaker:verification-violations',
          selector: { tenantId: 'maison', agentId: service.id },
          reason: expect.stringContaining('verification_violations 4 > 3 within 600s'),
        }),
      ]);
    });

    it("distinct_skus_repriced: more than 20 distinct SKUs by a tenant's pricing cohort in 60 s", async () => {
      for (let i = 0; i < 20; i++) {
        await feed((at) => signals.intent(i % 2 ? pricing : pricing2, at, `SKU-${i}`, { price: 10 }));
        await feed((at) => signals.intent(pricing, at, 'SKU-0', { price: 11 })); // a repeat is not distinct
      }
      await feed((at) => signals.intent(otherTenant, at, 'SKU-99', { price: 10 })); // another tenant
      expect(switches.flips).toEqual([]);
      await feed((at) => signals.intent(pricing2, at, 'SKU-20', { price: 10 }));
      expect(switches.flips).toEqual([
        expect.objectContaining({
          actor: 'breaker:pricing-blast-radius',
          selector: { role: 'pricing', action: 'pricing.*', tenantId: 'maison' },
          reason: expect.stringContaining(
            'too many SKUs repriced: distinct_skus_repriced 21 > 20 within 60s',
          ),
        }),
      ]);
    });
  });

  describe('the sliding window', () => {
    it('forgets observations once they are a window old (a sum)', async () => {
      await feed((at) =>
        signals.telemetry(service, at, 'data_access', { records: 400, dataClasses: ['customer'] }),
      );
      now += 5 * MINUTE - SECOND; // the next observation lands exactly 5 minutes after the first
      await feed((at) =>
        signals.telemetry(service, at, 'data_access', { records: 400, dataClasses: ['customer'] }),
      );
      expect(switches.flips).toEqual([]);
      await feed((at) =>
        signals.telemetry(service, at, 'data_access', { records: 101, dataClasses: ['customer'] }),
      );
      expect(switches.flips).toHaveLength(1); // 400 + 101, inside one window
    });

    it('forgets observations once they are a window old (distinct keys)', async () => {
      for (let i = 0; i < 20; i++) await feed((at) => signals.intent(pricing, at, `OLD-${i}`, { price: 1 }));
      now += 60 * SECOND - 20 * SECOND; // OLD-0 is a window old when NEW-1 comes
      await feed((at) => signals.intent(pricing, at, 'NEW-1', { price: 1 }));
      expect(switches.flips).toEqual([]); // OLD-1 … OLD-19 and NEW-1: 20
      await engine.observe(signals.intent(pricing, now, 'NEW-2', { price: 1 })); // the same instant: 21
      expect(switches.flips).toHaveLength(1);
    });
  });

  describe('closed → open → half-open → closed (agent-deny-rate: cool-down 10 min, probation 5 min, share 0.1, factor 0.5)', () => {
    const BREAKER = 'agent-deny-rate';
    const trip = async () => {
      await feed((at) => signals.decided(service, at, 'deny'), 20);
      return stateOf(BREAKER, `maison/${service.id}`)!;
    };

    it('open: the cohort is stopped, further signals flip nothing, and nothing changes before the cool-down', async () => {
      const open = await trip();
      expect(open).toMatchObject({
        state: 'open',
        switchId: 'switch-1',
        trips: 1,
        since: new Date(now).toISOString(),
      });
      await feed((at) => signals.decided(service, at, 'deny'), 30);
      const trippedAt = Date.parse(open.since);
      now = trippedAt + 10 * MINUTE - 1;
      await engine.tick();
      expect(switches.calls.map((c) => c.op)).toEqual(['flip']);
      expect(stateOf(BREAKER, `maison/${service.id}`)).toMatchObject({ state: 'open', switchId: 'switch-1' });
    });

    it('half-open after the cool-down: the partial switch is flipped before the full one is released', async () => {
      const open = await trip();
      now = Date.parse(open.since) + 10 * MINUTE;
      await engine.tick();
      expect(switches.calls).toEqual([
        expect.objectContaining({ op: 'flip', id: 'switch-1' }),
        expect.objectContaining({
          op: 'flip',
          id: 'switch-2',
          actor: `breaker:${BREAKER}`,
          selector: { tenantId: 'maison', agentId: service.id },
          passRatio: 0.1,
        }),
        expect.objectContaining({ op: 'release', id: 'switch-1', actor: `breaker:${BREAKER}` }),
      ]);
      expect(stateOf(BREAKER, `maison/${service.id}`)).toMatchObject({
        state: 'half_open',
        switchId: 'switch-2',
        since: new Date(now).toISOString(),
        trips: 1,
      });
    });

    it('half-open measures afresh under the stricter threshold, and re-trips above it', async () => {
      const open = await trip();
      now = Date.parse(open.since) + 10 * MINUTE;
      await engine.tick();
      // The window starts empty: 14 allows and 6 denies is 0.3, exactly threshold × factor.
      await feed((at) => signals.decided(service, at, 'allow'), 14);
      await feed((at) => signals.decided(service, at, 'deny'), 6);
      expect(stateOf(BREAKER, `maison/${service.id}`)?.state).toBe('half_open');
      await feed((at) => signals.decided(service, at, 'deny')); // 7 / 21 = 0.33 > 0.3, though < 0.6
      expect(switches.calls.slice(3)).toEqual([
        expect.objectContaining({
          op: 'flip',
          id: 'switch-3',
          passRatio: undefined,
          reason: expect.stringContaining('deny_rate 0.333 > 0.3 (half-open) within 300s'),
        }),
        expect.objectContaining({
          op: 'release',
          id: 'switch-2',
          reason: expect.stringContaining('half-open probe failed'),
        }),
      ]);
      expect(stateOf(BREAKER, `maison/${service.id}`)).toMatchObject({
        state: 'open',
        switchId: 'switch-3',
        trips: 2,
      });
    });

    it('closes after a clean probation, releasing the partial switch, and can trip again', async () => {
      const open = await trip();
      now = Date.parse(open.since) + 10 * MINUTE;
      await engine.tick();
      const halfOpenSince = now;
      await feed((at) => signals.decided(service, at, 'allow'), 20);
      now = halfOpenSince + 5 * MINUTE - 1;
      await engine.tick();
      expect(stateOf(BREAKER, `maison/${service.id}`)?.state).toBe('half_open');
      now = halfOpenSince + 5 * MINUTE;
      await engine.tick();
      expect(switches.calls.slice(3)).toEqual([
        expect.objectContaining({
          op: 'release',
          id: 'switch-2',
          reason: expect.stringContaining('clean probation'),
        }),
      ]);
      expect(stateOf(BREAKER, `maison/${service.id}`)).toMatchObject({
        state: 'closed',
        switchId: null,
        trips: 1,
      });

      now += 5 * MINUTE; // the probation's allows have left the window
      await feed((at) => signals.decided(service, at, 'deny'), 20);
      expect(stateOf(BREAKER, `maison/${service.id}`)).toMatchObject({
        state: 'open',
        switchId: 'switch-3',
        trips: 2,
      });
    });
  });

  describe('ticks', () => {
    it('never overlap: ticks that outlast the interval flip one half-open switch, not one each', async () => {
      // A slow flip, as under load: the next ticks start while the first still awaits it.
      const slow = new RecordingSwitches();
      const flipAs = slow.flipAs.bind(slow);
      slow.flipAs = async (...args: Parameters<RecordingSwitches['flipAs']>) => {
        await new Promise((r) => setTimeout(r, 30));
        return flipAs(...args);
      };
      engine = breakerEngine({ repository, switches: slow, agents, clock });
      await engine.onModuleInit();
      await feed((at) => signals.decided(service, at, 'deny'), 20);
      expect(slow.flips).toHaveLength(1);
      now += 10 * MINUTE; // past agent-deny-rate's cool-down

      await Promise.all([engine.tick(), engine.tick(), engine.tick()]);

      expect(slow.flips).toHaveLength(2); // the trip, and one half-open switch
      expect(stateOf('agent-deny-rate', `maison/${service.id}`)).toMatchObject({
        state: 'half_open',
        switchId: slow.flips[1].id,
      });
    });
  });

  describe('stored states', () => {
    const BREAKER = 'agent-deny-rate';
    const cohort = () => `maison/${service.id}`;

    it('stores every move, claimed before its switch is flipped: the trip with the value that tripped it, half-open and closed keeping it', async () => {
      await feed((at) => signals.decided(service, at, 'deny'), 20);
      const trippedAt = now;
      now += 10 * MINUTE;
      await engine.tick();
      const halfOpenAt = now;
      now += 5 * MINUTE;
      await engine.tick();
      const stored = (state: string, switchId: string | null, since: number, lastValue: number | null) => ({
        state: { breaker: BREAKER, key: cohort(), state, switchId, since: new Date(since), trips: 1 },
        lastValue,
      });
      expect(repository.saves).toEqual([
        stored('open', null, trippedAt, 1),
        stored('open', 'switch-1', trippedAt, null),
        stored('half_open', 'switch-1', halfOpenAt, null), // the full switch held until the probe is flipped
        stored('half_open', 'switch-2', halfOpenAt, null),
        stored('closed', null, now, null),
      ]);
      expect(repository.row(BREAKER, cohort())).toMatchObject({ state: 'closed', lastValue: 1 });
    });

    it('stores nothing for signals that do not trip', async () => {
      await feed((at) => signals.decided(service, at, 'deny'), 19);
      await engine.tick();
      expect(repository.saves).toEqual([]);
    });

    it('a starting engine resumes the stored open cohorts, timing the cool-down from the stored since', async () => {
      const since = new Date(T0 - 9 * MINUTE);
      repository = new InMemoryBreakerRepository([
        { breaker: BREAKER, key: cohort(), state: 'open', switchId: 'stored-switch', since, trips: 3 },
        { breaker: 'gone-breaker', key: 'maison', state: 'open', switchId: 'other', since, trips: 1 },
        { breaker: BREAKER, key: `maison/${pricing.id}`, state: 'closed', switchId: null, since, trips: 1 },
      ]);
      engine = breakerEngine({ repository, switches, agents, clock });
      await engine.onModuleInit();
      expect(engine.states()).toEqual([
        {
          breaker: BREAKER,
          tenantId: 'maison',
          cohort: cohort(),
          state: 'open',
          switchId: 'stored-switch',
          since: since.toISOString(),
          trips: 3,
        },
      ]);
      await feed((at) => signals.decided(service, at, 'deny'), 30); // the stored switch stops it
      expect(switches.calls).toEqual([]);
      now = since.getTime() + 10 * MINUTE;
      await engine.tick();
      expect(switches.calls.map((c) => [c.op, c.id])).toEqual([
        ['flip', 'switch-1'],
        ['release', 'stored-switch'],
      ]);
      expect(stateOf(BREAKER, cohort())).toMatchObject({
        state: 'half_open',
        switchId: 'switch-1',
        trips: 3,
      });
    });
  });

  describe('several instances (the consumer group splits the partitions between them)', () => {
    /** Two engines sharing the store and the windows, as two killswitch instances share PostgreSQL and Redis. */
    const twoInstances = async () => {
      const windows = new MemoryBreakerWindows();
      const engines = [
        breakerEngine({ repository, windows, switches, agents, clock }),
        breakerEngine({ repository, windows, switches, agents, clock }),
      ];
      for (const e of engines) await e.onModuleInit();
      return engines;
    };

    it("a tenant's window gathers the signals its agents' partitions bring to either instance, and trips once", async () => {
      const [a, b] = await twoInstances();
      for (let i = 0; i < 21; i++) {
        now += SECOND;
        // pricing's partition is a's, pricing2's is b's.
        await (i % 2 ? a : b).observe(signals.intent(i % 2 ? pricing : pricing2, now, `SKU-${i}`));
      }
      expect(switches.flips).toEqual([
        expect.objectContaining({
          actor: 'breaker:pricing-blast-radius',
          reason: expect.stringContaining('distinct_skus_repriced 21 > 20 within 60s'),
        }),
      ]);
    });

    it('a window handed over by a rebalance keeps its observations, and a redelivered signal counts once', async () => {
      const [a, b] = await twoInstances();
      const events = Array.from({ length: 20 }, (_, i) =>
        signals.decided(service, T0 + (i + 1) * SECOND, 'deny'),
      );
      for (const e of events.slice(0, 12)) await a.observe(e);
      // The partition moves to b, which is handed the last uncommitted events again.
      for (const e of events.slice(10, 19)) await b.observe(e);
      expect(switches.flips).toEqual([]); // 19 distinct samples: below minSamples
      await b.observe(events[19]);
      expect(switches.flips).toHaveLength(1);
    });

    it('both instances over the limit at once: one wins the trip, the other takes its state on the next tick', async () => {
      const [a, b] = await twoInstances();
      for (let i = 0; i < 19; i++) await a.observe(signals.decided(service, T0 + i * SECOND, 'deny'));
      now = T0 + 20 * SECOND;
      await Promise.all([
        a.observe(signals.decided(service, now, 'deny')),
        b.observe(signals.decided(service, now, 'deny')),
      ]);
      expect(switches.flips).toHaveLength(1);
      await b.tick();
      const cohort = (e: BreakerEngine) => e.states().find((s) => s.breaker === 'agent-deny-rate');
      expect(cohort(b)).toEqual(cohort(a));
      expect(cohort(a)).toMatchObject({ state: 'open', switchId: switches.flips[0].id, trips: 1 });
    });

    it('ticking together, one instance moves the cohort half-open and then closed', async () => {
      const [a, b] = await twoInstances();
      for (let i = 0; i < 20; i++) await a.observe(signals.decided(service, T0 + i * SECOND, 'deny'));
      now = T0 + 20 * SECOND + 10 * MINUTE;
      await Promise.all([a.tick(), b.tick()]);
      now += 5 * MINUTE;
      await Promise.all([a.tick(), b.tick()]);
      expect(switches.calls.map((c) => c.op)).toEqual(['flip', 'flip', 'release', 'release']);
      await Promise.all([a.tick(), b.tick()]);
      for (const e of [a, b])
        expect(e.states().find((s) => s.breaker === 'agent-deny-rate')).toMatchObject({ state: 'closed' });
    });
  });
});
