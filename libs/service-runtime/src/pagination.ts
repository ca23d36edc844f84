import { z } from 'zod';
import { DomainError } from './errors/domain-error';

/**
 * One pagination shape for every list endpoint: `?limit=&cursor=` in, `{ <items>, next }` out.
 * `next` is an opaque cursor (base64url of the last item's keyset position), or null on the last
 * page; a caller passes it back as `cursor` and gets the items after it. Lists are bounded
 * server-side: a default page when `limit` is absent, a maximum it cannot exceed.
 */
export const PAGE_LIMIT_DEFAULT = 100;
export const PAGE_LIMIT_MAX = 500;

/** The `cursor` and `limit` of a list's query; extend it with the list's own filters. */
export function pageQuery({
  defaultLimit = PAGE_LIMIT_DEFAULT,
  maxLimit = PAGE_LIMIT_MAX,
}: { defaultLimit?: number; maxLimit?: number } = {}) {
  return z.object({
    cursor: z.string().min(1).max(500).optional(),
    limit: z.coerce.number().int().min(1).max(maxLimit).default(defaultLimit),
  });
}

export const PageQuery = pageQuery();

export interface PageRequest {
  cursor?: string;
  limit: number;
}

/** A cursor this API did not issue (or issued for another list): a 400 naming `cursor`. */
export class InvalidCursor extends DomainError<'invalid'> {
  constructor() {
    const detail = 'invalid cursor (pass back the `next` of a previous page)';
    super('invalid', `cursor: ${detail}`, { issues: [{ path: 'cursor', message: detail }] });
  }
}

/**
 * The cursor codec of one list: its keyset position (a tuple of the ORDER BY columns, ending in a
 * unique one) as base64url JSON. Decoding validates the tuple against its schema, so a forged or
 * foreign cursor is an `InvalidCursor` and never reaches SQL as anything but typed values.
 */
export class Keyset<P extends readonly unknown[]> {
  constructor(private readonly position: z.ZodType<P>) {}

  encode(position: P): string {
    return Buffer.from(JSON.stringify(position)).toString('base64url');
  }

  decode(cursor: string): P {
    let parsed: unknown;
    try {
      parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    } catch {
      throw new InvalidCursor();
    }
    const result = this.position.safeParse(parsed);
    if (!result.success) throw new InvalidCursor();
    return result.data;
  }

  /** The position after which a page starts, or undefined for the first page. */
  after(page: PageRequest): P | undefined {
    return page.cursor === undefined ? undefined : this.decode(page.cursor);
  }

  /**
   * A page from rows fetched with `limit + 1`: the extra row only says there is more, and `next`
   * points after the last row shown.
   */
  page<R>(rows: readonly R[], limit: number, positionOf: (row: R) => P): { items: R[]; next: string | null } {
    const items = rows.slice(0, limit);
    const last = items[items.length - 1];
    return { items, next: rows.length > limit && last !== undefined ? this.encode(positionOf(last)) : null };
  }
}

/** A keyset position's timestamp as PostgreSQL prints it to the microsecond (a JS Date keeps ms). */
export const KEYSET_TIME = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'a timestamp');

/** SQL that renders a timestamptz column to the microsecond, in UTC, for a keyset position. */
export const keysetTimeSql = (column: string) =>
  `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/** One page of a list: its items, and the cursor of the next page (null: the last). */
export interface Page<T> {
  items: T[];
  next: string | null;
}
