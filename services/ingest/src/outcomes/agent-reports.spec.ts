import { AgentIdentity, EventEnvelope } from '@agentops/contracts';
import { EventPublisher } from '@agentops/messaging';
import { ManualClock } from '@agentops/service-runtime';
import { AccessStep } from '@agentops/access-anomaly';
import { AgentReports } from './agent-reports';

/**
 * The use case over a publisher and an access log that only remember (in one order), on a clock
 * that moves only when told.
 */
function setup() {
  const published: { event: EventEnvelope; key: string }[] = [];
  const order: string[] = [];
  const logged: { tenantId: string; agentId: string; step: AccessStep }[] = [];
  const bus = {
    publish: async (event: EventEnvelope, key: string) => {
      order.push('published');
      published.push({ event, key });
    },
  };
  const accessLog = {
    append: async (tenantId: string, agentId: string, step: AccessStep) => {
      order.push('logged');
      logged.push({ tenantId, agentId, step });
    },
  };
  const clock = new ManualClock('2026-03-02T09:00:00.000Z');
  const reports = new AgentReports(bus as unknown as EventPublisher, 'agentops/ingest', clock, accessLog);
  return { published, logged, order, reports };
}

const agent: AgentIdentity = {
  id: 'pricing-1',
  tenantId: 'maison',
  role: 'pricing',
  version: '1.0.0',
  region: 'eu-west',
  labels: {},
};
const intentId = '0190a0a0-0000-7000-8000-0000000000aa';

describe('AgentReports', () => {
  it("publishes an outcome as the authenticated agent, keyed by it, correlated with its intent, at the clock's time", async () => {
    const { reports, published } = setup();
    const { outcomeId } = await reports.reportOutcome(agent, {
      intentId,
      action: 'pricing.set_price',
      status: 'succeeded',
      executedParams: { price: 19.9 },
    });
    expect(published).toHaveLength(1);
    expect(published[0].key).toBe('pricing-1');
    expect(published[0].event).toMatchObject({
      id: outcomeId,
      type: 'agentops.outcome.reported.v1',
      source: 'agentops/ingest',
      time: '2026-03-02T09:00:00.000Z',
      tenantid: 'maison',
      agentid: 'pricing-1',
      correlationid: intentId,
      data: {
        outcomeId,
        intentId,
        agentId: 'pricing-1',
        status: 'succeeded',
        executedParams: { price: 19.9 },
        reportedAt: '2026-03-02T09:00:00.000Z',
      },
    });
  });

  it("publishes telemetry as the authenticated agent at the clock's time, with or without an intent", async () => {
    const { reports, published } = setup();
    const { telemetryId } = await reports.recordTelemetry(agent, {
      kind: 'model_call',
      name: 'gpt',
      intentId,
      costUsd: 0.02,
      dataClasses: [],
      attributes: {},
    });
    await reports.recordTelemetry(agent, { kind: 'tool_call', name: 'crm', dataClasses: [], attributes: {} });
    expect(published.map((p) => p.key)).toEqual(['pricing-1', 'pricing-1']);
    expect(published[0].event).toMatchObject({
      id: telemetryId,
      type: 'agentops.telemetry.recorded.v1',
      time: '2026-03-02T09:00:00.000Z',
      tenantid: 'maison',
      correlationid: intentId,
      data: {
        agentId: 'pricing-1',
        kind: 'model_call',
        costUsd: 0.02,
        recordedAt: '2026-03-02T09:00:00.000Z',
      },
    });
    expect(published[1].event.correlationid).toBeUndefined();
    expect(published[1].event.id).not.toBe(telemetryId);
  });

  it('refuses to publish a report its event schema rejects (a producer bug fails at its source)', async () => {
    const { reports, published } = setup();
    await expect(
      reports.reportOutcome(agent, {
        intentId: 'not-a-uuid',
        action: 'pricing.set_price',
        status: 'succeeded',
        executedParams: {},
      }),
    ).rejects.toThrow(/refusing to produce invalid/);
    expect(published).toEqual([]);
  });
  it('flags the classes of an access report outside the agent scopes and counts its records', async () => {
    const { reports, published } = setup();
    const service: AgentIdentity = { ...agent, id: 'svc-1', role: 'service' };
    const subject = `customer_${'c'.repeat(32)}`;
    const access = (dataClasses: string[]) => ({
      kind: 'data_access' as const,
      name: 'crm.customers',
      records: 0,
      dataClasses: [],
      attributes: {},
      access: {
        kind: 'read' as const,
        source: 'crm.customers',
        dataClasses,
        records: 40,
        subjectIds: [subject],
      },
    });
    await reports.recordTelemetry(service, access(['customer.pii', 'payment.card', 'order']));
    await reports.recordTelemetry(service, access(['customer.pii']));
    expect(published[0].event.data).toMatchObject({
      records: 40,
      dataClasses: ['customer.pii', 'payment.card', 'order'],
      outOfScopeClasses: ['payment.card'],
      agent: { role: 'service', version: '1.0.0' },
      access: { subjectIds: [subject] },
    });
    expect(published[1].event.data).not.toHaveProperty('outOfScopeClasses');
  });

  it("logs a data-access report's step for the flow gate before publishing it, at the event's time", async () => {
    const { reports, logged, order, published } = setup();
    await reports.recordTelemetry(agent, {
      kind: 'tool_call',
      name: 'crm',
      records: 0,
      dataClasses: [],
      attributes: {},
    });
    expect(logged).toEqual([]); // not a data-access report
    await reports.recordTelemetry(agent, {
      kind: 'data_access',
      name: 'crm.customers',
      records: 3,
      dataClasses: ['customer.pii'],
      attributes: {},
      access: {
        kind: 'read',
        source: 'crm.customers',
        dataClasses: ['customer.pii'],
        records: 3,
        subjectIds: [],
      },
    });
    expect(order).toEqual(['published', 'logged', 'published']);
    expect(logged).toEqual([
      {
        tenantId: 'maison',
        agentId: 'pricing-1',
        step: expect.objectContaining({ kind: 'read', dataClasses: ['customer.pii'], records: 3 }),
      },
    ]);
    expect(logged[0].step.at).toBe(Date.parse(published[1].event.time));
  });
});
