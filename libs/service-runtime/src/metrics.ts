import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

/** A registry per service instance (tests boot several in one process). */
export class ServiceMetrics {
  readonly registry = new Registry();
  readonly eventsHandled: Counter<'type'>;
  readonly eventsDeadLettered: Counter<'reason' | 'topic'>;
  readonly handlerSeconds: Histogram<'type'>;

  constructor(service: string) {
    this.registry.setDefaultLabels({ service });
    collectDefaultMetrics({ register: this.registry });
    this.eventsHandled = new Counter({
      name: 'agentops_events_handled_total',
      help: 'Events handled',
      labelNames: ['type'],
      registers: [this.registry],
    });
    this.eventsDeadLettered = new Counter({
      name: 'agentops_events_dead_lettered_total',
      help: 'Messages sent to the DLQ',
      labelNames: ['reason', 'topic'],
      registers: [this.registry],
    });
    this.handlerSeconds = new Histogram({
      name: 'agentops_event_handler_seconds',
      help: 'Time spent in event handlers',
      labelNames: ['type'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers: [this.registry],
    });
  }

  /** Hooks for the consumer loop. */
  consumerObserver() {
    return {
      onHandled: (type: string, ms: number) => {
        this.eventsHandled.inc({ type });
        this.handlerSeconds.observe({ type }, ms / 1000);
      },
      onDeadLettered: (reason: string, topic: string) => this.eventsDeadLettered.inc({ reason, topic }),
    };
  }
}
