import { CatalogItemEntity, DecisionEntity } from './entities';
import { CreateGuardrailTables1764000000101 } from './migrations/1764000000101-create-guardrail-tables';
import { PoliciesAndContext1764000000102 } from './migrations/1764000000102-policies-and-context';
import { Verification1764000000103 } from './migrations/1764000000103-verification';
import { PolicySetScopes1764000000104 } from './migrations/1764000000104-policy-set-scopes';
import { KnowledgeVersions1764000000116 } from './migrations/1764000000116-knowledge-versions';

export const GUARDRAIL_SCHEMA = 'guardrail';

export const guardrailDatabase = () => ({
  schema: GUARDRAIL_SCHEMA,
  entities: [CatalogItemEntity, DecisionEntity],
  migrations: [
    CreateGuardrailTables1764000000101,
    PoliciesAndContext1764000000102,
    Verification1764000000103,
    PolicySetScopes1764000000104,
    KnowledgeVersions1764000000116,
  ],
});
