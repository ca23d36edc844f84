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

type Json = Record<string, unknown>;

/**
 * Decodes an OTLP/HTTP JSON `ExportTraceServiceRequest` (the protobuf JSON mapping: lowerCamelCase
 * fields, ids in hex, 64-bit integers as strings or numbers, enums as numbers or their names).
 * Throws `OtlpDecodeError` naming the first field that is wrong; fields OTLP may omit default as
 * protobuf does (empty, zero).
 */
export function decodeOtlpJson(body: unknown): OtlpSpan[] {
  const root = object(body, '$');
  const budget = new SpanBudget();
  const out: OtlpSpan[] = [];
  list(root, 'resourceSpans', '$').forEach((rs, i) => {
    const at = `resourceSpans[${i}]`;
    const r = object(rs, at);
    const resource =
      r['resource'] === undefined
        ? {}
        : attributesOf(object(r['resource'], `${at}.resource`), `${at}.resource`);
    list(r, 'scopeSpans', at).forEach((ss, j) => {
      const sat = `${at}.scopeSpans[${j}]`;
      const s = object(ss, sat);
      const scopeObj = s['scope'] === undefined ? {} : object(s['scope'], `${sat}.scope`);
      const scope = {
        name: optionalString(scopeObj, 'name', `${sat}.scope`) ?? '',
        version: optionalString(scopeObj, 'version', `${sat}.scope`) || undefined,
      };
      list(s, 'spans', sat).forEach((sp, k) => {
        budget.take();
        out.push(spanOf(object(sp, `${sat}.spans[${k}]`), `${sat}.spans[${k}]`, resource, scope));
      });
    });
  });
  return out;
}

function spanOf(s: Json, at: string, resource: Attributes, scope: OtlpSpan['scope']): OtlpSpan {
  const parent = optionalString(s, 'parentSpanId', at);
  const status = s['status'] === undefined ? {} : object(s['status'], `${at}.status`);
  const events = list(s, 'events', at);
  if (events.length > OTLP_LIMITS.events)
    throw new OtlpDecodeError(`${at}.events: more than ${OTLP_LIMITS.events} events on one span`);
  const span: OtlpSpan = {
    traceId: (optionalString(s, 'traceId', at) ?? '').toLowerCase(),
    spanId: (optionalString(s, 'spanId', at) ?? '').toLowerCase(),
    parentSpanId: parent ? parent.toLowerCase() : undefined,
    name: optionalString(s, 'name', at) ?? '',
    kind: enumOf(s['kind'], SPAN_KINDS, 'SPAN_KIND_', `${at}.kind`),
    startTimeUnixNano: nanos(s['startTimeUnixNano'], `${at}.startTimeUnixNano`),
    endTimeUnixNano: nanos(s['endTimeUnixNano'], `${at}.endTimeUnixNano`),
    attributes: attributesOf(s, at),
    events: events.map((e, i): OtlpSpanEvent => {
      const eat = `${at}.events[${i}]`;
      const ev = object(e, eat);
      return {
        name: optionalString(ev, 'name', eat) ?? '',
        timeUnixNano: nanos(ev['timeUnixNano'], `${eat}.timeUnixNano`),
        attributes: attributesOf(ev, eat),
      };
    }),
    status: {
      code: enumOf(status['code'], STATUS_CODES, 'STATUS_CODE_', `${at}.status.code`),
      message: optionalString(status, 'message', `${at}.status`) || undefined,
    },
    resource,
    scope,
  };
  checkIds(span, at);
  if (!span.name) throw new OtlpDecodeError(`${at}.name must be a non-empty string`);
  return span;
}

function attributesOf(holder: Json, at: string): Attributes {
  const kvs = list(holder, 'attributes', at);
  if (kvs.length > OTLP_LIMITS.attributes)
    throw new OtlpDecodeError(`${at}.attributes: more than ${OTLP_LIMITS.attributes} attributes`);
  return keyValues(kvs, `${at}.attributes`, 0);
}

function keyValues(kvs: unknown[], at: string, depth: number): Attributes {
  const out: Attributes = {};
  kvs.forEach((kv, i) => {
    const o = object(kv, `${at}[${i}]`);
    const key = o['key'];
    if (typeof key !== 'string' || !key)
      throw new OtlpDecodeError(`${at}[${i}].key must be a non-empty string`);
    out[key] = o['value'] === undefined ? null : anyValue(o['value'], `${at}[${i}].value`, depth);
  });
  return out;
}

function anyValue(v: unknown, at: string, depth: number): AttributeValue {
  if (depth > OTLP_LIMITS.depth)
    throw new OtlpDecodeError(`${at}: values nested deeper than ${OTLP_LIMITS.depth}`);
  const o = object(v, at);
  if ('stringValue' in o) return stringField(o['stringValue'], `${at}.stringValue`);
  if ('boolValue' in o) {
    if (typeof o['boolValue'] !== 'boolean') throw new OtlpDecodeError(`${at}.boolValue must be a boolean`);
    return o['boolValue'];
  }
  if ('intValue' in o) return intOf(o['intValue'], `${at}.intValue`);
  if ('doubleValue' in o) {
    const d = o['doubleValue'];
    if (typeof d === 'number') return d;
    if (typeof d === 'string' && d.trim() !== '' && !Number.isNaN(Number(d))) return Number(d);
    throw new OtlpDecodeError(`${at}.doubleValue must be a number`);
  }
  if ('arrayValue' in o) {
    const values = list(object(o['arrayValue'], `${at}.arrayValue`), 'values', `${at}.arrayValue`);
    return values.map((x, i) => anyValue(x, `${at}.arrayValue.values[${i}]`, depth + 1));
  }
  if ('kvlistValue' in o) {
    const values = list(object(o['kvlistValue'], `${at}.kvlistValue`), 'values', `${at}.kvlistValue`);
    return keyValues(values, `${at}.kvlistValue.values`, depth + 1);
  }
  if ('bytesValue' in o) return stringField(o['bytesValue'], `${at}.bytesValue`);
  return null;
}

/** A 64-bit integer: a safe JS number when it fits, its decimal string when not. */
function intOf(v: unknown, at: string): number | string {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'string' && /^-?\d{1,20}$/.test(v)) {
    const n = Number(v);
    return Number.isSafeInteger(n) ? n : v;
  }
  throw new OtlpDecodeError(`${at} must be an integer (a number or a decimal string)`);
}

function nanos(v: unknown, at: string): string {
  if (v === undefined) return '0';
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0) return BigInt(v).toString();
  if (typeof v === 'string' && /^\d{1,20}$/.test(v)) return BigInt(v).toString();
  throw new OtlpDecodeError(
    `${at} must be a non-negative integer of nanoseconds (a number or a decimal string)`,
  );
}

function enumOf<T extends string>(v: unknown, names: readonly T[], prefix: string, at: string): T {
  if (v === undefined) return names[0]!;
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v < names.length) return names[v]!;
  if (typeof v === 'string') {
    const name = v.startsWith(prefix) ? v.slice(prefix.length).toLowerCase() : '';
    const found = names.find((n) => n === name);
    if (found) return found;
  }
  throw new OtlpDecodeError(
    `${at} must be one of ${names.map((n, i) => `${i} (${prefix}${n.toUpperCase()})`).join(', ')}`,
  );
}

function object(v: unknown, at: string): Json {
  if (v === null || typeof v !== 'object' || Array.isArray(v))
    throw new OtlpDecodeError(`${at} must be an object`);
  return v as Json;
}

function list(holder: Json, key: string, at: string): unknown[] {
  const v = holder[key];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new OtlpDecodeError(`${at}.${key} must be an array`);
  return v;
}

function optionalString(holder: Json, key: string, at: string): string | undefined {
  const v = holder[key];
  return v === undefined || v === null ? undefined : stringField(v, `${at}.${key}`);
}

function stringField(v: unknown, at: string): string {
  if (typeof v !== 'string') throw new OtlpDecodeError(`${at} must be a string`);
  return v;
}
