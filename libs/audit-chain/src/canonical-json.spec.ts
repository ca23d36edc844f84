import canonicalize from 'canonicalize';
import { canonicalJson } from './canonical-json';

describe('canonicalJson (RFC 8785)', () => {
  it('keeps a parsed "__proto__" member, as the reference encoder does', () => {
    const parsed = JSON.parse('{"b":1,"__proto__":{"x":1},"a":2}') as unknown;
    expect(canonicalJson(parsed)).toBe('{"__proto__":{"x":1},"a":2,"b":1}');
  });

  it('sorts keys by UTF-16 code units, recursively, without whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[3,{"y":2,"z":1}]},"b":1}',
    );
    expect(canonicalJson({ '\u20ac': 1, '\r': 2, '1': 3, '\ud83d\ude00': 4, ö: 5 })).toBe(
      '{"\\r":2,"1":3,"ö":5,"€":1,"😀":4}',
    );
  });

  it('formats numbers as ECMAScript does (RFC 8785 §3.2.2.3 samples)', () => {
    expect(canonicalJson([1e21, 1e-7, 0.000001, -0, 333333333.3333333, 1e23, 4.5, 2e-3])).toBe(
      '[1e+21,1e-7,0.000001,0,333333333.3333333,1e+23,4.5,0.002]',
    );
  });

  it('escapes only what JSON requires', () => {
    expect(canonicalJson('\u0001"\\/\u2028é')).toBe('"\\u0001\\"\\\\/\u2028é"');
  });

  it('rejects values that are not I-JSON', () => {
    expect(() => canonicalJson({ a: undefined })).toThrow(/undefined/);
    expect(() => canonicalJson([Number.NaN])).toThrow(/non-finite/);
    expect(() => canonicalJson(Infinity)).toThrow(/non-finite/);
  });

  it('agrees with the reference implementation whatever the key order, nesting and key kinds', () => {
    // A small deterministic generator: objects built in random key order, integer-like and
    // non-ASCII keys, arrays, numbers that format differently, strings that need escapes.
    let seed = 42;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const keys = ['b', 'a', 'B', '10', '9', '0', 'é', '\u20ac', '\ud83d\ude00', 'aa', '', 'prevHash'];
    const leaves = [0, -0, 1.5, 1e21, 1e-7, 333333333.3333333, 'x', '\u2028"\\', true, false, null];
    const value = (depth: number): unknown => {
      const r = next();
      if (depth > 3 || r < 0.4) return leaves[Math.floor(next() * leaves.length)];
      if (r < 0.6) return Array.from({ length: Math.floor(next() * 4) }, () => value(depth + 1));
      const out: Record<string, unknown> = {};
      for (let i = Math.floor(next() * 5); i > 0; i--)
        out[keys[Math.floor(next() * keys.length)]] = value(depth + 1);
      return out;
    };
    for (let i = 0; i < 500; i++) {
      const v = value(0);
      expect(canonicalJson(v)).toBe(canonicalize(v));
    }
    const date = new Date('2026-01-01T00:00:00Z');
    expect(canonicalJson({ z: 1, at: date })).toBe(canonicalize({ z: 1, at: date }));
  });

  it('leaves the value it serialises untouched', () => {
    const v = { b: { d: 1, c: [{ f: 1, e: 2 }] }, a: 1 };
    const before = JSON.stringify(v);
    canonicalJson(v);
    expect(JSON.stringify(v)).toBe(before);
  });
});
