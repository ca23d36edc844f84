import { ArgumentsHost } from '@nestjs/common';
import { lastValueFrom } from 'rxjs';
import { DOMAIN_ERROR_STATUS, DomainError, DomainErrorCode } from './domain-error';
import type { Logger } from 'pino';
import { domainErrorBody } from './domain-error.filter';
import { ProblemDetailsFilter } from './problem-details.filter';

const filter = new ProblemDetailsFilter({ error: () => undefined } as unknown as Logger);

function httpHost() {
  const sent: { status?: number; body?: unknown } = {};
  const res = {
    status(code: number) {
      sent.status = code;
      return res;
    },
    type() {
      return res;
    },
    send(text: string) {
      sent.body = JSON.parse(text);
    },
  };
  const host = {
    getType: () => 'http',
    switchToHttp: () => ({ getResponse: () => res, getRequest: () => ({ originalUrl: '/v1/things' }) }),
  } as unknown as ArgumentsHost;
  return { host, sent };
}

class ThingMissing extends DomainError<'not_found'> {
  constructor() {
    super('not_found', 'no thing 42');
  }
}

describe('coded errors at the HTTP edge (ProblemDetailsFilter)', () => {
  it.each<[DomainErrorCode, number, string]>([
    ['invalid', 400, 'Bad Request'],
    ['forbidden', 403, 'Forbidden'],
    ['not_found', 404, 'Not Found'],
    ['conflict', 409, 'Conflict'],
    ['closed', 409, 'Conflict'],
    ['refused', 422, 'Unprocessable Entity'],
    ['unavailable', 503, 'Service Unavailable'],
  ])('maps %s to %i as problem details', (code, status, error) => {
    const { host, sent } = httpHost();
    filter.catch(new DomainError(code, 'cursor: not one this API issued'), host);
    expect(sent.status).toBe(status);
    expect(sent.body).toEqual({
      type: 'about:blank',
      title: error,
      status,
      detail: 'cursor: not one this API issued',
      instance: '/v1/things',
      statusCode: status,
      error,
      message: 'cursor: not one this API issued',
    });
  });

  it('keeps details beside the message and subclasses their name', () => {
    const error = new DomainError('refused', 'policy set rejected', { problems: [{ file: 'a.yaml' }] });
    expect(domainErrorBody(error).body).toMatchObject({ statusCode: 422, problems: [{ file: 'a.yaml' }] });
    expect(new ThingMissing().name).toBe('ThingMissing');
    expect(domainErrorBody(new ThingMissing()).status).toBe(404);
  });

  it('gives a Kafka handler its error back untouched, for the consumer loop to classify', async () => {
    const error = new DomainError('unavailable', 'not loaded');
    const host = { getType: () => 'rpc' } as unknown as ArgumentsHost;
    const out = filter.catch(error, host);
    await expect(lastValueFrom(out!)).rejects.toBe(error);
  });

  it('names a status for every code', () => {
    for (const status of Object.values(DOMAIN_ERROR_STATUS)) expect(status).toBeGreaterThanOrEqual(400);
  });
});
