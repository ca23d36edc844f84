import { NormalizedText } from '../text/normalize';
import { NUMBER_WORDS } from '../text/lexicon';
import { Token } from '../text/tokenize';
import { Claim, ClaimKind } from './claim';

interface LexiconNode<T> {
  next?: Map<string, LexiconNode<T>>;
  value?: T;
}

/** Each lexicon as a word trie, built on first use: a look-up walks tokens and builds no strings. */
const tries = new WeakMap<object, LexiconNode<unknown>>();
function lexiconTrie<T>(table: Readonly<Record<string, T>>): LexiconNode<T> {
  let root = tries.get(table) as LexiconNode<T> | undefined;
  if (root) return root;
  root = {};
  for (const [key, value] of Object.entries(table)) {
    let node = root;
    for (const word of key.split(' ')) {
      node.next ??= new Map();
      let child = node.next.get(word);
      if (!child) node.next.set(word, (child = {}));
      node = child;
    }
    node.value = value;
  }
  tries.set(table, root as LexiconNode<unknown>);
  return root;
}

/** Token `.`, `!`, `?` or `;` ends a sentence; a claim never reads across one. */
const SENTENCE_ENDS = new Set(['.', '!', '?', ';']);
/** Punctuation a phrase may contain without saying so: "hand-stitched", "world's". */
const TRANSPARENT = new Set(['-', "'"]);

/**
 * The extractors' view of the tokens: words, numbers, phrase look-ups that step over hyphens and
 * apostrophes, sentence boundaries, and which tokens an earlier claim already used (a token
 * belongs to at most one claim, which keeps every extractor's work bounded by the text length).
 */
export class TokenReader {
  readonly used: Uint8Array;
  readonly sentence: Int32Array;
  readonly claims: Claim[] = [];

  constructor(
    readonly nt: NormalizedText,
    readonly tokens: readonly Token[],
  ) {
    this.used = new Uint8Array(tokens.length);
    this.sentence = new Int32Array(tokens.length);
    let s = 0;
    for (let i = 0; i < tokens.length; i++) {
      this.sentence[i] = s;
      const t = tokens[i];
      // "No. 1" is a superlative, not the end of a sentence.
      if (
        t.kind === 'punct' &&
        SENTENCE_ENDS.has(t.text) &&
        !(t.text === '.' && tokens[i - 1]?.text === 'no')
      )
        s++;
    }
  }

  get length(): number {
    return this.tokens.length;
  }

  word(i: number): string | undefined {
    const t = this.tokens[i];
    return t !== undefined && t.kind === 'word' ? t.text : undefined;
  }

  is(i: number, text: string): boolean {
    return this.tokens[i]?.text === text;
  }

  isBoundary(i: number): boolean {
    const t = this.tokens[i];
    return t === undefined || (t.kind === 'punct' && SENTENCE_ENDS.has(t.text));
  }

  sameSentence(a: number, b: number): boolean {
    return a >= 0 && b >= 0 && a < this.length && b < this.length && this.sentence[a] === this.sentence[b];
  }

  free(i: number): boolean {
    return i >= 0 && i < this.length && this.used[i] === 0;
  }

  /** Skips hyphens and apostrophes forward from i. */
  skipTransparent(i: number): number {
    while (i < this.length && this.tokens[i].kind === 'punct' && TRANSPARENT.has(this.tokens[i].text)) i++;
    return i;
  }

  /** A number written in digits or as a word ("three"): its value and the index after it. */
  number(i: number): { value: number; end: number } | undefined {
    const t = this.tokens[i];
    if (t === undefined) return undefined;
    if (t.kind === 'number') return { value: t.value, end: i + 1 };
    if (t.kind === 'word') {
      const v = NUMBER_WORDS[t.text];
      if (v !== undefined) return { value: v, end: i + 1 };
    }
    return undefined;
  }

  /** Whether the words match at i (hyphens/apostrophes between them ignored); index after, or -1. */
  phrase(i: number, words: readonly string[]): number {
    let at = i;
    for (let k = 0; k < words.length; k++) {
      if (k > 0) at = this.skipTransparent(at);
      if (this.tokens[at]?.text !== words[k]) return -1;
      at++;
    }
    return at;
  }

  /** Any of the words at i: the index after it, or -1. */
  oneOf(i: number, words: ReadonlySet<string>): number {
    const w = this.tokens[i]?.text;
    return w !== undefined && words.has(w) ? i + 1 : -1;
  }

  /** Longest entry of a lexicon keyed by space-joined words, up to `maxWords` words, at i. */
  lexicon<T>(
    i: number,
    table: Readonly<Record<string, T>>,
    maxWords = 4,
  ): { value: T; end: number } | undefined {
    let node: LexiconNode<T> | undefined = lexiconTrie(table);
    let at = i;
    let best: { value: T; end: number } | undefined;
    for (let k = 0; k < maxWords; k++) {
      if (k > 0) at = this.skipTransparent(at);
      const w = this.tokens[at];
      if (w === undefined || w.kind !== 'word') break;
      node = node.next?.get(w.text);
      if (node === undefined) break;
      at++;
      if (node.value !== undefined) best = { value: node.value, end: at };
    }
    return best;
  }

  /** Records a claim over tokens [first, last] and marks them used. */
  claim(kind: ClaimKind, first: number, last: number, fields: Partial<Claim> = {}): Claim {
    const a = this.tokens[first];
    const b = this.tokens[last];
    const start = this.nt.from[a.start];
    const end = this.nt.to[b.end - 1];
    const claim: Claim = {
      kind,
      start,
      end,
      text: this.nt.source.slice(start, end),
      firstToken: first,
      lastToken: last,
      ...fields,
    };
    for (let i = first; i <= last; i++) this.used[i] = 1;
    this.claims.push(claim);
    return claim;
  }

  /** Whether the source text of token i starts with a capital letter. */
  capitalised(i: number): boolean {
    const t = this.tokens[i];
    if (t === undefined) return false;
    const ch = this.nt.source[this.nt.from[t.start]];
    return ch !== undefined && ch !== ch.toLowerCase() && ch === ch.toUpperCase();
  }
}
