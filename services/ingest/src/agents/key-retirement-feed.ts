import { Redis } from '@agentops/persistence';
import { CommonEnv, LOGGER, REDIS, SERVICE_CONFIG } from '@agentops/service-runtime';
import { Inject, Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import type { Logger } from 'pino';
import { z } from 'zod';
import { AgentRegistry } from './agent-registry';

const Message = z.object({ keyIds: z.array(z.string().max(64)).max(1000) });

export function keyRetirementChannel(config: {
  REDIS_KEY_PREFIX: string;
  KAFKA_TOPIC_PREFIX: string;
}): string {
  return `${config.REDIS_KEY_PREFIX}${config.KAFKA_TOPIC_PREFIX}ingest:api-keys:retired`;
}

/**
 * Tells every ingest instance which keys a rotation retired, so none keeps a revoked key alive in
 * its authentication cache. Redis pub/sub is at-most-once: a lost message leaves a key cached for
 * at most the cache's 30 s, the same bound as before rotations existed.
 */
@Injectable()
export class KeyRetirementFeed implements OnModuleInit, OnModuleDestroy {
  private subscriber?: Redis;
  private readonly channel: string;

  constructor(
    private readonly registry: AgentRegistry,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(SERVICE_CONFIG) config: CommonEnv,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.channel = keyRetirementChannel(config);
  }

  async onModuleInit(): Promise<void> {
    const subscriber = this.redis.duplicate({
      connectionName: `${this.redis.options.connectionName ?? 'ingest'}-key-retirement-sub`,
    });
    this.subscriber = subscriber;
    subscriber.on('message', (_channel: string, raw: string) => this.receive(raw));
    await subscriber.subscribe(this.channel);
  }

  /** Best effort: the rotation is already committed, and this instance's cache already cleared. */
  async announce(keyIds: readonly string[]): Promise<void> {
    if (keyIds.length === 0) return;
    try {
      await this.redis.publish(this.channel, JSON.stringify({ keyIds }));
    } catch (error) {
      this.logger.warn({ err: error }, 'could not announce retired API keys to the other instances');
    }
  }

  private receive(raw: string): void {
    try {
      const parsed = Message.safeParse(JSON.parse(raw));
      if (parsed.success) this.registry.forget(parsed.data.keyIds);
      else this.logger.warn('ignoring malformed key-retirement message on Redis');
    } catch {
      this.logger.warn('ignoring unparsable key-retirement message on Redis');
    }
  }

  onModuleDestroy(): void {
    this.subscriber?.disconnect();
  }
}
