import { DataSource, serviceDataSourceOptions } from '@agentops/persistence';
import { PostgresCatalogRepository } from '../../services/guardrail/src/context/catalog-repository';
import { guardrailDatabase } from '../../services/guardrail/src/persistence/database';
import { AgentRegistry } from '../../services/ingest/src/agents/agent-registry';
import { ingestDatabase } from '../../services/ingest/src/persistence/database';
import { demoAgents, demoCatalog } from './demo-data';

/**
 * Seeds the demo tenant's catalog and registers the demo agents, printing their API keys
 * (the only time the clear key exists). Output is JSON so scripts can read the key.
 */
export async function seedDemo(
  url: string,
): Promise<{ agents: Record<string, { agentId: string; apiKey: string }>; catalogItems: number }> {
  const guardrail = new DataSource(
    serviceDataSourceOptions({ ...guardrailDatabase(), url, applicationName: 'agentops-seed' }),
  );
  const ingest = new DataSource(
    serviceDataSourceOptions({ ...ingestDatabase(), url, applicationName: 'agentops-seed' }),
  );
  await Promise.all([guardrail.initialize(), ingest.initialize()]);
  try {
    const catalogItems = await new PostgresCatalogRepository(guardrail).importCatalog(demoCatalog);
    const registry = AgentRegistry.of(ingest);
    const agents: Record<string, { agentId: string; apiKey: string }> = {};
    for (const reg of demoAgents) {
      const { agent, apiKey } = await registry.register(reg);
      agents[reg.role] = { agentId: agent.id, apiKey };
    }
    return { agents, catalogItems };
  } finally {
    await Promise.all([guardrail.destroy(), ingest.destroy()]);
  }
}

if (require.main === module) {
  // Writes into two services' schemas, so it runs as the admin, like the migrations.
  const url =
    process.env.DATABASE_ADMIN_URL ||
    process.env.DATABASE_URL ||
    'postgres://postgres@127.0.0.1:5432/agentops';
  seedDemo(url).then(
    (out) => console.log(JSON.stringify(out)),
    (error: Error) => {
      console.error(`seed: failed: ${error.message}`);
      process.exit(1);
    },
  );
}
