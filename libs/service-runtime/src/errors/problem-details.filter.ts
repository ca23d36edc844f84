import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Inject } from '@nestjs/common';
import { BaseRpcExceptionFilter } from '@nestjs/microservices';
import type { Request, Response } from 'express';
import type { Logger } from 'pino';
import { Observable, throwError } from 'rxjs';
import { LOGGER } from '../tokens';
import { DomainError } from './domain-error';
import { domainErrorBody } from './domain-error.filter';
import { sendProblem } from './problem';

/**
 * The one place an HTTP error becomes an answer, for every service (ServiceRuntimeModule): coded
 * domain errors, Nest's HTTP exceptions (validation pipes, guards, 404s) and anything unexpected
 * (a 500 that says no more) all answer RFC 9457 problem details. On a Kafka handler the error goes
 * back to the consumer loop as before: a coded error untouched (the loop classifies it), anything
 * else through Nest's own RPC handling.
 */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly rpc = new BaseRpcExceptionFilter();

  constructor(@Inject(LOGGER) private readonly logger: Logger) {}

  catch(error: unknown, host: ArgumentsHost): Observable<unknown> | void {
    if (host.getType() !== 'http')
      return error instanceof DomainError ? throwError(() => error) : this.rpc.catch(error, host);
    const http = host.switchToHttp();
    const req = http.getRequest<Request>();
    const res = http.getResponse<Response>();
    if (error instanceof DomainError) {
      const { status, body } = domainErrorBody(error);
      return sendProblem(res, status, body, req);
    }
    if (error instanceof HttpException) return sendProblem(res, error.getStatus(), error.getResponse(), req);
    // Express's own errors (http-errors, e.g. body-parser's 415 for an unknown charset) keep their
    // status, as Nest's default filter kept it; only those meant to be shown say why.
    const httpError = error as { statusCode?: unknown; message?: unknown; expose?: unknown };
    if (
      typeof httpError?.statusCode === 'number' &&
      httpError.statusCode >= 400 &&
      httpError.statusCode < 600
    )
      return sendProblem(
        res,
        httpError.statusCode,
        httpError.expose !== false && typeof httpError.message === 'string' ? httpError.message : {},
        req,
      );
    this.logger.error(
      { err: error, method: req.method, path: req.path },
      'unhandled error in an HTTP handler',
    );
    sendProblem(res, 500, 'internal error', req);
  }
}
