import { CatalogItemEntity, DecisionEntity } from './entities';
import { CreateGuardrailTables1764000000101 } from './migrations/1764000000101-create-guardrail-tables';

export const GUARDRAIL_SCHEMA = 'guardrail';

export const guardrailDatabase = () => ({
  schema: GUARDRAIL_SCHEMA,
  entities: [CatalogItemEntity, DecisionEntity],
  migrations: [CreateGuardrailTables1764000000101],
});
