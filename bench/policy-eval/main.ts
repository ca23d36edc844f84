/**
 * Policy-evaluation benchmark: how long the guardrail spends deciding one intent with the whole
 * retail pack (`evaluatePolicySet`, in process, no I/O), next to the floor the CEL library allows
 * for the same work — the same variable and validation expressions of every matched policy,
 * parsed once in a plain `Environment` and evaluated in a bare loop. See docs/benchmarks.md.
 *
 *   npm run bench:policy-eval -- [--count 20000] [--warmup 5000] [--pack policies/retail] [--json]
 */
import { cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { Command } from 'commander';
import { Environment } from '@marcbachmann/cel-js';
import {
  compilePolicySet,
  CompiledPolicySet,
  EvaluationContext,
  createPolicyEnvironment,
  evaluatePolicySet,
  formatProblem,
} from '@agentops/policy';
import { parse } from 'yaml';
import { LatencySummary, round2, summarize } from '../shared/stats';
import { buildContext, checkCase, loadFixtures, loadPolicySources } from '../../tools/policy/fixtures';

/** Share of traffic per action domain; cases of a domain are drawn uniformly. */
const MIX: Record<string, number> = { pricing: 0.4, shopping: 0.25, service: 0.25, inventory: 0.1 };

type Program = ReturnType<Environment['parse']>;
interface BarePolicy {
  variables: { name: string; program: Program }[];
  validations: Program[];
}

/** A seeded PRNG (mulberry32) so every run draws the same intent sequence. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function mixSequence(contexts: EvaluationContext[], length: number): number[] {
  const byDomain = new Map<string, number[]>();
  contexts.forEach((c, i) => {
    const domain = c.intent.action.split('.')[0];
    byDomain.set(domain, [...(byDomain.get(domain) ?? []), i]);
  });
  const weights = [...byDomain.keys()].map((d) => [d, MIX[d] ?? 0.02] as const);
  const total = weights.reduce((s, [, w]) => s + w, 0);
  const next = rng(42);
  const seq: number[] = [];
  for (let i = 0; i < length; i++) {
    let r = next() * total;
    const [domain] = weights.find(([, w]) => (r -= w) < 0) ?? weights[weights.length - 1];
    const pool = byDomain.get(domain)!;
    seq.push(pool[Math.floor(next() * pool.length)]);
  }
  return seq;
}

/**
 * The same declarations as the policy engine (its environment factory), used bare: expressions are
 * evaluated directly, without matching, combination, obligations or explanations.
 */
function bareEnvironment(): Environment {
  return createPolicyEnvironment();
}

/** Every variable and validation expression of the set, parsed once by the bare environment. */
function bareSet(set: CompiledPolicySet, env: Environment): Map<string, BarePolicy> {
  const out = new Map<string, BarePolicy>();
  for (const p of set.policies) {
    const doc = parse(p.source) as {
      spec: { variables?: { name: string; expression: string }[]; validations: { expression: string }[] };
    };
    out.set(p.id, {
      variables: (doc.spec.variables ?? []).map((v) => ({ name: v.name, program: env.parse(v.expression) })),
      validations: doc.spec.validations.map((v) => env.parse(v.expression)),
    });
  }
  return out;
}

/** The bare loop: variables then validations of each matched policy; an error counts as violated. */
function evaluateBare(policies: BarePolicy[], ctx: EvaluationContext): number {
  let violated = 0;
  for (const p of policies) {
    const activation = { ...ctx, variables: {} as Record<string, unknown> };
    try {
      for (const v of p.variables) activation.variables[v.name] = v.program(activation);
      for (const validation of p.validations) if (validation(activation) !== true) violated++;
    } catch {
      violated++;
    }
  }
  return violated;
}

interface PathResult {
  perIntent: LatencySummary;
  batchUsPerIntent: number;
}

/**
 * Times both paths over the same sequence, interleaved intent by intent (alternating which goes
 * first) so load spikes on a shared machine hit both alike; then a batch pass (alternating blocks)
 * for the average without per-call timer overhead.
 */
function measure(
  sequence: number[],
  warmup: number,
  a: (i: number) => unknown,
  b: (i: number) => unknown,
): [PathResult, PathResult] {
  let sink = 0;
  for (let i = 0; i < warmup; i++)
    sink += (a(sequence[i % sequence.length]) ? 1 : 0) + (b(sequence[i % sequence.length]) ? 1 : 0);
  const sa = new Array<number>(sequence.length);
  const sb = new Array<number>(sequence.length);
  for (let i = 0; i < sequence.length; i++) {
    const first = i % 2 === 0 ? a : b;
    const second = i % 2 === 0 ? b : a;
    const t0 = performance.now();
    sink += first(sequence[i]) ? 1 : 0;
    const t1 = performance.now();
    sink += second(sequence[i]) ? 1 : 0;
    const t2 = performance.now();
    (i % 2 === 0 ? sa : sb)[i] = t1 - t0;
    (i % 2 === 0 ? sb : sa)[i] = t2 - t1;
  }
  // Batch pass: alternating blocks of 500 intents per path, each block timed as a whole.
  let batchMsA = 0;
  let batchMsB = 0;
  for (let start = 0; start < sequence.length; start += 500) {
    const end = Math.min(sequence.length, start + 500);
    for (const [f, isA] of start % 1000 === 0
      ? ([
          [a, true],
          [b, false],
        ] as const)
      : ([
          [b, false],
          [a, true],
        ] as const)) {
      const b0 = performance.now();
      for (let k = start; k < end; k++) sink += f(sequence[k]) ? 1 : 0;
      const elapsed = performance.now() - b0;
      if (isA) batchMsA += elapsed;
      else batchMsB += elapsed;
    }
  }
  const batchA = (batchMsA * 1000) / sequence.length;
  const batchB = (batchMsB * 1000) / sequence.length;
  if (sink < 0) throw new Error('unreachable');
  return [
    { perIntent: summarize(sa), batchUsPerIntent: batchA },
    { perIntent: summarize(sb), batchUsPerIntent: batchB },
  ];
}

const us = (ms: number) => round2(ms * 1000);

function main(): number {
  const opts = new Command()
    .name('bench:policy-eval')
    .option('--count <n>', 'measured evaluations per path', (v) => Number.parseInt(v, 10), 20000)
    .option('--warmup <n>', 'unmeasured evaluations per path first', (v) => Number.parseInt(v, 10), 5000)
    .option('--pack <dir>', 'policy folder with fixtures/', 'policies/retail')
    .option('--json', 'print a one-line JSON summary last')
    .parse()
    .opts<{ count: number; warmup: number; pack: string; json?: boolean }>();
  const dir = resolve(opts.pack);
  const compiled = compilePolicySet(loadPolicySources(dir));
  if (!compiled.ok) {
    for (const p of compiled.problems) process.stderr.write(`${formatProblem(p)}\n`);
    return 1;
  }
  const set = compiled.set;
  const suite = loadFixtures(dir);
  const contexts = suite.cases.map((c) => buildContext(suite, c));
  // The fixtures must pass, or we would be timing a broken pack.
  const failing = suite.cases.filter((c, i) => checkCase(c, evaluatePolicySet(set, contexts[i])).length > 0);
  if (failing.length) {
    process.stderr.write(`policy-eval: ${failing.length} fixture case(s) fail; run npm run policy:test\n`);
    return 1;
  }
  const env = bareEnvironment();
  const bare = bareSet(set, env);
  const matched = contexts.map((ctx) => evaluatePolicySet(set, ctx).matched.map((m) => bare.get(m.id)!));
  const sequence = mixSequence(contexts, opts.count);
  const load = loadavg()[0];

  const [engine, celOnly] = measure(
    sequence,
    opts.warmup,
    (i) => evaluatePolicySet(set, contexts[i]).verdict,
    (i) => evaluateBare(matched[i], contexts[i]),
  );

  const avgMatched = sequence.reduce((s, i) => s + matched[i].length, 0) / sequence.length;
  const avgValidations =
    sequence.reduce(
      (s, i) => s + matched[i].reduce((n, p) => n + p.validations.length + p.variables.length, 0),
      0,
    ) / sequence.length;
  const row = (name: string, m: PathResult) =>
    `${name.padEnd(34)} ${String(us(m.perIntent.p50)).padStart(8)} ${String(us(m.perIntent.p95)).padStart(8)} ${String(us(m.perIntent.p99)).padStart(8)} ${String(us(m.perIntent.max)).padStart(9)} ${String(round2(m.batchUsPerIntent)).padStart(10)}`;
  const lines = [
    `policy-eval: ${set.policies.length} policies (set ${set.version}), ${contexts.length} fixture intents, mix ${JSON.stringify(MIX)}`,
    `  ${opts.count} measured evaluations per path after ${opts.warmup} warm-up; per intent ${round2(avgMatched)} matched policies, ${round2(avgValidations)} expressions`,
    `  node ${process.version}, ${cpus().length} x ${cpus()[0]?.model ?? '?'}, load ${round2(load)} → ${round2(loadavg()[0])}`,
    '',
    `${'path (µs per intent)'.padEnd(34)} ${'p50'.padStart(8)} ${'p95'.padStart(8)} ${'p99'.padStart(8)} ${'max'.padStart(9)} ${'batch avg'.padStart(10)}`,
    row('evaluatePolicySet (whole pack)', engine),
    row('bare CEL (same expressions)', celOnly),
    `${'ratio engine / bare'.padEnd(34)} ${String(round2(engine.perIntent.p50 / celOnly.perIntent.p50)).padStart(8)} ${String(round2(engine.perIntent.p95 / celOnly.perIntent.p95)).padStart(8)} ${String(round2(engine.perIntent.p99 / celOnly.perIntent.p99)).padStart(8)} ${''.padStart(9)} ${String(round2(engine.batchUsPerIntent / celOnly.batchUsPerIntent)).padStart(10)}`,
    `throughput (one core, batch): engine ${Math.round(1e6 / engine.batchUsPerIntent)} intents/s, bare ${Math.round(1e6 / celOnly.batchUsPerIntent)} intents/s`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  if (opts.json) {
    const toUs = (m: PathResult) => ({
      p50: us(m.perIntent.p50),
      p95: us(m.perIntent.p95),
      p99: us(m.perIntent.p99),
      max: us(m.perIntent.max),
      batchAvg: round2(m.batchUsPerIntent),
    });
    const summary = {
      benchmark: 'policy-eval',
      policies: set.policies.length,
      intents: contexts.length,
      count: opts.count,
      warmup: opts.warmup,
      unit: 'µs',
      engine: toUs(engine),
      bare: toUs(celOnly),
      ratioP50: round2(engine.perIntent.p50 / celOnly.perIntent.p50),
      ratioP99: round2(engine.perIntent.p99 / celOnly.perIntent.p99),
    };
    process.stdout.write(`${JSON.stringify(summary)}\n`);
  }
  return 0;
}

process.exitCode = main();
