import { CreateRecords1764000000401 } from './migrations/1764000000401-create-records';
import { ChainedRecords1764000000402 } from './migrations/1764000000402-chained-records';

export const auditDatabase = () => ({
  schema: 'audit',
  entities: [],
  migrations: [CreateRecords1764000000401, ChainedRecords1764000000402],
});
