import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';

/** The built `agentops` binary (scripts/test.sh builds before it tests). */
export const CLI_ROOT = resolve(__dirname, '../..');
export const CLI = join(CLI_ROOT, 'dist/tools/cli/agentops.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the built CLI as a user would: its own process, only the environment given (plus PATH),
 * stdin closed after `stdin` (for `--password-stdin`).
 */
export function runCli(args: string[], env: Record<string, string>, stdin = ''): Promise<CliResult> {
  return new Promise<CliResult>((done, fail) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: CLI_ROOT,
      env: { PATH: process.env.PATH ?? '', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}
