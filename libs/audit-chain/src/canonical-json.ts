import canonicalize from 'canonicalize';

/**
 * RFC 8785 (JCS) canonical JSON: sorted keys, ES number formatting, minimal escapes. Hashes are
 * computed over this text, so any two encoders that agree on the value agree on the hash.
 *
 * Every record is hashed through here (and again by verification), so the common case takes the
 * native serializer: `JSON.stringify` already formats numbers and escapes strings as JCS does and
 * emits members in `Object.keys` order, so a value whose objects list their keys in UTF-16 order
 * comes out canonical; the objects that do not are copied with their keys sorted. What that cannot
 * express — integer-like keys out of order, which JavaScript always lists first — and every value
 * that is not I-JSON take the reference path (the `canonicalize` package after a full check).
 */
export function canonicalJson(value: unknown): string {
  try {
    return JSON.stringify(inCanonicalOrder(value));
  } catch (error) {
    if (error !== NOT_ON_FAST_PATH) throw error;
  }
  assertJsonValue(value, '$');
  const text = canonicalize(value);
  if (text === undefined) throw new Error('value has no JSON representation');
  return text;
}

const NOT_ON_FAST_PATH = new Error('not on the fast path');
const INTEGER_KEY = /^(?:0|[1-9]\d*)$/;

/** `value`, or a copy of it where an object lists its keys out of UTF-16 order (no other changes). */
function inCanonicalOrder(value: unknown): unknown {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      if (!Number.isFinite(value)) throw NOT_ON_FAST_PATH;
      return value;
    case 'object': {
      if (value === null) return value;
      if (typeof (value as { toJSON?: unknown }).toJSON === 'function')
        return inCanonicalOrder((value as { toJSON: () => unknown }).toJSON());
      if (Array.isArray(value)) {
        let out = value;
        for (let i = 0; i < value.length; i++) {
          const v: unknown = value[i];
          const c = inCanonicalOrder(v);
          if (c !== v) {
            if (out === value) out = value.slice();
            out[i] = c;
          }
        }
        return out;
      }
      const obj = value as Record<string, unknown>;
      const keys = Object.keys(obj);
      let sorted = true;
      for (let i = 1; i < keys.length && sorted; i++) sorted = keys[i - 1] < keys[i];
      if (sorted) {
        let out = obj;
        for (const k of keys) {
          const v = obj[k];
          if (v === undefined) throw NOT_ON_FAST_PATH;
          const c = inCanonicalOrder(v);
          if (c !== v) {
            if (out === obj) out = { ...obj };
            out[k] = c;
          }
        }
        return out;
      }
      keys.sort();
      const out: Record<string, unknown> = {};
      for (const k of keys) {
        // An integer-like key would be listed first again, whatever the insertion order.
        if (INTEGER_KEY.test(k)) throw NOT_ON_FAST_PATH;
        const v = obj[k];
        if (v === undefined) throw NOT_ON_FAST_PATH;
        // A parsed "__proto__" member is an own property: assigning it would set the copy's
        // prototype instead, and the member would drop out of the text (and the hash).
        if (k === '__proto__')
          Object.defineProperty(out, k, { value: inCanonicalOrder(v), enumerable: true, writable: true });
        else out[k] = inCanonicalOrder(v);
      }
      return out;
    }
    default:
      throw NOT_ON_FAST_PATH;
  }
}

/** JCS is defined on I-JSON only: reject what JSON.stringify would silently drop or mangle. */
function assertJsonValue(value: unknown, path: string): void {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`${path}: non-finite number`);
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((v, i) => assertJsonValue(v, `${path}[${i}]`));
    return;
  }
  if (typeof value === 'object') {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (v === undefined) throw new Error(`${path}.${k}: undefined is not JSON`);
      assertJsonValue(v, `${path}.${k}`);
    }
    return;
  }
  throw new Error(`${path}: ${typeof value} is not JSON`);
}
