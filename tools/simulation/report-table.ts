import Table from 'cli-table3';

/** The terminal's width the report is laid out for. */
export const REPORT_WIDTH = 100;

/**
 * A boxed text table (cli-table3) no wider than `maxWidth` columns: headers and cells as given —
 * no index column, no quotes —, numeric columns right-aligned, and when the natural widths do not
 * fit, columns narrowed and their cells wrapped between words. No colours, so it reads the same in
 * a log file.
 */
export function reportTable(headers: string[], rows: string[][], maxWidth = REPORT_WIDTH): string {
  const cells = [headers, ...rows];
  const words = widthsOf(cells, longestWord);
  const table = new Table({
    head: headers,
    colWidths: fitWidths(widthsOf(cells, longestLine), maxWidth, [
      widthsOf(rows.length ? rows : [headers], longestLine).map((w, i) => Math.max(w, words[i]!)),
      words,
    ]),
    colAligns: headers.map((_, i) => (rows.length && rows.every((r) => isNumeric(r[i])) ? 'right' : 'left')),
    wordWrap: true,
    wrapOnWordBoundary: true,
    style: { head: [], border: [], compact: true, 'padding-left': 1, 'padding-right': 1 },
  });
  table.push(...rows);
  return table.toString();
}

const PADDING = 2;
const longestLine = (cell: string) => Math.max(...cell.split('\n').map((l) => l.length));
const longestWord = (cell: string) => Math.max(...cell.split(/\s+/).map((w) => w.length));

/** Each column's width with its padding, by the measure given, over the header and every row. */
function widthsOf(cells: string[][], measure: (cell: string) => number): number[] {
  return cells[0]!.map((_, i) => Math.max(...cells.map((r) => measure(r[i] ?? ''))) + PADDING);
}

/**
 * Narrows columns, one character at a time, until the table (its borders included: one per column
 * and one more) fits `maxWidth`, in rounds: down to each floor of `floors` in turn (the report's:
 * the widest row cell, so that only headers wrap; then the longest word, so that cells wrap
 * between words), and last down to 6 (cells are cut). The first round narrows the column with the
 * most room above its floor, later rounds the widest, so wrapped columns end up alike.
 */
export function fitWidths(widths: number[], maxWidth: number, floors: number[][] = []): number[] {
  const fitted = [...widths];
  const total = () => fitted.reduce((a, b) => a + b, 0) + fitted.length + 1;
  [...floors, []].forEach((floor, round) => {
    const above = (i: number) => fitted[i]! > Math.max(floor[i] ?? 6, 6);
    // The first round takes from the column with the most room; later ones from the widest.
    const score = (i: number) => (round === 0 ? fitted[i]! - Math.max(floor[i] ?? 6, 6) : fitted[i]!);
    while (total() > maxWidth) {
      const open = fitted.map((_, i) => i).filter(above);
      if (!open.length) break;
      const pick = open.reduce((a, b) => (score(b) > score(a) ? b : a));
      fitted[pick]!--;
    }
  });
  return fitted;
}

function isNumeric(cell: string | undefined): boolean {
  return cell !== undefined && /^-?[\d,.]+%?$/.test(cell.trim());
}
