import { CreateTasks1764000000201 } from './migrations/1764000000201-create-tasks';
import { ReviewWorkflow1764000000202 } from './migrations/1764000000202-review-workflow';

export const escalationDatabase = () => ({
  schema: 'escalation',
  entities: [],
  migrations: [CreateTasks1764000000201, ReviewWorkflow1764000000202],
});
