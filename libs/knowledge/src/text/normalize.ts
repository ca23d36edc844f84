/**
 * One pass over the text: compatibility-decomposed, diacritics stripped, case-folded, every space
 * and hyphen variant unified and runs of space collapsed — with, for each character of the result,
 * where it came from, so a claim found in the normalized text cites a span of the original.
 */
export interface NormalizedText {
  /** The original text. */
  source: string;
  text: string;
  /** For each character of `text`: the index of the source character it came from … */
  from: Int32Array;
  /** … and the index just past that source character (a surrogate pair is two). */
  to: Int32Array;
}

const SPACES = new Set([
  0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x20, 0x85, 0xa0, 0x1680, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000,
]);
const HYPHENS = new Set([0x2010, 0x2011, 0x2012, 0x2013, 0x2014, 0x2015, 0x2212, 0xfe58, 0xfe63, 0xff0d]);
/** Letters NFKD does not decompose into ASCII. */
const FOLDS: Record<number, string> = {
  0xdf: 'ss',
  0xe6: 'ae',
  0xc6: 'ae',
  0x153: 'oe',
  0x152: 'oe',
  0xf8: 'o',
  0xd8: 'o',
  0x142: 'l',
  0x141: 'l',
  0x111: 'd',
  0x110: 'd',
  0x131: 'i',
  0x2018: "'",
  0x2019: "'",
  0x201b: "'",
  0x2032: "'",
  0x201c: '"',
  0x201d: '"',
  0xab: '"',
  0xbb: '"',
  0xb7: '.',
  0x2026: '...',
  0xd7: 'x',
};

const cache = new Map<number, string>();

function fold(codePoint: number): string {
  let out = cache.get(codePoint);
  if (out !== undefined) return out;
  if (SPACES.has(codePoint) || (codePoint >= 0x2000 && codePoint <= 0x200a)) out = ' ';
  else if (HYPHENS.has(codePoint)) out = '-';
  else if (FOLDS[codePoint] !== undefined) out = FOLDS[codePoint];
  else if (
    codePoint === 0x200b ||
    codePoint === 0x200c ||
    codePoint === 0x200d ||
    codePoint === 0xfeff ||
    codePoint === 0xad
  )
    out = ''; // zero-width and soft hyphen: invisible, so they must not split a word
  else
    out = String.fromCodePoint(codePoint)
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase();
  if (cache.size < 4096) cache.set(codePoint, out);
  return out;
}

export function normalizeText(source: string): NormalizedText {
  let cap = source.length + 16;
  let codes = new Uint16Array(cap);
  let from = new Int32Array(cap);
  let to = new Int32Array(cap);
  let n = 0;
  const emit = (code: number, i: number, width: number) => {
    if (n === cap) {
      cap *= 2;
      const c = new Uint16Array(cap);
      const f = new Int32Array(cap);
      const t = new Int32Array(cap);
      c.set(codes);
      f.set(from);
      t.set(to);
      codes = c;
      from = f;
      to = t;
    }
    codes[n] = code;
    from[n] = i;
    to[n] = i + width;
    n++;
  };
  let lastSpace = true; // no leading space
  for (let i = 0; i < source.length;) {
    const c = source.charCodeAt(i);
    if (c < 0x80) {
      // ASCII, the common case: no string is built for it.
      if (c === 0x20 || (c >= 0x09 && c <= 0x0d)) {
        if (!lastSpace) emit(0x20, i, 1);
        lastSpace = true;
      } else {
        emit(c >= 0x41 && c <= 0x5a ? c + 32 : c, i, 1);
        lastSpace = false;
      }
      i++;
      continue;
    }
    const cp = source.codePointAt(i)!;
    const width = cp > 0xffff ? 2 : 1;
    const piece = fold(cp);
    for (let k = 0; k < piece.length; k++) {
      const ch = piece.charCodeAt(k);
      if (ch === 0x20) {
        if (lastSpace) continue;
        lastSpace = true;
      } else lastSpace = false;
      emit(ch, i, width);
    }
    i += width;
  }
  if (n > 0 && codes[n - 1] === 0x20) n--;
  let text = '';
  for (let k = 0; k < n; k += 4096) text += String.fromCharCode(...codes.subarray(k, Math.min(n, k + 4096)));
  return { source, text, from: from.slice(0, n), to: to.slice(0, n) };
}

/** The source span of normalized characters [start, end). */
export function sourceSpan(t: NormalizedText, start: number, end: number): { start: number; end: number } {
  if (end <= start) return { start: t.from[start] ?? t.source.length, end: t.from[start] ?? t.source.length };
  return { start: t.from[start], end: t.to[end - 1] };
}

/** The matching key of a name or phrase: normalized, letters and digits only ("Hermès-28" → "hermes28"). */
export function squash(text: string): string {
  return normalizeText(text).text.replace(/[^a-z0-9]+/g, '');
}
