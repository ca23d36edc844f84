import { CreateTasks1764000000201 } from './migrations/1764000000201-create-tasks';
import { ReviewWorkflow1764000000202 } from './migrations/1764000000202-review-workflow';
import { Callbacks1764000000203 } from './migrations/1764000000203-callbacks';
import { DecisionTraceContext1764000000204 } from './migrations/1764000000204-decision-trace-context';
import { SecurityReviews1764000000205 } from './migrations/1764000000205-security-reviews';

export const escalationDatabase = () => ({
  schema: 'escalation',
  entities: [],
  migrations: [
    CreateTasks1764000000201,
    ReviewWorkflow1764000000202,
    Callbacks1764000000203,
    DecisionTraceContext1764000000204,
    SecurityReviews1764000000205,
  ],
});
