import { PiiKind, PiiMatch, detectPii } from '@agentops/privacy';

/**
 * Text checks policies call from CEL. Pure functions: same input, same answer, no I/O. Personal
 * data is found by the platform's one detector set (`@agentops/privacy`), so what guardrail redacts
 * and what audit pseudonymises are the same spans.
 */

/** Personal data in the text, left to right, overlaps resolved (see `detectPii`). */
export function findPii(text: string): PiiMatch[] {
  return detectPii(text);
}

/** The kinds of personal data in the text, each once, in order of first appearance. */
export function piiKindsIn(text: string): PiiKind[] {
  return [...new Set(detectPii(text).map((m) => m.kind))];
}

/** Replaces PII spans with a marker, except values listed in `keep` (the addressee's own). */
export function redactPii(text: string, keep: string[] = []): { text: string; spans: [number, number][] } {
  const keepSet = new Set(keep.map((k) => k.toLowerCase()));
  const spans = detectPii(text).filter((s) => !keepSet.has(s.value.toLowerCase()));
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
