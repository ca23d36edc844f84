import { ExampleSpan, traceBars, traceLink } from './report';

const at = (ms: number) => String(BigInt(1_764_684_000_000 + ms) * 1_000_000n);
const span = (spanId: string, parentSpanId: string | null, from: number, to: number): ExampleSpan => ({
  spanId,
  parentSpanId,
  name: spanId,
  source: 'agent',
  startTimeUnixNano: at(from),
  endTimeUnixNano: at(to),
  status: { code: 'unset' },
});

describe('the report’s example trace', () => {
  it('lays spans out in tree order with offsets and widths of the whole trace', () => {
    const bars = traceBars([
      span('llm', 'agent', 100, 600),
      span('decision', null, 0, 1000),
      span('agent', null, 50, 900),
    ]);
    expect(bars.map((b) => [b.span.spanId, b.depth])).toEqual([
      ['decision', 0],
      ['agent', 0],
      ['llm', 1],
    ]);
    expect(bars[2]).toMatchObject({ offset: 0.1, width: 0.5, ms: 500 });
  });

  it('keeps an instant visible', () => {
    const [, mark] = traceBars([span('root', null, 0, 1000), span('mark', null, 1000, 1000)]);
    expect(mark!.width).toBeGreaterThan(0);
    expect(mark!.offset).toBeLessThan(1);
  });

  it('links a trace to the console’s Traces page', () => {
    expect(traceLink('http://127.0.0.1:3000/', 'ab'.repeat(16))).toBe(
      `http://127.0.0.1:3000/#/traces/${'ab'.repeat(16)}`,
    );
  });
});
