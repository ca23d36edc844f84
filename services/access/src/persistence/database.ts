import { CreateAccess1764000000801 } from './migrations/1764000000801-create-access';

export const accessDatabase = () => ({
  schema: 'access',
  entities: [],
  migrations: [CreateAccess1764000000801],
});
