import { Command } from 'commander';
import { callApi } from './api-client';
import { wholeNumber } from './cli-kit';

/** `--limit`, `--cursor` and `--all` of a list command. */
export interface PageOptions {
  limit?: number;
  cursor?: string;
  all?: boolean;
}

/**
 * Every list command pages the same way as the APIs do: one page (the service's default size, or
 * `--limit`), from `--cursor`, or with `--all` every page to the last. Nothing is cut silently:
 * a listing that stopped before the end says how to get the rest (`moreHint`).
 */
export function withPageOptions(cmd: Command, maxLimit = 500): Command {
  return cmd
    .option(
      '--limit <n>',
      `items per page (1..${maxLimit}; default: the service's)`,
      wholeNumber(1, maxLimit),
    )
    .option('--cursor <cursor>', 'start after this cursor (the `next` of an earlier page)')
    .option('--all', 'follow `next` to the last page');
}

export type Listing<K extends string, T> = Record<K, T[]> & { next: string | null };

/**
 * One page of `url`'s list (the items under `key`), or with `all` every page: the answer keeps
 * the list's shape, with the `next` where it stopped (null: at the end).
 */
export async function fetchPages<K extends string, T>(
  url: string,
  key: K,
  o: PageOptions,
  token: string | undefined,
): Promise<Listing<K, T>> {
  const items: T[] = [];
  let cursor = o.cursor;
  let next: string | null;
  do {
    const u = new URL(url);
    if (o.limit !== undefined) u.searchParams.set('limit', String(o.limit));
    if (cursor) u.searchParams.set('cursor', cursor);
    const page = await callApi<Record<K, T[]> & { next?: string | null }>('GET', u.toString(), token);
    items.push(...page[key]);
    next = page.next ?? null;
    cursor = next ?? undefined;
  } while (o.all && next);
  return { [key]: items, next } as Listing<K, T>;
}

/** What a text listing ends with when it stopped before the last page. */
export const moreHint = (next: string | null): string =>
  next ? `\n(more: --cursor ${next}, or --all for every page)` : '';
