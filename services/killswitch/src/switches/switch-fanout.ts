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
 *
 * The PUBLISH is written to its socket first, synchronously, before the producer starts encoding,
 * so the Kafka round trip (acks=all) never delays propagation. The caller still awaits both: a 201
 * says the copy that repairs a lost pub/sub message (and that audit records) is written, and a
 * failed produce answers 5xx rather than a switch only Redis heard of (the restart republish, from
 * PostgreSQL, covers a crash in between).
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
    const fast = this.redis.publish(this.channel, JSON.stringify(event.data));
    await Promise.all([fast, this.publisher.publish(event, event.data.switchId)]);
  }
}
