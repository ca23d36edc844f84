import { CreateUsers1764000000601 } from './migrations/1764000000601-create-users';
import { CreatePolicyFires1764000000602 } from './migrations/1764000000602-create-policy-fires';

export const consoleDatabase = () => ({
  schema: 'console',
  entities: [],
  migrations: [CreateUsers1764000000601, CreatePolicyFires1764000000602],
});
