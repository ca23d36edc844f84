import { CreateTasks1764000000201 } from './migrations/1764000000201-create-tasks';

export const escalationDatabase = () => ({ schema: 'escalation', entities: [], migrations: [CreateTasks1764000000201] });
