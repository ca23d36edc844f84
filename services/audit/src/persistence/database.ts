import { CreateRecords1764000000401 } from './migrations/1764000000401-create-records';

export const auditDatabase = () => ({ schema: 'audit', entities: [], migrations: [CreateRecords1764000000401] });
