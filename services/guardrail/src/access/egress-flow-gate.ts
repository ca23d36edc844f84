import {
  AccessStep,
  AllowedDestinations,
  CompiledFlowRule,
  DEFAULT_FLOW_RULES,
  PendingEgress,
  compileFlowRules,
  decodeFlowHistory,
  decodeFlowSteps,
  flowHistoryKey,
  judgeEgress,
  mergeFlowSteps,
  pendingEgressOf,
  reportedStepsKey,
} from '@agentops/access-anomaly';
import { IntentProposedV1 } from '@agentops/contracts';
import { DecisionBody, accessFlowDenial } from '@agentops/decisions';
import { REDIS, SERVICE_CONFIG } from '@agentops/service-runtime';
import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { GuardrailConfig } from '../config';

/** Where one agent's evidence is kept: the access service's history and ingest's reported steps. */
export interface FlowEvidenceKeys {
  history: string;
  reported: string;
}

/** What is stored at those keys (null: no history; []: nothing reported lately). */
export interface StoredFlowEvidence {
  history: string | null;
  reported: string[];
}

/**
 * An agent's recent steps as the access service and ingest stored them (a port: Redis here,
 * memory in specs). One round trip for the whole batch.
 */
export abstract class AccessHistoryReader {
  abstract read(agents: readonly FlowEvidenceKeys[]): Promise<StoredFlowEvidence[]>;
}

/** One pipelined GET and LRANGE per agent (a batch's agents may hash to different slots). */
@Injectable()
export class RedisAccessHistoryReader extends AccessHistoryReader {
  constructor(@Inject(REDIS) private readonly redis: Redis) {
    super();
  }

  async read(agents: readonly FlowEvidenceKeys[]): Promise<StoredFlowEvidence[]> {
    if (agents.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const keys of agents) pipeline.get(keys.history).lrange(keys.reported, 0, -1);
    const results = (await pipeline.exec()) ?? [];
    const values = results.map(([err, value]) => {
      if (err) throw err;
      return value;
    });
    return agents.map((_, i) => ({
      history: values[2 * i] as string | null,
      reported: (values[2 * i + 1] as string[] | null) ?? [],
    }));
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
 * is judged by the flow rules over its agent's recent history — the access service's (reads,
 * intents before it) merged with the steps ingest logged as the agent reported them, which the
 * access service may not have consumed yet — and denied *before it runs* when a rule holds (a
 * read of customer.pii, then egress to a destination not on the tenant's list). The evidence is
 * read once per batch, for the agents with an egress intent in it only; judging is pure.
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
    const byAgent = new Map<string, FlowEvidenceKeys>();
    for (const { intent } of egresses) {
      const { tenantId, id } = intent.agent;
      byAgent.set(`${tenantId}/${id}`, {
        history: flowHistoryKey(this.config, tenantId, id),
        reported: reportedStepsKey(this.config, tenantId, id),
      });
    }
    const agents = [...byAgent.keys()];
    const stored = await this.reader.read([...byAgent.values()]);
    const histories = new Map<string, readonly AccessStep[] | Error>();
    agents.forEach((agent, i) => {
      try {
        histories.set(
          agent,
          mergeFlowSteps(decodeFlowHistory(stored[i].history), decodeFlowSteps(stored[i].reported)),
        );
      } catch (error) {
        histories.set(agent, error as Error);
      }
    });
    for (const { intent, egress } of egresses)
      evidence.set(intent.intentId, {
        egress,
        history: histories.get(`${intent.agent.tenantId}/${intent.agent.id}`)!,
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
