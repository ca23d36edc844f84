import { MIN_WIDTH, layoutWaterfall } from './waterfall';

const ms = (n: number) => String(BigInt(1_764_684_000_000 + n) * 1_000_000n);
const span = (spanId: string, parentSpanId: string | null, from: number, to: number, name = spanId) => ({
  spanId,
  parentSpanId,
  name,
  startTimeUnixNano: ms(from),
  endTimeUnixNano: ms(to),
});

describe('layoutWaterfall', () => {
  it('puts children under their parent, siblings by start time, with depth', () => {
    const { rows, totalMs } = layoutWaterfall([
      span('tool', 'agent', 600, 700),
      span('decision', null, 0, 1000),
      span('agent', null, 100, 900),
      span('llm', 'agent', 150, 500),
    ]);
    expect(rows.map((r) => [r.span.spanId, r.depth])).toEqual([
      ['decision', 0],
      ['agent', 0],
      ['llm', 1],
      ['tool', 1],
    ]);
    expect(totalMs).toBe(1000);
  });

  it('places each bar by its start and duration as fractions of the whole trace', () => {
    const { rows } = layoutWaterfall([span('root', null, 0, 1000), span('child', 'root', 250, 750)]);
    expect(rows[1]).toMatchObject({ offset: 0.25, width: 0.5, startMs: 250, durationMs: 500 });
  });

  it('keeps an instant (a decision marker) visible with the minimum width', () => {
    const { rows } = layoutWaterfall([span('root', null, 0, 1000), span('mark', null, 1000, 1000)]);
    const mark = rows.find((r) => r.span.spanId === 'mark')!;
    expect(mark.width).toBe(MIN_WIDTH);
    expect(mark.offset + mark.width).toBeLessThanOrEqual(1);
  });

  it('makes a span whose parent is not stored a root, and survives a parent cycle', () => {
    const { rows } = layoutWaterfall([
      span('orphan', 'not-exported', 0, 10),
      span('a', 'b', 1, 2),
      span('b', 'a', 2, 3),
    ]);
    expect(rows.map((r) => r.span.spanId).sort()).toEqual(['a', 'b', 'orphan']);
    expect(rows.find((r) => r.span.spanId === 'orphan')!.depth).toBe(0);
  });

  it('draws a span that ends before it starts (clock skew) as an instant', () => {
    const { rows } = layoutWaterfall([span('root', null, 0, 100), span('skewed', 'root', 50, 40)]);
    expect(rows[1]).toMatchObject({ durationMs: 0, width: MIN_WIDTH });
  });

  it('is empty for no spans', () => {
    expect(layoutWaterfall([])).toEqual({ rows: [], totalMs: 0 });
  });
});
