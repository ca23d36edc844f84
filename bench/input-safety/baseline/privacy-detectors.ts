// The implementation this benchmark measures against, as it was at a591191 (before issue 12 item 6):
// kept verbatim, so the ratios are taken against the same code in the same run. Not used by the platform.
/**
 * Personal-data detectors: pure functions over text, shared by audit (pseudonymisation) and
 * guardrail (redaction obligations). Each returns the spans it found; none logs or keeps values.
 */
export type PiiKind = 'email' | 'phone' | 'card' | 'iban' | 'address' | 'customer';

export interface PiiMatch {
  kind: PiiKind;
  start: number;
  end: number;
  value: string;
}

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;

export function findEmails(text: string): PiiMatch[] {
  return collect(text, EMAIL, 'email');
}

/** Luhn checksum over the digits of a card number (spaces and dashes ignored). */
export function luhnValid(candidate: string): boolean {
  const digits = candidate.replace(/[ -]/g, '');
  if (!/^\d+$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

const CARD = /(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d-])/g;

/** 13–19 digit card numbers (optionally grouped by spaces or dashes) that pass Luhn. */
export function findCardNumbers(text: string): PiiMatch[] {
  return collect(text, CARD, 'card').filter((m) => luhnValid(m.value));
}

/** ISO 13616 check: move the first four characters to the end, letters to numbers, mod 97 = 1. */
export function ibanValid(candidate: string): boolean {
  const iban = candidate.replace(/\s/g, '').toUpperCase();
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/.test(iban)) return false;
  const rearranged = iban.slice(4) + iban.slice(0, 4);
  let remainder = 0;
  for (const ch of rearranged) {
    const code = ch >= 'A' ? String(ch.charCodeAt(0) - 55) : ch;
    for (const digit of code) remainder = (remainder * 10 + Number(digit)) % 97;
  }
  return remainder === 1;
}

const IBAN = /\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}\b/g;

export function findIbans(text: string): PiiMatch[] {
  return collect(text, IBAN, 'iban').filter((m) => ibanValid(m.value));
}

// International (+CC …) or national numbers with separators; at least 8 digits, at most 15 (E.164).
const PHONE = /(?<![\w+])(?:\+\d{1,3}[ .-]?)?(?:\(\d{1,4}\)[ .-]?)?\d{2,4}(?:[ .-]?\d{2,4}){2,4}(?![\w])/g;

export function findPhoneNumbers(text: string): PiiMatch[] {
  return collect(text, PHONE, 'phone').filter((m) => {
    const digits = m.value.replace(/\D/g, '');
    if (digits.length < 8 || digits.length > 15) return false;
    if (luhnValid(m.value) && digits.length >= 13) return false; // a card number, not a phone
    if (/^\d{4}-\d{2}-\d{2}/.test(m.value)) return false; // an ISO date
    return m.value.startsWith('+') || /[ .()-]/.test(m.value) || digits.startsWith('0');
  });
}

const STREET_WORDS =
  'street|st|avenue|ave|road|rd|boulevard|blvd|lane|ln|drive|dr|court|ct|way|place|pl|square|sq|terrace|highway|hwy|strasse|straße|str|weg|gasse|platz|allee|rue|avenida|calle|via|laan|straat';
// "221B Baker Street", "12 rue de la Paix", "Hauptstraße 5", optional ", 10115 Berlin" style tail.
const ADDRESS_NUMBER_FIRST = new RegExp(
  `\\b\\d{1,5}[A-Za-z]?,? (?:[A-Z][\\p{L}'.-]*|de|la|du|des|del) (?:[\\p{L}'.-]+ ){0,3}?(?:${STREET_WORDS})\\b\\.?(?:,? (?:[A-Z]{2} )?\\d{4,5}(?: [A-Z][\\p{L}-]+)?)?`,
  'giu',
);
// "Hauptstraße 5": the street word is a suffix of one capitalised word, so this one is case-sensitive.
const ADDRESS_NAME_FIRST =
  /\b[A-Z][\p{L}-]*(?:straße|strasse|str\.|weg|gasse|platz|allee|laan|straat) \d{1,5}[a-z]?\b(?:,? \d{4,5}(?: [A-Z][\p{L}-]+)?)?/gu;
// "12 rue de la Paix, 75002 Paris": the street word comes first.
const ADDRESS_WORD_FIRST =
  /\b\d{1,5},? (?:rue|avenue|avenida|calle|via|boulevard|chemin|allée|place) (?:[\p{L}'.-]+ ?){1,4}?(?:,? \d{4,5}(?: [A-Z][\p{L}-]+)?|(?=[,.;]|$))/gu;

const STREET_GATE = new RegExp(`(?:${STREET_WORDS}|straße|strasse|allée|chemin)`, 'i');

/** Heuristic: a house number and a street word (either order), with an optional postcode and city. */
export function findPostalAddresses(text: string): PiiMatch[] {
  const all = [ADDRESS_NUMBER_FIRST, ADDRESS_NAME_FIRST, ADDRESS_WORD_FIRST].flatMap((p) =>
    collect(text, p, 'address'),
  );
  return all.filter(
    (m, i) =>
      !all.some(
        (o, j) =>
          j !== i && o.start <= m.start && o.end >= m.end && (o.end - o.start > m.end - m.start || j < i),
      ),
  );
}

/**
 * Every detector over one text, overlaps resolved by position (earliest, then longest), so a card
 * number is not also reported as a phone number.
 */
export function detectPii(text: string): PiiMatch[] {
  if (text.length < 6) return [];
  // Cheap gates first: most strings in an event (ids, enums, timestamps) cannot hold any of these.
  const hasAt = text.includes('@');
  const digits = countDigits(text);
  if (!hasAt && digits === 0) return [];
  if (!hasAt && (UUID.test(text) || ISO_TIME.test(text))) return [];
  const all: PiiMatch[] = [];
  if (hasAt) all.push(...findEmails(text));
  if (digits >= 8) all.push(...findCardNumbers(text), ...findIbans(text), ...findPhoneNumbers(text));
  if (digits >= 1 && STREET_GATE.test(text)) all.push(...findPostalAddresses(text));
  const priority: Record<PiiKind, number> = { email: 0, card: 1, iban: 2, address: 3, phone: 4, customer: 5 };
  all.sort(
    (a, b) => a.start - b.start || b.end - b.start - (a.end - a.start) || priority[a.kind] - priority[b.kind],
  );
  const out: PiiMatch[] = [];
  let end = -1;
  for (const m of all) {
    if (m.start < end) continue;
    out.push(m);
    end = m.end;
  }
  return out;
}

/** Replaces every detected span with what `replace` returns for it. */
export function replacePii(
  text: string,
  replace: (m: PiiMatch) => string,
): { text: string; matches: PiiMatch[] } {
  const matches = detectPii(text);
  if (!matches.length) return { text, matches };
  let out = '';
  let at = 0;
  for (const m of matches) {
    out += text.slice(at, m.start) + replace(m);
    at = m.end;
  }
  return { text: out + text.slice(at), matches };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$/;

function countDigits(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) n++;
  }
  return n;
}

function collect(text: string, pattern: RegExp, kind: PiiKind): PiiMatch[] {
  const out: PiiMatch[] = [];
  for (const m of text.matchAll(pattern)) {
    const value = m[0].replace(/[ .,-]+$/, '');
    out.push({ kind, start: m.index, end: m.index + value.length, value });
  }
  return out;
}
