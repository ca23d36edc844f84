/**
 * The policy test runner of `npm run policy:test` and `agentops policy test` (see policy-test.ts):
 * compiles a policy folder as one set and runs its fixtures. No entry point here, so the CLI's
 * bundle (tools/packaging/pack-sdk.ts) can carry it without running a second program.
 */
import { join, relative } from 'node:path';
import {
  CompiledPolicySet,
  PolicyProblem,
  compilePolicySet,
  evaluatePolicyLayers,
  evaluatePolicySet,
  formatProblem,
  tenantSetProblems,
} from '@agentops/policy';
import { buildContext, checkCase, FixtureError, loadFixtures, loadPolicySources } from './fixtures';

export interface PolicyTestOptions {
  filter?: string;
  /** The baseline folder the tested folder is layered over, as a tenant set. */
  baseline?: string;
  verbose?: boolean;
  write?: (line: string) => void;
}

/** The outcome of a policy folder's fixtures, for people (runPolicyTests) and machines (`--output json`). */
export interface PolicyTestReport {
  ok: boolean;
  dir: string;
  /** Set when the folder (or its baseline) does not compile: every problem as file:line:column. */
  problems?: string[];
  /** Set when a fixture file is malformed. */
  fixtureError?: string;
  cases: { file: string; name: string; passed: boolean; verdict: string; diffs: string[] }[];
  passed: number;
  failed: number;
  policies: number;
  setVersion?: string;
  /** With a baseline: its folder, version and policy count. */
  baseline?: { dir: string; version: string; policies: number };
  ms: number;
}

/** Compiles the folder as one set and runs every fixture case (those matching `filter`). */
export function testPolicyFolder(
  dir: string,
  options: { filter?: string; baseline?: string } = {},
): PolicyTestReport {
  const shown = relative(process.cwd(), dir) || '.';
  const empty = { dir: shown, cases: [], passed: 0, failed: 0, policies: 0, ms: 0 };
  const located = (from: string, problems: PolicyProblem[]) =>
    problems.map((p) => formatProblem({ ...p, file: relative(process.cwd(), join(from, p.file)) }));
  let baseline: CompiledPolicySet | undefined;
  if (options.baseline) {
    const compiledBaseline = compilePolicySet(loadPolicySources(options.baseline));
    if (!compiledBaseline.ok)
      return { ...empty, ok: false, problems: located(options.baseline, compiledBaseline.problems) };
    baseline = compiledBaseline.set;
  }
  const compiled = compilePolicySet(loadPolicySources(dir));
  if (!compiled.ok) return { ...empty, ok: false, problems: located(dir, compiled.problems) };
  const layering = tenantSetProblems(compiled.set, baseline);
  if (layering.length) return { ...empty, ok: false, problems: located(dir, layering) };
  let suite;
  try {
    suite = loadFixtures(dir, options.baseline);
  } catch (error) {
    if (!(error instanceof FixtureError)) throw error;
    return { ...empty, ok: false, fixtureError: error.message, policies: compiled.set.policies.length };
  }
  const started = performance.now();
  const cases = suite.cases
    .filter((c) => !options.filter || c.name.includes(options.filter))
    .map((c) => {
      const context = buildContext(suite, c);
      const result = baseline
        ? evaluatePolicyLayers({ baseline, tenant: compiled.set }, context)
        : evaluatePolicySet(compiled.set, context);
      const diffs = checkCase(c, result);
      return { file: c.file, name: c.name, passed: diffs.length === 0, verdict: result.verdict, diffs };
    });
  const failed = cases.filter((c) => !c.passed).length;
  return {
    ok: failed === 0 && cases.length > 0,
    dir: shown,
    cases,
    passed: cases.length - failed,
    failed,
    policies: compiled.set.policies.length,
    setVersion: compiled.set.version,
    ...(baseline && options.baseline
      ? {
          baseline: {
            dir: relative(process.cwd(), options.baseline) || '.',
            version: baseline.version,
            policies: baseline.policies.length,
          },
        }
      : {}),
    ms: Number((performance.now() - started).toFixed(1)),
  };
}

/** Runs the suite and prints PASS/FAIL per case and a summary; returns the process exit code. */
export function runPolicyTests(dir: string, options: PolicyTestOptions = {}): number {
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const report = testPolicyFolder(dir, options);
  if (report.problems) {
    for (const p of report.problems) write(p);
    write(`policy set in ${dir} does not compile: ${report.problems.length} problem(s)`);
    return 1;
  }
  if (report.fixtureError) {
    write(`${report.dir}: ${report.fixtureError}`);
    return 1;
  }
  for (const c of report.cases) {
    if (!c.passed) {
      write(`FAIL ${c.file} ${c.name}`);
      for (const d of c.diffs) write(`     ${d.replace(/\n/g, '\n     ')}`);
    } else {
      write(`PASS ${c.file} ${c.name}${options.verbose ? ` → ${c.verdict}` : ''}`);
    }
  }
  write(
    `${report.failed ? 'FAIL' : 'PASS'}: ${report.passed}/${report.cases.length} cases passed, ${report.failed} failed — ` +
      `${report.policies} policies, set ${report.setVersion}` +
      (report.baseline
        ? ` over baseline ${report.baseline.version} (${report.baseline.dir}, ${report.baseline.policies} policies)`
        : '') +
      `, ${report.ms.toFixed(1)} ms`,
  );
  return report.ok ? 0 : 1;
}
