import { DomainError } from '@agentops/service-runtime';

export type TaskErrorCode = 'not_found' | 'forbidden' | 'closed' | 'conflict' | 'refused' | 'unavailable';

/**
 * A coded review error; mapped to HTTP only at the edge (service-runtime's ProblemDetailsFilter). Its
 * body also names the code (`closed` and `conflict` are both 409), as the reviewer API always has.
 */
export class TaskError extends DomainError<TaskErrorCode> {
  constructor(code: TaskErrorCode, message: string, details?: Record<string, unknown>) {
    super(code, message, { code, ...details });
  }
}
