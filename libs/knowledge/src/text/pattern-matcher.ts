import { squash } from './normalize';
import { Token } from './tokenize';

/**
 * Aho–Corasick over the "squashed" text (letters and digits of the normalized text, nothing else),
 * so "Hermès", "HER MES" and "her-mes" all match the pattern `hermes` — but only on token
 * boundaries, so "Marceline" does not mention Céline. Building is linear in the total pattern
 * length; matching is linear in the text plus the number of matches.
 */
export interface PatternMatch<T> {
  /** Token index range [first, last] the match covers. */
  firstToken: number;
  lastToken: number;
  values: readonly T[];
}

export interface FindOptions {
  /** Whether token i starts a new phrase (a match never spans it). */
  breakBefore?: (i: number) => boolean;
  /** Punctuation other than - ' & / ends a phrase (names: yes; approved wording: no). */
  punctuationBreaks?: boolean;
}

const BREAK = 36; // a symbol no pattern contains: sentence punctuation stops a name

function code(ch: number): number {
  if (ch >= 97 && ch <= 122) return ch - 97;
  if (ch >= 48 && ch <= 57) return 26 + (ch - 48);
  return -1;
}

export class PatternMatcher<T> {
  private readonly edges = new Map<number, number>(); // node * 37 + symbol → node
  private readonly fail: number[] = [0];
  private readonly depth: number[] = [0];
  /** Pattern values ending at a node. */
  private readonly out: (T[] | undefined)[] = [undefined];
  /** Nearest node on the fail chain with an output (-1: none). */
  private dict: Int32Array = new Int32Array(1).fill(-1);
  private built = false;
  private readonly root = new Int32Array(37);
  readonly size: number;

  constructor(patterns: Iterable<[string, T]>) {
    let count = 0;
    for (const [pattern, value] of patterns) {
      const key = squash(pattern);
      if (key.length < 2) continue;
      let node = 0;
      for (let i = 0; i < key.length; i++) {
        const sym = code(key.charCodeAt(i));
        const k = node * 37 + sym;
        let next = this.edges.get(k);
        if (next === undefined) {
          next = this.fail.length;
          this.fail.push(0);
          this.depth.push(this.depth[node] + 1);
          this.out.push(undefined);
          this.edges.set(k, next);
        }
        node = next;
      }
      const list = (this.out[node] ??= []);
      if (!list.includes(value)) list.push(value);
      count++;
    }
    this.size = count;
    this.build();
  }

  private build(): void {
    const n = this.fail.length;
    this.dict = new Int32Array(n).fill(-1);
    const children: number[][] = Array.from({ length: n }, () => []);
    for (const [k, child] of this.edges) children[Math.floor(k / 37)].push(k % 37, child);
    const queue: number[] = [];
    for (let c = 0; c < children[0].length; c += 2) queue.push(children[0][c + 1]);
    for (let q = 0; q < queue.length; q++) {
      const node = queue[q];
      const kids = children[node];
      for (let c = 0; c < kids.length; c += 2) {
        const sym = kids[c];
        const child = kids[c + 1];
        let f = this.fail[node];
        while (f !== 0 && !this.edges.has(f * 37 + sym)) f = this.fail[f];
        const target = this.edges.get(f * 37 + sym);
        this.fail[child] = target !== undefined && target !== child ? target : 0;
        const fc = this.fail[child];
        this.dict[child] = this.out[fc] ? fc : this.dict[fc];
        queue.push(child);
      }
    }
    for (let sym = 0; sym < 37; sym++) this.root[sym] = this.edges.get(sym) ?? 0;
    this.built = true;
  }

  private step(node: number, sym: number): number {
    if (sym === BREAK) return 0;
    for (;;) {
      // Most steps fall back to the root: its transitions are a dense table.
      if (node === 0) return this.root[sym];
      const next = this.edges.get(node * 37 + sym);
      if (next !== undefined) return next;
      if (node === 0) return 0;
      node = this.fail[node];
    }
  }

  /**
   * Every match that starts at the first character of a token and ends at the last character of a
   * token, leftmost-longest and non-overlapping.
   */
  findIn(text: string, tokens: readonly Token[], options: FindOptions = {}): PatternMatch<T>[] {
    const breakBefore = options.breakBefore ?? (() => false);
    const punctuationBreaks = options.punctuationBreaks ?? true;
    if (!this.built || this.size === 0) return [];
    const found: { first: number; last: number; node: number }[] = [];
    // Squashed position → token of every character, and whether a token starts/ends there.
    const starts = new Int32Array(tokens.length); // squashed index where token t starts (-1: no letters/digits)
    let pos = 0;
    let node = 0;
    const tokenAt = new Int32Array(text.length + 1).fill(-1);
    for (let t = 0; t < tokens.length; t++) {
      const tok = tokens[t];
      if (tok.kind === 'punct' || tok.kind === 'symbol') {
        if (punctuationBreaks && tok.text !== '-' && tok.text !== "'" && tok.text !== '&' && tok.text !== '/')
          node = 0;
        starts[t] = -1;
        continue;
      }
      if (breakBefore(t)) node = 0;
      starts[t] = pos;
      for (let i = tok.start; i < tok.end; i++) {
        const sym = code(text.charCodeAt(i));
        if (sym < 0) continue;
        node = this.step(node, sym);
        tokenAt[pos] = t;
        pos++;
        const atTokenEnd = i === tok.end - 1;
        if (!atTokenEnd) continue;
        for (let m = this.out[node] ? node : this.dict[node]; m > 0; m = this.dict[m]) {
          const begin = pos - this.depth[m];
          const first = tokenAt[begin];
          if (first >= 0 && starts[first] === begin) found.push({ first, last: t, node: m });
        }
      }
    }
    found.sort((a, b) => a.first - b.first || b.last - a.last || this.depth[b.node] - this.depth[a.node]);
    const result: PatternMatch<T>[] = [];
    let covered = -1;
    for (const f of found) {
      if (f.first <= covered) continue;
      result.push({ firstToken: f.first, lastToken: f.last, values: this.out[f.node]! });
      covered = f.last;
    }
    return result;
  }
}
