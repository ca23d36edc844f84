import { ArgumentsHost, Catch, ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';
import { STATUS_CODES } from 'node:http';
import { Observable, throwError } from 'rxjs';
import { DOMAIN_ERROR_STATUS, DomainError } from './domain-error';

/**
 * The HTTP response a coded error becomes: the platform's one error body — Nest's (`statusCode`,
 * `error`, `message`), as the validation pipe and the guards answer — plus the error's details.
 * The code picks the status and stays out of the body, so a 409 says no more than it did.
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

/**
 * The edge where coded errors become HTTP, registered once for every service (ServiceRuntimeModule).
 * On a Kafka handler the error goes back to the consumer loop untouched, which classifies it.
 */
@Catch(DomainError)
export class DomainErrorFilter implements ExceptionFilter {
  catch(error: DomainError, host: ArgumentsHost): Observable<never> | void {
    if (host.getType() !== 'http') return throwError(() => error);
    const { status, body } = domainErrorBody(error);
    host.switchToHttp().getResponse<Response>().status(status).json(body);
  }
}
