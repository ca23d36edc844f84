import { EventPublisher } from '@agentops/messaging';
import { Clock, LOGGER } from '@agentops/service-runtime';
import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { AccessStateStore, AnomalyEnvelope } from '../monitoring/access-state-store';
import { AgentQuarantine } from './agent-quarantine';

/** One quarantine per agent per this long: further high anomalies name the switch already flipped. */
export const QUARANTINE_MEMORY_MS = 15 * 60_000;

/**
 * Use case: what follows a stored anomaly. A high one first quarantines its agent (a kill switch on
 * its id; the switch is written into the anomaly), then every anomaly is published on its own
 * topic, keyed by agent id. Both steps are retried from the outbox rows until they succeed, so a
 * crash between the flip and the event delays the event, never loses it.
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

  /** Contains and publishes each anomaly; a failure leaves it (and those after it) for the catch-up. */
  async contain(anomalies: AnomalyEnvelope[]): Promise<void> {
    for (const anomaly of anomalies) {
      try {
        await this.containOne(anomaly);
      } catch (err) {
        this.logger.warn(
          { err, anomalyId: anomaly.data.anomalyId },
          'anomaly not contained yet; retried by the tick',
        );
        return;
      }
    }
  }

  /** Anomalies stored but not published (a crash, killswitch or Kafka down), oldest first. */
  async catchUp(graceMs: number): Promise<void> {
    const due = await this.store.unpublished(new Date(this.clock.now().getTime() - graceMs), 100);
    await this.contain(due);
  }

  private async containOne(stored: AnomalyEnvelope): Promise<void> {
    let anomaly = stored;
    if (anomaly.data.severity === 'high' && !anomaly.data.quarantine) {
      const { agentId, tenantId } = anomaly.data;
      const since = new Date(Date.parse(anomaly.data.detectedAt) - QUARANTINE_MEMORY_MS);
      const switchId =
        (await this.store.recentQuarantine(agentId, since)) ??
        (await this.quarantine.quarantine(
          { tenantId, agentId },
          `data-access anomaly: ${anomaly.data.message}`,
          `access-anomaly:${anomaly.data.anomalyId}`,
        ));
      anomaly = { ...anomaly, data: { ...anomaly.data, quarantine: { switchId } } };
      await this.store.recordQuarantine(anomaly);
      this.logger.warn(
        { agentId, tenantId, switchId, anomalyId: anomaly.data.anomalyId },
        'agent quarantined',
      );
    }
    await this.publisher.publish(anomaly, anomaly.data.agentId);
    await this.store.markPublished(anomaly, this.clock.now());
  }
}
