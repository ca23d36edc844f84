import { ServiceMetrics } from '@agentops/service-runtime';
import { Injectable } from '@nestjs/common';
import { Histogram } from 'prom-client';

/**
 * Times the pure policy evaluation of one intent (CEL over the baseline and the tenant's set), by
 * the verdict it reached: what the decision path spends judging, apart from Kafka, PostgreSQL and
 * Redis (which `agentops_event_handler_seconds` and `agentops_decision_latency_seconds` include).
 * Intents refused before any policy runs (kill switch, scopes, no policy set, past deadline) are
 * not timed here; an evaluation that throws is observed as `error`.
 */
@Injectable()
export class PolicyEvaluationTimer {
  private readonly seconds: Histogram<'verdict'>;

  constructor(metrics: ServiceMetrics) {
    this.seconds = new Histogram({
      name: 'agentops_policy_evaluation_seconds',
      help: 'Time to evaluate the policy layers for one intent (dry runs included), by the verdict reached',
      labelNames: ['verdict'],
      buckets: [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1],
      registers: [metrics.registry],
    });
  }

  time<T extends { verdict: string }>(evaluate: () => T): T {
    const end = this.seconds.startTimer();
    try {
      const result = evaluate();
      end({ verdict: result.verdict });
      return result;
    } catch (error) {
      end({ verdict: 'error' });
      throw error;
    }
  }
}
