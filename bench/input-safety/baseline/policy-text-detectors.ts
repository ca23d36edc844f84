// The implementation this benchmark measures against, as it was at a591191 (before issue 12 item 6):
// kept verbatim, so the ratios are taken against the same code in the same run. Not used by the platform.
/**
 * Text checks policies call from CEL. Pure functions: same input, same answer, no I/O.
 */
export interface TextSpan {
  start: number;
  end: number;
  kind: 'email' | 'phone' | 'card' | 'iban';
  value: string;
}

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;
const CARD = /\b(?:\d[ -]?){13,19}\b/g;
const IBAN = /\b[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]{4}){2,7}(?:[ ]?[A-Z0-9]{1,4})?\b/g;
const PHONE = /(?<![\w+])\+?\d[\d\s().-]{7,}\d(?!\w)/g;

export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return digits.length >= 13 && sum % 10 === 0;
}

export function ibanValid(raw: string): boolean {
  const iban = raw.replace(/\s+/g, '').toUpperCase();
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{10,30}$/.test(iban)) return false;
  const rearranged = iban.slice(4) + iban.slice(0, 4);
  let remainder = 0;
  for (const ch of rearranged) {
    const value = ch >= 'A' ? (ch.charCodeAt(0) - 55).toString() : ch;
    for (const digit of value) remainder = (remainder * 10 + Number(digit)) % 97;
  }
  return remainder === 1;
}

/** Emails, phone numbers, Luhn-valid card numbers and checksum-valid IBANs, left to right. */
export function findPii(text: string): TextSpan[] {
  const spans: TextSpan[] = [];
  const push = (kind: TextSpan['kind'], m: RegExpMatchArray) =>
    spans.push({ kind, start: m.index!, end: m.index! + m[0].length, value: m[0] });
  for (const m of text.matchAll(EMAIL)) push('email', m);
  for (const m of text.matchAll(IBAN)) if (ibanValid(m[0])) push('iban', m);
  for (const m of text.matchAll(CARD)) if (luhnValid(m[0].replace(/\D/g, ''))) push('card', m);
  for (const m of text.matchAll(PHONE)) {
    const digits = m[0].replace(/\D/g, '');
    // A bare run of digits is an order or account number far more often than a phone number:
    // only international (+) or visibly grouped numbers count.
    const looksLikePhone = m[0].startsWith('+') || /[\s().-]/.test(m[0]);
    if (
      looksLikePhone &&
      digits.length >= 9 &&
      digits.length <= 15 &&
      !overlaps(spans, m.index!, m.index! + m[0].length)
    )
      push('phone', m);
  }
  return spans
    .filter((s, i) => !overlaps(spans.slice(0, i), s.start, s.end))
    .sort((a, b) => a.start - b.start);
}

function overlaps(spans: TextSpan[], start: number, end: number): boolean {
  return spans.some((s) => start < s.end && end > s.start);
}

/** Replaces PII spans with a marker, except values listed in `keep` (the addressee's own). */
export function redactPii(text: string, keep: string[] = []): { text: string; spans: [number, number][] } {
  const keepSet = new Set(keep.map((k) => k.toLowerCase()));
  const spans = findPii(text).filter((s) => !keepSet.has(s.value.toLowerCase()));
  let out = '';
  let at = 0;
  for (const s of spans) {
    out += text.slice(at, s.start) + `[redacted ${s.kind}]`;
    at = s.end;
  }
  return { text: out + text.slice(at), spans: spans.map((s) => [s.start, s.end]) };
}

/** Case, spacing, punctuation and diacritics removed: "Hermès", "HER MES" and "hermes!" all match. */
export function normalizeForMatching(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '');
}

/**
 * Whether the text names any of `names`, ignoring case, diacritics, punctuation and spacing inside
 * a name ("HER MES", "hermès!"), but only on word boundaries: "Marceline" does not mention Céline.
 */
export function mentionsAny(text: string, names: string[]): boolean {
  const words = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
  const needles = new Set(names.map(normalizeForMatching).filter((n) => n.length > 0));
  for (let i = 0; i < words.length; i++) {
    let joined = '';
    for (let j = i; j < words.length && joined.length < 64; j++) {
      joined += words[j];
      if (needles.has(joined)) return true;
    }
  }
  return false;
}
