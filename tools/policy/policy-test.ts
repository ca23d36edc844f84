/**
 * `opa test` for guardrail policies: compiles a policy folder as one set and runs every fixture
 * case of `<folder>/fixtures` through the policy library.
 *
 *   npm run policy:test -- [policies/retail] [--filter <text>] [--verbose]
 *
 * Prints PASS/FAIL per case (with what differed) and a summary line; exits 1 when the set does
 * not compile (every problem as file:line:column), a fixture file is malformed, or a case fails.
 */
import { join, relative, resolve } from 'node:path';
import { Command } from 'commander';
import { compilePolicySet, evaluatePolicySet, formatProblem } from '@agentops/policy';
import { buildContext, checkCase, FixtureError, loadFixtures, loadPolicySources } from './fixtures';

export interface PolicyTestOptions {
  filter?: string;
  verbose?: boolean;
  write?: (line: string) => void;
}

/** The outcome of a policy folder's fixtures, for people (runPolicyTests) and machines (`--output json`). */
export interface PolicyTestReport {
  ok: boolean;
  dir: string;
  /** Set when the folder does not compile: every problem as file:line:column. */
  problems?: string[];
  /** Set when a fixture file is malformed. */
  fixtureError?: string;
  cases: { file: string; name: string; passed: boolean; verdict: string; diffs: string[] }[];
  passed: number;
  failed: number;
  policies: number;
  setVersion?: string;
  ms: number;
}

/** Compiles the folder as one set and runs every fixture case (those matching `filter`). */
export function testPolicyFolder(dir: string, options: { filter?: string } = {}): PolicyTestReport {
  const shown = relative(process.cwd(), dir) || '.';
  const empty = { dir: shown, cases: [], passed: 0, failed: 0, policies: 0, ms: 0 };
  const compiled = compilePolicySet(loadPolicySources(dir));
  if (!compiled.ok) {
    return {
      ...empty,
      ok: false,
      problems: compiled.problems.map((p) =>
        formatProblem({ ...p, file: relative(process.cwd(), join(dir, p.file)) }),
      ),
    };
  }
  let suite;
  try {
    suite = loadFixtures(dir);
  } catch (error) {
    if (!(error instanceof FixtureError)) throw error;
    return { ...empty, ok: false, fixtureError: error.message, policies: compiled.set.policies.length };
  }
  const started = performance.now();
  const cases = suite.cases
    .filter((c) => !options.filter || c.name.includes(options.filter))
    .map((c) => {
      const result = evaluatePolicySet(compiled.set, buildContext(suite, c));
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
      `${report.policies} policies, set ${report.setVersion}, ${report.ms.toFixed(1)} ms`,
  );
  return report.ok ? 0 : 1;
}

if (require.main === module) {
  const program = new Command()
    .name('policy-test')
    .description('Compile a guardrail policy folder and run its fixtures')
    .argument('[dir]', 'policy folder (with a fixtures/ subfolder)', 'policies/retail')
    .option('-f, --filter <text>', 'only cases whose name contains <text>')
    .option('-v, --verbose', 'print the verdict of passing cases')
    .parse();
  const opts = program.opts<{ filter?: string; verbose?: boolean }>();
  process.exitCode = runPolicyTests(resolve(program.args[0] ?? 'policies/retail'), opts);
}
