/** One step of the curve: what was offered, what came back, and how long it took. */
export interface CurvePoint {
  offered: number;
  achieved: number;
  p50Ms: number;
  p99Ms: number;
  failClosed: number;
}

const W = 720;
const H = 360;
const M = { left: 60, right: 60, top: 36, bottom: 48 };
const PLOT_W = W - M.left - M.right;
const PLOT_H = H - M.top - M.bottom;

/** A round upper bound for an axis: 1, 2 or 5 × 10^k at or above `v`. */
export function niceCeiling(v: number): number {
  if (!(v > 0)) return 1;
  const base = 10 ** Math.floor(Math.log10(v));
  return [1, 2, 5, 10].map((m) => m * base).find((c) => c >= v)!;
}

const fmt = (v: number) => (Number.isInteger(v) ? String(v) : v.toFixed(1));
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

/**
 * The throughput curve as a standalone SVG: achieved vs offered intents/s (left axis, with the
 * ideal y = x dashed) and p50/p99 latency (right axis, ms), a marker on every step with fail-closed
 * answers, and the p99 goal as a horizontal line. Pure: the same points give the same bytes.
 */
export function throughputCurveSvg(points: CurvePoint[], title: string, p99GoalMs: number): string {
  const sorted = [...points].sort((a, b) => a.offered - b.offered);
  const xMax = niceCeiling(Math.max(1, ...sorted.map((p) => Math.max(p.offered, p.achieved))));
  const msMax = niceCeiling(Math.max(p99GoalMs * 1.2, ...sorted.map((p) => p.p99Ms)));
  const x = (v: number) => M.left + (v / xMax) * PLOT_W;
  const yRate = (v: number) => M.top + PLOT_H - (v / xMax) * PLOT_H;
  const yMs = (v: number) => M.top + PLOT_H - (Math.min(v, msMax) / msMax) * PLOT_H;
  const line = (pts: [number, number][], attrs: string) =>
    pts.length
      ? `<polyline fill="none" ${attrs} points="${pts.map(([a, b]) => `${a.toFixed(1)},${b.toFixed(1)}`).join(' ')}"/>`
      : '';
  const dots = (pts: [number, number][], colour: string) =>
    pts
      .map(([a, b]) => `<circle cx="${a.toFixed(1)}" cy="${b.toFixed(1)}" r="3" fill="${colour}"/>`)
      .join('');
  const ticks = [0, 0.25, 0.5, 0.75, 1];
  const achieved = sorted.map((p): [number, number] => [x(p.offered), yRate(p.achieved)]);
  const p50 = sorted.map((p): [number, number] => [x(p.offered), yMs(p.p50Ms)]);
  const p99 = sorted.map((p): [number, number] => [x(p.offered), yMs(p.p99Ms)]);
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2}" y="18" text-anchor="middle" font-size="13">${esc(title)}</text>`,
    ...ticks.map((t) => {
      const y = M.top + PLOT_H - t * PLOT_H;
      return (
        `<line x1="${M.left}" x2="${M.left + PLOT_W}" y1="${y}" y2="${y}" stroke="#eee"/>` +
        `<text x="${M.left - 6}" y="${y + 4}" text-anchor="end">${fmt(t * xMax)}</text>` +
        `<text x="${M.left + PLOT_W + 6}" y="${y + 4}" fill="#c0392b">${fmt(t * msMax)}</text>` +
        `<text x="${M.left + t * PLOT_W}" y="${M.top + PLOT_H + 16}" text-anchor="middle">${fmt(t * xMax)}</text>`
      );
    }),
    `<rect x="${M.left}" y="${M.top}" width="${PLOT_W}" height="${PLOT_H}" fill="none" stroke="#999"/>`,
    `<text x="${M.left + PLOT_W / 2}" y="${H - 10}" text-anchor="middle">offered intents/s</text>`,
    `<text transform="translate(14 ${M.top + PLOT_H / 2}) rotate(-90)" text-anchor="middle">achieved intents/s</text>`,
    `<text transform="translate(${W - 12} ${M.top + PLOT_H / 2}) rotate(90)" text-anchor="middle" fill="#c0392b">latency ms (p50 thin, p99 thick)</text>`,
    line(
      [
        [x(0), yRate(0)],
        [x(xMax), yRate(xMax)],
      ],
      'stroke="#bbb" stroke-dasharray="4 4"',
    ),
    line(
      [
        [M.left, yMs(p99GoalMs)],
        [M.left + PLOT_W, yMs(p99GoalMs)],
      ],
      'stroke="#c0392b" stroke-dasharray="2 3"',
    ),
    `<text x="${M.left + 4}" y="${yMs(p99GoalMs) - 4}" fill="#c0392b">p99 goal ${fmt(p99GoalMs)} ms</text>`,
    line(achieved, 'stroke="#2471a3" stroke-width="2"'),
    dots(achieved, '#2471a3'),
    line(p50, 'stroke="#c0392b" stroke-width="1"'),
    line(p99, 'stroke="#c0392b" stroke-width="2.5"'),
    dots(p99, '#c0392b'),
    ...sorted
      .filter((p) => p.failClosed > 0)
      .map(
        (p) =>
          `<text x="${x(p.offered).toFixed(1)}" y="${(yRate(p.achieved) - 8).toFixed(1)}" text-anchor="middle" fill="#7d3c98">✕ ${p.failClosed} fail-closed</text>`,
      ),
    '</svg>',
  ];
  return `${parts.filter(Boolean).join('\n')}\n`;
}
