import { NormalizedText } from './normalize';

/**
 * Tokens of normalized text, produced by one left-to-right state machine (no regular expressions,
 * no backtracking): every extractor reads this array, so the whole check stays linear in the text.
 */
export type TokenKind = 'word' | 'number' | 'symbol' | 'punct';

export interface Token {
  kind: TokenKind;
  /** Normalized text of the token (a number's digits and separators as written). */
  text: string;
  /** [start, end) in the normalized text. */
  start: number;
  end: number;
  /** Whether a space separates it from the previous token. */
  spaced: boolean;
  /** A number's value ("1,250.00" → 1250, "2.5" → 2.5, "1.250,50" → 1250.5). */
  value: number;
}

const SYMBOLS = new Set(['€', '$', '£', '¥', '%', '&', '#', '+', '/', '@']);
/** Words that name a currency, for grouping digits by spaces ("€ 1 250", "1 250 EUR"). */
const CURRENCY_WORDS = new Set([
  'eur',
  'euro',
  'euros',
  'usd',
  'gbp',
  'chf',
  'jpy',
  'yen',
  'dollars',
  'pounds',
  'francs',
]);

const isDigit = (c: number) => c >= 48 && c <= 57;
const isLetter = (c: number) =>
  (c >= 97 && c <= 122) || (c > 127 && !SYMBOLS.has(String.fromCharCode(c)) && c !== 0x2044);

function digitsRun(s: string, i: number): number {
  let j = i;
  while (j < s.length && isDigit(s.charCodeAt(j))) j++;
  return j - i;
}

/** Value of digit groups joined by `.`, `,`, `'` or a space, deciding which separator is the decimal one. */
function numberValue(raw: string): number {
  const seps: { at: number; ch: string }[] = [];
  for (let i = 0; i < raw.length; i++) if (!isDigit(raw.charCodeAt(i))) seps.push({ at: i, ch: raw[i] });
  if (seps.length === 0) return Number(raw);
  const last = seps[seps.length - 1];
  const tail = raw.length - last.at - 1;
  const mixed = seps.some((s) => s.ch !== last.ch);
  // "1,250" and "1.250" group thousands; "2.5", "1,5" and "1.250,50" end in a decimal part.
  const decimal =
    (last.ch === '.' || last.ch === ',') && (tail !== 3 || mixed) && !(seps.length > 1 && !mixed);
  let digits = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (isDigit(c)) digits += raw[i];
    else if (decimal && i === last.at) digits += '.';
  }
  return Number(digits);
}

export function tokenize(t: NormalizedText): Token[] {
  const s = t.text;
  const out: Token[] = [];
  let spaced = false;
  const push = (kind: TokenKind, start: number, end: number, value = Number.NaN) => {
    out.push({ kind, text: s.slice(start, end), start, end, spaced, value });
    spaced = false;
  };
  for (let i = 0; i < s.length;) {
    const c = s.charCodeAt(i);
    if (c === 32) {
      spaced = true;
      i++;
    } else if (isDigit(c)) {
      let j = i + digitsRun(s, i);
      const firstGroup = j - i;
      // Separator + digits: "1,250", "2.5", "1'250", "1.250,00".
      while (j + 1 < s.length) {
        const sep = s[j];
        const run = digitsRun(s, j + 1);
        if ((sep === ',' || sep === '.' || sep === "'") && run > 0) j += 1 + run;
        else break;
      }
      // Space-grouped thousands only next to a currency: "€ 1 250", "1 250 €".
      const prev = out[out.length - 1];
      const prevIsCurrency =
        prev !== undefined &&
        ((prev.kind === 'symbol' && prev.text !== '%') ||
          (prev.kind === 'word' && CURRENCY_WORDS.has(prev.text)));
      let k = j;
      let grouped = j === i + firstGroup && firstGroup <= 3;
      while (grouped && k + 4 <= s.length && s[k] === ' ' && digitsRun(s, k + 1) === 3) k += 4;
      if (k > j) {
        const after = s.slice(k, k + 6).trimStart();
        const nextIsCurrency = /^(€|\$|£|¥|eur|chf|usd|gbp|jpy|euro|yen)/.test(after);
        if (prevIsCurrency || nextIsCurrency) {
          // Decimal part after the last group ("1 250,50").
          if (k + 1 < s.length && (s[k] === ',' || s[k] === '.') && digitsRun(s, k + 1) === 2) k += 3;
          j = k;
        }
        grouped = false;
      }
      push('number', i, j, numberValue(s.slice(i, j).replace(/ /g, "'")));
      i = j;
    } else if (isLetter(c)) {
      let j = i + 1;
      while (j < s.length && isLetter(s.charCodeAt(j))) j++;
      push('word', i, j);
      i = j;
    } else {
      push(SYMBOLS.has(s[i]) ? 'symbol' : 'punct', i, i + 1);
      i++;
    }
  }
  return out;
}
