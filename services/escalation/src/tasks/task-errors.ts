import { DomainError } from '@agentops/service-runtime';

export type TaskErrorCode = 'not_found' | 'forbidden' | 'closed' | 'conflict' | 'refused' | 'unavailable';

/** A coded review error; mapped to HTTP only at the edge (service-runtime's DomainErrorFilter). */
export class TaskError extends DomainError<TaskErrorCode> {}
