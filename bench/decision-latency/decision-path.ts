import { IntentProposal } from '@agentops/contracts';
import { BaseServiceConfig, RunningService, ServiceBlueprint, startService } from '@agentops/service-runtime';
import { randomBytes } from 'node:crypto';
import { CatalogCache } from '../../services/guardrail/src/catalog/catalog-cache';
import { importCatalog } from '../../services/guardrail/src/catalog/catalog-import';
import { guardrailBlueprint } from '../../services/guardrail/src/blueprint';
import { loadGuardrailConfig } from '../../services/guardrail/src/config';
import { AgentRegistry } from '../../services/ingest/src/agents/agent-registry';
import { ingestBlueprint } from '../../services/ingest/src/blueprint';
import { loadIngestConfig } from '../../services/ingest/src/config';
import { IsolatedStack } from '../shared/isolated-stack';

const TENANT = 'maison-bench';
const SKU = 'BAG-1';
const FLOOR_PRICE = 1900;

/** What the agent was told; `decidedBy: 'timeout'` is ingest's fail-closed deny. */
export interface DecisionOutcome {
  verdict: string;
  decidedBy: string;
}

/** ingest + guardrail, the two services an intent crosses before its decision comes back. */
export interface DecisionPath {
  ingestUrl: string;
  /** One API key per registered agent; each agent is one Kafka key, hence one partition. */
  apiKeys: string[];
  close(): Promise<void>;
}

/**
 * Boots guardrail then ingest in this process, with the same blueprints and config loaders as
 * the e2e tests. Audit, escalation and killswitch stay down: they are not on the synchronous
 * decision path and would only add CPU load to this 2-core machine.
 */
export async function bootDecisionPath(stack: IsolatedStack, agentCount: number): Promise<DecisionPath> {
  const env = serviceEnv(stack);
  const guardrail = await boot(guardrailBlueprint, loadGuardrailConfig, { ...env, INSTANCE_ID: 'guardrail-bench' });
  let ingest: RunningService | undefined;
  try {
    ingest = await boot(ingestBlueprint, loadIngestConfig, { ...env, INSTANCE_ID: 'ingest-bench' });
    await seedCatalog(guardrail);
    const apiKeys = await registerAgents(ingest, agentCount);
    const running = ingest;
    return {
      ingestUrl: ingest.url,
      apiKeys,
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
    // Generated per run: the bench never exercises operator endpoints, but the config requires one.
    OPERATOR_TOKEN: randomBytes(24).toString('hex'),
    HTTP_PORT: '0',
    HTTP_HOST: '127.0.0.1',
  };
}

function boot<C extends BaseServiceConfig>(
  blueprint: ServiceBlueprint<C>,
  load: (env: Record<string, string>) => C,
  env: Record<string, string>,
): Promise<RunningService> {
  return startService(blueprint, load(env));
}

async function seedCatalog(guardrail: RunningService): Promise<void> {
  await importCatalog(guardrail.parts.dataSource, [
    { tenantId: TENANT, sku: SKU, price: 2400, floorPrice: FLOOR_PRICE, cost: 800, flagship: true, brand: 'Maison', category: 'bags' },
  ]);
  // The cache refreshes on a timer; the first measured intent must already see the item.
  await guardrail.app.get(CatalogCache).refresh();
}

async function registerAgents(ingest: RunningService, count: number): Promise<string[]> {
  const registry = new AgentRegistry(ingest.parts.dataSource);
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
  });
  const body = (await res.json()) as { decision?: DecisionOutcome };
  if (res.status !== 200 || !body.decision) throw new Error(`HTTP ${res.status}: ${JSON.stringify(body).slice(0, 200)}`);
  return { verdict: body.decision.verdict, decidedBy: body.decision.decidedBy };
}
