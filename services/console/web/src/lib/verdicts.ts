/** Verdict mix and sparkline geometry for the overview. Pure, unit-tested. */

export const VERDICTS = ['allow', 'modify', 'escalate', 'deny'] as const;
export type Verdict = (typeof VERDICTS)[number];
export type VerdictCounts = Record<Verdict, number>;

export interface VerdictShare {
  verdict: Verdict;
  count: number;
  /** Whole percent; the shares of a non-empty mix add up to exactly 100 (largest remainder). */
  percent: number;
}

export function verdictMix(counts: Partial<VerdictCounts>): { total: number; shares: VerdictShare[] } {
  const values = VERDICTS.map((v) => Math.max(0, counts[v] ?? 0));
  const total = values.reduce((a, b) => a + b, 0);
  if (total === 0) return { total, shares: VERDICTS.map((verdict) => ({ verdict, count: 0, percent: 0 })) };
  const exact = values.map((v) => (v * 100) / total);
  const percent = exact.map(Math.floor);
  let left = 100 - percent.reduce((a, b) => a + b, 0);
  const byRemainder = exact
    .map((e, i) => [e - Math.floor(e), i] as const)
    .sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (const [, i] of byRemainder) {
    if (left <= 0) break;
    percent[i]++;
    left--;
  }
  return {
    total,
    shares: VERDICTS.map((verdict, i) => ({ verdict, count: values[i], percent: percent[i] })),
  };
}

/**
 * The SVG path of a sparkline through `values` in a `width` × `height` box (y grows downwards,
 * zero on the bottom edge), and the closed area under it. Empty paths for no values.
 */
export function sparklinePaths(
  values: number[],
  width: number,
  height: number,
  pad = 1,
): { line: string; area: string; max: number } {
  if (!values.length) return { line: '', area: '', max: 0 };
  const max = Math.max(...values, 0);
  const step = values.length > 1 ? (width - 2 * pad) / (values.length - 1) : 0;
  const y = (v: number) => (max === 0 ? height - pad : height - pad - (v / max) * (height - 2 * pad));
  const r = (n: number) => Math.round(n * 100) / 100;
  const points = values.map((v, i) => `${r(pad + i * step)},${r(y(v))}`);
  const line = `M${points.join(' L')}`;
  const lastX = r(pad + (values.length - 1) * step);
  const area = `${line} L${lastX},${height - pad} L${pad},${height - pad} Z`;
  return { line, area, max };
}
