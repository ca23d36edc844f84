import { ArgumentsHost, Catch, ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';

export type TaskErrorCode = 'not_found' | 'forbidden' | 'closed' | 'conflict' | 'refused' | 'unavailable';

const STATUS: Record<TaskErrorCode, number> = {
  not_found: 404,
  forbidden: 403,
  closed: 409,
  conflict: 409,
  refused: 422,
  unavailable: 503,
};

/** A coded review error; mapped to HTTP only at the edge (TaskErrorFilter). */
export class TaskError extends Error {
  constructor(
    readonly code: TaskErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'TaskError';
  }
}

@Catch(TaskError)
export class TaskErrorFilter implements ExceptionFilter {
  catch(error: TaskError, host: ArgumentsHost): void {
    const status = STATUS[error.code];
    host
      .switchToHttp()
      .getResponse<Response>()
      .status(status)
      .json({ statusCode: status, code: error.code, message: error.message, ...error.details });
  }
}
