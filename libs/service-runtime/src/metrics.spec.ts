import { EventEnvelope } from '@agentops/contracts';
import { ServiceMetrics } from './metrics';

function decided(source: string, verdict: string, decidedBy: string): EventEnvelope {
  return {
    id: 'e',
    source,
    type: 'agentops.intent.decided.v1',
    specversion: '1.0',
    time: new Date().toISOString(),
    tenantid: 't',
    data: { verdict, decidedBy, action: 'pricing.set_price' },
  } as EventEnvelope;
}

async function value(metrics: ServiceMetrics, name: string, labels: Record<string, string>) {
  const metric = (await metrics.registry.getMetricsAsJSON()).find((m) => m.name === name)!;
  const found = (metric.values as { labels: Record<string, string>; value: number }[]).find((v) =>
    Object.entries(labels).every(([k, x]) => v.labels[k] === x),
  );
  return found?.value ?? 0;
}

describe('ServiceMetrics from published decisions', () => {
  it('counts decisions by verdict and decider, ingest’s timeouts as fail-closed, halts as enforcement', async () => {
    const metrics = new ServiceMetrics('ingest');
    const { onPublished } = metrics.consumerObserver();
    onPublished(decided('agentops/ingest', 'deny', 'timeout'));
    onPublished(decided('agentops/ingest', 'deny', 'killswitch'));
    onPublished(decided('agentops/guardrail', 'deny', 'breaker'));
    onPublished(decided('agentops/guardrail', 'allow', 'policy'));
    // An escalation SLA's timeout outcome is a decision, not a fail-closed answer.
    onPublished(decided('agentops/escalation', 'deny', 'timeout'));
    expect(await value(metrics, 'agentops_decisions_total', { verdict: 'deny', decided_by: 'timeout' })).toBe(
      2,
    );
    expect(await value(metrics, 'agentops_fail_closed_total', { action: 'pricing.set_price' })).toBe(1);
    expect(await value(metrics, 'agentops_killswitch_enforced_total', { decided_by: 'killswitch' })).toBe(1);
    expect(await value(metrics, 'agentops_killswitch_enforced_total', { decided_by: 'breaker' })).toBe(1);
  });

  it('ignores events that are not decisions', async () => {
    const metrics = new ServiceMetrics('audit');
    metrics.consumerObserver().onPublished({ ...decided('agentops/audit', 'deny', 'timeout'), type: 'x' });
    expect(await value(metrics, 'agentops_decisions_total', {})).toBe(0);
  });

  it('keeps consumer lag per group and partition, and exposes the tracing drop counters', async () => {
    const metrics = new ServiceMetrics('audit');
    metrics.consumerObserver().onLag('g', 'p.agentops.intents.v1', 3, 42);
    expect(await value(metrics, 'agentops_consumer_lag_messages', { group: 'g', partition: '3' })).toBe(42);
    const text = await metrics.registry.metrics();
    expect(text).toContain('agentops_trace_spans_dropped_total{reason="queue_full",service="audit"}');
  });

  it('reports how long a partition has been held through an outage, and 0 once it is released', async () => {
    const metrics = new ServiceMetrics('guardrail');
    const { onHold } = metrics.consumerObserver();
    const partition = { group: 'guardrail', topic: 'p.agentops.intents.v1', partition: '1' };
    onHold('guardrail', 'p.agentops.intents.v1', 1, Date.now() - 45_000);
    expect(await value(metrics, 'agentops_consumer_held_seconds', partition)).toBeGreaterThanOrEqual(45);
    onHold('guardrail', 'p.agentops.intents.v1', 1, null);
    expect(await value(metrics, 'agentops_consumer_held_seconds', partition)).toBe(0);
    const text = await metrics.registry.metrics();
    expect(text).toContain(
      'agentops_consumer_held_seconds{group="guardrail",topic="p.agentops.intents.v1",partition="1",service="guardrail"} 0',
    );
  });
});
