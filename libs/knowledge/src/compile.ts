import { ApprovedCopy, KnowledgeVersion, ProductFact } from './knowledge-base';
import { normalizeText, squash } from './text/normalize';
import { PatternMatcher } from './text/pattern-matcher';

/** What an approved-text match points at. */
export interface ApprovedRef {
  kind: 'approved-claim' | 'copy';
  id: string;
  copy?: ApprovedCopy;
}

/** A brand-voice term: a banned word or a required term, by its index in the rules. */
export interface VoiceTerm {
  type: 'banned' | 'required';
  index: number;
}

/**
 * A knowledge version prepared for checking: products by SKU, one automaton over every product
 * name, alias and SKU, one over approved claims and copy. Built once per version (the service keeps
 * it beside the version), then every check is a read.
 */
export interface CompiledKnowledge {
  readonly version: KnowledgeVersion;
  readonly products: ReadonlyMap<string, ProductFact>;
  readonly names: PatternMatcher<string>;
  readonly approved: PatternMatcher<ApprovedRef>;
  readonly voice: PatternMatcher<VoiceTerm>;
  /** Brand words, so "Maison Demo tote" is not taken for an unknown product. */
  readonly stopWords: ReadonlySet<string>;
}

/** Copy segments between `{slot}`s, each matched on its own. */
function copySegments(text: string): string[] {
  return text
    .split(/\{[^{}]{0,40}\}/)
    .map((s) => s.trim())
    .filter((s) => squash(s).length >= 8);
}

export function compileKnowledge(version: KnowledgeVersion): CompiledKnowledge {
  const doc = version.document;
  const products = new Map<string, ProductFact>();
  const names: [string, string][] = [];
  const stopWords = new Set<string>();
  for (const p of doc.products) {
    products.set(p.sku, p);
    names.push([p.sku, p.sku], [p.name, p.sku]);
    for (const a of p.aliases) names.push([a, p.sku]);
    if (p.brand) for (const w of normalizeText(p.brand).text.split(/[^a-z0-9]+/)) if (w) stopWords.add(w);
  }
  const approved: [string, ApprovedRef][] = [];
  for (const c of doc.approvedClaims) approved.push([c.text, { kind: 'approved-claim', id: c.id }]);
  for (const c of doc.copy)
    for (const seg of copySegments(c.text)) approved.push([seg, { kind: 'copy', id: c.id, copy: c }]);
  const voice: [string, VoiceTerm][] = [
    ...doc.voice.bannedWords.map((w, index): [string, VoiceTerm] => [w.term, { type: 'banned', index }]),
    ...doc.voice.requiredTerms.map((w, index): [string, VoiceTerm] => [w.term, { type: 'required', index }]),
  ];
  return {
    version,
    voice: new PatternMatcher(voice),
    products,
    names: new PatternMatcher(names),
    approved: new PatternMatcher(approved),
    stopWords,
  };
}
