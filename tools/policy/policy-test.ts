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

/** Runs the suite; returns the process exit code. */
export function runPolicyTests(dir: string, options: PolicyTestOptions = {}): number {
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const compiled = compilePolicySet(loadPolicySources(dir));
  if (!compiled.ok) {
    for (const p of compiled.problems)
      write(formatProblem({ ...p, file: relative(process.cwd(), join(dir, p.file)) }));
    write(`policy set in ${dir} does not compile: ${compiled.problems.length} problem(s)`);
    return 1;
  }
  let suite;
  try {
    suite = loadFixtures(dir);
  } catch (error) {
    if (!(error instanceof FixtureError)) throw error;
    write(`${relative(process.cwd(), dir) || '.'}: ${error.message}`);
    return 1;
  }
  const cases = suite.cases.filter((c) => !options.filter || c.name.includes(options.filter));
  let failed = 0;
  const started = performance.now();
  for (const c of cases) {
    const result = evaluatePolicySet(compiled.set, buildContext(suite, c));
    const diffs = checkCase(c, result);
    if (diffs.length) {
      failed++;
      write(`FAIL ${c.file} ${c.name}`);
      for (const d of diffs) write(`     ${d.replace(/\n/g, '\n     ')}`);
    } else {
      write(`PASS ${c.file} ${c.name}${options.verbose ? ` → ${result.verdict}` : ''}`);
    }
  }
  const ms = (performance.now() - started).toFixed(1);
  write(
    `${failed ? 'FAIL' : 'PASS'}: ${cases.length - failed}/${cases.length} cases passed, ${failed} failed — ` +
      `${compiled.set.policies.length} policies, set ${compiled.set.version}, ${ms} ms`,
  );
  return failed || cases.length === 0 ? 1 : 0;
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
