import { STATUS_CODES } from 'node:http';
import { DOMAIN_ERROR_STATUS, DomainError } from './domain-error';

/**
 * The status and body a coded error becomes (ProblemDetailsFilter renders it as problem details):
 * Nest's members (`statusCode`, `error`, `message`), as the validation pipe and the guards answer,
 * plus the error's details. The code picks the status and stays out of the body.
 */
export function domainErrorBody(error: DomainError): { status: number; body: Record<string, unknown> } {
  const status = DOMAIN_ERROR_STATUS[error.code];
  return {
    status,
    body: {
      statusCode: status,
      error: STATUS_CODES[status],
      message: error.message,
      ...error.details,
    },
  };
}
