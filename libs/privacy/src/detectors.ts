/**
 * Personal-data detectors: the platform's one definition of what personal data looks like in free
 * text, used by audit (pseudonymisation before hashing) and guardrail (`containsPII`, `piiKinds`,
 * redaction obligations). Pure functions over text; none logs or keeps values.
 *
 * Linear time, whatever the input: emails are found from their `@` outwards; every regex here has
 * bounded quantifiers and either one possible way to match or a bounded number of them, so no
 * input makes one start position cost more than a constant (a regex with `[…]+@` took 15 s on
 * 100k characters). Text longer than `PII_SCAN_LIMIT` is not scanned: it is reported as one
 * `oversized` span, so callers treat it as personal data whole (sealed by audit, redacted by
 * guardrail) instead of letting unscanned text through or blocking the event loop.
 */
export type PiiKind = 'email' | 'phone' | 'card' | 'iban' | 'address' | 'customer' | 'oversized';

export interface PiiMatch {
  kind: PiiKind;
  start: number;
  end: number;
  value: string;
}

/** The longest text scanned (characters): far above any message an agent sends (ingest's 256 KB body). */
export const PII_SCAN_LIMIT = 256 * 1024;

// ---- email ----------------------------------------------------------------------------------

/** RFC 5321's limits: a label is at most 63 characters; a domain has at most 127 labels. */
const DOMAIN = /[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){0,126}\.[A-Za-z]{2,63}/y;

function isLocalChar(c: number): boolean {
  return (
    (c >= 97 && c <= 122) || // a-z
    (c >= 65 && c <= 90) || // A-Z
    (c >= 48 && c <= 57) || // 0-9
    c === 46 || // .
    c === 95 || // _
    c === 37 || // %
    c === 43 || // +
    c === 45 // -
  );
}

/**
 * `local@domain.tld`: from each `@`, the run of local-part characters to its left (never reaching
 * back into the previous address) and a dotted domain ending in a 2+ letter label to its right.
 * Each character is looked at from at most one `@` on each side: linear.
 */
export function findEmails(text: string): PiiMatch[] {
  const out: PiiMatch[] = [];
  let floor = 0;
  for (let at = text.indexOf('@'); at >= 0; at = text.indexOf('@', at + 1)) {
    let start = at;
    while (start > floor && isLocalChar(text.charCodeAt(start - 1))) start--;
    if (start === at) continue;
    DOMAIN.lastIndex = at + 1;
    const domain = DOMAIN.exec(text);
    if (!domain) continue;
    const end = at + 1 + domain[0].length;
    out.push({ kind: 'email', start, end, value: text.slice(start, end) });
    floor = end;
  }
  return out;
}

// ---- cards ----------------------------------------------------------------------------------

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

// Starts only where no digit or dash precedes; at most 37 characters; at most 7 lengths to try.
const CARD = /(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d-])/g;

/** 13–19 digit card numbers (optionally grouped by spaces or dashes) that pass Luhn. */
export function findCardNumbers(text: string): PiiMatch[] {
  return collect(text, CARD, 'card').filter((m) => luhnValid(m.value));
}

// ---- IBAN -----------------------------------------------------------------------------------

/**
 * ISO 13616: 15 (Norway) to 34 characters; move the first four to the end, letters to numbers,
 * mod 97 = 1.
 */
export function ibanValid(candidate: string): boolean {
  const iban = candidate.replace(/\s/g, '').toUpperCase();
  return /^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/.test(iban) && mod97(iban, iban.length) === 1;
}

/** The IBAN checksum of the first `length` characters of an upper-case, space-free candidate. */
function mod97(iban: string, length: number): number {
  let remainder = 0;
  for (let k = 0; k < length; k++) {
    const c = iban.charCodeAt((k + 4) % length); // the first four characters go last
    remainder = c >= 65 ? (remainder * 100 + c - 55) % 97 : (remainder * 10 + c - 48) % 97;
  }
  return remainder;
}

const IBAN = /\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}\b/g;

/**
 * Checksum-valid IBANs, written in one block or in groups. A candidate that runs on into the next
 * upper-case word (`DE89 3704 0044 0532 0130 00 EUR`) is cut back at its spaces until it validates.
 */
export function findIbans(text: string): PiiMatch[] {
  const out: PiiMatch[] = [];
  for (const m of collect(text, IBAN, 'iban')) {
    // The candidate's characters are [A-Z0-9 ] by the regex: validate without re-parsing it.
    const compact = m.value.replace(/ /g, '');
    let length = compact.length;
    let end = m.value.length;
    while (length >= 15) {
      if (mod97(compact, length) === 1) {
        out.push({ ...m, end: m.start + end, value: m.value.slice(0, end) });
        break;
      }
      const space = m.value.lastIndexOf(' ', end - 1);
      if (space < 0) break;
      length -= end - space - 1;
      end = space;
    }
  }
  return out;
}

// ---- phone numbers --------------------------------------------------------------------------

// An optional +country code, an optional (area code), then digit groups joined by one separator
// each. Separators are required between groups, so a run of digits splits one way only.
const PHONE = /(?<![\w+])(?:\+\d{1,3}[ .-]?)?(?:\(\d{1,4}\)[ .-]?)?\d{1,15}(?:[ .-]\d{1,15}){0,7}(?!\w)/g;
const DAY_MONTH_YEAR = /^\d{1,2}[./-]\d{1,2}[./-]\d{4}$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}/;

/**
 * International (`+33 6 12 34 56 78`) or national numbers (`(030) 1234-5678`, `06-12-34-56-78`,
 * `0612345678`): 8 to 15 digits (E.164), written with a `+`, separators or a leading trunk `0` —
 * a bare digit run that starts otherwise is an order or account number far more often. Card
 * numbers and dates are not phone numbers.
 */
export function findPhoneNumbers(text: string): PiiMatch[] {
  return collect(text, PHONE, 'phone').filter((m) => {
    const digits = m.value.replace(/\D/g, '');
    if (digits.length < 8 || digits.length > 15) return false;
    if (digits.length >= 13 && luhnValid(m.value)) return false; // a card number
    if (ISO_DATE.test(m.value) || DAY_MONTH_YEAR.test(m.value)) return false;
    return m.value.startsWith('+') || /[ .()-]/.test(m.value) || digits.startsWith('0');
  });
}

// ---- postal addresses -----------------------------------------------------------------------

const STREET_WORDS =
  'street|st|avenue|ave|road|rd|boulevard|blvd|lane|ln|drive|dr|court|ct|way|place|pl|square|sq|terrace|highway|hwy|strasse|straße|str|weg|gasse|platz|allee|rue|avenida|calle|via|laan|straat';
// Words are at most 40 characters and joined by one space: each start tries a bounded number of splits.
const WORD = `[\\p{L}'.-]{1,40}`;
const POSTCODE_CITY = `(?:,? (?:[A-Z]{2} )?\\d{4,5}(?: [A-Z][\\p{L}-]{0,40})?)?`;
// "221B Baker Street", "12 Rue de Rivoli", optional ", 10115 Berlin" style tail.
const ADDRESS_NUMBER_FIRST = new RegExp(
  `\\b\\d{1,5}[A-Za-z]?,? (?:[A-Z][\\p{L}'.-]{0,40}|de|la|du|des|del) (?:${WORD} ){0,3}?(?:${STREET_WORDS})\\b\\.?${POSTCODE_CITY}`,
  'giu',
);
// "Hauptstraße 5": the street word is a suffix of one capitalised word, so this one is case-sensitive.
const ADDRESS_NAME_FIRST =
  /\b[A-Z][\p{L}-]{0,40}(?:straße|strasse|str\.|weg|gasse|platz|allee|laan|straat) \d{1,5}[a-z]?\b(?:,? \d{4,5}(?: [A-Z][\p{L}-]{0,40})?)?/gu;
// "12 rue de la Paix, 75002 Paris": the street word comes first.
const ADDRESS_WORD_FIRST = new RegExp(
  `\\b\\d{1,5},? (?:rue|avenue|avenida|calle|via|boulevard|chemin|allée|place) ${WORD}(?: ${WORD}){0,3}?(?:,? \\d{4,5}(?: [A-Z][\\p{L}-]{0,40})?|(?=[,.;]|$))`,
  'gu',
);

const STREET_GATE = new RegExp(`(?:${STREET_WORDS}|straße|strasse|allée|chemin)`, 'i');

/** Heuristic: a house number and a street word (either order), with an optional postcode and city. */
export function findPostalAddresses(text: string): PiiMatch[] {
  const all = [ADDRESS_NUMBER_FIRST, ADDRESS_NAME_FIRST, ADDRESS_WORD_FIRST].flatMap((p) =>
    collect(text, p, 'address'),
  );
  // Keep the widest of nested matches: by start, widest first; anything inside the last kept one goes.
  all.sort((a, b) => a.start - b.start || b.end - a.end);
  const out: PiiMatch[] = [];
  for (const m of all) if (!out.length || m.end > out[out.length - 1].end) out.push(m);
  return out;
}

// ---- everything -----------------------------------------------------------------------------

const PRIORITY: Record<PiiKind, number> = {
  oversized: 0,
  email: 1,
  card: 2,
  iban: 3,
  address: 4,
  phone: 5,
  customer: 6,
};

/**
 * Every detector over one text, overlaps resolved by position (earliest, then longest, then the
 * more specific kind), so a card number is not also reported as a phone number.
 */
export function detectPii(text: string): PiiMatch[] {
  if (text.length < 6) return [];
  if (text.length > PII_SCAN_LIMIT) return [{ kind: 'oversized', start: 0, end: text.length, value: text }];
  // Cheap gates first: most strings in an event (ids, enums, timestamps) cannot hold any of these.
  const hasAt = text.includes('@');
  const digits = countDigits(text);
  if (!hasAt && digits === 0) return [];
  if (!hasAt && (UUID.test(text) || ISO_TIME.test(text))) return [];
  const all: PiiMatch[] = [];
  if (hasAt) all.push(...findEmails(text));
  if (digits >= 8) all.push(...findCardNumbers(text), ...findIbans(text), ...findPhoneNumbers(text));
  if (digits >= 1 && STREET_GATE.test(text)) all.push(...findPostalAddresses(text));
  all.sort(
    (a, b) => a.start - b.start || b.end - b.start - (a.end - a.start) || PRIORITY[a.kind] - PRIORITY[b.kind],
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
const ISO_TIME = /^\d{4}-\d{2}-\d{2}(?:[T ][\d:.]{1,30}(?:Z|[+-]\d{2}:?\d{2})?)?$/;

function countDigits(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) n++;
  }
  return n;
}

/** Every match of a global regex, trailing separators trimmed (`0130 00.` → `0130 00`). */
function collect(text: string, pattern: RegExp, kind: PiiKind): PiiMatch[] {
  const out: PiiMatch[] = [];
  for (const m of text.matchAll(pattern)) {
    const value = m[0].replace(/[ .,-]+$/, '');
    out.push({ kind, start: m.index, end: m.index + value.length, value });
  }
  return out;
}
