import { DataClass, DEFAULT_FRESHNESS_SECONDS, KnowledgeDocument } from './knowledge-base';

export interface Freshness {
  stale: boolean;
  /** Age of the fact at `now`, in seconds. */
  ageSeconds: number;
  /** The data class's limit; undefined when it has none. */
  limitSeconds?: number;
  /** When the fact was read. */
  asOf: string;
}

/**
 * The newest read time in a document (its `asOf` or any product's price or stock read time), in ms.
 * A re-import of unchanged facts read later moves it forward, and freshness follows it.
 */
export function newestReadTime(doc: Pick<KnowledgeDocument, 'asOf' | 'products'>): number {
  let newest = Date.parse(doc.asOf);
  for (const p of doc.products)
    for (const at of [p.asOf?.price, p.asOf?.stock]) if (at) newest = Math.max(newest, Date.parse(at));
  return newest;
}

/** The freshness limit of a data class: the document's own, else the default, else none. */
export function freshnessLimit(
  doc: Pick<KnowledgeDocument, 'freshness'>,
  dataClass: DataClass,
): number | undefined {
  return doc.freshness[dataClass] ?? DEFAULT_FRESHNESS_SECONDS[dataClass];
}

/**
 * Whether a fact of `dataClass` read at `asOf` (the document's `asOf` when the fact has no time of
 * its own) is older than its class's limit at `now`. A fact from the future counts as fresh.
 */
export function evaluateFreshness(
  doc: Pick<KnowledgeDocument, 'freshness' | 'asOf'>,
  dataClass: DataClass,
  asOf: string | undefined,
  nowMs: number,
): Freshness {
  const at = asOf ?? doc.asOf;
  const ageSeconds = Math.max(0, (nowMs - Date.parse(at)) / 1000);
  const limitSeconds = freshnessLimit(doc, dataClass);
  return {
    stale: limitSeconds !== undefined && ageSeconds > limitSeconds,
    ageSeconds,
    limitSeconds,
    asOf: at,
  };
}
