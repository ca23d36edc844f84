import type { AgentIdentity, IntentProposal } from '@agentops/contracts';
import { CatalogFacts, COUNTER_DEFINITIONS, CounterDefinition } from '@agentops/policy';
import { REDIS, SERVICE_CONFIG } from '@agentops/service-runtime';
import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { GuardrailConfig } from '../config';

type Intent = Pick<IntentProposal, 'action' | 'params' | 'dataUsed'>;

/**
 * Rolling counters per agent and cohort in Redis sorted sets (score = time), shared by every
 * guardrail instance. One pipeline to read all relevant counters, one to record an intent.
 */
@Injectable()
export class RollingCounterStore {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(SERVICE_CONFIG) private readonly config: GuardrailConfig,
  ) {}

  async read(
    agent: AgentIdentity,
    intent: Intent,
    item: CatalogFacts,
    now = Date.now(),
  ): Promise<Record<string, number>> {
    const relevant = this.relevant(agent, intent, item);
    if (relevant.length === 0) return {};
    const pipeline = this.redis.pipeline();
    for (const { def, key } of relevant) {
      if (def.kind === 'count') pipeline.zcount(key, now - def.windowMs, '+inf');
      else pipeline.zrangebyscore(key, now - def.windowMs, '+inf');
    }
    const results = (await pipeline.exec()) ?? [];
    const counters: Record<string, number> = {};
    relevant.forEach(({ def }, i) => {
      const [err, value] = results[i];
      if (err) throw err;
      counters[def.name] =
        def.kind === 'count'
          ? Number(value)
          : (value as string[]).reduce((s, m) => s + Number(m.slice(m.lastIndexOf('|') + 1)), 0);
    });
    return counters;
  }

  /** Adds the intent's contributions; `allowed` is false for denied intents (only data access counts then). */
  async record(
    agent: AgentIdentity,
    intent: Intent,
    item: CatalogFacts,
    allowed: boolean,
    now = Date.now(),
  ): Promise<void> {
    const pipeline = this.redis.pipeline();
    let writes = 0;
    for (const { def, key } of this.relevant(agent, intent, item)) {
      if (!allowed && !def.countsOnProposal) continue;
      const c = def.contribution(intent, item);
      if (!c) continue;
      const member = def.kind === 'sum' ? `${c.member}|${c.value}` : c.member;
      pipeline
        .zadd(key, now, member)
        .zremrangebyscore(key, '-inf', now - def.windowMs)
        .pexpire(key, def.windowMs + 60_000);
      writes++;
    }
    if (writes) await pipeline.exec();
  }

  private relevant(
    agent: AgentIdentity,
    intent: Intent,
    item: CatalogFacts,
  ): { def: CounterDefinition; key: string }[] {
    const out: { def: CounterDefinition; key: string }[] = [];
    for (const def of COUNTER_DEFINITIONS) {
      const scope = def.scope(agent, intent, item);
      if (scope) out.push({ def, key: counterKey(this.config, agent.tenantId, def.name, scope) });
    }
    return out;
  }
}

/** The tenant in a hash tag keeps one tenant's counters in one Redis Cluster slot. */
export function counterKey(
  config: Pick<GuardrailConfig, 'REDIS_KEY_PREFIX' | 'KAFKA_TOPIC_PREFIX'>,
  tenantId: string,
  counter: string,
  scope: string,
): string {
  return `${config.REDIS_KEY_PREFIX}${config.KAFKA_TOPIC_PREFIX}guardrail:{${tenantId}}:${counter}:${scope}`;
}
