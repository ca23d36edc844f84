import { z } from 'zod';
import { DOMAIN_ERROR_STATUS } from './errors/domain-error';
import { problemOf } from './errors/problem';
import { domainErrorBody } from './errors/domain-error.filter';
import { InvalidCursor, Keyset, PAGE_LIMIT_DEFAULT, PAGE_LIMIT_MAX, pageQuery } from './pagination';

const keyset = new Keyset(z.tuple([z.string(), z.number().int()]));

describe('pagination', () => {
  it('bounds every list: a default page, and a maximum a caller cannot exceed', () => {
    expect(pageQuery().parse({})).toEqual({ limit: PAGE_LIMIT_DEFAULT });
    expect(pageQuery().parse({ limit: String(PAGE_LIMIT_MAX) }).limit).toBe(PAGE_LIMIT_MAX);
    expect(pageQuery().safeParse({ limit: String(PAGE_LIMIT_MAX + 1) }).success).toBe(false);
    expect(pageQuery().safeParse({ limit: '0' }).success).toBe(false);
    expect(pageQuery({ defaultLimit: 5, maxLimit: 10 }).parse({ cursor: 'abc' })).toEqual({
      cursor: 'abc',
      limit: 5,
    });
  });

  it('pages rows fetched with limit + 1, pointing `next` after the last row shown', () => {
    const rows = [1, 2, 3].map((n) => ({ name: `r${n}`, n }));
    const first = keyset.page(rows, 2, (r) => [r.name, r.n]);
    expect(first.items).toEqual(rows.slice(0, 2));
    expect(keyset.decode(first.next!)).toEqual(['r2', 2]);
    expect(keyset.page(rows.slice(0, 2), 2, (r) => [r.name, r.n])).toEqual({
      items: rows.slice(0, 2),
      next: null,
    });
    expect(keyset.after({ limit: 2 })).toBeUndefined();
    expect(keyset.after({ limit: 2, cursor: first.next! })).toEqual(['r2', 2]);
  });

  it('refuses a cursor it did not issue as a 400 problem naming `cursor`', () => {
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    for (const bad of [
      'garbage',
      '%%%',
      b64({ a: 1 }),
      b64(['x']),
      b64(['x', 'not a number']),
      b64(['x', 1, 2]),
    ])
      expect(() => keyset.decode(bad)).toThrow(InvalidCursor);
    const error = new InvalidCursor();
    expect(DOMAIN_ERROR_STATUS[error.code]).toBe(400);
    const { status, body } = domainErrorBody(error);
    expect(problemOf(status, body).errors).toEqual([
      { path: 'cursor', detail: expect.stringContaining('cursor') },
    ]);
  });
});
