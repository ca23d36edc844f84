/**
 * Grounding benchmark: the claim checker of `libs/knowledge` over the seeded corpus of
 * `tools/knowledge/corpus.ts` (≥ 10,000 messages over ≥ 5,000 SKUs, labels written by the
 * generator), next to today's approach — a normalized substring match of the message against the
 * tenant's approved facts (`retail.approvedFacts` in policies/retail) — measured in the same run.
 * Prints the confusion matrix, precision/recall on CONTRADICTED, false positives on correct
 * paraphrases, p99 per message and messages/s on one core; writes docs/bench/grounding.json.
 * See docs/benchmarks.md.
 *
 *   npm run bench:grounding -- [--seed 7] [--skus 5400] [--messages 12000] [--no-write] [--json]
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, resolve } from 'node:path';
import { Command } from 'commander';
import {
  checkText,
  compileKnowledge,
  KnowledgeDocument,
  ProductFact,
  Verdict,
  VERDICTS,
} from '@agentops/knowledge';
import { normalizeForMatching } from '@agentops/policy';
import { LatencySummary, round2, summarize } from '../shared/stats';
import { CorpusMessage, generateGroundingCorpus, Truth } from '../../tools/knowledge/corpus';
import { maisonKnowledge, MAISON_NOW } from '../../libs/knowledge/src/testing/maison-knowledge';
import { ADVERSARIAL } from './adversarial';

type Predicted = Verdict | 'MISSED';
const COLUMNS: Predicted[] = [...VERDICTS, 'MISSED'];

interface Aligned {
  truth: Truth | 'NONE';
  predicted: Predicted;
  kind: string;
  injection: string;
  agent: string;
}

interface Span {
  start: number;
  end: number;
  verdict: Verdict;
  kind: string;
}

/** Each labelled claim takes the unassigned checker claim overlapping it most; the rest are extras. */
function align(message: CorpusMessage, found: Span[]): Aligned[] {
  const taken = new Set<number>();
  const out: Aligned[] = [];
  for (const t of message.claims) {
    let best = -1;
    let bestOverlap = 0;
    found.forEach((f, i) => {
      if (taken.has(i)) return;
      const overlap = Math.min(t.end, f.end) - Math.max(t.start, f.start);
      if (overlap > bestOverlap) {
        best = i;
        bestOverlap = overlap;
      }
    });
    if (best >= 0) taken.add(best);
    out.push({
      truth: t.truth,
      predicted: best >= 0 ? found[best].verdict : 'MISSED',
      kind: t.kind,
      injection: t.injection,
      agent: message.agent,
    });
  }
  found.forEach((f, i) => {
    if (!taken.has(i))
      out.push({
        truth: 'NONE',
        predicted: f.verdict,
        kind: f.kind,
        injection: 'none',
        agent: message.agent,
      });
  });
  return out;
}

// ------------------------------------------------------------------ baseline: today's substring match

/** The facts a tenant would list in `retail.approvedFacts` for a product, in canonical wording. */
function approvedFactsFor(p: ProductFact, doc: KnowledgeDocument, region: string): string[] {
  const facts = [p.name, p.sku, `€${p.price.amount.toLocaleString('en-GB')}`];
  for (const m of p.materials ?? [])
    facts.push(
      m.percent ? `${m.percent} % ${m.material}` : m.karat ? `${m.karat}k ${m.tint ?? ''} gold` : m.material,
    );
  if (p.origin)
    facts.push(
      `made in ${p.origin.country === 'IT' ? 'Italy' : p.origin.country === 'FR' ? 'France' : p.origin.country === 'CH' ? 'Switzerland' : p.origin.country}`,
    );
  if (p.limitedEdition) facts.push(`limited to ${p.limitedEdition.total} pieces`);
  if (p.stock !== undefined) facts.push(p.stock > 0 ? 'in stock' : 'sold out');
  if (p.compareAtPrice) facts.push(`${Math.round((1 - p.price.amount / p.compareAtPrice) * 100)}% off`);
  const pol = doc.policies;
  if (pol.returns) facts.push(`free returns within ${pol.returns.windowDays} days`);
  if (pol.warranty?.months) facts.push(`${pol.warranty.months / 12}-year warranty`);
  for (const d of pol.delivery.filter((x) => x.region === region))
    facts.push(`${d.tier} delivery takes ${d.minDays}-${d.maxDays} business days`);
  for (const c of doc.approvedClaims) facts.push(c.text);
  return facts.map(normalizeForMatching).filter((f) => f.length > 0);
}

/** Per sentence: approved when it contains an approved fact (what the shipped policy does per message). */
function baselineCheck(text: string, facts: string[]): Span[] {
  const spans: Span[] = [];
  let start = 0;
  for (let i = 0; i <= text.length; i++) {
    if (i < text.length && !'.!?;'.includes(text[i])) continue;
    const sentence = text.slice(start, i);
    const n = normalizeForMatching(sentence);
    if (n.length > 0)
      spans.push({
        start,
        end: i,
        verdict: facts.some((f) => n.includes(f)) ? 'SUPPORTED' : 'CONTRADICTED',
        kind: 'sentence',
      });
    start = i + 1;
  }
  return spans;
}

/** The baseline judges sentences: every labelled claim takes its sentence's verdict. */
function alignBySentence(message: CorpusMessage, spans: Span[]): Aligned[] {
  return message.claims.map((t) => {
    const s = spans.find((x) => t.start >= x.start && t.start < Math.max(x.end, x.start + 1));
    return {
      truth: t.truth,
      predicted: s ? s.verdict : 'MISSED',
      kind: t.kind,
      injection: t.injection,
      agent: message.agent,
    };
  });
}

// ------------------------------------------------------------------ scoring

interface Score {
  matrix: Record<string, Record<Predicted, number>>;
  precision: number;
  recall: number;
  fpParaphrase: number;
  contradictedParaphrase: number;
  truthCounts: Record<string, number>;
}

function score(rows: Aligned[]): Score {
  const matrix: Record<string, Record<Predicted, number>> = {};
  for (const t of ['SUPPORTED', 'CONTRADICTED', 'STALE', 'UNVERIFIABLE', 'NONE'])
    matrix[t] = Object.fromEntries(COLUMNS.map((c) => [c, 0])) as Record<Predicted, number>;
  for (const r of rows) matrix[r.truth][r.predicted]++;
  const predictedContradicted = Object.values(matrix).reduce((s, row) => s + row.CONTRADICTED, 0);
  const tp = matrix.CONTRADICTED.CONTRADICTED;
  const truthContradicted = Object.values(matrix.CONTRADICTED).reduce((a, b) => a + b, 0);
  const supported = Object.values(matrix.SUPPORTED).reduce((a, b) => a + b, 0);
  const flagged = matrix.SUPPORTED.CONTRADICTED + matrix.SUPPORTED.STALE + matrix.SUPPORTED.UNVERIFIABLE;
  const truthCounts = Object.fromEntries(
    Object.entries(matrix).map(([k, row]) => [k, Object.values(row).reduce((a, b) => a + b, 0)]),
  );
  return {
    matrix,
    precision: predictedContradicted ? tp / predictedContradicted : 1,
    recall: truthContradicted ? tp / truthContradicted : 1,
    fpParaphrase: supported ? flagged / supported : 0,
    contradictedParaphrase: supported ? matrix.SUPPORTED.CONTRADICTED / supported : 0,
    truthCounts,
  };
}

function matrixLines(s: Score): string[] {
  const head = `${'truth \\ checker'.padEnd(16)}${COLUMNS.map((c) => c.padStart(14)).join('')}${'total'.padStart(9)}`;
  return [
    head,
    ...Object.entries(s.matrix)
      .filter(([k]) => k !== 'NONE' || s.truthCounts.NONE > 0)
      .map(
        ([k, row]) =>
          `${(k === 'NONE' ? '(no claim)' : k).padEnd(16)}${COLUMNS.map((c) => String(row[c]).padStart(14)).join('')}${String(s.truthCounts[k]).padStart(9)}`,
      ),
  ];
}

function perKind(rows: Aligned[]): string[] {
  const kinds = [...new Set(rows.map((r) => r.kind))].sort();
  return kinds.map((k) => {
    const s = score(rows.filter((r) => r.kind === k));
    const n = rows.filter((r) => r.kind === k && r.truth !== 'NONE').length;
    return `  ${k.padEnd(16)} claims ${String(n).padStart(6)}   precision ${s.precision.toFixed(4)}   recall ${s.recall.toFixed(4)}   paraphrase flagged ${(s.fpParaphrase * 100).toFixed(2)} %   missed ${Object.values(s.matrix).reduce((a, r) => a + r.MISSED, 0)}   extra ${s.truthCounts.NONE}`;
  });
}

function pct(x: number): string {
  return `${(x * 100).toFixed(2)} %`;
}

/** The hand-written hard cases: how many expectations hold, and which do not. */
function adversarial(): { right: number; total: number; misses: string[] } {
  const kb = maisonKnowledge(7);
  let right = 0;
  let total = 0;
  const misses: string[] = [];
  for (const c of ADVERSARIAL) {
    const r = checkText(kb, c.text, { now: MAISON_NOW, region: 'EU', sku: c.sku });
    const verdicts = r.ok ? r.verdicts : [];
    for (const [claim, want] of c.expect) {
      total++;
      const at = c.text.indexOf(claim);
      const got = verdicts.find(
        (v) => v.claim.start < at + claim.length && v.claim.end > at && v.claim.kind !== 'product',
      );
      const verdict = got?.verdict ?? 'none';
      if (verdict === want) right++;
      else
        misses.push(
          `  "${claim}" in "${c.text}": expected ${want}, got ${verdict}${got ? ` (${got.reason})` : ''}`,
        );
    }
  }
  return { right, total, misses };
}

function gitCommit(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

function main(): number {
  const opts = new Command()
    .name('bench:grounding')
    .option('--seed <n>', 'corpus seed', (v) => Number.parseInt(v, 10), 7)
    .option('--skus <n>', 'products in the knowledge base', (v) => Number.parseInt(v, 10), 5400)
    .option('--messages <n>', 'messages in the corpus', (v) => Number.parseInt(v, 10), 12000)
    .option('--no-write', 'do not write docs/bench/grounding.json')
    .option('--json', 'print a one-line JSON summary last')
    .option('--show <n>', 'print this many misjudged claims', (v) => Number.parseInt(v, 10), 0)
    .parse()
    .opts<{ seed: number; skus: number; messages: number; write: boolean; json?: boolean; show: number }>();

  const t0 = performance.now();
  const corpus = generateGroundingCorpus({ seed: opts.seed, skus: opts.skus, messages: opts.messages });
  const t1 = performance.now();
  const document = KnowledgeDocument.parse(corpus.document);
  const kb = compileKnowledge({ tenantId: corpus.tenantId, kbVersion: corpus.kbVersion, document });
  const t2 = performance.now();
  const products = new Map(document.products.map((p) => [p.sku, p]));
  const facts = corpus.messages.map((m) => approvedFactsFor(products.get(m.sku)!, document, m.region));
  const load = loadavg()[0];

  // Warm-up (JIT), then every message once through each path, interleaved so load hits both alike.
  for (let i = 0; i < Math.min(2000, corpus.messages.length); i++) {
    const m = corpus.messages[i];
    checkText(kb, m.text, { now: corpus.now, sku: m.sku, region: m.region });
    baselineCheck(m.text, facts[i]);
  }
  const checkerMs: number[] = [];
  const checkerCpuMs: number[] = [];
  const baselineMs: number[] = [];
  const rows: Aligned[] = [];
  const baseRows: Aligned[] = [];
  const wrong: string[] = [];
  corpus.messages.forEach((m, i) => {
    const cpu = process.cpuUsage();
    const a = performance.now();
    const report = checkText(kb, m.text, { now: corpus.now, sku: m.sku, region: m.region });
    const b = performance.now();
    const used = process.cpuUsage(cpu);
    checkerCpuMs.push((used.user + used.system) / 1000);
    const base = baselineCheck(m.text, facts[i]);
    const c = performance.now();
    checkerMs.push(b - a);
    baselineMs.push(c - b);
    const spans: Span[] = report.ok
      ? report.verdicts.map((v) => ({
          start: v.claim.start,
          end: v.claim.end,
          verdict: v.verdict,
          kind: v.claim.kind,
        }))
      : [];
    const aligned = align(m, spans);
    rows.push(...aligned);
    baseRows.push(...alignBySentence(m, base));
    if (wrong.length < opts.show)
      for (const r of aligned)
        if (r.truth !== r.predicted && wrong.length < opts.show) {
          const detail = report.ok
            ? report.verdicts
                .map((v) => `${v.verdict} ${v.claim.kind} "${v.claim.text}" (${v.reason})`)
                .join(' | ')
            : report.reason;
          wrong.push(
            `${m.id} [${r.kind} ${r.injection}] truth ${r.truth} → ${r.predicted}\n    ${m.text}\n    ${detail}`,
          );
        }
  });

  // Batch pass for throughput without per-call timer overhead.
  const batch = (f: (m: CorpusMessage, i: number) => unknown) => {
    const s = performance.now();
    corpus.messages.forEach((m, i) => f(m, i));
    return performance.now() - s;
  };
  const checkerBatchMs = batch((m) =>
    checkText(kb, m.text, { now: corpus.now, sku: m.sku, region: m.region }),
  );
  const baselineBatchMs = batch((m, i) => baselineCheck(m.text, facts[i]));

  const checker = score(rows);
  const baseline = score(baseRows);
  const lat: LatencySummary = summarize(checkerMs);
  const cpuLat = summarize(checkerCpuMs);
  const baseLat = summarize(baselineMs);
  const perSecond = (corpus.messages.length / checkerBatchMs) * 1000;
  const basePerSecond = (corpus.messages.length / baselineBatchMs) * 1000;
  const claims = rows.filter((r) => r.truth !== 'NONE').length;
  const byInjection = (inj: string) => rows.filter((r) => r.injection === inj).length;

  const lines = [
    `grounding: ${corpus.messages.length} messages over ${document.products.length} SKUs (seed ${opts.seed}), ${claims} labelled claims (correct ${byInjection('correct')}, wrong ${byInjection('wrong')}, stale ${byInjection('stale')}, invented ${byInjection('invented')})`,
    `  corpus generated in ${Math.round(t1 - t0)} ms; knowledge compiled in ${Math.round(t2 - t1)} ms (${kb.names.size} names/aliases/SKUs)`,
    `  node ${process.version}, ${cpus().length} x ${cpus()[0]?.model ?? '?'}, load ${round2(load)} → ${round2(loadavg()[0])}`,
    '',
    'checker (libs/knowledge checkText), claims by generator truth × checker verdict:',
    ...matrixLines(checker),
    '',
    ...perKind(rows),
    '',
    'baseline (normalized substring match of each sentence against approved facts), same claims:',
    ...matrixLines(baseline),
    '',
    `${''.padEnd(34)}${'checker'.padStart(12)}${'baseline'.padStart(12)}`,
    `${'precision on CONTRADICTED'.padEnd(34)}${checker.precision.toFixed(4).padStart(12)}${baseline.precision.toFixed(4).padStart(12)}   goal ≥ 0.99`,
    `${'recall on CONTRADICTED'.padEnd(34)}${checker.recall.toFixed(4).padStart(12)}${baseline.recall.toFixed(4).padStart(12)}   goal ≥ 0.95`,
    `${'correct paraphrases flagged'.padEnd(34)}${pct(checker.fpParaphrase).padStart(12)}${pct(baseline.fpParaphrase).padStart(12)}   goal ≤ 0.5 %`,
    `${'  of which CONTRADICTED'.padEnd(34)}${pct(checker.contradictedParaphrase).padStart(12)}${pct(baseline.contradictedParaphrase).padStart(12)}`,
    `${'p50 / p99 / max per message (ms)'.padEnd(34)}${`${round2(lat.p50)} / ${round2(lat.p99)} / ${round2(lat.max)}`.padStart(18)}${`${round2(baseLat.p50)} / ${round2(baseLat.p99)} / ${round2(baseLat.max)}`.padStart(20)}   goal p99 ≤ 5 ms`,
    `${'  CPU time p50 / p99 (ms)'.padEnd(34)}${`${round2(cpuLat.p50)} / ${round2(cpuLat.p99)}`.padStart(12)}   (wall time includes waiting for a core on a shared machine)`,
    `${'messages/s (one core, batch)'.padEnd(34)}${String(Math.round(perSecond)).padStart(12)}${String(Math.round(basePerSecond)).padStart(12)}   goal ≥ 2,000; ratio checker/baseline time ${round2(basePerSecond / perSecond)}x`,
  ];
  const adv = adversarial();
  lines.push(
    '',
    `hand-written adversarial cases (bench/grounding/adversarial.ts): ${adv.right} of ${adv.total} expectations hold`,
    ...adv.misses,
  );
  if (wrong.length) lines.push('', 'misjudged claims:', ...wrong);
  process.stdout.write(`${lines.join('\n')}\n`);

  const summary = {
    messages: corpus.messages.length,
    precision_contradicted: Number(checker.precision.toFixed(4)),
    recall_contradicted: Number(checker.recall.toFixed(4)),
    false_positive_rate_paraphrase: Number(checker.fpParaphrase.toFixed(4)),
    p99_ms: round2(lat.p99),
    messages_per_s: Math.round(perSecond),
    commit: gitCommit(),
    date: new Date().toISOString(),
  };
  if (opts.write) {
    const out = resolve('docs/bench/grounding.json');
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, `${JSON.stringify(summary, null, 2)}\n`);
    process.stdout.write(`wrote ${out}\n`);
  }
  if (opts.json)
    process.stdout.write(
      `${JSON.stringify({ ...summary, confusion: checker.matrix, baseline: { precision_contradicted: baseline.precision, recall_contradicted: baseline.recall, false_positive_rate_paraphrase: baseline.fpParaphrase, p99_ms: round2(baseLat.p99), messages_per_s: Math.round(basePerSecond) } })}\n`,
    );
  return 0;
}

process.exitCode = main();
