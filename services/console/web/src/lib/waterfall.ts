/**
 * The layout of a trace waterfall: spans in tree order (each under its parent, siblings by start
 * time), with their depth and where their bar starts and how wide it is, as fractions of the
 * trace's span of time. Pure; times are OTLP's decimal nanosecond strings (BigInt-safe).
 */
export interface WaterfallSpan {
  spanId: string;
  parentSpanId: string | null;
  name: string;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
}

export interface WaterfallRow<S extends WaterfallSpan> {
  span: S;
  depth: number;
  /** Bar start, 0..1 of the trace's duration. */
  offset: number;
  /** Bar width, 0..1; at least `MIN_WIDTH` so an instant (a decision marker) stays visible. */
  width: number;
  /** Milliseconds after the trace's first span started. */
  startMs: number;
  durationMs: number;
}

export interface WaterfallLayout<S extends WaterfallSpan> {
  rows: WaterfallRow<S>[];
  totalMs: number;
}

export const MIN_WIDTH = 0.005;

export function layoutWaterfall<S extends WaterfallSpan>(spans: S[]): WaterfallLayout<S> {
  if (!spans.length) return { rows: [], totalMs: 0 };
  const start = (s: S) => BigInt(s.startTimeUnixNano);
  // A span that ends before it starts (a clock skew between hosts) is drawn as an instant.
  const end = (s: S) => (BigInt(s.endTimeUnixNano) < start(s) ? start(s) : BigInt(s.endTimeUnixNano));
  const t0 = spans.reduce((m, s) => (start(s) < m ? start(s) : m), start(spans[0]!));
  const t1 = spans.reduce((m, s) => (end(s) > m ? end(s) : m), end(spans[0]!));
  const total = t1 - t0;
  const ms = (ns: bigint) => Number(ns / 1000n) / 1000;

  const ids = new Set(spans.map((s) => s.spanId));
  const children = new Map<string | null, S[]>();
  for (const s of spans) {
    // A parent outside this trace's stored spans (the agent's own root, not exported) makes a root.
    const parent =
      s.parentSpanId && ids.has(s.parentSpanId) && s.parentSpanId !== s.spanId ? s.parentSpanId : null;
    const list = children.get(parent) ?? [];
    list.push(s);
    children.set(parent, list);
  }
  const byStart = (a: S, b: S) =>
    start(a) < start(b) ? -1 : start(a) > start(b) ? 1 : a.name.localeCompare(b.name);

  const rows: WaterfallRow<S>[] = [];
  const seen = new Set<string>();
  const visit = (parent: string | null, depth: number) => {
    for (const s of (children.get(parent) ?? []).sort(byStart)) {
      if (seen.has(s.spanId)) continue;
      seen.add(s.spanId);
      const offset = total > 0n ? Number(((start(s) - t0) * 1_000_000n) / total) / 1_000_000 : 0;
      const width = total > 0n ? Number(((end(s) - start(s)) * 1_000_000n) / total) / 1_000_000 : 1;
      rows.push({
        span: s,
        depth,
        offset: Math.min(offset, 1 - MIN_WIDTH),
        width: Math.max(MIN_WIDTH, Math.min(width, 1 - Math.min(offset, 1 - MIN_WIDTH))),
        startMs: ms(start(s) - t0),
        durationMs: ms(end(s) - start(s)),
      });
      visit(s.spanId, depth + 1);
    }
  };
  visit(null, 0);
  // Spans only reachable through a cycle of parents (malformed input) still show, as roots.
  for (const s of spans.filter((x) => !seen.has(x.spanId)).sort(byStart)) {
    seen.add(s.spanId);
    rows.push({
      span: s,
      depth: 0,
      offset: 0,
      width: 1,
      startMs: ms(start(s) - t0),
      durationMs: ms(end(s) - start(s)),
    });
  }
  return { rows, totalMs: ms(total) };
}
