import type { Request, Response } from 'express';
import { refuseNulInUrl } from './url-guard';

const run = (originalUrl: string) => {
  let answer: { status?: number; body?: unknown; next: boolean } = { next: false };
  const res = {
    status(code: number) {
      answer.status = code;
      return this;
    },
    type() {
      return this;
    },
    send(text: string) {
      answer.body = JSON.parse(text);
      return this;
    },
  } as unknown as Response;
  refuseNulInUrl({ originalUrl } as Request, res, () => (answer = { ...answer, next: true }));
  return answer;
};

describe('refuseNulInUrl', () => {
  it('lets a URL without %00 through', () => {
    expect(run('/v1/knowledge/maison/versions?limit=5')).toEqual({ next: true });
  });

  it('refuses %00 in the path, naming the path', () => {
    expect(run('/v1/knowledge/a%00b/versions')).toMatchObject({
      status: 400,
      next: false,
      body: { status: 400, errors: [{ path: 'path' }], issues: [{ path: 'path' }] },
    });
  });

  it('refuses %00 in the query, naming the query', () => {
    expect(run('/v1/context/x?type=a%00')).toMatchObject({
      status: 400,
      body: { status: 400, errors: [{ path: 'query' }] },
    });
  });
});
