import {
  AccessStep,
  AllowedDestinations,
  CompiledFlowRule,
  DEFAULT_FLOW_RULES,
  PendingEgress,
  compileFlowRules,
  decodeFlowHistory,
  flowHistoryKey,
  judgeEgress,
  pendingEgressOf,
} from '@agentops/access-anomaly';
import { IntentProposedV1 } from '@agentops/contracts';
import { DecisionBody, accessFlowDenial } from '@agentops/decisions';
import { REDIS, SERVICE_CONFIG } from '@agentops/service-runtime';
import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { GuardrailConfig } from '../config';

/** An agent's recent steps as the access service stored them (a port: Redis here, memory in specs). */
export abstract class AccessHistoryReader {
  /** The stored value at each key (null: none), in order: one round trip for the whole batch. */
  abstract read(keys: readonly string[]): Promise<(string | null)[]>;
}

/** One pipelined GET per key (the keys of a batch may hash to different slots, so no MGET). */
@Injectable()
export class RedisAccessHistoryReader extends AccessHistoryReader {
  constructor(@Inject(REDIS) private readonly redis: Redis) {
    super();
  }

  async read(keys: readonly string[]): Promise<(string | null)[]> {
    if (keys.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const key of keys) pipeline.get(key);
    const results = (await pipeline.exec()) ?? [];
    return results.map(([err, value]) => {
      if (err) throw err;
      return value as string | null;
    });
  }
}

/** What the gate knows about one egress intent before it is judged. */
export interface FlowEvidence {
  egress: PendingEgress;
  /** Oldest first; an Error when the stored history could not be read (the egress is then denied). */
  history: readonly AccessStep[] | Error;
}

/**
 * The egress flow gate (issue #17, item 3): an intent that sends data out (`params.destination`)
 * is judged by the flow rules over its agent's recent history — reads reported to the access
 * service, intents before it — and denied *before it runs* when a rule holds (a read of
 * customer.pii, then egress to a destination not on the tenant's list). The history is read once
 * per batch, for the agents with an egress intent in it only; judging is pure.
 */
@Injectable()
export class EgressFlowGate {
  private readonly rules: readonly CompiledFlowRule[] = compileFlowRules(DEFAULT_FLOW_RULES);
  private readonly allowed: AllowedDestinations;

  constructor(
    @Inject(AccessHistoryReader) private readonly reader: Pick<AccessHistoryReader, 'read'>,
    @Inject(SERVICE_CONFIG)
    private readonly config: Pick<
      GuardrailConfig,
      'ACCESS_ALLOWED_DESTINATIONS' | 'REDIS_KEY_PREFIX' | 'KAFKA_TOPIC_PREFIX'
    >,
  ) {
    this.allowed = config.ACCESS_ALLOWED_DESTINATIONS;
  }

  /** The evidence of every egress intent among these, by intent id: at most one read. */
  async prepare(intents: readonly IntentProposedV1[]): Promise<Map<string, FlowEvidence>> {
    const egresses = intents.flatMap((intent) => {
      const egress = pendingEgressOf(intent);
      return egress ? [{ intent, egress }] : [];
    });
    const evidence = new Map<string, FlowEvidence>();
    if (egresses.length === 0) return evidence;
    const keys = [
      ...new Set(
        egresses.map(({ intent }) => flowHistoryKey(this.config, intent.agent.tenantId, intent.agent.id)),
      ),
    ];
    const raw = await this.reader.read(keys);
    const byKey = new Map<string, readonly AccessStep[] | Error>();
    keys.forEach((key, i) => {
      try {
        byKey.set(key, decodeFlowHistory(raw[i]));
      } catch (error) {
        byKey.set(key, error as Error);
      }
    });
    for (const { intent, egress } of egresses)
      evidence.set(intent.intentId, {
        egress,
        history: byKey.get(flowHistoryKey(this.config, intent.agent.tenantId, intent.agent.id))!,
      });
    return evidence;
  }

  /** The denial of an egress intent a flow rule holds for, or null (not an egress, or allowed). */
  check(intent: IntentProposedV1, evidence: FlowEvidence | undefined, now: number): DecisionBody | null {
    if (!evidence) return null;
    const { egress, history } = evidence;
    if (history instanceof Error)
      return accessFlowDenial(
        'history-unreadable',
        egress.destination,
        `the agent's access history could not be read (${history.message}); an egress is not let through blind`,
      );
    const verdict = judgeEgress(
      this.rules,
      history,
      egress,
      {
        agent: {
          id: intent.agent.id,
          tenantId: intent.agent.tenantId,
          role: intent.agent.role,
          version: intent.agent.version,
        },
        allowedDestinations: this.allowed[intent.agent.tenantId] ?? [],
      },
      now,
    );
    return verdict.rule ? accessFlowDenial(verdict.rule.id, egress.destination, verdict.rule.message) : null;
  }
}
