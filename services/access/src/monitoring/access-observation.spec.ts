import {
  AgentIdentity,
  EventEnvelope,
  EventTypes,
  IntentProposedV1,
  TelemetryRecordedV1,
} from '@agentops/contracts';
import { EventPublisher, MessageOrigin, createEvent, newEventId } from '@agentops/messaging';
import { ManualClock } from '@agentops/service-runtime';
import pino from 'pino';
import { AccessConfig } from '../config';
import { AgentQuarantine } from '../containment/agent-quarantine';
import { Containment } from '../containment/containment';
import { InMemoryAccessStateStore } from '../testing/in-memory-access-state-store';
import { InMemoryFlowHistory } from '../testing/in-memory-flow-history';
import { AccessObservation } from './access-observation';
import { AnomalyEnvelope } from './access-state-store';

const MIN = 60_000;
const T0 = Date.parse('2026-12-01T09:00:00.000Z');
const agent: AgentIdentity = {
  id: 'svc-1',
  tenantId: 'maison',
  role: 'service',
  version: '1.0.0',
  region: 'eu-west',
  labels: {},
};

class RecordingQuarantine extends AgentQuarantine {
  readonly flips: string[] = [];
  down = false;
  async quarantine(a: { agentId: string }): Promise<string> {
    if (this.down) throw new Error('killswitch answered 503');
    this.flips.push(a.agentId);
    return '0190a0a0-0000-7000-8000-00000000000' + this.flips.length;
  }
}

/** One instance of the service's use case over a shared store (a second call: another instance). */
function instance(store: InMemoryAccessStateStore, clock = new ManualClock(T0)) {
  const quarantine = new RecordingQuarantine();
  const published: AnomalyEnvelope[] = [];
  const bus = {
    publishMany: async (items: { event: EventEnvelope }[]) =>
      void published.push(...items.map((i) => i.event as AnomalyEnvelope)),
  };
  const logger = pino({ level: 'silent' });
  const containment = new Containment(store, quarantine, bus as unknown as EventPublisher, clock, logger);
  const config = {
    ACCESS_ALLOWED_DESTINATIONS: { maison: ['mail.maison.example'] },
    ACCESS_BUCKET_MS: 60_000,
    ACCESS_MIN_OWN_INTENTS: 150,
    ACCESS_MIN_COHORT_INTENTS: 300,
    ACCESS_CLOSE_GRACE_MS: 0,
  } as unknown as AccessConfig;
  const history = new InMemoryFlowHistory();
  const observation = new AccessObservation(
    store,
    containment,
    history,
    clock,
    'agentops/access',
    config,
    logger,
  );
  return { observation, published, quarantine, clock, history };
}

let offsets: Record<string, number> = {};
let subject = 0;
const origin = (topic: string): MessageOrigin => {
  offsets[topic] = (offsets[topic] ?? -1) + 1;
  return {
    topic,
    baseTopic: topic,
    partition: 0,
    offset: String(offsets[topic]),
    key: agent.id,
    timestamp: '0',
  };
};

function read(
  at: number,
  records: number,
  subjects = 1,
  who: AgentIdentity = agent,
): [EventEnvelope<TelemetryRecordedV1>, MessageOrigin] {
  const subjectIds = Array.from(
    { length: subjects },
    () => `customer_${(subject++).toString(16).padStart(32, '0')}`,
  );
  const data: TelemetryRecordedV1 = {
    kind: 'data_access',
    name: 'crm.customers',
    records,
    dataClasses: ['customer'],
    attributes: {},
    agentId: who.id,
    recordedAt: new Date(at).toISOString(),
    agent: { role: who.role, version: who.version },
    access: { kind: 'read', source: 'crm.customers', dataClasses: ['customer'], records, subjectIds },
  };
  const event = createEvent(EventTypes.TelemetryRecorded, data, {
    source: 'agentops/ingest',
    tenantid: who.tenantId,
    agentid: who.id,
    time: new Date(at),
  }) as EventEnvelope<TelemetryRecordedV1>;
  return [event, origin('agentops.telemetry.v1')];
}

function intent(
  at: number,
  dataUsed: IntentProposedV1['dataUsed'] = [],
  params: Record<string, unknown> = {},
  who: AgentIdentity = agent,
): [EventEnvelope<IntentProposedV1>, MessageOrigin] {
  const intentId = newEventId();
  const data: IntentProposedV1 = {
    intentId,
    agent: who,
    action: 'service.send_message',
    target: { type: 'customer', id: 'c-1' },
    params,
    confidence: 0.9,
    justification: 'answer the customer',
    dataUsed,
    proposedAt: new Date(at).toISOString(),
  };
  const event = createEvent(EventTypes.IntentProposed, data, {
    source: 'agentops/ingest',
    tenantid: who.tenantId,
    agentid: who.id,
    correlationid: intentId,
    time: new Date(at),
  }) as EventEnvelope<IntentProposedV1>;
  return [event, origin('agentops.intents.v1')];
}

/** One event as a batch of its own (what the consumer hands over for a lone message). */
const observeOne = (o: AccessObservation, [event, origin]: [EventEnvelope, MessageOrigin]) =>
  o.observe([{ event, origin }]);

/** `minutes` of ordinary work: two reads of 3–5 records of one customer, each followed by its intent. */
async function work(o: AccessObservation, from: number, minutes: number): Promise<void> {
  for (let m = 0; m < minutes; m++)
    for (let i = 0; i < 2; i++) {
      const at = from + m * MIN + 1000 + i * 25_000;
      await observeOne(o, read(at, 3 + ((m + i) % 3)));
      await observeOne(o, intent(at + 500));
    }
}

beforeEach(() => {
  offsets = {};
  subject = 0;
});

describe('AccessObservation', () => {
  it('quarantines a sweeping agent once, publishing each high anomaly with the switch', async () => {
    const store = new InMemoryAccessStateStore();
    const { observation, published, quarantine } = instance(store);
    await work(observation, T0, 200);
    expect(published).toEqual([]);
    const sweep = T0 + 201 * MIN;
    for (let i = 0; i < 10; i++) await observeOne(observation, read(sweep + i * 1000, 50, 50));
    const high = published.filter((e) => e.data.severity === 'high');
    expect(high.length).toBeGreaterThan(0);
    expect(quarantine.flips).toEqual(['svc-1']);
    expect(new Set(high.map((e) => e.data.quarantine?.switchId))).toEqual(
      new Set(['0190a0a0-0000-7000-8000-000000000001']),
    );
    expect(high[0]!.data).toMatchObject({ agentId: 'svc-1', tenantId: 'maison', baselineFrom: 'agent' });
    expect(await store.unpublished(new Date(Date.now() + 60_000), 100)).toEqual([]);
  });

  it('skips a redelivered event: the row remembers the offset it applied', async () => {
    const store = new InMemoryAccessStateStore();
    const { observation } = instance(store);
    const event = read(T0, 7);
    await observeOne(observation, event);
    await observeOne(observation, event);
    expect(store.rows.get('svc-1')).toMatchObject({ seq: 1, state: { open: { counts: { records: 7 } } } });
  });

  it('resumes from the row after a rebalance and back: nothing lost, nothing counted twice', async () => {
    const store = new InMemoryAccessStateStore();
    const a = instance(store).observation;
    const b = instance(store).observation;
    await observeOne(a, read(T0, 5));
    await observeOne(b, read(T0 + 1000, 6));
    await observeOne(a, read(T0 + 2000, 7));
    // A restarted instance starts with nothing in memory.
    await observeOne(instance(store).observation, read(T0 + 3000, 8));
    expect(store.rows.get('svc-1')).toMatchObject({
      seq: 4,
      state: { open: { counts: { records: 26, reads: 4 } } },
    });
  });

  it('forgets its copy when a write fails, so the retry counts the event once', async () => {
    const store = new InMemoryAccessStateStore();
    const { observation } = instance(store);
    await observeOne(observation, read(T0, 5));
    const event = read(T0 + 1000, 6);
    store.failNextCommit = true;
    await expect(observeOne(observation, event)).rejects.toThrow('connection lost');
    await observeOne(observation, event);
    expect(store.rows.get('svc-1')?.state.open.counts.records).toBe(11);
  });

  it("counts an intent's dataUsed as reads for an agent that reports none, and not again for one that does", async () => {
    const store = new InMemoryAccessStateStore();
    const { observation } = instance(store);
    const used = [{ source: 'crm.customers', dataClasses: ['customer'], records: 4 }];
    await observeOne(observation, intent(T0, used));
    expect(store.rows.get('svc-1')?.state.open.counts).toMatchObject({ records: 4, reads: 1 });
    await observeOne(observation, read(T0 + 1000, 2));
    await observeOne(observation, intent(T0 + 2000, used));
    expect(store.rows.get('svc-1')?.state.open.counts).toMatchObject({ records: 6, reads: 2 });
  });

  it("writes the agent's recent steps for guardrail's flow rules after every batch", async () => {
    const store = new InMemoryAccessStateStore();
    const { observation, history } = instance(store);
    await observeOne(observation, read(T0, 5));
    await observeOne(observation, intent(T0 + 1000));
    expect(history.steps.get('svc-1')?.map((s) => [s.kind, s.records])).toEqual([
      ['read', 5],
      ['intent', 0],
    ]);
    // A failed write does not fail the event: the next one writes the whole window again.
    history.down = true;
    await observeOne(observation, read(T0 + 2000, 6));
    history.down = false;
    await observeOne(observation, read(T0 + 3000, 7));
    expect(history.steps.get('svc-1')).toHaveLength(4);
    expect(store.rows.get('svc-1')?.seq).toBe(4);
  });

  it('raises a high flow-rule anomaly (and quarantines) for an egress of PII to an unlisted destination', async () => {
    const store = new InMemoryAccessStateStore();
    const { observation, published, quarantine } = instance(store);
    const pii = [{ source: 'crm.customers', dataClasses: ['customer.pii'], records: 3 }];
    await observeOne(observation, intent(T0, pii));
    await observeOne(observation, intent(T0 + 1000, [], { destination: 'mail.maison.example' }));
    expect(published).toEqual([]);
    await observeOne(observation, intent(T0 + 2000, [], { destination: 'paste.evil.example' }));
    expect(published.map((e) => [e.data.detector, e.data.severity, e.data.baselineFrom])).toEqual([
      ['flow_rule', 'high', 'rule'],
    ]);
    expect(published[0]!.data.message).toMatch(
      /paste\.evil\.example denied by pii-read-then-unlisted-egress/,
    );
    expect(quarantine.flips).toEqual(['svc-1']);
  });

  it('flags an agent that stops reporting while it keeps proposing intents', async () => {
    const store = new InMemoryAccessStateStore();
    const { observation, published } = instance(store);
    await work(observation, T0, 100);
    const from = T0 + 101 * MIN;
    for (let i = 0; i < 30; i++) await observeOne(observation, intent(from + i * 10_000));
    expect(published.map((e) => [e.data.detector, e.data.severity])).toContainEqual(['silence', 'medium']);
  });

  it('keeps an anomaly whose quarantine failed, and the tick flips and publishes it later', async () => {
    const clock = new ManualClock(T0 + 201 * MIN);
    const store = new InMemoryAccessStateStore(() => clock.now());
    const { observation, published, quarantine } = instance(store, clock);
    await work(observation, T0, 200);
    quarantine.down = true;
    for (let i = 0; i < 10; i++) await observeOne(observation, read(T0 + 201 * MIN + i * 1000, 50, 50));
    expect(published).toEqual([]);
    expect(store.stored.length).toBeGreaterThan(0);
    quarantine.down = false;
    clock.advance(MIN);
    await observation.tick(2000);
    expect(quarantine.flips).toEqual(['svc-1']);
    expect(published.length).toBe(store.stored.length);
    expect(published.filter((e) => e.data.severity === 'high').every((e) => e.data.quarantine)).toBe(true);
  });

  it('saves cohort baselines on the tick, and a new instance judges a new agent by them', async () => {
    const store = new InMemoryAccessStateStore();
    const { observation } = instance(store);
    await work(observation, T0, 200);
    await observation.tick(60_000);
    expect(Object.keys(store.cohorts).length).toBeGreaterThan(0);
    const restarted = instance(store).observation;
    await restarted.onModuleInit();
    expect(restarted.monitor.exportCohorts()).toEqual(store.cohorts);
  });

  it('judges a batch with several events of each agent as it judges them one at a time', async () => {
    const sweeper: AgentIdentity = { ...agent, id: 'svc-2' };
    // Two agents interleaved: ordinary work, then one sweeps while the other reads PII and sends
    // it to an unlisted destination — ceilings, z-scores, the flow rule and dataUsed all in play.
    const stream: [EventEnvelope, MessageOrigin][] = [];
    for (let m = 0; m < 200; m++)
      for (const who of [agent, sweeper]) {
        const at = T0 + m * MIN + 1000;
        stream.push(read(at, 3 + (m % 3), 1, who), intent(at + 500, [], {}, who));
      }
    const late = T0 + 201 * MIN;
    for (let i = 0; i < 10; i++) stream.push(read(late + i * 1000, 50, 50, sweeper));
    const pii = [{ source: 'crm.customers', dataClasses: ['customer.pii'], records: 3 }];
    stream.push(intent(late + 500, pii), intent(late + 1500, [], { destination: 'paste.evil.example' }));

    const oneByOne = instance(new InMemoryAccessStateStore());
    for (const e of stream) await observeOne(oneByOne.observation, e);
    const batchedStore = new InMemoryAccessStateStore();
    const batched = instance(batchedStore);
    const items = stream.map(([event, origin]) => ({ event, origin }));
    for (let i = 0; i < items.length; i += 37) await batched.observation.observe(items.slice(i, i + 37));

    // Per agent, in order (a batch contains its agents one after the other; ids are new each run).
    const verdicts = (published: AnomalyEnvelope[]) =>
      published
        .map(({ data: { anomalyId: _id, quarantine, ...rest } }) => ({ ...rest, quarantined: !!quarantine }))
        .sort((a, b) => a.agentId.localeCompare(b.agentId));
    expect(verdicts(oneByOne.published).length).toBeGreaterThan(1);
    expect(new Set(oneByOne.published.map((e) => e.data.detector))).toContain('flow_rule');
    expect(verdicts(batched.published)).toEqual(verdicts(oneByOne.published));
    expect(batched.quarantine.flips.sort()).toEqual(oneByOne.quarantine.flips.sort());
    for (const id of [agent.id, sweeper.id])
      expect(batchedStore.rows.get(id)?.state).toEqual(
        (await oneByOne.observation['store'].agentRow(id))?.state,
      );
    // One transaction per batch, not per event.
    expect(batchedStore.updates).toBe(Math.ceil(items.length / 37));
    // A batch offered again (a crash before its offsets were committed) counts nothing twice.
    const before = batchedStore.rows.get(agent.id);
    await batched.observation.observe(items.slice(-37));
    expect(batchedStore.rows.get(agent.id)).toEqual(before);
  });

  it("judges chunks of two topics handed over together as one, each agent's events by event time", async () => {
    const reads: [EventEnvelope, MessageOrigin][] = [];
    const intents: [EventEnvelope, MessageOrigin][] = [];
    for (let i = 0; i < 30; i++) {
      reads.push(read(T0 + i * 1000, 3 + (i % 3)));
      intents.push(intent(T0 + i * 1000 + 500));
    }
    const inTimeOrder = reads.flatMap((r, i) => [r, intents[i]!]);
    const oneByOne = instance(new InMemoryAccessStateStore());
    for (const e of inTimeOrder) await observeOne(oneByOne.observation, e);

    const store = new InMemoryAccessStateStore();
    const { observation } = instance(store);
    const chunk = (events: [EventEnvelope, MessageOrigin][]) =>
      events.map(([event, origin]) => ({ event, origin }));
    // The telemetry partition's chunk and the intents partition's, from one fetch.
    await Promise.all([observation.observe(chunk(reads)), observation.observe(chunk(intents))]);
    expect(store.updates).toBe(1);
    expect(store.rows.get(agent.id)?.state).toEqual(
      (await oneByOne.observation['store'].agentRow(agent.id))?.state,
    );
  });
});
