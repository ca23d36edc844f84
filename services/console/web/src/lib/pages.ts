/**
 * The console side of the one list shape (`{ <items>, next }`, `?cursor=`): a list shows the pages
 * it has read and says when there are more, never stopping silently at the first page.
 */

/** One page as the console holds it, whatever the list's member is called. */
export interface ListPage<T> {
  items: T[];
  /** The cursor of the following page; null on the last. */
  next: string | null;
}

/** A list answer (`{ tasks: [...], next }`) as a ListPage of its `key` member. */
export function pageOfAnswer<T>(answer: unknown, key: string): ListPage<T> {
  const a = (answer ?? {}) as Record<string, unknown>;
  const items = a[key];
  if (!Array.isArray(items)) throw new Error(`the answer has no "${key}" list`);
  const next = typeof a['next'] === 'string' && a['next'] !== '' ? a['next'] : null;
  return { items: items as T[], next };
}

/**
 * The first page (re-read when a list polls) followed by the pages read after it. An item of a
 * later page that the fresh first page also holds (the list moved while one read on) is shown once,
 * where the first page has it.
 */
export function joinPages<T>(
  first: ListPage<T>,
  later: ListPage<T> | null,
  keyOf?: (item: T) => string,
): ListPage<T> {
  if (!later) return first;
  if (!keyOf) return { items: [...first.items, ...later.items], next: later.next };
  const seen = new Set(first.items.map(keyOf));
  return { items: [...first.items, ...later.items.filter((i) => !seen.has(keyOf(i)))], next: later.next };
}

/**
 * Reads pages from `cursor` (the first when undefined) until the list ends or `maxPages` were
 * read; `next` is where it stopped (null: every item was read).
 */
export async function readPages<T>(
  fetchPage: (cursor: string | undefined) => Promise<ListPage<T>>,
  maxPages: number,
  cursor?: string,
): Promise<ListPage<T>> {
  const items: T[] = [];
  let next: string | null = cursor ?? null;
  for (let i = 0; i < maxPages; i++) {
    const page = await fetchPage(next ?? undefined);
    items.push(...page.items);
    next = page.next;
    if (!next) break;
  }
  return { items, next };
}

/** "12" when the list is complete, "12+" while pages remain unread. */
export function shownCount(shown: number, more: boolean): string {
  return more ? `${shown}+` : String(shown);
}
