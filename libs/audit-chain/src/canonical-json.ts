import canonicalize from 'canonicalize';

/**
 * RFC 8785 (JCS) canonical JSON: sorted keys, ES number formatting, minimal escapes. Hashes are
 * computed over this text, so any two encoders that agree on the value agree on the hash.
 */
export function canonicalJson(value: unknown): string {
  assertJsonValue(value, '$');
  const text = canonicalize(value);
  if (text === undefined) throw new Error('value has no JSON representation');
  return text;
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
