import { useEffect, useState } from 'preact/hooks';
import { joinPages, type ListPage } from '../lib/pages';
import { type Loaded, messageOf, useLoad } from './ui';

/** A list read page by page: what is shown so far, and the way to read the next page. */
export interface PagedList<T> extends Loaded<ListPage<T>> {
  /** Reads the page after the last one shown (nothing when the list is complete). */
  more: () => void;
  /** A "more" read is in flight. */
  readingMore: boolean;
  /** Why the last "more" read failed (null: it did not). */
  moreError: unknown;
}

function sameDeps(a: unknown[], b: unknown[]): boolean {
  return a.length === b.length && a.every((x, i) => Object.is(x, b[i]));
}

/**
 * `useLoad` for a list endpoint: the first page loads (and polls) as `useLoad` does, `more()`
 * follows `next` and keeps the pages read after it until `deps` change. `data.next` says whether
 * pages remain, so no list stops silently at its first page (show `<MorePages>` below it).
 */
export function usePagedList<T>(
  fetchPage: (cursor: string | undefined) => Promise<ListPage<T>>,
  deps: unknown[],
  options: { intervalMs?: number; keyOf?: (item: T) => string } = {},
): PagedList<T> {
  const first = useLoad(() => fetchPage(undefined), deps, options.intervalMs);
  const [later, setLater] = useState<{ deps: unknown[]; page: ListPage<T> } | null>(null);
  const [readingMore, setReadingMore] = useState(false);
  const [moreError, setMoreError] = useState<unknown>(null);
  const current = later && sameDeps(later.deps, deps) ? later.page : null;
  useEffect(() => setMoreError(null), deps);

  const data = first.data ? joinPages(first.data, current, options.keyOf) : undefined;
  const more = () => {
    const cursor = data?.next;
    if (!cursor || readingMore) return;
    setReadingMore(true);
    setMoreError(null);
    fetchPage(cursor)
      .then((page) =>
        setLater((l) => ({
          deps,
          page: {
            items: [...(l && sameDeps(l.deps, deps) ? l.page.items : []), ...page.items],
            next: page.next,
          },
        })),
      )
      .catch((e: unknown) => setMoreError(e))
      .finally(() => setReadingMore(false));
  };
  return { ...first, data, more, readingMore, moreError };
}

/** Below a paged list: how many are shown and, while pages remain, the button that reads the next. */
export function MorePages(props: { list: PagedList<unknown>; noun?: string }) {
  const { data, readingMore, moreError, more } = props.list;
  if (!data) return null;
  const noun = props.noun ?? 'shown';
  return (
    <div class="table-foot" data-testid="more-pages">
      <span class="muted small">
        {data.items.length.toLocaleString('en-US')} {noun}
        {data.next ? ' (more on the server)' : ''}
      </span>
      {moreError !== null && (
        <span class="small problem" role="status">
          Could not load more: {messageOf(moreError)}
        </span>
      )}
      {data.next && (
        <button
          type="button"
          class="btn btn-small"
          disabled={readingMore}
          onClick={more}
          data-testid="load-more"
        >
          {readingMore ? 'Loading…' : 'Load more'}
        </button>
      )}
    </div>
  );
}
