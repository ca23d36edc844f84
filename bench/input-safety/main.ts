/**
 * Input-safety benchmark: the glob matcher and the PII detectors on the inputs that used to stall
 * a service (issue 12, item 6) and on ordinary ones, next to the implementations they replaced
 * (`baseline/`, as of a591191), in the same process and run. Pure CPU, no stack. See
 * docs/benchmarks.md.
 *
 *   npm run bench:input-safety -- [--quick] [--json]
 *
 * `--quick` skips the two baseline runs that take seconds each (the six-star glob and the
 * 100k-character email run), for a check under a minute.
 */
import { globMatches } from '@agentops/cohort-selector';
import { detectPii } from '@agentops/privacy';
import { findPii, redactPii } from '@agentops/policy';
import { execSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import * as oldPolicy from './baseline/policy-text-detectors';
import * as oldPrivacy from './baseline/privacy-detectors';

/** The matcher before: `*` compiled to `.*` and handed to the backtracking regex engine. */
const oldGlobCache = new Map<string, RegExp>();
function oldGlobMatches(pattern: string, value: string): boolean {
  if (!pattern.includes('*')) return pattern === value;
  let re = oldGlobCache.get(pattern);
  if (!re) {
    re = new RegExp(
      `^${pattern
        .split('*')
        .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
        .join('.*')}$`,
    );
    oldGlobCache.set(pattern, re);
  }
  return re.test(value);
}

interface Row {
  case: string;
  input: string;
  oldMs: number | null;
  newMs: number;
  /** new / old: below 1 is faster. */
  ratio: number | null;
}

/** Milliseconds of one call, and how many calls make a batch of about 20 ms. */
function probe(fn: () => unknown): { firstMs: number; perBatch: number } {
  const t0 = performance.now();
  fn();
  const firstMs = performance.now() - t0;
  return { firstMs, perBatch: Math.max(1, Math.ceil(20 / Math.max(firstMs, 0.001))) };
}

function batchMs(fn: () => unknown, perBatch: number): number {
  const t = performance.now();
  for (let i = 0; i < perBatch; i++) fn();
  return (performance.now() - t) / perBatch;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * Milliseconds per call of each side. Batches of the two sides alternate (new, old, new, old …) so
 * that a busy machine slows both alike; each side's figure is the median of 9 batches. A side whose
 * single call takes over a second (the stalls) is timed once.
 */
function row(name: string, input: string, newFn: () => unknown, oldFn: (() => unknown) | null): Row {
  const n = probe(newFn);
  const o = oldFn ? probe(oldFn) : null;
  const newSamples: number[] = [];
  const oldSamples: number[] = [];
  for (let round = 0; round < 9; round++) {
    newSamples.push(batchMs(newFn, n.perBatch));
    if (oldFn && o && o.firstMs <= 1000) oldSamples.push(batchMs(oldFn, o.perBatch));
  }
  const newMs = median(newSamples);
  const oldMs = !o ? null : o.firstMs > 1000 ? o.firstMs : median(oldSamples);
  return { case: name, input, oldMs, newMs, ratio: oldMs === null ? null : newMs / oldMs };
}

const NORMAL_GLOBS: [string, string][] = [
  ['pricing.*', 'pricing.set_price'],
  ['pricing.*', 'inventory.create_purchase_order'],
  ['*.issue_refund', 'service.issue_refund'],
  ['service.*', 'service.send_message'],
  ['*', 'shopping.recommend'],
  ['inventory.*', 'pricing.set_price'],
  ['tenant-*', 'tenant-maison'],
  ['SKU-FLAG-*', 'BAG-9'],
];

const MESSAGES = [
  'Dear Anna, your order has shipped and will arrive on Thursday.',
  'Anna, the ready-to-wear piece MD-RTW-0042 would complete your last purchase.',
  'Dear Anna (anna@example.com), like Mrs Martin (claire.martin@example.org, +33 6 12 34 56 78) you may collect it tomorrow.',
  'We charged your card 4111 1111 1111 1111 for the repair.',
  'The refund went to DE89 3704 0044 0532 0130 00.',
  'Call your advisor on +33 1 44 55 66 77 to try it on.',
  'send to 12 rue de la Paix, 75002 Paris',
  'price 1299.00 on 2026-01-05, sku 12345678, qty 20',
];

function main(): void {
  const { values } = parseArgs({
    options: { quick: { type: 'boolean', default: false }, json: { type: 'boolean', default: false } },
  });
  const quick = values.quick;
  const rows: Row[] = [];
  const progress = (s: string) => process.stderr.write(`input-safety: ${s}\n`);

  // Warm both sides on ordinary input first, so neither pays for JIT or regex compilation in a row.
  for (let i = 0; i < 2000; i++)
    for (const m of MESSAGES) {
      detectPii(m);
      oldPrivacy.detectPii(m);
      oldPolicy.findPii(m);
    }

  progress('globs');
  const action81 = `${'a'.repeat(80)}c`;
  rows.push(
    row(
      'glob, ordinary patterns (8 pairs)',
      'pricing.* …',
      () => {
        for (const [p, v] of NORMAL_GLOBS) globMatches(p, v);
      },
      () => {
        for (const [p, v] of NORMAL_GLOBS) oldGlobMatches(p, v);
      },
    ),
    row(
      'glob *a*a*a*a*b (5 stars)',
      '81-char action',
      () => globMatches('*a*a*a*a*b', action81),
      () => oldGlobMatches('*a*a*a*a*b', action81),
    ),
    row(
      'glob *a*a*a*a*a*b (6 stars)',
      '81-char action',
      () => globMatches('*a*a*a*a*a*b', action81),
      quick ? null : () => oldGlobMatches('*a*a*a*a*a*b', action81),
    ),
  );
  let globAgreement = 0;
  for (const [p, v] of NORMAL_GLOBS) if (globMatches(p, v) === oldGlobMatches(p, v)) globAgreement++;

  progress('detectors on ordinary messages');
  const prose = (n: number) =>
    'Dear Anna, your order 12345 has shipped to 12 rue de la Paix, call +33 6 12 34 56 78, mail anna@example.com. '
      .repeat(Math.ceil(n / 110))
      .slice(0, n);
  rows.push(
    row(
      'audit: 8 ordinary messages',
      'fixtures',
      () => MESSAGES.forEach((m) => detectPii(m)),
      () => MESSAGES.forEach((m) => oldPrivacy.detectPii(m)),
    ),
    row(
      'guardrail: 8 ordinary messages',
      'fixtures',
      () => MESSAGES.forEach((m) => redactPii(m)),
      () => MESSAGES.forEach((m) => oldPolicy.redactPii(m)),
    ),
    row(
      'audit: prose with PII',
      '100k chars',
      () => detectPii(prose(100_000)),
      () => oldPrivacy.detectPii(prose(100_000)),
    ),
    row(
      'guardrail: prose with PII',
      '100k chars',
      () => findPii(prose(100_000)),
      () => oldPolicy.findPii(prose(100_000)),
    ),
  );

  progress('detectors on adversarial input');
  const gates = ' @ 12345678 street'; // defeats the cheap gates, so every detector runs
  const localRun = (n: number) => `${'a'.repeat(n)}${gates}`;
  const digitRun = (n: number) => `${'1'.repeat(n)}${gates}`;
  const rueWords = (n: number) => `1 rue ${'a'.repeat(n)}1`;
  rows.push(
    row(
      'guardrail: letters run (email)',
      '30k chars',
      () => findPii(localRun(30_000)),
      () => oldPolicy.findPii(localRun(30_000)),
    ),
    row(
      'guardrail: digits run (phone)',
      '30k chars',
      () => findPii(digitRun(30_000)),
      () => oldPolicy.findPii(digitRun(30_000)),
    ),
    row(
      'audit: letters run (email)',
      '100k chars',
      () => detectPii(localRun(100_000)),
      quick ? null : () => oldPrivacy.detectPii(localRun(100_000)),
    ),
    row(
      'audit: letters run (email)',
      '30k chars',
      () => detectPii(localRun(30_000)),
      () => oldPrivacy.detectPii(localRun(30_000)),
    ),
    row(
      'audit: "1 rue " + one long word (address)',
      '160 chars',
      () => detectPii(rueWords(154)),
      () => oldPrivacy.detectPii(rueWords(154)),
    ),
    row('audit: "1 rue " + one long word (address)', '100k chars', () => detectPii(rueWords(100_000)), null),
    row(
      'both: digit/space run',
      '100k chars',
      () => detectPii('1 '.repeat(50_000) + gates),
      () => oldPrivacy.detectPii('1 '.repeat(50_000) + gates),
    ),
  );

  // Where old and new differ on ordinary messages: the settled differences (docs/architecture-notes.md).
  const show = (ms: { kind: string; value: string }[]) =>
    ms.map((m) => `${m.kind}:${m.value.trim()}`).join(', ');
  const differences = MESSAGES.flatMap((m) => {
    const now = show(detectPii(m));
    const audit = show(oldPrivacy.detectPii(m));
    const guardrail = show(oldPolicy.findPii(m));
    return now === audit && now === guardrail ? [] : [{ message: m, now, audit, guardrail }];
  });

  const fmt = (ms: number | null) =>
    ms === null ? '—' : ms < 0.01 ? ms.toExponential(1) : ms.toFixed(ms < 10 ? 3 : 0);
  console.log('| case | input | before (ms) | now (ms) | now / before |');
  console.log('| :-- | :-- | --: | --: | --: |');
  for (const r of rows)
    console.log(
      `| ${r.case} | ${r.input} | ${fmt(r.oldMs)} | ${fmt(r.newMs)} | ${r.ratio === null ? '—' : r.ratio.toExponential(1)} |`,
    );
  console.log(`\nglob answers equal to the regex matcher's: ${globAgreement}/${NORMAL_GLOBS.length}`);
  console.log(
    `detector differences on the ${MESSAGES.length} ordinary messages (settled, see architecture notes):`,
  );
  for (const d of differences)
    console.log(
      `  ${d.message}\n    now: ${d.now}\n    audit before: ${d.audit}\n    guardrail before: ${d.guardrail}`,
    );
  const commit = (() => {
    try {
      return execSync('git rev-parse --short HEAD', { encoding: 'utf8' }).trim();
    } catch {
      return 'unknown';
    }
  })();
  console.log(
    `\n${new Date().toISOString()} commit ${commit}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, load ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}, node ${process.version}`,
  );
  if (values.json)
    console.log(JSON.stringify({ commit, date: new Date().toISOString(), rows, globAgreement, differences }));
}

main();
