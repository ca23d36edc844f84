import {
  EventEnvelope,
  IntentDecidedType,
  IntentDecidedV1,
  KillSwitchChangedType,
  KillSwitchChangedV1,
  eventSource,
} from '@agentops/contracts';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { spanStoreCounters } from './span-export';
import { tracingCounters } from './tracing';

const INGEST_SOURCE = eventSource('ingest');

type PartitionLabel = 'group' | 'topic' | 'partition';

/** Decision-path latencies: sub-millisecond to the longest wait an agent may ask for. */
const DECISION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/**
 * A registry per service instance (tests boot several in one process). Names follow Prometheus's
 * conventions (`_total` counters, `_seconds` durations, base units); every metric carries the
 * `service` label. deploy/prometheus and deploy/grafana reference only these (checked by
 * tools/observability/observability-config.spec.ts).
 */
export class ServiceMetrics {
  readonly registry = new Registry();
  readonly eventsHandled: Counter<'type'>;
  readonly eventsDeadLettered: Counter<'reason' | 'topic'>;
  readonly handlerSeconds: Histogram<'type'>;
  readonly eventLagSeconds: Histogram<'topic'>;
  readonly consumerLag: Gauge<'group' | 'topic' | 'partition'>;
  /** When each partition a consumer holds through an outage began to be held (epoch ms). */
  private readonly heldSince = new Map<string, { labels: Record<PartitionLabel, string>; since: number }>();
  readonly decisions: Counter<'verdict' | 'decided_by'>;
  readonly failClosed: Counter<'action'>;
  readonly killSwitchEnforced: Counter<'decided_by'>;
  readonly decisionLatency: Histogram<'verdict' | 'decided_by'>;
  readonly httpDuration: Histogram<'method' | 'route' | 'status_code'>;
  readonly killSwitchChanges: Counter<'state' | 'by'>;
  readonly auditVerifications: Counter<'result'>;

  constructor(service: string) {
    this.registry.setDefaultLabels({ service });
    collectDefaultMetrics({ register: this.registry });
    const registers = [this.registry];
    this.eventsHandled = new Counter({
      name: 'agentops_events_handled_total',
      help: 'Events handled',
      labelNames: ['type'],
      registers,
    });
    this.eventsDeadLettered = new Counter({
      name: 'agentops_events_dead_lettered_total',
      help: 'Messages sent to the DLQ',
      labelNames: ['reason', 'topic'],
      registers,
    });
    this.handlerSeconds = new Histogram({
      name: 'agentops_event_handler_seconds',
      help: 'Time spent in event handlers',
      labelNames: ['type'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers,
    });
    this.eventLagSeconds = new Histogram({
      name: 'agentops_event_lag_seconds',
      help: "Seconds from an event's time to the end of its handling here (audit's: the append lag)",
      labelNames: ['topic'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
      registers,
    });
    this.consumerLag = new Gauge({
      name: 'agentops_consumer_lag_messages',
      help: 'Messages a consumer group is behind the high watermark, per partition (after each fetch)',
      labelNames: ['group', 'topic', 'partition'],
      registers,
    });
    const heldSince = this.heldSince;
    new Gauge({
      name: 'agentops_consumer_held_seconds',
      help: 'Seconds a consumer has held a partition (no progress) because a dependency it needs is unreachable; 0 when not held',
      labelNames: ['group', 'topic', 'partition'],
      registers,
      collect() {
        // Read at scrape time: a hold that never ends still grows.
        const now = Date.now();
        for (const { labels, since } of heldSince.values())
          this.set(labels, since ? Math.max(0, (now - since) / 1000) : 0);
      },
    });
    this.decisions = new Counter({
      name: 'agentops_decisions_total',
      help: 'Decisions this service published, by verdict and by who decided',
      labelNames: ['verdict', 'decided_by'],
      registers,
    });
    this.failClosed = new Counter({
      name: 'agentops_fail_closed_total',
      help: 'Fail-closed denials: no decision in time',
      labelNames: ['action'],
      registers,
    });
    this.killSwitchEnforced = new Counter({
      name: 'agentops_killswitch_enforced_total',
      help: 'Intents refused by a kill switch or an open breaker',
      labelNames: ['decided_by'],
      registers,
    });
    this.decisionLatency = new Histogram({
      name: 'agentops_decision_latency_seconds',
      help: 'From an intent reaching ingest to the decision the agent is answered with',
      labelNames: ['verdict', 'decided_by'],
      buckets: DECISION_BUCKETS,
      registers,
    });
    this.httpDuration = new Histogram({
      name: 'agentops_http_request_duration_seconds',
      help: 'HTTP requests served, by route template and status code',
      labelNames: ['method', 'route', 'status_code'],
      buckets: DECISION_BUCKETS,
      registers,
    });
    this.killSwitchChanges = new Counter({
      name: 'agentops_killswitch_changes_total',
      help: 'Kill switches flipped (active) or released, by a breaker or by a person',
      labelNames: ['state', 'by'],
      registers,
    });
    this.auditVerifications = new Counter({
      name: 'agentops_audit_verifications_total',
      help: 'Audit chain verifications run through the API, by result (ok | failed)',
      labelNames: ['result'],
      registers,
    });
    new Counter({
      name: 'agentops_trace_spans_dropped_total',
      help: 'Spans never exported: a bounded queue was full, or the OTLP endpoint or the trace store topic failed',
      labelNames: ['reason'],
      registers,
      collect() {
        this.reset();
        this.inc({ reason: 'queue_full' }, tracingCounters.droppedQueueFull);
        this.inc({ reason: 'export_failed' }, tracingCounters.droppedExportFailed);
        this.inc({ reason: 'store_queue_full' }, spanStoreCounters.droppedQueueFull);
        this.inc({ reason: 'store_send_failed' }, spanStoreCounters.droppedSendFailed);
      },
    });
    new Counter({
      name: 'agentops_trace_store_spans_sent_total',
      help: "Spans sent to ingest's embedded trace store (agentops.spans.v1)",
      registers,
      collect() {
        this.reset();
        this.inc(spanStoreCounters.sent);
      },
    });
    new Counter({
      name: 'agentops_trace_spans_exported_total',
      help: 'Spans the OTLP endpoint accepted',
      registers,
      collect() {
        this.reset();
        this.inc(tracingCounters.exported);
      },
    });
  }

  /** Hooks for the consumer loops and the publisher. */
  consumerObserver() {
    return {
      onHandled: (type: string, ms: number) => {
        this.eventsHandled.inc({ type });
        this.handlerSeconds.observe({ type }, ms / 1000);
      },
      onDeadLettered: (reason: string, topic: string) => this.eventsDeadLettered.inc({ reason, topic }),
      onLag: (group: string, topic: string, partition: number, lag: number) => {
        if (Number.isFinite(lag)) this.consumerLag.set({ group, topic, partition: String(partition) }, lag);
      },
      onEventAge: (topic: string, seconds: number) => this.eventLagSeconds.observe({ topic }, seconds),
      onHold: (group: string, topic: string, partition: number, heldSince: number | null) => {
        const labels = { group, topic, partition: String(partition) };
        // Kept at 0 once released, so a dashboard shows the partition went back to work.
        this.heldSince.set(`${group}\0${topic}\0${partition}`, { labels, since: heldSince ?? 0 });
      },
      onPublished: (event: EventEnvelope) => this.recordPublished(event),
    };
  }

  /** What a published decision says: counted by verdict, fail-closed and kill-switch answers apart. */
  recordPublished(event: EventEnvelope): void {
    if (event.type === KillSwitchChangedType) {
      const k = event.data as Partial<KillSwitchChangedV1>;
      if (k.state)
        this.killSwitchChanges.inc({
          state: k.state,
          by: k.actor?.startsWith('breaker:') ? 'breaker' : 'person',
        });
      return;
    }
    if (event.type !== IntentDecidedType) return;
    const d = event.data as Partial<IntentDecidedV1>;
    if (!d.verdict || !d.decidedBy) return;
    this.decisions.inc({ verdict: d.verdict, decided_by: d.decidedBy });
    // ingest's answer when no decision came in time; escalation's SLA timeouts are another thing.
    if (d.decidedBy === 'timeout' && d.verdict === 'deny' && event.source === INGEST_SOURCE)
      this.failClosed.inc({ action: d.action ?? 'unknown' });
    if (d.decidedBy === 'killswitch' || d.decidedBy === 'breaker')
      this.killSwitchEnforced.inc({ decided_by: d.decidedBy });
  }
}
