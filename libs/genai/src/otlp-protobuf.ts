import {
  AttributeValue,
  Attributes,
  OTLP_LIMITS,
  OtlpDecodeError,
  OtlpSpan,
  OtlpSpanEvent,
  SPAN_KINDS,
  STATUS_CODES,
  SpanBudget,
  checkIds,
} from './otlp-spans';

/**
 * Decodes an OTLP/HTTP protobuf `ExportTraceServiceRequest` (opentelemetry-proto v1:
 * collector/trace/v1/trace_service.proto, trace/v1/trace.proto, common/v1/common.proto) with a
 * reader written for these messages alone: no generated code, no schema at run time. Unknown fields
 * are skipped, as protobuf requires; a truncated or malformed message throws `OtlpDecodeError`.
 *
 * Field numbers used (message: field = number):
 * - ExportTraceServiceRequest: resource_spans = 1
 * - ResourceSpans: resource = 1, scope_spans = 2 · Resource: attributes = 1
 * - ScopeSpans: scope = 1, spans = 2 · InstrumentationScope: name = 1, version = 2
 * - Span: trace_id = 1, span_id = 2, parent_span_id = 4, name = 5, kind = 6,
 *   start_time_unix_nano = 7 (fixed64), end_time_unix_nano = 8 (fixed64), attributes = 9,
 *   events = 11, status = 15
 * - Span.Event: time_unix_nano = 1 (fixed64), name = 2, attributes = 3 · Status: message = 2, code = 3
 * - KeyValue: key = 1, value = 2 · KeyValueList / ArrayValue: values = 1
 * - AnyValue: string = 1, bool = 2, int = 3, double = 4, array = 5, kvlist = 6, bytes = 7
 */
export function decodeOtlpProtobuf(bytes: Uint8Array): OtlpSpan[] {
  const budget = new SpanBudget();
  const out: OtlpSpan[] = [];
  let i = 0;
  for (const f of fields(bytes, 'ExportTraceServiceRequest')) {
    if (f.no !== 1) continue;
    const at = `resourceSpans[${i++}]`;
    let resource: Attributes = {};
    const scopes: Uint8Array[] = [];
    for (const r of fields(bytesOf(f, at), at)) {
      if (r.no === 1) resource = messageAttributes(bytesOf(r, `${at}.resource`), 1, `${at}.resource`);
      else if (r.no === 2) scopes.push(bytesOf(r, `${at}.scopeSpans`));
    }
    scopes.forEach((ss, j) => {
      const sat = `${at}.scopeSpans[${j}]`;
      const scope: OtlpSpan['scope'] = { name: '' };
      let k = 0;
      for (const s of fields(ss, sat)) {
        if (s.no === 1) {
          for (const sc of fields(bytesOf(s, `${sat}.scope`), `${sat}.scope`)) {
            if (sc.no === 1) scope.name = text(bytesOf(sc, `${sat}.scope.name`));
            else if (sc.no === 2) scope.version = text(bytesOf(sc, `${sat}.scope.version`)) || undefined;
          }
        } else if (s.no === 2) {
          budget.take();
          const spanAt = `${sat}.spans[${k++}]`;
          // The spans share `scope`: a scope field that comes after them on the wire still lands on them.
          out.push(spanOf(bytesOf(s, spanAt), spanAt, resource, scope));
        }
      }
    });
  }
  return out;
}

function spanOf(buf: Uint8Array, at: string, resource: Attributes, scope: OtlpSpan['scope']): OtlpSpan {
  const span: OtlpSpan = {
    traceId: '',
    spanId: '',
    name: '',
    kind: 'unspecified',
    startTimeUnixNano: '0',
    endTimeUnixNano: '0',
    attributes: {},
    events: [],
    status: { code: 'unset' },
    resource,
    scope,
  };
  let attributes = 0;
  for (const f of fields(buf, at)) {
    switch (f.no) {
      case 1:
        span.traceId = hex(bytesOf(f, `${at}.traceId`));
        break;
      case 2:
        span.spanId = hex(bytesOf(f, `${at}.spanId`));
        break;
      case 4: {
        const parent = hex(bytesOf(f, `${at}.parentSpanId`));
        span.parentSpanId = parent || undefined;
        break;
      }
      case 5:
        span.name = text(bytesOf(f, `${at}.name`));
        break;
      case 6:
        span.kind = enumOf(varintOf(f, `${at}.kind`), SPAN_KINDS, `${at}.kind`);
        break;
      case 7:
        span.startTimeUnixNano = fixed64Of(f, `${at}.startTimeUnixNano`).toString();
        break;
      case 8:
        span.endTimeUnixNano = fixed64Of(f, `${at}.endTimeUnixNano`).toString();
        break;
      case 9: {
        if (++attributes > OTLP_LIMITS.attributes)
          throw new OtlpDecodeError(`${at}.attributes: more than ${OTLP_LIMITS.attributes} attributes`);
        const [key, value] = keyValue(
          bytesOf(f, `${at}.attributes`),
          `${at}.attributes[${attributes - 1}]`,
          0,
        );
        span.attributes[key] = value;
        break;
      }
      case 11:
        if (span.events.length >= OTLP_LIMITS.events)
          throw new OtlpDecodeError(`${at}.events: more than ${OTLP_LIMITS.events} events on one span`);
        span.events.push(eventOf(bytesOf(f, `${at}.events`), `${at}.events[${span.events.length}]`));
        break;
      case 15:
        for (const st of fields(bytesOf(f, `${at}.status`), `${at}.status`)) {
          if (st.no === 2) span.status.message = text(bytesOf(st, `${at}.status.message`)) || undefined;
          else if (st.no === 3)
            span.status.code = enumOf(varintOf(st, `${at}.status.code`), STATUS_CODES, `${at}.status.code`);
        }
        break;
    }
  }
  checkIds(span, at);
  if (!span.name) throw new OtlpDecodeError(`${at}.name must be a non-empty string`);
  return span;
}

function eventOf(buf: Uint8Array, at: string): OtlpSpanEvent {
  const event: OtlpSpanEvent = { name: '', timeUnixNano: '0', attributes: {} };
  let n = 0;
  for (const f of fields(buf, at)) {
    if (f.no === 1) event.timeUnixNano = fixed64Of(f, `${at}.timeUnixNano`).toString();
    else if (f.no === 2) event.name = text(bytesOf(f, `${at}.name`));
    else if (f.no === 3) {
      if (++n > OTLP_LIMITS.attributes)
        throw new OtlpDecodeError(`${at}.attributes: more than ${OTLP_LIMITS.attributes} attributes`);
      const [key, value] = keyValue(bytesOf(f, `${at}.attributes`), `${at}.attributes[${n - 1}]`, 0);
      event.attributes[key] = value;
    }
  }
  return event;
}

/** The `KeyValue`s in field `no` of a message (Resource.attributes, KeyValueList.values). */
function messageAttributes(buf: Uint8Array, no: number, at: string): Attributes {
  const out: Attributes = {};
  let n = 0;
  for (const f of fields(buf, at)) {
    if (f.no !== no) continue;
    if (++n > OTLP_LIMITS.attributes)
      throw new OtlpDecodeError(`${at}.attributes: more than ${OTLP_LIMITS.attributes} attributes`);
    const [key, value] = keyValue(bytesOf(f, `${at}.attributes`), `${at}.attributes[${n - 1}]`, 0);
    out[key] = value;
  }
  return out;
}

function keyValue(buf: Uint8Array, at: string, depth: number): [string, AttributeValue] {
  let key = '';
  let value: AttributeValue = null;
  for (const f of fields(buf, at)) {
    if (f.no === 1) key = text(bytesOf(f, `${at}.key`));
    else if (f.no === 2) value = anyValue(bytesOf(f, `${at}.value`), `${at}.value`, depth);
  }
  if (!key) throw new OtlpDecodeError(`${at}.key must be a non-empty string`);
  return [key, value];
}

function anyValue(buf: Uint8Array, at: string, depth: number): AttributeValue {
  if (depth > OTLP_LIMITS.depth)
    throw new OtlpDecodeError(`${at}: values nested deeper than ${OTLP_LIMITS.depth}`);
  let value: AttributeValue = null;
  for (const f of fields(buf, at)) {
    switch (f.no) {
      case 1:
        value = text(bytesOf(f, `${at}.stringValue`));
        break;
      case 2:
        value = varintOf(f, `${at}.boolValue`) !== 0n;
        break;
      case 3: {
        const n = BigInt.asIntN(64, varintOf(f, `${at}.intValue`));
        value =
          n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER)
            ? Number(n)
            : n.toString();
        break;
      }
      case 4: {
        if (f.wire !== 1) throw new OtlpDecodeError(`${at}.doubleValue must be a 64-bit double`);
        value = new DataView(f.data.buffer, f.data.byteOffset, 8).getFloat64(0, true);
        break;
      }
      case 5: {
        const values: AttributeValue[] = [];
        for (const v of fields(bytesOf(f, `${at}.arrayValue`), `${at}.arrayValue`))
          if (v.no === 1)
            values.push(
              anyValue(
                bytesOf(v, `${at}.arrayValue.values`),
                `${at}.arrayValue.values[${values.length}]`,
                depth + 1,
              ),
            );
        value = values;
        break;
      }
      case 6: {
        const kv: Attributes = {};
        let n = 0;
        for (const v of fields(bytesOf(f, `${at}.kvlistValue`), `${at}.kvlistValue`))
          if (v.no === 1) {
            const [k, x] = keyValue(
              bytesOf(v, `${at}.kvlistValue.values`),
              `${at}.kvlistValue.values[${n++}]`,
              depth + 1,
            );
            kv[k] = x;
          }
        value = kv;
        break;
      }
      case 7:
        value = Buffer.from(bytesOf(f, `${at}.bytesValue`)).toString('base64');
        break;
    }
  }
  return value;
}

// ---- wire format ------------------------------------------------------------------------------

interface Field {
  no: number;
  wire: number;
  /** varint value (wire 0) */
  varint?: bigint;
  /** payload of wire 1 (8 bytes), 2 (length-delimited) and 5 (4 bytes) */
  data: Uint8Array;
}

const EMPTY = new Uint8Array(0);

/** The fields of one message, in order; throws on truncation or an unsupported wire type. */
function* fields(buf: Uint8Array, at: string): Generator<Field> {
  let pos = 0;
  while (pos < buf.length) {
    const [tag, afterTag] = varint(buf, pos, at);
    pos = afterTag;
    const no = Number(tag >> 3n);
    const wire = Number(tag & 7n);
    if (no === 0) throw new OtlpDecodeError(`${at}: malformed protobuf (field number 0)`);
    switch (wire) {
      case 0: {
        const [v, next] = varint(buf, pos, at);
        pos = next;
        yield { no, wire, varint: v, data: EMPTY };
        break;
      }
      case 1:
        if (pos + 8 > buf.length) throw truncated(at);
        yield { no, wire, data: buf.subarray(pos, pos + 8) };
        pos += 8;
        break;
      case 2: {
        const [len, next] = varint(buf, pos, at);
        if (next + Number(len) > buf.length) throw truncated(at);
        yield { no, wire, data: buf.subarray(next, next + Number(len)) };
        pos = next + Number(len);
        break;
      }
      case 5:
        if (pos + 4 > buf.length) throw truncated(at);
        yield { no, wire, data: buf.subarray(pos, pos + 4) };
        pos += 4;
        break;
      default:
        throw new OtlpDecodeError(`${at}: malformed protobuf (wire type ${wire} of field ${no})`);
    }
  }
}

function varint(buf: Uint8Array, start: number, at: string): [bigint, number] {
  let result = 0n;
  let shift = 0n;
  for (let pos = start; pos < buf.length && pos < start + 10; pos++) {
    const b = buf[pos]!;
    result |= BigInt(b & 0x7f) << shift;
    if ((b & 0x80) === 0) return [result, pos + 1];
    shift += 7n;
  }
  throw truncated(at);
}

const truncated = (at: string) => new OtlpDecodeError(`${at}: malformed protobuf (truncated)`);

function bytesOf(f: Field, at: string): Uint8Array {
  if (f.wire !== 2)
    throw new OtlpDecodeError(`${at} must be length-delimited (wire type 2), not wire type ${f.wire}`);
  return f.data;
}

function varintOf(f: Field, at: string): bigint {
  if (f.wire !== 0 || f.varint === undefined)
    throw new OtlpDecodeError(`${at} must be a varint (wire type 0)`);
  return f.varint;
}

function fixed64Of(f: Field, at: string): bigint {
  if (f.wire !== 1) throw new OtlpDecodeError(`${at} must be a fixed64 (wire type 1)`);
  return new DataView(f.data.buffer, f.data.byteOffset, 8).getBigUint64(0, true);
}

function enumOf<T extends string>(v: bigint, names: readonly T[], at: string): T {
  if (v < BigInt(names.length)) return names[Number(v)]!;
  throw new OtlpDecodeError(`${at} must be one of 0..${names.length - 1}`);
}

const decoder = new TextDecoder('utf-8', { fatal: true });

function text(b: Uint8Array): string {
  try {
    return decoder.decode(b);
  } catch {
    throw new OtlpDecodeError('malformed protobuf: a string is not valid UTF-8');
  }
}

function hex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}
