import { EventTypes, IntentProposal, ServiceName } from '@agentops/contracts';
import { BaseServiceConfig, RunningService, ServiceBlueprint, startService } from '@agentops/service-runtime';
import { CatalogCache } from '../../services/guardrail/src/context/catalog-cache';
import { ActivePolicySets } from '../../services/guardrail/src/policies/active-policy-sets';
import { BASELINE } from '../../services/guardrail/src/policies/policy-scope';
import { PolicySetStore } from '../../services/guardrail/src/policies/policy-set-store';
import { compilePolicySet } from '@agentops/policy';
import { guardrailBlueprint } from '../../services/guardrail/src/blueprint';
import { loadGuardrailConfig } from '../../services/guardrail/src/config';
import { AgentRegistry } from '../../services/ingest/src/agents/agent-registry';
import { ingestBlueprint } from '../../services/ingest/src/blueprint';
import { loadIngestConfig } from '../../services/ingest/src/config';
import { IsolatedStack, benchServiceKafkaEnv } from '../shared/isolated-stack';

const TENANT = 'maison-bench';
const SKU = 'BAG-1';
const FLOOR_PRICE = 1900;
/** Far above ingest's 2 s fail-closed timeout: only a hung ingest trips it, and it counts as an error. */
const HTTP_TIMEOUT_MS = 30_000;

/** What the agent was told; `decidedBy: 'timeout'` is ingest's fail-closed deny. */
export interface DecisionOutcome {
  verdict: string;
  decidedBy: string;
  /** guardrail's clock when it decided (ms resolution); same host, so it splits the round trip. */
  decidedAtEpochMs: number;
}

/** Time guardrail spends per intent (decode → PostgreSQL → publish acknowledged), from its own metrics. */
export interface HandlerStats {
  count: number;
  meanMs: number;
}

/** ingest + guardrail, the two services an intent crosses before its decision comes back. */
export interface DecisionPath {
  ingestUrl: string;
  /** One API key per registered agent; each agent is one Kafka key, hence one partition. */
  apiKeys: string[];
  guardrailHandler(): Promise<HandlerStats>;
  /** Forgets the warm-up, so the stats cover the measured intents only. */
  resetStats(): void;
  close(): Promise<void>;
}

/**
 * Boots guardrail then ingest in this process, with the same blueprints and config loaders as
 * the e2e tests. Audit, escalation and killswitch stay down: they are not on the synchronous
 * decision path and would only compete for the CPU with what is measured.
 */
export async function bootDecisionPath(stack: IsolatedStack, agentCount: number): Promise<DecisionPath> {
  const env = serviceEnv(stack);
  const guardrail = await boot(guardrailBlueprint, loadGuardrailConfig, {
    ...env,
    INSTANCE_ID: 'guardrail-bench',
  });
  let ingest: RunningService | undefined;
  try {
    ingest = await boot(ingestBlueprint, loadIngestConfig, { ...env, INSTANCE_ID: 'ingest-bench' });
    await seedCatalog(guardrail);
    const apiKeys = await registerAgents(ingest, agentCount);
    const running = ingest;
    return {
      ingestUrl: ingest.url,
      apiKeys,
      guardrailHandler: () => handlerStats(guardrail, EventTypes.IntentProposed),
      resetStats: () => guardrail.parts.metrics.handlerSeconds.reset(),
      close: async () => {
        await running.close();
        await guardrail.close();
      },
    };
  } catch (error) {
    await ingest?.close();
    await guardrail.close();
    throw error;
  }
}

function serviceEnv(stack: IsolatedStack): Record<string, string> {
  return {
    KAFKA_BROKERS: stack.brokers.join(','),
    KAFKA_TOPIC_PREFIX: stack.topicPrefix,
    DATABASE_URL: stack.databaseUrl,
    REDIS_URL: stack.redisUrl,
    REDIS_KEY_PREFIX: stack.redisKeyPrefix,
    LOG_LEVEL: 'warn',
    // A laptop bench: superuser database role and ephemeral keys are fine (production refuses them).
    AGENTOPS_ENV: 'development',
    HTTP_PORT: '0',
    HTTP_HOST: '127.0.0.1',
  };
}

function boot<C extends BaseServiceConfig>(
  blueprint: ServiceBlueprint<C>,
  load: (env: Record<string, string>) => C,
  env: Record<string, string>,
): Promise<RunningService> {
  // Each service as its own Kafka principal, as deployed.
  return startService(blueprint, load({ ...benchServiceKafkaEnv(blueprint.name as ServiceName), ...env }));
}

async function seedCatalog(guardrail: RunningService): Promise<void> {
  // Served at once: the first measured intent must already see the item.
  await guardrail.app.get(CatalogCache).importCatalog([
    {
      tenantId: TENANT,
      sku: SKU,
      price: 2400,
      floorPrice: FLOOR_PRICE,
      cost: 800,
      flagship: true,
      brand: 'Maison',
      category: 'bags',
    },
  ]);
  await activateFloorPolicy(guardrail);
}

/** The decision path is measured with one CEL policy (the floor), as the walking skeleton had. */
const FLOOR_POLICY = `
apiVersion: agentops.io/v1
kind: GuardrailPolicy
metadata: { name: price-floor, version: "1" }
spec:
  match: { actions: ["pricing.set_price"] }
  validations:
    - expression: "item.found && double(intent.params.price) >= item.floorPrice"
      message: price below the floor
      effect: deny
`;

async function activateFloorPolicy(guardrail: RunningService): Promise<void> {
  const result = compilePolicySet([{ path: 'price-floor.yaml', content: FLOOR_POLICY }]);
  if (!result.ok)
    throw new Error(`bench policy does not compile: ${result.problems.map((p) => p.message).join('; ')}`);
  const appliedAt = await guardrail.app.get(PolicySetStore).saveActive(BASELINE, result.set, 'bench');
  guardrail.app.get(ActivePolicySets).activate(BASELINE, result.set.version, result.set.policies, appliedAt);
}

async function registerAgents(ingest: RunningService, count: number): Promise<string[]> {
  const registry = AgentRegistry.of(ingest.parts.dataSource);
  const keys: string[] = [];
  for (let i = 0; i < count; i++) {
    const { apiKey } = await registry.register({
      id: `pricing-bench-${i}`,
      tenantId: TENANT,
      name: `bench pricing agent ${i}`,
      role: 'pricing',
      version: '1.0.0',
      region: 'eu-west',
    });
    keys.push(apiKey);
  }
  return keys;
}

async function handlerStats(service: RunningService, type: string): Promise<HandlerStats> {
  const { values } = await service.parts.metrics.handlerSeconds.get();
  const series = (suffix: string) =>
    values.find((v) => v.metricName?.endsWith(suffix) && v.labels.type === type)?.value ?? 0;
  const count = series('_count');
  return { count, meanMs: count ? (series('_sum') * 1000) / count : Number.NaN };
}

/** Three allows for one deny, so both branches of the price-floor rule are on the measured path. */
export function benchIntent(index: number): IntentProposal {
  const price = index % 4 === 3 ? FLOOR_PRICE - 700 : FLOOR_PRICE + 100 + (index % 50);
  return {
    action: 'pricing.set_price',
    target: { type: 'sku', id: SKU },
    params: { sku: SKU, price, currency: 'EUR' },
    confidence: 0.92,
    justification: 'competitor price moved; elasticity model suggests a change',
    dataUsed: [{ source: 'catalog', ref: SKU, dataClasses: ['product'] }],
  };
}

export function expectedVerdict(index: number): 'allow' | 'deny' {
  return index % 4 === 3 ? 'deny' : 'allow';
}

/**
 * One agent request as an agent makes it: `POST /v1/intents?wait=true`, held until the decision.
 * Node's fetch pools keep-alive connections per origin, so the steady state pays no TCP handshake.
 */
export async function proposeAndWait(path: DecisionPath, index: number): Promise<DecisionOutcome> {
  const res = await fetch(`${path.ingestUrl}/v1/intents?wait=true`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': path.apiKeys[index % path.apiKeys.length] },
    body: JSON.stringify(benchIntent(index)),
    signal: AbortSignal.timeout(HTTP_TIMEOUT_MS),
  });
  const body = (await res.json()) as { decision?: { verdict: string; decidedBy: string; decidedAt: string } };
  if (res.status !== 200 || !body.decision)
    throw new Error(`HTTP ${res.status}: ${JSON.stringify(body).slice(0, 200)}`);
  const { verdict, decidedBy, decidedAt } = body.decision;
  return { verdict, decidedBy, decidedAtEpochMs: Date.parse(decidedAt) };
}
