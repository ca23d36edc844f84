import { execFileSync } from 'node:child_process';

/**
 * The commit a bench summary was measured at (`docs/bench/*.json`'s `commit`), marked `-dirty`
 * when the measured paths have uncommitted changes; `unknown` outside a git checkout.
 */
export function commitOf(root: string, measuredPaths: string[]): string {
  try {
    const sha = execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], {
      cwd: root,
      encoding: 'utf8',
    }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', ...measuredPaths], {
      cwd: root,
      encoding: 'utf8',
    }).trim();
    return dirty ? `${sha}-dirty` : sha;
  } catch {
    return 'unknown';
  }
}
