import {
  ArgumentsHost,
  BadRequestException,
  ForbiddenException,
  HttpException,
  NotFoundException,
} from '@nestjs/common';
import type { Logger } from 'pino';
import { lastValueFrom, Observable } from 'rxjs';
import { DomainError } from './domain-error';
import { problemOf } from './problem';
import { ProblemDetailsFilter } from './problem-details.filter';

interface Sent {
  status?: number;
  type?: string;
  body?: Record<string, unknown>;
}

function httpHost(sent: Sent, url = '/v1/things/42?secret=x'): ArgumentsHost {
  const res = {
    status(code: number) {
      sent.status = code;
      return res;
    },
    type(t: string) {
      sent.type = t;
      return res;
    },
    send(text: string) {
      sent.body = JSON.parse(text) as Record<string, unknown>;
      return res;
    },
  };
  return {
    getType: () => 'http',
    switchToHttp: () => ({
      getRequest: () => ({ method: 'GET', path: url.split('?')[0], originalUrl: url }),
      getResponse: () => res,
    }),
  } as unknown as ArgumentsHost;
}

const logger = { error: jest.fn() } as unknown as Logger;
const filter = new ProblemDetailsFilter(logger);

function answer(error: unknown): Sent {
  const sent: Sent = {};
  filter.catch(error, httpHost(sent));
  return sent;
}

describe('ProblemDetailsFilter: every HTTP error answers RFC 9457 problem details', () => {
  it('a validation 400 names each failing field in errors[], as application/problem+json', () => {
    const sent = answer(
      new BadRequestException({
        statusCode: 400,
        error: 'Bad Request',
        message: 'validation failed',
        issues: [{ path: 'params.price', message: 'Expected number, received string' }],
      }),
    );
    expect(sent.status).toBe(400);
    expect(sent.type).toBe('application/problem+json; charset=utf-8');
    expect(sent.body).toMatchObject({
      type: 'about:blank',
      title: 'Bad Request',
      status: 400,
      detail: 'validation failed',
      // The path, never the query (which may carry what should not be echoed).
      instance: '/v1/things/42',
      errors: [{ path: 'params.price', detail: 'Expected number, received string' }],
    });
  });

  it('keeps the members clients read before (statusCode, error, message, issues) for one release', () => {
    const sent = answer(new NotFoundException('unknown agent x'));
    expect(sent.body).toMatchObject({
      status: 404,
      detail: 'unknown agent x',
      statusCode: 404,
      error: 'Not Found',
      message: 'unknown agent x',
    });
    expect(sent.body).not.toHaveProperty('errors');
  });

  it("a guard's string message and a bare HttpException become the detail", () => {
    expect(answer(new ForbiddenException('requires one of the roles: sre')).body).toMatchObject({
      status: 403,
      title: 'Forbidden',
      detail: 'requires one of the roles: sre',
    });
    expect(answer(new HttpException('slow down', 429)).body).toMatchObject({
      status: 429,
      title: 'Too Many Requests',
      detail: 'slow down',
    });
  });

  it('a coded domain error keeps its status mapping and its details as extension members', () => {
    const sent = answer(new DomainError('conflict', 'task already claimed', { claimedBy: 'bob' }));
    expect(sent.status).toBe(409);
    expect(sent.body).toMatchObject({ status: 409, detail: 'task already claimed', claimedBy: 'bob' });
  });

  it("Express's own errors keep their status (body-parser's 415 for an unknown charset)", () => {
    const unsupported = Object.assign(new Error('unsupported charset "NOPE"'), {
      statusCode: 415,
      status: 415,
      expose: true,
      type: 'charset.unsupported',
    });
    expect(answer(unsupported)).toMatchObject({
      status: 415,
      body: { status: 415, title: 'Unsupported Media Type', detail: 'unsupported charset "NOPE"' },
    });
  });

  it('an unexpected error is a 500 that says no more than that, and is logged', () => {
    const sent = answer(new Error('connection string postgres://user:secret@db'));
    expect(sent.status).toBe(500);
    expect(JSON.stringify(sent.body)).not.toContain('secret');
    expect(sent.body).toMatchObject({
      status: 500,
      title: 'Internal Server Error',
      detail: 'internal error',
    });
    expect(logger.error).toHaveBeenCalled();
  });

  it('on a Kafka handler a coded error goes back to the consumer loop untouched', async () => {
    const error = new DomainError('invalid', 'bad event');
    const host = { getType: () => 'rpc' } as unknown as ArgumentsHost;
    const out = filter.catch(error, host) as Observable<unknown>;
    await expect(lastValueFrom(out)).rejects.toBe(error);
  });

  it('problemOf reads every body shape the platform produced', () => {
    expect(problemOf(502, 'ingest is unreachable: ECONNREFUSED')).toMatchObject({
      title: 'Bad Gateway',
      detail: 'ingest is unreachable: ECONNREFUSED',
    });
    expect(problemOf(400, { message: ['a must be set', 'b must be set'] }).detail).toBe(
      'a must be set; b must be set',
    );
    expect(problemOf(418, {}).detail).toBe("I'm a Teapot");
  });
});
