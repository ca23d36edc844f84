import { CreateRollouts1764000000701 } from './migrations/1764000000701-create-rollouts';

export const rolloutDatabase = () => ({
  schema: 'rollout',
  entities: [],
  migrations: [CreateRollouts1764000000701],
});
