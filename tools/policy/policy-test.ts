/**
 * `opa test` for guardrail policies: compiles a policy folder as one set and runs every fixture
 * case of `<folder>/fixtures` through the policy library. With `--baseline <folder>`, the folder is
 * a tenant set tested as the guardrail runs it: layered over that baseline (and refused, like the
 * service refuses it, if it redefines a baseline policy).
 *
 *   npm run policy:test -- [policies/retail] [--baseline <folder>] [--filter <text>] [--verbose]
 *
 * Prints PASS/FAIL per case (with what differed) and a summary line; exits 1 when a set does not
 * compile (every problem as file:line:column), a fixture file is malformed, or a case fails.
 */
import { resolve } from 'node:path';
import { Command } from 'commander';
import { runPolicyTests } from './policy-testing';

export * from './policy-testing';

if (require.main === module) {
  const program = new Command()
    .name('policy-test')
    .description('Compile a guardrail policy folder and run its fixtures')
    .argument('[dir]', 'policy folder (with a fixtures/ subfolder)', 'policies/retail')
    .option('-b, --baseline <dir>', 'test the folder as a tenant set layered over this baseline folder')
    .option('-f, --filter <text>', 'only cases whose name contains <text>')
    .option('-v, --verbose', 'print the verdict of passing cases')
    .parse();
  const opts = program.opts<{ filter?: string; verbose?: boolean; baseline?: string }>();
  process.exitCode = runPolicyTests(resolve(program.args[0] ?? 'policies/retail'), {
    ...opts,
    baseline: opts.baseline ? resolve(opts.baseline) : undefined,
  });
}
