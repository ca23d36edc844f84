import { SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { ReadableSpan, TracerProvider } from '@opentelemetry/sdk-trace';
import { decodeOtlpJson } from './otlp-json';
import { decodeOtlpProtobuf } from './otlp-protobuf';
import { encodeExportTraceResponse, exportTraceResponse } from './otlp-response';
import { OTLP_LIMITS, OtlpBatchTooLargeError, OtlpDecodeError } from './otlp-spans';

/** Spans made by the OpenTelemetry JS SDK: what real exporters put on the wire. */
function sdkSpans(): ReadableSpan[] {
  const ended: ReadableSpan[] = [];
  // Collected as they end (the SDK's SimpleSpanProcessor hands them to its exporter asynchronously).
  const collect = {
    onStart: () => undefined,
    onEnd: (s: ReadableSpan) => void ended.push(s),
    forceFlush: async () => undefined,
    shutdown: async () => undefined,
  };
  const provider = new TracerProvider({ spanProcessors: [collect] });
  const tracer = provider.getTracer('golden-agent', '1.2.3');
  const root = tracer.startSpan('invoke_agent pricer', {
    kind: SpanKind.INTERNAL,
    startTime: [1764684000, 0],
  });
  root.setAttributes({
    'gen_ai.operation.name': 'invoke_agent',
    'gen_ai.usage.input_tokens': 1200,
    'big.int': 2 ** 40,
    'a.double': 0.25,
    'a.bool': true,
    'a.list': ['x', 'y'],
    'a.negative': -7,
  });
  const child = tracer.startSpan(
    'chat gpt-4o',
    { kind: SpanKind.CLIENT, startTime: [1764684000, 500] },
    trace.setSpan(context.active(), root),
  );
  child.addEvent('gen_ai.choice', { index: 0 }, [1764684001, 1]);
  child.setStatus({ code: SpanStatusCode.ERROR, message: 'rate limited' });
  child.end([1764684002, 0]);
  root.end([1764684003, 250]);
  return ended;
}

describe('OTLP decoding: the hand-written protobuf reader and the JSON mapping agree with the SDK', () => {
  const spans = sdkSpans();
  const fromProto = decodeOtlpProtobuf(ProtobufTraceSerializer.serializeRequest(spans)!);
  it('has spans to compare (the SDK made them)', () => expect(spans).toHaveLength(2));
  const fromJson = decodeOtlpJson(
    JSON.parse(Buffer.from(JsonTraceSerializer.serializeRequest(spans)!).toString('utf8')),
  );

  it('reads every field the SDK encoded, in protobuf', () => {
    const root = fromProto.find((s) => s.name === 'invoke_agent pricer')!;
    const child = fromProto.find((s) => s.name === 'chat gpt-4o')!;
    const sdkRoot = spans.find((s) => s.name === 'invoke_agent pricer')!;
    expect(root).toMatchObject({
      traceId: sdkRoot.spanContext().traceId,
      spanId: sdkRoot.spanContext().spanId,
      kind: 'internal',
      startTimeUnixNano: '1764684000000000000',
      endTimeUnixNano: '1764684003000000250',
      scope: { name: 'golden-agent', version: '1.2.3' },
      attributes: {
        'gen_ai.operation.name': 'invoke_agent',
        'gen_ai.usage.input_tokens': 1200,
        'big.int': 2 ** 40,
        'a.double': 0.25,
        'a.bool': true,
        'a.list': ['x', 'y'],
        'a.negative': -7,
      },
    });
    expect(root.parentSpanId).toBeUndefined();
    expect(root.resource['telemetry.sdk.language']).toBe('nodejs');
    expect(child).toMatchObject({
      traceId: root.traceId,
      parentSpanId: root.spanId,
      kind: 'client',
      status: { code: 'error', message: 'rate limited' },
      events: [{ name: 'gen_ai.choice', timeUnixNano: '1764684001000000001', attributes: { index: 0 } }],
    });
  });

  it('decodes the JSON encoding of the same spans to the same spans', () => {
    expect(fromJson).toEqual(fromProto);
  });

  it('refuses a truncated protobuf message, naming where', () => {
    const bytes = ProtobufTraceSerializer.serializeRequest(spans)!;
    expect(() => decodeOtlpProtobuf(bytes.subarray(0, bytes.length - 5))).toThrow(OtlpDecodeError);
    expect(() => decodeOtlpProtobuf(bytes.subarray(0, bytes.length - 5))).toThrow(/truncated/);
  });

  it('refuses bytes that are not protobuf (a JSON body sent as protobuf)', () => {
    expect(() => decodeOtlpProtobuf(Buffer.from('{"resourceSpans":[]}'))).toThrow(OtlpDecodeError);
  });

  it('reads an empty request as no spans', () => {
    expect(decodeOtlpProtobuf(new Uint8Array(0))).toEqual([]);
    expect(decodeOtlpJson({})).toEqual([]);
  });
});

const span = (over: Record<string, unknown> = {}) => ({
  resourceSpans: [
    {
      scopeSpans: [
        {
          spans: [
            {
              traceId: '5b8efff798038103d269b633813fc60c',
              spanId: 'eee19b7ec3c1b174',
              name: 'chat',
              startTimeUnixNano: '1',
              endTimeUnixNano: '2',
              ...over,
            },
          ],
        },
      ],
    },
  ],
});

describe('decodeOtlpJson refuses what is not OTLP, naming the field', () => {
  it.each([
    ['a body that is not an object', [], /\$ must be an object/],
    ['resourceSpans that is not an array', { resourceSpans: {} }, /\$\.resourceSpans must be an array/],
    ['a short trace id', span({ traceId: 'abc' }), /spans\[0\]\.traceId must be 16 bytes/],
    ['an all-zero trace id', span({ traceId: '0'.repeat(32) }), /traceId .*not all zero/],
    ['a base64 span id', span({ spanId: '7uGbfsPBsXQ=' }), /spans\[0\]\.spanId must be 8 bytes/],
    ['a missing name', span({ name: '' }), /spans\[0\]\.name must be a non-empty string/],
    [
      'a time that is not an integer',
      span({ startTimeUnixNano: '1.5' }),
      /startTimeUnixNano must be a non-negative integer/,
    ],
    ['an unknown kind', span({ kind: 9 }), /spans\[0\]\.kind must be one of/],
    [
      'an attribute without a key',
      span({ attributes: [{ value: { stringValue: 'x' } }] }),
      /attributes\[0\]\.key must be a non-empty string/,
    ],
    [
      'an intValue that is not an integer',
      span({ attributes: [{ key: 'n', value: { intValue: 'ten' } }] }),
      /attributes\[0\]\.value\.intValue must be an integer/,
    ],
  ])('%s', (_, body, reason) => {
    expect(() => decodeOtlpJson(body)).toThrow(OtlpDecodeError);
    expect(() => decodeOtlpJson(body)).toThrow(reason);
  });

  it('refuses values nested past the depth limit (no recursion bomb)', () => {
    let value: Record<string, unknown> = { stringValue: 'x' };
    for (let i = 0; i < OTLP_LIMITS.depth + 2; i++) value = { arrayValue: { values: [value] } };
    expect(() => decodeOtlpJson(span({ attributes: [{ key: 'deep', value }] }))).toThrow(/nested deeper/);
  });

  it('refuses more spans than the limit in one request as too large (413), not malformed', () => {
    const one = span().resourceSpans[0]!.scopeSpans[0]!.spans[0]!;
    const body = { resourceSpans: [{ scopeSpans: [{ spans: Array(OTLP_LIMITS.spans + 1).fill(one) }] }] };
    expect(() => decodeOtlpJson(body)).toThrow(OtlpBatchTooLargeError);
  });

  it('accepts enum names, and numbers for 64-bit fields', () => {
    const [s] = decodeOtlpJson(
      span({ kind: 'SPAN_KIND_SERVER', startTimeUnixNano: 5, status: { code: 'STATUS_CODE_OK' } }),
    );
    expect(s).toMatchObject({ kind: 'server', startTimeUnixNano: '5', status: { code: 'ok' } });
  });
});

describe('the OTLP export response', () => {
  it('is empty when every span was taken, and a partial success naming the rejected count otherwise', () => {
    expect(exportTraceResponse(0)).toEqual({});
    expect(encodeExportTraceResponse(exportTraceResponse(0))).toHaveLength(0);
    const partial = exportTraceResponse(300, 'not yours');
    expect(partial).toEqual({ partialSuccess: { rejectedSpans: 300, errorMessage: 'not yours' } });
  });

  it('encodes the partial success as the SDK decodes it', () => {
    const bytes = encodeExportTraceResponse(exportTraceResponse(300, 'not yours'));
    expect(ProtobufTraceSerializer.deserializeResponse(bytes)).toMatchObject({
      partialSuccess: { errorMessage: 'not yours' },
    });
    const rejected = ProtobufTraceSerializer.deserializeResponse(bytes).partialSuccess?.rejectedSpans;
    expect(Number(rejected)).toBe(300);
  });
});
