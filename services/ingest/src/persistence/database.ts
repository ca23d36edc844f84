import { AgentEntity, ApiKeyEntity } from './agent.entity';
import { CreateAgentRegistry1764000000001 } from './migrations/1764000000001-create-agent-registry';

export const INGEST_SCHEMA = 'ingest';

export const ingestDatabase = () => ({
  schema: INGEST_SCHEMA,
  entities: [AgentEntity, ApiKeyEntity],
  migrations: [CreateAgentRegistry1764000000001],
});
