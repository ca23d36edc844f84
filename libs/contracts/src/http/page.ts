import { z } from 'zod';

/**
 * The one list shape of every HTTP API: the page's items under the list's name, and `next`, the
 * opaque cursor of the following page (pass it back as `?cursor=`), null on the last page.
 */
export const PageNext = z
  .string()
  .nullable()
  .describe('the cursor of the next page (pass it back as `cursor`); null: this is the last page');

export function pageOf<K extends string, T extends z.ZodType>(key: K, item: T) {
  return z.object({ next: PageNext }).extend({ [key]: z.array(item) } as Record<K, z.ZodArray<T>>);
}
