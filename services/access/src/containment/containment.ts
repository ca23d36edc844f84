import { EventPublisher } from '@agentops/messaging';
import { Clock, LOGGER } from '@agentops/service-runtime';
import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { AccessStateStore, AnomalyEnvelope } from '../monitoring/access-state-store';
import { AgentQuarantine } from './agent-quarantine';

/** One quarantine per agent per this long: further high anomalies name the switch already flipped. */
export const QUARANTINE_MEMORY_MS = 15 * 60_000;

/**
 * Use case: what follows stored anomalies. A high one first quarantines its agent (a kill switch on
 * its id; the switch is written into the anomaly), then the anomalies are published on their own
 * topic, keyed by agent id, in one produce. Both steps are retried from the outbox rows until they
 * succeed, so a crash between the flip and the event delays the event, never loses it.
 */
@Injectable()
export class Containment {
  constructor(
    private readonly store: AccessStateStore,
    private readonly quarantine: AgentQuarantine,
    private readonly publisher: EventPublisher,
    private readonly clock: Clock,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /**
   * Quarantines the agents of the high ones, then publishes the anomalies together. An agent whose
   * quarantine fails keeps all its anomalies for the catch-up (its events stay in order); the
   * others go on.
   */
  async contain(anomalies: readonly AnomalyEnvelope[]): Promise<void> {
    if (anomalies.length === 0) return;
    const byAgent = new Map<string, AnomalyEnvelope[]>();
    for (const a of anomalies) byAgent.set(a.data.agentId, [...(byAgent.get(a.data.agentId) ?? []), a]);
    const ready: AnomalyEnvelope[] = [];
    for (const [agentId, own] of byAgent)
      try {
        ready.push(...(await this.quarantined(own)));
      } catch (err) {
        this.logger.warn(
          { err, agentId, anomalyIds: own.map((a) => a.data.anomalyId) },
          'agent not quarantined yet; its anomalies are retried by the tick',
        );
      }
    if (ready.length === 0) return;
    try {
      await this.publisher.publishMany(ready.map((a) => ({ event: a, key: a.data.agentId })));
      await this.store.markPublished(ready, this.clock.now());
    } catch (err) {
      this.logger.warn({ err, anomalies: ready.length }, 'anomalies not published yet; retried by the tick');
    }
  }

  /** Anomalies stored but not published (a crash, killswitch or Kafka down), oldest first. */
  async catchUp(graceMs: number): Promise<void> {
    const due = await this.store.unpublished(new Date(this.clock.now().getTime() - graceMs), 100);
    await this.contain(due);
  }

  /**
   * One agent's anomalies, in order, each high one carrying the switch that quarantined the agent:
   * one flip per QUARANTINE_MEMORY_MS, the switch of an earlier one reused within it.
   */
  private async quarantined(own: readonly AnomalyEnvelope[]): Promise<AnomalyEnvelope[]> {
    let last: { switchId: string; at: number } | undefined;
    const out: AnomalyEnvelope[] = [];
    const flipped: AnomalyEnvelope[] = [];
    for (const stored of own) {
      if (stored.data.severity !== 'high' || stored.data.quarantine) {
        out.push(stored);
        continue;
      }
      const { agentId, tenantId } = stored.data;
      const at = Date.parse(stored.data.detectedAt);
      if (!last || at - last.at >= QUARANTINE_MEMORY_MS) {
        const switchId =
          (await this.store.recentQuarantine(agentId, new Date(at - QUARANTINE_MEMORY_MS))) ??
          (await this.quarantine.quarantine(
            { tenantId, agentId },
            `data-access anomaly: ${stored.data.message}`,
            `access-anomaly:${stored.data.anomalyId}`,
          ));
        last = { switchId, at };
        this.logger.warn(
          { agentId, tenantId, switchId, anomalyId: stored.data.anomalyId },
          'agent quarantined',
        );
      }
      const anomaly = { ...stored, data: { ...stored.data, quarantine: { switchId: last.switchId } } };
      out.push(anomaly);
      flipped.push(anomaly);
    }
    await this.store.recordQuarantine(flipped);
    return out;
  }
}
