import { EventEnvelope, KillSwitchChangedV1 } from '@agentops/contracts';
import { killSwitchChannel } from '@agentops/killswitch-client';
import { EventPublisher } from '@agentops/messaging';
import { Redis } from '@agentops/persistence';
import { CommonEnv, REDIS, SERVICE_CONFIG } from '@agentops/service-runtime';
import { Inject, Injectable } from '@nestjs/common';

/**
 * After a change is durable in PostgreSQL it goes out twice, in parallel: Redis PUBLISH (the fast
 * path every enforcement point listens on) and the compacted topic, keyed by switch id (the durable
 * copy instances rebuild from at start, and what audit records). Both must succeed.
 */
@Injectable()
export class SwitchFanout {
  private readonly channel: string;

  constructor(
    private readonly publisher: EventPublisher,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(SERVICE_CONFIG) config: CommonEnv,
  ) {
    this.channel = killSwitchChannel(config);
  }

  async publish(event: EventEnvelope<KillSwitchChangedV1>): Promise<void> {
    await Promise.all([
      this.redis.publish(this.channel, JSON.stringify(event.data)),
      this.publisher.publish(event, event.data.switchId),
    ]);
  }
}
