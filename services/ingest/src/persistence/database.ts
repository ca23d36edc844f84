import { AgentEntity, ApiKeyEntity } from './agent.entity';
import { CreateAgentRegistry1764000000001 } from './migrations/1764000000001-create-agent-registry';
import { AgentScopes1764000000002 } from './migrations/1764000000002-agent-scopes';
import { ApiKeyExpiry1764000000003 } from './migrations/1764000000003-api-key-expiry';
import { TraceStore1764000000004 } from './migrations/1764000000004-trace-store';

export const INGEST_SCHEMA = 'ingest';

export const ingestDatabase = () => ({
  schema: INGEST_SCHEMA,
  entities: [AgentEntity, ApiKeyEntity],
  migrations: [
    CreateAgentRegistry1764000000001,
    AgentScopes1764000000002,
    ApiKeyExpiry1764000000003,
    TraceStore1764000000004,
  ],
});
